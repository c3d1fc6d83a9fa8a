"""Purchasing API: /api/v1/suppliers (with their SKUs), /api/v1/purchase-orders (drafts, their
lines, send, cancel) and POST /api/v1/purchase-orders/{id}/receive (a scan against the order).
Suppliers and orders are the Owner's (manage_catalogue); receiving is the warehouse's
(work_warehouse). Reads through inventory.purchasing.selectors, writes through its services.

Also ``OnOrderField``: the units on order of a row's SKU, for any stock serializer (one query
for a whole page)."""

import django_filters
from django.db.models import ProtectedError, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from documents.errors import DocumentError
from inventory import selectors as stock_selectors
from inventory.models import Location
from inventory.purchasing import receiving, selectors, sending, services
from inventory.purchasing_models import PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus, Supplier, SupplierSKU
from inventory.services.errors import StockError
from sellerhub.api_base import AmountField, conflict, not_found
from sellerhub.api_filters import IdFilter
from sellerhub.roles import perm

OWNER = perm("manage_catalogue")
WAREHOUSE = perm("work_warehouse")


@extend_schema_field(OpenApiTypes.INT)
class OnOrderField(serializers.Field):
    """Units of the row's SKU on sent and partly received purchase orders, not yet received.
    Read-only; computed once for every row the serializer answers (one query)."""

    def __init__(self, *, sku_attr="sku_id", **kwargs):
        kwargs.update(read_only=True, source="*")
        kwargs.setdefault("help_text", "Units on order from suppliers (sent purchase orders), not yet received.")
        self.sku_attr = sku_attr
        super().__init__(**kwargs)

    def _units(self):
        root = self.root
        units = getattr(root, "_on_order_units", None)
        if units is None:
            rows = root.instance
            rows = list(rows) if isinstance(rows, list | tuple | QuerySet) else [rows]
            units = selectors.on_order(sku_ids={getattr(row, self.sku_attr) for row in rows if row is not None})
            root._on_order_units = units
        return units

    def to_representation(self, row):
        return self._units().get(getattr(row, self.sku_attr), 0)


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^\d{1,8}(?:\.\d{1,4})?$",
                      "example": "3.2000"})
class CostField(serializers.DecimalField):
    """A unit cost of 0 or more with up to four decimals; the schema says so (DRF's own decimal
    field documents a sign it then refuses)."""

    def __init__(self, **kwargs):
        kwargs.update(max_digits=12, decimal_places=4, min_value=0)
        super().__init__(**kwargs)


# ---------------------------------------------------------------------------------------------
# Suppliers


class SupplierSKUSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(max_length=64, help_text="Seller SKU (or barcode).")
    unit_cost = CostField()
    pack_size = serializers.IntegerField(min_value=1, max_value=100000, default=1)
    minimum_quantity = serializers.IntegerField(min_value=0, max_value=services.MAX_QUANTITY, default=0)

    class Meta:
        model = SupplierSKU
        fields = ["sku", "supplier_code", "unit_cost", "pack_size", "minimum_quantity", "preferred"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["sku"] = instance.sku.seller_sku
        return data


class SupplierSerializer(serializers.ModelSerializer):
    skus = SupplierSKUSerializer(many=True, required=False,
                                 help_text="The SKUs it supplies; when sent, replaces the whole list.")
    lead_time_days = serializers.IntegerField(min_value=0, max_value=3650, default=14)
    minimum_order_value = AmountField(default=0)
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", max_length=3, default="USD",
                                      help_text="Three-letter currency code.")

    class Meta:
        model = Supplier
        fields = ["id", "name", "contact_name", "email", "phone", "address", "lead_time_days",
                  "minimum_order_value", "currency", "notes", "active", "skus", "created_at"]
        read_only_fields = ["created_at"]

    def validate_skus(self, rows):
        out, missing = [], []
        for row in rows:
            sku = stock_selectors.find_sku(row["sku"])
            if sku is None:
                missing.append(row["sku"])
            else:
                out.append({**row, "sku": sku})
        if missing:
            not_found(f"Unknown SKU(s): {', '.join(missing)}.", field="skus")
        return out


