"""Channel carrier names (TikTok's ``shipping_provider_name``, WooCommerce's tracking plug-ins,
Etsy's ``carrier_name``) to SellerHub carrier codes (``integrations.carriers.registry.CARRIERS``).

    >>> carrier_code("USPS")
    'usps'
    >>> carrier_code("FedEx Ground")
    'fedex'
    >>> carrier_code("Some local courier")
    ''
"""

from __future__ import annotations

import re

from integrations.carriers.registry import CARRIERS

# Names channels use that are not simply our display name or code (compared squashed: lower
# case, letters and digits only). Longest first wins, so "dhlecommerce" beats "dhl".
_ALIASES = {
    "unitedstatespostalservice": "usps",
    "uspsgroundadvantage": "usps",
    "uspspriority": "usps",
    "unitedparcelservice": "ups",
    "fedexground": "fedex",
    "federalexpress": "fedex",
    "dhlecommerce": "dhl_ecommerce",
    "dhlecommercesolutions": "dhl_ecommerce",
    "dhlglobalmail": "dhl_ecommerce",
    "dhlexpress": "dhl_express",
    "dhl": "dhl_express",
    "amazonshipping": "amazon",
    "amazonlogistics": "amazon",
    "amzl": "amazon",
    "lasershipontrac": "ontrac",
    "gofo": "gofo",
    "speedee": "speedee",
    "speedeedelivery": "speedee",
    "canadapost": "canada_post",
    "postescanada": "canada_post",
}


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (text or "").lower())


def _table() -> list[tuple[str, str]]:
    table = dict(_ALIASES)
    for code, carrier in CARRIERS.items():
        table.setdefault(_squash(code), code)
        table.setdefault(_squash(carrier.name), code)
    return sorted(table.items(), key=lambda item: -len(item[0]))


_TABLE = _table()


def carrier_code(name: str) -> str:
    """Our carrier code for a channel's carrier name, or "" when we don't know the carrier.

    An exact (squashed) match wins; otherwise the longest known name the channel's name starts
    with ("FedEx Ground Economy" -> fedex, "UPS SurePost" -> ups)."""
    squashed = _squash(name)
    if not squashed:
        return ""
    for key, code in _TABLE:
        if squashed == key:
            return code
    for key, code in _TABLE:
        if len(key) >= 3 and squashed.startswith(key):
            return code
    return ""
