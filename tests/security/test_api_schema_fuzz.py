"""Acceptance 4 (API half): schemathesis over the project's own OpenAPI schema, in process, with the
demo data and an Owner's token, finds no server error, no answer outside the documented status codes,
no answer that breaks its documented shape, no schema-violating request accepted (negative data
rejection) and no schema-valid request refused as bad input (positive data acceptance: a valid
request naming something that isn't there is a 404, one the state refuses is a 409).

A few operations check a rule JSON Schema can't state (a check digit, "this field or that one");
``CROSS_FIELD_RULES`` names each with its rule, and only there may a valid-looking request get a 400.

Every operation gets a few generated requests, valid (positive) and invalid (negative) ones; the
run is derandomised, so a failure is reproducible. Bounded so the whole test stays near a minute.
"""

from __future__ import annotations

import re

import hypothesis
import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, Phase
from knox.models import AuthToken
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db

EXAMPLES = {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 3}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection, positive_data_acceptance]
# Operations whose input rules go beyond what the schema can say; a positive case refused with a 400
# there is the API doing its job. Every other operation must accept what its schema allows.
CROSS_FIELD_RULES = {
    "POST /api/v1/packages/{id}/tracking/": "the carrier's number format and check digit",
    "POST /api/v1/picklists/": "order ids, or due_today: true",
    "POST /api/v1/printers/": "a ZPL printer needs a host, a CUPS printer a queue",
    "PUT /api/v1/printers/{id}/": "a ZPL printer needs a host, a CUPS printer a queue",
    "PATCH /api/v1/printers/{id}/": "a ZPL printer needs a host, a CUPS printer a queue",
    "POST /api/v1/stock/adjustments/": "quantity, or counted with reason count",
    "POST /api/v1/orders/{id}/cancel/": "a channel's order needs reason_code; a manual order may give reason alone",
    "POST /api/v1/refunds/": "an amount above zero",
    "POST /api/v1/shipping-rules/": "a weight range's 'from' is not above its 'up to'",
    "PUT /api/v1/shipping-rules/{id}/": "a weight range's 'from' is not above its 'up to'",
    "PATCH /api/v1/shipping-rules/{id}/": "a weight range's 'from' is not above its 'up to'",
    "POST /api/v1/skus/": "the barcode's GTIN check digit",
    "PUT /api/v1/skus/{id}/": "the barcode's GTIN check digit",
    "PATCH /api/v1/skus/{id}/": "the barcode's GTIN check digit",
}


def _allowed(label: str, mode, status: int, text: str) -> bool:
    """A positive case refused with 400 by an operation listed in CROSS_FIELD_RULES (and nothing else wrong)."""
    return (label in CROSS_FIELD_RULES and mode is GenerationMode.POSITIVE and status == 400
            and len(re.findall(r"- ST\d{3} ", text)) == 1 and "Schema-valid request rejected" in text)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The WSGI app closes "old" database connections around each request; inside the test's
    transaction that would close the test's own connection (PostgreSQL). Django's test client
    disconnects the same handler; so does this test while it calls the app directly."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def owner_headers(db):
    with override_settings(DEBUG=True):  # the demo loader refuses to run with DEBUG off
        call_command("load_demo_data", verbosity=0)
    _token, key = AuthToken.objects.create(user=UserFactory(role="Owner", username="fuzz-owner"))
    return {"Authorization": f"Token {key}"}


def _schema(headers):
    config = SchemathesisConfig()
    # A NUL in a query string is refused (400) by design; generating it only hides other findings.
    config.projects.default.generation.update(allow_x00=False, with_security_parameters=False)
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, headers=headers, config=config)


def _fuzz(operation, mode, headers, failures):
    @hypothesis.settings(max_examples=EXAMPLES[mode], deadline=None, derandomize=True, database=None,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (AssertionError, FailureGroup) as exc:  # collect, don't shrink: one line per finding is enough
            if _allowed(operation.label, mode, response.status_code, str(exc)):
                return
            failures.append(f"{operation.label} [{mode.value}] {response.status_code}: {str(exc)[:900]}")

    try:
        run()
    except hypothesis.errors.Unsatisfiable:  # nothing to make invalid (no parameters, no body)
        assert mode is GenerationMode.NEGATIVE


def test_the_api_keeps_to_its_own_schema(owner_headers):
    schema = _schema(owner_headers)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40  # the whole API, not an empty schema
    for operation in operations:
        for mode in EXAMPLES:
            _fuzz(operation, mode, owner_headers, failures)
    assert not failures, "\n".join(failures)
