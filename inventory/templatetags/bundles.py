"""The SKU page's bundle section: ``{% sku_bundle sku can_edit %}`` shows a bundle's components
(with the whole bundles they make) or the bundles a SKU is part of, and the Owner's form."""

from django import template

from inventory.bundles import bundle_section

register = template.Library()


@register.inclusion_tag("inventory/_sku_bundle.html", takes_context=True)
def sku_bundle(context, sku, can_edit=False):
    return {**bundle_section(sku), "sku": sku, "can_edit": can_edit, "csrf_token": context.get("csrf_token")}
