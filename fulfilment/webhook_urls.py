"""The label provider's webhook (public, signed). Mounted at /webhooks/easypost/."""

from django.urls import path

from fulfilment import webhooks

urlpatterns = [
    path("", webhooks.easypost, name="easypost_webhook"),
]
