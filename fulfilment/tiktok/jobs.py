"""TikTok Shipping jobs (RQ, queue "sync"; recorded as JobRuns with progress).

    ship_collection_job(run_id, collection_id, user_id)   labels, then TikTok ships the packages
                                                          with the request's handover method
    enqueue_collection(collection, user)                  the above, after the transaction commits
    sync_collections()                                    cron: open requests read back from TikTok
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from fulfilment.tiktok import collection as collections
from fulfilment.tiktok.models import CollectionRequest
from sellerhub.jobs import enqueue_job, progress, tracked

KIND = "fulfilment.tiktok.collection"


def enqueue_collection(collection: CollectionRequest, user=None):
    user_id = user.pk if user is not None and getattr(user, "is_authenticated", False) else None
    return enqueue_job(kind=KIND, func=ship_collection_job, args=[collection.pk, user_id], queue="sync", user=user,
                       message=f"Waiting for a worker to ask TikTok to ship {collection.reference}")


@tracked
def ship_collection_job(run_id, collection_id, user_id=None):
    collection = CollectionRequest.objects.get(pk=collection_id)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    progress(run_id, 2, f"{collection.reference}: labels and handover")
    try:
        return collections.ship_collection(collection=collection, user=user,
                                           report=lambda pct, msg: progress(run_id, pct, msg))
    except collections.api.ShippingError as exc:
        raise RuntimeError(str(exc)) from exc


def sync_collections() -> dict:
    return collections.sync_open()
