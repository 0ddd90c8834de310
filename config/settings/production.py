"""Production: refuses to start without a real secret, and passes `manage.py check --deploy`."""

from django.core.exceptions import ImproperlyConfigured

from config.dev_keys import PUBLISHED_KEYS
from config.env import env_bool, env_int

from .base import *  # noqa: F403
from .base import PII_HASH_KEY, SECRET_KEY, STORAGES

DEBUG = False
if (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY.startswith("django-insecure")
    or SECRET_KEY in PUBLISHED_KEYS
):
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters.")
# The key of the stored ID-number hashes: its own secret, kept when SECRET_KEY is rotated (changing it
# makes every stored hash unverifiable), so it may be neither SECRET_KEY nor a published development key.
if len(PII_HASH_KEY) < 32 or len(set(PII_HASH_KEY)) < 5 or PII_HASH_KEY in PUBLISHED_KEYS:
    raise ImproperlyConfigured(
        "PII_HASH_KEY must be set to a random value of at least 32 characters "
        "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'), kept apart from SECRET_KEY."
    )
if PII_HASH_KEY == SECRET_KEY:
    raise ImproperlyConfigured("PII_HASH_KEY must differ from SECRET_KEY, so that SECRET_KEY can be rotated.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Probes speak plain HTTP to the app itself: liveness and readiness answer there, never a redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Stored files where STORAGE_URL says (base.py); static assets compressed and fingerprinted by WhiteNoise.
STORAGES = {
    "default": STORAGES["default"],
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
