"""Fulfilment jobs.

- ``print_batch_job(run_id, batch_id)`` (queue ``documents``): a print batch's packages get
  their labels (made or bought as the batch's label policy says, each once:
  ``services.ensure_batch_label``), then every label, whatever its
  source, goes into one 4x6 PDF or one ZPL stream, with a packing slip after each if asked.
  Progress shows on the batch's page; the file stays downloadable. Running it again makes the
  same file: packages and labels that exist are used as they are.
- ``follow_package_job(package_id)`` (queue ``default``): start the carrier tracker of a
  shipped package and record its scans (queued by ``fulfilment.services.tracking`` when a
  package ships, by its dotted path).
- ``refresh_trackers()`` (hourly, cron.py): read the trackers of packages on their way, in case
  a webhook was lost.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

import documents as docs
from fulfilment import printing, services
from fulfilment.models import Package, PrintBatch
from integrations.labels import NotConfigured, ProviderError, get_provider
from sellerhub.jobs import progress, tracked

log = logging.getLogger("sellerhub.fulfilment")

P = Package.Status


def follow_package_job(package_id: int) -> dict:
    package = Package.objects.filter(pk=package_id).first()
    if package is None:
        return {"message": "no such package"}
    try:
        changes = services.follow_package(package=package)
    except NotConfigured as exc:
        return {"message": f"not followed: {exc}"}
    except ProviderError as exc:
        if exc.retryable:
            raise  # RQ keeps it as failed; the hourly refresh tries again
        return {"message": f"not followed: {exc}"}
    return {"message": ", ".join(changes) or "no change"}


def refresh_trackers(limit: int = 500) -> dict:
    """The provider's trackers of packages shipped in the last 30 days and not delivered (those SellerHub
    follows: bought through the provider, or shipped here with a typed number), stalest first."""
    now = timezone.now()
    packages = list(Package.objects.filter(
        status__in=[P.SHIPPED, P.IN_TRANSIT], tracking_uploaded_at__gte=now - dt.timedelta(days=30))
        .exclude(tracking_number="").filter(~Q(provider_tracker_id="") | ~Q(label_source=""))
        .order_by(F("tracker_updated_at").asc(nulls_first=True), "pk")[:limit])
    done, failed = 0, 0
    try:
        provider = get_provider()
    except NotConfigured as exc:
        return {"message": str(exc)}
    for package in packages:
        try:
            services.follow_package(package=package, provider=provider)
            done += 1
        except ProviderError as exc:
            failed += 1
            log.warning("tracker of package %s not refreshed: %s", package.pk, exc)
    return {"refreshed": done, "failed": failed}


# ---------------------------------------------------------------------------------------------
# Print batches


def _packages_of(batch: PrintBatch, report) -> tuple[list[Package], list[str]]:
    """The batch's packages in print order: the orders' (one made for an order with none) then
    the packages asked for by id; no package twice."""
    problems, out, seen = [], [], set()
    orders = list(batch.orders.select_related("account").order_by("dispatch_due_at", "pk"))
    for index, order in enumerate(orders, start=1):
        try:
            for package in services.ensure_batch_package(order=order, user=batch.created_by):
                if package.pk not in seen:
                    seen.add(package.pk)
                    out.append(package)
        except services.FulfilmentError as exc:
            problems.append(f"order {order.external_id}: {exc}")
        if index % 20 == 0:
            report(2 + index * 8 // max(len(orders), 1), f"Packages of {index} of {len(orders)} orders")
    for package in batch.requested_packages.order_by("pk"):
        if package.pk not in seen:
            seen.add(package.pk)
            out.append(package)
    if len(out) > PrintBatch.MAX_PACKAGES:
        problems.append(f"{len(out) - PrintBatch.MAX_PACKAGES} package(s) left out: a batch prints at most "
                        f"{PrintBatch.MAX_PACKAGES}")
        out = out[:PrintBatch.MAX_PACKAGES]
    return out, problems


def _batch_item(batch: PrintBatch, package: Package, positions: dict) -> docs.BatchItem:
    order = package.order
    slip = printing.slip_data(order, package) if batch.with_slips else None
    reference = f"order {order.external_id}, package {package.pk}"
    if package.label_source in (Package.LabelSource.OWN, Package.LabelSource.TYPED):
        label = printing.label_data(package, position=positions.get(package.pk))
    else:
        with package.label_file.open("rb") as fh:
            label = fh.read()
    return docs.BatchItem(label=label, slip=slip, reference=reference)


@tracked
def print_batch_job(run_id: int, batch_id: int) -> dict:
    batch = PrintBatch.objects.select_related("created_by").get(pk=batch_id)
    services.batch_started(batch=batch)

    def report(percent, message):
        progress(run_id, percent, message)

    try:
        report(1, "Gathering the packages")
        packages, problems = _packages_of(batch, report)
        ready, providers = [], {}
        for index, package in enumerate(packages, start=1):
            package = Package.objects.select_related("order__account").get(pk=package.pk)
            if package.status == P.CANCELLED:
                problems.append(f"order {package.order.external_id}, package {package.pk}: cancelled")
                continue
            try:
                package = services.ensure_batch_label(batch=batch, package=package, providers=providers)
            except services.FulfilmentError as exc:
                problems.append(f"order {package.order.external_id}, package {package.pk}: {exc}")
                continue
            if batch.fmt == "zpl" and package.label_source in (Package.LabelSource.PROVIDER,
                                                               Package.LabelSource.UPLOADED,
                                                               Package.LabelSource.PLATFORM) \
                    and package.label_format != "zpl":
                problems.append(f"order {package.order.external_id}, package {package.pk}: its label is a PDF; print "
                                f"it in a PDF batch")
                continue
            ready.append(package)
            if index % 5 == 0 or index == len(packages):
                report(10 + index * 50 // max(len(packages), 1), f"Labels ready for {index} of {len(packages)}")
        if not ready:
            message = "Nothing to print: " + ("; ".join(problems[:5]) if problems else "no packages")
            services.finish_batch(batch=batch, content=None, extension="", package_ids=[], page_count=0,
                                  problems=problems, message=message)
            raise RuntimeError(message)
        positions = _positions(ready)
        items, keep = [], []
        for package in ready:
            try:
                items.append(_batch_item(batch, package, positions))
                keep.append(package)
            except (docs.DocumentError, OSError, ValueError) as exc:
                problems.append(f"order {package.order.external_id}, package {package.pk}: {exc}")
        result = docs.assemble_batch(items, fmt=batch.fmt, with_packing_slips=batch.with_slips,
                                     progress=lambda pct, msg: report(60 + pct * 38 // 100, msg))
    except docs.BatchError as exc:
        services.fail_batch(batch=batch, message=str(exc)[:500], problems=exc.problems)
        raise
    except RuntimeError:
        raise
    except Exception as exc:
        services.fail_batch(batch=batch, message=f"Failed: {exc}")
        raise
    left_out = len(problems)
    message = f"{len(keep)} package(s), {result.page_count} {'labels' if batch.fmt == 'zpl' else 'pages'} ready"
    if left_out:
        message += f"; {left_out} left out (see the list)"
    batch = services.finish_batch(batch=batch, content=result.content, extension=result.extension,
                                  package_ids=[p.pk for p in keep], page_count=result.page_count, problems=problems,
                                  message=message)
    return {"message": message, "batch": batch.pk, "url": reverse("fulfilment:batch_file", args=[batch.pk]),
            "packages": len(keep), "left_out": left_out}


def _positions(packages: list[Package]) -> dict[int, tuple[int, int]]:
    """(n, of) of each package among its order's live packages, in one query."""
    order_ids = {p.order_id for p in packages}
    by_order: dict[int, list[int]] = {}
    for pk, order_id in (Package.objects.filter(order_id__in=order_ids).exclude(status=P.CANCELLED)
                         .order_by("pk").values_list("pk", "order_id")):
        by_order.setdefault(order_id, []).append(pk)
    out = {}
    for p in packages:
        ids = by_order.get(p.order_id, [p.pk])
        out[p.pk] = ((ids.index(p.pk) + 1) if p.pk in ids else 1, max(len(ids), 1))
    return out
