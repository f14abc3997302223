"""Settings for the contact centre, read from the environment.

With nothing set the project runs the embedded demo: SQLite, Channels' in-memory layer, Celery in
eager mode and console email. ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL, Redis and
real Celery workers; ``DJANGO_ENV=production`` turns on every production safety setting. Each
variable is described in ``docs/configuration.md``.
"""

from __future__ import annotations

from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from contactcentre.env import Env, check_redis_url, parse_database_url, parse_email_url

env = Env()
BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env.choice("DJANGO_ENV", ("development", "test", "production"), "development")
PRODUCTION = DJANGO_ENV == "production"

# The demo prints known logins and lets staff in without a second factor: never in production.
DEMO_MODE = env.flag("DEMO_MODE", default=False)
if PRODUCTION and DEMO_MODE:
    raise ImproperlyConfigured("DEMO_MODE cannot be on when DJANGO_ENV=production.")

DEBUG = env.flag("DEBUG", default=DJANGO_ENV == "development")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG cannot be on when DJANGO_ENV=production.")

_DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production-0123456789"  # noqa: S105
if PRODUCTION:
    SECRET_KEY = env.required("SECRET_KEY", "when DJANGO_ENV=production")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "SECRET_KEY is too weak: use at least 50 random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )
else:
    SECRET_KEY = env.text("SECRET_KEY", _DEV_SECRET_KEY)

if PRODUCTION:
    ALLOWED_HOSTS = env.items("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production.")
else:
    ALLOWED_HOSTS = env.items("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.items("CSRF_TRUSTED_ORIGINS")

SERVICE_NAME = env.text("SERVICE_NAME", "GovSign help")
SERVICE_PHASE = env.choice("SERVICE_PHASE", ("alpha", "beta", "live"), "beta")
SUPPORT_EMAIL = env.text("SUPPORT_EMAIL", "help@govsign.example")
# The public address of the service: links in emails (magic links, tracking) start with it.
if PRODUCTION:
    SITE_URL = env.required("SITE_URL", "when DJANGO_ENV=production (links in emails)")
else:
    SITE_URL = env.text("SITE_URL", "http://127.0.0.1:8000")
SITE_URL = SITE_URL.rstrip("/")
if not SITE_URL.startswith(("https://", "http://")) or (
    PRODUCTION and not SITE_URL.startswith("https://")
):
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r} must be an https:// address.")

INSTALLED_APPS = [
    "daphne",
    "contactcentre.admin_apps.ContactCentreAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "contactcentre",
    "routing",
    "chat",
    "webforms",
    "selfhelp",
    "surveys",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "contactcentre.urls"
ASGI_APPLICATION = "contactcentre.asgi.application"

TEMPLATES = [
    {
        # Django's engine, with each page's context freed as soon as it is rendered rather
        # than left to the garbage collector (contactcentre/template_engine.py).
        "NAME": "django",
        "BACKEND": "contactcentre.template_engine.UntiedDjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "contactcentre.context_processors.service",
            ],
        },
    },
]

# --- Data stores --------------------------------------------------------------------------

