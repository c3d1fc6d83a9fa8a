"""Tracking-number validation and carrier detection (integrations.carriers.registry).

The valid and invalid numbers come straight from the data files in
integrations/carriers/data/ (jkeen/tracking_number_data), read here independently of the
module, so every number the data lists is judged. No database needed.
"""

import json
from pathlib import Path

import pytest

from integrations.carriers.registry import (
    CARRIERS,
    Outcome,
    TrackingFormat,
    ValidationResult,
    choices,
    detect,
    normalise,
    validate,
)

DATA_DIR = Path(__file__).resolve().parents[2] / "integrations" / "carriers" / "data"

# Which data entry (file, entry name) belongs to which SellerHub carrier code.
ENTRY_CARRIER = {
    ("ups.json", "UPS"): "ups",
    ("ups.json", "UPS Waybill"): "ups",
    ("usps.json", "USPS 20"): "usps",
    ("usps.json", "USPS IMpb N"): "usps",
    ("usps.json", "USPS Legacy"): "usps",
    ("usps.json", "USPS IMpb C"): "usps",
    # UPU S10 numbers: only those issued by the US (ending "US") are USPS's; see s10 tests.
    ("s10.json", "S10"): "usps",
    ("fedex.json", "FedEx Express (12)"): "fedex",
    ("fedex.json", "FedEx Express (34)"): "fedex",
    ("fedex.json", "FedEx ASTRA (32)"): "fedex",
    ("fedex.json", "FedEx Ground"): "fedex",
    ("fedex.json", "FedEx Ground (SSCC-18)"): "fedex",
    ("fedex.json", "FedEx Ground 96 (22)"): "fedex",
    ("fedex.json", "FedEx Ground GSN"): "fedex",
    ("dhl.json", "DHL Express"): "dhl_express",
    ("dhl.json", "DHL Express (Piece ID)"): "dhl_express",
    ("dhl.json", "DHL E-Commerce"): "dhl_ecommerce",
    ("dhl.json", "DHL E-Commerce (14)"): "dhl_ecommerce",
    ("ontrac.json", "OnTrac"): "ontrac",
    ("ontrac.json", "OnTrac D"): "ontrac",
    ("lasership.json", "LaserShip LX"): "lasership",
    ("lasership.json", "LaserShip 1LS7 (15)"): "lasership",
    ("lasership.json", "LaserShip 1LS7 (18)"): "lasership",
    ("lasership.json", "LaserShip 1LSCX (15)"): "lasership",
    ("amazon.json", "Amazon Logistics"): "amazon",
    ("amazon.json", "Amazon International"): "amazon",
    ("gofo.json", "GOFO Express (US)"): "gofo",
    ("speedee.json", "Spee-Dee (20)"): "speedee",
    ("yunexpress.json", "YunExpress"): "yunexpress",
    ("landmark.json", "Landmark Global LTN"): "landmark",
    ("canadapost.json", "Canada Post (16)"): "canada_post",
    ("purolator.json", "Purolator (12)"): "purolator",
    ("purolator.json", "Purolator (alpha + 9)"): "purolator",
    ("canpar.json", "Canpar (22)"): "canpar",
    ("dpd.json", "DPD (28)"): "dpd",
    ("dpd.json", "DPD (14)"): "dpd",
    ("yodel.json", "Yodel"): "yodel",
    ("old_dominion.json", "Old Dominion"): "old_dominion",
    ("old_dominion.json", "Old Dominion Guaranteed Shipment"): "old_dominion",
}

# Invalid numbers that the data lists under one entry but that another entry of the same
# carrier accepts, so the carrier as a whole rightly calls them valid. Each one is still
# rejected by the entry it is listed under (test_data_entry_judges_its_own_test_numbers).
# (file, entry listing it as invalid, number) -> the sibling entry that accepts it
VALID_FOR_SIBLING = {
    ("purolator.json", "Purolator (alpha + 9)", "331426749957"): "Purolator (12)",
}


def _entries():
    for path in sorted(DATA_DIR.glob("*.json")):
        for entry in json.loads(path.read_text(encoding="utf-8"))["tracking_numbers"]:
            yield path.name, entry


def _is_foreign_s10(file, number):
    return file == "s10.json" and not normalise(number).endswith("US")


def _cases(kind):
    cases = []
    for file, entry in _entries():
        code = ENTRY_CARRIER.get((file, entry["name"]))
        for number in entry["test_numbers"][kind]:
            if code is None or _is_foreign_s10(file, number):
                continue
            cases.append(pytest.param(code, file, entry["name"], number, id=f"{code}:{number.strip()}"))
    return cases


# ---------------------------------------------------------------------------
# The data, entry by entry, and how it is mapped onto carriers
# ---------------------------------------------------------------------------


def test_every_data_entry_belongs_to_a_carrier():
    entries = {(file, entry["name"]) for file, entry in _entries()}
    assert entries == set(ENTRY_CARRIER)
    for code, carrier in CARRIERS.items():
        expected = sorted(name for (_, name), c in ENTRY_CARRIER.items() if c == code)
        assert sorted(f.name for f in carrier.formats) == expected, code


@pytest.mark.parametrize(
    "file, entry",
    [pytest.param(file, entry, id=f"{file}:{entry['name']}") for file, entry in _entries()],
)
def test_data_entry_judges_its_own_test_numbers(file, entry):
    fmt = TrackingFormat.from_entry(entry, require={})
    for number in entry["test_numbers"]["valid"]:
        assert fmt.check(normalise(number)) is Outcome.VALID, number
    for number in entry["test_numbers"]["invalid"]:
        assert fmt.check(normalise(number)) is not Outcome.VALID, number


