"""Who syncs what, when: per-account locks and coalesced job requests, kept in Redis.

- ``AccountLock("pull", account_id)``: one order pull (or stock push...) per account at a time.
  It expires on its own (``CHANNEL_SYNC_LOCK_SECONDS``) so a killed worker blocks nobody for
  long; a live job extends it after every page.
- ``request(kind, account_id, enqueue)``: ask for a job. Many requests while one job is queued
  make one job: a "pending" flag says there is work, a "queued" flag (set when a job is put on
  the queue, cleared when it starts) keeps a second one off the queue. A job that finds the
  lock taken leaves the pending flag set; the running job loops or re-requests when it ends.
- ``request_many(kind, account_ids, enqueue_for)``: the same for several accounts in ONE Redis
  round trip (a Lua script); a stock commit asks for every account's push this way.

One Redis client per process (``connection()``): built once from the ``sync`` queue's settings and
kept, so a request opens no TCP connection; a forked process (an RQ work horse) builds its own.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid

import django_rq
import redis
from django.conf import settings
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

log = logging.getLogger("channels")

PREFIX = "sellerhub:channels"


_client = {"key": None, "client": None}
_client_lock = threading.Lock()


def connection():
    """The process's Redis client for the sync queue (its connection pool is reused)."""
    from django_rq.settings import QUEUES  # noqa: PLC0415 -- read at call time: test settings change it

    key = (os.getpid(), repr(sorted(QUEUES["sync"].items())))
    if _client["key"] != key:
        with _client_lock:
            if _client["key"] != key:
                _client["client"] = django_rq.get_connection("sync")
                _client["key"] = key
    return _client["client"]


def lock_seconds() -> int:
    return int(getattr(settings, "CHANNEL_SYNC_LOCK_SECONDS", 60))


def _key(*parts) -> str:
    return ":".join([PREFIX, *map(str, parts)])


class AccountLock:
    """A Redis lock for (kind, account) with a token, so only its holder releases or extends it."""

    def __init__(self, kind: str, account_id: int, *, seconds: int | None = None):
        self.key = _key("lock", kind, account_id)
        self.seconds = seconds or lock_seconds()
        self.token = uuid.uuid4().hex
        self.held = False

    def acquire(self, *, wait: float = 0.0) -> bool:
        deadline = time.monotonic() + wait
        conn = connection()
        while True:
            if conn.set(self.key, self.token, nx=True, ex=self.seconds):
                self.held = True
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def extend(self) -> bool:
        """Restart the expiry; False if the lock was lost (expired and taken by another job)."""
        if not self.held:
            return False
        conn = connection()
        script = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
                  "return redis.call('expire', KEYS[1], ARGV[2]) else return 0 end")
        ok = bool(conn.eval(script, 1, self.key, self.token, self.seconds))
        if not ok:
            self.held = False
        return ok

    def release(self) -> None:
        if not self.held:
            return
        script = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
        try:
            connection().eval(script, 1, self.key, self.token)
        except Exception:  # Redis gone: the key expires by itself
            log.warning("could not release %s", self.key)
        self.held = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


def mark_pending(kind: str, account_id: int) -> None:
    connection().set(_key("pending", kind, account_id), "1", ex=3600)


def take_pending(kind: str, account_id: int) -> bool:
    """Clear the pending flag; True if it was set."""
    return bool(connection().delete(_key("pending", kind, account_id)))


def is_pending(kind: str, account_id: int) -> bool:
    return bool(connection().exists(_key("pending", kind, account_id)))


def hold(kind: str, account_id: int, seconds: float) -> None:
    """No (kind) job of this account before ``seconds`` have passed (the channel's Retry-After)."""
    connection().set(_key("hold", kind, account_id), "1", px=max(1, int(seconds * 1000)))


def held_for(kind: str, account_id: int) -> float:
    """Seconds left of a hold (0: none)."""
    left = connection().pttl(_key("hold", kind, account_id))
    return left / 1000 if left and left > 0 else 0.0


