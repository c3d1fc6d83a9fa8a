"""``make run``'s process supervisor: starts the services of the ``Procfile`` in order and stops
them in the reverse order, quietly.

- Start: Redis first (the others need it), then the emulators, then web, worker and scheduler.
- Output: one line per service as it starts (``web       | started (pid 123): http://...``), then
  only what a developer should act on: each line of a service is shown with its name, except the
  known start-up and shut-down chatter (``QUIET``: the development server's banner, Redis' and
  RQ's greetings, the emulators' address list). ``LOG_LEVEL`` (default ``WARNING`` here) is
  passed to the services; ``make run LOG_LEVEL=INFO`` shows every request and job again.
- Stop (Ctrl-C, or SIGTERM): each service runs in its own session, so a Ctrl-C reaches only this
  supervisor, which then stops web, worker and scheduler (SIGTERM to each service's own process:
  the worker lets its work horse finish the job, then quits), then the emulators, and Redis last,
  so nothing loses its Redis connection while it is still running. A service that does not stop within
  ``STOP_SECONDS`` gets SIGTERM, then SIGKILL. One line per stopped service.
- A service that ends by itself (a port in use, a crash) stops the others, like honcho does.

    python -m devtools.run [--procfile Procfile]
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

# Started first and stopped last, in this order (the rest start after them and stop before them).
FOUNDATIONS = ("redis", "emulator")
STOP_SECONDS = 15.0
NAME_WIDTH = 10

QUIET = [re.compile(p) for p in (
    r"^\s*$",
    # Django's development server banner (the address is in the service's start line)
    r"^Watching for file changes with", r"^Performing system checks", r"^System check identified no issues",
    r"^[A-Z][a-z]+ \d\d, \d{4} - \d\d:\d\d:\d\d$", r"^Django version ", r"^Starting development server at",
    r"^Quit the server with", r"WARNING: This is a development server", r"^For more information on production servers",
    # Redis' greetings and goodbyes
    r"^\d+:(?:[CMSX]|signal-handler) .*(oO0OoO0OoO0Oo|Redis version=|Configuration loaded|Server initialized|"
    r"overcommit_memory|Memory overcommit|User requested shutdown|Saving the final RDB|DB saved on disk|"
    r"Removing the unix socket|Redis is now ready to exit|Received SIG|Ready to accept|Running mode|"
    r"Background saving|monotonic clock)",
    r"^embedded Redis on ",
    # the emulators' address and credential list (the control page is in the start line)
    r"^SellerHub emulators on ", r"^  \S+ +https?://", r"^  demo world: ", r"^credentials:", r'^\s+"', r"^}$",
    # RQ's greetings and goodbyes
    r"Loading cron configuration", r"^Registered '", r"Successfully registered \d+ cron", r"Starting cron scheduler",
    r"CronScheduler \S+: ", r"Warm shut down requested", r"Stopping on request", r"done, quitting",
)]
ADDRESS = {
    "web": re.compile(r"runserver\s+(\S+:\d+)"),
    "emulator": re.compile(r"--port\s+(\d+)"),
}


def read_procfile(path) -> list[tuple[str, str]]:
    """(name, command) per line of a Procfile, foundations first, in the file's order otherwise."""
    entries = []
    for line in Path(path).read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#") or ":" not in line:
            continue
        name, command = line.split(":", 1)
        entries.append((name.strip(), command.strip()))
    rank = {name: i for i, name in enumerate(FOUNDATIONS)}
    return sorted(entries, key=lambda e: rank.get(e[0], len(FOUNDATIONS)))


def is_quiet(line: str) -> bool:
    return any(p.search(line) for p in QUIET)


def describe(name: str, command: str) -> str:
    match = ADDRESS.get(name) and ADDRESS[name].search(command)
    if not match:
        return ""
    if name == "web":
        return f": http://{match.group(1)}/"
    return f": http://127.0.0.1:{match.group(1)}/_emulator/"


class Supervisor:
    def __init__(self, entries, *, env=None, out=sys.stdout):
        self.entries = entries
        self.env = env or os.environ.copy()
        self.out = out
        self.procs: dict[str, subprocess.Popen] = {}
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    def say(self, name: str, text: str) -> None:
        with self.lock:
            self.out.write(f"{name:<{NAME_WIDTH}}| {text}\n")
            self.out.flush()

    def _pump(self, name: str, proc: subprocess.Popen) -> None:
        for raw in proc.stdout:
            line = raw.rstrip("\n")
            if not is_quiet(line):
                self.say(name, line)

    def start(self) -> None:
        for name, command in self.entries:
            proc = subprocess.Popen(command, shell=True, cwd=os.getcwd(), env=self.env, start_new_session=True,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, bufsize=1, errors="replace")
            self.procs[name] = proc
            threading.Thread(target=self._pump, args=(name, proc), daemon=True).start()
            self.say(name, f"started (pid {proc.pid}){describe(name, command)}")

    def wait(self) -> str | None:
        """Until a stop is asked for (None) or a service ends by itself (its name)."""
        while not self.stopping.is_set():
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    return name
            self.stopping.wait(0.2)
        return None

    def _stop_one(self, name: str) -> None:
        """SIGTERM to the service's own process first (Django's server, RQ's worker and cron, the
        emulators and the embedded Redis all stop cleanly on it; the worker lets its work horse
        finish the job), then to its whole session, then SIGKILL."""
        proc = self.procs[name]
        steps = ((os.kill, signal.SIGTERM, STOP_SECONDS), (os.killpg, signal.SIGTERM, 5.0),
                 (os.killpg, signal.SIGKILL, 5.0))
        for send, sig, wait in steps:
            if proc.poll() is not None:
                break
            try:
                send(proc.pid, sig)
                proc.wait(timeout=wait)
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        try:  # whatever it left in its session (the dev server's reloaded child) goes too
            os.killpg(proc.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
        self.say(name, "stopped")

    def stop(self) -> None:
        """Everything else first (together), then the foundations in reverse start order."""
        others = [n for n in self.procs if n not in FOUNDATIONS]
        threads = [threading.Thread(target=self._stop_one, args=(n,)) for n in others]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for name in reversed([n for n in FOUNDATIONS if n in self.procs]):
            self._stop_one(name)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.run", description="Run the Procfile's services.")
    parser.add_argument("--procfile", default="Procfile")
    options = parser.parse_args(argv)
    env = os.environ.copy()
    env.setdefault("LOG_LEVEL", "WARNING")
    env["PYTHONUNBUFFERED"] = "1"
    supervisor = Supervisor(read_procfile(options.procfile), env=env)

    def request_stop(*_args):
        supervisor.stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGHUP, request_stop)
    supervisor.start()
    ended = supervisor.wait()
    code = 0
    if ended is not None:
        code = supervisor.procs[ended].returncode or 1
        supervisor.say(ended, f"ended by itself (exit code {supervisor.procs[ended].returncode}): stopping the others")
    else:
        supervisor.say("system", "stopping: web, worker and scheduler first, Redis last")
    supervisor.stop()
    time.sleep(0.1)  # the last lines of the pumps
    return code


if __name__ == "__main__":
    sys.exit(main())
