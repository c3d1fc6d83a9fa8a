"""Shipping rules API: ``/api/v1/shipping-rules`` (list, read, create, change, delete; Owner
writes, Ops and Owner read), ``POST .../{id}/move`` (up or down) and
``GET /api/v1/shipping-rules/dry-run?order=<order id>``: which rule would apply and its action."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from fulfilment.shipping_rules import selectors, services
from fulfilment.shipping_rules.forms import FIELDS
from fulfilment.shipping_rules.models import ShippingRule
from orders.models import Order
from sellerhub.api_filters import MAX_ID
from sellerhub.roles import perm


class ShippingRuleSerializer(serializers.ModelSerializer):
    action = serializers.SerializerMethodField(help_text="The rule's action in words.")

    class Meta:
        model = ShippingRule
        fields = ["id", "position", "builtin", *FIELDS, "action"]
        read_only_fields = ["id", "position", "builtin"]

    def get_action(self, rule) -> str:
        return selectors.action_text(rule)


DryRunAnswer = inline_serializer("ShippingRuleDryRun", {
    "order": serializers.IntegerField(), "order_number": serializers.CharField(),
    "rule": serializers.DictField(allow_null=True, help_text="The rule that would apply: id and name (null: none)."),
    "action": serializers.CharField(help_text="Its action in words."),
    "decision": serializers.DictField(allow_null=True, help_text="carrier, service, cheapest_by_deliver_date, box_id, "
                                                                 "label_source, hold_reason, tag"),
    "platform_rule": serializers.CharField(allow_null=True, help_text="The built-in TikTok USPS rule, when it "
                                                                      "concerns the order."),
})
Refusal = inline_serializer("ShippingRuleError", {
    "error": serializers.CharField(), "status": serializers.IntegerField(),
    "field": serializers.CharField(required=False),
})


def _refused(exc: services.ShippingRuleError) -> Response:
    code = status.HTTP_409_CONFLICT if isinstance(exc, services.RuleNameTaken) else status.HTTP_400_BAD_REQUEST
    body = {"error": str(exc), "status": code}
    if exc.field:
        body["field"] = exc.field
    return Response(body, status=code)


class ShippingRuleViewSet(viewsets.ModelViewSet):
    """The Owner's shipping rules, in the order they are tried (first enabled match wins)."""

    read_permission = perm("view_channels")
    write_permission = perm("manage_shipping_rules")
    serializer_class = ShippingRuleSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return selectors.rules()

    def _save(self, request, rule=None, *, partial=False):
        data = ShippingRuleSerializer(rule, data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k in FIELDS}
        try:
            saved = services.save_rule(rule=rule, user=request.user, **fields)
        except services.ShippingRuleError as exc:
            return _refused(exc)
        return Response(ShippingRuleSerializer(saved).data,
                        status=status.HTTP_201_CREATED if rule is None else status.HTTP_200_OK)

    @extend_schema(responses={201: ShippingRuleSerializer, 400: Refusal})
    def create(self, request, *args, **kwargs):
        return self._save(request)

    @extend_schema(responses={200: ShippingRuleSerializer, 400: Refusal})
    def update(self, request, *args, **kwargs):
        return self._save(request, self.get_object(), partial=kwargs.get("partial", False))

    @extend_schema(responses={204: None, 400: Refusal})
    def destroy(self, request, *args, **kwargs):
        try:
            services.delete_rule(rule=self.get_object(), user=request.user)
        except services.ShippingRuleError as exc:
            return _refused(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=inline_serializer("ShippingRuleMove", {
        "direction": serializers.ChoiceField(choices=["up", "down"])}), responses={200: ShippingRuleSerializer,
                                                                                   400: Refusal})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        body = request.data if isinstance(request.data, dict) else {}
        try:
            moved = services.move_rule(rule=self.get_object(), direction=str(body.get("direction", "")),
                                       user=request.user)
        except services.ShippingRuleError as exc:
            return _refused(exc)
        return Response(ShippingRuleSerializer(moved).data)

    @extend_schema(parameters=[OpenApiParameter("order", {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                                                required=True, description="The order's id.")],
                   responses={200: DryRunAnswer, 400: Refusal, 404: Refusal})
    @action(detail=False, methods=["get"], url_path="dry-run", url_name="dry-run")
    def dry_run(self, request):
        raw = request.query_params.get("order", "")
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_ID):
            return Response({"error": "Give the order's id: ?order=123.", "status": 400, "field": "order"},
                            status=status.HTTP_400_BAD_REQUEST)
        order = Order.objects.select_related("account").filter(pk=int(raw)).first()
        if order is None:
            return Response({"error": f"No order {raw}.", "status": 404}, status=status.HTTP_404_NOT_FOUND)
        run = selectors.dry_run(order)
        decision = run["decision"]
        return Response({
            "order": order.pk, "order_number": order.external_id,
            "rule": {"id": run["rule"].pk, "name": run["rule"].name} if run["rule"] else None,
            "action": run["action"],
            "decision": {k: v for k, v in vars(decision).items() if k not in ("rule_id", "rule_name")}
            if decision else None,
            "platform_rule": run["platform_rule"].name if run["platform_rule"] else None,
        })


def register(router):
    router.register("shipping-rules", ShippingRuleViewSet, basename="shipping-rules")
