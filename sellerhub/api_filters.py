"""Bounded values for the API's query filters: an id filter that answers 400 for anything that is
not a whole number in the database's range (``?order=1e400`` or ``?order=99999999999999999999``
used to reach the database and fail there), and the integer ranges of the database columns."""

import re

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions

MAX_ID = 2**63 - 1  # BigAutoField (DEFAULT_AUTO_FIELD) and the foreign keys to it
MAX_INT = 2**31 - 1  # IntegerField / PositiveIntegerField on every supported database
MIN_INT = -(2**31)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """Filter on an object id (a primary or foreign key): a whole number from 1 to MAX_ID."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


_WHOLE = re.compile(r"[0-9]{1,18}")


class BoundedPageMixin:
    """Pagination whose ``page`` and ``page_size`` are validated: a value that is not a whole number
    in range answers 400 (DRF ignores a bad ``page_size`` and answers 404 for ``page=-1``)."""

    def _whole(self, request, name, low, high):
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return None
        if raw in getattr(self, "last_page_strings", ()) and name == self.page_query_param:
            return None
        if not _WHOLE.fullmatch(raw) or not low <= int(raw) <= high:
            raise exceptions.ValidationError({name: [f"A whole number from {low} to {high}."]})
        return int(raw)

    def get_page_size(self, request):
        size = self._whole(request, self.page_size_query_param, 1, self.max_page_size)
        return self.page_size if size is None else size

    def paginate_queryset(self, queryset, request, view=None):
        self._whole(request, self.page_query_param, 1, MAX_INT)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {self.page_query_param: (1, MAX_INT), self.page_size_query_param: (1, self.max_page_size)}
        for parameter in parameters:
            if parameter["name"] in bounds:
                low, high = bounds[parameter["name"]]
                parameter["schema"] = {**parameter["schema"], "minimum": low, "maximum": high}
        return parameters


class _MomentField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment the databases can store: years 2-9998 and a UTC offset within ±14:00
    (PostgreSQL refuses "+23:40"); anything else is a 400 with the field's name."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        offset = moment.utcoffset()
        if not (2 <= moment.year <= 9998) or (offset is not None and abs(offset.total_seconds()) > 14 * 3600):
            raise forms.ValidationError("Give a date and time between the years 2 and 9998 with a UTC offset "
                                        "within ±14:00, e.g. 2026-12-02T09:00:00Z.")
        return moment


class MomentFilter(django_filters.IsoDateTimeFilter):
    """``IsoDateTimeFilter`` bounded to what the databases can store (see ``_MomentField``)."""

    field_class = _MomentField


class _StrictBooleanField(forms.Field):
    """``true``/``false`` (or ``1``/``0``); anything else is a 400 naming the parameter, where
    django-filter's own boolean filter quietly ignores ``?active=8099`` or ``?active=null``."""

    widget = forms.TextInput
    TRUE, FALSE = ("true", "1"), ("false", "0")

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError("Give true or false.")


@extend_schema_field({"type": "boolean"})
class StrictBooleanFilter(django_filters.Filter):
    """A yes/no filter that refuses anything but true/false (see ``_StrictBooleanField``)."""

    field_class = _StrictBooleanField
