"""Print batches render their own labels and slips in chunks on a process pool: the pages come
out in the batch's order, exactly as one process renders them."""

import io
from datetime import date

from pypdf import PdfReader

from documents import Address, BatchItem, LabelData, SlipData, SlipLine, assemble_batch, pool


def items(count):
    ship_from = Address(name="Shipping Dept", company="SellerHub Demo", street1="1200 S Figueroa St",
                        city="Los Angeles", state="CA", postal_code="90015")
    out = []
    for n in range(count):
        to = Address(name=f"Customer {n}", street1=f"{100 + n} Mission St", city="San Francisco", state="CA",
                     postal_code="94110")
        label = LabelData(ship_from=ship_from, ship_to=to, order_number=f"TT-{n:04d}", carrier="ups",
                          service="UPS Ground", tracking_number=f"1Z5R8939{n:010d}", weight_grams=300 + n,
                          ship_date=date(2026, 3, 4))
        slip = SlipData(order_number=f"TT-{n:04d}", order_date=date(2026, 3, 2), ship_to=to, ship_from=ship_from,
                        shop_name="SellerHub Demo", channel="TikTok Shop",
                        lines=[SlipLine(f"SKU-{n}-{k:02d}", f"Item {k}", 1 + k % 3)
                               for k in range(40 if n == 3 else 1)])
        out.append(BatchItem(label=label, slip=slip, reference=f"order TT-{n:04d}"))
    return out


def pages(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    return [(tuple(float(x) for x in page.mediabox), page.extract_text()) for page in reader.pages]


def test_pooled_batch_pages_match_one_process_in_order_and_content(settings):
    batch = items(6)
    settings.LABEL_RENDER_PROCESSES = "1"
    single = assemble_batch(batch, fmt="pdf", with_packing_slips=True)
    assert pool.last_peaks == []  # one process, no pool
    settings.LABEL_RENDER_PROCESSES, settings.LABEL_RENDER_CHUNK = "2", 2  # 3 chunks of labels, 3 of slips
    pooled = assemble_batch(batch, fmt="pdf", with_packing_slips=True)
    assert pool.last_peaks  # rendered by pool processes
    assert pooled.page_count == single.page_count >= 13  # slip of TT-0003 runs over two pages
    assert pages(pooled.content) == pages(single.content)
    texts = [text for _box, text in pages(pooled.content)]
    # label, slip, label, slip... in the batch's order
    assert "TT-0000" in texts[0] and "Customer 5" in texts[-2] and "Order TT-0005" in texts[-1]


def test_pool_off_or_single_chunk_renders_in_this_process(settings):
    settings.LABEL_RENDER_PROCESSES = "0"
    assert pool.pool_size() == 1
    settings.LABEL_RENDER_PROCESSES, settings.LABEL_RENDER_CHUNK = "2", 50
    result = assemble_batch(items(2), fmt="pdf")
    assert result.page_count == 2 and pool.last_peaks == []
