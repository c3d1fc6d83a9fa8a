"""Printing many packages at once: merging PDFs of any source, ZPL streams for Zebra printers,
and batches interleaving each package's label with its packing slip."""

import io
import re

import pytest
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import RectangleObject

from devtools.emulators.documents import label_pdf as provider_label_pdf
from devtools.emulators.documents import label_zpl as provider_label_zpl
from documents import (
    BatchError,
    BatchItem,
    DocumentError,
    SlipLine,
    assemble_batch,
    concat_zpl,
    label_zpl,
    labels_zpl,
    merge_pdfs,
    packing_slip_zpl,
    render_label_pdf,
    render_labels_pdf,
    render_packing_slip_pdf,
)
from documents.zpl import HEIGHT, WIDTH, is_zpl
from tests.fulfilment.test_documents import (
    FOUR_BY_SIX,
    LETTER,
    UPS_NUMBER,
    USPS_NUMBER,
    assert_size,
    decode_pages,
    make_label,
    make_slip,
    page_texts,
    pdf_sizes,
)

FEDEX_NUMBER = "449044304137821"
EZ_NUMBER = "EZ4000000004"


@pytest.fixture(scope="module")
def own_label():
    return render_label_pdf(make_label())


@pytest.fixture(scope="module")
def provider_label():
    """A 4x6 label as the (emulated) label provider returns it: a hand-written PDF, Helvetica."""
    return provider_label_pdf(EZ_NUMBER, ["Avery Jones", "2250 Mission St", "San Francisco, CA 94110"])


def rotated(pdf, *, degrees=0, landscape=False):
    """The same PDF with its page turned by /Rotate, or laid out as a 6x4 landscape page."""
    writer = PdfWriter()
    page = writer.add_page(PdfReader(io.BytesIO(pdf)).pages[0])
    if landscape:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        page.add_transformation(Transformation().rotate(-90).translate(0, width))
        page.mediabox = RectangleObject([0, 0, height, width])
    if degrees:
        page.rotate(degrees)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Merging PDFs


def test_merging_three_pdfs_keeps_every_page_in_order(own_label, provider_label):
    usps = render_label_pdf(make_label(carrier="usps", tracking_number=USPS_NUMBER))
    merged = merge_pdfs([own_label, provider_label, usps])
    assert len(pdf_sizes(merged)) == 3
    assert decode_pages(merged, dpi=200) == [[UPS_NUMBER], [EZ_NUMBER], [USPS_NUMBER]]
    assert_size(merged, FOUR_BY_SIX)


def test_merging_keeps_multi_page_pdfs_whole(own_label):
    two = render_labels_pdf([make_label(), make_label(tracking_number=USPS_NUMBER, carrier="usps")])
    merged = merge_pdfs([two, own_label])
    assert decode_pages(merged, dpi=200) == [[UPS_NUMBER], [USPS_NUMBER], [UPS_NUMBER]]


def test_merging_as_is_keeps_other_page_sizes(own_label):
    letter = render_packing_slip_pdf(make_slip(), page_size="letter")
    assert pdf_sizes(merge_pdfs([own_label, letter])) == [FOUR_BY_SIX, LETTER]


def test_fitting_to_4x6_turns_a_landscape_label_and_shrinks_a_letter_page(own_label):
    landscape = rotated(own_label, landscape=True)
    assert pdf_sizes(landscape) == [(432, 288)]
    turned = rotated(own_label, degrees=90)  # shows as 6x4 through /Rotate
    letter = render_packing_slip_pdf(make_slip(), page_size="letter")
    merged = merge_pdfs([landscape, turned, letter, own_label], page_size="4x6")
    assert_size(merged, FOUR_BY_SIX, pages=4)
    codes = decode_pages(merged, dpi=300)
    assert codes[0] == [UPS_NUMBER] and codes[1] == [UPS_NUMBER] and codes[3] == [UPS_NUMBER]
    assert "Order TT-576461413" in page_texts(merged)[2]  # the letter page, scaled down whole


def test_merging_refuses_what_is_not_a_pdf_and_names_every_bad_input(own_label):
    with pytest.raises(DocumentError) as caught:
        merge_pdfs([own_label, b"^XA^FDhello^FS^XZ", b"%PDF-1.4 garbage", own_label])
    message = str(caught.value)
    assert "PDF 2 is not a PDF" in message
    assert "PDF 3 is damaged" in message
    with pytest.raises(DocumentError, match="no PDFs"):
        merge_pdfs([])


