"""What the fulfilment pages share: the capabilities they check (viewing needs view_operations,
working needs work_warehouse), htmx detection, safe ``next`` redirects, PDF answers, the paper
size asked for and form errors as one line."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

from fulfilment.forms import PAPER
from sellerhub.downloads import content_disposition
from sellerhub.roles import perm

VIEW = perm("view_operations")
WORK = perm("work_warehouse")
PAGE_SIZE = 50


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def require(request, permission):
    if not request.user.has_perm(permission):
        raise PermissionDenied


def next_url(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def pdf_response(content: bytes, filename: str, *, download: bool = False, content_type: str = "application/pdf"):
    response = HttpResponse(content, content_type=content_type)
    attachment = download or content_type != "application/pdf"
    response["Content-Disposition"] = content_disposition(filename, attachment=attachment)
    response["Cache-Control"] = "private, no-store"
    return response


def paper_size(request) -> str:
    size = (request.GET.get("size") or "letter").lower()
    return size if size in dict(PAPER) or size == "4x6" else "letter"


def form_errors(form) -> str:
    return " ".join(f"{form.fields[k].label if k in form.fields and form.fields[k].label else k}: {' '.join(v)}"
                    if k != "__all__" else " ".join(v) for k, v in form.errors.items())
