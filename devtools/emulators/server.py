"""The loopback HTTP server: one port, one path prefix per emulated service."""

from __future__ import annotations

import logging
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from .routing import Request, Response
from .state import EmulatorConfig, EmulatorState

log = logging.getLogger("devtools.emulators")

SERVICE_PATHS = {
    "tiktok": "/tiktok",
    "tiktok_auth": "/tiktok-auth",
    "woocommerce": "/woocommerce",
    "etsy": "/etsy",
    "square": "/square",
    "easypost": "/easypost/v2",
    "control": "/_emulator",
}


class EmulatorApp:
    """Turns raw HTTP into service calls: prefix → route → faults → auth → handler."""

    def __init__(self, state: EmulatorState):
        self.state = state

    def __call__(self, method: str, target: str, headers: dict[str, str], body: bytes, host: str) -> Response:
        started = time.time()
        parts = urlsplit(target)
        service, sub = self.state.service_for_path(parts.path)
        if service is None:
            resp = Response.json(
                {"error": f"No emulated service at {parts.path}.", "services": SERVICE_PATHS},
                status=404,
            )
            self._log(method, parts.path, "-", resp, started)
            return resp
        req = Request(
            method=method,
            path=sub,
            query_string=parts.query,
            headers=headers,
            body=body,
            host=host,
            prefix=service.prefix,
        )
        resolved = service.resolve(req)
        if isinstance(resolved, Response):
            resp = service.finalize(req, resolved)
            self._log(method, parts.path, service.name, resp, started)
            return resp
        route = resolved
        fault = self.state.faults.pick(service.name, sub) if route.faultable else None
        if fault in ("rate_limit", "server_error", "malformed"):
            resp = service.fault_response(fault, self.state.faults.retry_after)
            self._log(method, parts.path, service.name, resp, started, fault)
            return resp
        if fault == "slow":
            time.sleep(self.state.faults.slow_seconds)
        with self.state.lock:
            resp = service.handle(route, req)
            resp = service.finalize(req, resp)
        self._log(method, parts.path, service.name, resp, started, fault)
        return resp

    def _log(
        self, method: str, path: str, service: str, resp: Response, started: float, fault: str | None = None
    ) -> None:
        if service == "control":
            return
        self.state.request_log.append(
            {
                "service": service,
                "method": method,
                "path": path,
                "status": resp.status,
                "fault": fault,
                "at": started,
                "ms": round((time.time() - started) * 1000, 1),
            }
        )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SellerHubEmulator/1.0"
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid 40 ms stalls
    server: _Server

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        headers = {k: v for k, v in self.headers.items()}
        try:
            resp = self.server.app(self.command, self.path, headers, body, host)
        except Exception:  # pragma: no cover - the app already maps handler errors
            log.exception("emulator failed on %s %s", self.command, self.path)
            resp = Response.json({"error": "emulator crashed"}, status=500)
        try:
            self.send_response(resp.status)
            self.send_header("Content-Type", resp.content_type)
            self.send_header("Content-Length", str(len(resp.body)))
            for key, value in resp.headers.items():
                self.send_header(key, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(resp.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. timed out on a slow fault)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _dispatch

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.server.verbose:
            super().log_message(format, *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False
    request_queue_size = 128  # the default 5 drops connections under concurrent clients

    def __init__(self, address, app: EmulatorApp, verbose: bool = False):
        self.app = app
        self.verbose = verbose
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address):
        """A client that went away mid-request (a killed worker) is not an error of the emulator."""
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


@dataclass
class EmulatorHandle:
    """A running emulator. ``state`` is the live :class:`EmulatorState`."""

    server: _Server
    thread: threading.Thread
    state: EmulatorState
    host: str
    port: int

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, service: str) -> str:
        """Base URL a connector should be configured with, e.g. ``url("woocommerce")``."""
        return self.base_url + SERVICE_PATHS[service]

    @property
    def urls(self) -> dict[str, str]:
        return {name: self.url(name) for name in SERVICE_PATHS}

    def stop(self) -> None:
        self.state.stop_order_stream()
        self.state.webhooks.stop()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> EmulatorHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_emulator(
    port: int = 0,
    *,
    host: str = "127.0.0.1",
    config: EmulatorConfig | None = None,
    state: EmulatorState | None = None,
    verbose: bool = False,
) -> EmulatorHandle:
    """Start the emulator on a background thread; ``port=0`` picks a free port."""
    state = state or EmulatorState(config)
    server = _Server((host, port), EmulatorApp(state), verbose=verbose)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="emulator-http", daemon=True
    )
    thread.start()
    actual_host, actual_port = server.server_address[:2]
    handle = EmulatorHandle(server, thread, state, str(actual_host), int(actual_port))
    state.base_url = handle.base_url
    return handle