# ---------------------------------------------------------------------------
# Every test number in the data, judged for its carrier
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("code, file, entry_name, number", _cases("valid"))
def test_valid_data_number_is_valid_for_its_carrier(code, file, entry_name, number):
    result = validate(number, carrier=code)
    assert result.valid, result.reason
    assert result.carrier == code
    assert result.service == entry_name
    assert result.reason == f"valid {CARRIERS[code].name} tracking number"
    assert code in detect(number)


@pytest.mark.parametrize("code, file, entry_name, number", _cases("invalid"))
def test_invalid_data_number_is_invalid_for_its_carrier(code, file, entry_name, number):
    result = validate(number, carrier=code)
    sibling = VALID_FOR_SIBLING.get((file, entry_name, number))
    if sibling is not None:
        assert result.valid and result.service == sibling
        return
    assert not result.valid
    assert result.carrier == code
    name = CARRIERS[code].name
    assert result.reason == f"check digit mismatch for {name}" or result.reason.startswith(
        f"not {'an' if name[0] in 'AEIO' else 'a'} {name} tracking number format"
    )


def test_data_counts_per_carrier():
    valid = {code: 0 for code in CARRIERS}
    invalid = dict(valid)
    for param in _cases("valid"):
        valid[param.values[0]] += 1
    for param in _cases("invalid"):
        invalid[param.values[0]] += 1
    assert all(valid.values()) and all(invalid.values())
    assert (valid["ups"], invalid["ups"]) == (12, 8)
    assert (valid["fedex"], invalid["fedex"]) == (34, 9)


# ---------------------------------------------------------------------------
# S10 (UPU) international numbers: USPS's own end in "US"
# ---------------------------------------------------------------------------


def test_s10_number_issued_by_usps_is_usps():
    assert validate("RB123456785US").carrier == "usps"
    assert validate("rb 123 456 785 us", carrier="usps").service == "S10"


@pytest.mark.parametrize("number", ["RB123456785GB", "RB123456785CV", "RB123456785CF"])
def test_s10_number_of_another_postal_service_is_not_usps(number):
    result = validate(number, carrier="usps")
    assert not result.valid
    assert result.reason == "not a USPS tracking number format"


def test_s10_check_digit_mismatch():
    assert validate("RB123456786US", carrier="usps").reason == "check digit mismatch for USPS"


# ---------------------------------------------------------------------------
# Reasons a user reads
# ---------------------------------------------------------------------------


def test_check_digit_mismatch_for_declared_carrier():
    result = validate("1Z5R89390357567128", carrier="ups")
    assert result == ValidationResult(
        valid=False,
        carrier="ups",
        reason="check digit mismatch for UPS",
        number="1Z5R89390357567128",
        service="UPS",
    )


def test_wrong_carrier_declared_says_which_carrier_it_looks_like():
    result = validate("9400 1112 0108 0805 4830 16", carrier="ups")
    assert not result.valid
    assert result.carrier == "ups"
    assert result.reason == "not a UPS tracking number format (it looks like a USPS number)"


def test_format_of_no_carrier_at_all():
    result = validate("HELLO", carrier="fedex")
    assert (result.valid, result.reason) == (False, "not a FedEx tracking number format")
    assert validate("HELLO", carrier="amazon").reason == "not an Amazon Logistics tracking number format"


def test_unknown_carrier():
    result = validate("1Z5R89390357567127", carrier="xyz")
    assert (result.valid, result.carrier, result.reason) == (False, None, "unknown carrier 'xyz'")


@pytest.mark.parametrize("number", ["", "   ", " - -"])
def test_empty_tracking_number(number):
    assert validate(number).reason == "empty tracking number"
    assert validate(number, carrier="ups").reason == "empty tracking number"
    assert not validate(number).valid
    assert detect(number) == []


def test_nothing_recognises_the_number():
    result = validate("NOT-A-PARCEL")
    assert (result.valid, result.carrier) == (False, None)
    assert result.reason == "no supported carrier recognises this number"


def test_detection_reports_check_digit_mismatch_when_only_a_format_matches():
    result = validate("1Z5R89390357567128")
    assert (result.valid, result.carrier, result.reason) == (False, "ups", "check digit mismatch for UPS")


# ---------------------------------------------------------------------------
# Normalisation, detection order, registry
# ---------------------------------------------------------------------------


def test_input_is_normalised():
    result = validate("  1z5r-8939-0357-5671-27\t", carrier="UPS")
    assert result.valid
    assert result.number == "1Z5R89390357567127"
    assert result.reason == "valid UPS tracking number"


def test_blank_carrier_means_detect():
    assert validate("1Z5R89390357567127", carrier="").carrier == "ups"
    assert validate("1Z5R89390357567127", carrier=None).carrier == "ups"


def test_detection_orders_carriers_that_all_accept_a_number():
    # 12 digits: a FedEx Express number that also passes Purolator's Luhn check;
    # "JFV247545960" fits DHL Express piece ids and Purolator's alpha format (no check digit).
    assert detect("287809468872") == ["fedex", "purolator"]
    assert validate("287809468872").carrier == "fedex"
    assert detect("JFV247545960") == ["dhl_express", "purolator"]


def test_registry_and_choices():
    required = {
        "ups": "UPS",
        "usps": "USPS",
        "fedex": "FedEx",
        "dhl_express": "DHL Express",
        "dhl_ecommerce": "DHL eCommerce",
    }
    assert {code: CARRIERS[code].name for code in required} == required
    assert all(code == carrier.code for code, carrier in CARRIERS.items())
    assert choices()[:5] == list(required.items())
    assert choices() == [(c.code, c.name) for c in CARRIERS.values()]
