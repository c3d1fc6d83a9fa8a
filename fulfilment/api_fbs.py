"""Fulfilled by Seller over the API: ``/api/v1/picklists`` and ``/api/v1/packages``.

Reading needs view_operations; every change needs work_warehouse. A refused step answers 400
with ``{"error": "<what to do>", "field": ...}`` and changes nothing.

- ``GET /picklists`` · ``POST /picklists`` ``{"orders": [ids]}`` or ``{"due_today": true}`` ·
  ``GET /picklists/{id}`` (stops in walking order) · ``GET /picklists/{id}/pdf?size=letter|a4`` ·
  ``POST /picklists/{id}/complete`` · ``POST /picklists/{id}/cancel``
- ``GET /packages?order=&status=`` · ``POST /packages`` ``{"order", "lines"?, "weight_grams"?,
  "box"?, ...}`` · ``POST /packages/{id}/rates`` ``{"label_format": "pdf"|"zpl"}`` ·
  ``POST /packages/{id}/buy`` ``{"rate_id"}`` · ``GET /packages/{id}/label/pdf`` and
  ``/label/zpl`` · ``POST /packages/{id}/tracking`` (a label bought elsewhere) ·
  ``POST /packages/{id}/own_label`` · ``POST /packages/{id}/ship`` ·
  ``POST /packages/{id}/cancel`` · ``GET /packages/{id}/packing_slip?size=``
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

import documents as docs
from fulfilment import printing, selectors, services
from fulfilment.models import BoxPreset, Package, PickList
from fulfilment.serializers import (
    BuyRequestSerializer,
    CancelRequestSerializer,
    OwnLabelRequestSerializer,
    PickListCreateSerializer,
    PickListDetailSerializer,
    PickListSerializer,
    RateSerializer,
    RatesRequestSerializer,
    ShipmentCreateSerializer,
    ShipmentSerializer,
    TrackingRequestSerializer,
)
from orders.models import Order
from sellerhub.api_filters import MAX_ID
from sellerhub.downloads import content_disposition
from sellerhub.roles import perm

SIZE = OpenApiParameter("size", str, enum=["letter", "a4"], description="Paper size (default letter).")


def refused(exc: services.FulfilmentError, code: int | None = None) -> Response:
    """A refusal from the services: 400 when it names a field of the request (bad input), else 409
    (the package or order is not in a state that allows it)."""
    if code is None:
        code = status.HTTP_400_BAD_REQUEST if getattr(exc, "field", "") else status.HTTP_409_CONFLICT
    body = {"error": str(exc), "status": code}
    if getattr(exc, "field", ""):
        body["field"] = exc.field
    return Response(body, status=code)


def _file(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, attachment=False)
    return response


class PickListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Pick lists: the lines of confirmed orders to pick, by bin in walking order."""

    read_permission = perm("view_operations")
    write_permission = perm("work_warehouse")
    serializer_class = PickListSerializer

    @extend_schema(parameters=[OpenApiParameter("status", str, description="open, done or cancelled")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.pick_lists(status=self.request.query_params.get("status", ""))

    def retrieve(self, request, *args, **kwargs):
        pick_list = selectors.pick_list_detail(self.get_object().pk)
        return Response(self._detail(pick_list))

    def _detail(self, pick_list: PickList) -> dict:
        groups = printing.pick_list_data(pick_list).groups() if pick_list.lines.all() else []
        annotated = selectors.pick_lists().get(pk=pick_list.pk)
        pick_list.order_count, pick_list.unit_count = annotated.order_count, annotated.unit_count
        return PickListDetailSerializer(pick_list, context={"groups": groups}).data

    @extend_schema(request=PickListCreateSerializer, responses={201: PickListDetailSerializer})
    def create(self, request):
        data = PickListCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            result = services.create_pick_list(order_ids=data.validated_data.get("orders"),
                                               due_today=data.validated_data["due_today"], user=request.user,
                                               note=data.validated_data.get("note", ""))
        except services.FulfilmentError as exc:
            return refused(exc)
        body = self._detail(selectors.pick_list_detail(result.pick_list.pk))
        body["skipped"] = [{"id": o.pk, "number": o.external_id, "reason": why} for o, why in result.skipped]
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[SIZE], responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        pick_list = selectors.pick_list_detail(self.get_object().pk)
        size = request.query_params.get("size", "letter").lower()
        if size not in ("letter", "a4"):
            return Response({"error": "size is letter or a4.", "status": 400}, status=400)
        try:
            content = docs.render_pick_list_pdf(printing.pick_list_data(pick_list), page_size=size)
        except docs.DocumentError as exc:
            return Response({"error": str(exc), "status": 400}, status=400)
        return _file(content, "application/pdf", f"{pick_list.reference}-{size}.pdf")

    @extend_schema(request=None, responses={200: PickListSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        try:
            services.complete_pick_list(pick_list=self.get_object(), user=request.user)
        except services.FulfilmentError as exc:
            return refused(exc)
        return Response(self._detail(selectors.pick_list_detail(pk)))

    @extend_schema(request=None, responses={200: PickListSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        services.cancel_pick_list(pick_list=self.get_object(), user=request.user)
        return Response(self._detail(selectors.pick_list_detail(pk)))


class PackageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Packages (shipments): labels, rates, tracking and shipping."""

    read_permission = perm("view_operations")
    write_permission = perm("work_warehouse")
    serializer_class = ShipmentSerializer
    search_fields = ["tracking_number", "order__external_id"]
    FILTERS = ("order", "status", "label_source", "carrier")

    @extend_schema(parameters=[
        OpenApiParameter("order", {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                         description="Packages of this order (id)."),
        OpenApiParameter("status", str, description="draft, labelled, shipped, in_transit, delivered, cancelled"),
        OpenApiParameter("label_source", str, description="provider, uploaded, typed or own"),
        OpenApiParameter("carrier", str, description="Carrier code, e.g. usps")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        qs = Package.objects.order_by("-created_at", "-pk")
        if self.action == "list":
            params = self.request.query_params
            given = {name: params[name].strip() for name in self.FILTERS if params.get(name, "").strip()}
            if "order" in given and not (given["order"].isascii() and given["order"].isdigit()
                                         and 1 <= int(given["order"]) <= MAX_ID):
                raise ValidationError({"order": [f"An order id: a whole number from 1 to {MAX_ID}."]})
            if given:
                qs = qs.filter(**{("order_id" if k == "order" else k): v for k, v in given.items()})
        return selectors.package_rows(qs)

    def _answer(self, package: Package, code=status.HTTP_200_OK) -> Response:
        return Response(ShipmentSerializer(selectors.package_rows().get(pk=package.pk)).data, status=code)

    @extend_schema(request=ShipmentCreateSerializer, responses={201: ShipmentSerializer})
    def create(self, request):
        data = ShipmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        order = Order.objects.filter(pk=values["order"]).first()
        if order is None:
            return Response({"error": f"No order {values['order']}.", "status": 404, "field": "order"}, status=404)
        box = None
        if values.get("box"):
            box = BoxPreset.objects.filter(pk=values["box"], active=True).first()
            if box is None:
                return Response({"error": f"No active box preset {values['box']}.", "status": 404, "field": "box"},
                                status=404)
        lines = [(item["line"], item["quantity"]) for item in values["lines"]] if "lines" in values else None
        try:
            package = services.create_package(order=order, lines=lines, weight_grams=values.get("weight_grams"),
                                              box=box, length_mm=values.get("length_mm"),
                                              width_mm=values.get("width_mm"), height_mm=values.get("height_mm"),
                                              user=request.user)
        except services.FulfilmentError as exc:
            return refused(exc)
        return self._answer(package, status.HTTP_201_CREATED)

    @extend_schema(request=RatesRequestSerializer, responses={200: inline_serializer("RateQuote", {
        "shipment_id": serializers.CharField(), "label_format": serializers.CharField(),
        "rates": RateSerializer(many=True)})})
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def rates(self, request, pk=None):
        package = self.get_object()
        data = RatesRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            quote = services.quote_rates(package=package, label_format=data.validated_data["label_format"],
                                         user=request.user)
        except services.FulfilmentError as exc:
            return refused(exc)
        return Response({"shipment_id": quote.shipment_id, "label_format": quote.label_format,
                         "rates": [r.as_dict() for r in quote.rates]})

    @extend_schema(request=BuyRequestSerializer, responses={200: ShipmentSerializer})
    @action(detail=True, methods=["post"])
    def buy(self, request, pk=None):
        package = self.get_object()
        data = BuyRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            package = services.buy_label(package=package, rate_id=data.validated_data["rate_id"],
                                         user=request.user)
        except services.FulfilmentError as exc:
            return refused(exc)
        return self._answer(package)

    def _label(self, fmt: str):
        package = self.get_object()
        try:
            content, content_type = services.label_bytes(package, fmt)
        except services.FulfilmentError as exc:
            return refused(exc, status.HTTP_409_CONFLICT if package.has_label else status.HTTP_404_NOT_FOUND)
        return _file(content, content_type, f"label-{package.order.external_id}-{package.pk}.{fmt}")

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="label/pdf", url_name="label-pdf")
    def label_pdf(self, request, pk=None):
        return self._label("pdf")

    @extend_schema(responses={(200, "application/zpl"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="label/zpl", url_name="label-zpl")
    def label_zpl(self, request, pk=None):
        return self._label("zpl")

    @extend_schema(request=TrackingRequestSerializer, responses={200: ShipmentSerializer})
    @action(detail=True, methods=["post"])
    def tracking(self, request, pk=None):
        """A label bought elsewhere: its tracking number, checked by the carrier's format and check digit."""
        package = self.get_object()
        data = TrackingRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            package = services.set_tracking_number(package=package, tracking_number=values["tracking_number"],
                                                   carrier=values.get("carrier", ""), service=values.get("service", ""),
                                                   user=request.user)
        except services.FulfilmentError as exc:
            return refused(exc)
        return self._answer(package)

    @extend_schema(request=OwnLabelRequestSerializer, responses={200: ShipmentSerializer})
    @action(detail=True, methods=["post"])
    def own_label(self, request, pk=None):
        """SellerHub's own 4x6 label (own delivery, local couriers)."""
        package = self.get_object()
        data = OwnLabelRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            package = services.make_own_label(package=package, courier=values["courier"],
                                              service=values.get("service", ""),
                                              tracking_number=values.get("tracking_number", ""), user=request.user)
        except services.FulfilmentError as exc:
            return refused(exc)
        return self._answer(package)

    @extend_schema(request=None, responses={200: ShipmentSerializer})
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        """Mark shipped: tracking_uploaded_at, the reservation consumed, the tracking pushed to the channel."""
        try:
            package = services.ship_package(package=self.get_object(), user=request.user)
        except services.FulfilmentError as exc:
            return refused(exc)
        return self._answer(package)

    @extend_schema(request=CancelRequestSerializer, responses={200: ShipmentSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        package = self.get_object()
        data = CancelRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            package = services.cancel_package(package=package, reason=data.validated_data["reason"],
                                              user=request.user)
        except services.FulfilmentError as exc:
            return refused(exc)
        return self._answer(package)

    @extend_schema(parameters=[OpenApiParameter("size", str, enum=["letter", "a4", "4x6"])],
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def packing_slip(self, request, pk=None):
        package = self.get_object()
        size = request.query_params.get("size", "letter").lower()
        if size not in ("letter", "a4", "4x6"):
            return Response({"error": "size is letter, a4 or 4x6.", "status": 400}, status=400)
        try:
            content = docs.render_packing_slip_pdf(printing.slip_data(package.order, package), page_size=size)
        except docs.DocumentError as exc:  # e.g. no ship-to address yet
            return Response({"error": str(exc), "status": 409}, status=status.HTTP_409_CONFLICT)
        return _file(content, "application/pdf", f"packing-slip-{package.order.external_id}-{package.pk}.pdf")


def register(router):
    router.register("picklists", PickListViewSet, basename="picklist")
    router.register("packages", PackageViewSet, basename="package")