def test_merge_reports_progress(own_label):
    seen = []
    merge_pdfs([own_label] * 3, progress=lambda pct, msg: seen.append(pct))
    assert seen == sorted(seen) and seen[-1] == 100


# ---------------------------------------------------------------------------------------------
# ZPL


def test_label_zpl_is_one_4x6_label_with_the_tracking_number_in_its_barcode():
    zpl = label_zpl(make_label()).decode()
    assert zpl.startswith("^XA") and zpl.rstrip().endswith("^XZ")
    assert zpl.count("^XA") == zpl.count("^XZ") == 1
    assert f"^PW{WIDTH}" in zpl and f"^LL{HEIGHT}" in zpl and (WIDTH, HEIGHT) == (812, 1218)
    assert "^CI28" in zpl  # UTF-8 text
    barcode = re.search(r"\^FO(\d+),\d+\^BY(\d),3,\d+\^BC[^\^]*\^FD([^\^]*)\^FS", zpl)
    assert barcode is not None and barcode.group(3) == UPS_NUMBER
    x, module = int(barcode.group(1)), int(barcode.group(2))
    assert module >= 2 and x >= 10 * module  # a quiet zone of 10 modules at least
    for text in ("Avery Jones", "San Francisco, CA 94110", "TT-576461413", "UPS Ground", "SHIP TO"):
        assert text in zpl, text


def test_label_zpl_escapes_characters_zpl_would_take_as_commands():
    label = make_label(ship_to=make_label().ship_to.__class__(name="Ann ^XZ~JR_x", street1="1 Main St",
                                                                 city="Austin", state="TX", postal_code="78701"))
    zpl = label_zpl(label).decode()
    assert zpl.count("^XZ") == 1 and "~JR" not in zpl
    assert "Ann _5EXZ_7EJR_5Fx" in zpl


def test_label_zpl_without_tracking_number_carries_the_reference():
    zpl = label_zpl(make_label(tracking_number="", reference="SH-PKG-417", carrier="Metro Couriers")).decode()
    assert "^FDSH-PKG-417^FS" in zpl and "REFERENCE" in zpl


def test_packing_slip_zpl_spreads_long_slips_over_several_labels():
    short = packing_slip_zpl(make_slip()).decode()
    assert short.count("^XA") == 1 and "TSHIRT-M-BLU" in short and "RETURNS" in short
    lines = [SlipLine(f"SKU-{n:02d}", f"Item {n}", 1) for n in range(25)]
    long = packing_slip_zpl(make_slip(lines=lines)).decode()
    assert long.count("^XA") == long.count("^XZ") == 3
    assert all(f"SKU-{n:02d}" in long for n in range(25))
    assert "1 of 3" in long and "3 of 3" in long and long.count("RETURNS") == 1


def test_zpl_streams_concatenate_in_order():
    stream = concat_zpl([label_zpl(make_label()), provider_label_zpl(EZ_NUMBER),
                         labels_zpl([make_label(tracking_number=USPS_NUMBER, carrier="usps")])]).decode()
    numbers = re.findall(r"\^BC[^\^]*\^FD([^\^]*)\^FS", stream)
    assert numbers == [UPS_NUMBER, EZ_NUMBER, USPS_NUMBER]
    with pytest.raises(DocumentError, match="stream 2 is not ZPL"):
        concat_zpl([label_zpl(make_label()), b"%PDF-1.4"])
    assert not is_zpl(b"%PDF-1.7 ^XA ^XZ") and is_zpl(b"\n^xa^fdx^fs^xz\n")


# ---------------------------------------------------------------------------------------------
# Batches