def started(kind: str, account_id: int) -> None:
    """Called by a job as it starts: further requests may queue another job."""
    connection().delete(_key("queued", kind, account_id))


# For each account (KEYS: its pending and queued flags, in pairs; ARGV: the RQ job key prefix):
# set the pending flag; if no job waits on the queue (none noted, or the one noted is no longer
# queued), note "enqueuing" and answer 1 (the caller enqueues one), else 0.
_REQUEST_MANY = """
local answers = {}
for i = 1, #KEYS, 2 do
  redis.call('set', KEYS[i], '1', 'EX', 3600)
  local queued = KEYS[i + 1]
  local value = redis.call('get', queued)
  local waiting = false
  if value then
    if value == 'enqueuing' then
      waiting = true
    else
      local status = redis.call('hget', ARGV[1] .. value, 'status')
      waiting = (status == 'queued' or status == 'deferred' or status == 'scheduled')
      if not waiting then redis.call('del', queued) end
    end
  end
  if waiting then
    answers[#answers + 1] = 0
  else
    redis.call('set', queued, 'enqueuing', 'EX', 30)
    answers[#answers + 1] = 1
  end
end
return answers
"""
_scripts = {}


def request_many(kind: str, account_ids, enqueue_for, *, ttl: int = 900) -> list[int]:
    """``request`` for several accounts in one round trip: ``enqueue_for(account_id)`` is called
    only for the accounts with no job waiting. Returns the ids a job was enqueued for."""
    account_ids = sorted(set(account_ids))
    if not account_ids:
        return []
    conn = connection()
    enqueued = []
    try:
        script = _scripts.get(id(conn))
        if script is None:
            script = _scripts[id(conn)] = conn.register_script(_REQUEST_MANY)
        keys = [k for a in account_ids for k in (_key("pending", kind, a), _key("queued", kind, a))]
        answers = script(keys=keys, args=[Job.redis_job_namespace_prefix])
        for account_id, answer in zip(account_ids, answers, strict=True):
            if not int(answer):
                continue
            key = _key("queued", kind, account_id)
            try:
                job = enqueue_for(account_id)
            except Exception:
                conn.delete(key)
                raise
            if job is not None:
                conn.set(key, job.id, xx=True, ex=ttl)
            enqueued.append(account_id)
    except redis.exceptions.ConnectionError:
        log.warning("Redis is not reachable: %s for accounts %s waits for the next scheduled sweep", kind,
                    account_ids)
    return enqueued


def request(kind: str, account_id: int, enqueue, *, ttl: int = 900) -> bool:
    """Note that (kind, account) has work and enqueue one job unless one is already waiting on
    the queue. ``enqueue()`` returns the RQ job; its id is kept so that a job lost from the queue
    (deleted, or Redis restored from an old snapshot) never blocks the next request.
    Returns True if a job was enqueued."""
    conn = connection()
    key = _key("queued", kind, account_id)
    try:
        conn.set(_key("pending", kind, account_id), "1", ex=3600)
        for _attempt in range(2):
            if conn.set(key, "enqueuing", nx=True, ex=30):
                try:
                    job = enqueue()
                except Exception:
                    conn.delete(key)
                    raise
                if job is not None:
                    conn.set(key, job.id, xx=True, ex=ttl)  # unless the job already started and cleared it
                return True
            value = conn.get(key)
            if value is None:
                continue
            job_id = value.decode() if isinstance(value, bytes) else str(value)
            if job_id == "enqueuing":
                return False
            try:
                status = Job.fetch(job_id, connection=conn).get_status()
            except NoSuchJobError:
                status = None
            if status in (JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED):
                return False  # one is waiting; it will see the pending flag
            conn.delete(key)  # gone, running or done: queue another
    except redis.exceptions.ConnectionError:
        log.warning("Redis is not reachable: %s for account %s waits for the next scheduled sweep", kind, account_id)
    return False
