"""Settings, read from the environment with defaults that are safe for local use.

Production sets DATABASE_URL, SECRET_KEY, FENGQIAO_FIELD_KEY and ALLOWED_HOSTS; on a
developer's machine the two keys are generated once into the data directory, so a
restart does not make the encrypted columns unreadable.
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from fengqiao.core.geo import tile_origins

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = PACKAGE_DIR.parent
DATA_DIR = Path(os.environ.get("FENGQIAO_DATA_DIR", PROJECT_DIR / "var")).resolve()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def local_secret(name: str, filename: str) -> str:
    """The environment's value, or one generated once and kept in the data directory."""
    value = os.environ.get(name)
    if value:
        return value
    path = DATA_DIR / filename
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = local_secret("SECRET_KEY", "secret.key")
# Encrypted columns and their blind indexes use this key, never SECRET_KEY: rotating
# the session key must not make ID numbers unreadable.
FENGQIAO_FIELD_KEY = local_secret("FENGQIAO_FIELD_KEY", "field.key")
FENGQIAO_DEMO_PASSWORD = os.environ.get("FENGQIAO_DEMO_PASSWORD", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "fengqiao.web.admin_config.FengqiaoAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "ninja",
    "axes",
    "huey.contrib.djhuey",
    "fengqiao.core",
    "fengqiao.ui",
    "fengqiao.audit",
    "fengqiao.areas",
    "fengqiao.accounts",
    "fengqiao.orgs",
    "fengqiao.people",
    "fengqiao.workcal",
    "fengqiao.cases",
    "fengqiao.notify",
    "fengqiao.jobs",
    "fengqiao.alerts",
    "fengqiao.mediation",
    "fengqiao.followups",
    "fengqiao.gridops",
    "fengqiao.screening",
    "fengqiao.keypersons",
    "fengqiao.supervision",
    "fengqiao.emergency",
    "fengqiao.reports",
    "fengqiao.api",
    "fengqiao.demo",
    "fengqiao.web",
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
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "fengqiao.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Lockout after repeated failures (GB/T 22239 8.1.4.1), keyed on username and address
# together so that nobody can lock a colleague out from elsewhere.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("FENGQIAO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=int(os.environ.get("FENGQIAO_LOCKOUT_MINUTES", "30"))
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked.html"
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False

ROOT_URLCONF = "fengqiao.config.urls"
WSGI_APPLICATION = "fengqiao.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fengqiao.web.context_processors.navigation",
                "fengqiao.notify.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'fengqiao.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers go on while one writer commits; IMMEDIATE takes the write
            # lock at BEGIN so two writers queue instead of failing half-way. The WAL is
            # copied back into the database (with a sync) every 10,000 pages rather than
            # SQLite's 1,000: a registration dirties some twenty pages, and checkpointing
            # ten times less often is a third off the cost of each commit. Reads go
            # through a memory map of the file instead of a read call per page.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA wal_autocheckpoint=10000; PRAGMA mmap_size=268435456; "
                "PRAGMA cache_size=-32768;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    DATA_DIR.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "fengqiao.accounts.passwords.CharacterClassValidator"},
]

