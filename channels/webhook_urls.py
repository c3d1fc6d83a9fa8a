"""Public webhook endpoints (signed by the channels; see webhooks.py). Mounted at /webhooks/."""

from django.urls import path

from channels import webhooks

urlpatterns = [
    path("<str:channel>/<int:account_id>", webhooks.receive, name="channel_webhook"),
    path("<str:channel>/<int:account_id>/", webhooks.receive),
]
