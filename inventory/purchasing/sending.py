"""Sending a purchase order: its PDF (documents.purchase_order, the documents' style) emailed to
the supplier with the PDF attached, and the sending recorded (``PurchaseOrderSend``); a draft
becomes sent. The email goes out before anything is written, and no row is locked while it does:
when the mail server refuses it, the order stays as it was and the message says why."""

from __future__ import annotations

import logging
import smtplib

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from documents.purchase_order import PurchaseOrderData, PurchaseOrderLineData, render_purchase_order_pdf
from inventory.purchasing.locks import lock_purchase_order
from inventory.purchasing.services import PurchasingError
from inventory.purchasing_models import PurchaseOrder, PurchaseOrderSend, PurchaseOrderStatus, SupplierSKU
from sellerhub.addresses import Address

log = logging.getLogger(__name__)
SENDABLE = (PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTLY_RECEIVED)


def _deliver_to_lines(location) -> str:
    site = location if location.street1 or not location.parent_id else location.parent
    lines = Address.from_location(site).lines() if site.street1 else [site.company or site.name]
    if site is not location:
        lines.append(f"Bin {location.code}")
    return "\n".join(lines)


def purchase_order_data(po: PurchaseOrder) -> PurchaseOrderData:
    """The PDF's data for an order: three queries (the order, its lines, the supplier's codes)."""
    po = PurchaseOrder.objects.select_related("supplier", "deliver_to", "deliver_to__parent").get(pk=po.pk)
    lines = list(po.lines.select_related("sku").order_by("sku__seller_sku"))
    codes = {row.sku_id: row for row in SupplierSKU.objects.filter(supplier_id=po.supplier_id,
                                                                     sku_id__in=[line.sku_id for line in lines])}
    supplier = po.supplier
    site = po.deliver_to.parent if po.deliver_to.parent_id else po.deliver_to
    return PurchaseOrderData(
        number=po.number, supplier_name=supplier.name, currency=po.currency,
        buyer=site.company or "", supplier_contact=supplier.contact_name, supplier_email=supplier.email,
        supplier_address=supplier.address, deliver_to=_deliver_to_lines(po.deliver_to), created_at=po.created_at,
        expected_on=po.expected_on, note=po.notes,
        lines=[PurchaseOrderLineData(sku=line.sku.seller_sku, name=line.sku.name, quantity=line.quantity_ordered,
                                     unit_cost=line.unit_cost,
                                     supplier_code=codes[line.sku_id].supplier_code if line.sku_id in codes else "",
                                     pack_size=codes[line.sku_id].pack_size if line.sku_id in codes else 1)
               for line in lines],
    )


def purchase_order_pdf(po: PurchaseOrder) -> bytes:
    return render_purchase_order_pdf(purchase_order_data(po), page_size="letter")


def filename_for(po: PurchaseOrder) -> str:
    return f"{po.number}.pdf"


def send_po(*, purchase_order: PurchaseOrder, user=None, connection=None) -> PurchaseOrderSend:
    """Email the order's PDF to its supplier and record it; a draft becomes sent (sending again a
    sent or partly received order sends the same order again). Raises PurchasingError, changing
    nothing, when the order is received or cancelled, has no lines, the supplier has no email
    address, or the mail server refuses the message. `connection`: a mail connection other than
    the default (EMAIL_BACKEND)."""
    po = PurchaseOrder.objects.select_related("supplier").get(pk=purchase_order.pk)
    if po.status not in SENDABLE:
        raise PurchasingError(f"{po.number} is {po.get_status_display().lower()}: it is not sent again.")
    if not po.supplier.email:
        raise PurchasingError(f"{po.supplier.name} has no email address: add one on the supplier's page, then send.")
    if not po.lines.exists():
        raise PurchasingError(f"{po.number} has no lines: add what you are ordering first.")
    pdf = purchase_order_pdf(po)
    filename = filename_for(po)
    sender = (user.get_full_name() or user.username) if user is not None and user.is_authenticated else ""
    body = (f"Hello{' ' + po.supplier.contact_name if po.supplier.contact_name else ''},\n\n"
            f"Please find attached our purchase order {po.number}. Quote {po.number} on the delivery note.\n\n"
            f"Thank you{', ' + sender if sender else ''}\n")
    message = EmailMessage(subject=f"Purchase order {po.number}", body=body, to=[po.supplier.email],
                           connection=connection)
    message.attach(filename, pdf, "application/pdf")
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("purchase order %s: the email to %s failed: %s", po.number, po.supplier.email, exc)
        raise PurchasingError(f"The email to {po.supplier.email} could not be sent ({exc}); {po.number} was not "
                              "marked sent. Try again, or check the mail settings.") from None
    with transaction.atomic():
        locked = lock_purchase_order(po.pk)
        if locked is None:
            raise PurchasingError("This purchase order no longer exists.")
        if locked.status == PurchaseOrderStatus.DRAFT:
            locked.status = PurchaseOrderStatus.SENT
            locked.sent_at = timezone.now()
            locked.save(update_fields=["status", "sent_at"])
        record = PurchaseOrderSend.objects.create(purchase_order=locked, sent_by=user if sender else None,
                                                  to_email=po.supplier.email, filename=filename)
    return record
