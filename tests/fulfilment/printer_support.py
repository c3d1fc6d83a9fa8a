"""A loopback raw-9100 printer for tests: a TCP server thread on 127.0.0.1 (a free port) that
keeps the bytes of each connection, as a ZPL thermal printer would print them."""

from __future__ import annotations

import socket
import threading
import time


class LoopbackPrinter:
    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.received: list[bytes] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _addr = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                chunks = []
                while True:
                    try:
                        chunk = conn.recv(65536)
                    except OSError:
                        break
                    if not chunk:
                        break
                    chunks.append(chunk)
                with self._lock:
                    self.received.append(b"".join(chunks))

    def documents(self, n: int = 1, timeout: float = 10.0) -> list[bytes]:
        """The documents received, waiting until there are at least ``n``."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                if len(self.received) >= n:
                    return list(self.received)
            time.sleep(0.02)
        with self._lock:
            return list(self.received)

    def stop(self):
        self._stop.set()
        self.server.close()
        self._thread.join(timeout=2)
