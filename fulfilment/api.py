"""Fulfilment API: /api/v1/tracking/validate (tracking numbers judged by the carrier registry).

Pick lists and packages come with the pick/pack/ship work (see the issue); register them here.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from fulfilment import api_fbs
from fulfilment.handover import api as handover_api
from fulfilment.printers import api as printers_api
from fulfilment.shipping_rules import api as shipping_rules_api
from integrations.carriers import registry as carriers
from sellerhub.roles import perm

MAX_NUMBER_LENGTH = 100


class _OneObjectSchema(AutoSchema):
    """The list action answers one object (the verdict), not a list."""

    def _is_list_view(self, serializer=None):
        return False


class TrackingValidationViewSet(viewsets.ViewSet):
    """Check a tracking number against a carrier's format and check digit.

    `GET /api/v1/tracking/validate?number=1Z5R89390357567127&carrier=ups`. Without `carrier`
    the carrier is detected from the number. Spaces and hyphens in the number are ignored.
    The answer says whether the number is valid, for which carrier, and why, e.g.
    `{"valid": false, "carrier": "ups", "reason": "check digit mismatch for UPS"}`.
    """

    read_permission = perm("view_operations")
    pagination_class = None
    filter_backends = []
    schema = _OneObjectSchema()

    @staticmethod
    def _bad_request(field, message):
        return Response({"error": message, "status": 400, "fields": {field: [message]}},
                        status=status.HTTP_400_BAD_REQUEST)

    @extend_schema(
        operation_id="tracking_validate",
        parameters=[
            OpenApiParameter("number", {"type": "string", "minLength": 1, "maxLength": MAX_NUMBER_LENGTH,
                                        "pattern": r"\S"},
                             required=True, description="The tracking number to check."),
            OpenApiParameter("carrier", str, required=False,
                             description="Carrier code: " + ", ".join(carriers.CARRIERS)
                             + ". Leave it out to detect the carrier from the number.",
                             enum=list(carriers.CARRIERS)),
        ],
        responses={
            200: inline_serializer("TrackingValidation", {
                "valid": serializers.BooleanField(),
                "carrier": serializers.CharField(allow_null=True, help_text="The carrier asked for, or detected."),
                "reason": serializers.CharField(help_text='Why, e.g. "check digit mismatch for UPS".'),
                "number": serializers.CharField(help_text="The number as checked (no spaces or hyphens)."),
                "service": serializers.CharField(allow_null=True,
                                                 help_text='The matching format, e.g. "USPS IMpb N".'),
            }),
            400: inline_serializer("TrackingValidationError", {
                "error": serializers.CharField(), "status": serializers.IntegerField(),
                "fields": serializers.DictField(),
            }),
        },
    )
    def list(self, request):
        number = request.query_params.get("number", "")
        carrier = (request.query_params.get("carrier") or "").strip().lower()
        if not number.strip():
            return self._bad_request("number", "Give the tracking number to check: ?number=...")
        if len(number) > MAX_NUMBER_LENGTH:
            return self._bad_request("number", f"A tracking number has at most {MAX_NUMBER_LENGTH} characters.")
        if carrier and carrier not in carriers.CARRIERS:
            return self._bad_request("carrier", f"Unknown carrier {carrier!r}; use one of: "
                                                + ", ".join(carriers.CARRIERS) + ", or leave it out to detect it.")
        result = carriers.validate(number, carrier or None)
        return Response({
            "valid": result.valid,
            "carrier": result.carrier,
            "reason": result.reason,
            "number": result.number,
            "service": result.service,
        })


def register(router):
    """Register this app's API view sets on the /api/v1/ router."""
    router.register("tracking/validate", TrackingValidationViewSet, basename="tracking-validate")
    api_fbs.register(router)
    shipping_rules_api.register(router)
    printers_api.register(router)
    handover_api.register(router)
