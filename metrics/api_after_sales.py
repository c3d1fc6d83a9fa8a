"""GET /api/v1/metrics/after-sales: the after-sales figures of shop health as JSON (the
non-buyer-fault return rate, the after-sales response time, seller-fault cancellations by reason)
and how many after-sales decisions are due now. Owner and Ops, like GET /api/v1/metrics."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from metrics.after_sales_definitions import REASONS
from metrics.api import _OneObjectSchema
from metrics.forms import WindowForm
from metrics.selectors.after_sales import after_sales_report
from metrics.selectors.after_sales_due import due_counts
from sellerhub.api_filters import MAX_ID
from sellerhub.roles import perm


class _Window(serializers.Serializer):
    from_ = serializers.DateField(help_text="First day of the figure's window (local dates).")
    to = serializers.DateField(help_text="The day after the last day (not included).")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class ReturnRateSerializer(_Window):
    value = serializers.FloatField(allow_null=True, help_text="numerator / denominator; null without orders.")
    numerator = serializers.IntegerField(help_text="Orders with a return or refund that is not the buyer's fault.")
    denominator = serializers.IntegerField(help_text="Paid, non-sample orders placed in the window.")


class ResponseTimeSerializer(_Window):
    median_hours = serializers.FloatField(allow_null=True, help_text="Median hours from request to decision.")
    on_time_share = serializers.FloatField(allow_null=True, help_text="on_time / with_deadline; null without any.")
    decided = serializers.IntegerField(help_text="Requests and returns decided in the window.")
    with_deadline = serializers.IntegerField(help_text="Of those, with a deadline or auto-approved.")
    on_time = serializers.IntegerField(help_text="Decided by the deadline (exactly at it is on time).")
    late = serializers.IntegerField(help_text="Decided after the deadline, or auto-approved by the channel.")
    auto_approved = serializers.IntegerField(help_text="Approved by the channel: the deadline passed.")


class ReasonSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text="count / denominator.")


class ReasonsSerializer(serializers.Serializer):
    def get_fields(self):
        return {reason: ReasonSerializer(help_text=label) for reason, label in REASONS.items()}


class CancellationsByReasonSerializer(_Window):
    denominator = serializers.IntegerField(help_text="Paid, non-sample orders placed in the window.")
    total = serializers.IntegerField(help_text="Seller-fault cancellations (the sum of the reasons).")
    reasons = ReasonsSerializer()


class DecisionsDueSerializer(serializers.Serializer):
    cancellation_requests = serializers.IntegerField(help_text="Buyer cancellation requests waiting.")
    returns = serializers.IntegerField(help_text="Channel returns waiting for the seller's decision.")
    overdue = serializers.IntegerField(help_text="Of those, past their deadline.")
    about_to_auto_approve = serializers.IntegerField(help_text="Past or within AFTER_SALES_AT_RISK_HOURS of the "
                                                               "deadline.")


class AfterSalesReportSerializer(serializers.Serializer):
    """The after-sales figures (documentation only: the view returns the selector's dict)."""

    non_buyer_fault_return_rate = ReturnRateSerializer()
    after_sales_response_time = ResponseTimeSerializer()
    seller_fault_cancellations_by_reason = CancellationsByReasonSerializer()
    decisions_due = DecisionsDueSerializer()


class AfterSalesMetricsViewSet(viewsets.ViewSet):
    """The after-sales figures over a window of local dates [from, to), each account judged in its
    own time zone. Without dates each figure takes its own default: the last 60 full days for the
    return rate, the last 30 for the others. TikTok does not publish the exact formulas of these
    figures: SellerHub's definitions are its own reading (docs/domain/metrics.md)."""

    read_permission = perm("view_metrics")
    schema = _OneObjectSchema()

    @extend_schema(
        operation_id="metrics_after_sales",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (YYYY-MM-DD)."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Day after the last day (not included)."),
            OpenApiParameter("channel", OpenApiTypes.STR, enum=["tiktok", "woocommerce", "etsy", "square", "manual"],
                             description="Only this channel's accounts."),
            OpenApiParameter("account", {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                             description="Only this channel account."),
        ],
        responses={200: AfterSalesReportSerializer},
        description="Roles: Owner, Ops.",
    )
    def list(self, request):
        form = WindowForm(request.query_params)
        if not form.is_valid():
            errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
            message = next(iter(errors.values()))[0]
            code = 404 if getattr(form, "names_missing", False) and len(errors) == 1 else 400  # as /api/v1/metrics
            return Response({"error": message, "status": code, "fields": errors}, status=code)
        chosen = "from" in request.query_params or "to" in request.query_params
        scope = form.cleaned_data["scope"]
        report = after_sales_report(scope=scope, window=form.cleaned_data["window"] if chosen else None)
        counts = due_counts(scope)
        body = report.as_dict()
        body["decisions_due"] = {"cancellation_requests": counts.requests, "returns": counts.returns,
                                 "overdue": counts.overdue, "about_to_auto_approve": counts.about_to_auto_approve}
        return Response(body)


def register(router):
    """Register the after-sales figures on the /api/v1/ router (listed in config/api.py)."""
    router.register("metrics/after-sales", AfterSalesMetricsViewSet, basename="metrics-after-sales")
