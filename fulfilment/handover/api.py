"""Proof of handover over the API: ``/api/v1/scan-forms``.

- ``GET /scan-forms?day=YYYY-MM-DD&carrier=usps&origin=<location id>``: the end-of-day forms
  (USPS SCAN forms and manifests), newest first.
- ``POST /scan-forms`` ``{"carrier": "usps", "origin": <location id or code>, "kind"?}``: end
  the day (today) for that carrier and origin: one form for the packages not yet handed over;
  400 with ``{"error"}`` when there is nothing new.
- ``GET /scan-forms/{id}``, ``GET /scan-forms/{id}/pdf`` (the form, with its barcode).

Reading needs view_operations (Ops, Warehouse, Owner); making a form needs work_warehouse.
"""

from __future__ import annotations

import datetime as dt

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from fulfilment.handover import selectors, services
from fulfilment.handover.models import HandoverPickup, HandoverRecord
from fulfilment.views.common import pdf_response
from inventory.models import Location
from sellerhub.api_base import conflict, not_found
from sellerhub.api_filters import MAX_ID
from sellerhub.roles import perm


class PickupSerializer(serializers.ModelSerializer):
    class Meta:
        model = HandoverPickup
        fields = ["id", "status", "window_start", "window_end", "carrier", "service", "amount", "confirmation",
                  "instructions"]


class ScanFormSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text="scan_form (USPS SCAN form) or manifest.")
    origin = serializers.CharField(source="origin.code", default=None, help_text="The warehouse's code.")
    package_count = serializers.SerializerMethodField()
    pickups = PickupSerializer(many=True, read_only=True)

    class Meta:
        model = HandoverRecord
        fields = ["id", "kind", "carrier", "origin", "day", "reference", "provider", "provider_id",
                  "provider_status", "tracking_numbers", "package_count", "pickups", "created_at"]

    def get_package_count(self, record) -> int:
        count = getattr(record, "package_count", None)
        return count if count is not None else record.entries.count()


class ScanFormCreateSerializer(serializers.Serializer):
    carrier = serializers.CharField(max_length=32, help_text="Carrier code, e.g. usps.")
    origin = serializers.CharField(max_length=32, help_text="The origin warehouse: its id or its code.")
    kind = serializers.ChoiceField(choices=HandoverRecord.Kind.choices, required=False,
                                   help_text="Leave it out: USPS labels bought through the provider get a SCAN "
                                             "form, the rest a manifest.")

    def validate_origin(self, value):
        lookup = {"pk": int(value)} if value.isdigit() and int(value) <= MAX_ID else {"code": value}
        origin = Location.objects.filter(kind=Location.Kind.WAREHOUSE, **lookup).first()
        if origin is None:
            not_found(f"No warehouse {value!r}.", field="origin")
        return origin


ERROR = inline_serializer("ScanFormError", {"error": serializers.CharField(), "status": serializers.IntegerField()})


class ScanFormViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """End-of-day forms (proof of handover) of SellerHub's own labels."""

    read_permission = perm("view_operations")
    write_permission = perm("work_warehouse")
    serializer_class = ScanFormSerializer

    def get_queryset(self):
        params = self.request.query_params
        day = None
        if params.get("day"):
            try:
                day = dt.date.fromisoformat(params["day"])
            except ValueError:
                raise exceptions.ValidationError({"day": ["A date, e.g. 2026-12-02."]}) from None
        origin = params.get("origin", "")
        if origin and not (origin.isdigit() and 1 <= int(origin) <= MAX_ID):
            raise exceptions.ValidationError({"origin": [f"A warehouse id from 1 to {MAX_ID}."]})
        return selectors.records(day=day, carrier=params.get("carrier", "").lower(),
                                 origin_id=int(origin) if origin else None)

    @extend_schema(parameters=[OpenApiParameter("day", OpenApiTypes.DATE), OpenApiParameter("carrier", str),
                               OpenApiParameter("origin", {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                                                description="The warehouse's id.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ScanFormCreateSerializer,
                   responses={201: ScanFormSerializer, 400: ERROR, 404: ERROR, 409: ERROR})
    def create(self, request):
        body = ScanFormCreateSerializer(data=request.data)
        if not body.is_valid():
            return Response({"error": " ".join(f"{k}: {' '.join(map(str, v))}" for k, v in body.errors.items()),
                             "status": 400, "fields": body.errors}, status=status.HTTP_400_BAD_REQUEST)
        data = body.validated_data
        try:
            record = services.end_day(carrier=data["carrier"].lower(), origin_id=data["origin"].pk,
                                      kind=data.get("kind", ""), user=request.user)
        except services.HandoverError as exc:
            conflict(str(exc))
        return Response(ScanFormSerializer(selectors.records().get(pk=record.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: ERROR})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        record = self.get_object()
        try:
            content = services.form_pdf(record)
        except (services.HandoverError, OSError) as exc:
            return Response({"error": str(exc), "status": 404}, status=status.HTTP_404_NOT_FOUND)
        return pdf_response(content, f"{record.reference}.pdf")


def register(router):
    router.register("scan-forms", ScanFormViewSet, basename="scan-forms")
