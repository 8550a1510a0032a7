"""Bluelamp's one settings module.

Every setting comes from the environment through a typed helper with a documented default;
secrets may also come from ``NAME_FILE``. With no configuration at all Bluelamp runs on SQLite
with the console message channel. The README lists every setting.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from bluelamp.lib.checks import DEVELOPMENT_SECRET_KEY

BASE_DIR = Path(__file__).resolve().parent.parent


def envstr(name: str, default: str) -> str:
    """A string from ``NAME``, or the contents of the file named by ``NAME_FILE``."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def envfloat(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in envstr(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)
# The built-in keys are for development: with DEBUG off, `serve`, `worker` and
# `check --deploy` refuse to run on them (bluelamp/lib/checks.py).
SECRET_KEY = envstr("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
# Keys the phone and email fingerprints used to match opt-outs without storing the details.
PERSON_KEY_SECRET = envstr("PERSON_KEY_SECRET", SECRET_KEY)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DATA_DIR = Path(envstr("DATA_DIR", str(BASE_DIR / "var")))
SHARED_DATA_DIR = Path(envstr("SHARED_DATA_DIR", str(BASE_DIR.parent / "shared" / "data")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs page from local static files, not a CDN
    "django_htmx",
    "axes",
    "bluelamp.forces",
    "bluelamp.audit",
    "bluelamp.signin",
    "bluelamp.surveys",
    "bluelamp.intake",
    "bluelamp.delivery",
    "bluelamp.recovery",
    "bluelamp.insights",
    "bluelamp.staffing",
    "bluelamp.care",
    "bluelamp.outcomes",
    "bluelamp.investigations",
    "bluelamp.prevention",
    "bluelamp.flows",
    "bluelamp.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "bluelamp.views.api_json_errors",
    # Last, so that it sees the authentication result of every login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bluelamp.urls"
CSRF_FAILURE_VIEW = "bluelamp.views.csrf_failure"
WSGI_APPLICATION = "bluelamp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "bluelamp" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_sqlite_path = DATA_DIR / "bluelamp.sqlite3"
DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{_sqlite_path}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Reopening the file per request re-ran the pragmas and checkpointed the WAL: 5 to 12 ms.
    DATABASES["default"]["CONN_MAX_AGE"] = envint("DB_CONN_MAX_AGE", 600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Django's backend with writers queued on a file lock (see bluelamp/lib/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "bluelamp.lib.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the live view read while intake writes; IMMEDIATE avoids lock upgrades
        # failing mid-transaction when several processes write at once.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # Tests: an in-memory database per test process (pytest-xdist would otherwise derive a
    # file name from NAME, not knowing this engine is SQLite).
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "forces.User"

# Sign-in. Local passwords (the demonstration and break-glass accounts) through axes' lockout
# and the model backend; with OIDC_RP_CLIENT_ID set, also the force's identity provider
# (OpenID Connect, mozilla-django-oidc's own setting names). Its backend comes first: a
# sign-in the provider vouches for is not held up by password failures from a shared address.
OIDC_RP_CLIENT_ID = envstr("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = envstr("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = envstr("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = envstr("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = envstr("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = envstr("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = envstr("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = envstr("OIDC_RP_SCOPES", "openid profile email")
# Ours: the issuer (iss) every ID token must name (blank: not checked; set it in production),
# the claim that holds the groups the mappings name, and the claim that names a new user.
OIDC_OP_ISSUER = envstr("OIDC_OP_ISSUER", "")
OIDC_GROUPS_CLAIM = envstr("OIDC_GROUPS_CLAIM", "groups")
OIDC_USERNAME_CLAIM = envstr("OIDC_USERNAME_CLAIM", "preferred_username")
# Whether a person the provider vouches for, with a mapped group, gets an account at their
# first sign-in (else an administrator makes the accounts first).
OIDC_CREATE_USER = envbool("OIDC_CREATE_USER", True)
OIDC_USE_PKCE = envbool("OIDC_USE_PKCE", True)
# Seconds to wait for the provider's token, keys and userinfo (the library waits for ever).
OIDC_TIMEOUT = envfloat("OIDC_TIMEOUT", 10)
OIDC_AUTHENTICATION_BACKEND = "bluelamp.signin.oidc.ForceOIDCBackend"
AUTHENTICATION_BACKENDS = [
    *([OIDC_AUTHENTICATION_BACKEND] if OIDC_RP_CLIENT_ID else []),
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout of password sign-ins for LOGIN_LOCKOUT_MINUTES: one username from one address after
# LOGIN_FAILURE_LIMIT failures, and one address for every username after
# LOGIN_ADDRESS_FAILURE_LIMIT failures across usernames (bluelamp/forces/lockout.py).
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = envint("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_HANDLER = "bluelamp.forces.lockout.UserAndAddressLockout"
AXES_COOLOFF_TIME = envint("LOGIN_LOCKOUT_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

SESSION_COOKIE_AGE = envint("SESSION_HOURS", 12) * 3600
SESSION_COOKIE_HTTPONLY = True

# The web layer's security. SECURE_COOKIES says Bluelamp is reached over HTTPS: cookies go
# over HTTPS only, plain HTTP is redirected and browsers are told (HSTS) to use HTTPS only.
SECURE_COOKIES = envbool("SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", SECURE_COOKIES)
# A load balancer's health check may come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if SECURE_COOKIES else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_COOKIES)
# Only the header's directive: a domain joins browsers' preload lists when submitted.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", SECURE_COOKIES)
# Behind a proxy that ends TLS: the header it sets, e.g. X-Forwarded-Proto (value "https").
# Set it only when the proxy always sets or overwrites that header itself.
_proxy_ssl_header = envstr("SECURE_PROXY_SSL_HEADER", "")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
# Content-Security-Policy on every response: scripts, styles and everything else from this
# site only, no inline script or style (static files in bluelamp/static), no plugins, no
# framing. data: images are the survey page's empty favicon and the API docs' icons.
_oidc_login = envstr("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    # Sign-in through the force's identity provider is a redirect away from this site.
    "form-action": [CSP.SELF, *([_oidc_login.split("?")[0]] if _oidc_login else [])],
}

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en", "English"), ("cy", "Cymraeg")]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "bluelamp" / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Survey invitations
# (Who is surveyed, when, and for how long a link works are each force's contact rules,
# edited in the admin: bluelamp/surveys/contact_rules.py.)
# Whole-experience scores (1 to 7) at or above this count as satisfied, at or below the next
# as dissatisfied; 4 is neither.
SATISFIED_FROM = envint("SATISFIED_FROM", 5)
DISSATISFIED_TO = envint("DISSATISFIED_TO", 3)
# Service recovery
RECOVERY_DEADLINE_HOURS = envint("RECOVERY_DEADLINE_HOURS", 24)
# Live view
# Half a second keeps "a response shows within a second" true; an unchanged poll costs a 204.
LIVE_POLL_SECONDS = envfloat("LIVE_POLL_SECONDS", 0.5)
# A force's own theme model is trained once it has this many corrected comments (issue 18).
THEME_MODEL_MIN_CORRECTIONS = envint("THEME_MODEL_MIN_CORRECTIONS", 300)
# Personal data
PERSONAL_DATA_RETENTION_DAYS = envint("PERSONAL_DATA_RETENTION_DAYS", 365)
# Worker and its queue (Django's tasks API on our database: bluelamp/delivery/queue.py)
WORKER_POLL_SECONDS = envfloat("WORKER_POLL_SECONDS", 1.0)
TASKS = {"default": {"BACKEND": "bluelamp.delivery.queue.DatabaseBackend"}}
# A job claimed by a worker that dies goes to another after this; longer than any one send
# (providers time out after 25 s).
QUEUE_LEASE_SECONDS = envint("QUEUE_LEASE_SECONDS", 60)


# Message providers, chosen per force in the admin (Force.sms_provider, email_provider).
# Secrets come from the environment, or from the file named by NAME_FILE.
def _provider_settings(**names: str) -> dict[str, str]:
    return {key: value for key, name in names.items() if (value := envstr(name, ""))}


DELIVERY_PROVIDERS: dict[str, dict[str, str]] = {
    "notify": _provider_settings(
        api_key="NOTIFY_API_KEY",
        base_url="NOTIFY_BASE_URL",
        sms_template_id="NOTIFY_SMS_TEMPLATE_ID",
        email_template_id="NOTIFY_EMAIL_TEMPLATE_ID",
        callback_token="NOTIFY_CALLBACK_TOKEN",  # noqa: S106 (a variable's name)
    ),
    "twilio": _provider_settings(
        account_sid="TWILIO_ACCOUNT_SID",
        auth_token="TWILIO_AUTH_TOKEN",  # noqa: S106
        from_number="TWILIO_FROM_NUMBER",
        messaging_service_sid="TWILIO_MESSAGING_SERVICE_SID",
        base_url="TWILIO_BASE_URL",
        status_callback_url="TWILIO_STATUS_CALLBACK_URL",
    ),
    "smtp": _provider_settings(
        host="SMTP_HOST",
        port="SMTP_PORT",
        username="SMTP_USERNAME",
        password="SMTP_PASSWORD",  # noqa: S106
        use_tls="SMTP_USE_TLS",
        from_email="SMTP_FROM_EMAIL",
    ),
}

# Operations: logs, health, metrics, error reporting, the worker's daily duties
# (docs/operations.md). Every handler scrubs survey links, tokens, phone numbers and emails
# (bluelamp/lib/logscrub.py); LOG_FORMAT=json writes one JSON object a line.
LOG_FORMAT = envstr("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ValueError(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "bluelamp.lib.logscrub.ScrubFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "bluelamp.lib.logscrub.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["scrub"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own handlers (a DEBUG-only console, mail to ADMINS, runserver's request
        # lines) are replaced: its records, the CSRF warnings and the request errors among
        # them, reach the root's scrubbing handler instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        # Django logs request bodies of failed requests only at DEBUG; keep it quieter.
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}
MIDDLEWARE.insert(0, "bluelamp.ops.middleware.RequestMiddleware")  # request ids, /metrics
# /healthz and /metrics are asked over plain HTTP by load balancers and Prometheus inside
# the network, so an HTTPS redirect (SECURE_SSL_REDIRECT) leaves them alone.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
# The bearer token Prometheus sends for GET /metrics; unset, /metrics answers 404.
METRICS_TOKEN = envstr("METRICS_TOKEN", "")
# /healthz calls the queue degraded when a due job has waited longer than this for a worker.
QUEUE_STALL_SECONDS = envint("QUEUE_STALL_SECONDS", 300)
# The worker's daily duties (the personal-data purge) run from this hour, London time.
DAILY_DUTIES_HOUR = envint("DAILY_DUTIES_HOUR", 2)
# A worker that dies in a daily duty leaves it to another after this.
DAILY_DUTY_LEASE_SECONDS = envint("DAILY_DUTY_LEASE_SECONDS", 3600)
# Error reports to Sentry (or a compatible service) when set; no personal data is sent.
SENTRY_DSN = envstr("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    from bluelamp.lib.logscrub import scrub_event

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=envstr("SENTRY_ENVIRONMENT", "production"),
        send_default_pii=False,
        include_local_variables=False,  # a frame's variables may hold a person's details
        max_request_body_size="never",
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        before_breadcrumb=scrub_event,
        traces_sample_rate=0.0,
    )
