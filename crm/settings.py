"""Settings for the CRM, read from the environment with safe development defaults."""

import hashlib
import hmac
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    return env(name, str(default)).lower() in ("1", "true", "yes", "on")


def env_int(name, default):
    return int(env(name, default))


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env("SECRET_KEY", "insecure-development-key-do-not-use-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The address links in e-mails start with; the default is where `make run` serves: the
# Procfile's runserver on PORT (`make run PORT=8001`), 8000 unless told.
SITE_URL = env("SITE_URL") or f"http://127.0.0.1:{env('PORT') or 8000}"

INSTALLED_APPS = [
    # Django's admin, for superusers only (crm/admin.py).
    "crm.admin.CrmAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "taggit",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    # Sign-in, password reset, two-factor and the list of one's sessions (README).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "accounts",
    "contacts",
    "activities",
    "overview",
    "settings_app",
    # The REST API (api/), on django-ninja, whose own static files serve its docs page.
    "api",
    # The address books for phones (CardDAV, carddav/): read-only for now.
    "carddav",
    # Settings › Personal data: find a person everywhere, his copy, the register (privacy/).
    "privacy",
    "ninja",
    # After contacts, whose db_worker (the same, resuming interrupted imports) wins.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    # After the login check: an account outside the CRM gets a 403 on every CRM page.
    "contacts.middleware.CrmUserRequiredMiddleware",
    # After LocaleMiddleware and authentication: a signed-in user's own language and zone.
    "accounts.middleware.ProfileMiddleware",
    # After the profile's, which reads in the same query whether two-factor is missing.
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # It turns a locked-out login into the login page with its message.
    "axes.middleware.AxesMiddleware",
    # Last, so that it is the first to see what a view raises (crm/errors.py).
    "crm.errors.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"

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
                "contacts.context_processors.crm",
                "activities.context_processors.tasks",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker write while the web process reads. A page cache of up to
    # 32 MiB per connection rather than SQLite's 2 MiB: a search looks up its matches by
    # id across the contacts table, and reading its pages again from the operating system
    # took half the search's time. A bigger one gained nothing more, and an import's
    # connection fills it too (its memory is bounded).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-32768;"
        ),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the planner turns it on for queries it thinks are costly (a
    # search or a deep page at a million contacts), and compiling them took longer than
    # running them; a page's queries are never long enough to repay it.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # A statement run a second time on a connection is prepared (which needs its
    # parameters sent apart from it): PostgreSQL then plans it once, where planning a
    # page's small queries took longer than running them. A pooler that cannot keep
    # prepared statements (PgBouncer in transaction mode) needs DATABASE_PREPARED=0.
    if env_bool("DATABASE_PREPARED", True):
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 2
# Faults (crm/errors.py, contacts/storage.py, the import's recovery): a connection kept
# between requests is checked before reuse, so that requests recover by themselves after
# a restart of the database; the requests caught by the outage get a 503 page.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The contacts' sort indexes include the access column, which PostgreSQL keeps in the
# index and SQLite, without included columns, leaves out: the same index otherwise.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTHENTICATION_BACKENDS = [
    # First: it refuses a locked-out username and address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, and sign-in by e-mail address as well as by username, through
    # allauth's backend; its user of a session comes with his roles and profile.
    "contacts.backends.CrmAuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None
GUARDIAN_USER_OBJ_PERMS_MODEL = "contacts.ContactUserObjectPermission"
GUARDIAN_GROUP_OBJ_PERMS_MODEL = "contacts.ContactGroupObjectPermission"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "overview:index"
LOGOUT_REDIRECT_URL = "account_login"

# Sign-in (django-allauth): by username or e-mail address; no public sign-up, users come
# by invitation (accounts/adapter.py). Addresses are unique among users and need no
# confirmation: a CRM admin or the user himself, with his password, typed it.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
# Every session lasts SESSION_COOKIE_AGE: no "remember me" box, no session ending with
# the browser.
ACCOUNT_SESSION_REMEMBER = True
# "Forgot password?" answers the same for an address nobody has, and sends it nothing.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# A message to the user when his password, e-mail address or second factor changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[CRM] "
# Throttles, counted in Django's cache (shared through CACHE_URL). Failed passwords are
# also counted by django-axes below; failed two-factor codes by "login_failed", per user.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/h/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
# Two-factor sign-in: an authenticator app (TOTP), 10 single-use recovery codes shown
# once, and security keys or passkeys (WebAuthn, whose script is a static file).
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
MFA_FORMS = {
    "authenticate": "accounts.forms.SecondFactorForm",
    "add_webauthn": "accounts.forms.AddSecurityKeyForm",
    "edit_webauthn": "accounts.forms.EditSecurityKeyForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_RECOVERY_CODE_COUNT = 10
MFA_RECOVERY_CODES_SHOW_ONCE = True
# django-allauth refuses two-factor to an account whose address nobody confirmed, against
# strangers signing up with someone else's. Here nobody signs up: a CRM admin typed the
# address, or its user did, his password confirming it; and a password reset records
# the address unconfirmed, which would otherwise bar that user from two-factor for good.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", "CRM")
# The code of the 30 seconds before or after is taken too: a phone's clock drifts.
MFA_TOTP_TOLERANCE = 1
# Browsers offer WebAuthn on https:// and on http://localhost; the development server
# is plain http.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# The sessions page lists each sign-in's browser and address; recording every request's
# time as well would write a row per request.
USERSESSIONS_TRACK_ACTIVITY = env_bool("USERSESSIONS_TRACK_ACTIVITY")

LANGUAGE_CODE = env("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format and one date-time format per language, for every page (crm/formats).
FORMAT_MODULE_PATH = ["crm.formats"]
TIME_ZONE = env("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The user guide's pictures (crm/guide.py) are the README's: docs/screenshots.
STATICFILES_DIRS = [BASE_DIR / "static", ("guide", BASE_DIR / "docs" / "screenshots")]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    # Files are written whole or not at all: a full disk leaves no truncated file.
    "default": {"BACKEND": "contacts.storage.WholeFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads larger than this are refused by the form, before Pillow sees them.
# Region assumed for phone numbers typed without an international prefix.
PHONE_REGION = env("PHONE_REGION", "FR")
CRM_DEFAULT_CURRENCY = env("CRM_DEFAULT_CURRENCY", "")
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 10 * 1024 * 1024)
# The photo dialog suggests the pictures a contact's e-mails and web links point to
# (Gravatar, GitHub, a site's icon), fetched by the server: off, it offers uploads and
# addresses typed by the user only, and tells Gravatar no e-mail's hash.
PHOTO_FETCH_ENABLED = env_bool("PHOTO_FETCH_ENABLED", True)
# Seconds to connect, and to wait for each read; a whole fetch gets twice this.
PHOTO_FETCH_TIMEOUT = env_int("PHOTO_FETCH_TIMEOUT", 4)
# Pictures are never fetched from private, loopback or link-local addresses, unless
# listed here: "1" for any (a development machine), or networks, "10.0.5.0/24,fd00::/8".
PHOTO_FETCH_ALLOW_PRIVATE = env_bool("PHOTO_FETCH_ALLOW_PRIVATE") or [
    n for n in env_list("PHOTO_FETCH_ALLOW_PRIVATE") if "/" in n or ":" in n or "." in n
]
# Webhooks go to https addresses of the public internet only, unless this is on (tests,
# a receiver on the same machine or network): then plain http and private addresses too.
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE")
# Seconds to connect to a receiver, and to wait for its answer.
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 5)
# How often the task worker looks for webhooks due to be sent again.
WEBHOOK_CHECK_SECONDS = env_int("WEBHOOK_CHECK_SECONDS", 15)
PHOTO_GRAVATAR_URL = env("PHOTO_GRAVATAR_URL", "https://www.gravatar.com/avatar/{hash}?d=404&s=200")
PHOTO_GITHUB_URL = env("PHOTO_GITHUB_URL", "https://github.com/{user}.png")
# Deleted contacts stay in the trash this many days before they are purged.
TRASH_DAYS = env_int("TRASH_DAYS", 30)
# A person's copy of his data (Settings › Personal data) is downloadable this many days.
PRIVACY_EXPORT_DAYS = env_int("PRIVACY_EXPORT_DAYS", 7)
# The key of the suppression list's hashes (HMAC-SHA256) of erased e-mails and phones.
# Derived from SECRET_KEY unless set: set it on its own to keep the list matching when
# SECRET_KEY is changed, and the same on every server.
PRIVACY_HASH_KEY = env(
    "PRIVACY_HASH_KEY",
    hmac.new(SECRET_KEY.encode(), b"crm.privacy.suppression", hashlib.sha256).hexdigest(),
)
# Bulk actions from the list on more contacts than this run as background tasks.
BULK_SYNC_LIMIT = env_int("BULK_SYNC_LIMIT", 10_000)
# Each file attached to an event on a contact's timeline.
EVENT_ATTACHMENT_MAX_BYTES = env_int("EVENT_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
# CSV imports: the largest file accepted, and the rows written per transaction.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 50 * 1024 * 1024)
# 2,000 rows rather than 1,000 halve the statements, lookups and commits per row: about
# 8 % faster on PostgreSQL, for some 20 MB more at the peak of a 100,000-row import.
IMPORT_BATCH_SIZE = env_int("IMPORT_BATCH_SIZE", 2000)
# An import whose worker wrote nothing for this long is taken as interrupted (the worker
# was killed, or its machine lost) and queued again by the workers still running. Keep it
# well above the time one batch takes to write: a batch slower than this is done again.
IMPORT_STALLED_SECONDS = env_int("IMPORT_STALLED_SECONDS", 120)
# How often each task worker looks for the tasks' reminders that are due: a reminder
# comes at most this late.
REMINDER_CHECK_SECONDS = env_int("REMINDER_CHECK_SECONDS", 30)
# From this size on, a second process parses the rows while the first writes (0: never).
IMPORT_PARALLEL_MIN_BYTES = env_int("IMPORT_PARALLEL_MIN_BYTES", 2 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "crm.uploads.TemporaryFileUploadHandler",
]
# The contact list keeps each rendered page of results this many seconds, in Django's
# cache, filed under the data version (contacts/freshness.py): any write makes it new.
# 0 renders every request.
LIST_CACHE_SECONDS = env_int("LIST_CACHE_SECONDS", 300)

# Invitations (Settings › Users) an admin may send, or send again, per hour.
INVITATION_RATE_LIMIT = env_int("INVITATION_RATE_LIMIT", 50)

# Website forms: submissions per visitor address per window (seconds), the
# fewest seconds between the page load and the submission, the largest body accepted.
WEBFORM_RATE_LIMIT = env_int("WEBFORM_RATE_LIMIT", 10)
WEBFORM_RATE_WINDOW = env_int("WEBFORM_RATE_WINDOW", 600)
WEBFORM_MIN_SECONDS = env_int("WEBFORM_MIN_SECONDS", 3)
WEBFORM_MAX_BODY_BYTES = env_int("WEBFORM_MAX_BODY_BYTES", 128 * 1024)
# The visitor's address is REMOTE_ADDR. Behind one reverse proxy, name the header it
# appends the client's address to, as Django spells it: HTTP_X_FORWARDED_FOR.
CLIENT_IP_HEADER = env("CLIENT_IP_HEADER", "")

# Deployment beyond one process (README, "Deployment"). The rate limits, the list's pages
# and the sessions are kept in Django's cache: per process by default; with several
# processes or servers, point CACHE_URL at Redis (redis://host:6379/0) to share them.
# CACHE_KEY_PREFIX keeps two deployments apart on one Redis database. Sessions are then
# "cached_db": read from Redis, written to both, so a Redis restart or an eviction logs
# nobody out. APP_SERVERS says how many app servers run this deployment, for
# `manage.py check_deployment` (more than one needs PostgreSQL, Redis and a shared
# MEDIA_ROOT).
APP_SERVERS = env_int("APP_SERVERS", 1)
# The list's rendered pages have a cache of their own. Tens of kilobytes each, in one
# shared per-process cache they crowded the rate limits' counters out, and filled a
# worker's memory with pages of data versions nobody reads again. Per process, it keeps
# the LIST_CACHE_PAGES pages last used; with CACHE_URL they go to Redis with the rest.
LIST_CACHE_PAGES = env_int("LIST_CACHE_PAGES", 50)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "lists": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "contact-lists",
        "OPTIONS": {"MAX_ENTRIES": LIST_CACHE_PAGES},
    },
}
if env("CACHE_URL"):
    shared = {
        "BACKEND": "crm.cache.OutageTolerantRedisCache",
        "LOCATION": env("CACHE_URL"),
        "KEY_PREFIX": env("CACHE_KEY_PREFIX"),
        # Redis stopped or restarting: reads miss and writes are dropped (and logged),
        # so pages render from the database, sessions are read from it, and a website
        # form's rate limit and the sign-in's (crm/cache.py) let requests through
        # until Redis is back.
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 1,
        },
    }
    CACHES = {"default": shared, "lists": shared}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Where django.core.mail.backends.filebased.EmailBackend writes the messages, if chosen.
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "crm@localhost")

TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# crispy gives a widget its class's name as a CSS class: the contact form's select box of
# many options (contacts.form_renderer) keeps the one of the select box it replaces.
CRISPY_CLASS_CONVERTERS = {"manyoptionsselect": "select"}

TAGGIT_CASE_INSENSITIVE = True

MESSAGE_TAGS = {40: "danger"}

# Security: HTTPS, cookies, headers, login throttling.
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# Cookies travel over HTTPS only in production and are not sent along with another site's
# requests (Lax still allows following a link here). The session's is out of reach of
# scripts; the CSRF token is in every page anyway, so hiding its cookie would add nothing.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# A working day rather than Django's two weeks: a forgotten session ends overnight.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only the app's own files: no inline script or style, no eval, no framing by any site.
# Posts from other sites to the website forms' /f/ need no exception (the policy governs
# what this site's pages do, not who posts to them); /f/'s own answers drop form-action,
# as they lead on to the admin's site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Failed logins (django-axes): after AXES_FAILURE_LIMIT failures for one username from one
# address, that pair is refused for AXES_COOLOFF_MINUTES. Attempts are kept in the
# database, so that every app server counts the same ones.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "accounts.network.client_ip"
AXES_LOCKOUT_CALLABLE = "crm.lockout.lockout_response"
AXES_VERBOSE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# The REST API: requests per minute for each token (or signed-in user); 0 for no limit.
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 600)
# CardDAV: wrong passwords a user name may try from one address in 5 minutes.
CARDDAV_AUTH_FAILURES = env_int("CARDDAV_AUTH_FAILURES", 10)
