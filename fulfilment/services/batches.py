"""Print batches: up to 500 packages printed as one PDF or ZPL file by a job on the documents
queue (enqueued by its dotted path), the label each package gets under the batch's label policy
(existing only, SellerHub's own, or bought at the cheapest or fastest rate; TikTok's own for TikTok
Shipping), and the batch's outcome."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from fulfilment.models import Package, PrintBatch, PrintBatchItem
from fulfilment.services.common import P, user_or_none
from fulfilment.services.errors import FulfilmentError
from fulfilment.services.labels import buy_best_rate, make_own_label
from fulfilment.services.locks import lock_print_batch
from fulfilment.services.packages import create_package
from fulfilment.tiktok import shipping as tiktok_shipping
from integrations.labels import NotConfigured, get_provider
from orders import services as orders
from orders.models import Order
from sellerhub.jobs import enqueue_job

PRINT_JOB = "fulfilment.jobs.print_batch_job"
Policy = PrintBatch.LabelPolicy


def create_print_batch(*, order_ids=(), package_ids=(), fmt: str = "pdf", with_slips: bool = False,
                       label_policy: str = PrintBatch.LabelPolicy.EXISTING, own_carrier: str = "",
                       user=None) -> PrintBatch:
    """A batch of up to 500 packages to print as one file, made by a job on the documents queue
    (its progress shows on the batch's page)."""
    order_ids = sorted({int(i) for i in order_ids})
    package_ids = sorted({int(i) for i in package_ids})
    if fmt not in PrintBatch.Format.values:
        raise FulfilmentError("Choose PDF or ZPL.", field="fmt")
    if label_policy not in PrintBatch.LabelPolicy.values:
        raise FulfilmentError("Choose what to do with packages that have no label.", field="label_policy")
    if label_policy == PrintBatch.LabelPolicy.OWN and not (own_carrier or "").strip():
        raise FulfilmentError("Name the courier for SellerHub's own labels.", field="own_carrier")
    if not order_ids and not package_ids:
        raise FulfilmentError("Choose the orders or packages to print.")
    if len(order_ids) + len(package_ids) > PrintBatch.MAX_PACKAGES:
        raise FulfilmentError(f"A batch holds at most {PrintBatch.MAX_PACKAGES} packages; choose fewer.")
    found_orders = list(Order.objects.filter(pk__in=order_ids).values_list("pk", flat=True))
    found_packages = list(Package.objects.filter(pk__in=package_ids).values_list("pk", flat=True))
    missing = (set(order_ids) - set(found_orders)) | (set(package_ids) - set(found_packages))
    if missing:
        raise FulfilmentError(f"Unknown order or package id(s): {', '.join(map(str, sorted(missing)))}.")
    with transaction.atomic():
        batch = PrintBatch.objects.create(fmt=fmt, with_slips=bool(with_slips), label_policy=label_policy,
                                          own_carrier=(own_carrier or "").strip()[:100], created_by=user_or_none(user))
        batch.orders.set(found_orders)
        batch.requested_packages.set(found_packages)
        return _queue_batch(batch, user)


def _queue_batch(batch: PrintBatch, user) -> PrintBatch:
    run = enqueue_job(kind="Print batch", func=PRINT_JOB, args=[batch.pk], queue="documents", user=user,
                      message="Waiting for the printer worker")
    PrintBatch.objects.filter(pk=batch.pk).update(run=run, status=PrintBatch.Status.QUEUED, message="")
    batch.run, batch.status = run, PrintBatch.Status.QUEUED
    return batch


def reprint_batch(*, batch: PrintBatch, user=None) -> PrintBatch:
    """Make the batch's file again: the same packages and labels (nothing bought twice, no new
    packages for orders that have one)."""
    with transaction.atomic():
        locked = lock_print_batch(batch)
        if locked.status in (PrintBatch.Status.QUEUED, PrintBatch.Status.RUNNING):
            raise FulfilmentError("The batch is being printed right now.")
        return _queue_batch(locked, user)


def batch_started(*, batch: PrintBatch) -> None:
    PrintBatch.objects.filter(pk=batch.pk).update(status=PrintBatch.Status.RUNNING)


def ensure_batch_package(*, order: Order, user=None) -> list[Package]:
    """The order's live packages; when it has none, one with every unit (made once: a second
    batch of the same order reuses it)."""
    with transaction.atomic():
        locked = orders.lock_order(order)
        live = list(locked.packages.exclude(status=P.CANCELLED).order_by("pk"))
        if live:
            return live
    return [create_package(order=order, user=user)]


def finish_batch(*, batch: PrintBatch, content: bytes | None, extension: str, package_ids: list[int],
                 page_count: int, problems: list[str], message: str) -> PrintBatch:
    with transaction.atomic():
        locked = lock_print_batch(batch)
        locked.items.all().delete()
        PrintBatchItem.objects.bulk_create([PrintBatchItem(batch=locked, package_id=pk, position=i)
                                            for i, pk in enumerate(package_ids)])
        if content is not None:
            locked.file.save(f"batch-{locked.pk}.{extension}", ContentFile(content), save=False)
            locked.status = PrintBatch.Status.PARTIAL if problems else PrintBatch.Status.DONE
            locked.print_count += 1
        else:
            locked.status = PrintBatch.Status.FAILED
        locked.package_count, locked.page_count = len(package_ids), page_count
        locked.problems, locked.message = problems[:500], message[:500]
        locked.finished_at = timezone.now()
        locked.save()
        return locked


def fail_batch(*, batch: PrintBatch, message: str, problems: list[str] | None = None) -> None:
    PrintBatch.objects.filter(pk=batch.pk).update(status=PrintBatch.Status.FAILED, message=message[:500],
                                                  problems=(problems or [])[:500], finished_at=timezone.now())


def fail_batches_of_run(run) -> int:
    """The batch whose job died (a killed worker, found by the kernel's job sweep) is failed with
    the job's message, so it can be printed again (registered in fulfilment/apps.py)."""
    return PrintBatch.objects.filter(run_id=run.pk, status__in=(PrintBatch.Status.QUEUED, PrintBatch.Status.RUNNING)
                                     ).update(status=PrintBatch.Status.FAILED, message=(run.message or "Failed")[:500],
                                              finished_at=timezone.now())



def ensure_batch_label(*, batch: PrintBatch, package: Package, providers: dict) -> Package:
    """The package with a label, made as the batch's label policy says (each once: a package with
    a label is returned as it is). ``providers`` is the batch's cache of the label provider and
    the TikTok Shipping session, shared by its packages."""
    if package.has_label:
        return package
    if tiktok_shipping.is_platform(package.order):  # TikTok's own label (TikTok Shipping): never bought here
        session = providers.setdefault("tiktok", tiktok_shipping.Session())
        try:
            return tiktok_shipping.ensure_label(package=package, user=batch.created_by, session=session)
        except tiktok_shipping.ShippingError as exc:
            raise FulfilmentError(str(exc)) from exc
    if batch.label_policy == Policy.EXISTING:
        raise FulfilmentError("no label yet (print the batch with a label option, or make it on the package's page)")
    if batch.label_policy == Policy.OWN:
        return make_own_label(package=package, courier=batch.own_carrier, user=batch.created_by)
    if "provider" not in providers:
        try:
            providers["provider"] = get_provider()
        except NotConfigured as exc:
            providers["provider"] = exc
    provider = providers["provider"]
    if isinstance(provider, NotConfigured):
        raise FulfilmentError(str(provider))
    choose = "fastest" if batch.label_policy == Policy.BUY_FASTEST else "cheapest"
    return buy_best_rate(package=package, choose=choose, label_format=batch.fmt, user=batch.created_by,
                         provider=provider)
