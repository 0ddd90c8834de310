"""The embedded default of `make run`: one machine, SQLite, in-process background work."""

from config.env import env_bool, env_str

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
# A development key is acceptable only here; production refuses to start without SECRET_KEY.
SECRET_KEY = env_str("SECRET_KEY") or "guanjia-local-development-key-not-for-production"
PII_HASH_KEY = env_str("PII_HASH_KEY") or SECRET_KEY
