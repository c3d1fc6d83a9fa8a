"""REST API plumbing: role permissions, pagination, JSON errors, token login, the router."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.routers import APIRootView, DefaultRouter
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from channels import api as channels_api
from fulfilment import api as fulfilment_api
from inventory import api as inventory_api
from inventory import replenishment_api
from inventory.purchasing import api as purchasing_api
from metrics import api as metrics_api
from metrics import api_after_sales as metrics_after_sales_api
from orders import api as orders_api
from orders import api_cancellations as orders_cancellations_api
from sellerhub import access, jobs_api
from sellerhub.api_base import Pagination, RolePermission, exception_handler  # noqa: F401  (re-exported)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class ObtainTokenView(APIView):
    """POST username and password, get an API token for `Authorization: Token <token>`.

    Each call issues a new token (one per device, revocable on the Owner's Access page); only
    its hash is stored and it expires (``REST_KNOX["TOKEN_TTL"]``). Wrong passwords count toward
    the login lockout (django-axes), and the endpoint is throttled (``api_token`` rate)."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "api_token"
    public = True

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField(),
                                                     "expiry": serializers.DateTimeField(allow_null=True)}),
            400: inline_serializer("TokenRequestInvalid", {"error": serializers.CharField(),
                                                           "status": serializers.IntegerField()}),
            401: inline_serializer("TokenRefused", {"error": serializers.CharField(),
                                                    "status": serializers.IntegerField()}),
            429: inline_serializer("TokenLockedOut", {"error": serializers.CharField(),
                                                      "status": serializers.IntegerField()}),
        },
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        django_request = request._request  # the lockout records and flags the real request
        user = authenticate(django_request, **data.validated_data)
        if getattr(django_request, "axes_locked_out", False):
            return Response({"error": access.lockout_message(django_request), "status": 429}, status=429)
        if user is None or not user.is_active:
            return Response(
                {"error": "Unable to log in with the given username and password.", "status": 401},
                status=status.HTTP_401_UNAUTHORIZED, headers={"WWW-Authenticate": 'Token realm="api"'},
            )
        instance, key = AuthToken.objects.create(user=user)
        return Response({"token": key, "expiry": instance.expiry})


def build_router():
    class Root(APIRootView):
        """The API's entry point: links to every collection."""

        read_permission = "sellerhub.view_operations"

    router = DefaultRouter()
    router.trailing_slash = "/?"  # /api/v1/orders and /api/v1/orders/ both work
    router.include_format_suffixes = False
    router.APIRootView = Root
    for module in (jobs_api, inventory_api, replenishment_api, purchasing_api, orders_api, orders_cancellations_api,
                   fulfilment_api, metrics_api, metrics_after_sales_api, channels_api):
        module.register(router)
    return router
