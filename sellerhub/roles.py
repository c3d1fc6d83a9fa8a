"""Roles (Django groups) and the capabilities (permissions) each one has: least privilege, the
README's role table.

The groups and capability permissions are created by migrations `sellerhub.0002_roles` and
`0008_access`; Ops also gets the model permissions the Django admin needs (see
`sync_ops_model_permissions`), never those of users, groups, tokens or lockouts
(`sellerhub.admin_site`), and reads channel accounts without changing their endpoint
(`channels.admin`).
"""

from django.apps import apps

WAREHOUSE = "Warehouse"
OWNER = "Owner"
OPS = "Ops"
ROLES = (WAREHOUSE, OWNER, OPS)

# codename -> (description, roles that have it)
CAPABILITIES = {
    "view_operations": ("Can see orders, inventory and fulfilment", (WAREHOUSE, OWNER, OPS)),
    "work_warehouse": ("Can pick, pack, ship, count and receive stock", (WAREHOUSE, OWNER)),
    "manage_orders": ("Can confirm, hold and cancel orders and handle returns", (OWNER,)),
    "manage_catalogue": ("Can edit SKUs, locations, adjustments and imports", (OWNER,)),
    "view_metrics": ("Can see shop metrics", (OWNER, OPS)),
    "view_channels": ("Can see channel accounts and sync state", (OWNER, OPS)),
    "manage_channels": ("Can connect channels and change settings", (OWNER,)),
    "use_ops_tools": ("Can use the Django admin and the job dashboard", (OPS,)),
    "manage_shipping_rules": ("Can set the shipping rules", (OWNER,)),
    "manage_access": ("Can list and revoke API tokens, unlock logins and grant Ops the staff right", (OWNER,)),
    # Off for every role: the Owner grants it to Ops on the Access page (sellerhub.access_pages).
    "manage_staff": ("Can change users and groups in the Django admin", ()),
}

# Apps whose models ops may edit in the Django admin. Never auth (users, groups: `manage_staff`),
# API tokens or login lockouts (sellerhub.admin_site decides those, in one place).
OPS_ADMIN_APPS = ("sellerhub", "inventory", "orders", "fulfilment", "channels", "metrics")


def perm(codename):
    return f"sellerhub.{codename}"


def role_of(user):
    """The first role the user has (Owner wins over the others), or None."""
    if not user.is_authenticated:
        return None
    names = {g.name for g in user.groups.all()}
    for role in (OWNER, OPS, WAREHOUSE):
        if role in names:
            return role
    return None


def sync_ops_model_permissions(**_kwargs):
    """After each migrate (and test flush): make sure every role has its capabilities, and give
    Ops every model permission of the SellerHub apps for the Django admin."""
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    capabilities = {p.codename: p for p in Permission.objects.filter(content_type__app_label="sellerhub",
                                                                      content_type__model="capability")}
    if not capabilities:
        return
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ROLES}
    for codename, (_text, roles) in CAPABILITIES.items():
        if codename in capabilities:
            for role in roles:
                groups[role].permissions.add(capabilities[codename])
    group = groups[OPS]
    perms = Permission.objects.filter(content_type__app_label__in=OPS_ADMIN_APPS).exclude(
        codename__in=CAPABILITIES
    )
    group.permissions.add(*perms)
