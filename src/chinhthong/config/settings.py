"""Django settings. Every value an operator may change comes from the environment (README)."""

import os
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from chinhthong.config import installation
from chinhthong.config.env import envbool, envint, envlist, envrate, envsecret, envstr
from chinhthong.config.static_headers import static_headers

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# CHINHTHONG_VAR_DIR, else the folder `chinhthong setup` recorded, else ./var (installation.py).
INSTALLATION = installation.find()
VAR_DIR = INSTALLATION.var_dir

# Production turns on every transport protection and refuses unsafe defaults.
PRODUCTION = envbool("CHINHTHONG_PRODUCTION", False)
DEBUG = envbool("CHINHTHONG_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("CHINHTHONG_DEBUG cannot be on when CHINHTHONG_PRODUCTION is on.")


SECRET_KEY = envsecret("CHINHTHONG_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "CHINHTHONG_SECRET_KEY (or CHINHTHONG_SECRET_KEY_FILE) must be set in production."
        )
    # Kept under var/ so that a local install keeps its sessions across restarts; before
    # `chinhthong setup` made var/, a key for this process only (nothing else creates var/).
    SECRET_KEY = installation.secret_key(VAR_DIR)

ALLOWED_HOSTS = envlist(
    "CHINHTHONG_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("CHINHTHONG_ALLOWED_HOSTS must name the site's hosts in production.")
CSRF_TRUSTED_ORIGINS = envlist("CHINHTHONG_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "chinhthong.accounts.apps.BackOfficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "chinhthong.clients",
    "chinhthong.accounts",
    "chinhthong.registry",
    "chinhthong.checks",
    "chinhthong.portal",
    "chinhthong.reach",
    "chinhthong.bulletins",
    "chinhthong.delivery",
    "chinhthong.reports",
    "chinhthong.gateway",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "chinhthong.config.api_errors.ApiErrorsAsJson",
    # Before the CSRF check, which reads form bodies: bodies over a view's size and clients
    # over their rate limit are refused before anything reads them. Before CommonMiddleware,
    # so that requests it refuses (a Host this site does not answer to) are counted too.
    "chinhthong.clients.middleware.RequestBudgetMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes last: it answers locked-out logins before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "chinhthong.config.urls"
WSGI_APPLICATION = "chinhthong.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chinhthong.portal.context_processors.site_identity",
            ],
        },
    },
]

# --- Database: embedded SQLite under var/ by default, PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'chinhthong.sqlite3'}"),
        conn_max_age=envint("CHINHTHONG_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, shared by every process (rate limits and lockouts need one view of counters).
REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "chinhthong.config.cache.FailOpenRedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "chinhthong_cache",
        }
    }

# --- Background tasks: database queue by default, RQ on Redis for several machines.
TASK_BACKEND = envstr("CHINHTHONG_TASK_BACKEND", "rq" if REDIS_URL else "db")
_TASK_BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASK_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"CHINHTHONG_TASK_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, not {TASK_BACKEND!r}"
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASK_BACKEND], "QUEUES": ["default"]}}
# The RQ dashboard is published by accounts/admin.py, for administrators, when RQ is in use.
RQ_SHOW_ADMIN_LINK = False
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 600}}

