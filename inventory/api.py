"""Inventory API: /api/v1/skus, /api/v1/stock, /api/v1/stock/adjustments, /api/v1/stock/movements,
/api/v1/locations. Reads through inventory.selectors, writes through inventory.services."""

import django_filters
from django.core.validators import RegexValidator
from django.db import transaction
from django.db.models import F, ProtectedError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.response import Response

from inventory import selectors, services
from inventory.bundle_api import (
    BundleComponentsField,
    apply_components,
    components_prefetch,
    with_bundle_available,
)
from inventory.fbt import api as fbt_api
from inventory.imports import MAX_QUANTITY
from inventory.models import SKU, Location, Product, StockLevel, StockMovement
from inventory.purchasing.api import OnOrderField
from inventory.services import ADJUST_REASONS
from sellerhub.api_base import conflict, not_found
from sellerhub.api_filters import MomentFilter, StrictBooleanFilter
from sellerhub.roles import perm

# ---------------------------------------------------------------------------------------------
# SKUs


class SKUSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="seller_sku", max_length=64, help_text="The seller SKU (unique).")
    product = serializers.CharField(source="product.name", required=False, allow_blank=True, allow_null=True,
                                    max_length=200, help_text="Product name grouping the variants.")
    on_hand = serializers.IntegerField(read_only=True, help_text="At sellable own locations.")
    reserved = serializers.IntegerField(read_only=True)
    available = serializers.IntegerField(read_only=True, help_text="On hand minus reserved (sellable own).")
    fbt_on_hand = serializers.IntegerField(read_only=True, help_text="At TikTok FBT warehouses.")
    on_order = OnOrderField(sku_attr="pk")
    components = BundleComponentsField(required=False)

    class Meta:
        model = SKU
        fields = ["id", "sku", "name", "product", "attributes", "barcode", "weight_grams", "length_mm", "width_mm",
                  "height_mm", "active", "reorder_point", "on_hand", "reserved", "available", "fbt_on_hand", "on_order",
                  "components", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        # Checked by services (check digit and uniqueness); the pattern tells clients the shape of a GTIN.
        extra_kwargs = {"barcode": {"validators": [RegexValidator(
            r"^([0-9]{8}|[0-9]{12,14})$", "A barcode is a GTIN: 8, 12, 13 or 14 digits.")]}}

    def validate_attributes(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError('Attributes must be an object, e.g. {"size": "M"}.')
        return {str(k): str(v) for k, v in value.items()}

    def to_representation(self, instance):
        return with_bundle_available(instance, super().to_representation(instance))  # a bundle: whole bundles


class SKUFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter(field_name="seller_sku", help_text="Exact seller SKU.")
    barcode = django_filters.CharFilter()
    active = StrictBooleanFilter()
    low_stock = StrictBooleanFilter(method="filter_low", help_text="Available below the reorder point.")
    location = django_filters.CharFilter(method="filter_location", help_text="Holds stock at this location code.")
    q = django_filters.CharFilter(method="filter_q", help_text="Search seller SKU, name, barcode, product.")

    class Meta:
        model = SKU
        fields = ["sku", "barcode", "active", "low_stock", "location", "q"]

    def filter_low(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(available__lt=F("reorder_point")) if value else queryset.exclude(
            available__lt=F("reorder_point"))

    def filter_location(self, queryset, name, value):
        return queryset.filter(selectors.held_at(value)) if value else queryset

    def filter_q(self, queryset, name, value):
        return queryset.filter(selectors.sku_search(value)) if value else queryset


class SKUViewSet(viewsets.ModelViewSet):
    """SKUs with their stock (sellable own locations). `POST` needs at least `sku` and `name`.
    Search with `search=` (seller SKU, name, barcode) or `q=`; filter with `active`, `low_stock`,
    `location`, `barcode`, `sku`."""

    serializer_class = SKUSerializer
    read_permission = perm("view_operations")
    write_permission = perm("manage_catalogue")
    filterset_class = SKUFilter
    search_fields = ["seller_sku", "name", "barcode"]
    ordering_fields = ["seller_sku", "name", "created_at", "available", "on_hand"]
    ordering = ["seller_sku"]

    def get_queryset(self):
        return selectors.with_stock(SKU.objects.select_related("product")).prefetch_related(components_prefetch())

    def _fields(self, serializer):
        data = dict(serializer.validated_data)
        if "product" in data:
            name = ((data.pop("product") or {}).get("name") or "").strip()
            data["product"] = Product.objects.get_or_create(name=name)[0] if name else None
        return data

    @staticmethod
    def _invalid(exc):
        renamed = {"seller_sku": "sku", "__all__": "non_field_errors"}
        fields = {renamed.get(k, k): v for k, v in getattr(exc, "fields", {}).items()}
        return exceptions.ValidationError(fields or {"non_field_errors": [str(exc)]})

    def perform_create(self, serializer):
        data = self._fields(serializer)
        components = data.pop("components", None)
        try:
            with transaction.atomic():
                sku = services.create_sku(user=self.request.user, **data)
                if components is not None:
                    apply_components(sku=sku, components=components, user=self.request.user)
        except services.StockError as exc:
            raise self._invalid(exc) from exc
        serializer.instance = self.get_queryset().get(pk=sku.pk)

    def perform_update(self, serializer):
        data = self._fields(serializer)
        components = data.pop("components", None)
        try:
            with transaction.atomic():
                sku = services.update_sku(sku=SKU.objects.get(pk=serializer.instance.pk), user=self.request.user,
                                          **data)
                if components is not None:
                    apply_components(sku=sku, components=components, user=self.request.user)
        except services.StockError as exc:
            raise self._invalid(exc) from exc
        serializer.instance = self.get_queryset().get(pk=sku.pk)

    def destroy(self, request, *args, **kwargs):
        sku = self.get_object()
        try:
            services.delete_sku(sku=SKU.objects.get(pk=sku.pk), user=request.user)
        except services.StockError as exc:
            return Response({"error": str(exc), "status": 409}, status=status.HTTP_409_CONFLICT)
        except ProtectedError:  # still named by listings, counts, orders...: nothing was deleted
            return Response({"error": f"{sku.seller_sku} is still in use; deactivate it instead of deleting it.",
                             "status": 409}, status=status.HTTP_409_CONFLICT)
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------------------------------------
# Stock


class StockLevelSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="sku.seller_sku")
    sku_id = serializers.IntegerField()
    location = serializers.CharField(source="location.code")
    location_name = serializers.CharField(source="location.name")
    location_kind = serializers.CharField(source="location.kind")
    sellable = serializers.BooleanField(source="location.sellable")
    available = serializers.IntegerField(help_text="On hand minus reserved at this location.")
    on_order = OnOrderField(help_text="Units of this SKU on order from suppliers (all locations), not yet received.")

    class Meta:
        model = StockLevel
        fields = ["sku", "sku_id", "location", "location_name", "location_kind", "sellable", "on_hand", "reserved",
                  "available", "on_order", "updated_at"]


class StockFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter(field_name="sku__seller_sku", help_text="Seller SKU.")
    location = django_filters.CharFilter(field_name="location__code", help_text="Location code.")
    in_stock = StrictBooleanFilter(method="filter_in_stock")

    class Meta:
        model = StockLevel
        fields = ["sku", "location", "in_stock"]

    def filter_in_stock(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(on_hand__gt=0) if value else queryset.filter(on_hand=0)


class StockViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """On hand, reserved and available per location: `/api/v1/stock?sku=<seller sku>` (404 for an
    unknown SKU), or every level, filtered by `location` and `in_stock`."""

    serializer_class = StockLevelSerializer
    read_permission = perm("view_operations")
    filterset_class = StockFilter
    ordering_fields = ["on_hand", "reserved", "updated_at"]
    search_fields = []

    def get_queryset(self):
        return selectors.levels_for_api().order_by("sku__seller_sku", "location__kind", "location__code")

    def list(self, request, *args, **kwargs):
        code = request.query_params.get("sku")
        if code and not SKU.objects.filter(seller_sku=code).exists():
            raise exceptions.NotFound(f"Unknown SKU {code}.")
        return super().list(request, *args, **kwargs)


class AdjustmentSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64, help_text="Seller SKU (or barcode).")
    location = serializers.CharField(max_length=32, default="MAIN", help_text="Location code.")
    quantity = serializers.IntegerField(required=False, min_value=-MAX_QUANTITY, max_value=MAX_QUANTITY,
                                        help_text="Signed change of on hand.")
    counted = serializers.IntegerField(required=False, min_value=0, max_value=MAX_QUANTITY,
                                       help_text="With reason count instead of quantity: the counted on-hand figure.")
    reason = serializers.ChoiceField(choices=sorted(ADJUST_REASONS))
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    def validate(self, data):
        sku = selectors.find_sku(data["sku"])
        if sku is None:
            not_found(f"Unknown SKU {data['sku']}.", field="sku")
        location = Location.objects.filter(code=data["location"]).first()
        if location is None:
            not_found(f"Unknown location {data['location']}.", field="location")
        if data.get("counted") is not None:
            if data["reason"] != StockMovement.Reason.COUNT:
                raise serializers.ValidationError({"counted": "counted goes with reason count."})
            if data.get("quantity") is not None:
                raise serializers.ValidationError({"counted": "Send quantity or counted, not both."})
        elif data.get("quantity") is None:
            raise serializers.ValidationError({"quantity": "This field is required."})
        data["sku_obj"], data["location_obj"] = sku, location
        return data


class MovementSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="sku.seller_sku")
    location = serializers.CharField(source="location.code")
    user = serializers.CharField(source="user.username", default=None, allow_null=True)

    class Meta:
        model = StockMovement
        fields = ["id", "sku", "sku_id", "location", "on_hand_change", "reserved_change", "reason", "user",
                  "reference", "note", "created_at"]


class AdjustmentViewSet(viewsets.GenericViewSet):
    """`POST /api/v1/stock/adjustments`: `{"sku", "location", "quantity" (signed), "reason"}` (with
    reason `count` you may send `counted` instead). Answers the ledger row and the new level."""

    serializer_class = AdjustmentSerializer
    read_permission = perm("view_operations")
    write_permission = perm("manage_catalogue")

    @extend_schema(responses={201: MovementSerializer})
    def create(self, request):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            if v.get("counted") is not None:
                move = services.count(sku=v["sku_obj"], location=v["location_obj"], counted=v["counted"],
                                      user=request.user, note=v["note"])
            else:
                move = services.adjust(sku=v["sku_obj"], location=v["location_obj"], quantity=v["quantity"],
                                       reason=v["reason"], user=request.user, note=v["note"], reference=v["reference"])
        except services.StockError as exc:
            conflict(str(exc))
        level = selectors.levels_for_api().get(sku=v["sku_obj"], location=v["location_obj"])
        body = MovementSerializer(StockMovement.objects.select_related("sku", "location", "user").get(pk=move.pk)).data
        body["level"] = StockLevelSerializer(level).data
        return Response(body, status=status.HTTP_201_CREATED)


class MovementFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter(field_name="sku__seller_sku", help_text="Seller SKU.")
    location = django_filters.CharFilter(field_name="location__code")
    reason = django_filters.ChoiceFilter(choices=StockMovement.Reason.choices)
    reference = django_filters.CharFilter()
    since = MomentFilter(field_name="created_at", lookup_expr="gte")
    until = MomentFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = StockMovement
        fields = ["sku", "location", "reason", "reference", "since", "until"]


class MovementViewSet(viewsets.ReadOnlyModelViewSet):
    """The stock ledger, newest first (read-only)."""

    serializer_class = MovementSerializer
    read_permission = perm("view_operations")
    filterset_class = MovementFilter
    ordering_fields = ["created_at", "id"]
    search_fields = []
    queryset = StockMovement.objects.select_related("sku", "location", "user").order_by("-created_at", "-id")


class LocationSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", default=None, allow_null=True)

    class Meta:
        model = Location
        fields = ["id", "code", "name", "kind", "parent", "sellable", "active", "pick_sequence", "external_id",
                  "company", "street1", "street2", "city", "state", "postal_code", "country", "phone"]


class LocationViewSet(viewsets.ReadOnlyModelViewSet):
    """Warehouses, bins, FBT warehouses and the in-transit location (edited in the admin)."""

    serializer_class = LocationSerializer
    read_permission = perm("view_operations")
    filterset_fields = ["kind", "sellable", "active"]
    search_fields = ["code", "name"]
    queryset = Location.objects.select_related("parent").order_by("kind", "pick_sequence", "code")


STOCK_PARAMS = [OpenApiParameter("sku", str, description="Seller SKU")]
StockViewSet.list = extend_schema(parameters=STOCK_PARAMS)(StockViewSet.list)


def register(router):
    """Register this app's API view sets on the /api/v1/ router."""
    router.register("skus", SKUViewSet, basename="sku")
    # The two stock sub-collections first: "stock" has no detail route to shadow them anyway.
    router.register("stock/adjustments", AdjustmentViewSet, basename="stock-adjustment")
    router.register("stock/movements", MovementViewSet, basename="stock-movement")
    router.register("stock", StockViewSet, basename="stock")
    router.register("locations", LocationViewSet, basename="location")
    fbt_api.register(router)  # Fulfilled by TikTok (inventory/fbt/)
