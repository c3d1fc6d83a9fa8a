"""SellerHub settings, read from the environment (see README.md, "Configuration")."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SELLERHUB_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-change-me-" + "x" * 32

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "sellerhub.apps.SellerHubAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",  # API tokens: hashed at rest, with expiry, one per device (REST_KNOX below)
    "axes",  # login lockout (AXES_* below)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_rq",
    "sellerhub",
    "inventory",
    "orders",
    "fulfilment",
    "channels",
    "metrics",
    "devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (CONTENT_SECURITY_POLICY below)
    "sellerhub.middleware.PrivatePagesMiddleware",  # no-store for signed-in users; job queue down -> 503
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # answers a locked-out login with the lockout message
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "sellerhub.context_processors.navigation",
                "channels.context_processors.authorization_banner",  # the Owner's TikTok authorisation banner
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL")
if not DATABASE_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'sellerhub.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
                                              conn_health_checks=True)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis and jobs -------------------------------------------------------------------------
EMBEDDED_REDIS_SOCKET = VAR_DIR / "redis.sock"
REDIS_URL = os.environ.get("REDIS_URL") or f"unix://{EMBEDDED_REDIS_SOCKET}?db=0"
JOB_QUEUES = ("push", "default", "sync", "documents")  # "push": stock pushes, taken first by every worker
RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 1800} for name in JOB_QUEUES}
RQ_SHOW_ADMIN_LINK = False
# Stock pushes and channel pulls run in the worker process itself (sellerhub.workers); the other
# queues' jobs in a forked work horse.
JOB_INLINE_QUEUES = ("push", "sync")
# Enqueue at once: sellerhub.jobs.enqueue_job already waits for the surrounding commit itself.
RQ = {"COMMIT_MODE": "auto", "WORKER_CLASS": "sellerhub.workers.Worker"}

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "sellerhub.access.LockoutBackend",  # refuses a locked-out user or address (django-axes)
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one username, or from one
# address, on /login/ and the token endpoint, logins are refused until the cool-off ends or the
# Owner unlocks them (Access page).
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = float(os.environ.get("LOGIN_COOLOFF_HOURS", "1")) or None  # hours; 0: until unlocked
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # per user, and per address
AXES_LOCKOUT_CALLABLE = "sellerhub.access.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every manage.py command
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_IPWARE_PROXY_COUNT = int(os.environ["TRUSTED_PROXY_COUNT"]) if os.environ.get("TRUSTED_PROXY_COUNT") else None
# API tokens (django-rest-knox): only a hash is stored; each expires; each device gets its own.
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=int(os.environ.get("API_TOKEN_DAYS", "30"))),
    "TOKEN_LIMIT_PER_USER": 20,
    "AUTO_REFRESH": False,
}
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# --- I18N / time ----------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Los_Angeles")
USE_I18N = True
USE_TZ = True

# --- Static ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Email ----------------------------------------------------------------------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "SellerHub <sellerhub@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)

# --- Security (production) ------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REFERRER_POLICY = "same-origin"
    if env_bool("SECURE_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = []
# Content-Security-Policy (django-csp): everything from this site, no inline script or style, no
# framing. The API docs page (Swagger UI) loosens it for itself only (config/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'"], "img-src": ["'self'", "data:"],
        "style-src-attr": ["'unsafe-inline'"],  # style="..." attributes of a few templates; never <style>/script
        "object-src": ["'none'"], "base-uri": ["'self'"], "frame-ancestors": ["'none'"], "form-action": ["'self'"],
    },
}

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["sellerhub.api_base.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "sellerhub.api_base.Pagination",
    "DEFAULT_PARSER_CLASSES": [
        "sellerhub.api_base.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {"api_token": os.environ.get("API_TOKEN_THROTTLE", "30/minute")},
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "sellerhub.api_base.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SellerHub API",
    "DESCRIPTION": "Inventory, orders, fulfilment and metrics for multi-channel sellers.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["sellerhub.api_base.RolePermission"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "config.api_schema.add_error_responses",  # JSON error answers
                             "config.api_schema.json_bodies_only"],  # forms can't carry nulls or nested lists
    "ENUM_NAME_OVERRIDES": {"LabelSourceEnum": "orders.models.LabelSource",  # shipping rules have a label_source too
                            "ShippingRuleLabelSourceEnum": "fulfilment.shipping_rules.models.LabelChoice",
                            "CancellationDecisionEnum": "orders.models.CancellationDecision",
                            "ReturnDecisionEnum": "orders.return_models.ReturnDecisionKind",
                            "ReturnKindEnum": "orders.models.ReturnKind",
                            "PurchaseOrderStatusEnum": "inventory.purchasing_models.PurchaseOrderStatus"},
}

# --- SellerHub ------------------------------------------------------------------------------
# Orders whose lines are all in stock are confirmed as they arrive.
AUTO_CONFIRM_ORDERS = env_bool("AUTO_CONFIRM_ORDERS", True)
PACK_WEIGHT_FROM_ESTIMATE = env_bool("PACK_WEIGHT_FROM_ESTIMATE", False)  # prefill the pack weight
# Key used to encrypt channel credentials at rest (defaults to one derived from SECRET_KEY).
CREDENTIALS_KEY = os.environ.get("CREDENTIALS_KEY", "")
# Base URL of the loopback emulators for outside APIs (demo and tests); empty in production.
EMULATOR_URL = os.environ.get("EMULATOR_URL", "")
# Where load_demo_data writes the demo world's anchor for the emulator (devtools/demo/world.py).
DEMO_WORLD_FILE = os.environ.get("DEMO_WORLD_FILE", "")
# Shipping labels and carrier tracking through EasyPost (see README, "Label providers").
EASYPOST_API_KEY = os.environ.get("EASYPOST_API_KEY", "")
EASYPOST_BASE_URL = os.environ.get("EASYPOST_BASE_URL", "")  # default https://api.easypost.com/v2
EASYPOST_WEBHOOK_SECRET = os.environ.get("EASYPOST_WEBHOOK_SECRET", "")
EASYPOST_TIMEOUT = float(os.environ.get("EASYPOST_TIMEOUT", "30"))
EASYPOST_NOTE = ""  # shown with the provider
if DEBUG and not EASYPOST_API_KEY:  # `make run`: the loopback emulator's EasyPost (integrations.labels.DEMO_*)
    EASYPOST_API_KEY, EASYPOST_NOTE = "EZTKemulator0000000000000001", "demo emulator"
    EASYPOST_BASE_URL = EASYPOST_BASE_URL or (EMULATOR_URL or "http://127.0.0.1:8010").rstrip("/") + "/easypost/v2"
    EASYPOST_WEBHOOK_SECRET = EASYPOST_WEBHOOK_SECRET or "sellerhub-demo-easypost-webhook-secret"
# Hosts (besides each channel's own) an account's API URL may use, over http too: e.g. a test emulator.
CHANNEL_API_EXTRA_HOSTS = env_list("CHANNEL_API_EXTRA_HOSTS")
# Processed and ignored webhook deliveries (the inbox) are deleted after this many days.
WEBHOOK_RETENTION_DAYS = int(os.environ.get("WEBHOOK_RETENTION_DAYS", "30"))
# How often the job sweep fails job records whose RQ job died (killed worker, Redis flushed).
JOB_SWEEP_SECONDS = int(os.environ.get("JOB_SWEEP_SECONDS", "60"))
WEBHOOK_MAX_BODY_BYTES = int(os.environ.get("WEBHOOK_MAX_BODY_BYTES", "2621440"))  # 2.5 MB: larger answers 413
TIKTOK_WEBHOOK_MAX_AGE_HOURS = float(os.environ.get("TIKTOK_WEBHOOK_MAX_AGE_HOURS", "40"))  # replay window
CHANNEL_SYNC_MAX_STORE_ATTEMPTS = int(os.environ.get("CHANNEL_SYNC_MAX_STORE_ATTEMPTS", "5"))
CHANNEL_SYNC_PULL_SLICE_SECONDS = float(os.environ.get("CHANNEL_SYNC_PULL_SLICE_SECONDS", "2"))
# The longest Retry-After a queued pull sleeps through; a longer one ends the pull and schedules
# the next for when the wait is over (channels.pulls.pull_wait_limit).
CHANNEL_SYNC_PULL_MAX_WAIT = float(os.environ.get("CHANNEL_SYNC_PULL_MAX_WAIT", "0.5"))
CHANNEL_SYNC_PUSH_MAX_WAIT = float(os.environ.get("CHANNEL_SYNC_PUSH_MAX_WAIT", "0.25"))
# Of a per-second call quota (Etsy's), the calls an order pull leaves to the stock pushes.
CHANNEL_SYNC_PULL_LEAVES_CALLS = int(os.environ.get("CHANNEL_SYNC_PULL_LEAVES_CALLS", "2"))
# Channel health (channels/health.py): a failing account is left alone 1, 2, 4 ... minutes, at most the cap.
CHANNEL_HEALTH_BACKOFF_MINUTES = float(os.environ.get("CHANNEL_HEALTH_BACKOFF_MINUTES", "1"))
CHANNEL_HEALTH_BACKOFF_CAP_MINUTES = float(os.environ.get("CHANNEL_HEALTH_BACKOFF_CAP_MINUTES", "60"))
# Cycle counts (/inventory/count/today/): due when not counted for this many days, or moved lately.
CYCLE_COUNT_DAYS = int(os.environ.get("CYCLE_COUNT_DAYS", "30"))
CYCLE_COUNT_MOVEMENT_DAYS = int(os.environ.get("CYCLE_COUNT_MOVEMENT_DAYS", "7"))
CYCLE_COUNT_LIMIT = int(os.environ.get("CYCLE_COUNT_LIMIT", "30"))
# After-sales requests this close to their deadline (or past it) are listed as about to be auto-approved.
AFTER_SALES_AT_RISK_HOURS = float(os.environ.get("AFTER_SALES_AT_RISK_HOURS", "24"))
# Print batches render own labels and slips in chunks on this many processes (unset: one per core, at
# most 4; 0 or 1: one process, no pool), LABEL_RENDER_CHUNK documents per chunk (documents/pool.py).
LABEL_RENDER_PROCESSES = os.environ.get("LABEL_RENDER_PROCESSES", "")
LABEL_RENDER_CHUNK = int(os.environ.get("LABEL_RENDER_CHUNK", "50"))
# The metrics page's tiles use daily snapshots computed within this many minutes (or final); 0: count live.
METRICS_SNAPSHOT_MAX_AGE_MINUTES = float(os.environ.get("METRICS_SNAPSHOT_MAX_AGE_MINUTES", "90"))

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
# Every line once, at LOG_LEVEL, through the root's console; a 403 or 404 is one line without a
# traceback (sellerhub.log_filters); PDF rendering's font-subsetting chatter is not logged.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "expected_refusals": {"()": "sellerhub.log_filters.ExpectedRefusals"},
        "not_twice": {"()": "sellerhub.log_filters.NotTwice"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {"server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}",
                              "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "level": LOG_LEVEL},
        "server": {"class": "logging.StreamHandler", "formatter": "server", "filters": ["not_twice"]},
        "mail_admins": {"level": "ERROR", "filters": ["require_debug_false"],
                        "class": "django.utils.log.AdminEmailHandler"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},  # and the root's console, once
        "django.request": {"filters": ["expected_refusals"]},
        "django.server": {"handlers": ["server"], "level": LOG_LEVEL, "propagate": False},
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

if DEBUG:
    import warnings

    # Static files come from the finders in development; there is no collected STATIC_ROOT.
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
