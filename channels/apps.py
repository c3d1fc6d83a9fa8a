from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    """Channel sync: accounts' pages, cursors, pull and push jobs, the webhook inbox."""

    default = True
    name = "channels"
    label = "channels"
    verbose_name = "Channel sync"

    def ready(self):
        from channels import startup  # noqa: PLC0415 -- models load only after apps are ready

        startup.ready()
