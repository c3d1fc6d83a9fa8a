"""Product images: a picture is checked by its content (type, size, pixels) and re-encoded with a
thumbnail under MEDIA_ROOT/products/; the Owner uploads, replaces and removes it on the SKU page
(nobody else may); a SKU without a picture shows its product's."""

import io

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from inventory import images
from inventory.images import ImageRejected, prepare, sku_images
from inventory.models import SKU, Product
from inventory.services import images as image_services
from tests.inventory.factories import SKUFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def picture(fmt="PNG", size=(300, 200), mode="RGB", colour=(200, 30, 30)):
    out = io.BytesIO()
    Image.new(mode, size, colour if mode == "RGB" else (*colour, 128)).save(out, format=fmt)
    return out.getvalue()


def upload(data, name="tee.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/png")


def test_a_picture_is_checked_by_its_content_and_re_encoded_with_a_thumbnail():
    jpeg = prepare(picture("JPEG", (2400, 1200)))
    assert jpeg.extension == "jpg" and (jpeg.width, jpeg.height) == (images.STORED_SIDE, 600)
    with Image.open(io.BytesIO(jpeg.thumb)) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) == images.THUMB_SIDE
    with_alpha = prepare(picture("WEBP", (64, 64), mode="RGBA"))
    assert with_alpha.extension == "png"  # transparency kept
    with Image.open(io.BytesIO(with_alpha.image)) as stored:
        assert stored.format == "PNG" and stored.mode == "RGBA"
    for data, says in [
        (b"", "empty"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a picture"),
        (b"GIF89a" + b"\0" * 40, "not a picture"),  # a picture's header, then nothing
        (picture("BMP", (40, 40)), "use PNG, JPEG, WebP or GIF"),
        (picture("PNG", (7000, 20)), "at most 6000 pixels a side"),
        (picture("PNG", (8, 8)), "at least 16 pixels"),
        (b"\x89PNG" + b"\0" * (images.MAX_BYTES + 1), "at most 5.0 MB"),
    ]:
        with pytest.raises(ImageRejected, match=says):
            prepare(data, name="tee.png")


def test_the_owner_uploads_replaces_and_removes_a_picture_on_the_sku_page(owner_client, media,
                                                                         django_capture_on_commit_callbacks):
    sku = SKUFactory(seller_sku="TEE-IMG")
    url = reverse("inventory:sku_image", args=[sku.pk])
    page = owner_client.get(reverse("inventory:sku_detail", args=[sku.pk])).content.decode()
    assert "No picture yet" in page and 'enctype="multipart/form-data"' in page
    assert "Upload picture" in owner_client.get(reverse("inventory:sku_edit", args=[sku.pk])).content.decode()

    response = owner_client.post(url, {"file": upload(picture()), "target": "sku", "action": "upload"})
    assert response.status_code == 302
    sku.refresh_from_db()
    first = (sku.image.name, sku.image_thumb.name)
    assert first[0].startswith("products/sku-") and all(default_storage.exists(name) for name in first)
    page = owner_client.get(reverse("inventory:sku_detail", args=[sku.pk])).content.decode()
    assert f'src="/media/{first[0]}"' in page and "Replace picture" in page

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(url, {"file": upload(picture("JPEG"), "tee.jpg"), "target": "sku", "action": "upload"})
    sku.refresh_from_db()
    assert sku.image.name.endswith(".jpg") and not default_storage.exists(first[0])  # the old files are gone

    bad = owner_client.post(url, {"file": upload(b"MZ\x90\x00 not a picture", "tee.png"), "target": "sku",
                                  "action": "upload"})
    assert bad.status_code == 400 and "is not a picture SellerHub can read" in bad.content.decode()
    kept = SKU.objects.get(pk=sku.pk).image.name
    assert kept == sku.image.name and len(list((media / "products").iterdir())) == 2  # nothing else stored

    with django_capture_on_commit_callbacks(execute=True):
        assert owner_client.post(url, {"target": "sku", "action": "remove"}).status_code == 302
    sku.refresh_from_db()
    assert not sku.image and not any((media / "products").iterdir())


def test_only_the_owner_may_change_pictures(client, warehouse_user, ops_user, owner_user):
    sku = SKUFactory(seller_sku="TEE-NO")
    url = reverse("inventory:sku_image", args=[sku.pk])
    for user in (warehouse_user, ops_user):
        client.force_login(user)
        assert client.post(url, {"file": upload(picture()), "target": "sku", "action": "upload"}).status_code == 403
        page = client.get(reverse("inventory:sku_detail", args=[sku.pk])).content.decode()
        assert "Upload picture" not in page
    client.logout()
    assert client.post(url, {"target": "sku", "action": "remove"}).status_code in (302, 403)
    assert not SKU.objects.get(pk=sku.pk).image


def test_a_sku_without_a_picture_shows_its_products_in_one_query(owner_client, django_assert_num_queries):
    product = Product.objects.create(name="Classic Tee")
    own, plain, bare = (SKUFactory(seller_sku=s, product=product) for s in ("T-OWN", "T-PLAIN", "T-BARE"))
    bare.product = None
    bare.save()
    image_services.set_sku_image(sku=own, data=picture())
    response = owner_client.post(reverse("inventory:sku_image", args=[plain.pk]),
                                 {"file": upload(picture(colour=(0, 0, 200))), "target": "product", "action": "upload"})
    assert response.status_code == 302
    product.refresh_from_db()
    with django_assert_num_queries(1):
        found = sku_images([own.pk, plain.pk, bare.pk])
    assert set(found) == {own.pk, plain.pk}
    assert not found[own.pk].from_product and found[plain.pk].from_product
    assert found[plain.pk].thumb_url == f"/media/{product.image_thumb.name}"
    page = owner_client.get(reverse("inventory:sku_detail", args=[plain.pk])).content.decode()
    assert "The picture of the product Classic Tee" in page
    # only_if_empty (imports) keeps a picture the SKU has
    assert image_services.set_sku_image(sku=own, data=picture(colour=(1, 2, 3)), only_if_empty=True) is False
    no_product = owner_client.post(reverse("inventory:sku_image", args=[bare.pk]),
                                   {"file": upload(picture()), "target": "product", "action": "upload"})
    assert no_product.status_code == 400 and "belongs to no product" in no_product.content.decode()
