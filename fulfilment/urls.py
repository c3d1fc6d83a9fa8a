from django.urls import path

from fulfilment import views
from fulfilment.handover import views as views_handover
from fulfilment.printers import views as views_printers
from fulfilment.shipping_rules.urls import urlpatterns as shipping_rule_urls
from fulfilment.tiktok import views as views_collection
from fulfilment.views import dispatch_desk, station_setup

app_name = "fulfilment"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("pick-pack/", views.PickPackView.as_view(), name="pick_pack"),
    path("pick-lists/", views.PickListCreateView.as_view(), name="pick_list_create"),
    path("pick-lists/<int:pk>/", views.PickListView.as_view(), name="pick_list"),
    path("pick-lists/<int:pk>/pdf", views.PickListPDFView.as_view(), name="pick_list_pdf"),
    path("pick-lists/<int:pk>/action/", views.PickListActionView.as_view(), name="pick_list_action"),
    path("pack/", views.PackStationView.as_view(), name="pack"),
    path("pack/<int:pk>/", views.PackOrderView.as_view(), name="pack_order"),
    path("pack/<int:pk>/scan", views.PackScanView.as_view(), name="pack_scan"),
    path("pack/<int:pk>/override", views.PackOverrideView.as_view(), name="pack_override"),
    path("pack/<int:pk>/restart", views.PackRestartView.as_view(), name="pack_restart"),
    path("pack/<int:pk>/finish", views.PackFinishView.as_view(), name="pack_finish"),
    path("orders/<int:pk>/packing-slip.pdf", views.OrderSlipView.as_view(), name="order_slip"),
    path("packages/", views.PackageListView.as_view(), name="packages"),
    path("packages/<int:pk>/", views.PackageView.as_view(), name="package"),
    path("packages/<int:pk>/label.<str:fmt>", views.PackageLabelView.as_view(), name="package_label"),
    path("packages/<int:pk>/packing-slip.pdf", views.PackageSlipView.as_view(), name="package_slip"),
    path("packages/<int:pk>/<str:action>/", views.PackageActionView.as_view(), name="package_action"),
    path("tracking/check", views.TrackingCheckView.as_view(), name="tracking_check"),
    path("batches/", views.BatchListView.as_view(), name="batches"),
    path("batches/<int:pk>/", views.BatchView.as_view(), name="batch"),
    path("batches/<int:pk>/progress", views.BatchProgressView.as_view(), name="batch_progress"),
    path("batches/<int:pk>/file", views.BatchFileView.as_view(), name="batch_file"),
    path("batches/<int:pk>/reprint", views.BatchReprintView.as_view(), name="batch_reprint"),
    path("boxes/", views.BoxListView.as_view(), name="boxes"),
    path("carriers/", views.CarriersView.as_view(), name="carriers"),
    # Printers, the packing station (this browser) and the dispatch desk (scan-to-ship's companions).
    path("printers/", views_printers.PrintersView.as_view(), name="printers"),
    path("print/<str:document>/<int:pk>", views_printers.PrintView.as_view(), name="print"),
    path("station/", station_setup.StationView.as_view(), name="station"),
    path("dispatch-desk/", dispatch_desk.DispatchDeskView.as_view(), name="dispatch_desk"),
    # Proof of handover: end-of-day SCAN forms and manifests, pickups (fulfilment/handover/views.py).
    path("end-of-day/", views_handover.EndOfDayView.as_view(), name="end_of_day"),
    path("end-of-day/make", views_handover.EndOfDayCreateView.as_view(), name="end_of_day_make"),
    path("end-of-day/<int:pk>/form.pdf", views_handover.HandoverFormPDFView.as_view(), name="handover_form"),
    path("end-of-day/<int:pk>/pickup", views_handover.PickupView.as_view(), name="handover_pickup"),
    # TikTok Shipping: TikTok's labels and collection requests (views_collection.py).
    path("tiktok-labels/", views_collection.TikTokLabelsView.as_view(), name="tiktok_labels"),
    path("collection/", views_collection.CollectionIndexView.as_view(), name="collection"),
    path("collection/slots", views_collection.SlotsView.as_view(), name="collection_slots"),
    path("collection/request", views_collection.RequestView.as_view(), name="collection_request"),
    path("collection/<int:pk>/", views_collection.CollectionDetailView.as_view(), name="collection_detail"),
    path("collection/<int:pk>/manifest.pdf", views_collection.ManifestView.as_view(), name="collection_manifest"),
    path("collection/<int:pk>/<str:action>", views_collection.CollectionActionView.as_view(),
         name="collection_action"),
]
urlpatterns += shipping_rule_urls
