"""Template filters of the metrics pages: ``pct`` (a ratio as a percentage)."""

from django import template

from metrics.charts import pct as _pct

register = template.Library()


@register.filter
def pct(value, digits=1):
    """A ratio in [0, 1] as a percentage ("4.2 %"); "–" without a value."""
    return _pct(value, int(digits))
