"""Fulfilment documents: SellerHub's own 4x6 labels (PDF and ZPL), packing slips, pick lists,
handover manifests, and batches merging labels of any source into one file to print.

Inputs are plain dataclasses (``Address``, ``LabelData``, ``SlipData``, ``PickListData``,
``ManifestData``, ``BatchItem``); outputs are bytes. See the modules for the details:
``render`` (templates to PDF, the safe URL fetcher), ``barcodes`` (Code 128 as SVG), ``zpl``
(Zebra printers), ``merge`` (pypdf), ``batch`` (label, slip, label, slip...).
"""

from documents.barcodes import Barcode, code128
from documents.batch import BatchItem, BatchResult, assemble_batch
from documents.builders import (
    labels_html,
    render_label_pdf,
    render_labels_pdf,
    render_manifest_pdf,
    render_packing_slip_pdf,
    render_packing_slips_pdf,
    render_pick_list_pdf,
)
from documents.data import (
    Address,
    LabelData,
    ManifestData,
    ManifestPackage,
    PickItem,
    PickListData,
    SlipData,
    SlipLine,
)
from documents.errors import BarcodeError, BatchError, DocumentError, UnsafeURLError
from documents.merge import merge_pdfs
from documents.render import PAGE_SIZES, render_pdf
from documents.zpl import concat_zpl, label_zpl, labels_zpl, packing_slip_zpl

__all__ = [
    "PAGE_SIZES",
    "Address",
    "Barcode",
    "BarcodeError",
    "BatchError",
    "BatchItem",
    "BatchResult",
    "DocumentError",
    "LabelData",
    "ManifestData",
    "ManifestPackage",
    "PickItem",
    "PickListData",
    "SlipData",
    "SlipLine",
    "UnsafeURLError",
    "assemble_batch",
    "code128",
    "concat_zpl",
    "label_zpl",
    "labels_html",
    "labels_zpl",
    "merge_pdfs",
    "packing_slip_zpl",
    "render_label_pdf",
    "render_labels_pdf",
    "render_manifest_pdf",
    "render_packing_slip_pdf",
    "render_packing_slips_pdf",
    "render_pdf",
    "render_pick_list_pdf",
]
