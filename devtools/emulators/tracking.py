"""Carrier tracking numbers that pass their format and check digit.

Algorithms from integrations/carriers/data (MIT): USPS IMpb (mod 10, reversed,
evens ×3), UPS 1Z (mod 10, odd positions ×2, letters as (ord-3) % 10) and FedEx Express 12
(weights 3,1,7; mod 11 then mod 10). The emulators hand these out so that labels bought or
orders shipped through them count as valid tracking in the metrics.
"""

from __future__ import annotations

import random
import re

CARRIERS = ("USPS", "UPS", "FedEx")


def _mod10(sequence: str, *, evens: int = 1, odds: int = 1, reverse: bool = False) -> int:
    chars = list(reversed(sequence)) if reverse else list(sequence)
    total = 0
    for i, ch in enumerate(chars):
        x = int(ch) if ch.isdigit() else (ord(ch) - 3) % 10
        if odds != 1 and i % 2 == 1:
            x *= odds
        elif evens != 1 and i % 2 == 0:
            x *= evens
        total += x
    check = total % 10
    return 0 if check == 0 else 10 - check


def _fedex12(serial: str) -> int:
    weights = [3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1]
    return sum(int(d) * w for d, w in zip(serial, weights, strict=True)) % 11 % 10


def usps(rng: random.Random) -> str:
    """22-digit USPS IMpb: 94 + service 001 + 6-digit mailer id + 10-digit serial + check."""
    serial = "94001" + str(rng.randint(1, 8)) + "".join(str(rng.randint(0, 9)) for _ in range(15))
    return serial + str(_mod10(serial, evens=3, reverse=True))


def ups(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
    shipper = "".join(rng.choice(alphabet) for _ in range(6))
    serial = shipper + "03" + "".join(str(rng.randint(0, 9)) for _ in range(7))
    return "1Z" + serial + str(_mod10(serial, odds=2))


def fedex(rng: random.Random) -> str:
    serial = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(10))
    return serial + str(_fedex12(serial))


GENERATORS = {"USPS": usps, "UPS": ups, "FedEx": fedex}


def generate(carrier: str, rng: random.Random | None = None) -> str:
    """A valid tracking number for ``carrier`` (USPS, UPS or FedEx; others get USPS)."""
    rng = rng or random.Random()
    return GENERATORS.get(carrier, usps)(rng)


def detect(number: str) -> str | None:
    """Which of USPS, UPS or FedEx the number is valid for, or None."""
    n = re.sub(r"\s+", "", number or "").upper()
    m = re.fullmatch(r"1Z([A-Z0-9]{15})([0-9])", n)
    if m:
        return "UPS" if _mod10(m.group(1), odds=2) == int(m.group(2)) else None
    if re.fullmatch(r"(420\d{5}(\d{4})?)?94\d{20}", n):
        serial = n[-22:]
        return "USPS" if _mod10(serial[:-1], evens=3, reverse=True) == int(serial[-1]) else None
    if re.fullmatch(r"\d{12}", n):
        return "FedEx" if _fedex12(n[:11]) == int(n[11]) else None
    return None
