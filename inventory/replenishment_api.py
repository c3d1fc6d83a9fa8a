"""Replenishment API (registered by config/api.py): ``GET /api/v1/reorder-suggestions`` (what to
buy now, or every SKU's figures with ``all=true``) and ``POST
/api/v1/reorder-suggestions/purchase-orders`` (one draft purchase order per supplier). Reads
through inventory.replenishment, writes through inventory.replenishment_services."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from inventory import replenishment
from inventory.models import SKU
from inventory.purchasing.services import PurchasingError
from inventory.replenishment_services import draft_purchase_orders
from sellerhub.api_base import conflict, not_found
from sellerhub.roles import perm

MAX_SKUS = 1000


class SuggestionSerializer(serializers.Serializer):
    sku = serializers.CharField(source="sku.seller_sku", help_text="Seller SKU.")
    name = serializers.CharField(source="sku.name")
    supplier_id = serializers.IntegerField(source="supplier.pk", default=None, allow_null=True)
    supplier = serializers.CharField(source="supplier.name", default=None, allow_null=True,
                                     help_text="The preferred supplier (else the cheapest); null: none sells it.")
    sold_last_7_days = serializers.IntegerField(source="demand.sold_recent", help_text="Own and FBT sales.")
    sold_last_30_days = serializers.IntegerField(source="demand.sold_base")
    demand_per_day = serializers.FloatField(source="demand.per_day",
                                            help_text="Last 7 days' daily rate counted twice, last 30 days' once.")
    trend = serializers.FloatField(source="demand.trend", allow_null=True,
                                   help_text="Last 7 days' daily rate / last 30 days', minus 1 (2.0: tripled).")
    trend_label = serializers.CharField(source="demand.trend_label", help_text='e.g. "up 250%", "steady".')
    available = serializers.IntegerField(help_text="Own sellable stock, on hand minus reserved.")
    fbt_available = serializers.IntegerField(source="fbt", help_text="At TikTok's FBT warehouses.")
    in_transit_to_fbt = serializers.IntegerField(source="transit")
    on_order = serializers.IntegerField(help_text="On sent and partly received purchase orders, not yet received.")
    in_draft_purchase_orders = serializers.IntegerField(source="drafted")
    lead_time_days = serializers.IntegerField()
    safety_stock = serializers.IntegerField(help_text="Units: demand over the SKU's safety stock days.")
    reorder_level = serializers.IntegerField()
    target = serializers.IntegerField(help_text="Reorder level plus 30 days of demand.")
    quantity = serializers.IntegerField(help_text="Suggested units to order (0: nothing to order).")
    pack_size = serializers.IntegerField()
    unit_cost = serializers.DecimalField(max_digits=12, decimal_places=4)
    days_of_cover = serializers.FloatField(source="cover.days", allow_null=True,
                                           help_text="Own + FBT stock over demand per day; null without sales.")
    stockout_on = serializers.DateField(source="cover.stockout_on", allow_null=True,
                                        help_text="Predicted date stock runs out.")
    order_by = serializers.DateField(allow_null=True, help_text="Last day to order for the goods to arrive in time.")


class ListQuerySerializer(serializers.Serializer):
    all = serializers.ChoiceField(choices=["true", "false"], required=False, default="false",
                                  help_text="true: every active SKU's figures, not only those to order.")
    supplier = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                        help_text="Only this supplier's SKUs (supplier id).")


class DraftRequestSerializer(serializers.Serializer):
    skus = serializers.ListField(child=serializers.CharField(max_length=64), required=False, allow_empty=False,
                                 max_length=MAX_SKUS, help_text="Seller SKUs to order (default: every suggestion).")


DraftedSerializer = inline_serializer("DraftedPurchaseOrders", {"purchase_orders": inline_serializer(
    "DraftedPurchaseOrder", {"id": serializers.IntegerField(), "number": serializers.CharField(),
                             "supplier": serializers.CharField(), "lines": serializers.IntegerField(),
                             "units": serializers.IntegerField()}, many=True)})


class ReorderSuggestionViewSet(viewsets.GenericViewSet):
    """Reorder suggestions: per SKU, weighted demand and its trend, stock (own, FBT, in transit to
    FBT), on order, lead time, safety stock, the suggested quantity (pack size and minimum),
    days of cover and predicted stock-out. Most urgent first. Roles: read, everyone who sees
    operations; drafting purchase orders, the Owner."""

    serializer_class = SuggestionSerializer
    read_permission = perm("view_operations")
    write_permission = perm("manage_catalogue")
    filter_backends = []

    @extend_schema(parameters=[ListQuerySerializer])
    def list(self, request):
        query = ListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = replenishment.plan()
        if query.validated_data["all"] != "true":
            rows = [row for row in rows if row.quantity]
        supplier = query.validated_data.get("supplier")
        if supplier is not None:
            rows = [row for row in rows if row.supplier and row.supplier.pk == supplier]
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=DraftRequestSerializer, responses={
        201: DraftedSerializer, 409: OpenApiResponse(description="Nothing to draft (the message says why).")})
    @action(detail=False, methods=["post"], url_path="purchase-orders")
    def purchase_orders(self, request):
        """Draft one purchase order per supplier from the suggestions (all, or those of `skus`);
        suggestions already in drafts are not drafted again. Roles: Owner."""
        data = DraftRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        codes = data.validated_data.get("skus")
        sku_ids = None
        if codes is not None:
            found = dict(SKU.objects.filter(seller_sku__in=codes).values_list("seller_sku", "pk"))
            missing = [code for code in codes if code not in found]
            if missing:
                not_found(f"Unknown SKU {missing[0]}.", field="skus")
            sku_ids = set(found.values())
        try:
            orders = draft_purchase_orders(sku_ids=sku_ids, user=request.user)
        except PurchasingError as exc:
            conflict(str(exc))
        body = [{"id": po.pk, "number": po.number, "supplier": po.supplier.name,
                 "lines": po.line_count, "units": po.units} for po in orders]
        return Response({"purchase_orders": body}, status=status.HTTP_201_CREATED)


def register(router):
    router.register("reorder-suggestions", ReorderSuggestionViewSet, basename="reorder-suggestion")
