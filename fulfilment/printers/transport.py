"""The bytes to a printer: raw TCP (a ZPL thermal printer's port 9100) or a CUPS queue through the
``lp`` command. Nothing here touches the database; each failure is a ``PrinterUnreachable`` whose
message says what to check."""

from __future__ import annotations

import shutil
import socket
import subprocess

RAW_TIMEOUT = 5.0
LP_TIMEOUT = 30


class PrinterUnreachable(Exception):
    """The printer did not take the document; the message says why."""


def send_raw(host: str, port: int, data: bytes, *, timeout: float = RAW_TIMEOUT) -> None:
    """Send ``data`` to ``host:port`` over raw TCP (JetDirect / port 9100)."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
    except OSError as exc:
        raise PrinterUnreachable(f"The printer at {host}:{port} did not answer ({exc.strerror or exc}); check "
                                 f"that it is on and on the network.") from exc


def send_cups(queue: str, data: bytes, *, title: str = "SellerHub") -> None:
    """Print ``data`` (a PDF) on the CUPS queue with ``lp -d <queue>``."""
    lp = shutil.which("lp")
    if lp is None:
        raise PrinterUnreachable("The lp command is not installed on the server, so CUPS queues can't be used; "
                                 "install the CUPS client (apt-get install cups-client) or pick another printer.")
    try:
        done = subprocess.run([lp, "-d", queue, "-t", title[:100], "-"], input=data, capture_output=True,
                              timeout=LP_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PrinterUnreachable(f"lp did not run: {exc}") from exc
    if done.returncode != 0:
        why = (done.stderr or done.stdout).decode("utf-8", "replace").strip() or f"exit status {done.returncode}"
        raise PrinterUnreachable(f"CUPS refused the document on queue {queue}: {why[:300]}")
