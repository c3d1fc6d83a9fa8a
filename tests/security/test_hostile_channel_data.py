"""Hostile data from a channel: NUL and other control characters are stripped where channel text
enters (the mapping); an order that still can't be stored is tried a bounded number of times,
then refused with its reason, alarmed, shown on the Sync log page, and not fetched again while
the channel sends it unchanged (before: fetched again on every pull forever, with an empty error).
Over real HTTP against the loopback WooCommerce emulator."""

from __future__ import annotations

import json

import pytest
from django.db import DataError

from channels import jobs, pulls
from channels.models import SyncCursor, SyncRun
from orders.mapping import map_order
from orders.models import Order
from tests.sync.conftest import accounts, emu, emulator  # noqa: F401

pytestmark = pytest.mark.django_db
CONTROL = "\x00\x01\x07\x1b\x7f\x85"


def dirty(value: str) -> str:
    return f"{value[:2]}{CONTROL}{value[2:]}\r\n"


def test_the_mapping_strips_control_characters(request):
    emu_ = request.getfixturevalue("emulator")
    order_id = emu_.state.generate_orders("woocommerce", 1)[0]
    payload = json.loads(json.dumps(emu_.state.woocommerce.orders[order_id]))
    payload["number"] = dirty(str(payload["number"]))
    payload["customer_note"] = "Leave at\x00 the door\r\nthanks\x1b[31m"
    payload["shipping"]["first_name"] = dirty(payload["shipping"]["first_name"])
    payload["line_items"][0]["name"] = dirty(payload["line_items"][0]["name"])
    payload["line_items"][0]["sku"] = "=cmd\x00|calc"
    payload["meta_data"] = [{"key": "note\x00", "value": "a\x00b"}]
    incoming = map_order("woocommerce", payload)
    text = json.dumps([incoming.raw, repr(incoming)], default=str)
    for char in CONTROL:
        assert json.dumps(char)[1:-1] not in text, repr(char)
    assert incoming.raw["customer_note"] == "Leave at the door\nthanks[31m"  # line feeds stay in notes
    assert incoming.lines[0].channel_sku == "=cmd|calc"


def test_a_pulled_order_with_nul_is_stored_without_it(request):
    emu_, woo = request.getfixturevalue("emulator"), request.getfixturevalue("accounts")["woocommerce"]
    order_id = emu_.state.generate_orders("woocommerce", 1)[0]
    order = emu_.state.woocommerce.orders[order_id]
    order["shipping"]["first_name"] = "Ta\x00ylor"
    order["customer_note"] = "ring\x00 twice"
    result = jobs.pull_orders(woo)
    assert not result.get("failed"), result
    stored = Order.objects.get(account=woo, external_id=str(order_id))
    assert "\x00" not in json.dumps(stored.raw).replace("\\u0000", "\x00")
    assert stored.raw["shipping"]["first_name"] == "Taylor"


def test_an_order_that_cannot_be_stored_is_refused_after_n_attempts(request, settings, monkeypatch, caplog,
                                                                     owner_client):
    emu_, woo = request.getfixturevalue("emulator"), request.getfixturevalue("accounts")["woocommerce"]
    settings.CHANNEL_SYNC_MAX_STORE_ATTEMPTS = 3
    good_id, bad_id = (str(i) for i in emu_.state.generate_orders("woocommerce", 2))
    real_store, tried = pulls.store_page, []

    def store(*, account, incoming, source):  # the database refuses the bad order (its page, then alone)
        if any(inc.external_id == bad_id for inc in incoming):
            if len(incoming) == 1:
                tried.append(bad_id)
            raise DataError("value too long for type character varying(64)")
        return real_store(account=account, incoming=incoming, source=source)

    monkeypatch.setattr(pulls, "store_page", store)
    for _ in range(6):
        jobs.pull_orders(woo)
    assert Order.objects.filter(account=woo, external_id=good_id).exists()
    assert not Order.objects.filter(account=woo, external_id=bad_id).exists()
    assert len(tried) == 3  # then refused, not fetched again while unchanged
    assert "ALARM" in caplog.text and bad_id in caplog.text
    refused = SyncRun.objects.filter(account=woo, error__contains="could not be stored after 3 attempts")
    assert refused.count() == 1
    assert "DataError: value too long" in refused.get().error
    runs = SyncRun.objects.filter(account=woo).order_by("pk")
    assert all(run.error for run in runs if run.status == SyncRun.Status.PARTIAL)  # never an empty error
    entry = SyncCursor.objects.get(account=woo).position["retry_ids"][bad_id]
    assert entry["given_up"] is True and entry["attempts"] == 3
    page = owner_client.get(f"/channels/log/?account={woo.pk}").content.decode()
    assert "could not be stored after 3 attempts" in page and "DataError" in page

    # The channel changes the order: it gets new attempts (and stores once the problem is gone).
    monkeypatch.setattr(pulls, "store_page", real_store)
    emu_.state.woocommerce.orders[int(bad_id)]["customer_note"] = "changed"
    emu_.state.woocommerce.orders[int(bad_id)]["date_modified_gmt"] = "2099-01-01T00:00:00"
    jobs.pull_orders(woo)
    assert Order.objects.filter(account=woo, external_id=bad_id).exists()
