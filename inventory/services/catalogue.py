"""The catalogue: SKUs created, edited, deleted (only without stock history) and imported from
CSV with their counted stock, each in one transaction."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from inventory.models import SKU, Product, Reservation, StockLevel, StockMovement
from inventory.services.adjustments import apply_counts
from inventory.services.errors import StockError

SKU_FIELDS = ("seller_sku", "name", "attributes", "barcode", "weight_grams", "length_mm", "width_mm", "height_mm",
              "active", "reorder_point", "safety_stock_days", "product")


class CatalogueError(StockError):
    """A SKU that cannot be saved; `.fields` maps field names to their messages."""

    def __init__(self, message, fields=None):
        super().__init__(message)
        self.fields = fields or {}


def _check_sku(sku, exclude=()):
    try:
        sku.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        messages = []
        for field, errors in exc.message_dict.items():
            label = "SKU" if field == "seller_sku" else field.replace("_", " ")
            messages.extend(f"{label}: {e}" if field != NON_FIELD_ERRORS else e for e in errors)
        raise CatalogueError("; ".join(messages), exc.message_dict) from exc


def create_sku(*, seller_sku: str, name: str, user=None, **fields) -> SKU:
    """A new SKU (seller SKU unique, barcode checked). Its stock starts at zero everywhere."""
    unknown = set(fields) - set(SKU_FIELDS)
    if unknown:
        raise StockError("Unknown SKU field(s): " + ", ".join(sorted(unknown)))
    sku = SKU(seller_sku=(seller_sku or "").strip(), name=(name or "").strip(), **fields)
    _check_sku(sku)
    try:
        with transaction.atomic():
            sku.save()
    except IntegrityError as exc:  # a concurrent create of the same seller SKU or barcode
        raise CatalogueError(f"SKU {sku.seller_sku} or its barcode already exists.") from exc
    return sku


def update_sku(*, sku: SKU, user=None, **fields) -> SKU:
    unknown = set(fields) - set(SKU_FIELDS)
    if unknown:
        raise StockError("Unknown SKU field(s): " + ", ".join(sorted(unknown)))
    for field, value in fields.items():
        setattr(sku, field, value.strip() if isinstance(value, str) and field in ("seller_sku", "name") else value)
    _check_sku(sku)
    try:
        with transaction.atomic():
            sku.save()
    except IntegrityError as exc:
        raise CatalogueError(f"SKU {sku.seller_sku} or its barcode already exists.") from exc
    return sku


def delete_sku(*, sku: SKU, user=None) -> None:
    """Delete a SKU that never had stock; one with a ledger history can only be deactivated."""
    with transaction.atomic():
        if StockMovement.objects.filter(sku=sku).exists() or Reservation.objects.filter(sku=sku).exists():
            raise StockError(f"{sku.seller_sku} has stock history; deactivate it instead of deleting it.")
        StockLevel.objects.filter(sku=sku, on_hand=0, reserved=0).delete()
        sku.delete()


def import_skus(*, rows, user=None, note: str = "") -> dict:
    """Create or update SKUs from validated import rows, and set their counted stock, all in one
    transaction. Each row: {"seller_sku", "fields": {...}, "product": name or "", "location_id",
    "quantity": int or None}. Rows must already be validated (inventory.imports)."""
    rows = list(rows)
    now = timezone.now()
    with transaction.atomic():
        products = {}
        names = sorted({r["product"] for r in rows if r.get("product")})
        if names:
            existing = {p.name: p for p in Product.objects.filter(name__in=names)}
            Product.objects.bulk_create([Product(name=n) for n in names if n not in existing])
            products = {p.name: p for p in Product.objects.filter(name__in=names)}
        current = {s.seller_sku: s for s in SKU.objects.filter(seller_sku__in=[r["seller_sku"] for r in rows])}
        new, changed, update_fields = [], [], set()
        for r in rows:
            fields = dict(r["fields"])
            if r.get("product"):
                fields["product"] = products[r["product"]]
            sku = current.get(r["seller_sku"])
            if sku is None:
                new.append(SKU(seller_sku=r["seller_sku"], **fields))
            else:
                for field, value in fields.items():
                    setattr(sku, field, value)
                    update_fields.add(field)
                sku.updated_at = now
                changed.append(sku)
        SKU.objects.bulk_create(new, batch_size=1000)
        if changed:
            SKU.objects.bulk_update(changed, sorted(update_fields | {"updated_at"}), batch_size=1000)
        ids = dict(SKU.objects.filter(seller_sku__in=[r["seller_sku"] for r in rows]).values_list("seller_sku", "pk"))
        counts = [(ids[r["seller_sku"]], r["location_id"], r["quantity"])
                  for r in rows if r.get("quantity") is not None]
        movements = apply_counts(counts=counts, user=user, note=note or "SKU import") if counts else []
    return {"created": len(new), "updated": len(changed), "counted": len(movements)}
