"""The devtools app: no models, only the ``load_demo_data`` management command."""

from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    name = "devtools"
    verbose_name = "Development tools"
