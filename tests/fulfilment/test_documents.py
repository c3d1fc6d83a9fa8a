"""Fulfilment documents: SellerHub's own 4x6 label, packing slips, pick lists, manifests, and the
rendering underneath (page sizes, barcodes, the URL fetcher).

PDFs are checked the way a warehouse would notice: page sizes read back with pypdf, barcodes
rasterised with pypdfium2 and decoded with zxing-cpp, text extracted from the pages. No
database is needed: documents are built from plain dataclasses.
"""

import base64
import io
import shutil
import subprocess
from datetime import date, datetime

import pypdfium2 as pdfium
import pytest
import zxingcpp
from pypdf import PdfReader

from documents import (
    Address,
    BarcodeError,
    DocumentError,
    LabelData,
    ManifestData,
    ManifestPackage,
    PickItem,
    PickListData,
    SlipData,
    SlipLine,
    UnsafeURLError,
    code128,
    labels_html,
    render_label_pdf,
    render_labels_pdf,
    render_manifest_pdf,
    render_packing_slip_pdf,
    render_packing_slips_pdf,
    render_pdf,
    render_pick_list_pdf,
)
from documents.barcodes import DOT_MM, QUIET_MODULES
from documents.builders import LABEL_BARCODE_WIDTH_MM, label_context
from documents.data import format_weight
from documents.fetcher import SafeURLFetcher
from documents.render import BASE_URL, html_to_pdf

# Page sizes in points (1/72 in).
FOUR_BY_SIX = (288, 432)
LETTER = (612, 792)
A4 = (595, 842)

WAREHOUSE = Address(name="Shipping Dept", company="SellerHub Demo", street1="1200 S Figueroa St",
                    city="Los Angeles", state="CA", postal_code="90015", phone="+1 213 555 0100")
BUYER = Address(name="Avery Jones", company="Acme Corp", street1="2250 Mission St", street2="Apt 4",
                city="San Francisco", state="CA", postal_code="94110")
UPS_NUMBER = "1Z5R89390357567127"
USPS_NUMBER = "9400111201080805483016"


# ---------------------------------------------------------------------------------------------
# Helpers (also used by test_documents_batch.py)


def make_label(**overrides):
    fields = {
        "ship_from": WAREHOUSE, "ship_to": BUYER, "order_number": "TT-576461413", "carrier": "ups",
        "service": "UPS Ground", "tracking_number": UPS_NUMBER, "weight_grams": 575,
        "ship_date": date(2026, 3, 4),
    }
    fields.update(overrides)
    return LabelData(**fields)


def make_slip(order_number="TT-576461413", lines=None, **overrides):
    fields = {
        "order_number": order_number, "order_date": date(2026, 3, 2), "ship_to": BUYER, "ship_from": WAREHOUSE,
        "shop_name": "SellerHub Demo", "channel": "TikTok Shop",
        "lines": lines or [SlipLine("TSHIRT-M-BLU", "Organic cotton T-shirt", 2, "M / Blue"),
                           SlipLine("MUG-01", "Stoneware mug", 1)],
    }
    fields.update(overrides)
    return SlipData(**fields)


def pdf_sizes(pdf):
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(io.BytesIO(pdf)).pages]


def assert_size(pdf, expected, pages=None):
    sizes = pdf_sizes(pdf)
    if pages is not None:
        assert len(sizes) == pages, sizes
    for width, height in sizes:
        assert abs(width - expected[0]) <= 1 and abs(height - expected[1]) <= 1, sizes


def page_texts(pdf):
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def decode_pages(pdf, *, dpi=300, **render_options):
    """The Code 128 barcodes zxing-cpp reads on each page, rasterised at ``dpi``."""
    document = pdfium.PdfDocument(pdf)
    try:
        out = []
        for index in range(len(document)):
            image = document[index].render(scale=dpi / 72, **render_options).to_pil()
            out.append([r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)])
        return out
    finally:
        document.close()


# ---------------------------------------------------------------------------------------------
# SellerHub's own 4x6 label


@pytest.fixture(scope="module")
def label_pdf():
    return render_label_pdf(make_label(package_number=1, package_count=2))


def test_label_is_one_4x6_page(label_pdf):
    assert_size(label_pdf, FOUR_BY_SIX, pages=1)


def test_label_barcode_decodes_to_the_tracking_number(label_pdf):
    assert decode_pages(label_pdf, dpi=300) == [[UPS_NUMBER]]


