"""Settings for the twinning programme; every value comes from the environment.

With no DATABASE_URL the site runs on SQLite; with no REDIS_URL Celery tasks run in-process.
Production differs from a first run only by environment variables.
"""

import os
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent


def envstr(name: str, default: str = "") -> str:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-in-production"
SECRET_KEY = envstr("SECRET_KEY", DEV_SECRET_KEY)
# Served over HTTPS (directly or behind a proxy): secure cookies, HSTS, redirects.
HTTPS = envbool("HTTPS", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "import_export",
    "django_celery_beat",
    "django_tomselect",
    "branches",
    "twinning",
    "evaluations",
    "reports",
]

MIDDLEWARE = [
    # First: the health check needs neither the public host name nor HTTPS.
    "twinning.site.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "twinning.site.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Whether this session passed its second factor; then what the account still owes first.
    "twinning.site.middleware.SecondFactorMiddleware",
    "twinning.site.middleware.AccountGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # After authentication and messages: a repeated form is answered with a message.
    "twinning.shared.submissions.OnceMiddleware",
    "twinning.site.middleware.ContentSecurityPolicyMiddleware",
    "twinning.site.middleware.PersonalDataMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "twinning.urls"
WSGI_APPLICATION = "twinning.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["twinning.templatetags.once", "twinning.templatetags.form_errors"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "twinning.site.context_processors.abilities",
            ],
        },
    },
]

DATABASE_URL = envstr("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": environ.Env.db_url_config(DATABASE_URL)}
    DATABASES["default"]["CONN_MAX_AGE"] = envint("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": envstr("SQLITE_PATH", str(BASE_DIR / "var" / "db.sqlite3")),
            "OPTIONS": {"timeout": 20},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # counts failed logins before anything else
    # Django's ModelBackend, reading a session's user with their role in one query.
    "twinning.site.backends.ProgrammeBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: anonymous visitors see nothing

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        # Django's rule, with its message in Chinese (twinning.site.passwords).
        "NAME": "twinning.site.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# One-time links (issued by an administrator) and reset e-mails expire after this long.
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_LINK_HOURS", 72) * 3600
# The name an authenticator app shows next to the account.
OTP_TOTP_ISSUER = envstr("OTP_TOTP_ISSUER", "城乡联合党组织")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Django's database sessions, read by fixed SQL on every request (twinning/site/sessions.py).
SESSION_ENGINE = "twinning.site.sessions"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = HTTPS and envbool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and envbool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_PROXY = envbool("BEHIND_PROXY", False)
# Reverse proxies in front of the site, each appending the address it was reached from to
# X-Forwarded-For (nginx: $proxy_add_x_forwarded_for); the login lock-out keys on the client
# address they report (twinning.site.lockout.client_address).
PROXY_COUNT = envint("PROXY_COUNT", 1) if BEHIND_PROXY else 0
if BEHIND_PROXY and PROXY_COUNT < 1:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("BEHIND_PROXY=true needs PROXY_COUNT of 1 or more.")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
# Everything the pages load comes from this site; no inline scripts or styles.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'"
)

# Login lock-out (django-axes, rules in twinning.site.lockout): five failures for one user name
# from one client address lock that user name out at that address; twenty from one address,
# whatever the user names, throttle the address. A failure stops counting AXES_COOLOFF_HOURS
# after its user name's latest failure at that address; attempts while locked out are not
# recorded, so the end the lock-out page names holds.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
# Read by twinning.site.lockout.
AXES_ADDRESS_FAILURE_LIMIT = envint("AXES_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "twinning.site.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "twinning.site.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "twinning.site.lockout.lockout_response"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = envstr("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

if not DEBUG and SECRET_KEY == DEV_SECRET_KEY and not envbool("ALLOW_DEV_SECRET_KEY", False):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set SECRET_KEY (or SECRET_KEY_FILE) when DEBUG is off.")

# Uploads: a request body above this is refused before a view sees it.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("FILE_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

STATIC_URL = "static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
    # Uploaded spreadsheets between an import's preview and its confirmation; never served.
    # Several web machines need a shared backend here (or a shared directory).
    "exchange": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": envstr("IMPORT_TEMP_DIR", str(BASE_DIR / "var" / "imports"))},
    },
}

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "twinning@localhost")

# Citywide figures (dashboard, home pages, outcomes) are kept in each process's memory until
# the data changes (twinning.shared.kept_figures); the timeout only bounds a rare race between
# two commits.
FIGURES_TIMEOUT = envint("FIGURES_TIMEOUT_SECONDS", 120)
# The main pages are kept whole per user, address and data version (twinning/shared/kept_pages.py).
KEPT_PAGES = True
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "figures": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "figures",
        "TIMEOUT": FIGURES_TIMEOUT,
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
}

