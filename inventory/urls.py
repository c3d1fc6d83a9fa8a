from django.urls import include, path

from inventory import bundle_views, count_views, image_views, replenishment_views, views

app_name = "inventory"

urlpatterns = [
    path("", views.SKUListView.as_view(), name="sku_list"),
    path("export.csv", views.ExportView.as_view(), name="export"),
    path("skus/new/", views.SKUEditView.as_view(), name="sku_create"),
    path("skus/<int:pk>/", views.SKUDetailView.as_view(), name="sku_detail"),
    path("skus/<int:pk>/edit/", views.SKUEditView.as_view(), name="sku_edit"),
    path("skus/<int:pk>/image/", image_views.SKUImageView.as_view(), name="sku_image"),
    path("skus/<int:pk>/bundle/", bundle_views.SKUBundleView.as_view(), name="sku_bundle"),
    path("adjust/", views.AdjustView.as_view(), name="adjust"),
    path("count/", count_views.CountView.as_view(), name="count"),
    path("count/today/", count_views.CycleCountView.as_view(), name="count_today"),
    path("receive/", views.ReceiveView.as_view(), name="receive"),
    path("low-stock/", views.LowStockView.as_view(), name="low_stock"),
    path("reorder/", replenishment_views.ReorderSuggestionsView.as_view(), name="reorder"),
    path("reorder/draft/", replenishment_views.DraftPurchaseOrdersView.as_view(), name="reorder_draft"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("import/<int:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("import/<int:pk>/result", views.ImportDetailView.as_view(fragment=True), name="import_result"),
    path("import/<int:pk>/confirm", views.ImportConfirmView.as_view(), name="import_confirm"),
    path("import/template/<str:kind>.csv", views.ImportTemplateView.as_view(), name="import_template"),
    path("fbt/", include("inventory.fbt.urls")),  # Fulfilled by TikTok: inbound shipments, FBT stock, alerts
    path("purchasing/", include("inventory.purchasing.urls")),  # suppliers, purchase orders, receiving against them
]
