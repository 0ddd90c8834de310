"""Settings for the test suite: fast hashing, no network, the same database engine switch."""

import os

from config.env import env_str

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "guanjia.cases.testapp"]
NOTIFICATION_BACKENDS = ["guanjia.notifications.backends.LocmemBackend"]
# Every outgoing channel off whatever the environment says; a test turns one on against its local fake server.
NOTIFY_DELIVER_ON_COMMIT = False
SMS_PROVIDER = ""
SMS_TEMPLATES = {}
WECOM_ROBOT_WEBHOOK_URL = ""
WECHAT_MP_APP_ID = ""
NOTIFY_EMAIL_LEVELS = []
OUTBOUND_WEBHOOK_URLS = []

SECRET_KEY = "guanjia-test-key-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105 (tests only)
PII_HASH_KEY = "guanjia-test-pii-hash-key-9876543210"  # tests only; never SECRET_KEY
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not env_str("DATABASE_URL"):
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}

# Parallel workers each test against a database of their own but share one Redis: each keeps its cache keys apart
# (a calendar version or a counter written by one worker's test must not be read by another's).
if os.environ.get("PYTEST_XDIST_WORKER") and "KEY_PREFIX" in CACHES["default"]:
    CACHES["default"]["KEY_PREFIX"] += "-" + os.environ["PYTEST_XDIST_WORKER"]
