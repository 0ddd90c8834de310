"""The embedded default of `make run`: one machine, SQLite, in-process background work."""

from config.dev_keys import DEVELOPMENT_PII_HASH_KEY, DEVELOPMENT_SECRET_KEY
from config.env import env_bool, env_str

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
# Development keys are acceptable only here; production refuses to start without its own keys, and
# `manage.py serve` refuses to answer other machines while either published key is in effect.
SECRET_KEY = env_str("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
# Its own key, never SECRET_KEY: rotating SECRET_KEY must not orphan the stored ID-number hashes.
PII_HASH_KEY = env_str("PII_HASH_KEY") or DEVELOPMENT_PII_HASH_KEY
