"""Carrier registry: validate tracking numbers and detect which carrier issued them.

Pure Python, no database. The formats (regular expressions), check-digit rules and the
test numbers come from jkeen/tracking_number_data (MIT), copied into ``data/``
(see ``data/SOURCE.txt`` and ``data/LICENSE``). The JSON files are read
once, at import; the table ``_REGISTRY`` below only decides which of their entries belong
to which SellerHub carrier code.

    >>> validate("1Z5R89390357567127", carrier="ups").valid
    True
    >>> detect("9400 1112 0108 0805 4830 16")
    ['usps']

Tracking numbers are normalised before matching: whitespace and hyphens are removed and
letters upper-cased; ``ValidationResult.number`` holds that form.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "CARRIERS",
    "Carrier",
    "Outcome",
    "TrackingFormat",
    "ValidationResult",
    "choices",
    "detect",
    "normalise",
    "validate",
]

DATA_DIR = Path(__file__).with_name("data")


# ---------------------------------------------------------------------------
# Which data entries make up which SellerHub carrier. Order matters: it is the order of
# ``CARRIERS`` and ``choices()``, and breaks ties when a number fits several carriers
# (US parcel carriers first, since SellerHub's shops sell in the US).
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    file: str
    # Entry names within the file; None takes every entry of the file.
    entries: tuple[str, ...] | None = None
    # Regex group -> required value, on top of the data's own rules.
    require: Mapping[str, str] = field(default_factory=dict)


_REGISTRY: tuple[tuple[str, str, tuple[_Source, ...]], ...] = (
    ("ups", "UPS", (_Source("ups.json"),)),
    (
        "usps",
        "USPS",
        (
            _Source("usps.json"),
            # USPS's international items carry UPU S10 numbers ending in its country code.
            _Source("s10.json", require={"CountryCode": "US"}),
        ),
    ),
    ("fedex", "FedEx", (_Source("fedex.json"),)),
    (
        "dhl_express",
        "DHL Express",
        (_Source("dhl.json", ("DHL Express", "DHL Express (Piece ID)")),),
    ),
    (
        "dhl_ecommerce",
        "DHL eCommerce",
        (_Source("dhl.json", ("DHL E-Commerce", "DHL E-Commerce (14)")),),
    ),
    ("ontrac", "OnTrac", (_Source("ontrac.json"),)),
    ("lasership", "LaserShip", (_Source("lasership.json"),)),
    ("amazon", "Amazon Logistics", (_Source("amazon.json"),)),
    ("gofo", "GOFO Express", (_Source("gofo.json"),)),
    ("speedee", "Spee-Dee Delivery", (_Source("speedee.json"),)),
    ("yunexpress", "YunExpress", (_Source("yunexpress.json"),)),
    ("landmark", "Landmark Global", (_Source("landmark.json"),)),
    ("canada_post", "Canada Post", (_Source("canadapost.json"),)),
    ("purolator", "Purolator", (_Source("purolator.json"),)),
    ("canpar", "Canpar", (_Source("canpar.json"),)),
    ("dpd", "DPD", (_Source("dpd.json"),)),
    ("yodel", "Yodel", (_Source("yodel.json"),)),
    ("old_dominion", "Old Dominion Freight Line", (_Source("old_dominion.json"),)),
)


# ---------------------------------------------------------------------------
# Check-digit algorithms, as defined in data/CHECKSUM_ALGORITHMS.md.
# Each takes the serial number, the check digit and the checksum spec from the data.
# ---------------------------------------------------------------------------

_Spec = Mapping[str, Any]


def _digit(check: str) -> int | None:
    return int(check) if len(check) == 1 and check in "0123456789" else None


def _mod10(serial: str, check: str, spec: _Spec) -> bool:
    chars = serial[::-1] if spec.get("reverse") else serial
    odds, evens = spec.get("odds_multiplier"), spec.get("evens_multiplier")
    total = 0
    for i, char in enumerate(chars):
        # Letters (UPS shipper ids) count as (ASCII code - 3) mod 10.
        x = int(char) if char in "0123456789" else (ord(char) - 3) % 10
        if odds and i % 2 == 1:
            x *= int(odds)
        elif evens and i % 2 == 0:
            x *= int(evens)
        total += x
    return (10 - total % 10) % 10 == _digit(check)


def _mod7(serial: str, check: str, spec: _Spec) -> bool:
    return int(serial) % 7 == _digit(check)


def _s10(serial: str, check: str, spec: _Spec) -> bool:
    weights = spec.get("weightings") or (8, 6, 4, 2, 3, 5, 9, 7)
    if len(serial) != len(weights):
        return False
    remainder = sum(int(a) * b for a, b in zip(serial, weights, strict=True)) % 11
    expected = {0: 5, 1: 0}.get(remainder, 11 - remainder)
    return expected == _digit(check)


def _sum_product(serial: str, check: str, spec: _Spec) -> bool:
    weights = spec["weightings"]
    if len(serial) != len(weights):
        return False
    total = sum(int(a) * b for a, b in zip(serial, weights, strict=True))
    return total % spec["modulo1"] % spec["modulo2"] == _digit(check)


def _luhn(serial: str, check: str, spec: _Spec) -> bool:
    # Not in CHECKSUM_ALGORITHMS.md; the standard Luhn check digit, as the reference
    # library computes it: double every other digit from the right, starting at the last.
    total = 0
    for i, char in enumerate(reversed(serial)):
        x = int(char) * (2 if i % 2 == 0 else 1)
        total += x - 9 if x > 9 else x
    return (10 - total % 10) % 10 == _digit(check)


def _mod_37_36(serial: str, check: str, spec: _Spec) -> bool:
    # ISO 7064 MOD 37,36 (hybrid), as in the DPD parcel label specification.
    alphabet = spec.get("alphabet") or "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    mod = 36
    cd = mod
    for char in serial:
        cd += alphabet.index(char)
        if cd > mod:
            cd -= mod
        cd *= 2
        if cd > mod:
            cd -= mod + 1
    cd = mod + 1 - cd
    if cd == mod:
        cd = 0
    return alphabet[cd] == check


_CHECKSUMS: dict[str, Callable[[str, str, _Spec], bool]] = {
    "mod10": _mod10,
    "mod7": _mod7,
    "s10": _s10,
    "sum_product_with_weightings_and_modulo": _sum_product,
    "luhn": _luhn,
    "mod_37_36": _mod_37_36,
}


# ---------------------------------------------------------------------------
# One tracking-number format (an entry of a data file)
# ---------------------------------------------------------------------------


class Outcome(Enum):
    """How a number fares against one format (or the best of a carrier's formats)."""

    NO_MATCH = 0
    CHECK_DIGIT_MISMATCH = 1
    VALID = 2


_NAMED_GROUP = re.compile(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>")
_WHITESPACE = re.compile(r"\s+")


def _python_pattern(regex: str | list[str]) -> str:
    """Turn the data's Ruby/PCRE pattern into Python's dialect.

    Named groups become ``(?P<name>...)``; literal hyphens are dropped, since normalised
    numbers have none (LaserShip's ``...-1`` piece suffix is matched as ``...1``).
    """
    source = "".join(regex) if isinstance(regex, list) else regex
    source = _NAMED_GROUP.sub(r"(?P<\1>", source)
    out: list[str] = []
    in_class = escaped = False
    for char in source:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "-":
            continue
        out.append(char)
    return "".join(out)


def _group(match: re.Match[str], name: str) -> str | None:
    try:
        value = match.group(name)
    except IndexError:
        return None
    return None if value is None else _WHITESPACE.sub("", value)


def _in_lookup(value: str | None, lookup: Sequence[Mapping[str, Any]]) -> bool:
    if value is None:
        return False
    for item in lookup:
        if "matches" in item and value == item["matches"]:
            return True
        if "matches_regex" in item and re.fullmatch(item["matches_regex"], value):
            return True
    return False


@dataclass(frozen=True)
class TrackingFormat:
    """One tracking-number format of a carrier (a service, e.g. "UPS Waybill")."""

    id: str
    name: str
    has_check_digit: bool
    pattern: re.Pattern[str] = field(repr=False)
    checksum: Mapping[str, Any] | None = field(default=None, repr=False)
    # (regex the serial number must match, text to prepend) from "serial_number_format"
    prepend_if: tuple[re.Pattern[str], str] | None = field(default=None, repr=False)
    # (group name, lookup table) pairs whose group value must appear in the table
    lookups_required: tuple[tuple[str, tuple[dict[str, Any], ...]], ...] = field(default=(), repr=False)
    require: Mapping[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_entry(cls, entry: Mapping[str, Any], require: Mapping[str, str]) -> TrackingFormat:
        validation = entry.get("validation") or {}
        checksum = validation.get("checksum")
        if checksum is not None and checksum["name"] not in _CHECKSUMS:
            raise ValueError(f"{entry['name']}: unknown checksum {checksum['name']!r}")
        prepend_if = None
        if rule := (validation.get("serial_number_format") or {}).get("prepend_if"):
            prepend_if = (re.compile(rule["matches_regex"]), rule["content"])
        lookups: list[tuple[str, tuple[dict[str, Any], ...]]] = []
        for name in (validation.get("additional") or {}).get("exists", []):
            section = next(a for a in entry.get("additional", []) if a["name"] == name)
            lookups.append((section["regex_group_name"], tuple(section["lookup"])))
        pattern = re.compile(_python_pattern(entry["regex"]))
        if checksum is not None and not {"SerialNumber", "CheckDigit"} <= set(pattern.groupindex):
            raise ValueError(f"{entry['name']}: checksum without SerialNumber/CheckDigit")
        return cls(
            id=entry.get("id") or re.sub(r"[^a-z0-9]+", "_", entry["name"].lower()).strip("_"),
            name=entry["name"],
            has_check_digit=checksum is not None,
            pattern=pattern,
            checksum=checksum,
            prepend_if=prepend_if,
            lookups_required=tuple(lookups),
            require=dict(require),
        )

    def check(self, number: str) -> Outcome:
        """Judge an already normalised number against this format."""
        match = self.pattern.fullmatch(number)
        if match is None:
            return Outcome.NO_MATCH
        for group, value in self.require.items():
            if _group(match, group) != value:
                return Outcome.NO_MATCH
        for group, lookup in self.lookups_required:
            if not _in_lookup(_group(match, group), lookup):
                return Outcome.NO_MATCH
        if self.checksum is None:
            return Outcome.VALID
        serial = _group(match, "SerialNumber") or ""
        check = _group(match, "CheckDigit") or ""
        if self.prepend_if and self.prepend_if[0].search(serial):
            serial = self.prepend_if[1] + serial
        algorithm = _CHECKSUMS[self.checksum["name"]]
        if algorithm(serial, check, self.checksum):
            return Outcome.VALID
        return Outcome.CHECK_DIGIT_MISMATCH


# ---------------------------------------------------------------------------
# Carriers
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    formats: tuple[TrackingFormat, ...] = field(default=(), repr=False, compare=False)

    def _judge(self, number: str) -> tuple[Outcome, TrackingFormat | None]:
        """Best outcome over this carrier's formats; formats with a check digit win."""
        mismatch: TrackingFormat | None = None
        valid: TrackingFormat | None = None
        for fmt in self.formats:
            outcome = fmt.check(number)
            if outcome is Outcome.VALID:
                if fmt.has_check_digit:
                    return outcome, fmt
                valid = valid or fmt
            elif outcome is Outcome.CHECK_DIGIT_MISMATCH:
                mismatch = mismatch or fmt
        if valid is not None:
            return Outcome.VALID, valid
        if mismatch is not None:
            return Outcome.CHECK_DIGIT_MISMATCH, mismatch
        return Outcome.NO_MATCH, None


@cache
def _load(file: str) -> dict[str, Any]:
    with (DATA_DIR / file).open(encoding="utf-8") as fh:
        return json.load(fh)


def _build() -> dict[str, Carrier]:
    carriers: dict[str, Carrier] = {}
    for code, name, sources in _REGISTRY:
        formats: list[TrackingFormat] = []
        for source in sources:
            entries = _load(source.file)["tracking_numbers"]
            if source.entries is not None:
                by_name = {e["name"]: e for e in entries}
                missing = set(source.entries) - set(by_name)
                if missing:
                    raise ValueError(f"{source.file}: no entries named {sorted(missing)}")
                entries = [by_name[n] for n in source.entries]
            formats.extend(TrackingFormat.from_entry(e, source.require) for e in entries)
        carriers[code] = Carrier(code=code, name=name, formats=tuple(formats))
    return carriers


CARRIERS: dict[str, Carrier] = _build()


def choices() -> list[tuple[str, str]]:
    """(code, display name) pairs for a Django form's ``choices``."""
    return [(c.code, c.name) for c in CARRIERS.values()]


# ---------------------------------------------------------------------------
# Validation and detection
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidationResult:
    valid: bool
    # The carrier the verdict is about: the one asked for, or the one detected.
    carrier: str | None
    reason: str
    # The normalised tracking number (no whitespace or hyphens, upper case).
    number: str = ""
    # The matching format's name, e.g. "USPS IMpb N", when there is one.
    service: str | None = None


_STRIP = re.compile(r"[\s\-\u2010-\u2015\u2212]+")


def _a(name: str) -> str:
    """Prefix the indefinite article: a UPS, a USPS, an OnTrac, an Amazon Logistics."""
    return f"{'an' if name[:1] in 'AEIO' else 'a'} {name}"


def normalise(number: str) -> str:
    """Remove whitespace and hyphens (including dash look-alikes) and upper-case."""
    return _STRIP.sub("", number or "").upper()


def _ranked(number: str) -> list[tuple[Carrier, Outcome, TrackingFormat]]:
    """Carriers whose format matches, most specific first: check-digit formats, then
    registry order."""
    found = []
    for index, carrier in enumerate(CARRIERS.values()):
        outcome, fmt = carrier._judge(number)
        if fmt is not None:
            found.append((carrier, outcome, fmt, index))
    found.sort(key=lambda item: (not item[2].has_check_digit, item[3]))
    return [(carrier, outcome, fmt) for carrier, outcome, fmt, _ in found]


def detect(number: str) -> list[str]:
    """Codes of the carriers whose format and check digit accept ``number``,
    most specific first."""
    normalised = normalise(number)
    if not normalised:
        return []
    return [c.code for c, outcome, _ in _ranked(normalised) if outcome is Outcome.VALID]


def validate(number: str, carrier: str | None = None) -> ValidationResult:
    """Check ``number`` against ``carrier`` (a code from ``CARRIERS``), or detect the
    carrier when none is given (``None`` or a blank string, as an empty form choice)."""
    normalised = normalise(number)
    code = (carrier or "").strip().lower() or None
    if code is not None and code not in CARRIERS:
        return ValidationResult(False, None, f"unknown carrier {carrier!r}", normalised)
    if not normalised:
        return ValidationResult(False, code, "empty tracking number", normalised)

    if code is not None:
        chosen = CARRIERS[code]
        outcome, fmt = chosen._judge(normalised)
        if outcome is Outcome.VALID and fmt is not None:
            return ValidationResult(True, code, f"valid {chosen.name} tracking number", normalised, fmt.name)
        if outcome is Outcome.CHECK_DIGIT_MISMATCH and fmt is not None:
            return ValidationResult(False, code, f"check digit mismatch for {chosen.name}", normalised, fmt.name)
        reason = f"not {_a(chosen.name)} tracking number format"
        others = [c for c, o, _ in _ranked(normalised) if o is Outcome.VALID]
        if others:
            reason += f" (it looks like {_a(others[0].name)} number)"
        return ValidationResult(False, code, reason, normalised)

    ranked = _ranked(normalised)
    for found, outcome, fmt in ranked:
        if outcome is Outcome.VALID:
            return ValidationResult(True, found.code, f"valid {found.name} tracking number", normalised, fmt.name)
    for found, _, fmt in ranked:  # only check-digit mismatches are left
        return ValidationResult(False, found.code, f"check digit mismatch for {found.name}", normalised, fmt.name)
    return ValidationResult(False, None, "no supported carrier recognises this number", normalised)
