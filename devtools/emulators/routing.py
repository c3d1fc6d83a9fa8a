"""Request, response and path routing shared by every emulated service."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

JSON_TYPE = "application/json; charset=UTF-8"


class BadRequest(ValueError):
    """The request's body or parameters are unusable; the service answers 400 in its shape."""


class Request:
    """One HTTP request as a service sees it: ``path`` is relative to the service prefix."""

    def __init__(
        self,
        *,
        method: str,
        path: str,
        query_string: str,
        headers: Mapping[str, str],
        body: bytes,
        host: str,
        prefix: str = "",
    ):
        self.method = method.upper()
        self.path = path
        self.query_string = query_string
        self.query: dict[str, list[str]] = parse_qs(query_string, keep_blank_values=True)
        self._headers = {k.lower(): v for k, v in headers.items()}
        self.body = body
        self.host = host
        self.prefix = prefix
        self.params: dict[str, str] = {}
        self.context: dict[str, Any] = {}  # per-request notes left by authenticate()
        self._json: Any = None
        self._json_loaded = False

    # --- headers and query ---------------------------------------------------------------
    def header(self, name: str, default: str | None = None) -> str | None:
        return self._headers.get(name.lower(), default)

    @property
    def headers(self) -> dict[str, str]:
        return dict(self._headers)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def int_arg(self, name: str, default: int | None = None) -> int | None:
        """Query integer; raises :class:`BadRequest` (naming the parameter) otherwise."""
        raw = self.arg(name)
        if raw is None or raw == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise BadRequest(f"{name} must be an integer") from None

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    @property
    def base_url(self) -> str:
        """``http://host:port`` as the client addressed us (for absolute links)."""
        return f"http://{self.host}"

    @property
    def service_base_url(self) -> str:
        return self.base_url + self.prefix

    # --- body ----------------------------------------------------------------------------
    def json(self, default: Any = None) -> Any:
        """The body parsed as JSON (``default`` when empty). Raises :class:`BadRequest`."""
        if not self._json_loaded:
            if not self.body.strip():
                self._json = default
            else:
                try:
                    self._json = json.loads(self.body)
                except (ValueError, UnicodeDecodeError) as exc:
                    raise BadRequest(f"Malformed JSON body: {exc}") from None
            self._json_loaded = True
        return self._json

    def json_object(self) -> dict[str, Any]:
        data = self.json(default={})
        if not isinstance(data, dict):
            raise BadRequest("The JSON body must be an object.")
        return data

    def form(self) -> dict[str, str]:
        """``application/x-www-form-urlencoded`` body, first value of each field."""
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("The form body is not UTF-8.") from None
        return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
        body = json.dumps(data, separators=(",", ":"), default=str).encode("utf-8")
        return cls(status=status, body=body, headers=dict(headers or {}))

    @classmethod
    def raw(
        cls,
        body: bytes,
        content_type: str,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        return cls(status=status, body=body, content_type=content_type, headers=dict(headers or {}))

    def parsed(self) -> Any:
        return json.loads(self.body) if self.body else None


class ApiError(Exception):
    """Raised by a handler to answer with ``response`` (already in the service's shape)."""

    def __init__(self, response: Response):
        super().__init__(response.status)
        self.response = response


Handler = Callable[[Request], Response]


@dataclass
class Route:
    method: str
    pattern: str
    handler: Handler
    auth: bool = True
    faultable: bool = True
    regex: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        parts = re.split(r"(\{[a-z_]+\})", self.pattern)
        regex = "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts)
        self.regex = re.compile(f"^{regex}$")


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, pattern: str, handler: Handler, *, auth: bool = True, faultable: bool = True) -> None:
        self.routes.append(Route(method.upper(), pattern, handler, auth=auth, faultable=faultable))

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], list[str]]:
        """``(route, params, allowed_methods)``; route is None when nothing matches."""
        allowed: list[str] = []
        for route in self.routes:
            m = route.regex.match(path)
            if not m:
                continue
            if route.method == method:
                return route, m.groupdict(), []
            allowed.append(route.method)
        return None, {}, allowed
