"""The packages a channel reports for an order (sync, webhooks, import) become fulfilment Package
rows, which the metrics count. Registered with ``orders.hooks`` at startup, so the orders upsert
records them without importing fulfilment."""

from __future__ import annotations

from django.utils import timezone

from fulfilment.models import Package, PackageLine
from integrations.carriers import registry as carriers
from integrations.carriers.aliases import carrier_code
from orders.mapping import ChannelPackage
from orders.models import Order

PACKAGE_RANK = {Package.Status.DRAFT: 0, Package.Status.LABELLED: 1, Package.Status.SHIPPED: 2,
                Package.Status.IN_TRANSIT: 3, Package.Status.DELIVERED: 4}


def package_status(cp: ChannelPackage) -> str:
    """The Package status a channel's package stands for."""
    if cp.cancelled:
        return Package.Status.CANCELLED
    if cp.delivered_at:
        return Package.Status.DELIVERED
    if cp.first_scan_at:
        return Package.Status.IN_TRANSIT
    if cp.tracking_number:
        return Package.Status.SHIPPED
    return Package.Status.DRAFT


def record_channel_packages(*, order: Order, packages: tuple[ChannelPackage, ...]) -> list[str]:
    """The channel's packages become fulfilment Package rows (the metrics count packages): matched
    by the channel's package id, else by tracking number (a package SellerHub shipped and pushed).
    Returns one note per package created or changed (for the order's timeline)."""
    if not packages:
        return []
    changes = []
    existing = list(order.packages.all())
    by_id = {p.external_id: p for p in existing if p.external_id}
    by_tracking = {carriers.normalise(p.tracking_number): p for p in existing if p.tracking_number}
    lines = {line.external_id: line for line in order.lines.all()}
    for cp in packages:
        package = by_id.get(cp.external_id) if cp.external_id else None
        if package is None and cp.tracking_number:
            candidate = by_tracking.get(carriers.normalise(cp.tracking_number))
            if candidate is not None and candidate.external_id in ("", cp.external_id):
                package = candidate
        code = carrier_code(cp.carrier_name)
        values = {}
        if cp.external_id:
            values["external_id"] = cp.external_id
        if cp.tracking_number:
            verdict = carriers.validate(cp.tracking_number, carrier=code or None)
            values.update(tracking_number=cp.tracking_number, tracking_format_valid=verdict.valid,
                          carrier=code or (verdict.carrier if verdict.valid else "") or "")
        for name in ("carrier_name", "shipping_provider_id"):
            if getattr(cp, name):
                values[name] = getattr(cp, name)
        for name in ("tracking_uploaded_at", "first_scan_at", "delivered_at"):
            if getattr(cp, name):
                values[name] = getattr(cp, name)
        status = package_status(cp)
        if package is None:
            package = Package.objects.create(order=order, status=status, **values)
            changes.append(f"package {cp.external_id or cp.tracking_number}")
            if cp.external_id:
                by_id[cp.external_id] = package
        else:
            if status == Package.Status.CANCELLED or PACKAGE_RANK.get(status, 0) > PACKAGE_RANK.get(package.status, 0):
                values["status"] = status
            update = {k: v for k, v in values.items() if getattr(package, k) != v}
            if update:
                Package.objects.filter(pk=package.pk).update(**update, updated_at=timezone.now())
                changes.append(f"package {package.external_id or package.tracking_number}: {', '.join(sorted(update))}")
        have = set(package.lines.values_list("order_line__external_id", flat=True))
        new = [PackageLine(package=package, order_line=lines[ext], quantity=lines[ext].quantity)
               for ext in cp.line_external_ids if ext in lines and ext not in have]
        if new:
            PackageLine.objects.bulk_create(new)
    return changes

