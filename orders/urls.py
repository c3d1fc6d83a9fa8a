from django.urls import path

from orders import views, views_bundles, views_cancellations, views_refunds, views_returns

app_name = "orders"

urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("bulk/", views.BulkActionView.as_view(), name="bulk"),
    path("new/", views.ManualOrderView.as_view(), name="manual"),
    path("attention/", views.AttentionView.as_view(), name="attention"),
    path("map-sku/", views.MapSKUView.as_view(), name="map_sku"),
    path("map-sku/bundle/", views_bundles.CreateBundleFromListingView.as_view(), name="bundle_from_listing"),
    path("returns/", views_returns.ReturnListView.as_view(), name="returns"),
    path("returns/receive/", views_returns.ReturnReceiveView.as_view(), name="return_receive"),
    path("returns/<int:pk>/", views_returns.ReturnDetailView.as_view(), name="return_detail"),
    path("returns/<int:pk>/decide/", views_returns.ReturnDecisionView.as_view(), name="return_decide"),
    path("returns/<int:pk>/inspect/", views_returns.ReturnInspectView.as_view(), name="return_inspect"),
    path("returns/<int:pk>/action/", views_returns.ReturnActionView.as_view(), name="return_action"),
    path("cancellation-requests/", views_cancellations.CancellationQueueView.as_view(), name="cancellation_requests"),
    path("cancellation-requests/<int:pk>/reject/", views_cancellations.CancellationRejectView.as_view(),
         name="cancellation_reject"),
    path("cancellation-requests/<int:pk>/decide/", views_cancellations.CancellationDecisionView.as_view(),
         name="cancellation_decide"),
    path("<int:pk>/", views.OrderDetailView.as_view(), name="detail"),
    path("<int:pk>/action/", views.OrderActionView.as_view(), name="action"),
    path("<int:pk>/address/", views.AddressView.as_view(), name="address"),
    path("<int:pk>/return/", views_returns.ReturnRequestView.as_view(), name="request_return"),
    path("<int:pk>/cancellation/retry/", views_refunds.RetryCancellationView.as_view(), name="retry_cancellation"),
]
