"""Settings for the test suite: the real databases, a fixed field key, fast hashing."""

import os

os.environ.setdefault("FENGQIAO_FIELD_KEY", "test-field-key-not-for-production")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")

from fengqiao.config.settings import *  # noqa: F403
from fengqiao.config.settings import DATA_DIR

# Live-server threads must not keep connections open, or the test database cannot be dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = DATA_DIR / "test-media"
