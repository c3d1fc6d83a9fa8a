"""Box presets: the boxes the packing station offers (name, inside size, empty weight, barcode)."""

from __future__ import annotations

from django.db import transaction

from fulfilment.models import BoxPreset
from fulfilment.services.common import check_dims
from fulfilment.services.errors import FulfilmentError


def save_box(*, box: BoxPreset | None = None, name: str, length_mm: int, width_mm: int, height_mm: int,
             tare_grams: int = 0, barcode: str = "", active: bool = True, position: int = 0, user=None) -> BoxPreset:
    name = (name or "").strip()
    if not name:
        raise FulfilmentError("Give the box a name.", field="name")
    dims = check_dims(length_mm=length_mm, width_mm=width_mm, height_mm=height_mm)
    if None in dims.values():
        raise FulfilmentError("Give the box's length, width and height in millimetres.", field="length_mm")
    if isinstance(tare_grams, bool) or not isinstance(tare_grams, int) or not 0 <= tare_grams <= 20_000:
        raise FulfilmentError("The empty box's weight must be 0 to 20000 grams.", field="tare_grams")
    with transaction.atomic():
        clash = BoxPreset.objects.filter(name__iexact=name).exclude(pk=box.pk if box else None).exists()
        if clash:
            raise FulfilmentError(f"There is already a box called {name}.", field="name")
        box = box or BoxPreset()
        box.name, box.tare_grams, box.barcode = name, tare_grams, (barcode or "").strip()
        box.length_mm, box.width_mm, box.height_mm = dims["length_mm"], dims["width_mm"], dims["height_mm"]
        box.active, box.position = bool(active), position or 0
        box.save()
        return box
