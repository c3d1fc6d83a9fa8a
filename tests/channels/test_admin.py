"""Ops see accounts (no secrets), sync runs, cursors, webhook deliveries and tracking pushes in
the admin, and can retry failed runs from there."""

import pytest
from django.test import Client

from channels import jobs
from channels.models import SyncRun
from orders import jobs as order_jobs
from orders.models import Order

pytestmark = pytest.mark.django_db


def test_ops_browse_the_sync_state(ops_user, listed, emulator, django_capture_on_commit_callbacks):
    emulator.state.generate_orders("tiktok", 3)
    emulator.state.faults.update(server_error=1.0, services=["woocommerce"])
    for account in listed.values():
        jobs.pull_orders(account)
    client = Client()
    client.force_login(ops_user)
    for model in ("channelaccount", "syncrun", "synccursor", "trackingpush"):
        app = {"channelaccount": "sellerhub", "trackingpush": "fulfilment"}.get(model, "channels")
        assert client.get(f"/admin/{app}/{model}/").status_code == 200, model
    failed = SyncRun.objects.get(status="failed")
    assert client.get(f"/admin/channels/syncrun/{failed.pk}/change/").status_code == 200
    emulator.state.faults.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/channels/syncrun/", {"action": "retry", "_selected_action": [failed.pk]})
    assert response.status_code == 302
    import django_rq

    assert django_rq.get_queue("sync").count == 1


def test_orders_refetch_uses_the_connectors(listed, emulator):
    """orders.jobs relies on connector_for(account).fetch_order_payloads(ids)."""
    ids = emulator.state.generate_orders("tiktok", 2)
    account = listed["tiktok"]
    connector = order_jobs.connector_for(account)
    assert connector is not None
    assert [o["id"] for o in connector.fetch_order_payloads(ids)] == ids
    jobs.pull_orders(account)
    runs, refused = order_jobs.start_refetch(orders=Order.objects.filter(account=account))
    assert len(runs) == 1 and not refused


def test_old_history_is_pruned(listed):
    import datetime as dt

    from django.utils import timezone

    from channels import services

    now = timezone.now()
    account = listed["tiktok"]
    make = SyncRun.objects.create
    keep = [make(account=account, kind="pull_orders", status="succeeded", started_at=now - dt.timedelta(hours=2)),
            make(account=account, kind="pull_orders", status="succeeded", items_ok=3,
                 started_at=now - dt.timedelta(days=3)),
            make(account=account, kind="pull_orders", status="failed", started_at=now - dt.timedelta(days=40))]
    make(account=account, kind="pull_orders", status="succeeded", started_at=now - dt.timedelta(days=2))
    make(account=account, kind="pull_orders", status="succeeded", items_ok=3, started_at=now - dt.timedelta(days=31))
    make(account=account, kind="push_stock", status="failed", started_at=now - dt.timedelta(days=91))
    assert services.prune_history(now=now) == {"runs": 3}
    assert set(SyncRun.objects.filter(pk__in=[r.pk for r in keep]).values_list("pk", flat=True)) == {r.pk for r in keep}
