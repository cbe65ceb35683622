"""vnemis settings, read from the environment.

Defaults give a working site on an embedded SQLite database under ``var/``: a fresh checkout
runs with no configuration. Production sets ``VNEMIS_DATABASE_URL`` (or ``DATABASE_URL``) to a
PostgreSQL URL, ``VNEMIS_ALLOWED_HOSTS`` and a secret key.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VNEMIS_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str = "") -> str:
    """Return ``VNEMIS_<name>``; a ``VNEMIS_<name>_FILE`` variable names a file holding it."""
    file_name = os.environ.get(f"VNEMIS_{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(f"VNEMIS_{name}", default)


def env_flag(name: str, *, default: bool = False) -> bool:
    value = env(name, "1" if default else "0").strip().lower()
    return value in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    configured = env("SECRET_KEY")
    if configured:
        return configured
    # First run: generate a key and keep it beside the database, outside git.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = env_flag("DEBUG")
ALLOWED_HOSTS = [h for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "vnemis.core",
    "vnemis.accounts",
    "vnemis.organisations",
    "vnemis.people",
    "vnemis.digital",
    "vnemis.learning",
    "vnemis.admissions",
    "vnemis.indicators",
    "vnemis.plans",
    "vnemis.reports",
    "vnemis.imports",
    "vnemis.exports",
    "vnemis.demo",
    "vnemis.portal",
    "vnemis.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",  # the policy: SECURE_CSP below
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After SessionMiddleware, so that its renewal is saved by SessionMiddleware's response.
    "vnemis.core.middleware.IdleSessionMiddleware",
    "vnemis.core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The API answers such an address in its own JSON shape (the middleware after refuses it).
    "vnemis.api.middleware.ApiAddressMiddleware",
    # A control character in a path or query is refused before any view (the admin's too).
    "vnemis.core.http.RefuseControlCharactersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After AuthenticationMiddleware, whose request.user it reads; it sees the view's headers.
    "vnemis.core.middleware.NoStoreWhenSignedInMiddleware",
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
                "vnemis.portal.context_processors.scope",
            ],
        },
    }
]

_default_db = "sqlite:///" + str(VAR_DIR / "vnemis.sqlite3")
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or os.environ.get("DATABASE_URL") or _default_db,
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the demo loader or a job writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "vnemis.accounts.passwords.CharacterClassValidator"},
]
# Lockout: this many failed logins in a row lock an account for VNEMIS_LOCKOUT_MINUTES.
VNEMIS_LOCKOUT_THRESHOLD = int(env("LOCKOUT_THRESHOLD", "5"))
VNEMIS_LOCKOUT_MINUTES = int(env("LOCKOUT_MINUTES", "15"))

SESSION_COOKIE_AGE = int(env("SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Idle timeout: the age counts from the last request, renewed at most every minute
# (vnemis.core.middleware.IdleSessionMiddleware) rather than written on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = 60
SESSION_COOKIE_HTTPONLY = True

# Security headers and HTTPS
# VNEMIS_HTTPS=1 when users reach the site over HTTPS: HTTP is redirected to HTTPS, browsers
# are told to use only HTTPS for a year (HSTS) and cookies travel over HTTPS only.
# VNEMIS_SECURE_COOKIES=1 (older name) gives the Secure cookies alone. Behind a reverse proxy
# that ends TLS, VNEMIS_PROXY_SSL_HEADER names the header it sets on HTTPS requests, e.g.
# "X-Forwarded-Proto" (value "https") or "X-Forwarded-Ssl=on"; the proxy must overwrite that
# header on every request, or a client could claim HTTPS.


@dataclass(frozen=True)
class HttpsSettings:
    ssl_redirect: bool
    hsts_seconds: int
    hsts_include_subdomains: bool
    secure_cookies: bool
    proxy_ssl_header: tuple[str, str] | None


def https_settings(*, https: bool, secure_cookies: bool, proxy_ssl_header: str) -> HttpsSettings:
    """What serving over HTTPS changes, from the VNEMIS_HTTPS, _SECURE_COOKIES and
    _PROXY_SSL_HEADER values (a function, so that the rules can be tested)."""
    header = None
    if proxy_ssl_header.strip():
        name, _sep, value = proxy_ssl_header.strip().partition("=")
        meta = name.strip().upper().replace("-", "_")
        header = (meta if meta.startswith("HTTP_") else "HTTP_" + meta, value.strip() or "https")
    return HttpsSettings(
        ssl_redirect=https,
        hsts_seconds=365 * 24 * 3600 if https else 0,
        hsts_include_subdomains=https,
        secure_cookies=https or secure_cookies,
        proxy_ssl_header=header,
    )


_HTTPS = https_settings(
    https=env_flag("HTTPS"),
    secure_cookies=env_flag("SECURE_COOKIES"),
    proxy_ssl_header=env("PROXY_SSL_HEADER"),
)
SECURE_SSL_REDIRECT = _HTTPS.ssl_redirect
# A health probe on the host itself speaks plain HTTP; /health/ says only "ok".
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = _HTTPS.hsts_seconds
SECURE_HSTS_INCLUDE_SUBDOMAINS = _HTTPS.hsts_include_subdomains
SECURE_PROXY_SSL_HEADER = _HTTPS.proxy_ssl_header
SESSION_COOKIE_SECURE = _HTTPS.secure_cookies
CSRF_COOKIE_SECURE = _HTTPS.secure_cookies
# No HSTS preload: a listing in browsers cannot be withdrawn quickly, and a province may still
# run other services on plain HTTP under its domain.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts and styles come only from static/ (htmx too), never inline: injected markup cannot
# run. htmx is configured for this in base.html (no eval, no injected indicator styles).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# End of security headers and HTTPS

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
# Grouping and separators per language (Django's Vietnamese formats group nothing).
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
# WhiteNoise looks into STATIC_ROOT at start-up; before the first collectstatic it is empty.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Uploads
# Each kind of upload has a cap, enforced while the file arrives (vnemis.core.uploads): a file
# over it is refused with the form's explanation and nothing of it is kept. Import files
# (VNEMIS_IMPORT_MAX_BYTES, also the import reader's cap), QĐ 4725 evidence files
# (VNEMIS_EVIDENCE_MAX_BYTES), any other upload such as the admin's file fields
# (VNEMIS_UPLOAD_MAX_BYTES). A request body over VNEMIS_UPLOAD_BODY_MAX_BYTES is not read at
# all. A reverse proxy in front (nginx's client_max_body_size) should allow a little more than
# the import cap, so that the user sees vnemis's explanation rather than the proxy's 413 page.
VNEMIS_IMPORT_MAX_BYTES = int(env("IMPORT_MAX_BYTES", str(100 * 2**20)))
VNEMIS_EVIDENCE_MAX_BYTES = int(env("EVIDENCE_MAX_BYTES", str(20 * 2**20)))
VNEMIS_UPLOAD_MAX_BYTES = int(env("UPLOAD_MAX_BYTES", str(20 * 2**20)))
VNEMIS_UPLOAD_BODY_MAX_BYTES = int(env("UPLOAD_BODY_MAX_BYTES", str(256 * 2**20)))
FILE_UPLOAD_HANDLERS = [
    "vnemis.core.uploads.CappedUploadHandler",  # first: counts bytes before anything keeps them
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Files over 2,5 MB are spooled to a temporary file while they arrive, not held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The form fields of a request other than its files, together (Django answers 400 beyond).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Every vnemis form sends one file; Django answers 400 to a request carrying more than this.
DATA_UPLOAD_MAX_NUMBER_FILES = 5
# Imported files, error reports and evidence hold personal data: not readable by other
# accounts on the server.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
# End of uploads

# REST API (/api/v1/, vnemis.api; docs/modules/api.md)
# Tokens first: a request without one answers 401 with "WWW-Authenticate: Bearer"; the
# session (with its CSRF check on writes) serves the browser.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "vnemis.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["vnemis.api.permissions.HasTokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["vnemis.api.throttling.ApiRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "vnemis.api.pagination.ApiCursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "vnemis.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "vnemis.api.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "vnemis API",
    "DESCRIPTION": (
        "Org units, schools, people, enrolments, indicators, plans and imports of the "
        "Department of Education, scoped and masked as on the pages (docs/modules/api.md)."
    ),
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrgUnitKindEnum": "vnemis.organisations.choices.OrgUnitKind",
        "ImportKindEnum": "vnemis.imports.choices.ImportKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "vnemis.api.schema.error_responses",
    ],
}
# Requests per minute of a signed-in person through the browser's session; a token has its
# own rate. Counted in the cache: per process with the default local-memory cache.
VNEMIS_API_SESSION_RATE_PER_MINUTE = int(env("API_SESSION_RATE", "300"))
# End of REST API

# Background jobs: the database queue run by `vnemis worker` (started by `make run` and
# `vnemis serve`), or "immediate" to run each job in the web process right after commit (the
# test suite does, so that a test sees the job's effects).
_TASK_BACKENDS = {
    "database": "vnemis.core.taskqueue.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
TASKS = {
    "default": {"BACKEND": _TASK_BACKENDS[env("TASKS", "database")]},
    "database": {"BACKEND": _TASK_BACKENDS["database"]},
}
VNEMIS_JOBS_DIR = VAR_DIR / "jobs"

# Học bạ số (learning.services.transcripts). The certification authority of a test or demo
# deployment lives in TRANSCRIPT_CA_DIR (ca.p12: its key and certificate; every *.pem there is a
# root the verification page trusts: a production deployment puts its licensed CA's roots
# there and no ca.p12). TRANSCRIPT_KEY_PASSPHRASE encrypts the CA's and the signers' keys at
# rest; when not set, one is generated on first run and kept beside the database. The public
# address is printed under each transcript's QR code.
TRANSCRIPT_CA_DIR = Path(env("TRANSCRIPT_CA_DIR", str(VAR_DIR / "transcripts-ca")))


def _transcript_passphrase() -> str:
    configured = env("TRANSCRIPT_KEY_PASSPHRASE")
    if configured:
        return configured
    path = VAR_DIR / "transcript_key_passphrase"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


TRANSCRIPT_KEY_PASSPHRASE = _transcript_passphrase()
TRANSCRIPT_PUBLIC_URL = env("PUBLIC_URL", "http://127.0.0.1:8000")
# Lookups and uploads on the public verification page per client address and hour.
VNEMIS_TRANSCRIPT_VERIFY_RATE_PER_HOUR = int(env("TRANSCRIPT_VERIFY_RATE", "30"))

# Demo accounts use this password when VNEMIS_DEMO_PASSWORD is not set.
VNEMIS_DEMO_PASSWORD = env("DEMO_PASSWORD", "vnemis-demo-2022")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
