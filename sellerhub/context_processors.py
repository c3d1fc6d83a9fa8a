from django.urls import NoReverseMatch, reverse

from sellerhub.roles import perm, role_of

# (label, url name, permission) in the order the navigation shows them.
NAVIGATION = (
    ("Dashboard", "dashboard", perm("view_operations")),
    ("Orders", "orders:queue", perm("view_operations")),
    ("Pick & pack", "fulfilment:pick_pack", perm("work_warehouse")),
    ("Inventory", "inventory:sku_list", perm("view_operations")),
    ("Fulfilment", "fulfilment:index", perm("view_operations")),
    ("Metrics", "metrics:index", perm("view_metrics")),
    ("Channels", "channels:index", perm("view_channels")),
    ("Staff", "staff_list", perm("manage_access")),
    ("Access", "access_settings", perm("manage_access")),
    ("Admin", "admin:index", perm("use_ops_tools")),
    ("Jobs", "django_rq:home", perm("use_ops_tools")),
)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_role": None}
    items = []
    for label, name, permission in NAVIGATION:
        if not user.has_perm(permission):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        active = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"label": label, "url": url, "active": active})
    return {"nav_items": items, "user_role": role_of(user)}
