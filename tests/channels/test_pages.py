"""The owner's channel pages: accounts and their sync state, connecting an account, Test
connection, Sync now with progress, the sync log with Retry, listing mapping; ops read only."""

from __future__ import annotations

import django_rq
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rq import SimpleWorker

from channels import coordination, jobs, services
from channels.models import SyncRun
from devtools.demo.emulated import emulator_connection
from integrations.channels.connectors import RemoteListing
from inventory.models import SKU, ChannelListing, StockOutbox
from orders.models import Order
from sellerhub.models import ChannelAccount, JobRun

pytestmark = pytest.mark.django_db


def run_jobs():
    SimpleWorker([django_rq.get_queue("push"), django_rq.get_queue("sync")],
                 connection=coordination.connection()).work(burst=True)


def test_the_channels_page_shows_each_accounts_sync_state(owner_client, listed, emulator):
    emulator.state.generate_orders("woocommerce", 3)
    jobs.pull_orders(listed["woocommerce"])
    emulator.state.faults.update(server_error=1.0, services=["etsy"])
    jobs.pull_orders(listed["etsy"])
    html = owner_client.get("/channels/").content.decode()
    for account in listed.values():
        assert account.name in html
    assert "Internal server error" in html, "the failing account shows its error"
    assert "failed or stopped in the last 24 hours" in html
    assert "Sync now" in html and "connected" in html


def test_ops_read_and_warehouse_cannot(listed, ops_user, warehouse_user):
    ops = Client()
    ops.force_login(ops_user)
    html = ops.get("/channels/").content.decode()
    assert "Sync now" not in html
    account = listed["tiktok"]
    assert ops.get(f"/channels/accounts/{account.pk}/sync/").status_code == 200
    assert ops.post(f"/channels/accounts/{account.pk}/sync-now/").status_code == 403
    assert ops.get("/channels/log/").status_code == 200
    assert ops.get(f"/channels/accounts/{account.pk}/listings/").status_code == 200
    warehouse = Client()
    warehouse.force_login(warehouse_user)
    assert warehouse.get("/channels/log/").status_code == 403


def test_connecting_an_account_and_testing_the_connection(owner_client, emulator):
    choose = owner_client.get("/channels/connect/").content.decode()
    assert '<label for="id_channel">' in choose
    page = owner_client.get("/channels/connect/?channel=square").content.decode()
    for field in ("id_name", "id_api_base_url", "id_shop_id", "id_access_token", "id_webhook_signature_key"):
        assert f'<label for="{field}">' in page
    url, shop_id, creds = emulator_connection("square", emulator.base_url, emulator.state.config.credentials)
    bad = owner_client.post("/channels/connect/", {"channel": "square", "name": "Square shop", "api_base_url": url,
                                                   "shop_id": ""})
    assert bad.status_code == 400 and "This field is required" in bad.content.decode()
    response = owner_client.post("/channels/connect/", {
        "channel": "square", "name": "Square shop", "api_base_url": url, "shop_id": shop_id,
        "access_token": creds["access_token"], "test": "1"}, follow=True)
    html = response.content.decode()
    account = ChannelAccount.objects.get(name="Square shop")
    assert account.credentials["access_token"] == creds["access_token"]
    assert creds["access_token"] not in html
    assert "Test connection: Connected to Square location Main warehouse" in html
    # Test connection on its own (htmx), and with a refused token.
    fragment = owner_client.post(f"/channels/accounts/{account.pk}/test/", HTTP_HX_REQUEST="true").content.decode()
    assert "Connected to Square location" in fragment
    services.save_connection(account=account, channel="square", name=account.name, api_base_url=url,
                             shop_id=shop_id, credentials={"access_token": "wrong"})
    fragment = owner_client.post(f"/channels/accounts/{account.pk}/test/", HTTP_HX_REQUEST="true").content.decode()
    assert "Test connection failed" in fragment and "could not be authorized" in fragment


def test_sync_now_runs_as_a_job_with_progress(owner_client, listed, emulator, django_capture_on_commit_callbacks):
    account = listed["tiktok"]
    emulator.state.generate_orders("tiktok", 60)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/channels/accounts/{account.pk}/sync-now/")
    run = JobRun.objects.get(kind="channels.sync_now")
    assert response.status_code == 302 and response["Location"].endswith(f"?job={run.pk}")
    page = owner_client.get(response["Location"]).content.decode()
    assert f'id="job-{run.pk}"' in page and "Waiting for a sync worker" in page
    run_jobs()
    run.refresh_from_db()
    assert run.status == JobRun.Status.SUCCEEDED, run.error
    assert "60 orders read: 60 new" in run.message
    assert Order.objects.filter(account=account).count() == 60
    assert SyncRun.objects.get(kind="pull_orders", account=account).job_run_id == run.pk
    progress = owner_client.get(f"/jobs/{run.pk}/progress").content.decode()
    assert "100%" in progress


