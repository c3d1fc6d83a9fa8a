"""Template tags of purchasing: `{% sku_on_order sku as on_order %}` gives a SKU page the units
on order from suppliers and the open lines they come from (one query)."""

from django import template

from inventory.purchasing import selectors

register = template.Library()


@register.simple_tag
def sku_on_order(sku):
    """{"units": units on sent or partly received orders, "lines": those order lines}."""
    lines = list(selectors.open_lines_for_sku(sku.pk))
    return {"units": sum(line.outstanding for line in lines), "lines": lines}
