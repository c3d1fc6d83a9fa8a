"""Who syncs what, when: per-account locks and coalesced job requests, kept in Redis.

- ``AccountLock("pull", account_id)``: one order pull (or stock push...) per account at a time.
  It expires on its own (``CHANNEL_SYNC_LOCK_SECONDS``) so a killed worker blocks nobody for
  long; a live job extends it after every page. A lock whose holder was a process of this
  machine that no longer exists (a worker killed by SIGKILL or the OOM killer) is taken over at
  once by the next job that wants it.
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

import functools
import logging
import os
import socket
import threading
import time
import uuid

import django_rq
import redis
from django.conf import settings
from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry

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


@functools.cache
def _process_space() -> str:
    """Where this process's id means something: the host and its process namespace (Linux), so a
    lock holder's id is only checked by a process that sees the same processes; "" elsewhere."""
    try:
        return f"{socket.gethostname()}/{os.readlink('/proc/self/ns/pid')}"
    except OSError:
        return ""


def _gone(pid: int) -> bool:
    """Whether process ``pid`` of this process space has ended (a zombie counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except FileNotFoundError:
        return True
    except (OSError, IndexError):
        return False


# Delete the lock only if it still holds this token (its holder's, or a dead holder's).
_DELETE_IF_HELD_BY = ("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
                      "else return 0 end")


class AccountLock:
    """A Redis lock for (kind, account) with a token, so only its holder releases or extends it.
    The token names the holder (process space and id) so that a dead holder's lock can be taken
    over without waiting for it to expire."""

    def __init__(self, kind: str, account_id: int, *, seconds: int | None = None):
        self.key = _key("lock", kind, account_id)
        self.seconds = seconds or lock_seconds()
        self.token = f"{uuid.uuid4().hex} {os.getpid()} {_process_space()}"
        self.held = False
        self._holder_value = None

    def acquire(self, *, wait: float = 0.0) -> bool:
        deadline = time.monotonic() + wait
        conn = connection()
        while True:
            if conn.set(self.key, self.token, nx=True, ex=self.seconds):
                self.held = True
                return True
            if self.free_if_abandoned(conn) or self._holder_value is None:
                continue  # freed, or expired meanwhile: try again
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def free_if_abandoned(self, conn) -> bool:
        """Free the lock if its holder was a process of this process space that has ended; True
        if this call freed it."""
        if not self._holder_has_ended(conn) or not conn.eval(_DELETE_IF_HELD_BY, 1, self.key,
                                                                self._holder_value):
            return False
        log.warning("%s was held by a process that has ended: taken over", self.key)
        return True

    def _holder_has_ended(self, conn) -> bool:
        """Whether the lock's holder (read into ``_holder_value``) was a process of this process
        space that has ended."""
        value = self._holder_value = conn.get(self.key)
        if value is None:
            return False
        holder = (value.decode() if isinstance(value, bytes) else str(value)).split(" ", 2)
        space = _process_space()
        if len(holder) != 3 or not space or holder[2] != space or not holder[1].isdigit():
            return False
        pid = int(holder[1])
        return pid != os.getpid() and _gone(pid)

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
        try:
            connection().eval(_DELETE_IF_HELD_BY, 1, self.key, self.token)
        except Exception:  # Redis gone: the key expires by itself
            log.warning("could not release %s", self.key)
        self.held = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


def take_over_abandoned() -> list[tuple[str, int]]:
    """Free every sync lock whose holder was a process of this machine that has ended (a killed
    worker). Returns the (kind, id) of each: the caller asks for that work again, which would
    otherwise wait for the next scheduled sweep."""
    conn = connection()
    freed = []
    for raw in conn.scan_iter(match=_key("lock", "*"), count=500):
        key = raw.decode() if isinstance(raw, bytes) else str(raw)
        kind, _, ident = key[len(_key("lock")) + 1:].rpartition(":")
        if not ident.isdigit():
            continue
        if AccountLock(kind, int(ident)).free_if_abandoned(conn):
            freed.append((kind, int(ident)))
    return freed


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


# Whether the RQ job ARGV[1] .. value still waits to run: deferred, or queued and on its queue's
# list, or scheduled and in its queue's schedule. A job a killed worker took off the list, or
# took off the schedule without enqueuing it, keeps its status but no longer waits.
# (ARGV: the job key prefix, the queue key prefix, the schedule key prefix.)
_STILL_WAITING = """
local function still_waiting(value)
  local job = ARGV[1] .. value
  local status = redis.call('hget', job, 'status')
  if status == 'deferred' then return true end
  local origin = redis.call('hget', job, 'origin')
  if not origin then return false end
  if status == 'queued' then return redis.call('lpos', ARGV[2] .. origin, value) ~= false end
  if status == 'scheduled' then return redis.call('zscore', ARGV[3] .. origin, value) ~= false end
  return false
