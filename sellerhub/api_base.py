"""DRF building blocks named in settings (kept free of rest_framework.views to avoid import cycles)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, parsers, permissions, serializers
from rest_framework.pagination import PageNumberPagination

from sellerhub import json_body
from sellerhub.api_filters import BoundedPageMixin


class RolePermission(permissions.BasePermission):
    """Views declare `read_permission` and, for writes, `write_permission` (capability perms).

    A view that declares neither is refused to everybody: forgetting is never an open door.
    """

    message = "Your role does not allow this."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            raise exceptions.NotAuthenticated()
        if request.method in permissions.SAFE_METHODS:
            needed = getattr(view, "read_permission", None)
        else:
            needed = getattr(view, "write_permission", None) or None
        if needed is None:
            return False
        return user.has_perm(needed)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser through the one JSON reader (``sellerhub.json_body``): a body that is not
    UTF-8, not JSON, nested too deep (RecursionError) or carries absurd numbers is a 400 JSON
    answer ("the body is not valid JSON ..."), never a 500; NUL characters are removed."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        try:
            return json_body.loads(raw)
        except json_body.BadJson as exc:
            raise exceptions.ParseError(str(exc)[:1].upper() + str(exc)[1:] + ".") from None


class Conflict(exceptions.APIException):
    """409: the request is well formed but the things it names are not in a state that allows it
    (the package has shipped, the order is cancelled)."""

    status_code = 409
    default_detail = "This can't be done in the current state."
    default_code = "conflict"


def not_found(message: str, *, field: str = ""):
    """Answer 404 with ``{"error": message, "field": field}``: the request names something (an
    order, a SKU, a location) that isn't there. A well-formed request is never a 400 for that."""
    raise exceptions.NotFound({"detail": message, **({"field": field} if field else {})})


def conflict(message: str, *, field: str = ""):
    """Answer 409 with ``{"error": message}``: see ``Conflict``."""
    raise Conflict({"detail": message, **({"field": field} if field else {})})


class Pagination(BoundedPageMixin, PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def _names_only_missing(exc) -> bool:
    """A validation error whose every problem is "there is no such object" (a related id that does
    not exist): the request was well formed, so it is answered 404, not 400."""
    codes = exc.get_codes()

    def leaves(value):
        if isinstance(value, dict):
            for item in value.values():
                yield from leaves(item)
        elif isinstance(value, list):
            for item in value:
                yield from leaves(item)
        else:
            yield value

    found = list(leaves(codes))
    return bool(found) and all(code == "does_not_exist" for code in found)


def exception_handler(exc, context):
    if isinstance(exc, exceptions.ValidationError) and _names_only_missing(exc):
        exc.status_code = 404
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    # rest_framework.views reads DEFAULT_PERMISSION_CLASSES (this module) when it is imported.
    from rest_framework.views import exception_handler as drf_exception_handler  # noqa: PLC0415 -- import cycle

    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"error": response.data["detail"], **{k: v for k, v in response.data.items() if k != "detail"}}
        if isinstance(response.data["error"], list) and len(response.data["error"]) == 1:
            response.data["error"] = response.data["error"][0]
        response.data.setdefault("status", response.status_code)
    elif response is not None:
        response.data = {"error": "Invalid input.", "status": response.status_code, "fields": response.data}
    return response


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^\d{1,10}(?:\.\d{1,2})?$",
                      "example": "12.50"})
class AmountField(serializers.DecimalField):
    """A money amount of 0 or more with two decimals (max 10 digits before the point); the schema
    says so, where DRF's own decimal field documents a sign it then refuses."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)
