"""Dashboard panels contributed by the apps.

Each app may define `dashboard_panels(request) -> list[dict]` in its `selectors.py`-backed
module `<app>/dashboard.py`; a panel is `{"title", "template", "context", "permission"}`.
"""

from importlib import import_module

APPS = ("inventory", "inventory.fbt", "orders", "fulfilment", "metrics", "channels")


def panels_for(request):
    panels = []
    for app in APPS:
        try:
            module = import_module(f"{app}.dashboard")
        except ModuleNotFoundError:
            continue
        for panel in module.dashboard_panels(request):
            if request.user.has_perm(panel.get("permission", "sellerhub.view_operations")):
                panels.append(panel)
    return sorted(panels, key=lambda p: p.get("order", 100))
