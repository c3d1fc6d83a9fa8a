"""Channel stock rules: how many of the units available to sell a channel listing is shown.

Pure functions over plain values (no queries), so the push job, the listing page and the API
all apply the same rule and say the same reason. A rule comes from the channel account, with
per-listing overrides (a listing field left empty follows its account). The steps, in order:

1. "show 0 at or below N": with N or fewer units available, the channel is shown 0;
2. the buffer: units, or a percentage of available, whichever holds back more;
3. the share: a percentage of what is left (rounded down), for splitting stock between channels;
4. the maximum shown: never more than this many.

``shown_quantity`` says which steps made the number, in the seller's words ("20 available,
max 5 shown")."""

from __future__ import annotations

from dataclasses import dataclass, field

# ChannelAccount field -> ChannelListing override field -> StockRule field.
RULE_FIELDS = (
    ("stock_buffer_units", "stock_buffer_units", "buffer_units"),
    ("stock_buffer_percent", "stock_buffer_percent", "buffer_percent"),
    ("stock_share_percent", "stock_share_percent", "share_percent"),
    ("stock_max_shown", "stock_max_shown", "max_shown"),
    ("stock_zero_at_or_below", "stock_zero_at_or_below", "zero_at_or_below"),
)


@dataclass(frozen=True)
class StockRule:
    buffer_units: int = 0
    buffer_percent: int = 0
    share_percent: int = 100
    max_shown: int | None = None  # None: no maximum
    zero_at_or_below: int = 0  # 0: off (0 available shows 0 anyway)
    from_listing: frozenset[str] = field(default_factory=frozenset)  # rule fields the listing overrides

    def describe(self) -> str:
        """The rule in words, e.g. "max 5 shown; show 0 at or below 2" ("no rule" when none)."""
        parts = []
        if self.zero_at_or_below:
            parts.append(self._mark(f"show 0 at or below {self.zero_at_or_below}", "zero_at_or_below"))
        if self.buffer_units:
            parts.append(self._mark(f"buffer of {self.buffer_units} unit{'s' if self.buffer_units != 1 else ''}",
                                    "buffer_units"))
        if self.buffer_percent:
            parts.append(self._mark(f"buffer of {self.buffer_percent}%", "buffer_percent"))
        if self.share_percent < 100:
            parts.append(self._mark(f"{self.share_percent}% share", "share_percent"))
        if self.max_shown is not None:
            parts.append(self._mark(f"max {self.max_shown} shown", "max_shown"))
        return "; ".join(parts) or "no rule: all available shown"

    def _mark(self, text: str, name: str) -> str:
        return f"{text} (this listing)" if name in self.from_listing else text


@dataclass(frozen=True)
class Shown:
    quantity: int
    reason: str  # in the seller's words, e.g. "20 available, max 5 shown"


def _value(obj, name):
    return getattr(obj, name, None) if obj is not None else None


def rule_for(account, listing=None) -> StockRule:
    """The rule that applies to this listing of this account: the account's values, replaced by
    the listing's where the listing has one. Reads fields of the objects given, never queries."""
    values: dict = {}
    overridden = set()
    for account_field, listing_field, name in RULE_FIELDS:
        own = _value(listing, listing_field)
        if own is not None:
            values[name] = int(own)
            overridden.add(name)
        else:
            values[name] = _value(account, account_field)
    share = values["share_percent"]
    return StockRule(
        buffer_units=max(0, int(values["buffer_units"] or 0)),
        buffer_percent=min(100, max(0, int(values["buffer_percent"] or 0))),
        share_percent=100 if share is None else min(100, max(0, int(share))),
        max_shown=None if values["max_shown"] is None else max(0, int(values["max_shown"])),
        zero_at_or_below=max(0, int(values["zero_at_or_below"] or 0)),
        from_listing=frozenset(overridden),
    )


def shown_quantity(available: int, rule: StockRule) -> Shown:
    """The quantity pushed to the channel for `available` units, and the reason for it."""
    available = max(0, int(available))
    start = f"{available} available"
    if rule.zero_at_or_below and available <= rule.zero_at_or_below:
        return Shown(0, f"{start}, {rule._mark(f'show 0 at or below {rule.zero_at_or_below}', 'zero_at_or_below')}")
    steps = []
    quantity = available
    held = max(rule.buffer_units, (quantity * rule.buffer_percent + 99) // 100)
    if held and quantity:
        by_units = rule.buffer_units >= (quantity * rule.buffer_percent + 99) // 100
        words = (rule._mark(f"buffer of {rule.buffer_units} unit{'s' if rule.buffer_units != 1 else ''}",
                            "buffer_units") if by_units
                 else rule._mark(f"buffer of {rule.buffer_percent}%", "buffer_percent"))
        kept = max(0, quantity - held)
        steps.append(f"{quantity - kept} held back ({words})")
        quantity = kept
    if rule.share_percent < 100 and quantity:
        shared = quantity * rule.share_percent // 100
        steps.append(rule._mark(f"{rule.share_percent}% share of {quantity}", "share_percent"))
        quantity = shared
    if rule.max_shown is not None and quantity > rule.max_shown:
        quantity = rule.max_shown
        steps.append(rule._mark(f"max {rule.max_shown} shown", "max_shown"))
    return Shown(quantity, ", ".join([start, *steps]))
