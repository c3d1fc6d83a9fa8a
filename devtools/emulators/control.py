"""``/_emulator``: inspect and steer the emulator over HTTP (never faulted, no auth).

- ``GET  /_emulator/state``                  summary (orders per service, records, faults…)
- ``POST /_emulator/reset``                  back to the seed
- ``GET|POST|DELETE /_emulator/faults``      read, merge-update (JSON object) or clear switches
- ``POST /_emulator/orders``                 ``{"channel": "tiktok", "n": 5, "options": {...}}``
- ``GET  /_emulator/``                       the control page: the order stream (pause, resume), counts
- ``POST /_emulator/order-stream``           ``{"per_minute": 30, "channels": [...]}``; DELETE stops
- ``GET  /_emulator/order-stream``           the stream: running, paused, pace, caps, orders in the last hour/day
- ``POST /_emulator/order-stream/pause``     hold the stream (``/resume`` lets it go on); a form post
                                             from the control page is answered with the page
- ``GET  /_emulator/received?service=&kind=`` what the services were sent (stock, tracking…)
- ``GET  /_emulator/requests?service=``      the request log
- ``GET  /_emulator/webhooks``               outgoing webhook deliveries
- ``POST /_emulator/clock``                  ``{"advance": seconds}``
- ``GET  /_emulator/catalogue``              seeded SKUs and their ids per channel
- ``GET  /_emulator/credentials``            what the services accept
"""

from __future__ import annotations

import html
from dataclasses import asdict
from typing import Any

from .base import Service
from .routing import BadRequest, Request, Response


class ControlService(Service):
    name = "control"
    prefix = "/_emulator"

    def register_routes(self) -> None:
        r = self.route
        r("GET", "/state", self.state, auth=False, faultable=False)
        r("POST", "/reset", self.reset_all, auth=False, faultable=False)
        r("GET", "/faults", self.get_faults, auth=False, faultable=False)
        r("POST", "/faults", self.set_faults, auth=False, faultable=False)
        r("DELETE", "/faults", self.clear_faults, auth=False, faultable=False)
        r("POST", "/orders", self.generate, auth=False, faultable=False)
        r("POST", "/order-stream", self.start_stream, auth=False, faultable=False)
        r("DELETE", "/order-stream", self.stop_stream, auth=False, faultable=False)
        r("GET", "/order-stream", self.stream_status, auth=False, faultable=False)
        r("POST", "/order-stream/pause", self.pause_stream, auth=False, faultable=False)
        r("POST", "/order-stream/resume", self.resume_stream, auth=False, faultable=False)
        r("GET", "/", self.page, auth=False, faultable=False)
        r("GET", "/received", self.received, auth=False, faultable=False)
        r("GET", "/requests", self.requests, auth=False, faultable=False)
        r("GET", "/webhooks", self.webhooks, auth=False, faultable=False)
        r("POST", "/clock", self.clock_advance, auth=False, faultable=False)
        r("GET", "/catalogue", self.catalogue_ids, auth=False, faultable=False)
        r("GET", "/credentials", self.credentials, auth=False, faultable=False)

    def error(self, status: int, message: str, **extra: Any) -> Response:
        return Response.json({"error": message, **extra}, status=status)

    def state(self, req: Request) -> Response:
        return Response.json(self.hub.summary())

    def reset_all(self, req: Request) -> Response:
        self.hub.reset()
        return Response.json({"reset": True})

    def get_faults(self, req: Request) -> Response:
        return Response.json(self.hub.faults.to_dict())

    def set_faults(self, req: Request) -> Response:
        body = req.json_object()
        if body.pop("clear", False):
            self.hub.faults.clear()
        try:
            self.hub.faults.update(**body)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        return Response.json(self.hub.faults.to_dict())

    def clear_faults(self, req: Request) -> Response:
        self.hub.faults.clear()
        return Response.json(self.hub.faults.to_dict())

    def generate(self, req: Request) -> Response:
        body = req.json_object()
        n = body.get("n", 1)
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 10_000:
            raise BadRequest("n must be an integer between 0 and 10000")
        options = body.get("options") or {}
        if not isinstance(options, dict):
            raise BadRequest("options must be an object")
        try:
            ids = self.hub.generate_orders(str(body.get("channel", "")), n, **options)
        except (ValueError, TypeError, KeyError) as exc:
            raise BadRequest(str(exc)) from None
        return Response.json({"ids": ids}, status=201)

    def start_stream(self, req: Request) -> Response:
        body = req.json_object()
        try:
            self.hub.start_order_stream(
                float(body.get("per_minute", 0)), body.get("channels"), **(body.get("options") or {})
            )
        except (ValueError, TypeError, KeyError) as exc:
            raise BadRequest(str(exc)) from None
        return Response.json({"streaming": True})

    def stop_stream(self, req: Request) -> Response:
        self.hub.stop_order_stream()
        return Response.json({"streaming": False})

    def stream_status(self, req: Request) -> Response:
        return Response.json(self.hub.stream_status())

    def _stream_answer(self, req: Request) -> Response:
        if (req.content_type or "").startswith("application/x-www-form-urlencoded"):
            return Response.raw(b"", status=303, content_type="text/plain", headers={"Location": "/_emulator/"})
        return Response.json(self.hub.stream_status())

    def pause_stream(self, req: Request) -> Response:
        self.hub.pause_order_stream()
        return self._stream_answer(req)

    def resume_stream(self, req: Request) -> Response:
        self.hub.resume_order_stream()
        return self._stream_answer(req)

    def page(self, req: Request) -> Response:
        """The control page: what the order stream does, and a button to pause or resume it."""
        status = self.hub.stream_status()
        summary = self.hub.summary()["services"]
        if not status["running"]:
            state = "not running (start it with --orders-per-minute)"
        elif status["paused"]:
            state = "paused"
        elif status["capped"]:
            state = f"waiting: this {status['capped']}'s cap is reached"
        else:
            state = "running"
        action, label = ("resume", "Resume the order stream") if status["paused"] else (
            "pause", "Pause the order stream")
        caps = ", ".join(f"{n} per {unit}" for n, unit in ((status["orders_per_hour_cap"], "hour"),
                                                            (status["orders_per_day_cap"], "day")) if n) or "none"
        rows = "".join(
            f"<tr><td>{html.escape(name)}</td><td>{svc.get('orders', svc.get('receipts', ''))}</td></tr>"
            for name, svc in summary.items() if name in ("tiktok", "woocommerce", "etsy", "square"))
        body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Emulator control</title></head>
