"""Settings for the test suite: the ordinary settings plus fast hashing and isolated Redis."""

import os

os.environ.setdefault("DEBUG", "true")

from .settings import *  # noqa: E402,F403
from .settings import DATABASES, JOB_QUEUES  # noqa: E402

DEBUG = False
# Tests choose their label provider: no DEBUG fallback to the demo emulator (config/settings.py).
EASYPOST_API_KEY = os.environ.get("EASYPOST_API_KEY", "")
EASYPOST_BASE_URL = os.environ.get("EASYPOST_BASE_URL", "")
EASYPOST_WEBHOOK_SECRET = os.environ.get("EASYPOST_WEBHOOK_SECRET", "")
EASYPOST_NOTE = ""
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AUTO_CONFIRM_ORDERS = True
CHANNEL_API_EXTRA_HOSTS = ["127.0.0.1", "localhost"]  # the loopback emulators (integrations.channels.hosts)

# Each xdist worker gets its own Redis database (external Redis) or its own embedded server
# (started by tests/conftest.py), so queued jobs never cross between workers.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_worker_index = int(_worker[2:] or 0) if _worker.startswith("gw") else 0
REDIS_URL = os.environ["SELLERHUB_TEST_REDIS_URL"] if os.environ.get("SELLERHUB_TEST_REDIS_URL") else None
if REDIS_URL is None:
    base = os.environ.get("REDIS_URL")
    if base:
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(base)
        db = int((parts.path or "/0").lstrip("/") or 0) + _worker_index
        REDIS_URL = urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))
    else:
        REDIS_URL = "embedded"  # replaced by tests/conftest.py before anything connects
RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600} for name in JOB_QUEUES}

if os.environ.get("SELLERHUB_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["SELLERHUB_TEST_DB_NAME"]}
elif DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not SQLite's in-memory database: with an in-memory database Django's live server
    # shares the test thread's one connection, and a job run from the test while the browser's
    # request is in flight breaks that connection's savepoints. A file gives each thread its own
    # connection, as the web and worker processes have under `make run`.
    import atexit
    import shutil
    import tempfile

    _db_dir = tempfile.mkdtemp(prefix="sellerhub-test-db-")
    atexit.register(shutil.rmtree, _db_dir, ignore_errors=True)
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(_db_dir, "sellerhub.sqlite3")}
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"

if REDIS_URL == "embedded":
    import atexit
    import tempfile

    from sellerhub.embedded_redis import start_server

    _redis_dir = tempfile.mkdtemp(prefix="sellerhub-redis-")
    _redis_proc = start_server(socket_path=os.path.join(_redis_dir, "redis.sock"), data_dir=_redis_dir, persist=False)
    atexit.register(_redis_proc.terminate)
    REDIS_URL = f"unix://{_redis_dir}/redis.sock?db=0"
    RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600} for name in JOB_QUEUES}