def test_pdf_batch_interleaves_labels_and_slips_whatever_their_source(provider_label):
    long_slip = make_slip("1003", lines=[SlipLine(f"SKU-{n:02d}", f"Item {n}", 1) for n in range(40)])
    provider_slip = render_packing_slip_pdf(make_slip("1002"), page_size="4x6")
    items = [
        BatchItem(label=make_label(order_number="1001"), slip=make_slip("1001"), reference="order 1001"),
        BatchItem(label=provider_label, slip=provider_slip, reference="order 1002"),
        BatchItem(label=make_label(order_number="1003", tracking_number=USPS_NUMBER, carrier="usps"),
                  slip=long_slip, reference="order 1003"),
    ]
    seen = []
    result = assemble_batch(items, fmt="pdf", with_packing_slips=True, progress=lambda p, m: seen.append((p, m)))
    assert (result.fmt, result.content_type, result.extension, result.package_count) == (
        "pdf", "application/pdf", "pdf", 3)
    assert_size(result.content, FOUR_BY_SIX)
    texts = page_texts(result.content)
    assert result.page_count == len(texts) >= 7  # the 40-line slip takes more than one 4x6 page
    codes = decode_pages(result.content, dpi=200)
    # label 1001, its slip; provider label, slip 1002; label 1003, its slip (2+ pages)
    assert codes[0] == [UPS_NUMBER] and "Order 1001" in texts[1]
    assert codes[2] == [EZ_NUMBER] and "Order 1002" in texts[3]
    assert codes[4] == [USPS_NUMBER] and "Order 1003" in texts[5] and "SKU-39" in " ".join(texts[5:])
    percents = [p for p, _ in seen]
    assert percents == sorted(percents) and percents[-1] == 100
    assert seen[-1][1] == "3 packages ready to print"


def test_pdf_batch_without_slips_and_fitting_odd_sizes(own_label):
    landscape = rotated(own_label, landscape=True)
    result = assemble_batch([BatchItem(label=landscape, slip=b"ignored"), BatchItem(label=make_label())])
    assert result.page_count == 2
    assert_size(result.content, FOUR_BY_SIX)
    assert decode_pages(result.content, dpi=200) == [[UPS_NUMBER], [UPS_NUMBER]]


def test_zpl_batch_is_one_stream_label_then_slip():
    items = [
        BatchItem(label=make_label(order_number="1001"), slip=make_slip("1001")),
        BatchItem(label=provider_label_zpl(EZ_NUMBER), slip=packing_slip_zpl(make_slip("1002"))),
    ]
    result = assemble_batch(items, fmt="zpl", with_packing_slips=True)
    assert (result.content_type, result.extension, result.page_count) == ("application/zpl", "zpl", 4)
    stream = result.content.decode()
    blocks = re.findall(r"\^XA.*?\^XZ", stream, re.S)
    assert UPS_NUMBER in blocks[0] and "Order 1001" in blocks[1]
    assert EZ_NUMBER in blocks[2] and "Order 1002" in blocks[3]


def test_a_bad_batch_names_every_bad_item_and_produces_nothing(own_label):
    items = [
        BatchItem(label=own_label, slip=make_slip(), reference="order 1001"),
        BatchItem(label=b"not a label", slip=make_slip(), reference="order 1002"),
        BatchItem(label=make_label(), reference="order 1003"),  # no slip
        "a string",
    ]
    with pytest.raises(BatchError) as caught:
        assemble_batch(items, fmt="pdf", with_packing_slips=True)
    problems = caught.value.problems
    assert problems == [
        "item 2 (order 1002): the label is not a PDF (it starts with b'not a la')",
        "item 3 (order 1003): its packing slip is missing",
        "item 4 is a str, not a BatchItem",
    ]
    assert str(caught.value).startswith("3 items of the batch cannot be printed: ")


def test_a_zpl_batch_refuses_pdf_labels_and_a_pdf_batch_refuses_zpl(own_label):
    with pytest.raises(BatchError, match=r"item 1: the label is a PDF; a ZPL batch needs ZPL"):
        assemble_batch([BatchItem(label=own_label)], fmt="zpl")
    with pytest.raises(BatchError, match=r"item 1: the label is ZPL; a PDF batch needs a PDF"):
        assemble_batch([BatchItem(label=label_zpl(make_label()))], fmt="pdf")
    with pytest.raises(DocumentError, match="unknown batch format 'png'"):
        assemble_batch([BatchItem(label=own_label)], fmt="png")
    with pytest.raises(DocumentError, match="no packages"):
        assemble_batch([], fmt="pdf")


def test_a_label_whose_barcode_cannot_be_printed_is_refused_before_anything_renders():
    reference = "SH-" + "X7" * 30  # far too long for a scannable Code 128 on 4 inches
    items = [BatchItem(label=make_label()), BatchItem(label=make_label(tracking_number="", reference=reference),
                                                      reference="order 1002")]
    for fmt in ("pdf", "zpl"):
        with pytest.raises(BatchError) as caught:
            assemble_batch(items, fmt=fmt)
        assert caught.value.problems[0].startswith("item 2 (order 1002): the label's barcode: ")
        assert "too long" in caught.value.problems[0]
