"""Purchasing pages, under /inventory/purchasing/: suppliers and purchase orders (the Owner's),
receiving against an order (the warehouse's)."""

from django.urls import path

from inventory.purchasing import receive_views, views

app_name = "purchasing"

urlpatterns = [
    path("", views.PurchasingHomeView.as_view(), name="home"),
    path("suppliers/", views.SupplierListView.as_view(), name="supplier_list"),
    path("suppliers/new/", views.SupplierEditView.as_view(), name="supplier_create"),
    path("suppliers/<int:pk>/", views.SupplierEditView.as_view(), name="supplier_edit"),
    path("orders/", views.POListView.as_view(), name="po_list"),
    path("orders/new/", views.POEditView.as_view(), name="po_create"),
    path("orders/<int:pk>/", views.PODetailView.as_view(), name="po_detail"),
    path("orders/<int:pk>/edit/", views.POEditView.as_view(), name="po_edit"),
    path("orders/<int:pk>/send", views.POActionView.as_view(action="send"), name="po_send"),
    path("orders/<int:pk>/cancel", views.POActionView.as_view(action="cancel"), name="po_cancel"),
    path("orders/<int:pk>/pdf", views.POPdfView.as_view(), name="po_pdf"),
    path("receive/", receive_views.ReceivableListView.as_view(), name="receive_list"),
    path("receive/<int:pk>/", receive_views.POReceiveView.as_view(), name="receive"),
]
