"""GET /api/v1/metrics and `manage.py metrics_report`: the same JSON, clear errors."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from metrics.selectors import MetricsInputError, Window
from tests.metrics.factories import AccountFactory, OrderFactory, PackageFactory, local

pytestmark = pytest.mark.django_db

KEYS = ["late_dispatch_rate", "valid_tracking_rate", "on_time_delivery_rate", "seller_fault_cancellation_rate"]


@pytest.fixture
def march():
    tiktok, woo = AccountFactory(channel="tiktok"), AccountFactory(channel="woocommerce")
    for account, late in ((tiktok, True), (tiktok, False), (woo, False)):
        OrderFactory(account=account, created_at=local("2025-03-05 10:00"), dispatched_at=local("2025-03-07 10:00"),
                     dispatch_due_at=local("2025-03-06 23:59" if late else "2025-03-07 23:59"))
    return tiktok, woo


def command(*args):
    out = io.StringIO()
    call_command("metrics_report", *args, stdout=out)
    return out.getvalue()


def test_api_answers_the_same_json_as_the_command(march, owner_user, api_client_for):
    api = api_client_for(owner_user)
    response = api.get("/api/v1/metrics?channel=tiktok&from=2025-03-01&to=2025-03-31")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == KEYS
    assert body["late_dispatch_rate"] == {"value": 0.5, "numerator": 1, "denominator": 2}
    assert body["valid_tracking_rate"] == {"value": None, "numerator": 0, "denominator": 0}
    assert body == json.loads(command("--channel", "tiktok", "--from", "2025-03-01", "--to", "2025-03-31", "--json"))
    # With a trailing slash, for all channels, and for one account.
    assert api.get("/api/v1/metrics/?from=2025-03-01&to=2025-03-31").json()["late_dispatch_rate"]["denominator"] == 3
    woo = march[1]
    one = api.get(f"/api/v1/metrics?account={woo.pk}&from=2025-03-01&to=2025-03-31").json()
    assert one["late_dispatch_rate"] == {"value": 0.0, "numerator": 0, "denominator": 1}


@pytest.mark.parametrize("query,field,message", [
    ("from=2025-03-31&to=2025-03-01", "to", "must be after"),
    ("from=2025-03-01&to=2025-03-01", "to", "must be after"),
    ("from=03/01/2025&to=2025-03-31", "from", "Enter a valid date"),
    ("channel=myspace", "channel", "Select a valid choice"),
    ("account=abc", "account", "Enter a whole number"),
    ("from=2020-01-01&to=2025-01-01", "to", "at most 731 days"),
])
def test_api_rejects_bad_input_with_a_400_json_error(owner_user, api_client_for, query, field, message):
    response = api_client_for(owner_user).get(f"/api/v1/metrics?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == 400 and message in body["error"]
    assert field in body["fields"]


def test_api_answers_404_for_an_account_that_isnt_there(owner_user, api_client_for):
    response = api_client_for(owner_user).get("/api/v1/metrics?account=999999")
    assert response.status_code == 404
    body = response.json()
    assert body["status"] == 404 and "There is no channel account 999999" in body["error"]
    assert "account" in body["fields"]


def test_api_needs_the_metrics_capability(client, warehouse_user, ops_user, api_client_for):
    assert client.get("/api/v1/metrics").status_code in (401, 403)
    assert api_client_for(warehouse_user).get("/api/v1/metrics").status_code == 403
    assert api_client_for(ops_user).get("/api/v1/metrics").status_code == 200


def test_api_default_window_is_the_last_30_full_days(owner_user, api_client_for):
    body = api_client_for(owner_user).get("/api/v1/metrics").json()
    assert body == {key: {"value": None, "numerator": 0, "denominator": 0} for key in KEYS}


def test_command_prints_exactly_the_json_shape(march):
    text = command("--channel", "tiktok", "--from", "2025-03-01", "--to", "2025-03-31", "--json")
    assert text.startswith('{"late_dispatch_rate": {"value": 0.5, "numerator": 1, "denominator": 2}, '
                           '"valid_tracking_rate": {"value": null, "numerator": 0, "denominator": 0}, ')
    assert list(json.loads(text)) == KEYS


def test_command_readable_output(march):
    text = command("--from", "2025-03-01", "--to", "2025-03-31")
    assert "All channels, 2025-03-01 to 2025-03-30" in text
    assert "Late dispatch rate" in text and "33.33 %" in text and "1 / 3" in text


@pytest.mark.parametrize("args,message", [
    (["--from", "2025-03-01"], "both --from and --to"),
    (["--from", "2025-03-31", "--to", "2025-03-01"], "must be after"),
    (["--channel", "myspace"], "Unknown channel 'myspace'"),
    (["--account", "424242"], "There is no channel account 424242"),
    (["--as-of", "yesterday"], "ISO date-time"),
])
def test_command_errors_are_explained(args, message):
    with pytest.raises(CommandError, match=message):
        command(*args)


def test_command_rejects_a_date_that_is_not_one():
    with pytest.raises(CommandError):
        call_command("metrics_report", "--from", "2025-02-30", "--to", "2025-03-31")


def test_command_as_of_reproduces_pending_tracking():
    order = OrderFactory(created_at=local("2025-03-09 10:00"))
    PackageFactory(order=order, tracking_uploaded_at=local("2025-03-10 10:00"), first_scan_at=None)
    early = json.loads(command("--from", "2025-03-01", "--to", "2025-03-31", "--as-of", "2025-03-12T00:00:00+00:00",
                               "--json"))
    late = json.loads(command("--from", "2025-03-01", "--to", "2025-03-31", "--as-of", "2025-03-20T00:00:00+00:00",
                              "--json"))
    assert early["valid_tracking_rate"]["denominator"] == 0  # pending: 2 days, no scan
    assert late["valid_tracking_rate"] == {"value": 0.0, "numerator": 0, "denominator": 1}


def test_window_dates_must_be_real_dates():
    with pytest.raises(MetricsInputError, match="must be after"):
        Window(dt.date(2025, 3, 2), dt.date(2025, 3, 1))
    assert Window(dt.date(2025, 3, 1), dt.date(2025, 3, 2)).days == 1


def test_openapi_documents_one_object_with_the_four_figures(owner_user, api_client_for):
    schema = api_client_for(owner_user).get("/api/schema/?format=json").json()
    response = schema["paths"]["/api/v1/metrics/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert response["schema"] == {"$ref": "#/components/schemas/MetricsReport"}
    assert list(schema["components"]["schemas"]["MetricsReport"]["properties"]) == KEYS
    names = {p["name"] for p in schema["paths"]["/api/v1/metrics/"]["get"]["parameters"]}
    assert {"from", "to", "channel", "account"} <= names