def test_label_barcode_scans_at_thermal_printer_resolution(label_pdf):
    # A 203 dpi printer puts whole dots: rasterise at 203 dpi with no anti-aliasing at all.
    pages = decode_pages(label_pdf, dpi=203, grayscale=True, no_smoothpath=True, no_smoothtext=True,
                         no_smoothimage=True)
    assert pages == [[UPS_NUMBER]]


def test_label_barcode_has_whole_dot_modules_and_quiet_zones():
    context = label_context(make_label())
    barcode = context["barcode"]
    dots = barcode.module_mm / DOT_MM
    assert dots == int(dots) and dots >= 2  # whole 203-dpi dots, at least 10 mil
    assert barcode.width_mm <= LABEL_BARCODE_WIDTH_MM  # quiet zones included, inside the label's margins
    assert barcode.width_mm == pytest.approx((barcode.modules + 2 * QUIET_MODULES) * barcode.module_mm)
    assert barcode.height_mm >= 20
    # The quiet zone is part of the SVG: the first bar starts 10 modules in.
    assert 'd="M10 0h' in barcode.svg


def test_label_prints_what_the_carrier_and_the_warehouse_need(label_pdf):
    text = " ".join(page_texts(label_pdf)[0].split())
    for expected in ("From: Shipping Dept, SellerHub Demo", "1200 S Figueroa St", "Los Angeles, CA 90015",
                     "+1 213 555 0100", "SHIP TO", "Avery Jones", "Acme Corp", "2250 Mission St", "Apt 4",
                     "San Francisco, CA 94110", "UPS", "UPS Ground", "Order TT-576461413",
                     "Weight 1 lb 4.3 oz (575 g)", "Shipped Mar 4, 2026", "PKG 1 of 2", "TRACKING #", UPS_NUMBER):
        assert expected in text, expected


def test_label_without_tracking_number_carries_the_reference():
    pdf = render_label_pdf(make_label(carrier="Metro Couriers", service="Same day", tracking_number="",
                                      reference="SH-PKG-000417"))
    assert decode_pages(pdf) == [["SH-PKG-000417"]]
    text = page_texts(pdf)[0]
    assert "REFERENCE" in text and "Metro Couriers" in text


def test_a_long_address_never_pushes_the_label_onto_a_second_page():
    long = "Unit 12B, Building 7, Riverside Industrial Estate, North Wing, Loading Dock Entrance " * 3
    label = make_label(
        ship_to=Address(name="Dr. Maximiliana Featherstonehaugh-Wolfeschlegelsteinhausen " * 2, company=long,
                        street1=long, street2=long, city="Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch",
                        state="Gwynedd", postal_code="LL61 5UJ", country="GB"),
        carrier="Metro Couriers and Regional Express Logistics Partners International", service=long,
        package_number=3, package_count=12,
    )
    pdf = render_label_pdf(label)
    assert_size(pdf, FOUR_BY_SIX, pages=1)
    assert decode_pages(pdf) == [[UPS_NUMBER]]


def test_many_labels_render_as_one_pdf_one_page_each_in_order():
    numbers = [UPS_NUMBER, USPS_NUMBER, "SH-000003"]
    labels = [make_label(tracking_number=numbers[0]),
              make_label(carrier="usps", service="Priority Mail", tracking_number=numbers[1]),
              make_label(carrier="Metro Couriers", tracking_number="", reference=numbers[2])]
    pdf = render_labels_pdf(labels)
    assert_size(pdf, FOUR_BY_SIX, pages=3)
    assert decode_pages(pdf, dpi=200) == [[n] for n in numbers]
    # The static HTML of the batch is what the PDF is made from: one section per label.
    assert labels_html(labels).count('class="doc label"') == 3


def test_international_label_shows_the_country():
    pdf = render_label_pdf(make_label(ship_to=Address(name="Jean Tremblay", street1="1 Rue Sainte-Catherine",
                                                      city="Montreal", state="QC", postal_code="H2X 1K4",
                                                      country="ca")))
    assert "CA" in page_texts(pdf)[0].split()


