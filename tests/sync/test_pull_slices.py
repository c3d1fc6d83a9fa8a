"""A pull job stores pages for a slice of time, then hands the rest of the window to a follow-up
pull, so jobs queued meanwhile (stock pushes) run in between; nothing is lost or stored twice."""

from channels import coordination, pulls
from channels.models import SyncRun
from orders.models import Order, OrderEvent


def test_a_long_backlog_is_pulled_in_slices_without_losing_an_order(listed, emulator, settings, monkeypatch):
    account = listed["tiktok"]
    emulator.state.generate_orders("tiktok", 120)
    want = len(emulator.state.tiktok.orders)
    settings.CHANNEL_SYNC_PULL_SLICE_SECONDS = 0.001  # every page is the end of a slice
    requested = []
    monkeypatch.setattr(pulls, "request_pull", lambda account_id, trigger: requested.append(account_id))

    first = pulls.pull_orders(account)
    assert first["continued"] and "more pages follow in the next pull" in first["message"]
    assert requested == [account.pk]  # the follow-up, queued behind what waits now
    assert 0 < Order.objects.filter(account=account).count() < want
    while requested:
        requested.clear()
        pulls.pull_orders(account)
    assert Order.objects.filter(account=account).count() == want
    assert OrderEvent.objects.filter(order__account=account, kind="created").count() == want
    assert SyncRun.objects.filter(account=account, status=SyncRun.Status.SUCCEEDED).count() > 1
    assert not coordination.is_pending("pull", account.pk)
