"""Outgoing webhooks: signed deliveries to URLs registered with an emulated service.

Deliveries run on one background thread (never under the hub's lock). Each attempt is
kept in ``deliveries`` with the status the receiver answered; there are no retries.
"""

from __future__ import annotations

import queue
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Delivery:
    service: str
    event: str
    url: str
    headers: dict[str, str]
    body: bytes
    status: int | None = None
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "event": self.event,
            "url": self.url,
            "headers": dict(self.headers),
            "body": self.body.decode("utf-8", "replace"),
            "status": self.status,
            "error": self.error,
        }


class WebhookDispatcher:
    def __init__(self, timeout: float = 5.0):
        self.timeout = timeout
        self.deliveries: list[Delivery] = []
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def emit(self, service: str, event: str, url: str, headers: dict[str, str], body: bytes) -> Delivery:
        delivery = Delivery(service, event, url, dict(headers), body)
        with self._lock:
            self.deliveries.append(delivery)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="emulator-webhooks", daemon=True)
                self._thread.start()
        self._queue.put(delivery)
        return delivery

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued delivery has been attempted."""
        done = threading.Event()

        def waiter() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=waiter, daemon=True).start()
        return done.wait(timeout)

    def clear(self) -> None:
        with self._lock:
            self.deliveries = []

    def stop(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)

    def _run(self) -> None:
        while True:
            delivery = self._queue.get()
            try:
                if delivery is None:
                    return
                self._send(delivery)
            finally:
                self._queue.task_done()

    def _send(self, delivery: Delivery) -> None:
        headers = {"Content-Type": "application/json", **delivery.headers}
        req = urllib.request.Request(delivery.url, data=delivery.body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - test URLs
                delivery.status = resp.status
        except urllib.error.HTTPError as exc:
            delivery.status = exc.code
        except Exception as exc:  # connection refused, timeout...
            delivery.error = f"{type(exc).__name__}: {exc}"
