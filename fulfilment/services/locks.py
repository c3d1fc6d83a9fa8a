"""The row locks of fulfilment's models: the one place each family is locked for a write.

``select_for_update(of=("self",))`` locks only the row itself: what is joined for reading
(``select_related``) is not locked. Several rows are locked in primary-key order, so two writers
never wait for each other in opposite orders. Call these inside ``transaction.atomic()``, hold a
lock only for database work, and put side effects in ``transaction.on_commit``. Orders are locked
through ``orders.services.lock_order``.
"""

from __future__ import annotations

from django.db.models import QuerySet

from fulfilment.models import Package, PackingSession, PickList, PickListOrder, PrintBatch, TrackingPush
from fulfilment.tiktok.models import CollectionRequest, PlatformPackage


def _pk(obj) -> int:
    return obj if isinstance(obj, int) else obj.pk


# Packages


def lock_package(package: Package | int) -> Package:
    """Lock one package's row, with its order and account read along."""
    return Package.objects.select_for_update(of=("self",)).select_related("order__account").get(pk=_pk(package))


def lock_packages(ids) -> list[Package]:
    """Lock packages by id (primary-key order), with their order and account read along."""
    return list(Package.objects.select_for_update(of=("self",)).select_related("order__account")
                .filter(pk__in=list(ids)).order_by("pk"))


def tracking_pushes() -> QuerySet[TrackingPush]:
    """The locking queryset of a package's tracking upload (its outbox row), for get_or_create."""
    return TrackingPush.objects.select_for_update(of=("self",))


# Pick lists and packing


def lock_pick_list(pick_list: PickList | int) -> PickList:
    return PickList.objects.select_for_update(of=("self",)).get(pk=_pk(pick_list))


def lock_pick_list_entry(**lookup) -> PickListOrder:
    """Lock the one pick-list entry matching ``lookup`` (``PickListOrder.DoesNotExist`` when none)."""
    return PickListOrder.objects.select_for_update(of=("self",)).get(**lookup)


def lock_session(session: PackingSession | int) -> PackingSession:
    """Lock a packing session's row, with its order and account read along."""
    return (PackingSession.objects.select_for_update(of=("self",)).select_related("order__account")
            .get(pk=_pk(session)))


# Print batches and provider events


def lock_print_batch(batch: PrintBatch | int) -> PrintBatch:
    return PrintBatch.objects.select_for_update(of=("self",)).get(pk=_pk(batch))


# TikTok Shipping


def lock_platform_package(platform: PlatformPackage | int, *, with_package: bool = False) -> PlatformPackage:
    queryset = PlatformPackage.objects.select_for_update(of=("self",))
    if with_package:
        queryset = queryset.select_related("package")
    return queryset.get(pk=_pk(platform))


def lock_platform_packages(**lookup) -> list[PlatformPackage]:
    return list(PlatformPackage.objects.select_for_update(of=("self",)).filter(**lookup).order_by("pk"))


def lock_first_collection(lookup) -> CollectionRequest | None:
    """Lock the first collection request matching ``lookup`` (a Q), or None."""
    return CollectionRequest.objects.select_for_update(of=("self",)).filter(lookup).order_by("pk").first()