# Sessions: 30 minutes idle (sliding), a new key at login (Django's default).
SESSION_COOKIE_AGE = int(os.environ.get("FENGQIAO_SESSION_IDLE_SECONDS", "1800"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and "DATABASE_URL" in os.environ)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
NODE_MODULES = Path(os.environ.get("FENGQIAO_NODE_MODULES", PROJECT_DIR / "node_modules"))
STATICFILES_DIRS = [
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    # The map (Leaflet, with marker clusters) and the phone's queue of what it captured
    # offline (idb-keyval over IndexedDB).
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
    ("vendor/leaflet-markercluster", NODE_MODULES / "leaflet.markercluster" / "dist"),
    ("vendor/idb-keyval", NODE_MODULES / "idb-keyval" / "dist"),
]
MEDIA_ROOT = DATA_DIR / "media"
# Attachments: photos and PDF scans only (checked by content), this size each, this many.
FENGQIAO_ATTACHMENT_MAX_BYTES = int(os.environ.get("FENGQIAO_ATTACHMENT_MAX_MB", "10")) << 20
FENGQIAO_ATTACHMENT_MAX_COUNT = 10
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# A form refused for its CSRF token gets the site's own page (Django's has inline style).
CSRF_FAILURE_VIEW = "fengqiao.web.errors.csrf_failure"

# Content-Security-Policy, enforced everywhere (tests included): everything the pages load
# comes from this site, and no page carries inline script, inline style or a style/on*
# attribute; page data reaches scripts through json_script or data attributes. img-src
# allows data: (the empty favicon, Swagger UI's icons) and blob: (images made in the page,
# such as a photo previewed before it is sent).
# The admin (Django 5.2) and the API docs page /api/v1/docs (django-ninja serves Swagger UI
# from its static files, its settings as a JSON block read by ninja/swagger-ui-init.js)
# need no inline script either, so neither is exempted: no view is `csp_exempt`.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# The grid map's basemap: one or more tile URL templates (space-separated, drawn in that
# order), Leaflet's {z}/{x}/{y}, {s} for a subdomain and {tk} for FENGQIAO_MAP_TILE_KEY;
# for 天地图 the vector map and its labels, e.g.
# https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={tk}
# (and the same with cva_w/LAYER=cva), subdomains 01234567. Empty (the default): no
# basemap, the polygons on a plain background, nothing loaded from elsewhere. The tiles'
# origins are added to the policy's img-src.
FENGQIAO_MAP_TILES = os.environ.get("FENGQIAO_MAP_TILES", "").split()
FENGQIAO_MAP_TILE_KEY = os.environ.get("FENGQIAO_MAP_TILE_KEY", "")
FENGQIAO_MAP_SUBDOMAINS = os.environ.get("FENGQIAO_MAP_SUBDOMAINS", "")
FENGQIAO_MAP_ATTRIBUTION = os.environ.get("FENGQIAO_MAP_ATTRIBUTION", "")
CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] += tile_origins(
    FENGQIAO_MAP_TILES, FENGQIAO_MAP_SUBDOMAINS
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Scheduled jobs (huey). Embedded default: a SQLite queue file beside the database, worked
# by `fengqiao run_huey` (started by `make demo`). At scale: FENGQIAO_JOB_BACKEND=redis and
# REDIS_URL, same code. FENGQIAO_JOBS_IMMEDIATE=1 runs tasks in-process at once, on an
# in-memory queue (tests); periodic jobs then run only when called.
FENGQIAO_JOB_BACKEND = os.environ.get("FENGQIAO_JOB_BACKEND", "sqlite").strip().lower()
HUEY: dict[str, object] = {
    "name": "fengqiao",
    "immediate": env_bool("FENGQIAO_JOBS_IMMEDIATE", False),
    "consumer": {
        "workers": int(os.environ.get("FENGQIAO_JOB_WORKERS", "2")),
        "worker_type": "thread",
    },
}
if FENGQIAO_JOB_BACKEND == "redis":
    HUEY.update(
        huey_class="huey.RedisHuey", url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    )
elif FENGQIAO_JOB_BACKEND == "sqlite":
    HUEY.update(huey_class="huey.SqliteHuey", filename=str(DATA_DIR / "jobs.sqlite3"))
    DATA_DIR.mkdir(parents=True, exist_ok=True)
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"FENGQIAO_JOB_BACKEND must be 'sqlite' or 'redis', not {FENGQIAO_JOB_BACKEND!r}"
    )

# Notifications. In-app is always on; outbound channels are listed here (an unknown name
# stops the server at startup) and each person chooses theirs; a person with no choice
# saved gets FENGQIAO_NOTIFICATION_DEFAULT_CHANNELS.
FENGQIAO_NOTIFICATION_CHANNELS = env_list(
    "FENGQIAO_NOTIFICATION_CHANNELS", ["inapp", "email", "sms"]
)
FENGQIAO_NOTIFICATION_DEFAULT_CHANNELS = env_list(
    "FENGQIAO_NOTIFICATION_DEFAULT_CHANNELS", ["email"]
)
# The site's address, put in front of links in e-mails and text messages.
FENGQIAO_SITE_URL = os.environ.get("FENGQIAO_SITE_URL", "")
# A real SMS gateway: the dotted path of an SmsBackend subclass and its options as JSON
# (see fengqiao/notify/sms.py). The default only writes the message to the log.
FENGQIAO_SMS_BACKEND = os.environ.get("FENGQIAO_SMS_BACKEND", "fengqiao.notify.sms.LogSmsBackend")
FENGQIAO_SMS_OPTIONS = json.loads(os.environ.get("FENGQIAO_SMS_OPTIONS") or "{}")
# E-mail: printed on the console unless a backend is configured (tests use locmem).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "fengqiao@localhost")
# Deadline warnings: a case is "near due" with fewer than `working_days` working days
# left or less than `fraction` of its allowed time left (0 turns a test off).
FENGQIAO_DEADLINE_WARNING = {
    "working_days": int(os.environ.get("FENGQIAO_DEADLINE_WARNING_DAYS", "1")),
    "fraction": float(os.environ.get("FENGQIAO_DEADLINE_WARNING_FRACTION", "0.2")),
}
