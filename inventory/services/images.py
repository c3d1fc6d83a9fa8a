"""Setting and removing the picture of a SKU or of a product (uploaded on the SKU page, or imported
from a channel listing by ``inventory.image_jobs``). The files are written before the transaction
and the replaced ones removed after it commits; a failed change leaves no file behind."""

from __future__ import annotations

from django.db import transaction

from inventory import images
from inventory.models import SKU, Product
from inventory.services.errors import StockError


class ImageError(StockError):
    """A picture that cannot be set (the message says why)."""


def _apply(model, *, pk: int, data: bytes, name: str, prefix: str, only_if_empty: bool = False) -> bool:
    try:
        prepared = images.prepare(data, name=name)
    except images.ImageRejected as exc:
        raise ImageError(str(exc)) from None
    stored = images.store(prepared, prefix=prefix)
    try:
        with transaction.atomic():
            row = model.objects.select_for_update(of=("self",)).filter(pk=pk).first()
            if row is None:
                raise ImageError(f"That {model._meta.verbose_name} no longer exists.")
            if only_if_empty and row.image:
                images.delete_files(*stored)
                return False
            old = (row.image.name, row.image_thumb.name)
            model.objects.filter(pk=pk).update(image=stored[0], image_thumb=stored[1])
            transaction.on_commit(lambda: images.delete_files(*old))
    except Exception:
        images.delete_files(*stored)
        raise
    return True


def set_sku_image(*, sku: SKU, data: bytes, filename: str = "", user=None, only_if_empty: bool = False) -> bool:
    """Give the SKU this picture (checked and re-encoded; see ``inventory.images``), replacing its
    own. ``only_if_empty``: keep a picture the SKU already has (imports). True if it was set."""
    return _apply(SKU, pk=sku.pk, data=data, name=filename or "the picture", prefix=f"sku-{sku.pk}",
                  only_if_empty=only_if_empty)


def set_product_image(*, product: Product, data: bytes, filename: str = "", user=None) -> bool:
    """Give the product this picture: every SKU of it without a picture of its own shows it."""
    return _apply(Product, pk=product.pk, data=data, name=filename or "the picture", prefix=f"product-{product.pk}")


def remove_sku_image(*, sku: SKU, user=None) -> bool:
    """Remove the SKU's own picture (it shows its product's, if any). True if there was one."""
    return _remove(SKU, sku.pk)


def remove_product_image(*, product: Product, user=None) -> bool:
    return _remove(Product, product.pk)


def _remove(model, pk: int) -> bool:
    with transaction.atomic():
        row = model.objects.select_for_update(of=("self",)).filter(pk=pk).first()
        if row is None or not row.image:
            return False
        old = (row.image.name, row.image_thumb.name)
        model.objects.filter(pk=pk).update(image="", image_thumb="")
        transaction.on_commit(lambda: images.delete_files(*old))
    return True
