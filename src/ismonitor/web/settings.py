"""Django settings for the portal, read from the environment (see ``env.py`` and docs/portal.md).

``ISMONITOR_ENV`` picks the kind of run: ``development`` (the default: debug on, SQLite in
``ISMONITOR_DATA_DIR``, e-mail printed to the console), ``production`` (debug off, a secret
key and allowed hosts required, HTTPS-only cookies and security headers), or ``test`` (the
test suite: fast password hashing, background tasks run at once, ``TEST_DATABASE_URL``).
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url

from .env import EnvError, env_bool, env_choice, env_int, env_list, env_secret, env_str

PACKAGE_DIR = Path(__file__).resolve().parent

ENV = env_choice("ISMONITOR_ENV", ("development", "production", "test"), "development")
PRODUCTION = ENV == "production"
TESTING = ENV == "test"

DATA_DIR = Path(env_str("ISMONITOR_DATA_DIR", "var")).resolve()
"""The SQLite file, uploaded files, built reports and the development secret key."""

DEBUG = env_bool("ISMONITOR_DEBUG", ENV == "development")
if PRODUCTION and DEBUG:
    raise EnvError("ISMONITOR_DEBUG is on with ISMONITOR_ENV=production; turn one of them off")


def _secret_key() -> str:
    key = env_secret("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise EnvError("SECRET_KEY (or SECRET_KEY_FILE) is required with ISMONITOR_ENV=production")
    # development and tests: one generated key, kept in the data folder so sessions survive
    path = DATA_DIR / "secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver", "[::1]"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise EnvError("ALLOWED_HOSTS is required with ISMONITOR_ENV=production (e.g. ismonitor.nl)")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

SITE_URL = env_str("ISMONITOR_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
"""The address in invitation e-mails sent from the command line (the web uses the request's)."""

# -- the tasks backend: django-tasks with its database backend (tests: run at once) -------
try:
    import django_tasks_db  # noqa: F401

    HAVE_TASKS_DB = True
except ImportError:  # pragma: no cover - depends on what is installed
    HAVE_TASKS_DB = False

if TESTING:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    if not HAVE_TASKS_DB:
        raise EnvError(
            "the background worker needs the package django-tasks-db (the database backend "
            "of django-tasks); install it with: pip install 'django-tasks-db>=0.12,<0.14'"
        )
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_tasks",
    *(["django_tasks_db"] if HAVE_TASKS_DB else []),
    "ismonitor.web.accounts",
    "ismonitor.web.editions",
    "ismonitor.web.portal",
    "ismonitor.web.pulse",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ismonitor.web.middleware.content_security_policy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ismonitor.web.middleware.language",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "ismonitor.web.urls"
WSGI_APPLICATION = "ismonitor.web.wsgi.application"

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
                "ismonitor.web.accounts.context.roles",
            ],
        },
    },
]

# -- the database: SQLite in the data folder unless DATABASE_URL says otherwise -------------
if TESTING and env_str("TEST_DATABASE_URL", ""):
    DATABASES = {"default": dj_database_url.parse(env_str("TEST_DATABASE_URL"))}
elif env_str("DATABASE_URL", ""):
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL"), conn_max_age=env_int("ISMONITOR_DB_CONN_MAX_AGE", 60)
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "ismonitor.sqlite3",
            "OPTIONS": {"timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# -- accounts: argon2 first, login rate-limited by django-axes -----------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
if TESTING:  # argon2's memory cost makes every test user slow; production keeps it first
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"
AXES_FAILURE_LIMIT = env_int("ISMONITOR_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("ISMONITOR_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("ISMONITOR_PROXY_COUNT", 0) or None
AXES_VERBOSE = False
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a link to choose a new password works for a day
ISMONITOR_RESET_PER_EMAIL = env_int("ISMONITOR_RESET_PER_EMAIL", 3)
"""Reset e-mails to one address per hour; more requests get the same answer, no e-mail."""
ISMONITOR_RESET_PER_IP = env_int("ISMONITOR_RESET_PER_IP", 20)
"""Reset requests from one network address per hour; more get a 'too many requests' page."""
ISMONITOR_MAIL_IN_BACKGROUND = not TESTING
"""Reset e-mails are sent in a thread, so that the answer takes as long for any address."""

SESSION_COOKIE_AGE = 60 * 60 * 24 * 30  # an invitation link's session lasts a month
SESSION_COOKIE_HTTPONLY = True

# -- Dutch first, English too --------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "ismonitor_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing folder
WHITENOISE_USE_FINDERS = True  # serve from the package: no collectstatic step to forget
MEDIA_ROOT = DATA_DIR / "files"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# -- e-mail: printed to the console unless an SMTP host is set -----------------------------
EMAIL_HOST = env_str("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ismonitor <noreply@localhost>")

# -- security headers (all runs) and HTTPS (production) -------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = False  # the questionnaire's script reads the token from the form
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("ISMONITOR_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("ISMONITOR_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ISMONITOR_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("ISMONITOR_HSTS_PRELOAD", True)
    if env_bool("ISMONITOR_BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

if TESTING:
    from .i18n import compile_messages

    compile_messages()