def test_label_uses_the_system_font():
    fonts = subprocess.run(["fc-list"], capture_output=True, text=True).stdout if shutil.which("fc-list") else ""
    if "DejaVuSans" not in fonts.replace(" ", ""):
        pytest.skip("DejaVu fonts are not installed")
    page = PdfReader(io.BytesIO(render_label_pdf(make_label()))).pages[0]
    names = [str(font["/BaseFont"]) for font in page["/Resources"]["/Font"].values()]
    assert any("DejaVuSans" in name.replace("-", "") for name in names), names


def test_label_data_is_checked_when_made():
    with pytest.raises(DocumentError, match="tracking number or a reference"):
        make_label(tracking_number="", reference="")
    with pytest.raises(DocumentError, match="ship-to address is empty"):
        make_label(ship_to=Address())
    with pytest.raises(DocumentError, match="weight"):
        make_label(weight_grams=-5)
    with pytest.raises(DocumentError, match="package 3 of 2"):
        make_label(package_number=3, package_count=2)
    with pytest.raises(BarcodeError, match="printable ASCII"):
        render_label_pdf(make_label(tracking_number="1Z5R8939é"))


@pytest.mark.parametrize("grams, text", [
    (575, "1 lb 4.3 oz (575 g)"),
    (200, "7.1 oz (200 g)"),
    (1200, "2 lb 10.3 oz (1.20 kg)"),
    (453, "1 lb 0.0 oz (453 g)"),  # 15.98 oz rounds to a whole pound, never "16.0 oz"
])
def test_weight_as_labels_print_it(grams, text):
    assert format_weight(grams) == text


# ---------------------------------------------------------------------------------------------
# Barcodes


def test_code128_picks_the_widest_whole_dot_module_that_fits():
    assert code128(UPS_NUMBER).module_mm == 0.5
    assert code128(UPS_NUMBER, max_width_mm=80).module_mm == 0.375
    assert code128(UPS_NUMBER, max_width_mm=55).module_mm == 0.25
    narrow = code128(UPS_NUMBER, max_width_mm=45)  # below 2 dots: fitted, still >= 7.5 mil
    assert 0.19 <= narrow.module_mm < 0.25
    with pytest.raises(BarcodeError, match="too long"):
        code128(UPS_NUMBER, max_width_mm=20)
    with pytest.raises(BarcodeError, match="nothing"):
        code128("")


def test_code128_svg_is_one_path_and_escapes_its_label():
    svg = code128('A<"&>B').svg
    assert svg.count("<path") == 1 and "<rect" in svg
    assert 'aria-label="Code 128 barcode A&lt;&quot;&amp;&gt;B"' in svg


# ---------------------------------------------------------------------------------------------
# Packing slips


@pytest.mark.parametrize("page_size, expected", [("letter", LETTER), ("a4", A4), ("4x6", FOUR_BY_SIX)])
def test_packing_slip_page_sizes(page_size, expected):
    pdf = render_packing_slip_pdf(make_slip(), page_size=page_size)
    assert_size(pdf, expected, pages=1)
    text = " ".join(page_texts(pdf)[0].split())
    for expected_text in ("Order TT-576461413", "Mar 2, 2026", "Avery Jones", "TSHIRT-M-BLU", "Organic cotton T-shirt",
                          "M / Blue", "MUG-01", "Stoneware mug", "Returns".upper(), "Need to return something?"):
        assert expected_text in text, expected_text
    assert decode_pages(pdf, dpi=300)[0] == ["TT-576461413"]  # the packing station scans the order


def test_packing_slip_quantities_and_notes():
    slip = make_slip(note="Happy birthday, Sam!", return_note="Returns within 14 days to the address above.")
    text = " ".join(page_texts(render_packing_slip_pdf(slip))[0].split())
    assert "3 units" in text and "2 lines" in text
    assert "Happy birthday, Sam!" in text
    assert "Returns within 14 days to the address above." in text


def test_long_packing_slip_continues_and_each_slip_starts_a_page():
    lines = [SlipLine(f"SKU-{n:03d}", f"Item number {n}", 1 + n % 3) for n in range(60)]
    pdf = render_packing_slips_pdf([make_slip("1001", lines=lines), make_slip("1002")], page_size="letter")
    texts = page_texts(pdf)
    assert len(texts) >= 3
    assert "Order 1001" in texts[0] and "SKU-059" in " ".join(texts[1:-1])
    assert "Order 1002" in texts[-1] and "SKU-000" not in texts[-1]


