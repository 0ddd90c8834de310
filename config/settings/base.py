"""Settings shared by every environment. Every value that varies comes from the environment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_storage, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("GUANJIA_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded database, media and collected static live here

SECRET_KEY = env_str("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "csp",
    "guanjia.timeline",
    "guanjia.estates",
    "guanjia.accounts",
    "guanjia.workdays",
    "guanjia.policy",
    "guanjia.cases",
    "guanjia.notifications",
    "guanjia.complaints",
    "guanjia.repairs",
    "guanjia.visits",
    "guanjia.reports",
    "guanjia.followup",
    "guanjia.exports",
    "guanjia.frontdesk",
    "guanjia.dutylog",
    "guanjia.desk",
    "guanjia.residents",
    "guanjia.api",
    "guanjia.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a one-time password is changed before any other page opens.
    "guanjia.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "guanjia.desk.middleware.CurrentProjectMiddleware",
    # Last, as axes requires: it turns a login refused for too many failures into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "guanjia.desk.context_processors.desk",
            ],
        },
    },
]

# --- Database: embedded SQLite (WAL) by default, PostgreSQL through DATABASE_URL -------------------
DATABASE_URL = env_url("DATABASE_URL", schemes=("postgres", "postgresql", "sqlite"))
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 60, minimum=0)
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=DB_CONN_MAX_AGE)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "guanjia.sqlite3"),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE transactions make writers queue
    # on the lock instead of failing with "database is locked" halfway through.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool("DB_JIT", False):
    # PostgreSQL's JIT compiles a query whose estimated cost is high before running it: for the month's report
    # at a million cases that took longer than the query itself (2.4 s of 3.1 s). This desk's queries are short
    # and indexed, so it is off unless DB_JIT=1.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, worker queue and real-time push when REDIS_URL is set ----------------------------
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "guanjia"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TIMEZONE = "Asia/Shanghai"
# Exports run on a queue (and a worker) of their own, so the deadline sweep never waits behind a long export.
CELERY_TASK_ROUTES = {"guanjia.exports.*": {"queue": "exports"}}
# A broker host that does not answer must not hold a request for long: queueing gives up and the job stays
# pending, for the sweep to queue again (guanjia.exports).
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
#: How often the deadline sweep runs (in-process without Redis, on the Celery beat with it).
SWEEP_INTERVAL_SECONDS = env_int("SWEEP_INTERVAL_SECONDS", 15, minimum=1)
#: Where notifications go besides the in-app inbox (SMS/email backends plug in here).
NOTIFICATION_BACKENDS = env_list("NOTIFICATION_BACKENDS", ["guanjia.notifications.backends.ConsoleBackend"])

# --- Outgoing channels (guanjia.notifications.channels): each off until its variables are set ------------
#: The outbox worker: attempts per message, and the first retry delay (doubled each time, at most an hour).
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 5, minimum=1)
NOTIFY_RETRY_SECONDS = env_int("NOTIFY_RETRY_SECONDS", 30, minimum=1)
#: Deliver right after the commit (a background thread, or a Celery task with Redis) besides the sweep.
NOTIFY_DELIVER_ON_COMMIT = env_bool("NOTIFY_DELIVER_ON_COMMIT", True)
NOTIFY_HTTP_TIMEOUT = env_int("NOTIFY_HTTP_TIMEOUT", 10, minimum=1)
#: SMS: "aliyun" or "tencent" (empty: texts are printed on the server console only).
SMS_PROVIDER = env_str("SMS_PROVIDER")
#: Template codes approved by the provider, by Guanjia's template name: "pickup_code=SMS_123,login_code=SMS_456".
SMS_TEMPLATES = dict(item.split("=", 1) for item in env_list("SMS_TEMPLATES", []) if "=" in item)
ALIYUN_SMS_ACCESS_KEY_ID = env_str("ALIYUN_SMS_ACCESS_KEY_ID")
ALIYUN_SMS_ACCESS_KEY_SECRET = env_str("ALIYUN_SMS_ACCESS_KEY_SECRET")
ALIYUN_SMS_SIGN_NAME = env_str("ALIYUN_SMS_SIGN_NAME")
ALIYUN_SMS_ENDPOINT = env_str("ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
TENCENT_SMS_SECRET_ID = env_str("TENCENT_SMS_SECRET_ID")
TENCENT_SMS_SECRET_KEY = env_str("TENCENT_SMS_SECRET_KEY")
TENCENT_SMS_SDK_APP_ID = env_str("TENCENT_SMS_SDK_APP_ID")
TENCENT_SMS_SIGN_NAME = env_str("TENCENT_SMS_SIGN_NAME")
TENCENT_SMS_REGION = env_str("TENCENT_SMS_REGION", "ap-guangzhou")
TENCENT_SMS_ENDPOINT = env_str("TENCENT_SMS_ENDPOINT", "https://sms.tencentcloudapi.com/")
#: 企业微信 group robot for staff alerts: the webhook address with its key, and the levels it posts.
WECOM_ROBOT_WEBHOOK_URL = env_str("WECOM_ROBOT_WEBHOOK_URL")
WECOM_ROBOT_LEVELS = env_list("WECOM_ROBOT_LEVELS", ["urgent"])
#: WeChat 公众号 template messages for residents (wechatpy).
WECHAT_MP_APP_ID = env_str("WECHAT_MP_APP_ID")
WECHAT_MP_APP_SECRET = env_str("WECHAT_MP_APP_SECRET")
WECHAT_MP_API_BASE = env_str("WECHAT_MP_API_BASE", "https://api.weixin.qq.com/cgi-bin/")
WECHAT_MP_TEMPLATES = dict(item.split("=", 1) for item in env_list("WECHAT_MP_TEMPLATES", []) if "=" in item)
#: E-mail copies of staff notifications through Django's mail settings (EMAIL_HOST…), for these levels.
NOTIFY_EMAIL_LEVELS = env_list("NOTIFY_EMAIL_LEVELS", [])
#: Signed outbound webhooks for integrations (case created, status changed, deadline missed).
OUTBOUND_WEBHOOK_URLS = env_list("OUTBOUND_WEBHOOK_URLS", [])
OUTBOUND_WEBHOOK_SECRET = env_str("OUTBOUND_WEBHOOK_SECRET")

AUTH_USER_MODEL = "accounts.User"
# axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "desk:home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time: Chinese by default, English available; Beijing time ----------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
# --- Stored files (signatures, photos, kept exports): local disk in VAR_DIR/media by default, an S3-compatible
# bucket with STORAGE_URL=s3://bucket-name and the S3_* variables. Never public: config/urls.py has no media
# route; login-checked views stream each file from the storage (guanjia.cases.files).
MEDIA_URL = "/media/"  # Django requires one; nothing answers it
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": env_storage("STORAGE_URL"),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "guanjia.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "guanjia.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "guanjia.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "guanjia.api.errors.exception_handler",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Guanjia 管家 API",
    "DESCRIPTION": _("物业客户服务中心：投诉、报修、回访、前台台账与统计。"),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI is served from the installed sidecar package: estates run on intranets with no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema name per choice set shared by several endpoints.
    "ENUM_NAME_OVERRIDES": {
        "GradeEnum": "guanjia.complaints.grading.Grade",
        "DepartmentEnum": "guanjia.cases.models.Department",
        "ComplaintStatusEnum": "guanjia.complaints.models.ComplaintStatus",
        "UnitStatusEnum": "guanjia.estates.models.UnitStatus",
        "InformMethodEnum": "guanjia.complaints.models.InformMethod",
        "GroupMeasureEnum": "guanjia.complaints.models.GroupMeasure",
        "CustodyKindEnum": "guanjia.frontdesk.models.CustodyKind",
        "CustomerKindEnum": "guanjia.estates.models.CustomerKind",
        "VisitMethodEnum": "guanjia.visits.models.Method",
        "ReviewDecisionEnum": "guanjia.visits.models.ReviewDecision",
        "CallOutcomeEnum": "guanjia.followup.models.CallOutcome",
        "CallStatusEnum": "guanjia.followup.models.CallStatus",
        "LeadGradeEnum": "guanjia.followup.models.LeadGrade",
        "LeadStatusEnum": "guanjia.followup.models.LeadStatus",
    },
}

# Personal data: the key of the keyed hash that lets an ID number be verified without storing it. It is never
# derived from SECRET_KEY, so rotating SECRET_KEY (sessions, CSRF, password-reset links) keeps every stored
# hash verifiable. Production requires it (production.py); `local` falls back to a published development key.
PII_HASH_KEY = env_str("PII_HASH_KEY")

# --- Login lockout (django-axes): failures are counted in the database, so every process shares them -------
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 8, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
# Lock the account under attack (its username, from whatever address), never an address: an estate office
# shares one public address, and locking it would let one person shut every colleague out. A
# ["username", "ip_address"] combination is deliberately not added: with the same limit it never trips
# before "username" alone does, and on its own it would let guesses spread over many addresses go unlimited.
# An unknown username is locked the same way, so a lockout reveals nothing about which accounts exist.
AXES_LOCKOUT_PARAMETERS = ["username"]
# The right password after a few slips clears the count; a refused attempt during the cool-off does not
# extend it, so the user can rely on the time in the message.
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "guanjia.accounts.lockout.lockout_response"
# The client address of the records and logs: REMOTE_ADDR unless TRUSTED_PROXY_COUNT reverse proxies in front
# of the app append to X-Forwarded-For (then the address the outermost trusted proxy saw). A client-supplied
# X-Forwarded-For is never trusted beyond that count.
AXES_CLIENT_IP_CALLABLE = "guanjia.accounts.lockout.client_ip"
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
# axes.W006 warns that a lockout without 'ip_address' can be dodged by rotating User-Agents or cookies. That
# holds for user_agent/cookie parameters; a "username" lockout counts every attempt on the name whatever the
# User-Agent, cookie or address, and locking addresses is what this configuration avoids (see above).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# --- Content-Security-Policy (django-csp): only this site's own scripts, styles, images and connections -----
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # No inline script or on*= handler anywhere: the behaviour lives in static/js.
        "script-src": ["'self'"],
        # No style attribute or <style> block in the templates, and htmx's injected indicator style is switched
        # off in base.html, so no 'unsafe-inline' (the API docs page alone relaxes this, see guanjia/api/urls.py).
        "style-src": ["'self'"],
        # Signature pads hand their drawing over as data: URLs; previews of a picked photo are blob: URLs.
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    "loggers": {"jieba": {"level": "WARNING"}},
}
