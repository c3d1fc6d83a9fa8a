"""What a CSV import would change, worked out before it changes anything: the existing SKUs whose
fields change (field, before, after), the stock figures that change (SKU, location, on hand now
and after) and the channel listings whose stock would then be pushed, per account. An import
that changes existing SKUs or stock waits for the person to confirm this preview (a second POST
with the preview's token: ``token_for`` / ``token_matches``); one that only adds new SKUs does not.
Reads only: the import job (``inventory.jobs``) stores the preview on the ``ImportFile``."""

import hashlib

from django.core import signing
from django.db.models import Count

from inventory.models import SKU, ChannelListing, Location, StockLevel
from sellerhub.models import Channel

SHOWN = 200  # rows of each list kept for the page; the totals count them all
SALT = "inventory.import-preview"
TOKEN_MAX_AGE = 24 * 3600  # a preview older than a day is checked again


def _text(value):
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items()) or "—"
    return str(value)


def _stock_changes(pairs):
    """pairs: (sku_id, seller_sku, location_id, new on hand) -> the changes, and the SKU ids changed."""
    pairs = list(pairs)
    if not pairs:
        return [], set()
    levels = {(lv.sku_id, lv.location_id): lv.on_hand for lv in StockLevel.objects.filter(
        sku_id__in={p[0] for p in pairs}, location_id__in={p[2] for p in pairs})}
    codes = dict(Location.objects.filter(pk__in={p[2] for p in pairs}).values_list("pk", "code"))
    changes, changed_ids = [], set()
    for sku_id, seller_sku, location_id, new in pairs:
        old = levels.get((sku_id, location_id), 0)
        if old != new:
            changes.append({"sku": seller_sku, "location": codes.get(location_id, "?"), "old": old, "new": new,
                            "difference": new - old})
            changed_ids.add(sku_id)
    return changes, changed_ids


def _pushes(sku_ids):
    """The active channel listings of these SKUs, counted per account: where the new stock goes."""
    if not sku_ids:
        return []
    names = dict(Channel.choices)
    rows = (ChannelListing.objects.filter(sku_id__in=sku_ids, active=True)
            .values("account__name", "account__channel").annotate(listings=Count("id")).order_by("account__name"))
    return [{"account": f"{r['account__name']} ({names.get(r['account__channel'], r['account__channel'])})",
             "listings": r["listings"]} for r in rows]


def _finish(*, new, changed, stock, changed_ids):
    return {
        "new_skus": new,
        "changed_skus": len(changed), "sku_changes": changed[:SHOWN],
        "stock_changes_total": len(stock), "stock_changes": stock[:SHOWN],
        "pushes": _pushes(changed_ids),
        "needs_confirmation": bool(changed or stock),
    }


def sku_import(rows) -> dict:
    """Rows as ``inventory.imports.validate_skus`` makes them."""
    current = {s.seller_sku: s for s in SKU.objects.filter(seller_sku__in=[r["seller_sku"] for r in rows])
               .select_related("product")}
    new, changed, pairs = 0, [], []
    for r in rows:
        sku = current.get(r["seller_sku"])
        if sku is None:
            new += 1
            continue
        diffs = [[field.replace("_", " "), _text(getattr(sku, field)), _text(value)]
                 for field, value in r["fields"].items() if getattr(sku, field) != value]
        product = sku.product.name if sku.product_id else ""
        if r.get("product") and r["product"] != product:
            diffs.append(["product", _text(product), r["product"]])
        if diffs:
            changed.append({"sku": sku.seller_sku, "changes": diffs})
        if r.get("quantity") is not None:
            pairs.append((sku.pk, sku.seller_sku, r["location_id"], r["quantity"]))
    stock, changed_ids = _stock_changes(pairs)
    return _finish(new=new, changed=changed, stock=stock, changed_ids=changed_ids)


def count_import(counts) -> dict:
    """Counts as ``inventory.imports.validate_counts`` makes them: (sku_id, location_id, counted)."""
    counts = list(counts)
    names = dict(SKU.objects.filter(pk__in={c[0] for c in counts}).values_list("pk", "seller_sku"))
    stock, changed_ids = _stock_changes((sku_id, names.get(sku_id, "?"), location_id, counted)
                                        for sku_id, location_id, counted in counts)
    return _finish(new=0, changed=[], stock=stock, changed_ids=changed_ids)


def _digest(upload) -> str:
    return hashlib.sha256(upload.content.encode()).hexdigest()[:32]


def token_for(upload) -> str:
    """The token the confirmation must carry: this upload, this content, signed, for a day."""
    return signing.dumps({"import": upload.pk, "digest": _digest(upload)}, salt=SALT, compress=True)


def token_matches(upload, token: str) -> bool:
    try:
        data = signing.loads(token or "", salt=SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return False
    return data == {"import": upload.pk, "digest": _digest(upload)}