# --- Authentication: Argon2, lockout after repeated failures.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
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
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("CHINHTHONG_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("CHINHTHONG_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_LOCKOUT_CALLABLE = "chinhthong.accounts.lockout.locked_out"  # 429 with Retry-After
# Trusted reverse proxies in front of the application (config/client_ip.py).
PROXY_COUNT = envint("CHINHTHONG_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "chinhthong.config.client_ip.client_ip"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- The budget of a request (clients/middleware.py): rate limits per client and group of
# views, counted before the body is read; the largest body a view accepts unless it says more.
PUBLIC_RATE_LIMIT = envrate("CHINHTHONG_PUBLIC_RATE_LIMIT", "120/m")  # pages and the API
# The snapshot is cached by clients and proxies (max-age 60), so cheap to answer often.
SNAPSHOT_RATE_LIMIT = envrate("CHINHTHONG_SNAPSHOT_RATE_LIMIT", "600/m")
HEALTH_RATE_LIMIT = envrate("CHINHTHONG_HEALTH_RATE_LIMIT", "600/m")
BACKOFFICE_RATE_LIMIT = envrate("CHINHTHONG_BACKOFFICE_RATE_LIMIT", "600/m")
# Each log-in attempt hashes a password (Argon2, ~0.15 s of a core), for unknown names too.
LOGIN_RATE_LIMIT = envrate("CHINHTHONG_LOGIN_RATE_LIMIT", "20/m")
MAX_REQUEST_BODY = 256 * 1024
# The HTTP layer (config/asgi.py): Django threads per process (for light requests, and for
# those with bodies over 8 KB), and the longest a client may take to send a body.
WEB_THREADS = envint("CHINHTHONG_WEB_THREADS", 2)
WEB_HEAVY_THREADS = envint("CHINHTHONG_WEB_HEAVY_THREADS", 2)  # for bodies over 8 KB
BODY_SECONDS = envint("CHINHTHONG_BODY_SECONDS", 60)
# Large bodies (over 64 KB) one process holds at once; past it, 503 until some are answered.
BODY_MEMORY = envint("CHINHTHONG_BODY_MEMORY_MB", 128) * 2**20
# ... of which one client (an address; a valid API key is not limited by this) may hold this
# much, so that one address cannot take the room of everyone's emails (429 past it).
BODY_MEMORY_PER_CLIENT = envint("CHINHTHONG_BODY_MEMORY_PER_CLIENT_MB", 24) * 2**20
# Requests one address may have in progress in one process (waiting for their body, for a
# thread, or running); more are refused at once (429). A client that opened a thousand
# slow connections held every place the HTTP server has and stopped all answers.
CLIENT_CONCURRENCY = envint("CHINHTHONG_CLIENT_CONCURRENCY", 32)
# Uploads stay in memory (the views that take files cap their bodies first): nothing a
# request sends touches the disk before it is checked.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]

# --- Transport security. Production assumes HTTPS in front (README: deploying).
SESSION_COOKIE_HTTPONLY = True
# A signed-in session lasts a working day, not Django's two weeks: back-office accounts can
# rewrite the registry, and shared office computers are common.
SESSION_COOKIE_AGE = envint("CHINHTHONG_SESSION_HOURS", 8) * 3600
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Local mode (`make run`) serves plain HTTP on loopback, where secure cookies could not be set.
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SECURE = PRODUCTION
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("CHINHTHONG_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("CHINHTHONG_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Lets the domain be submitted to browsers' HTTPS-only list; submitting is the owner's act.
    SECURE_HSTS_PRELOAD = envbool("CHINHTHONG_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# What pages may load and run: only this site's own files, no inline script, no framing
# (django-csp). Styles may be set inline: the admin's widgets (select2) and Swagger UI set them
# from their scripts; a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features no page of the site uses (django-permissions-policy).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- Language and time: Vietnamese first, English second; Vietnam's time.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["chinhthong.config.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static files, served by whitenoise from the application server.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": envstr(
            "CHINHTHONG_STATICFILES_STORAGE",
            "chinhthong.config.static_storage.StaticFilesStorage",
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# Static files carry the headers every page does that matter for files (framing, sniffing).
WHITENOISE_ADD_HEADERS_FUNCTION = static_headers

# --- Registry snapshot signing key: a file outside the database (docs/operations.md).
REGISTRY_SIGNING_KEY_FILE = Path(
    envstr("CHINHTHONG_SIGNING_KEY_FILE", str(VAR_DIR / "keys" / "registry-ed25519.pem"))
)
# --- Bulletins, delivery and reach (README lists each variable).
# The address staff and residents reach the site at: links in messages are built on it.
# Unset, it is where `chinhthong serve` listens on this machine (PORT, as `make run` takes it).
PUBLIC_URL = envstr(
    "CHINHTHONG_PUBLIC_URL", f"http://127.0.0.1:{os.environ.get('PORT') or 8000}"
).rstrip("/")
if PRODUCTION and not PUBLIC_URL.startswith("https://"):
    raise ImproperlyConfigured(
        "CHINHTHONG_PUBLIC_URL must be the site's public https:// address in production "
        "(links in messages and feeds are built on it)."
    )
# smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465; empty: email is not sent.
SMTP_URL = envsecret("CHINHTHONG_SMTP_URL")
MAIL_FROM = envstr("CHINHTHONG_MAIL_FROM", "chinhthong@localhost")
DEFAULT_FROM_EMAIL = SERVER_EMAIL = MAIL_FROM
if SMTP_URL:
    # Django's own SMTP backend sends every message (login links, bulletins, reminders).
    _smtp = urlsplit(SMTP_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _smtp.hostname or "localhost"
    EMAIL_USE_SSL = _smtp.scheme == "smtps"
    # STARTTLS on the submission port 587, or wherever ?starttls=yes asks for it (a relay on
    # loopback speaks plain SMTP: ?starttls=no, or any other port).
    _starttls = parse_qs(_smtp.query).get("starttls", ["yes" if _smtp.port == 587 else "no"])
    EMAIL_USE_TLS = _smtp.scheme == "smtp" and _starttls[-1] == "yes"
    EMAIL_PORT = _smtp.port or (465 if EMAIL_USE_SSL else 25)
    EMAIL_HOST_USER = unquote(_smtp.username or "")
    EMAIL_HOST_PASSWORD = unquote(_smtp.password or "")
    EMAIL_TIMEOUT = envint("CHINHTHONG_SMTP_TIMEOUT_SECONDS", 30)
else:
    # Without a mail server nothing is sent: messages are written to var/mail/ to be read.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
# -- bulletins (bulletins/): attached images (JPEG, PNG, WebP, GIF) and PDFs, refused above these
# sizes before anything is stored (bulletins/attachments.py).
BULLETIN_IMAGE_MAX_BYTES = envint("CHINHTHONG_BULLETIN_IMAGE_MAX_MB", 5) * 2**20
BULLETIN_PDF_MAX_BYTES = envint("CHINHTHONG_BULLETIN_PDF_MAX_MB", 20) * 2**20
# -- delivery (delivery/): retries, the digest's hour
# The daily email digest of the day's bulletins not yet read, at this local time (HH:MM).
DIGEST_TIME = envstr("CHINHTHONG_DIGEST_TIME", "07:00").strip()
if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", DIGEST_TIME):
    raise ImproperlyConfigured(f"CHINHTHONG_DIGEST_TIME must be HH:MM, not {DIGEST_TIME!r}")
# Attempts per message before it is given up (permanent or technical failure); the waits
# between them grow from DELIVERY_RETRY_SECONDS, doubling, with jitter (delivery/queue.py).
DELIVERY_MAX_ATTEMPTS = max(1, envint("CHINHTHONG_DELIVERY_MAX_ATTEMPTS", 6))
DELIVERY_RETRY_SECONDS = max(1, envint("CHINHTHONG_DELIVERY_RETRY_SECONDS", 60))
# How long a worker holds the rows it claimed (renewed while it sends): rows of a worker that
# died are sent by another after this.
DELIVERY_LEASE_SECONDS = max(5, envint("CHINHTHONG_DELIVERY_LEASE_SECONDS", 15))
# Rows one claim takes (one SMTP connection each), and sending tasks queued per channel when
# a bulletin goes out (each sends batches until none is left: as many run at once as workers).
DELIVERY_BATCH_SIZE = max(1, envint("CHINHTHONG_DELIVERY_BATCH_SIZE", 100))
DELIVERY_SENDERS = max(1, envint("CHINHTHONG_DELIVERY_SENDERS", 4))
# Threads of one sending task, each with its own database and SMTP connection.
DELIVERY_THREADS = max(1, envint("CHINHTHONG_DELIVERY_THREADS", 2))
# A Maildir where the bounces (delivery status notifications) to CHINHTHONG_MAIL_FROM arrive;
# read every few minutes when set (`chinhthong delivery bounces DIR` reads one by hand).
BOUNCE_MAILDIR = envstr("CHINHTHONG_BOUNCE_MAILDIR").strip()
# -- web push and Zalo (delivery/transports/)
# The VAPID key pair signs every push (made by `chinhthong setup`; every node that sends or
# serves the portal needs the same file). The subject is how a push service reaches us: a real
# mailto: (or https:) address, never localhost — Apple refuses others.
VAPID_KEY_FILE = Path(envstr("CHINHTHONG_VAPID_KEY_FILE", str(VAR_DIR / "keys" / "vapid-p256.pem")))
VAPID_SUBJECT = envstr("CHINHTHONG_VAPID_SUBJECT", f"mailto:{MAIL_FROM}")
PUSH_TTL_SECONDS = envint("CHINHTHONG_PUSH_TTL_HOURS", 24) * 3600
# The Zalo Official Account: its API, OAuth and ZNS hosts, app credentials, the OA's webhook
# secret; a ZNS template id (with `title` and `url` parameters) lets staff without a linked
# Zalo id be reached on their phone number. Tokens live in the database (ZaloToken).
ZALO_API_URL = envstr("CHINHTHONG_ZALO_API_URL", "https://openapi.zalo.me").rstrip("/")
ZALO_ZNS_URL = envstr("CHINHTHONG_ZALO_ZNS_URL", "https://business.openapi.zalo.me").rstrip("/")
ZALO_OAUTH_URL = envstr("CHINHTHONG_ZALO_OAUTH_URL", "https://oauth.zaloapp.com").rstrip("/")
ZALO_APP_ID = envstr("CHINHTHONG_ZALO_APP_ID")
ZALO_APP_SECRET = envsecret("CHINHTHONG_ZALO_APP_SECRET")
ZALO_OA_SECRET = envsecret("CHINHTHONG_ZALO_OA_SECRET")
ZALO_OA_URL = envstr("CHINHTHONG_ZALO_OA_URL")  # https://zalo.me/<OA id>, shown to staff
ZALO_ZNS_TEMPLATE_ID = envstr("CHINHTHONG_ZALO_ZNS_TEMPLATE_ID")
ZALO_DAILY_QUOTA = envint("CHINHTHONG_ZALO_DAILY_QUOTA", 0)  # messages a day; 0: no cap
# A signed webhook event older than this (by its own timestamp) is refused, and each one is
# acted on once (delivery/zalo_webhook.py): a replayed "unfollow" must not unlink anyone. Zalo
# posts an event within seconds and does not document how long it keeps trying again (a copy
# keeps the event's first timestamp); an hour covers its retries and a short outage of ours.
ZALO_EVENT_MAX_AGE_SECONDS = max(60, envint("CHINHTHONG_ZALO_EVENT_MAX_AGE_SECONDS", 3600))
# Web push and Zalo wait out these local hours (Asia/Ho_Chi_Minh) except for urgent bulletins;
# empty: no quiet hours.
QUIET_HOURS = envstr("CHINHTHONG_QUIET_HOURS", "21:00-06:30").strip()
_CLOCK = r"([01]\d|2[0-3]):[0-5]\d"
if QUIET_HOURS and not re.fullmatch(f"{_CLOCK}-{_CLOCK}", QUIET_HOURS):
    raise ImproperlyConfigured(
        f"CHINHTHONG_QUIET_HOURS must be HH:MM-HH:MM (such as 21:00-06:30), not {QUIET_HOURS!r}"
    )
# The Zalo webhook answers every event of the OA: a bulletin's "seen" events come in bursts.
WEBHOOK_RATE_LIMIT = envrate("CHINHTHONG_WEBHOOK_RATE_LIMIT", "6000/m")
# -- reach (reach/): reminders
# Reads, shares, visits and days of access (and final deliveries) older than this are deleted
# every day (reach/tasks.py; docs/privacy.md, Decree 13/2023/NĐ-CP).
REACH_RETENTION_DAYS = envint("CHINHTHONG_REACH_RETENTION_DAYS", 400)
if REACH_RETENTION_DAYS < 91:  # the dashboards look back up to 90 days
    raise ImproperlyConfigured("CHINHTHONG_REACH_RETENTION_DAYS must be at least 91")
# Staff who have not read an urgent bulletin this many hours after it was published (or
# significantly corrected) are reminded, on the first channel of REMINDER_CHANNELS that reaches
# them and did not carry the bulletin (else by email again); REMINDER_ROUNDS reminders at most,
# the next one N hours after the last (reach/reminders.py). 0 hours: no reminders.
REMINDER_AFTER_HOURS = max(0, envint("CHINHTHONG_REMINDER_AFTER_HOURS", 4))
REMINDER_ROUNDS = min(3, max(1, envint("CHINHTHONG_REMINDER_ROUNDS", 2)))
REMINDER_CHANNELS = envlist("CHINHTHONG_REMINDER_CHANNELS", ["zalo", "webpush", "email"])
if not REMINDER_CHANNELS or set(REMINDER_CHANNELS) - {"zalo", "webpush", "email"}:
    raise ImproperlyConfigured(
        "CHINHTHONG_REMINDER_CHANNELS lists zalo, webpush and email, in the order to try them"
    )
# Each unit manager's weekly summary email: on this day of the week (1 Monday … 7 Sunday) at
# this local time, covering the seven days before it (reach/summaries.py).
WEEKLY_SUMMARY_DAY = envint("CHINHTHONG_WEEKLY_SUMMARY_DAY", 1)
if not 1 <= WEEKLY_SUMMARY_DAY <= 7:
    raise ImproperlyConfigured("CHINHTHONG_WEEKLY_SUMMARY_DAY must be 1 (Monday) to 7 (Sunday)")
WEEKLY_SUMMARY_TIME = envstr("CHINHTHONG_WEEKLY_SUMMARY_TIME", "07:30").strip()
if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", WEEKLY_SUMMARY_TIME):
    raise ImproperlyConfigured(
        f"CHINHTHONG_WEEKLY_SUMMARY_TIME must be HH:MM, not {WEEKLY_SUMMARY_TIME!r}"
    )

# The order of levels in the public directory: the deployment's own province first.
DIRECTORY_LEVEL_ORDER = envlist(
    "CHINHTHONG_DIRECTORY_LEVEL_ORDER", ["province", "city", "commune", "national", "international"]
)

# -- reports (reports/) and the mail gateway's tipline (gateway/): config/report_settings.py,
# but for the two that derive from the values above.
# Evidence files (screenshots as received, web captures, forwarded messages), addressed by
# their SHA-256; never served as they are (reports/evidence.py). Back it up with the database.
EVIDENCE_DIR = Path(envstr("CHINHTHONG_EVIDENCE_DIR", str(VAR_DIR / "evidence")))
# The tipline's own address: the From of its replies (mail from it is never answered).
TIPLINE_ADDRESS = envstr("CHINHTHONG_TIPLINE_ADDRESS", MAIL_FROM).strip()
from chinhthong.config.report_settings import *  # noqa: E402, F403

# Outbound fetches (config/outbound.py: blocklist and channel feeds, push, Zalo) refuse private
# and local addresses; networks listed here are allowed anyway (a mirror inside the network).
FETCH_ALLOWED_NETWORKS = envlist("CHINHTHONG_FETCH_ALLOWED_NETWORKS", [])
# A whole email may be posted to /api/v1/check/email or the check page (10 MB, plus room for
# the request); smaller caps per view are enforced before this (clients/middleware.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024
# A bulletin's attachment, uploaded in the back office, may be larger (its view says so).
FILE_UPLOAD_MAX_MEMORY_SIZE = max(DATA_UPLOAD_MAX_MEMORY_SIZE, BULLETIN_PDF_MAX_BYTES + 256 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_below_error": {"()": "chinhthong.config.logs.OneLineBelowError"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["one_line_below_error"]}
    },
    "root": {"handlers": ["console"], "level": envstr("CHINHTHONG_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Two lines per task run (started, done) — the delivery queue's poll alone runs every
        # 10 s; a failed task is still logged, with its traceback.
        "django_tasks": {"level": envstr("CHINHTHONG_TASK_LOG_LEVEL", "WARNING")},
    },
}
