"""Proof of handover for SellerHub's own labels: the end-of-day USPS SCAN form (EasyPost
``scan_forms``) or a handover manifest for other carriers, per carrier, origin warehouse and day,
and the carrier pickups booked for them (docs/domain/labels.md#proof-of-handover).

``models`` (imported by fulfilment/models.py), writes in ``services``, reads in ``selectors``,
pages in ``views``, the API in ``api``."""
