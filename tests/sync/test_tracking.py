"""Tracking uploads when a package ships, to each channel over real HTTP: once, even when the
first answer is lost after the channel applied it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from channels import jobs, services
from channels.models import SyncRun
from fulfilment.models import Package, PackageLine, TrackingPush
from orders.models import Order

pytestmark = pytest.mark.django_db

USPS = "9400111206206406260787"  # a valid USPS test number (integrations/carriers/data)


def shipped_package(account, emulator, *, channel: str, number: str = USPS) -> Package:
    emulator.state.generate_orders(channel, 1, skus=["TEE-BLK-M"])
    jobs.pull_orders(account)
    order = Order.objects.filter(account=account).latest("pk")
    package = Package.objects.create(order=order, status=Package.Status.SHIPPED, carrier="usps", carrier_name="USPS",
                                     tracking_number=number, tracking_uploaded_at=timezone.now())
    PackageLine.objects.bulk_create([PackageLine(package=package, order_line=line, quantity=line.quantity)
                                     for line in order.lines.all()])
    return package


def uploads(emulator, channel):
    kind = "fulfillment_update" if channel == "square" else "tracking_upload"
    return emulator.state.received(channel, kind)


@pytest.mark.parametrize("channel", ["tiktok", "woocommerce", "etsy", "square"])
def test_a_shipped_package_reaches_its_channel_once(listed, emulator, channel):
    package = shipped_package(listed[channel], emulator, channel=channel)
    result = jobs.push_tracking(package.pk)
    assert not result.get("failed"), result
    sent = uploads(emulator, channel)
    assert len(sent) == 1
    assert sent[0].get("tracking_number", sent[0].get("tracking_code")) == USPS
    push = TrackingPush.objects.get(package=package)
    assert push.status == TrackingPush.Status.PUSHED and push.tracking_number == USPS
    assert jobs.push_tracking(package.pk)["already"] is True
    assert len(uploads(emulator, channel)) == 1, "pushing again sends nothing"
    if channel == "woocommerce":
        order = emulator.state.woocommerce.orders[int(package.order.external_id)]
        assert order["status"] == "completed", "the whole order shipped: WooCommerce marks it completed"
    if channel == "square":
        assert sent[0]["new_state"] == "COMPLETED" and sent[0]["carrier"] == "USPS"


@pytest.mark.parametrize("channel", ["tiktok", "woocommerce", "etsy"])
def test_a_lost_answer_does_not_upload_twice(listed, emulator, channel):
    """The upload is applied but its answer comes after the client gave up: the connector looks
    at the order again instead of sending the upload a second time."""
    package = shipped_package(listed[channel], emulator, channel=channel)
    # Calls on these paths, in order: (WooCommerce: the list of trackings first, then) the upload.
    path, script = {"tiktok": ("/packages", ["slow"]), "woocommerce": ("shipment-trackings", ["ok", "slow"]),
                    "etsy": ("/tracking", ["slow"])}[channel]
    emulator.state.faults.update(script=script, slow_seconds=2.5, services=[channel], paths=[path])
    result = jobs.push_tracking(package.pk)
    assert not result.get("failed"), result
    assert emulator.state.faults.fired.get("slow") == 1
    assert len(uploads(emulator, channel)) == 1
    assert TrackingPush.objects.get(package=package).status == TrackingPush.Status.PUSHED


def test_a_refused_upload_is_logged_and_not_retried_blindly(listed, emulator):
    package = shipped_package(listed["etsy"], emulator, channel="etsy")
    emulator.state.etsy.set_status(int(package.order.external_id), "canceled")
    result = jobs.push_tracking(package.pk)
    assert result["failed"]
    push = TrackingPush.objects.get(package=package)
    assert push.status == TrackingPush.Status.FAILED and push.retryable is False
    assert "canceled" in push.last_error
    run = SyncRun.objects.get(kind="push_tracking")
    assert run.status == SyncRun.Status.FAILED and run.retryable is False and run.args["package_id"] == package.pk


def test_queue_tracking_push_runs_after_commit(listed, emulator, django_capture_on_commit_callbacks):
    import django_rq

    package = shipped_package(listed["tiktok"], emulator, channel="tiktok")
    with django_capture_on_commit_callbacks(execute=True):
        push = services.queue_tracking_push(package=package)
    assert push.status == TrackingPush.Status.PENDING
    queue = django_rq.get_queue("sync")
    assert [job.func_name for job in queue.jobs][-1] == "channels.tracking_push.push_tracking"
    assert services.queue_tracking_push(package=Package(order=package.order, tracking_number="")) is None
