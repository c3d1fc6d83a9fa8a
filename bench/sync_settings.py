"""Settings of bench/sync.py and of the RQ workers it starts: the ordinary settings with a 1 s
read timeout (the emulator's slow answers take 1.5 s) and a short lock expiry (a killed worker's
pull lock must not stall the benchmark for a minute)."""

from config.settings import *  # noqa: F403

CHANNEL_SYNC_READ_TIMEOUT = 1.0
CHANNEL_SYNC_LOCK_SECONDS = 10
CHANNEL_SYNC_MAX_ATTEMPTS = 8
CHANNEL_SYNC_BACKOFF_BASE = 0.2
CHANNEL_SYNC_AMBIGUOUS_WAIT = 2.0
CHANNEL_API_EXTRA_HOSTS = ["127.0.0.1", "localhost"]  # the loopback emulators (integrations.channels.hosts)
