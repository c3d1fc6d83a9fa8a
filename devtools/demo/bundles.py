"""Demo bundles: TT-BUNDLE-TEE2, the two-tee bundle (Classic Tee Black M + White M), sold on
TikTok as a combined listing made in Seller Center and on WooCommerce as a product of its own
(the world's ``tt-bundle`` and ``woo-bundle`` orders); its listings show the whole bundles its
tees make. Another TikTok combined listing (two mugs) matches no bundle: it waits under Needs
attention with the "create bundle" fix. Runs after the inventory demo; safe to run again."""

from __future__ import annotations

from inventory.bundles import components_of
from inventory.models import SKU, Product
from inventory.services.bundles import create_bundle, set_components

# seller SKU, name, product, [(component seller SKU, units)]
BUNDLES = [
    ("TT-BUNDLE-TEE2", "Classic Tee two-pack (Black M + White M)", "Classic Tee",
     [("TEE-BLK-M", 1), ("TEE-WHT-M", 1)]),
]


def load(*, users):
    owner = users.get("owner") if isinstance(users, dict) else None
    for seller_sku, name, product, parts in BUNDLES:
        components = [(SKU.objects.get(seller_sku=part), units) for part, units in parts]
        fields = {"product": Product.objects.filter(name=product).first(), "weight_grams": 340}
        sku = SKU.objects.filter(seller_sku=seller_sku).first()
        if sku is None:
            create_bundle(seller_sku=seller_sku, name=name, components=components, user=owner, **fields)
        elif sku.pk not in components_of([sku.pk]):
            set_components(bundle=sku, components=components, user=owner)
