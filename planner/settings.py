"""One settings module: every value comes from the environment, with safe defaults for the demo."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

DEMO_SECRET_KEY = "demo-only-secret-key-change-me-in-production-0123456789"


def envbool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def envint(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def envlist(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# DJANGO_ENV=production switches on the production checks and settings (HTTPS only, HSTS, a real
# SECRET_KEY and ALLOWED_HOSTS, or the app refuses to start). Unset, the site runs in development / demo mode.
DJANGO_ENV = os.environ.get("DJANGO_ENV", "").strip().lower() or "development"
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be 'production' or 'development' (or unset), got {DJANGO_ENV!r}"
    )
PRODUCTION = DJANGO_ENV == "production"

DEBUG = envbool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or DEMO_SECRET_KEY
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured(
            "DEBUG must be off in production (DJANGO_ENV=production): unset DEBUG or set DEBUG=0."
        )
    if (
        SECRET_KEY == DEMO_SECRET_KEY
        or len(SECRET_KEY) < 50
        or len(set(SECRET_KEY)) < 5
        or SECRET_KEY.startswith("django-insecure-")
    ):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters in production "
            "(DJANGO_ENV=production), not the demo key; create one with "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must name the site's host names in production (DJANGO_ENV=production), "
            "comma-separated, e.g. ALLOWED_HOSTS=plan.example.gov.cn ('*' is not accepted)."
        )
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "import_export",
    "axes",
    "units",
    "tasks",
    "notifications",
    "annual",
    "assessment",
    "dashboards",
    "audit",
    "importing",
    "planner",
    "demo",
    "operations",
    "tooling",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "planner.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "planner.security.AdminQueryGuardMiddleware",  # NUL / overflowing values in the admin's list queries: 400
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "units.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "planner.security.SessionIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # keep last: turns a locked-out log-in into the lock-out page
]

ROOT_URLCONF = "planner.urls"
WSGI_APPLICATION = "planner.wsgi.application"

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
                "planner.context_processors.navigation",
            ],
        },
    },
]

# Django's widgets, written by flat templates (templates/widgets/flat/: the same markup without a chain of includes).
FORM_RENDERER = "lib.renderers.FlatWidgetRenderer"

# SQLite (WAL mode) in the project folder unless DATABASE_URL names another database.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
# Persistent connections by default: a request reuses its thread's connection for up to CONN_MAX_AGE seconds
# instead of opening one (pages 1.3–2× faster on PostgreSQL, docs/PERFORMANCE.md), and the connection is checked
# before a request reuses it, so a restarted database costs no failed request. CONN_MAX_AGE=0 closes it after
# every request.
CONN_MAX_AGE = envint("CONN_MAX_AGE", 60)
if CONN_MAX_AGE < 0:
    raise ImproperlyConfigured(f"CONN_MAX_AGE must be 0 or more seconds, got {CONN_MAX_AGE}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=envbool("CONN_HEALTH_CHECKS", True)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound on the server, and a statement run PG_PREPARE_THRESHOLD times on one connection is
    # prepared: PostgreSQL then skips parsing and planning it (half its CPU under load, docs/PERFORMANCE.md).
    # 0 keeps psycopg's client-side binding and prepares nothing (needed behind PgBouncer in transaction mode).
    PG_PREPARE_THRESHOLD = envint("PG_PREPARE_THRESHOLD", 2)
    if PG_PREPARE_THRESHOLD > 0:
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": PG_PREPARE_THRESHOLD}
        )
    # No JIT compilation: PostgreSQL compiles a query whose estimated cost passes jit_above_cost, and the
    # dashboards' counts of a plan judged as of a past day (a subquery per figure) spent ~10 s compiling to run in
    # 0.5 s (docs/benchmarks/issue16.md). PG_JIT=1 leaves the server's setting.
    if not envbool("PG_JIT", False):
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "units.User"
# django-axes first: it refuses a locked-out log-in before the password is checked. Every authenticate()
# call must pass the request (LoginView does).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "planner.security.MinimumLengthValidator"},  # Django's, with its message in Chinese
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")

# Uploads: a request body larger than this is refused before it reaches a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 12 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Report attachments: each file at most this big (the type is checked on the content, see tasks/uploads.py).
ATTACHMENT_MAX_BYTES = envint("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
ATTACHMENTS_PER_REPORT = 10

# Deadlines and reminders, in Chinese working days (tasks/workdays.py, tasks/status.py).
DUE_SOON_WORKDAYS = envint("DUE_SOON_WORKDAYS", 3)  # yellow light this many working days before the due date
STALE_WORKDAYS = envint("STALE_WORKDAYS", 40)  # yellow light when a unit has not reported for this long
REMINDER_WORKDAYS = tuple(int(n) for n in envlist("REMINDER_WORKDAYS", ["3", "1"]))  # "due in N working days"
# 催办 / 催签收 of the same unit (and period) again within this many hours asks the coordinator to confirm.
URGE_REPEAT_HOURS = envint("URGE_REPEAT_HOURS", 24)
# The address of the site as users reach it, for links in e-mails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# E-mail: printed to the console unless an SMTP host is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "fazhi-plan@localhost")
# Seconds the SMTP connection may wait on the server (connect, and each reply while sending): a server that
# accepts and never answers fails the attempt after this, and the outbox retries later. Only the outbox worker
# (send_outbox) ever talks to the mail server; no request waits on it.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
# E-mails go through the outbox (notifications.OutboxEmail, `send_outbox` every minute): failed for good after
# this many attempts (1, 2, 4 … minutes apart, at most an hour).
OUTBOX_MAX_ATTEMPTS = envint("OUTBOX_MAX_ATTEMPTS", 10)

# Security headers, in every mode. Django 5.2 has no CSP: planner.security.ContentSecurityPolicyMiddleware
# sends this one. Templates must keep to it: no inline <script>, no on*= attributes, no style="".
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

SESSION_ENGINE = "planner.sessions"  # Django's database sessions, read with one SQL query
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG and SECRET_KEY != DEMO_SECRET_KEY)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A person who makes no request for this long is logged out (planner.security.SessionIdleTimeoutMiddleware).
SESSION_IDLE_SECONDS = envint("SESSION_IDLE_SECONDS", 2 * 60 * 60)
if SESSION_IDLE_SECONDS < 60:
    raise ImproperlyConfigured(f"SESSION_IDLE_SECONDS must be at least 60, got {SESSION_IDLE_SECONDS}")

# Reverse proxies. 0 (the default): clients reach this server directly; X-Forwarded-For and
# X-Forwarded-Proto are ignored, since any client can send them. N > 0: exactly N proxies of ours stand in
# front, each appending the address it received the request from to X-Forwarded-For, and the outermost one
# setting X-Forwarded-Proto (overwriting what the client sent). Then the client address (for the log-in
# throttle and the audit log, audit.context.client_ip) is the N-th X-Forwarded-For entry from the right, and a request is
# HTTPS when X-Forwarded-Proto says so. Set it wrong and a client can choose its address: lock-outs by
# address then stop working.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

if PRODUCTION:
    # HTTPS only. When TLS ends at a reverse proxy, set TRUSTED_PROXY_COUNT (above), or every request loops
    # in redirects. /healthz stays reachable over plain HTTP for the load balancer.
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    # HSTS: browsers use HTTPS only for this host (and its subdomains) for a year. "preload" only permits
    # submitting the host to the browsers' preload lists; nothing is submitted automatically.
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)

# Log-in throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one user name from one
# address, that combination is locked for LOGIN_LOCKOUT_MINUTES (each further try restarts the wait); other
# people at the same address, and the same person elsewhere, are not affected. A successful log-in resets the
# count. The lock-out page: registration/locked.html (HTTP 429, planner.security.lockout_response).
# Unlock early: the admin's "Access attempts" (django-axes), or manage.py axes_reset_username <name>.
AXES_ENABLED = envbool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "planner.security.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "audit.context.client_ip"  # honours TRUSTED_PROXY_COUNT (django-ipware is not used)

# django-import-export: an import runs in one transaction, so a bad row leaves nothing half-imported.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