class SupplierViewSet(viewsets.ModelViewSet):
    """Suppliers (contact, email, lead time in days, minimum order, currency) and the SKUs each
    supplies (`skus`: the supplier's code, unit cost, pack size, minimum quantity, preferred).
    Deleting a supplier with purchase orders is refused (409): deactivate it instead."""

    serializer_class = SupplierSerializer
    read_permission = OWNER
    write_permission = OWNER
    filterset_fields = ["active"]
    search_fields = ["name", "contact_name", "email"]
    ordering_fields = ["name", "lead_time_days", "created_at"]
    ordering = ["name"]

    def get_queryset(self):
        return Supplier.objects.prefetch_related("skus__sku").order_by("name")

    def _save(self, serializer, supplier=None):
        data = dict(serializer.validated_data)
        rows = data.pop("skus", None)
        try:
            saved = services.save_supplier(supplier=supplier, user=self.request.user, **data)
            if rows is not None:
                services.set_supplier_skus(supplier=saved, rows=rows, user=self.request.user)
        except services.PurchasingError as exc:
            raise exceptions.ValidationError({"non_field_errors": [str(exc)]}) from exc
        serializer.instance = self.get_queryset().get(pk=saved.pk)

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer, Supplier.objects.get(pk=serializer.instance.pk))

    def destroy(self, request, *args, **kwargs):
        supplier = self.get_object()
        try:
            supplier.delete()
        except ProtectedError:
            conflict(f"{supplier.name} has purchase orders; deactivate it instead of deleting it.")
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------------------------------------
# Purchase orders


class POLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="sku.seller_sku", read_only=True)
    sku_id = serializers.IntegerField(read_only=True)
    outstanding = serializers.IntegerField(read_only=True, help_text="Ordered minus received (never below 0).")
    over = serializers.SerializerMethodField(help_text="Received beyond the quantity ordered.")

    class Meta:
        model = PurchaseOrderLine
        fields = ["sku", "sku_id", "quantity_ordered", "quantity_received", "outstanding", "over", "unit_cost"]

    def get_over(self, line) -> int:
        return max(0, line.quantity_received - line.quantity_ordered)


class POLineInSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64, help_text="Seller SKU (or barcode).")
    quantity = serializers.IntegerField(min_value=1, max_value=services.MAX_QUANTITY)
    unit_cost = CostField(required=False, help_text="Left out: the supplier's cost for the SKU.")


class PurchaseOrderSerializer(serializers.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    deliver_to = serializers.CharField(source="deliver_to.code", read_only=True)
    lines = POLineSerializer(many=True, read_only=True)

    class Meta:
        model = PurchaseOrder
        fields = ["id", "number", "supplier", "supplier_name", "status", "currency", "deliver_to", "expected_on",
                  "notes", "created_at", "sent_at", "closed_at", "lines"]
        read_only_fields = fields


class PurchaseOrderInSerializer(serializers.Serializer):
    supplier = serializers.PrimaryKeyRelatedField(queryset=Supplier.objects.all(),
                                                  help_text="Supplier id (on create; ignored on update).")
    deliver_to = serializers.CharField(max_length=32, required=False, help_text="Location code (default MAIN).")
    expected_on = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    lines = serializers.ListField(child=POLineInSerializer(), allow_empty=False, min_length=1, max_length=500)


class ReceiveInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=100, help_text="The item's barcode or seller SKU, as scanned.")
    quantity = serializers.IntegerField(min_value=1, max_value=receiving.MAX_UNITS_PER_SCAN, default=1)
    location = serializers.CharField(max_length=32, required=False,
                                     help_text="Bin or warehouse code; default the order's deliver-to.")


class ReceiptSerializer(serializers.Serializer):
    movement_id = serializers.IntegerField(help_text="The ledger row of the receipt.")
    sku = serializers.CharField()
    location = serializers.CharField()
    quantity = serializers.IntegerField()
    status = serializers.ChoiceField(choices=PurchaseOrderStatus.choices, help_text="The order's status now.")
    line = POLineSerializer()


class PurchaseOrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PurchaseOrderStatus.choices)
    supplier = IdFilter(field_name="supplier_id", help_text="Supplier id.")

    class Meta:
        model = PurchaseOrder
        fields = ["status", "supplier"]