end
"""

# For each account (KEYS: its pending and queued flags, in pairs): set the pending flag; if no job
# waits (none noted, or the one noted no longer waits), note "enqueuing" and answer 1 (the caller
# enqueues one), else 0.
_REQUEST_MANY = _STILL_WAITING + """
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
      waiting = still_waiting(value)
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
_WAITING = _STILL_WAITING + "return still_waiting(ARGV[4]) and 1 or 0"  # ARGV[4]: the job id
_scripts = {}


def _script(conn, source: str):
    script = _scripts.get((id(conn), source))
    if script is None:
        script = _scripts[(id(conn), source)] = conn.register_script(source)
    return script


def _prefixes() -> list[str]:
    return [Job.redis_job_namespace_prefix, Queue.redis_queue_namespace_prefix,
            ScheduledJobRegistry.key_template.format("")]


# (client, kind, account ids) -> the script call as bytes on the wire, built once: a stock commit
# asks for the same accounts' pushes every time, so it sends these bytes and reads the answers.
_packed: dict = {}


def _request_many_answers(conn, kind: str, account_ids: list[int]) -> list:
    """Run the request script for these accounts: the prepared bytes on one of the client's
    connections (no command building), or, when Redis has lost the script (a restart), through
    redis-py's script object, which loads it again."""
    cache_key = (id(conn), kind, tuple(account_ids))
    found = _packed.get(cache_key)
    if found is None:
        keys = [k for a in account_ids for k in (_key("pending", kind, a), _key("queued", kind, a))]
        script = _script(conn, _REQUEST_MANY)
        pool = conn.connection_pool
        connection_ = pool.get_connection()
        try:
            packed = connection_.pack_command("EVALSHA", script.sha, len(keys), *keys, *_prefixes())
        finally:
            pool.release(connection_)
        found = _packed[cache_key] = (keys, packed)
    keys, packed = found
    pool = conn.connection_pool
    connection_ = pool.get_connection()
    try:
        connection_.send_packed_command(packed, check_health=False)
        return connection_.read_response()
    except redis.exceptions.NoScriptError:
        pass
    except BaseException:
        connection_.disconnect()  # an answer may still be on its way: never reuse this connection
        raise
    finally:
        pool.release(connection_)
    return _script(conn, _REQUEST_MANY)(keys=keys, args=_prefixes())


def request_many(kind: str, account_ids, enqueue_for, *, ttl: int = 900) -> list[int]:
    """``request`` for several accounts in one round trip: ``enqueue_for(account_id)`` is called
    only for the accounts with no job waiting. Returns the ids a job was enqueued for."""
    account_ids = sorted(set(account_ids))
    if not account_ids:
        return []
    conn = connection()
    enqueued = []
    try:
        answers = _request_many_answers(conn, kind, account_ids)
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
            if int(_script(conn, _WAITING)(keys=[], args=[*_prefixes(), job_id])):
                return False  # one is waiting; it will see the pending flag
            conn.delete(key)  # gone, running, done, or lost by a killed worker: queue another
    except redis.exceptions.ConnectionError:
        log.warning("Redis is not reachable: %s for account %s waits for the next scheduled sweep", kind, account_id)
    return False