# 0 under Daphne: Django serves each ASGI request on a thread of its own, so a connection kept
# for reuse stays open after its thread ends, until PostgreSQL runs out of connections.
CONN_MAX_AGE = env.number("CONN_MAX_AGE", 0, minimum=0)
DATABASE_URL = env.text("DATABASE_URL")
# Each process keeps a pool of PostgreSQL connections (psycopg_pool) that request threads,
# websocket consumers and Celery tasks borrow and give back: opening a connection costs a
# server-side process and several round trips, too much for every request. 0 turns it off.
DATABASE_POOL_SIZE = env.number("DATABASE_POOL_SIZE", 20, minimum=0)
DATABASE_POOL_TIMEOUT = env.number("DATABASE_POOL_TIMEOUT", 10, minimum=1)
# Requests a Daphne process runs in Django at once (contactcentre/asgi_http.py), each on a
# thread of its own; never more than the database pool holds.
HTTP_THREADS = env.number("HTTP_THREADS", 8, minimum=1)
# A web process loads the assistant's model and index and trains routing's classifier on a
# thread of its own as it starts, not while the first citizen waits (contactcentre/warmup.py).
WARM_UP = env.flag("WARM_UP", default=True)
# Python's cyclic garbage collector, in web processes (contactcentre/asgi.py): collect the young
# generation every 50,000 net new objects instead of every 700. At Python's default a busy Daphne
# with thousands of websockets open moved whatever was in flight to the old generation on every
# collection, so full passes over every connection's objects (0.4 s each, the event loop stopped)
# came every few seconds; a full pass is now considered once per million net new objects.
GC_THRESHOLDS = env.numbers("GC_THRESHOLDS", (50000, 5, 4))
# Websocket consumers store chat messages on asynchronous connections of their own
# (contactcentre/asyncdb.py): at most this many per process, besides the pool above.
DATABASE_ASYNC_POOL_SIZE = env.number("DATABASE_ASYNC_POOL_SIZE", 10, minimum=1)
if DATABASE_URL:
    _database = parse_database_url(DATABASE_URL, conn_max_age=CONN_MAX_AGE)
    if DATABASE_POOL_SIZE and _database["ENGINE"] != "django.db.backends.sqlite3":
        if CONN_MAX_AGE:
            raise ImproperlyConfigured(
                "CONN_MAX_AGE must be 0 when DATABASE_POOL_SIZE is set: the pool keeps "
                "connections open."
            )
        # Django's PostgreSQL backend, checking a lent connection without a round trip
        # unless it may be gone (contactcentre/postgresql/base.py).
        _database["ENGINE"] = "contactcentre.postgresql"
        _database["OPTIONS"] = {
            "pool": {
                "min_size": min(2, DATABASE_POOL_SIZE),
                "max_size": DATABASE_POOL_SIZE,
                # Waiting longer than this for a free connection is an error, not a hang.
                "timeout": DATABASE_POOL_TIMEOUT,
            }
        }
else:
    _database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE_DIR / "db.sqlite3")}
