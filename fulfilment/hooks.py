"""Hooks through which a higher layer (the channels app) hears what fulfilment did, without
fulfilment importing it.

``register_tracking_queued(fn)``: ``fn(package_id)`` runs after the transaction that shipped a
package and wrote its tracking upload (the ``TrackingPush`` outbox row, pending) commits; the
channels app registers the job that uploads it (``channels/startup.py``). A callback that raises
is logged and does not stop the others: the pending row stays for the next sweep.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

TrackingQueued = Callable[..., None]  # fn(package_id, *, on_demand=False)

_tracking_queued: list[TrackingQueued] = []


def register_tracking_queued(fn: TrackingQueued) -> None:
    """Register ``fn(package_id, *, on_demand)``, called on commit each time a package's tracking upload is queued.
    Registering the same function again changes nothing."""
    if fn not in _tracking_queued:
        _tracking_queued.append(fn)


def tracking_queued(package_id: int, *, on_demand: bool = False) -> None:
    """Announce (on commit of the current transaction) that the package's tracking upload is queued;
    ``on_demand``: a person asked for it (a retry), so it runs whatever the channel's backoff says."""
    for fn in list(_tracking_queued):
        transaction.on_commit(lambda fn=fn: fn(package_id, on_demand=on_demand), robust=True)
