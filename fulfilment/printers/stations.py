"""Which packing station this browser is: the station's id in a signed cookie (a year long)."""

from __future__ import annotations

from django.conf import settings

from fulfilment.printers import selectors
from fulfilment.printers.models import PackingStation

COOKIE = "sellerhub_station"
SALT = "fulfilment.station"
MAX_AGE = 365 * 24 * 3600


def current(request) -> PackingStation | None:
    """The browser's station, or None (no cookie, a forged one, or a deleted station)."""
    pk = request.get_signed_cookie(COOKIE, default=None, salt=SALT, max_age=MAX_AGE)
    return selectors.station(pk) if pk and str(pk).isdigit() else None


def remember(response, station: PackingStation):
    response.set_signed_cookie(COOKIE, str(station.pk), salt=SALT, max_age=MAX_AGE, httponly=True, samesite="Lax",
                               secure=settings.SESSION_COOKIE_SECURE)
    return response


def forget(response):
    response.delete_cookie(COOKIE, samesite="Lax")
    return response
