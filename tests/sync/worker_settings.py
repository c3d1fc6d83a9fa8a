"""Settings of the RQ worker processes the sync tests start: the test settings, with the short
lock expiry and retry timings of the tests (a killed worker's lock must not block for a minute)."""

from config.settings_test import *  # noqa: F403

DEBUG = False
CHANNEL_SYNC_LOCK_SECONDS = 8
CHANNEL_SYNC_BACKOFF_BASE = 0.01
CHANNEL_SYNC_BACKOFF_CAP = 0.2
CHANNEL_SYNC_MAX_RETRY_AFTER = 2.0
CHANNEL_SYNC_READ_TIMEOUT = 0.5
CHANNEL_SYNC_MAX_ATTEMPTS = 8
