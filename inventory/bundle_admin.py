"""The admin's view of bundles: a SKU's components, read-only (they are set on the SKU page or
through the API, where ``set_components`` checks them)."""

from django.contrib import admin

from inventory.bundle_models import BundleComponent


@admin.display(description="Bundle components")
def bundle_components(obj) -> str:
    """The SKU's components ("TEE-BLK-M × 1, TEE-WHT-M × 1"), or that it is not a bundle."""
    if obj is None or obj.pk is None:
        return "—"
    parts = BundleComponent.objects.filter(bundle=obj).select_related("component").order_by("component__seller_sku")
    text = ", ".join(f"{part.component.seller_sku} × {part.units}" for part in parts)
    return f"{text} (set them on the SKU page: a bundle holds no stock of its own)" if text else "Not a bundle."
