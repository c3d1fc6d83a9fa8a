"""DRF building blocks named in settings (kept free of rest_framework.views to avoid import cycles)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, parsers, permissions
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


class Pagination(BoundedPageMixin, PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    # rest_framework.views reads DEFAULT_PERMISSION_CLASSES (this module) when it is imported.
    from rest_framework.views import exception_handler as drf_exception_handler  # noqa: PLC0415 -- import cycle

    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"error": response.data["detail"], **{k: v for k, v in response.data.items() if k != "detail"}}
        response.data.setdefault("status", response.status_code)
    elif response is not None:
        response.data = {"error": "Invalid input.", "status": response.status_code, "fields": response.data}
    return response
