"""Base class of an emulated service: its routes, state, auth and error shapes."""

from __future__ import annotations

import abc
import logging
from typing import TYPE_CHECKING, Any, ClassVar

from .routing import ApiError, BadRequest, Request, Response, Route, Router

if TYPE_CHECKING:
    from .state import EmulatorState

log = logging.getLogger("devtools.emulators")

MALFORMED_BODY = b'{"emulator":"malformed response","data":{"items":[{"id":'


class Service(abc.ABC):
    """One outside API mounted under ``prefix`` on the shared emulator port.

    Subclasses register routes in :meth:`register_routes`, keep their state in attributes
    set by :meth:`reset`, check credentials in :meth:`authenticate` (raise
    :class:`ApiError`) and answer errors in the service's own JSON shape.
    Handlers run under the hub's lock, one at a time.
    """

    name: ClassVar[str] = ""
    prefix: ClassVar[str] = ""

    def __init__(self, hub: EmulatorState):
        self.hub = hub
        self.router = Router()
        self.register_routes()
        self.reset()

    # --- shortcuts -------------------------------------------------------------------------
    @property
    def clock(self):
        return self.hub.clock

    @property
    def rng(self):
        return self.hub.rng

    @property
    def creds(self):
        return self.hub.config.credentials

    @property
    def catalogue(self):
        return self.hub.catalogue

    def now(self) -> int:
        return self.clock.now_int()

    def record(self, kind: str, /, **payload: Any) -> dict[str, Any]:
        return self.hub.record(self.name, kind, **payload)

    def route(self, method: str, pattern: str, handler, **kw) -> None:
        self.router.add(method, pattern, handler, **kw)

    # --- to override ---------------------------------------------------------------------
    @abc.abstractmethod
    def register_routes(self) -> None:
        """Add the service's routes with :meth:`route`."""

    def reset(self) -> None:  # noqa: B027 -- optional: a service with no state keeps this
        """Restore the seeded state (called at start and by ``/_emulator/reset``)."""

    def authenticate(self, req: Request) -> None:  # noqa: B027 -- optional: open services keep this
        """Raise :class:`ApiError` when the request's credentials are refused."""

    def error(self, status: int, message: str, **extra: Any) -> Response:
        return Response.json({"error": message, **extra}, status=status)

    def rate_limited_response(self) -> Response:
        return self.error(429, "Too many requests.")

    def server_error_response(self) -> Response:
        return self.error(500, "Internal server error.")

    def not_found_response(self, req: Request) -> Response:
        return self.error(404, f"No route for {req.method} {req.path}.")

    def method_not_allowed_response(self, req: Request, allowed: list[str]) -> Response:
        resp = self.error(405, f"Method {req.method} not allowed for {req.path}.")
        resp.headers["Allow"] = ", ".join(sorted(set(allowed)))
        return resp

    def bad_request_response(self, message: str) -> Response:
        return self.error(400, message)

    def finalize(self, req: Request, resp: Response) -> Response:
        """Last touch on every answer (e.g. rate-limit headers)."""
        return resp

    def summary(self) -> dict[str, Any]:
        return {}

    # --- plumbing ------------------------------------------------------------------------
    def fault_response(self, kind: str, retry_after: int | None) -> Response:
        if kind == "rate_limit":
            resp = self.rate_limited_response()
            if retry_after is not None:
                resp.headers["Retry-After"] = str(retry_after)
            return resp
        if kind == "server_error":
            return self.server_error_response()
        return Response(status=200, body=MALFORMED_BODY)

    def resolve(self, req: Request) -> Route | Response:
        route, params, allowed = self.router.match(req.method, req.path)
        if route is None:
            if allowed:
                return self.method_not_allowed_response(req, allowed)
            return self.not_found_response(req)
        req.params = params
        return route

    def handle(self, route: Route, req: Request) -> Response:
        try:
            if route.auth:
                self.authenticate(req)
            return route.handler(req)
        except ApiError as exc:
            return exc.response
        except BadRequest as exc:
            return self.bad_request_response(str(exc))
        except Exception:
            log.exception("emulated %s crashed on %s %s", self.name, req.method, req.path)
            return self.server_error_response()

    def fail(self, status: int, message: str, **extra: Any) -> ApiError:
        """``raise self.fail(...)`` answers with :meth:`error`."""
        return ApiError(self.error(status, message, **extra))

    def failing_items(self, req: Request, count: int) -> set[int]:
        return self.hub.faults.failing_items(self.name, req.path, count)