def test_the_sync_log_shows_failures_and_retries_them(owner_client, listed, emulator,
                                                       django_capture_on_commit_callbacks):
    account = listed["square"]
    emulator.state.generate_orders("square", 4)
    emulator.state.faults.update(server_error=1.0, services=["square"])
    jobs.pull_orders(account)
    failed = SyncRun.objects.get(kind="pull_orders", status="failed")
    html = owner_client.get("/channels/log/?status=problems").content.decode()
    assert "An internal error occurred" in html and f"/channels/runs/{failed.pk}/retry/" in html
    assert "Retrying may help" in html
    emulator.state.faults.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/channels/runs/{failed.pk}/retry/")
    assert response.status_code == 302
    run_jobs()
    retry = SyncRun.objects.get(retry_of=failed)
    assert retry.status == SyncRun.Status.SUCCEEDED and retry.trigger == SyncRun.Trigger.RETRY
    assert Order.objects.filter(account=account).count() == 4
    filtered = owner_client.get(f"/channels/log/?account={account.pk}&kind=pull_orders").content.decode()
    assert "Retry" in filtered


def test_listing_mapping(owner_client, accounts, skus, emulator):
    account = accounts["woocommerce"]
    services.import_listings(account=account, listings=[
        RemoteListing("101", "201", "TEE-BLK-S", "Classic Tee - S"),
        RemoteListing("900", "", "WOO-BUNDLE", "Bundle of two tees")])
    page = owner_client.get(f"/channels/accounts/{account.pk}/listings/?show=unmatched").content.decode()
    assert "WOO-BUNDLE" in page and "Classic Tee - S" not in page
    bundle = ChannelListing.objects.get(account=account, channel_sku="WOO-BUNDLE")
    bad = owner_client.post(f"/channels/listings/{bundle.pk}/map/", {"seller_sku": "NOPE"}, follow=True)
    assert "No SKU" in bad.content.decode()
    owner_client.post(f"/channels/listings/{bundle.pk}/map/", {"seller_sku": "TEE-BLK-M"})
    bundle.refresh_from_db()
    assert bundle.sku == SKU.objects.get(seller_sku="TEE-BLK-M")
    assert StockOutbox.objects.filter(listing=bundle, pushed_at__isnull=True).exists(), "its stock is pushed"
    owner_client.post(f"/channels/listings/{bundle.pk}/map/", {"unmap": "1"})
    bundle.refresh_from_db()
    assert bundle.sku is None


def test_importing_listings_from_the_channel(owner_client, accounts, skus, emulator,
                                            django_capture_on_commit_callbacks):
    account = accounts["square"]
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/channels/accounts/{account.pk}/listings/import/")
    assert response.status_code == 302
    run_jobs()
    job = JobRun.objects.get(kind="channels.import_listings")
    assert job.status == JobRun.Status.SUCCEEDED, job.error
    listings = ChannelListing.objects.filter(account=account)
    assert listings.count() == 8 and not listings.filter(sku__isnull=True).exists()
    assert "8 matched to a SKU, 0 unmatched" in job.message


def test_pages_run_a_constant_number_of_queries(owner_client, listed, emulator):
    def count(path):
        with CaptureQueriesContext(connection) as ctx:
            assert owner_client.get(path).status_code == 200
        return len(ctx.captured_queries)

    for account in listed.values():
        jobs.pull_orders(account)
    before = {path: count(path) for path in ("/channels/", "/channels/log/",
                                             f"/channels/accounts/{listed['tiktok'].pk}/listings/", "/")}
    emulator.state.generate_orders("tiktok", 5)
    for _ in range(3):
        for account in listed.values():
            jobs.pull_orders(account)
            jobs.push_stock(account)
    for n in range(4):
        url, shop_id, creds = emulator_connection("etsy", emulator.base_url)
        services.save_connection(channel="etsy", name=f"Etsy {n}", api_base_url=url, shop_id=shop_id,
                                 credentials=creds)
    after = {path: count(path) for path in before}
    assert after == before


def test_the_dashboard_has_a_channel_sync_panel(owner_client, listed, warehouse_user):
    assert "Channel sync" in owner_client.get("/").content.decode()
    warehouse = Client()
    warehouse.force_login(warehouse_user)
    assert "Channel sync" not in warehouse.get("/").content.decode()
