"""Least privilege and tokens: the capabilities ``manage_access`` (Owner) and ``manage_staff``
(no role until the Owner grants it to Ops); Ops loses the model permissions of DRF's tokens; every
DRF token (stored in clear) is revoked: API tokens are now django-rest-knox's, hashed at rest and
expiring. Clients log in again with ``POST /api/v1/auth/token`` (README, "Health, API and jobs")."""

from django.db import migrations

NEW_CAPABILITIES = {
    "manage_access": ("Can list and revoke API tokens, unlock logins and grant Ops the staff right", ("Owner",)),
    "manage_staff": ("Can change users and groups in the Django admin", ()),
}


def forward(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="sellerhub", model="capability")
    for codename, (text, roles) in NEW_CAPABILITIES.items():
        permission, _ = Permission.objects.get_or_create(content_type=content_type, codename=codename,
                                                         defaults={"name": text})
        for group in Group.objects.filter(name__in=roles):
            group.permissions.add(permission)
    ops = Group.objects.filter(name="Ops").first()
    if ops is not None:  # DRF's token admin was open to Ops: its permissions go
        ops.permissions.remove(*Permission.objects.filter(content_type__app_label="authtoken"))
    connection = schema_editor.connection
    if "authtoken_token" in connection.introspection.table_names():
        with connection.cursor() as cursor:  # revoke every clear-text DRF token
            cursor.execute("DELETE FROM authtoken_token")


def backward(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="sellerhub", codename__in=list(NEW_CAPABILITIES)).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("sellerhub", "0007_truthful_jobs"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="capability",
            options={
                "default_permissions": (),
                "managed": False,
                "permissions": [
                    ("view_operations", "Can see orders, inventory and fulfilment"),
                    ("work_warehouse", "Can pick, pack, ship, count and receive stock"),
                    ("manage_orders", "Can confirm, hold and cancel orders and handle returns"),
                    ("manage_catalogue", "Can edit SKUs, locations, adjustments and imports"),
                    ("view_metrics", "Can see shop metrics"),
                    ("view_channels", "Can see channel accounts and sync state"),
                    ("manage_channels", "Can connect channels and change settings"),
                    ("use_ops_tools", "Can use the Django admin and the job dashboard"),
                    ("manage_shipping_rules", "Can set the shipping rules"),  # fulfilment's shipping rules
                    ("manage_access", "Can list and revoke API tokens, unlock logins and grant Ops the staff right"),
                    ("manage_staff", "Can change users and groups in the Django admin"),
                ],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
