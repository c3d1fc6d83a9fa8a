"""FBT pages, included by inventory/urls.py at /inventory/fbt/ (namespace "inventory:fbt")."""

from django.urls import path

from inventory.fbt import views

app_name = "fbt"

urlpatterns = [
    path("", views.InboundListView.as_view(), name="inbound_list"),
    path("inbound/new/", views.InboundCreateView.as_view(), name="inbound_new"),
    path("inbound/<int:pk>/", views.InboundDetailView.as_view(), name="inbound_detail"),
    path("inbound/<int:pk>/lines", views.LinesView.as_view(), name="inbound_lines"),
    path("inbound/<int:pk>/details", views.DetailsView.as_view(), name="inbound_details"),
    path("inbound/<int:pk>/cartons", views.CartonView.as_view(), name="inbound_carton"),
    path("inbound/<int:pk>/cartons/<int:carton_pk>/delete", views.CartonDeleteView.as_view(),
         name="inbound_carton_delete"),
    path("inbound/<int:pk>/carton-labels.pdf", views.CartonLabelsView.as_view(), name="inbound_labels"),
    path("inbound/<int:pk>/ship", views.ShipView.as_view(), name="inbound_ship"),
    path("inbound/<int:pk>/receive", views.ReceiveView.as_view(), name="inbound_receive"),
    path("inbound/<int:pk>/close", views.CloseView.as_view(), name="inbound_close"),
    path("inbound/<int:pk>/cancel", views.CancelView.as_view(), name="inbound_cancel"),
    path("stock/", views.StockView.as_view(), name="stock"),
    path("stock/sync", views.SyncView.as_view(), name="sync"),
    path("stock/webhooks", views.RegisterWebhooksView.as_view(), name="register_webhooks"),
    path("alerts/", views.AlertsView.as_view(), name="alerts"),
    path("alerts/<int:pk>/dismiss", views.DismissView.as_view(), name="alert_dismiss"),
]