def test_a_slip_whose_order_number_is_too_long_for_a_barcode_still_prints():
    number = "ORDER-" + "AB12" * 14
    for page_size in ("4x6", "letter"):
        pdf = render_packing_slip_pdf(make_slip(number), page_size=page_size)
        assert decode_pages(pdf, dpi=150) == [[]]
        text = page_texts(pdf)[0]
        assert number in "".join(text.split()) and "None" not in text


def test_packing_slip_logo_as_data_uri_and_static_file():
    png = base64.b64encode(bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cfc000000301010018dd8db0"
        "0000000049454e44ae426082")).decode()
    for logo in (f"data:image/png;base64,{png}", "/static/favicon.svg"):
        pdf = render_packing_slip_pdf(make_slip(logo=logo))
        assert_size(pdf, LETTER, pages=1)


# ---------------------------------------------------------------------------------------------
# Pick list


def make_pick_list():
    return PickListData(
        reference="PL-0042", created_at=datetime(2026, 3, 4, 9, 30), created_by="wh", warehouse="Main warehouse",
        items=[
            PickItem("1001", "TSHIRT-M-BLU", "Organic cotton T-shirt", 2, "A-10", 10, "0012345678905"),
            PickItem("1002", "TSHIRT-M-BLU", "Organic cotton T-shirt", 1, "A-10", 10),
            PickItem("1001", "MUG-01", "Stoneware mug", 1, "A-2", 2),
            PickItem("1003", "CAP-RED", "Red cap", 3, "", 0),
            PickItem("1003", "MUG-01", "Stoneware mug", 2, "A-2", 2),
            PickItem("1002", "POSTER", "Poster", 1, "B-1", 1),  # earlier on the walk than A-2
        ],
    )


def test_pick_list_groups_by_sku_and_bin_in_walking_order():
    groups = make_pick_list().groups()
    assert [(g.bin_code, g.sku, g.total) for g in groups] == [
        ("B-1", "POSTER", 1), ("A-2", "MUG-01", 3), ("A-10", "TSHIRT-M-BLU", 3), ("", "CAP-RED", 3)]
    assert groups[1].orders == (("1001", 1), ("1003", 2))
    assert groups[2].orders == (("1001", 2), ("1002", 1))
    assert groups[2].barcode == "0012345678905"


def test_bins_with_the_same_sequence_sort_naturally():
    items = [PickItem("1", "X", "x", 1, code, 0) for code in ("A-10", "A-9", "A-1")]
    assert [g.bin_code for g in PickListData(reference="P", items=items).groups()] == ["A-1", "A-9", "A-10"]


@pytest.mark.parametrize("page_size, expected", [("letter", LETTER), ("a4", A4)])
def test_pick_list_page_sizes_and_walking_order(page_size, expected):
    pdf = render_pick_list_pdf(make_pick_list(), page_size=page_size)
    assert_size(pdf, expected, pages=1)
    text = " ".join(page_texts(pdf)[0].split())
    positions = [text.index(code) for code in ("B-1", "A-2", "A-10", "no bin")]
    assert positions == sorted(positions)
    for expected_text in ("Pick list PL-0042", "3 orders", "10 units", "4 stops", "1001 × 1", "1003 × 2",
                          "1001 × 2", "1002 × 1", "Page 1 of 1"):
        assert expected_text in text, expected_text
    assert decode_pages(pdf, dpi=200)[0] == ["PL-0042"]


def test_long_pick_list_numbers_its_pages():
    items = [PickItem(f"{1000 + n}", f"SKU-{n:03d}", f"Item {n}", 1, f"A-{n}", n) for n in range(90)]
    pdf = render_pick_list_pdf(PickListData(reference="PL-9", items=items), page_size="a4")
    texts = page_texts(pdf)
    assert len(texts) >= 2
    assert f"Page 2 of {len(texts)}" in texts[1]
    assert_size(pdf, A4)


def test_pick_list_prints_on_sheets_only():
    with pytest.raises(DocumentError, match="Letter or A4"):
        render_pick_list_pdf(make_pick_list(), page_size="4x6")
    with pytest.raises(DocumentError, match="nothing to pick"):
        PickListData(reference="PL-1", items=[])


# ---------------------------------------------------------------------------------------------
# Handover manifest


