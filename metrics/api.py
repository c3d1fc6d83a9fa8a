"""GET /api/v1/metrics: the four figures as JSON, the same as `manage.py metrics_report --json`."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from metrics.forms import WindowForm
from metrics.selectors import metric_report
from sellerhub.api_filters import MAX_ID
from sellerhub.roles import perm


class MetricFigureSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True, help_text="numerator / denominator, in [0, 1]; null when the "
                                                              "denominator is 0.")
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()


class MetricsReportSerializer(serializers.Serializer):
    """The four figures (documentation only: the view returns the selector's dict)."""

    late_dispatch_rate = MetricFigureSerializer()
    valid_tracking_rate = MetricFigureSerializer()
    on_time_delivery_rate = MetricFigureSerializer()
    seller_fault_cancellation_rate = MetricFigureSerializer()


class _OneObjectSchema(AutoSchema):
    """The list action answers one object, not a list."""

    def _is_list_view(self, serializer=None):
        return False


class MetricsViewSet(viewsets.ViewSet):
    """The late dispatch, valid tracking, on-time delivery and seller-fault cancellation rates
    over a window of local dates [from, to), each account judged in its own time zone."""

    read_permission = perm("view_metrics")
    schema = _OneObjectSchema()

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (YYYY-MM-DD). Default: 30 days "
                                                                     "before 'to'."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Day after the last day (not included). "
                                                                   "Default: today (the last 30 full days)."),
            OpenApiParameter("channel", OpenApiTypes.STR, enum=["tiktok", "woocommerce", "etsy", "square", "manual"],
                             description="Only this channel's accounts."),
            OpenApiParameter("account", {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                             description="Only this channel account."),
        ],
        responses={200: MetricsReportSerializer},
    )
    def list(self, request):
        form = WindowForm(request.query_params)
        if not form.is_valid():
            errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
            message = next(iter(errors.values()))[0]
            code = 404 if getattr(form, "names_missing", False) and len(errors) == 1 else 400
            return Response({"error": message, "status": code, "fields": errors}, status=code)
        report = metric_report(scope=form.cleaned_data["scope"], date_from=form.cleaned_data["window"].date_from,
                               date_to=form.cleaned_data["window"].date_to)
        return Response(report.as_dict())


def register(router):
    """Register this app's API view sets on the /api/v1/ router."""
    router.register("metrics", MetricsViewSet, basename="metrics")
