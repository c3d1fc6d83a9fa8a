from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    """Channel sync: accounts' pages, cursors, pull and push jobs, the webhook inbox."""

    default = True
    name = "channels"
    label = "channels"
    verbose_name = "Channel sync"

    def ready(self):
        from channels import startup

        startup.ready()
