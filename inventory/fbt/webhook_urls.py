"""Public: TikTok's FBT and logistics notifications (signed; see webhooks.py). Mounted by
config/urls.py at /webhooks/tiktok-fulfilment/."""

from django.urls import path

from inventory.fbt import webhooks

urlpatterns = [
    path("<int:account_id>", webhooks.receive, name="tiktok_fulfilment_webhook"),
    path("<int:account_id>/", webhooks.receive),
]