<body><h1>SellerHub emulators</h1>
<h2>Order stream</h2>
<p>State: <strong id="stream-state">{html.escape(state)}</strong></p>
<p>Pace: {status['per_minute']} orders a minute over {html.escape(", ".join(status['channels']) or "-")};
caps: {html.escape(caps)}. Streamed in the last hour: {status['last_hour']}, last 24 hours: {status['last_day']}.
Seeded demo orders: {status['seeded_orders']}.</p>
<form method="post" action="/_emulator/order-stream/{action}"><button type="submit">{label}</button></form>
<h2>Orders per channel</h2><table><tr><th>channel</th><th>orders</th></tr>{rows}</table>
<p>JSON: <a href="/_emulator/state">state</a>, <a href="/_emulator/order-stream">order stream</a>.</p>
</body></html>"""
        return Response.raw(body.encode(), content_type="text/html; charset=utf-8")

    def received(self, req: Request) -> Response:
        return Response.json(self.hub.received(req.arg("service"), req.arg("kind")))

    def requests(self, req: Request) -> Response:
        return Response.json(self.hub.requests(req.arg("service")))

    def webhooks(self, req: Request) -> Response:
        return Response.json([d.as_dict() for d in self.hub.webhooks.deliveries])

    def clock_advance(self, req: Request) -> Response:
        seconds = req.json_object().get("advance", 0)
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise BadRequest("advance must be a number of seconds")
        return Response.json({"now": self.hub.clock.advance(seconds)})

    def catalogue_ids(self, req: Request) -> Response:
        return Response.json(self.hub.mapping())

    def credentials(self, req: Request) -> Response:
        return Response.json(asdict(self.hub.config.credentials))