# Celery: a real broker when REDIS_URL is set, otherwise tasks run in-process.
REDIS_URL = envstr("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
# The queue tasks go to when no queue is named (a test's worker names its own).
CELERY_TASK_DEFAULT_QUEUE = envstr("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Fail fast when the broker is down: the request saves its data and the job waits in the
# database (e.g. a queued bulletin) until a beat task hands it over again. One immediate
# retry covers a pooled connection that went stale when Redis restarted; no pause, so a
# request never waits on a broker that is down.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0}
# A bulletin build's worker holds it by a lease it extends at every step
# (reports.bulletins.services); the lease must outlast the longest single step (laying out the
# PDF: about 10 s at ten times the reference city). A build is allowed this long in all before
# Celery stops it.
BULLETIN_LEASE_SECONDS = envint("BULLETIN_LEASE_SECONDS", 60)
BULLETIN_BUILD_TIMEOUT = envint("BULLETIN_BUILD_TIMEOUT", 600)
# A version whose workers died this many times is failed rather than tried again.
BULLETIN_MAX_ATTEMPTS = envint("BULLETIN_MAX_ATTEMPTS", 3)
# A bulletin stays readable at any city size: a table by town prints every town up to this
# many, and beyond it the first and last half of them (the most telling); a list of names
# (committees not filed, serious warnings) prints up to BULLETIN_LIST_ROWS. The full lists
# go to the bulletin's spreadsheet annex.
BULLETIN_TOWN_ROWS = envint("BULLETIN_TOWN_ROWS", 20)
BULLETIN_LIST_ROWS = envint("BULLETIN_LIST_ROWS", 30)
# Without a broker (the embedded mode) a bulletin is built in a thread of the web process, so
# the page that asked for it answers at once and follows the build's progress.
BULLETIN_BUILD_IN_THREAD = envbool("BULLETIN_BUILD_IN_THREAD", not REDIS_URL)
# Tasks are acknowledged when they end (CELERY_TASK_ACKS_LATE): a task whose worker was
# killed stays unacknowledged in Redis, and a live worker puts it back on the queue once it
# is older than the visibility timeout, checking every 10 s. The timeout is longer than a
# bulletin lease, so a killed build is redelivered about when its lease has run out (within
# two minutes); a longer task redelivered while it still runs is harmless (idempotent claims).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", BULLETIN_LEASE_SECONDS + 30),
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
CELERY_BEAT_SCHEDULE = {
    "scheduled-bulletin": {
        "task": "reports.bulletins.tasks.scheduled_bulletin",
        "schedule": crontab(hour=6, minute=0),
    },
    # Every minute: hands over builds queued while Redis was down, and re-queues builds
    # whose worker died (their lease ran out) even if no worker redelivers them.
    "dispatch-queued-bulletins": {
        "task": "reports.bulletins.tasks.dispatch_queued_bulletins",
        "schedule": 60.0,
    },
}

# Programme rules the department may tune.
BULLETIN_DAY = envint("BULLETIN_DAY", 10)
PROGRAMME_CITY_NAME = envstr("PROGRAMME_CITY_NAME", "诸城市")
# The bulletin's faces (GB/T 9704: 标宋 title, 仿宋 body, 楷体 for （一）, 黑体 for 一、), each a
# comma-separated list tried in order: an office's licensed face first, then a free Debian
# face (scripts/install-system-deps.sh). A build refuses to run when no face of a list is
# installed rather than print boxes (reports.bulletins.fonts).
BULLETIN_FONT_TITLE = envlist(
    "BULLETIN_FONT_TITLE", "方正小标宋简体,FZXiaoBiaoSong-B05S,Noto Serif CJK SC")
BULLETIN_FONT_BODY = envlist(
    "BULLETIN_FONT_BODY", "仿宋_GB2312,FangSong_GB2312,仿宋,FangSong,Noto Serif CJK SC")
BULLETIN_FONT_KAI = envlist(
    "BULLETIN_FONT_KAI", "楷体_GB2312,KaiTi_GB2312,楷体,KaiTi,AR PL KaitiM GB,AR PL UKai CN")
BULLETIN_FONT_HEI = envlist("BULLETIN_FONT_HEI", "黑体,SimHei,Noto Sans CJK SC")
PAGE_SIZE = envint("PAGE_SIZE", 25)
# The address in reminder e-mails' links.
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Monthly updates (DESIGN §3): due on this day of the next month (a Saturday or Sunday moves
# to the Monday after; a day past the month's end means its last day), locked this many days
# after the deadline, reminded from this many days before it.
MONTHLY_DEADLINE_DAY = envint("MONTHLY_DEADLINE_DAY", 5)
MONTHLY_LOCK_DAYS = envint("MONTHLY_LOCK_DAYS", 10)
MONTHLY_REMIND_DAYS_BEFORE = envint("MONTHLY_REMIND_DAYS_BEFORE", 3)
# A submitted update waiting longer than this many days for review is flagged in the queue.
MONTHLY_REVIEW_FLAG_DAYS = envint("MONTHLY_REVIEW_FLAG_DAYS", 5)
MONTHLY_ATTACHMENT_MAX_BYTES = envint("MONTHLY_ATTACHMENT_MAX_MB", 10) * 1024 * 1024
MONTHLY_ATTACHMENT_MAX_FILES = envint("MONTHLY_ATTACHMENT_MAX_FILES", 10)
MONTHLY_ATTACHMENT_TYPES = envlist("MONTHLY_ATTACHMENT_TYPES", "pdf,jpg,jpeg,png,docx,xlsx")

# Periodic tasks; django-celery-beat copies these into its tables when beat starts.
REMINDER_HOUR = envint("REMINDER_HOUR", 8)
CELERY_BEAT_SCHEDULE["send-reminders"] = {
    "task": "twinning.shared.tasks.send_reminders",
    "schedule": crontab(hour=REMINDER_HOUR, minute=0),
}
# Reminder channels (twinning.shared.channels). Each digest goes out as a delivery of its
# own, from a task, and a delivery that fails for a passing reason (the gateway is down,
# times out, throttles) is tried again after REMINDER_RETRY_SECONDS, doubling each time up to
# an hour, until REMINDER_MAX_ATTEMPTS tries; beat looks for deliveries due every minute.
REMINDER_RETRY_SECONDS = envint("REMINDER_RETRY_SECONDS", 120)
REMINDER_MAX_ATTEMPTS = envint("REMINDER_MAX_ATTEMPTS", 8)
REMINDER_HTTP_TIMEOUT = envint("REMINDER_HTTP_TIMEOUT", 10)
CELERY_BEAT_SCHEDULE["retry-reminder-deliveries"] = {
    "task": "twinning.shared.tasks.retry_reminder_deliveries",
    "schedule": 60.0,
}
# SMS through Alibaba Cloud SMS (dysmsapi SendSms, signature v1): on when the key and the
# template are set. The template the office registers takes ${name} and ${count}, e.g.
# "${name}您好，您在城乡联合党组织工作平台有${count}项待办，请及时登录处理。"
SMS_ENDPOINT = envstr("SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
SMS_REGION = envstr("SMS_REGION", "cn-hangzhou")
SMS_ACCESS_KEY_ID = envstr("SMS_ACCESS_KEY_ID")
SMS_ACCESS_KEY_SECRET = envstr("SMS_ACCESS_KEY_SECRET")
SMS_SIGN_NAME = envstr("SMS_SIGN_NAME")
SMS_TEMPLATE_CODE = envstr("SMS_TEMPLATE_CODE")
# A town's WeCom group robot must be an address under this prefix, so no one can make the
# workers post to an address inside the network.
WECOM_WEBHOOK_PREFIX = envstr(
    "WECOM_WEBHOOK_PREFIX", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key="
)
# A help case (专人帮促) with no follow-up for this many days is flagged as stale.
HELP_STALE_DAYS = envint("HELP_STALE_DAYS", 30)

# Spreadsheet import and export (twinning/exchange/).
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", 10 * 1024 * 1024)
# A city at ten times the reference has about 60,000 members, and its member register is the
# largest file a clerk sends in one go; blank rows count too, so a file of empty lines stops.
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 100_000)
# The widest register (monthly updates) has 12 columns; a far wider sheet is not one of ours.
IMPORT_MAX_COLUMNS = envint("IMPORT_MAX_COLUMNS", 64)
# Twice the longest text any form takes (a monthly summary, 5,000 characters).
IMPORT_MAX_CELL_CHARS = envint("IMPORT_MAX_CELL_CHARS", 10_000)
# What an .xlsx may unpack to: 100,000 member rows as openpyxl writes them unpack to 37 MB
# (Excel's shared strings make it smaller); a zip bomb that unpacks further stops before
# anything is parsed, since the reader keeps shared strings in memory.
IMPORT_MAX_UNPACKED_BYTES = envint("IMPORT_MAX_UNPACKED_BYTES", 64 * 1024 * 1024)
# How many times larger than its packed size a part of an .xlsx may unpack: honest sheets
# pack 5 to 15 times (a 100,000-row export: 13), a zip bomb hundreds of times.
IMPORT_MAX_XLSX_RATIO = envint("IMPORT_MAX_XLSX_RATIO", 100)
# Seconds an uploaded file waits for its confirmation before it is thrown away.
IMPORT_UPLOAD_MAX_AGE = envint("IMPORT_UPLOAD_MAX_AGE", 3600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools narrate every step at INFO.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools", "axes")},
}
