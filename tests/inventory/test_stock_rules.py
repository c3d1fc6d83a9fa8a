"""Channel stock rules as pure functions: the quantity a listing is shown and the reason in the
seller's words; the listing's own values replace its account's; no database."""

from types import SimpleNamespace

import pytest

from inventory.stock_rules import StockRule, rule_for, shown_quantity


def account(**kw):
    values = dict(stock_buffer_units=0, stock_buffer_percent=0, stock_share_percent=100, stock_max_shown=None,
                  stock_zero_at_or_below=0)
    return SimpleNamespace(**{**values, **kw})


def listing(**kw):
    values = dict(stock_buffer_units=None, stock_buffer_percent=None, stock_share_percent=None, stock_max_shown=None,
                  stock_zero_at_or_below=None)
    return SimpleNamespace(**{**values, **kw})


def test_no_rule_shows_everything_available():
    shown = shown_quantity(20, rule_for(account()))
    assert (shown.quantity, shown.reason) == (20, "20 available")
    assert shown_quantity(-3, StockRule()).quantity == 0


@pytest.mark.parametrize(("available", "max_shown", "zero", "tiktok", "etsy"), [(20, 5, 2, 5, 20), (2, 5, 2, 2, 0)])
def test_acceptance_max_5_and_show_0_at_or_below_2(available, max_shown, zero, tiktok, etsy):
    on_tiktok = shown_quantity(available, rule_for(account(stock_max_shown=max_shown)))
    on_etsy = shown_quantity(available, rule_for(account(stock_zero_at_or_below=zero)))
    assert (on_tiktok.quantity, on_etsy.quantity) == (tiktok, etsy)
    if available == 20:
        assert on_tiktok.reason == "20 available, max 5 shown"
        assert on_etsy.reason == "20 available"
    else:
        assert on_tiktok.reason == "2 available"
        assert on_etsy.reason == "2 available, show 0 at or below 2"


def test_buffer_units_or_percent_whichever_holds_back_more():
    by_percent = shown_quantity(20, StockRule(buffer_units=2, buffer_percent=25))
    assert by_percent.quantity == 15 and by_percent.reason == "20 available, 5 held back (buffer of 25%)"
    by_units = shown_quantity(20, StockRule(buffer_units=6, buffer_percent=25))
    assert by_units.quantity == 14 and by_units.reason == "20 available, 6 held back (buffer of 6 units)"
    assert shown_quantity(3, StockRule(buffer_units=5)).quantity == 0


def test_share_then_maximum_in_order_and_all_reasons_named():
    shown = shown_quantity(40, StockRule(buffer_units=4, share_percent=50, max_shown=10))
    assert shown.quantity == 10
    assert shown.reason == "40 available, 4 held back (buffer of 4 units), 50% share of 36, max 10 shown"
    assert shown_quantity(7, StockRule(share_percent=50)).quantity == 3  # rounded down: never oversell
    assert shown_quantity(5, StockRule(max_shown=0)).quantity == 0


def test_listing_values_replace_the_account_values_and_say_so():
    rule = rule_for(account(stock_max_shown=5, stock_buffer_units=1), listing(stock_max_shown=3))
    assert (rule.max_shown, rule.buffer_units) == (3, 1)
    assert shown_quantity(20, rule).reason == "20 available, 1 held back (buffer of 1 unit), max 3 shown (this listing)"
    assert rule.describe() == "buffer of 1 unit; max 3 shown (this listing)"
    assert rule_for(account(stock_zero_at_or_below=4), listing(stock_zero_at_or_below=0)).zero_at_or_below == 0
    assert rule_for(account()).describe() == "no rule: all available shown"


def test_rule_for_reads_only_the_objects_given(django_assert_num_queries, db):
    from inventory.models import ChannelListing
    from sellerhub.models import ChannelAccount

    acct = ChannelAccount(name="T", channel="tiktok", stock_max_shown=5)
    lst = ChannelListing(account=acct, stock_share_percent=50)
    with django_assert_num_queries(0):
        assert shown_quantity(20, rule_for(acct, lst)).quantity == 5