if _database["ENGINE"] == "django.db.backends.sqlite3":
    if PRODUCTION:
        raise ImproperlyConfigured(
            "DATABASE_URL must point at PostgreSQL when DJANGO_ENV=production."
        )
    # Several processes (Daphne and tests' live servers) and threads share the demo file: wait,
    # don't fail. IMMEDIATE transactions take the write lock when they begin, so two that read
    # and then write wait for each other instead of one failing at once with "database is
    # locked" (a lock upgrade cannot wait).
    _database.setdefault("OPTIONS", {"timeout": 20, "transaction_mode": "IMMEDIATE"})
    _database["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = check_redis_url(env.text("REDIS_URL")) if env.text("REDIS_URL") else ""

if REDIS_URL:
    _layer_prefix = env.text("CHANNEL_LAYER_PREFIX", "contactcentre:channels")
    if env.choice("CHANNEL_LAYER", ("pubsub", "lists"), "pubsub") == "pubsub":
        # Redis publish/subscribe: a wake-up is one PUBLISH, and each process reads every
        # wake-up for its consumers from one subscription. At most once, which is all a
        # wake-up needs (anything missed is read from the database). The subscriptions are
        # spread over several connections ("shards") on the same server; wake-ups are
        # published, pipelined, on one lean connection per process (contactcentre.realtime).
        _shards = env.number("CHANNEL_LAYER_CONNECTIONS", 4, minimum=1)
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "contactcentre.realtime.PubSubChannelLayer",
                "CONFIG": {
                    "hosts": [{"address": REDIS_URL} for _ in range(_shards)],
                    "prefix": _layer_prefix,
                },
            }
        }
    else:
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                # redis-py 8 gives every socket a 5 s read time-out by default, which cuts the
                # layer's blocking 5 s BZPOPMIN and tears down every idle consumer (websocket)
                # every few seconds (django/channels_redis#422): allow longer than the pop.
                # And its pool refuses ("Too many connections") past its cap when thousands of
                # websockets connect at once: a process may hold up to 1,000 connections.
                "CONFIG": {
                    "hosts": [
                        {"address": REDIS_URL, "socket_timeout": 30, "max_connections": 1000}
                    ],
                    "prefix": _layer_prefix,
                    # Every consumer of a process shares one Redis list: the default of 100
                    # pending messages drops wake-ups as soon as a busy process lags a little.
                    "capacity": 10_000,
                },
            }
        }
    CACHES = {
        "default": {
            "BACKEND": "contactcentre.cache.SharedPoolRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "contactcentre",
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -------------------------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env.flag("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
if PRODUCTION and CELERY_TASK_ALWAYS_EAGER:
    raise ImproperlyConfigured("REDIS_URL must be set when DJANGO_ENV=production (Celery broker).")
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged only when it has finished, and goes back on the queue if the worker
# running it dies: with idempotent tasks, that is how a killed worker loses nothing.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "contactcentre.tasks.clear_expired_sessions",
        "schedule": crontab(hour="3", minute="17"),
    },
}

# --- Email --------------------------------------------------------------------------------

_email = parse_email_url(env.text("EMAIL_URL", "console://"))
if PRODUCTION and str(_email["EMAIL_BACKEND"]).endswith("console.EmailBackend"):
    raise ImproperlyConfigured(
        "EMAIL_URL must name a mail server when DJANGO_ENV=production: "
        "citizens' verification and reset emails would be lost."
    )
EMAIL_BACKEND = str(_email.pop("EMAIL_BACKEND"))
globals().update(_email)
DEFAULT_FROM_EMAIL = env.text("DEFAULT_FROM_EMAIL", f"{SERVICE_NAME} <no-reply@govsign.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- People -------------------------------------------------------------------------------

AUTH_USER_MODEL = "contactcentre.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "after_login"
LOGOUT_REDIRECT_URL = "start"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"{SERVICE_NAME}: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_ADAPTER = "contactcentre.adapters.AccountAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SERVICE_NAME

# Staff (agents, supervisors, managers) must sign in with a second factor, except in the demo.
STAFF_MFA_REQUIRED = env.flag("STAFF_MFA_REQUIRED", default=not DEMO_MODE)
if PRODUCTION and not STAFF_MFA_REQUIRED:
    raise ImproperlyConfigured("STAFF_MFA_REQUIRED cannot be off when DJANGO_ENV=production.")

SESSION_COOKIE_AGE = env.number("SESSION_COOKIE_AGE", 60 * 60 * 12, minimum=300)
# Every request reads its session: with a cache every process shares (Redis), it is read from
# there and the database is only written to (and read on a miss), which spares each request an
# ORM query. A per-process memory cache is not shared: a session ended in one process would
# live on in another's, so without Redis sessions stay in the database alone.
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Language and time --------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("cy", _("Welsh"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "language"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
GOVUK_FRONTEND_DIR = BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"
STATICFILES_DIRS = [BASE_DIR / "static", ("govuk", GOVUK_FRONTEND_DIR)]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production, serve straight from the source folders so nothing needs collecting.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(env.text("MEDIA_ROOT", str(BASE_DIR / "media")))

# --- Security -----------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
if env.flag("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.flag("SECURE_SSL_REDIRECT", default=True)
    # Container health checks come over plain HTTP from inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env.number("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Logging ------------------------------------------------------------------------------

LOG_LEVEL = env.choice("LOG_LEVEL", ("debug", "info", "warning", "error"), "info").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "daphne": {"level": "WARNING" if not DEBUG else "INFO"},
    },
}

# --- Contact centre -----------------------------------------------------------------------

# The schedule whose hours are published as "when you can chat with an adviser".
LIVE_AGENT_SCHEDULE = env.text("LIVE_AGENT_SCHEDULE", "live-agents")
ACCOUNT_SIGNUP_OPEN = env.flag("ACCOUNT_SIGNUP_OPEN", default=True)

# Panels of the agent console, in order: each app contributes a template (the spine composes
# them through templates, never imports).
CONSOLE_PANELS = ["console/panels/contacts.html", "chat/console_panel.html"]

# --- Chat (chat/) -------------------------------------------------------------------------

# Longest chat message a citizen or agent may send, in characters (an error frame beyond it).
CHAT_MAX_MESSAGE_CHARS = env.number("CHAT_MAX_MESSAGE_CHARS", 2000, minimum=100)
# Messages one websocket connection may send: a burst, then so many a second.
CHAT_RATE_BURST = env.number("CHAT_RATE_BURST", 10, minimum=1)
CHAT_RATE_PER_SECOND = env.number("CHAT_RATE_PER_SECOND", 2, minimum=1)
# Messages all connections from one IP address may send in a minute (citizens only).
CHAT_RATE_PER_IP_PER_MINUTE = env.number("CHAT_RATE_PER_IP_PER_MINUTE", 120, minimum=1)
# A citizen who says nothing for this long is warned, then the chat closes after the warning.
CHAT_INACTIVITY_MINUTES = env.number("CHAT_INACTIVITY_MINUTES", 20, minimum=1)
CHAT_INACTIVITY_WARNING_SECONDS = env.number("CHAT_INACTIVITY_WARNING_SECONDS", 120, minimum=10)
CELERY_BEAT_SCHEDULE["chat-housekeeping"] = {
    "task": "chat.tasks.chat_housekeeping",
    "schedule": 30.0,
}

# --- Self-help and chatbot (selfhelp/, chat/chatbot/) -------------------------------------

# --- Webforms (webforms/) -----------------------------------------------------------------

WEBFORMS_REFERENCE_PREFIX = env.text("WEBFORMS_REFERENCE_PREFIX", "GS")
WEBFORMS_DRAFT_DAYS = env.number("WEBFORMS_DRAFT_DAYS", 30, minimum=1)
WEBFORMS_DRAFT_REMINDER_DAYS = env.number("WEBFORMS_DRAFT_REMINDER_DAYS", 3, minimum=1)
WEBFORMS_MAGIC_LINK_HOURS = env.number("WEBFORMS_MAGIC_LINK_HOURS", 24, minimum=1)
WEBFORMS_MAX_ATTACHMENT_BYTES = env.number(
    "WEBFORMS_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024, minimum=1024
)
# Work not done this long after a submission is re-queued by the sweep.
WEBFORMS_SWEEP_AFTER_SECONDS = env.number("WEBFORMS_SWEEP_AFTER_SECONDS", 60, minimum=1)
WEBFORMS_TRACK_ATTEMPTS = env.number("WEBFORMS_TRACK_ATTEMPTS", 5, minimum=1)
WEBFORMS_TRACK_WINDOW_SECONDS = env.number("WEBFORMS_TRACK_WINDOW_SECONDS", 900, minimum=1)
WEBFORMS_DUE_SOON_HOURS = env.number("WEBFORMS_DUE_SOON_HOURS", 24, minimum=1)
# Webform emails may go through their own Django email backend.
WEBFORMS_EMAIL_BACKEND = env.text("WEBFORMS_EMAIL_BACKEND", EMAIL_BACKEND)
WEBFORMS_EMAIL_FILE_PATH = env.text("WEBFORMS_EMAIL_FILE_PATH", "")
CONSOLE_PANELS.append("webforms/console_panel.html")
CELERY_BEAT_SCHEDULE["webforms-sweep"] = {
    "task": "webforms.tasks.sweep_unfinished_work",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["webforms-drafts"] = {
    "task": "webforms.tasks.remind_and_expire_drafts",
    "schedule": crontab(minute="7"),
}
CELERY_BEAT_SCHEDULE["webforms-sla-breaches"] = {
    "task": "webforms.tasks.alert_sla_breaches",
    "schedule": crontab(minute="*/5"),
}
