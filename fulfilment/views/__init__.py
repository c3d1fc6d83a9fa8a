"""Fulfilment pages, one module per part of the work: ``picking`` (the dispatch board and pick
lists), ``packing`` (the packing station), ``packages`` (packages and their labels), ``batches``
(batch printing) and ``station_setup`` (box presets, carriers and the label provider). Views read
through ``fulfilment.selectors`` and write through ``fulfilment.services``; every write checks its
capability (viewing needs view_operations, working needs work_warehouse)."""

from fulfilment.views.batches import BatchFileView, BatchListView, BatchProgressView, BatchReprintView, BatchView
from fulfilment.views.packages import (
    PackageActionView,
    PackageLabelView,
    PackageListView,
    PackageSlipView,
    PackageView,
    TrackingCheckView,
    package_context,
)
from fulfilment.views.packing import (
    OrderSlipView,
    PackFinishView,
    PackOrderView,
    PackOverrideView,
    PackRestartView,
    PackScanView,
    PackStationView,
)
from fulfilment.views.picking import (
    IndexView,
    PickListActionView,
    PickListCreateView,
    PickListPDFView,
    PickListView,
    PickPackView,
)
from fulfilment.views.station_setup import BoxListView, CarriersView

__all__ = [
    "BatchFileView", "BatchListView", "BatchProgressView", "BatchReprintView", "BatchView", "BoxListView",
    "CarriersView", "IndexView", "OrderSlipView", "PackFinishView", "PackOrderView", "PackOverrideView",
    "PackRestartView", "PackScanView", "PackStationView", "PackageActionView", "PackageLabelView",
    "PackageListView", "PackageSlipView", "PackageView", "PickListActionView", "PickListCreateView",
    "PickListPDFView", "PickListView", "PickPackView", "TrackingCheckView", "package_context",
]
