"""Helpers for the emulator tests: thin API clients and a webhook receiver.

Plain pytest (no Django, no database). Each test module starts its own emulator with
:func:`running_emulator` in a module-scoped fixture and resets it between tests.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from devtools.emulators import EmulatorHandle, start_emulator
from integrations.channels.signing import tiktok_sign


@contextlib.contextmanager
def running_emulator(**kwargs: Any):
    handle = start_emulator(**kwargs)
    try:
        yield handle
    finally:
        handle.stop()


class TikTokClient:
    """Signs like a connector would: API path without the emulator prefix."""

    def __init__(self, emu: EmulatorHandle, **overrides: Any):
        c = emu.state.config.credentials
        self.base = emu.url("tiktok")
        self.app_key = overrides.get("app_key", c.tiktok_app_key)
        self.app_secret = overrides.get("app_secret", c.tiktok_app_secret)
        self.token = overrides.get("token", c.tiktok_access_token)
        self.cipher = overrides.get("cipher", c.tiktok_shop_cipher)
        self.session = requests.Session()

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        timestamp: int | None = None,
        sign: str | None = None,
        tamper_body: bytes | None = None,
        cipher: bool | None = None,
        token: str | None = None,
        timeout: float = 5,
    ) -> requests.Response:
        query: dict[str, Any] = {"app_key": self.app_key, "timestamp": str(timestamp or int(time.time()))}
        use_cipher = (not path.startswith("/authorization/")) if cipher is None else cipher
        if use_cipher:
            query["shop_cipher"] = self.cipher
        query.update({k: str(v) for k, v in (params or {}).items()})
        raw = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        query["sign"] = sign or tiktok_sign(app_secret=self.app_secret, path=path, query=query, body=raw)
        headers = {"x-tts-access-token": self.token if token is None else token}
        if raw:
            headers["Content-Type"] = "application/json"
        return self.session.request(
            method,
            self.base + path,
            params=query,
            data=tamper_body if tamper_body is not None else (raw or None),
            headers=headers,
            timeout=timeout,
        )

    def ok(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        resp = self.call(method, path, **kw)
        assert resp.status_code == 200, resp.text
        payload = resp.json()
        assert payload["code"] == 0, payload
        return payload["data"]


def woo_session(emu: EmulatorHandle) -> requests.Session:
    c = emu.state.config.credentials
    s = requests.Session()
    s.auth = (c.woo_consumer_key, c.woo_consumer_secret)
    return s


def etsy_session(emu: EmulatorHandle, token: str | None = None) -> requests.Session:
    c = emu.state.config.credentials
    s = requests.Session()
    s.headers["x-api-key"] = f"{c.etsy_keystring}:{c.etsy_shared_secret}"
    s.headers["Authorization"] = f"Bearer {token or c.etsy_access_token}"
    return s


def square_session(emu: EmulatorHandle) -> requests.Session:
    c = emu.state.config.credentials
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {c.square_access_token}"
    s.headers["Square-Version"] = "2025-08-20"
    return s


class WebhookReceiver:
    """A loopback endpoint that keeps every POST it gets (header names lower-cased)."""

    def __init__(self) -> None:
        received: list[dict[str, Any]] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                received.append({"path": self.path, "headers": headers, "body": body})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.time() + timeout
        while len(self.received) < count and time.time() < deadline:
            time.sleep(0.02)
        return list(self.received)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
