"""GET /api/v1/tracking/validate: every test number of tracking_number_data for UPS, USPS, FedEx
and DHL (Express and eCommerce) is judged, through the API, as the data lists it.

The numbers are read from the data files (integrations/carriers/data/, copies of
jkeen/tracking_number_data) independently of integrations.carriers.registry. One test per carrier
loops over its numbers and collects every misjudgement, so a failure lists them all.
"""

import json
from pathlib import Path

import pytest

from integrations.carriers.registry import normalise

DATA_DIR = Path(__file__).resolve().parents[2] / "integrations" / "carriers" / "data"
URL = "/api/v1/tracking/validate"

# carrier code -> [(data file, entry names or None for all, only numbers ending with this suffix)]
CARRIER_DATA = {
    "ups": [("ups.json", None, "")],
    # USPS's own UPU S10 (international) numbers end in its country code; the others are
    # other postal services' numbers and are checked apart below.
    "usps": [("usps.json", None, ""), ("s10.json", None, "US")],
    "fedex": [("fedex.json", None, "")],
    "dhl_express": [("dhl.json", ("DHL Express", "DHL Express (Piece ID)"), "")],
    "dhl_ecommerce": [("dhl.json", ("DHL E-Commerce", "DHL E-Commerce (14)"), "")],
}


def load(file):
    return json.loads((DATA_DIR / file).read_text(encoding="utf-8"))["tracking_numbers"]


def numbers(code, kind):
    """(entry name, number) for the carrier's valid or invalid test numbers."""
    out = []
    for file, names, suffix in CARRIER_DATA[code]:
        for entry in load(file):
            if names is not None and entry["name"] not in names:
                continue
            for number in entry["test_numbers"][kind]:
                if normalise(number).endswith(suffix):
                    out.append((entry["name"], number))
    return out


@pytest.fixture
def api(api_client_for, warehouse_user):
    return api_client_for(warehouse_user)


def judge(api, number, carrier=None):
    params = {"number": number}
    if carrier is not None:
        params["carrier"] = carrier
    response = api.get(URL, params)
    assert response.status_code == 200, (number, response.content)
    return response.json()


def test_every_dhl_entry_belongs_to_express_or_ecommerce():
    listed = {name for sources in CARRIER_DATA.values() for _, names, _ in sources if names for name in names}
    assert {entry["name"] for entry in load("dhl.json")} == listed


@pytest.mark.django_db
@pytest.mark.parametrize("code", list(CARRIER_DATA))
def test_every_listed_number_is_judged_as_the_data_says(api, code):
    valid, invalid = numbers(code, "valid"), numbers(code, "invalid")
    assert valid and invalid
    wrong = []
    for entry, number in valid:
        body = judge(api, number, code)
        if not (body["valid"] and body["carrier"] == code and body["service"] == entry):
            wrong.append(f"valid {entry} {number!r} with carrier={code}: {body}")
        # Without a carrier, the API detects it.
        body = judge(api, number)
        if not (body["valid"] and body["carrier"] == code):
            wrong.append(f"valid {entry} {number!r} detected: {body}")
    for entry, number in invalid:
        body = judge(api, number, code)
        if body["valid"] or body["carrier"] != code or not body["reason"]:
            wrong.append(f"invalid {entry} {number!r} with carrier={code}: {body}")
        body = judge(api, number)
        if body["valid"] and body["carrier"] == code:
            wrong.append(f"invalid {entry} {number!r} detected as valid for {code}: {body}")
    assert not wrong, f"{len(wrong)} of {2 * (len(valid) + len(invalid))} judgements wrong:\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_s10_numbers_of_other_postal_services_are_not_usps(api):
    foreign = [n for entry in load("s10.json") for n in entry["test_numbers"]["valid"]
               if not normalise(n).endswith("US")]
    assert foreign
    for number in foreign:
        body = judge(api, number, "usps")
        assert (body["valid"], body["reason"]) == (False, "not a USPS tracking number format"), number


@pytest.mark.django_db
def test_the_answer_says_why(api):
    assert judge(api, "1Z5R89390357567128", "ups") == {
        "valid": False, "carrier": "ups", "reason": "check digit mismatch for UPS",
        "number": "1Z5R89390357567128", "service": "UPS",
    }
    body = judge(api, "9400 1112 0108 0805 4830 16", "UPS")
    assert body["reason"] == "not a UPS tracking number format (it looks like a USPS number)"
    assert judge(api, "NOT-A-PARCEL") == {
        "valid": False, "carrier": None, "reason": "no supported carrier recognises this number",
        "number": "NOTAPARCEL", "service": None,
    }
    body = judge(api, " 1z5r-8939-0357-5671-27 ", "")
    assert (body["valid"], body["carrier"], body["number"]) == (True, "ups", "1Z5R89390357567127")


@pytest.mark.django_db
@pytest.mark.parametrize("params, field, message", [
    ({}, "number", "Give the tracking number to check"),
    ({"number": "   "}, "number", "Give the tracking number to check"),
    ({"number": "1" * 101}, "number", "at most 100 characters"),
    ({"number": "1Z5R89390357567127", "carrier": "royalmail"}, "carrier", "Unknown carrier 'royalmail'"),
])
def test_bad_requests_get_400_json(api, params, field, message):
    response = api.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert message in body["error"] and body["status"] == 400
    assert message in body["fields"][field][0]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["Warehouse", "Owner", "Ops"])
def test_every_role_may_validate(api_client_for, role_users, role):
    response = api_client_for(role_users[role]).get(URL, {"number": "1Z5R89390357567127"})
    assert response.status_code == 200 and response.json()["valid"] is True


@pytest.mark.django_db
def test_anonymous_and_roleless_users_are_refused(client, api_client_for, roleless_user):
    assert client.get(URL, {"number": "1Z5R89390357567127"}).status_code in (401, 403)
    response = api_client_for(roleless_user).get(URL, {"number": "1Z5R89390357567127"})
    assert response.status_code == 403 and response["Content-Type"].startswith("application/json")
