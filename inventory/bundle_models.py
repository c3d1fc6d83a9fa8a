"""Bundles and kits: a SKU made of other SKUs. A bundle holds no stock of its own; its
available-to-sell is the minimum over its components, and every stock move of a bundle line
moves its components through the ledger.

A SKU is a bundle when it has component rows (``BundleComponent``); the rows are written only by
``inventory.services.bundles`` (no bundle inside itself, no cycles, components hold stock)."""

from django.db import models
from django.db.models import F, Q

__all__ = ["BundleComponent"]


class BundleComponent(models.Model):
    """One component of a bundle SKU: `units` of `component` go into one bundle."""

    bundle = models.ForeignKey("inventory.SKU", on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey("inventory.SKU", on_delete=models.PROTECT, related_name="in_bundles")
    units = models.PositiveIntegerField(default=1, help_text="Units of the component in one bundle.")

    class Meta:
        ordering = ["bundle_id", "pk"]
        verbose_name = "bundle component"
        constraints = [
            models.UniqueConstraint(fields=["bundle", "component"], name="bundle_component_unique"),
            models.CheckConstraint(condition=~Q(bundle=F("component")), name="bundle_not_inside_itself"),
            models.CheckConstraint(condition=Q(units__gte=1), name="bundle_component_units_positive"),
        ]
        indexes = [models.Index(fields=["component"], name="bundle_component_part")]

    def __str__(self):
        return f"{self.units} x {self.component_id} in bundle {self.bundle_id}"
