"""import_orders: the TikTok file through the sync's mapping and upsert (acceptance 1)."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from orders.models import Order, OrderEvent, OrderStatus
from orders.samples import SAMPLE_FILE
from sellerhub.models import Channel, ChannelAccount

ROOT = Path(__file__).resolve().parents[2]
S = OrderStatus


def run(path):
    out = StringIO()
    call_command("import_orders", "--channel", "tiktok", str(path), stdout=out)
    return out.getvalue()


@pytest.fixture
def skus(stocked):
    for seller_sku in ("TEE-BLK-M", "MUG-01", "TEE-WHT-M", "HOOD-NVY-L", "CAP-BLK"):
        stocked(seller_sku, 20)


def test_importing_the_same_file_twice_creates_and_updates_nothing_the_second_time(skus):
    first = run(SAMPLE_FILE)
    assert "created 10, updated 0, unchanged 0, rejected 0" in first
    account = ChannelAccount.objects.get(channel=Channel.TIKTOK)
    assert account.time_zone == "America/Los_Angeles"
    events = OrderEvent.objects.count()
    stamps = dict(Order.objects.values_list("pk", "updated_at"))

    second = run(SAMPLE_FILE)
    assert "created 0, updated 0, unchanged 10, rejected 0" in second
    assert OrderEvent.objects.count() == events
    assert dict(Order.objects.values_list("pk", "updated_at")) == stamps


def test_the_sample_file_lands_in_the_right_states(skus):
    run(SAMPLE_FILE)
    states = dict(Order.objects.values_list("external_id", "status"))
    assert states == {
        "576461413038785001": S.CONFIRMED, "576461413038785002": S.AWAITING_CONFIRMATION,
        "576461413038785003": S.ON_HOLD, "576461413038785004": S.AWAITING_PAYMENT,
        "576461413038785005": S.SHIPPED, "576461413038785006": S.IN_TRANSIT,
        "576461413038785007": S.DELIVERED, "576461413038785008": S.CANCELLED,
        "576461413038785009": S.CONFIRMED, "576461413038785010": S.COMPLETED,
    }
    unmatched = Order.objects.get(external_id="576461413038785002")
    assert unmatched.attention_reason == "unmatched_sku" and unmatched.lines.filter(sku__isnull=True).count() == 2


def test_an_older_copy_does_not_move_the_status_back(skus, tmp_path):
    orders = json.loads(SAMPLE_FILE.read_text())
    newer = [o for o in orders if o["id"] == "576461413038785001"][0]
    older = json.loads(json.dumps(newer))
    later = newer["update_time"] + 3600
    newer.update(status="AWAITING_COLLECTION", update_time=later, tracking_number="1Z5R89390357567127",
                 shipping_provider="UPS", rts_time=later)
    (tmp_path / "new.json").write_text(json.dumps([newer]))
    (tmp_path / "old.json").write_text(json.dumps([older]))
    assert "created 1" in run(tmp_path / "new.json")
    order = Order.objects.get(external_id="576461413038785001")
    assert order.status == S.SHIPPED
    out = run(tmp_path / "old.json")
    assert "created 0, updated 0, unchanged 1 (1 older than what is stored), rejected 0" in out
    order.refresh_from_db()
    assert order.status == S.SHIPPED and order.channel_status == "AWAITING_COLLECTION"


def test_rejections_are_counted_with_their_reasons(skus, tmp_path):
    good = json.loads(SAMPLE_FILE.read_text())[0]
    (tmp_path / "mixed.json").write_text(json.dumps([
        good, {"id": "X1", "status": "NOPE", "create_time": 1, "line_items": [{"id": "1"}]}, "not an order",
        {"id": "X3", "status": "UNPAID", "line_items": [{"id": "1"}]},
    ]))
    out = run(tmp_path / "mixed.json")
    assert "created 1, updated 0, unchanged 0, rejected 3" in out
    assert "rejected order X1 (item 2): unknown status 'NOPE'" in out
    assert "rejected order #3 (item 3): an order must be a JSON object" in out
    assert "rejected order X3 (item 4): the order has no create_time" in out


def test_the_envelope_of_the_api_is_accepted(skus, tmp_path):
    sample = json.loads(SAMPLE_FILE.read_text())[:2]
    (tmp_path / "envelope.json").write_text(json.dumps({"code": 0, "data": {"orders": sample}}))
    assert "created 2" in run(tmp_path / "envelope.json")


@pytest.mark.parametrize("content,message", [
    ("{not json", "is not valid JSON"),
    ('{"a": 1}', "must hold a JSON array"),
])
def test_bad_files_are_refused(db, tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        run(path)
    assert not Order.objects.exists()


def test_an_unknown_channel_is_refused(db):
    with pytest.raises(CommandError, match="invalid choice: 'amazon'"):
        call_command("import_orders", "--channel", "amazon", str(SAMPLE_FILE))


def test_invalid_json_exits_non_zero_from_the_shell(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("[{]")
    env = {**os.environ, "DEBUG": "1", "SELLERHUB_VAR_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run([sys.executable, "manage.py", "import_orders", "--channel", "tiktok", str(path)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "is not valid JSON" in done.stderr