class PurchaseOrderViewSet(viewsets.ModelViewSet):
    """Purchase orders: draft → sent → partly received → received, or cancelled. `POST` makes a
    draft (`supplier`, `lines` [{`sku`, `quantity`, `unit_cost`?}], `deliver_to`, `expected_on`,
    `notes`); `PUT`/`PATCH` replace a draft's lines; `send` emails the PDF to the supplier;
    `cancel`; `receive` takes one scan (work_warehouse). Filter with `status`, `supplier`."""

    read_permission = OWNER
    filterset_class = PurchaseOrderFilter
    search_fields = ["number"]
    ordering_fields = ["created_at", "expected_on", "id"]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    @property
    def write_permission(self):
        return WAREHOUSE if getattr(self, "action", None) == "receive" else OWNER

    def get_queryset(self):
        return PurchaseOrder.objects.select_related("supplier", "deliver_to").prefetch_related("lines__sku")

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return PurchaseOrderInSerializer
        if self.action == "receive":
            return ReceiveInSerializer
        return PurchaseOrderSerializer

    def _detail(self, po, code=status.HTTP_200_OK):
        return Response(PurchaseOrderSerializer(self.get_queryset().get(pk=po.pk)).data, status=code)

    def _lines(self, data, supplier_id):
        missing, rows = [], []
        for row in data["lines"]:
            sku = stock_selectors.find_sku(row["sku"])
            if sku is None:
                missing.append(row["sku"])
            rows.append((sku, row))
        if missing:
            not_found(f"Unknown SKU(s): {', '.join(missing)}.", field="lines")
        costs = selectors.supplier_cost(supplier_id, [sku.pk for sku, _ in rows])
        return [(sku, row["quantity"], row["unit_cost"] if row.get("unit_cost") is not None
                 else costs.get(sku.pk, 0)) for sku, row in rows]

    def _location(self, data):
        code = data.get("deliver_to")
        if not code:
            return None
        location = Location.objects.filter(code=code).first()
        if location is None:
            not_found(f"Unknown location {code}.", field="deliver_to")
        return location

    @extend_schema(request=PurchaseOrderInSerializer, responses={201: PurchaseOrderSerializer})
    def create(self, request, *args, **kwargs):
        data = PurchaseOrderInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            po = services.create_draft_po(supplier=v["supplier"], lines=self._lines(v, v["supplier"].pk),
                                          user=request.user, deliver_to=self._location(v), notes=v["notes"],
                                          expected_on=v.get("expected_on"))
        except services.PurchasingError as exc:
            raise exceptions.ValidationError({"non_field_errors": [str(exc)]}) from exc
        return self._detail(po, status.HTTP_201_CREATED)

    @extend_schema(request=PurchaseOrderInSerializer, responses={200: PurchaseOrderSerializer})
    def update(self, request, *args, **kwargs):
        po = self.get_object()
        data = PurchaseOrderInSerializer(data={"supplier": po.supplier_id, **request.data}
                                         if isinstance(request.data, dict) else request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            services.update_draft_po(purchase_order=po, lines=self._lines(v, po.supplier_id),
                                     deliver_to=self._location(v), expected_on=v.get("expected_on"),
                                     notes=v.get("notes"), user=request.user)
        except services.PurchasingError as exc:
            conflict(str(exc))
        return self._detail(po)

    @extend_schema(request=PurchaseOrderInSerializer, responses={200: PurchaseOrderSerializer})
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        """Only a draft is deleted; an order that was sent is cancelled instead (409)."""
        po = self.get_object()
        if po.status != PurchaseOrderStatus.DRAFT:
            conflict(f"{po.number} is {po.get_status_display().lower()}: cancel it instead of deleting it.")
        po.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: PurchaseOrderSerializer})
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """Email the order's PDF to the supplier (attached) and record it; a draft becomes sent.
        No email address, no lines, a refused email or a closed order: 409, nothing changes."""
        po = self.get_object()
        try:
            sending.send_po(purchase_order=po, user=request.user)
        except (services.PurchasingError, DocumentError) as exc:
            conflict(str(exc))
        return self._detail(po)

    @extend_schema(request=None, responses={200: PurchaseOrderSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a draft, sent or partly received order (409 once received or cancelled)."""
        po = self.get_object()
        try:
            services.cancel_po(purchase_order=po, user=request.user)
        except services.PurchasingError as exc:
            conflict(str(exc))
        return self._detail(po)

    @extend_schema(request=ReceiveInSerializer, responses={201: ReceiptSerializer})
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        """One scan against the order: `code` (barcode or seller SKU), `quantity` (default 1),
        `location` (default the order's deliver-to). The units go on the shelf through the ledger
        (reference `po:<number>`) and the order's status follows. 404 for an unknown code or
        location; 409 for a draft or cancelled order or a SKU not on it."""
        po = self.get_object()
        data = ReceiveInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        sku = stock_selectors.find_sku(v["code"])
        if sku is None:
            not_found(f"Unknown barcode or SKU {v['code']}: nothing received.", field="code")
        location = None
        if v.get("location"):
            location = Location.objects.filter(code=v["location"]).first()
            if location is None:
                not_found(f"Unknown location {v['location']}: nothing received.", field="location")
        try:
            receipt = receiving.receive_against_po(purchase_order_id=po.pk, sku=sku, quantity=v["quantity"],
                                                   location=location, user=request.user,
                                                   note=f"API scan {v['code']}"[:200])
        except StockError as exc:
            conflict(str(exc))
        line = PurchaseOrderLine.objects.select_related("sku").get(pk=receipt.line.pk)
        body = {"movement_id": receipt.movement.pk, "sku": sku.seller_sku, "location": receipt.movement.location.code,
                "quantity": v["quantity"], "status": receipt.status, "line": line}
        return Response(ReceiptSerializer(body).data, status=status.HTTP_201_CREATED)


def register(router):
    """Register purchasing's API view sets on the /api/v1/ router."""
    router.register("suppliers", SupplierViewSet, basename="supplier")
    router.register("purchase-orders", PurchaseOrderViewSet, basename="purchase-order")
