"""The four figures TikTok judges a shop by, and TikTok's lines for each (one table).

The rules themselves are in ``metrics/selectors/rules.py``; they follow docs/domain/metrics.md,
"The four metrics", rule by rule. This module holds what is the same everywhere: the keys
(which are also the JSON keys of ``metrics_report --json`` and ``GET /api/v1/metrics``), the
names the pages show, and the thresholds.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from orders.dispatch_windows import AT_RISK_WITHIN

LATE_DISPATCH = "late_dispatch_rate"
VALID_TRACKING = "valid_tracking_rate"
ON_TIME_DELIVERY = "on_time_delivery_rate"
SELLER_FAULT_CANCELLATION = "seller_fault_cancellation_rate"

# The order of the JSON, the tiles and the trend charts.
METRIC_KEYS = (LATE_DISPATCH, VALID_TRACKING, ON_TIME_DELIVERY, SELLER_FAULT_CANCELLATION)

# Valid Tracking Rate: a carrier scan must come within this long after the upload of the
# tracking number; until this long has passed without a scan the package is "pending".
TRACKING_SCAN_WITHIN = timedelta(days=5)

# At-risk lists: how far ahead an undispatched order counts as at risk (the word's one definition,
# orders/dispatch_windows.py), and how long a package may wait for its first carrier scan before it is listed.
DISPATCH_AT_RISK_WITHIN = AT_RISK_WITHIN
NO_SCAN_AFTER = timedelta(days=3)

# The metrics page's default window: the last 30 full days. The trend: the last 12 ISO weeks.
DEFAULT_WINDOW_DAYS = 30
TREND_WEEKS = 12
# The longest window a page, the API or the command accepts.
MAX_WINDOW_DAYS = 731

GOOD = "good"
WARNING = "warning"
ENFORCEMENT = "enforcement"
NO_VALUE = "none"

STATUS_LABELS = {GOOD: "Good", WARNING: "Warning", ENFORCEMENT: "Enforcement", NO_VALUE: "No orders"}


@dataclass(frozen=True)
class Metric:
    key: str
    name: str
    short: str
    # "lower" when a lower value is better (LDR, SFCR), "higher" otherwise (VTR, OTDR).
    better: str
    good: Decimal
    # TikTok's enforcement line, where it publishes one; between the two lines is "warning".
    enforcement: Decimal | None
    # What the rows behind the figure are: "orders" or "packages".
    unit: str
    numerator_text: str
    denominator_text: str
    description: str

    def status(self, value):
        """good / warning / enforcement for a ratio in [0, 1]; "none" without a value."""
        if value is None:
            return NO_VALUE
        value = Decimal(str(value))
        if self.better == "lower":
            if value <= self.good:
                return GOOD
            if self.enforcement is not None and value > self.enforcement:
                return ENFORCEMENT
            return WARNING
        if value >= self.good:
            return GOOD
        if self.enforcement is not None and value < self.enforcement:
            return ENFORCEMENT
        return WARNING

    def lines_text(self):
        sign_good, sign_bad = ("≤", ">") if self.better == "lower" else ("≥", "<")
        text = f"Good {sign_good} {_pct(self.good)}"
        if self.enforcement is not None:
            text += f" · enforcement {sign_bad} {_pct(self.enforcement)}"
        return text


def _pct(value):
    text = f"{value * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text} %"


# TikTok's lines (docs/domain/metrics.md#thresholds). Only the late
# dispatch rate has a published enforcement line apart from its "good" line.
THRESHOLDS = {
    # key: (better, good, enforcement)
    LATE_DISPATCH: ("lower", Decimal("0.04"), Decimal("0.10")),
    VALID_TRACKING: ("higher", Decimal("0.95"), None),
    ON_TIME_DELIVERY: ("higher", Decimal("0.80"), None),
    SELLER_FAULT_CANCELLATION: ("lower", Decimal("0.025"), None),
}

METRICS = {
    LATE_DISPATCH: Metric(
        LATE_DISPATCH, "Late dispatch rate", "LDR", *THRESHOLDS[LATE_DISPATCH], unit="orders",
        numerator_text="dispatched late (FBS)", denominator_text="dispatched (FBS and FBT)",
        description="Orders whose first carrier scan came after the dispatch deadline, among all orders "
                    "first scanned in the window. FBT orders count in the denominator only.",
    ),
    VALID_TRACKING: Metric(
        VALID_TRACKING, "Valid tracking rate", "VTR", *THRESHOLDS[VALID_TRACKING], unit="packages",
        numerator_text="with valid tracking", denominator_text="with tracking uploaded",
        description="Packages of FBS orders on the seller's own labels whose tracking number passes its "
                    "carrier's format and check digit and got a carrier scan within 5 days of the upload. "
                    "Packages still waiting (no scan, fewer than 5 days) are left out.",
    ),
    ON_TIME_DELIVERY: Metric(
        ON_TIME_DELIVERY, "On-time delivery rate", "OTDR", *THRESHOLDS[ON_TIME_DELIVERY], unit="orders",
        numerator_text="delivered on time", denominator_text="due for delivery (FBS, not cancelled)",
        description="FBS orders, not cancelled, due for delivery in the window that were delivered by their "
                    "deliver-by date.",
    ),
    SELLER_FAULT_CANCELLATION: Metric(
        SELLER_FAULT_CANCELLATION, "Seller-fault cancellation rate", "SFCR", *THRESHOLDS[SELLER_FAULT_CANCELLATION],
        unit="orders", numerator_text="cancelled by the seller or the system", denominator_text="paid and placed",
        description="Paid, non-sample orders placed in the window that were cancelled by the seller or "
                    "automatically by the system (a missed deadline counts against the seller).",
    ),
}
