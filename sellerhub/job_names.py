"""What each kind of background job is called where people see it (job pages, progress bars, the
admin): "Channel sync", not "channels.sync_now". A kind missing here is shown in words made from
its code name ("orders.refetch" -> "Refetch"), never as the code name itself."""

JOB_NAMES = {
    "channels.sync_now": "Channel sync",
    "channels.retry": "Channel sync (retry)",
    "channels.import_listings": "Listing import",
    "channels.push_cancellation": "Cancellation sent to the channel",
    "channels.send_return_decision": "Return decision sent to the channel",
    "channels.pull_returns": "Returns download",
    "channels.create_refund": "Refund sent to the channel",
    "channels.push_listing_edit": "Listing edit sent to the channel",
    "orders.refetch": "Orders fetched again",
    "inventory.import_skus": "SKU import",
    "inventory.import_counts": "Stock count import",
    "inventory.fbt_sync": "FBT stock sync",
    "inventory.import_listing_images": "Listing pictures import",
    "fulfilment.tiktok.collection": "TikTok collection",
    "metrics.snapshots": "Metrics snapshot",
    "Print batch": "Label batch",
    "Print": "Print job",
}
WORDS = {"skus": "SKUs", "sku": "SKU", "fbt": "FBT", "tiktok": "TikTok", "csv": "CSV", "pdf": "PDF", "zpl": "ZPL"}


def job_name(kind: str) -> str:
    """The kind's name in the user's words."""
    if kind in JOB_NAMES:
        return JOB_NAMES[kind]
    words = kind.rsplit(".", 1)[-1].replace("_", " ").split()
    text = " ".join(WORDS.get(w.lower(), w) for w in words) or kind
    return text[:1].upper() + text[1:]
