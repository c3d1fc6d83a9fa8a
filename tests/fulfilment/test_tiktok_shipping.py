"""TikTok Shipping over real HTTP against the emulator: platform labels (acceptance 2: 50 labels
downloaded and merged into one PDF by a job with progress; an expired document URL is asked for
again) and collection requests followed from requested to scheduled to collected."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from devtools.emulators import start_emulator
from fulfilment import services as fulfilment
from fulfilment.models import Package, PrintBatch
from fulfilment.tiktok import collection
from fulfilment.tiktok import jobs as tiktok_jobs
from fulfilment.tiktok import shipping as tiktok_shipping
from fulfilment.tiktok.models import CollectionRequest, PlatformPackage
from sellerhub.models import JobRun, WebhookEvent
from tests.fulfilment.tiktok_support import connect, platform_orders, run_jobs, ship_from_address


@pytest.fixture(scope="module")
def emu():
    handle = start_emulator()
    yield handle
    handle.stop()


@pytest.fixture
def emulator(emu, uses_rq, settings, tmp_path):
    emu.state.reset()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CHANNEL_SYNC_BACKOFF_BASE = 0.01
    settings.CHANNEL_SYNC_BACKOFF_CAP = 0.1
    yield emu
    emu.state.faults.clear()


@pytest.fixture
def account(db, emulator):
    ship_from_address()
    return connect(emulator)


# Jobs are queued after the transaction commits (sellerhub.jobs.enqueue_job): tests running them
# use real transactions.
jobs_db = pytest.mark.django_db(transaction=True)


@jobs_db
def test_fifty_platform_labels_merge_into_one_pdf_in_a_job_with_progress(account, emulator, owner_user, monkeypatch):
    from fulfilment import jobs

    packages = platform_orders(emulator, account, 50)
    # Five packages were created on TikTok yesterday: their document URLs have expired since.
    for package in packages[:5]:
        tiktok_shipping.prepare_package(package=package, user=owner_user)
    emulator.state.clock.advance(25 * 3600)

    seen = []
    real = jobs.progress

    def spy(run_id, percent, message=""):
        seen.append(percent)
        real(run_id, percent, message)

    monkeypatch.setattr(jobs, "progress", spy)
    batch = fulfilment.create_print_batch(package_ids=[p.pk for p in packages], user=owner_user)
    run_jobs("documents")

    batch.refresh_from_db()
    assert batch.status == PrintBatch.Status.DONE, (batch.message, batch.problems)
    reader = PdfReader(io.BytesIO(batch.file.read()))
    assert len(reader.pages) == 50
    run = JobRun.objects.get(pk=batch.run_id)
    assert run.status == "succeeded" and run.progress == 100
    assert len(set(seen)) >= 10 and seen == sorted(seen)  # progress moved forward, step by step
    labelled = Package.objects.filter(pk__in=[p.pk for p in packages])
    assert set(labelled.values_list("label_source", flat=True)) == {"platform"}
    assert all(p.tracking_number and p.external_id for p in labelled)
    # The expired URLs were asked for again (2 each); the others once.
    fetched = dict(PlatformPackage.objects.values_list("package_id", "doc_urls_fetched"))
    assert [fetched[p.pk] for p in packages[:5]] == [2] * 5
    assert set(fetched[p.pk] for p in packages[5:]) == {1}
    assert len(emulator.state.received("tiktok", "package_created")) == 50  # each created once

    # Printing again downloads nothing: the PDFs are kept.
    requests_before = len(emulator.state.requests("tiktok"))
    fulfilment.reprint_batch(batch=batch, user=owner_user)
    run_jobs("documents")
    assert len(emulator.state.requests("tiktok")) == requests_before


def test_a_lost_create_answer_never_makes_a_second_package(account, emulator, owner_user):
    (package,) = platform_orders(emulator, account, 1)
    tiktok_shipping.prepare_package(package=package, user=owner_user)
    package.refresh_from_db()
    first = package.external_id
    Package.objects.filter(pk=package.pk).update(external_id="")  # as if the answer had been lost
    tiktok_shipping.prepare_package(package=package, user=owner_user)
    package.refresh_from_db()
    assert package.external_id == first
    assert len(emulator.state.received("tiktok", "package_created")) == 1


def test_a_package_without_weight_is_refused_with_a_clear_message(account, emulator, owner_user):
    (package,) = platform_orders(emulator, account, 1)
    Package.objects.filter(pk=package.pk).update(weight_grams=None)
    with pytest.raises(tiktok_shipping.ShippingError, match="has no weight: weigh it first"):
        tiktok_shipping.ensure_label(package=package, user=owner_user)


def webhook(client, account, headers, body):
    return client.post(reverse("tiktok_fulfilment_webhook", args=[account.pk]), data=body,
                       content_type="application/json", HTTP_AUTHORIZATION=headers["Authorization"])


@jobs_db
def test_pickup_request_is_scheduled_then_collected(account, emulator, owner_user):
    packages = platform_orders(emulator, account, 3)
    for package in packages:
        tiktok_shipping.prepare_package(package=package, user=owner_user)
    groups = collection.ready_groups()
    assert len(groups) == 1 and groups[0].carrier == "USPS" and len(groups[0].packages) == 3
    options = collection.handover_options(package=packages[0])
    assert options.can_pickup and options.slots
    slot = options.slots[1]

    request = collection.request_collection(packages=packages, method="PICKUP", slot=(slot.start, slot.end),
                                            user=owner_user)
    tiktok_jobs.enqueue_collection(request, owner_user)
    assert set(PlatformPackage.objects.values_list("collection_status", flat=True)) == {"requested"}
    run_jobs("sync")

    shipped = emulator.state.received("tiktok", "ship_package")
    assert len(shipped) == 3
    assert {(s["handover_method"], s["pickup_slot"]["start_time"], s["pickup_slot"]["end_time"]) for s in shipped} \
        == {("PICKUP", slot.start, slot.end)}
    request.refresh_from_db()
    assert request.status == "scheduled" and request.carrier_name == "USPS"
    assert set(PlatformPackage.objects.values_list("collection_status", flat=True)) == {"scheduled"}
    # Shipped here too: tracking uploaded, the orders shipped, their stock consumed.
    assert set(Package.objects.filter(pk__in=[p.pk for p in packages]).values_list("status", flat=True)) == {"shipped"}
    assert {p.order.status for p in Package.objects.filter(pk__in=[p.pk for p in packages])} == {"shipped"}

    # The carrier collects: TikTok's PACKAGE_UPDATE notification moves them to collected.
    client = Client()
    for package in Package.objects.filter(pk__in=[p.pk for p in packages]):
        emulator.state.tiktok.collect_package(package.external_id)
        headers, body = emulator.state.tiktok.build_notification(4, {
            "sc_type": "PACKAGE_STATUS_CHANGE", "package_list": [{"package_id": package.external_id,
                                                                  "order_id_list": [package.order.external_id]}]})
        assert webhook(client, account, headers, body).json()["status"] == "accepted"
    run_jobs("sync")
    assert set(PlatformPackage.objects.values_list("collection_status", flat=True)) == {"collected"}
    request.refresh_from_db()
    assert request.status == "collected"
    assert WebhookEvent.objects.filter(source="tiktok_fbt", topic="4", status="processed").count() == 3

    # The handover manifest lists every package with its tracking number.
    client.force_login(owner_user)
    response = client.get(reverse("fulfilment:collection_manifest", args=[request.pk]))
    assert response.status_code == 200
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    for package in Package.objects.filter(pk__in=[p.pk for p in packages]):
        assert package.tracking_number in text.replace(" ", "")
    assert request.reference in text


def test_drop_off_groups_the_days_packages_and_refusals_show(account, emulator, owner_user):
    packages = platform_orders(emulator, account, 3)
    for package in packages:
        tiktok_shipping.prepare_package(package=package, user=owner_user)
    first = collection.request_collection(packages=packages[:2], method="DROP_OFF", user=owner_user)
    second = collection.request_collection(packages=packages[2:], method="DROP_OFF", user=owner_user)
    assert first.pk == second.pk  # one request for the day's drop-off
    with pytest.raises(collection.CollectionError, match="already requested"):
        collection.request_collection(packages=packages[:1], method="DROP_OFF", user=owner_user)
    # TikTok refuses one package (it was cancelled on TikTok meanwhile).
    emulator.state.tiktok.cancel(packages[0].order.external_id)
    result = collection.ship_collection(collection=first, user=owner_user)
    assert (result["shipped"], result["refused"]) == (2, 1)
    first.refresh_from_db()
    assert first.status == CollectionRequest.Status.FAILED and "1 package(s) refused" in first.message
    refused = PlatformPackage.objects.get(package=packages[0])
    assert refused.collection_status == "failed" and "TikTok refused" in refused.collection_error
    assert {s["handover_method"] for s in emulator.state.received("tiktok", "ship_package")} == {"DROP_OFF"}


def test_sync_reads_back_a_package_whose_notification_was_lost(account, emulator, owner_user):
    packages = platform_orders(emulator, account, 2)
    for package in packages:
        tiktok_shipping.prepare_package(package=package, user=owner_user)
    request = collection.request_collection(packages=packages, method="DROP_OFF", user=owner_user)
    collection.ship_collection(collection=request, user=owner_user)
    emulator.state.tiktok.collect_package(Package.objects.get(pk=packages[0].pk).external_id)
    collection.sync_open()
    states = dict(PlatformPackage.objects.values_list("package_id", "collection_status"))
    assert states == {packages[0].pk: "collected", packages[1].pk: "scheduled"}
    request.refresh_from_db()
    assert request.status == "partly_collected"


def test_a_tiktok_label_package_ships_only_through_a_collection_request(account, emulator, owner_user):
    (package, other) = platform_orders(emulator, account, 2)
    with pytest.raises(fulfilment.FulfilmentError, match="print it on Fulfilment → TikTok Shipping"):
        fulfilment.quote_rates(package=other)  # no EasyPost label for an order on TikTok's label
    package = tiktok_shipping.ensure_label(package=package, user=owner_user)
    with pytest.raises(fulfilment.FulfilmentError, match="hand it over through a collection request"):
        fulfilment.ship_package(package=package, user=owner_user)
    assert not emulator.state.received("tiktok", "ship_package")


def test_a_package_tiktok_does_not_know_is_reported_and_the_others_still_read(account, emulator, owner_user):
    packages = platform_orders(emulator, account, 2)
    for package in packages:
        tiktok_shipping.prepare_package(package=package, user=owner_user)
    request = collection.request_collection(packages=packages, method="DROP_OFF", user=owner_user)
    collection.ship_collection(collection=request, user=owner_user)
    Package.objects.filter(pk=packages[0].pk).update(external_id="1152999999999999999")  # unknown to TikTok
    emulator.state.tiktok.collect_package(Package.objects.get(pk=packages[1].pk).external_id)
    result = collection.sync_open()
    assert result[account.name] == {"unreadable": 1, "collected": 1}
    unknown = PlatformPackage.objects.get(package=packages[0])
    assert unknown.collection_status == "scheduled" and "could not be read" in unknown.collection_error
