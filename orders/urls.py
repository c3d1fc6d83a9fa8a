from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("bulk/", views.BulkActionView.as_view(), name="bulk"),
    path("new/", views.ManualOrderView.as_view(), name="manual"),
    path("attention/", views.AttentionView.as_view(), name="attention"),
    path("map-sku/", views.MapSKUView.as_view(), name="map_sku"),
    path("returns/", views.ReturnListView.as_view(), name="returns"),
    path("returns/<int:pk>/action/", views.ReturnActionView.as_view(), name="return_action"),
    path("<int:pk>/", views.OrderDetailView.as_view(), name="detail"),
    path("<int:pk>/action/", views.OrderActionView.as_view(), name="action"),
    path("<int:pk>/address/", views.AddressView.as_view(), name="address"),
    path("<int:pk>/return/", views.ReturnRequestView.as_view(), name="request_return"),
]
