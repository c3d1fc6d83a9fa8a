"""`make run`'s processes: quiet and orderly. The supervisor (devtools/run.py) starts Redis, the
web server and the worker, a 404 and a 403 are each logged as one line, and a Ctrl-C (SIGINT to
the supervisor's process group, as a terminal sends it) stops the web server and the worker before
Redis, with no traceback and no lost Redis connection. A role's 403 in the app is logged as one
line without a traceback."""

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from devtools.run import is_quiet, read_procfile

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url, data=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except urllib.error.URLError:
        return None  # not listening yet


def test_the_real_procfile_starts_redis_first_and_keeps_the_worker_quiet():
    names = [name for name, _ in read_procfile(ROOT / "Procfile")]
    assert names[0] == "redis"
    assert {"web", "worker", "scheduler"} <= set(names)
    assert is_quiet("Watching for file changes with StatReloader")
    assert not is_quiet("Internal Server Error: /orders/")


def test_ctrl_c_stops_web_and_worker_before_redis_without_a_traceback(tmp_path):
    port = free_port()
    sock = tmp_path / "redis.sock"
    procfile = tmp_path / "Procfile"
    procfile.write_text(
        f"redis: {PY} -m sellerhub.embedded_redis --socket {sock}\n"
        f"web: {PY} manage.py runserver 127.0.0.1:{port}\n"
        f"worker: {PY} manage.py wait_for_redis && exec {PY} manage.py rqworker push default sync documents "
        "--with-scheduler --verbosity 0\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SELLERHUB_TEST", "PYTEST", "DJANGO_SETTINGS"))}
    env.update(DEBUG="true", REDIS_URL=f"unix://{sock}?db=0", DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
               DJANGO_SETTINGS_MODULE="config.settings")
    env.pop("LOG_LEVEL", None)
    proc = subprocess.Popen([PY, "-m", "devtools.run", "--procfile", str(procfile)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while fetch(f"http://127.0.0.1:{port}/healthz") != 200:
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, "the web server and Redis did not come up"
            time.sleep(0.3)
        assert fetch(f"http://127.0.0.1:{port}/no-such-page/") == 404
        assert fetch(f"http://127.0.0.1:{port}/login/", data=b"username=x&password=y") == 403  # no CSRF token
        time.sleep(1.0)  # the worker subscribes and its scheduler starts
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    lines = output.splitlines()
    assert proc.returncode == 0, output
    assert "Traceback" not in output and "ConnectionError" not in output, output
    for name in ("redis", "web", "worker"):
        assert sum(line.startswith(f"{name:<10}| started") for line in lines) == 1, output
    assert sum("/no-such-page/" in line for line in lines) == 1, output
    assert sum("/login/" in line for line in lines) == 1, output
    stopped = [line.split("|")[0].strip() for line in lines if line.endswith("| stopped")]
    assert stopped[-1] == "redis" and set(stopped) == {"redis", "web", "worker"}, output
    chatter = ("Watching for file changes", "Django version", "Starting development server", "Quit the server",
               "oO0OoO0Oo", "Listening on", "subscribing to channel", "cleaning registries", "Warm shut down")
    assert not [line for line in lines if any(c in line for c in chatter)], output


@pytest.mark.django_db
def test_a_role_refusal_is_logged_as_one_line_without_a_traceback(client, warehouse_user, caplog):
    client.force_login(warehouse_user)
    with caplog.at_level(logging.WARNING):
        assert client.get("/metrics/").status_code == 403
        assert client.get("/orders/999999/").status_code == 404
    refusals = [r for r in caplog.records if r.name.startswith("django.")]
    assert [r.getMessage() for r in refusals] == ["Forbidden (Permission denied): /metrics/",
                                                  "Not Found: /orders/999999/"]
    assert "Traceback" not in caplog.text
    assert all(r.exc_info is None for r in refusals)
