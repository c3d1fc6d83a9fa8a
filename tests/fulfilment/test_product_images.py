"""Product images where the warehouse works (acceptance 5): the order page, the pack screen, the
pick list page and its PDF (read from MEDIA_ROOT, never over the network) show each SKU's
thumbnail; a pick list of 100 orders and the order queue run as many queries as with 10 orders;
packing slips name the item as the seller does, not with the channel's title."""

import io

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from documents.errors import UnsafeURLError
from documents.render import html_to_pdf
from fulfilment import printing
from fulfilment.models import PickList, PickListLine, PickListOrder
from inventory.models import SKU, Location, Product
from inventory.services import images as image_services
from orders.models import Order, OrderLine, OrderStatus

pytestmark = pytest.mark.django_db


def tile(colour):
    out = io.BytesIO()
    Image.new("RGB", (64, 64), colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def pictured(skus):
    """TEE-BLK-M and CAP-BLK with pictures of their own, MUG-01 showing its product's."""
    image_services.set_sku_image(sku=skus["TEE-BLK-M"], data=tile((0, 0, 0)))
    image_services.set_sku_image(sku=skus["CAP-BLK"], data=tile((0, 90, 0)))
    mugs = Product.objects.create(name="Stoneware Mug")
    SKU.objects.filter(pk=skus["MUG-01"].pk).update(product=mugs)
    image_services.set_product_image(product=mugs, data=tile((180, 90, 40)))
    return {s.seller_sku: s for s in SKU.objects.select_related("product")}


def thumb(sku):
    return f"/media/{(sku.image_thumb or sku.product.image_thumb).name}"


def test_order_page_pack_screen_and_pick_list_show_the_pictures(make_order, warehouse_client, pictured):
    order = make_order("W-IMG1", {"TEE-BLK-M": 1, "MUG-01": 2})
    detail = warehouse_client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    pack = warehouse_client.get(reverse("fulfilment:pack_order", args=[order.pk])).content.decode()
    queue = warehouse_client.get("/orders/?status=all").content.decode()
    for page in (detail, pack, queue):
        assert thumb(pictured["TEE-BLK-M"]) in page and thumb(pictured["MUG-01"]) in page
    response = warehouse_client.post(reverse("fulfilment:pick_list_create"), {"order": [order.pk], "due_today": "0"})
    pick_list = PickList.objects.get()
    page = warehouse_client.get(response["Location"]).content.decode()
    assert thumb(pictured["MUG-01"]) in page
    pdf = warehouse_client.get(reverse("fulfilment:pick_list_pdf", args=[pick_list.pk]) + "?size=letter")
    assert pdf.status_code == 200
    pictures = [name for page in PdfReader(io.BytesIO(pdf.content)).pages for name in page.images]
    assert len(pictures) == 2  # both thumbnails, embedded from MEDIA_ROOT


def test_documents_read_product_pictures_only(media, pictured):
    for url in ("/media/labels/1.pdf", "/media/products/../labels/1.pdf", "/media/products/%2e%2e%2flabels%2f1.pdf",
                "http://127.0.0.1:1/media/products/x.png"):
        with pytest.raises(UnsafeURLError):
            html_to_pdf(f'<img src="{url}">')
    assert html_to_pdf(f'<img src="{thumb(pictured["CAP-BLK"])}">').startswith(b"%PDF")


def test_packing_slips_use_the_sellers_name_not_the_channels_title(make_order, pictured):
    order = make_order("W-IMG2", {"TEE-BLK-M": 1})
    OrderLine.objects.filter(order=order).update(name="Tee - TEE-BLK-M")
    SKU.objects.filter(seller_sku="TEE-BLK-M").update(name="Classic Tee Black M")
    OrderLine.objects.create(order=order, external_id="W-IMG2-L9", channel_sku="GIFT-WRAP", name="Gift wrap",
                             quantity=1)
    slip = printing.slip_data(Order.objects.get(pk=order.pk))
    assert [line.name for line in slip.lines] == ["Classic Tee Black M", "Gift wrap"]


def _pick_list_of(n, skus, user):
    """A pick list of n orders, each of a SKU of its own with a picture (own or its product's)."""
    bin_ = Location.objects.get(code="A-01")
    account = Order.objects.first().account
    product = Product.objects.get(name="Stoneware Mug")
    start, now = SKU.objects.count(), timezone.now()
    new = SKU.objects.bulk_create([SKU(seller_sku=f"PIC-{start + i}", name=f"Pictured {i}", product=product,
                                       image=skus["CAP-BLK"].image.name if i % 2 else "",
                                       image_thumb=skus["CAP-BLK"].image_thumb.name if i % 2 else "")
                                   for i in range(n)])
    orders = Order.objects.bulk_create([Order(account=account, external_id=f"P{start + i}", status=OrderStatus.PICKING,
                                              created_at=now) for i in range(n)])
    pairs = zip(orders, new, strict=True)
    lines = OrderLine.objects.bulk_create([OrderLine(order=o, sku=s, channel_sku=s.seller_sku, quantity=1,
                                                     external_id=o.external_id) for o, s in pairs])
    pick_list = PickList.objects.create(created_by=user)
    PickListOrder.objects.bulk_create([PickListOrder(pick_list=pick_list, order=o, position=i)
                                       for i, o in enumerate(orders)])
    PickListLine.objects.bulk_create([PickListLine(pick_list=pick_list, order_line=ln, sku=ln.sku, location=bin_,
                                                   quantity=1) for ln in lines])
    return pick_list


def count(client, url):
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response.content.decode()


def test_a_page_of_100_orders_with_pictures_runs_as_many_queries_as_with_10(make_order, warehouse_client,
                                                                            warehouse_user, pictured,
                                                                            django_assert_max_num_queries):
    make_order("W-IMG3", {"CAP-BLK": 1})
    small_list = _pick_list_of(10, pictured, warehouse_user)
    small, page = count(warehouse_client, reverse("fulfilment:pick_list", args=[small_list.pk]))
    assert page.count('class="sku-thumb') == 10
    queue_small, _page = count(warehouse_client, "/orders/?status=all")
    large_list = _pick_list_of(100, pictured, warehouse_user)
    with django_assert_max_num_queries(small):
        response = warehouse_client.get(reverse("fulfilment:pick_list", args=[large_list.pk]))
    assert response.content.decode().count('class="sku-thumb') == 100
    with django_assert_max_num_queries(queue_small):
        queue = warehouse_client.get("/orders/?status=all").content.decode()
    assert queue.count('class="sku-thumb') >= 50  # a page of 50 orders, each with its picture
