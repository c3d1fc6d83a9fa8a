"""``/api/v1/printers``: the printer registry over the API. Reading needs view_operations;
creating and changing a printer needs manage_channels (the Owner). A refused change answers 400
``{"error", "field"}`` and changes nothing.

- ``GET /printers`` · ``GET /printers/{id}`` · ``POST /printers`` ``{"name", "kind": "zpl"|"cups"|
  "browser", "host"?, "port"?, "queue"?, "active"?}`` · ``PATCH``/``PUT /printers/{id}``
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from fulfilment.printers import selectors, services
from fulfilment.printers.models import Printer
from fulfilment.services.errors import FulfilmentError
from sellerhub.roles import perm

QUEUE_NAME = RegexValidator(r"^[A-Za-z0-9_.@-]+$", "A CUPS queue name has letters, digits, - _ . and @ only.")


class PrinterSerializer(serializers.ModelSerializer):
    port = serializers.IntegerField(min_value=1, max_value=65535, required=False, default=9100)

    class Meta:
        model = Printer
        fields = ["id", "name", "kind", "host", "port", "queue", "active", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"name": {"validators": []}, "queue": {"validators": [QUEUE_NAME]}}


class PrinterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Printers: a ZPL thermal printer over raw TCP (host, port 9100), a CUPS queue (``lp -d``) or
    the browser's print dialog. Packing stations choose their label and document printers."""

    read_permission = perm("view_operations")
    write_permission = perm("manage_channels")
    serializer_class = PrinterSerializer

    def get_queryset(self):
        return selectors.printers()

    def _save(self, request, printer, *, partial):
        serializer = self.get_serializer(printer, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = {**({f: getattr(printer, f) for f in ("name", "kind", "host", "port", "queue", "active")}
                   if printer else {}), **serializer.validated_data}
        try:
            saved = services.save_printer(printer=printer, name=data.get("name", ""), kind=data.get("kind", "browser"),
                                          host=data.get("host", ""), port=data.get("port"),
                                          queue=data.get("queue", ""), active=data.get("active", True),
                                          user=request.user)
        except FulfilmentError as exc:
            body = {"error": str(exc), "status": 400}
            if exc.field:
                body["field"] = exc.field
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(PrinterSerializer(saved).data,
                        status=status.HTTP_200_OK if printer else status.HTTP_201_CREATED)

    def create(self, request, *args, **kwargs):
        return self._save(request, None, partial=False)

    def update(self, request, *args, **kwargs):
        return self._save(request, self.get_object(), partial=kwargs.pop("partial", False))


def register(router):
    router.register("printers", PrinterViewSet, basename="printers")
