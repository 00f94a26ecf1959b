"""Test settings: the same as production but for speed and determinism."""

import os

# The production settings refuse to start without a secret key when DEBUG is off.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use")

from twinning.settings import *  # noqa: E402, F403
from twinning.settings import BASE_DIR, DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "exchange": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests run tasks in-process; the worker test starts a real worker against Redis itself.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
# Builds run inline in the tests; the tests of the embedded mode's thread turn it on.
BULLETIN_BUILD_IN_THREAD = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["NAME"] = ":memory:"
# Serve static files from the finders; tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True
# Tests read each response's template context, which a kept page does not have: the `kept_pages`
# fixture (tests/conftest.py) turns keeping on, as it is in production, and the browser tests
# run with it on.
KEPT_PAGES = False
