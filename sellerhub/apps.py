from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate

from sellerhub.roles import sync_ops_model_permissions


class SellerHubConfig(AppConfig):
    default = True
    name = "sellerhub"
    verbose_name = "SellerHub"

    def ready(self):
        post_migrate.connect(sync_ops_model_permissions, dispatch_uid="sellerhub.sync_ops_model_permissions")


class SellerHubAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "sellerhub.admin_site.OpsAdminSite"
