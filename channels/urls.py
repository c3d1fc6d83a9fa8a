from django.urls import path

from channels import listing_views, refund_views, views

app_name = "channels"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("connect/", views.ConnectView.as_view(), name="connect"),
    path("log/", views.SyncLogView.as_view(), name="log"),
    path("runs/<int:pk>/retry/", views.RetryView.as_view(), name="retry"),
    path("accounts/new/", views.AccountEditView.as_view(), name="account_create"),
    path("accounts/<int:pk>/", views.AccountEditView.as_view(), name="account_edit"),
    path("accounts/<int:pk>/sync/", views.AccountSyncView.as_view(), name="account"),
    path("accounts/<int:pk>/connection/", views.ConnectView.as_view(), name="connection"),
    path("accounts/<int:pk>/test/", views.TestConnectionView.as_view(), name="test_connection"),
    path("accounts/<int:pk>/disconnect/", views.DisconnectView.as_view(), name="disconnect"),
    path("accounts/<int:pk>/reconnect/", views.ReconnectView.as_view(), name="reconnect"),
    path("accounts/<int:pk>/sync-now/", views.SyncNowView.as_view(), name="sync_now"),
    path("accounts/<int:pk>/listings/", views.ListingsView.as_view(), name="listings"),
    path("accounts/<int:pk>/listings/import/", views.ImportListingsView.as_view(), name="import_listings"),
    path("accounts/<int:pk>/listings/auto-match/", views.AutoMatchView.as_view(), name="auto_match"),
    path("listings/<int:pk>/map/", views.MapListingView.as_view(), name="map_listing"),
    path("skus/<int:pk>/listings/", listing_views.SkuListingsView.as_view(), name="sku_listings"),
    path("listings/<int:pk>/edit/", listing_views.ListingEditView.as_view(), name="listing_edit"),
    path("listings/<int:pk>/rule/", listing_views.ListingRuleView.as_view(), name="listing_rule"),
    path("orders/<int:pk>/refunds/new/", refund_views.RefundCreateView.as_view(), name="refund_create"),
]