def make_manifest(**overrides):
    fields = {
        "reference": "HO-20260304-UPS", "carrier": "ups", "ship_from": WAREHOUSE,
        "created_at": datetime(2026, 3, 4, 16, 0), "extra": {"Collection id": "7312554"},
        "packages": [ManifestPackage(UPS_NUMBER, "1001", "ups", "Ground", 575),
                     ManifestPackage(USPS_NUMBER, "1002", "usps", "Priority Mail", 1200)],
    }
    fields.update(overrides)
    return ManifestData(**fields)


@pytest.mark.parametrize("page_size, expected", [("letter", LETTER), ("a4", A4)])
def test_manifest_lists_each_package_with_a_scannable_barcode(page_size, expected):
    pdf = render_manifest_pdf(make_manifest(), page_size=page_size)
    assert_size(pdf, expected, pages=1)
    found = decode_pages(pdf, dpi=300)[0]
    assert sorted(found) == sorted(["HO-20260304-UPS", UPS_NUMBER, USPS_NUMBER])
    text = " ".join(page_texts(pdf)[0].split())
    for expected_text in ("Handover manifest", "7312554", "2 packages", "Received by (driver)", "USPS"):
        assert expected_text in text, expected_text


def test_manifest_refuses_a_package_listed_twice():
    with pytest.raises(DocumentError, match="listed twice"):
        make_manifest(packages=[ManifestPackage(UPS_NUMBER), ManifestPackage(UPS_NUMBER)])


# ---------------------------------------------------------------------------------------------
# Rendering: page sizes and the URL fetcher


def test_unknown_page_size_is_refused():
    with pytest.raises(DocumentError, match="unknown page size 'legal'"):
        render_packing_slip_pdf(make_slip(), page_size="legal")


def test_render_pdf_injects_the_page_size():
    for name, expected in (("4x6", FOUR_BY_SIX), ("letter", LETTER), ("a4", A4)):
        pdf = render_pdf("documents/packing_slip.html", {"slips": []}, page_size=name)
        assert_size(pdf, expected)


@pytest.mark.parametrize("url, reason", [
    ("file:///etc/passwd", "file://"),
    ("FILE:///etc/hostname", "file://"),
    ("http://127.0.0.1:9/logo.png", "network"),
    ("https://example.com/logo.png", "network"),
    ("ftp://example.com/logo.png", "only use the project's static files"),
    ("/etc/passwd", "only use the project's static files"),
    (BASE_URL + "media/labels/1.pdf", "only use the project's static files"),
    (BASE_URL + "static/../../sellerhub/settings.py", "leaves the static files"),
    (BASE_URL + "static/%2e%2e/%2e%2e/etc/passwd", "leaves the static files"),
])
def test_url_fetcher_refuses(url, reason):
    with pytest.raises(UnsafeURLError, match=reason):
        SafeURLFetcher().fetch(url)


def test_url_fetcher_serves_data_uris_and_static_files():
    fetcher = SafeURLFetcher()
    data = fetcher.fetch("data:text/plain;base64," + base64.b64encode(b"hello").decode())
    assert data.read() == b"hello"
    static = fetcher.fetch(BASE_URL + "static/favicon.svg")
    assert static.read().lstrip().startswith(b"<")
    assert static.content_type == "image/svg+xml"


@pytest.mark.parametrize("markup", [
    '<img src="file:///etc/passwd">',
    '<link rel="stylesheet" href="file:///etc/ssl/openssl.cnf">',
    '<div style="background: url(file:///etc/hostname)">x</div>',
    '<img src="http://127.0.0.1:9/track.png">',
    '<style>@import url("https://example.com/x.css");</style>',
    '<style>@font-face { font-family: X; src: url(file:///usr/share/fonts/truetype/dejavu/DejaVuSans.ttf) }'
    ' p { font-family: X }</style><p>x</p>',
    '<img src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 '
    'xmlns:xlink=%22http://www.w3.org/1999/xlink%22%3E%3Cimage xlink:href=%22file:///etc/passwd%22/%3E%3C/svg%3E">',
])
def test_a_document_reaching_outside_is_not_produced(markup):
    html = f"<html><head><style>@page {{ size: 4in 6in }}</style></head><body>{markup}</body></html>"
    with pytest.raises(UnsafeURLError, match="refused"):
        html_to_pdf(html)


def test_a_missing_static_file_stops_the_document():
    html = '<html><body><img src="/static/no/such/logo.png"></body></html>'
    with pytest.raises(DocumentError, match="static file not found: no/such/logo.png"):
        html_to_pdf(html)
