"""QR codes as a phone reads them off the paper, and receipts cut to the roll.

Pages are rasterised by pdfium at 150 dpi and decoded with zxing-cpp; a decoded address must be
exactly ``kiosk.share.record_url`` of the record. Receipts are one page, the roll's width wide and
as tall as the Media the print queue will ask CUPS for.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pdfplumber
import pytest

from kiosk.share import record_url
from kiosk.terminal import Terminal
from printing.backend import A4
from printing.pdf import RenderedPdf
from printing.receipts import QuerySlip, RequestReceipt, SlipHeader, ThanksSlip, query_slip, request_receipt, thanks_slip
from printing.render import PrintContext, render_payments, render_query_slip, render_record
from tests.helpers.records import COUNTY, VILLAGE, make
from tests.printing.pdf_helpers import (
    A4_PORTRAIT,
    FIXED_NOW,
    MM,
    chars_text,
    decode_qr,
    demo_terminal_copy,
    page_images,
    page_sizes,
    page_texts,
    save_screenshot,
    squash,
)

DOCUMENT = "doc-9901-2024-0001"
FINANCE = "board-990121101201-2025Q4-finance"
PORTAL = "https://zwgk.xiyuan.example"  # the default share.portal_url
HEADER = SlipHeader("桃源村便民服务站自助终端", "2026-11-21 10:32")
TRACKING = "YSQ-2026-000123"
RECEIPT = RequestReceipt(TRACKING, "申请公开桃源村2026年道路硬化工程预算及招投标文件", "2026-11-21 10:32", "2026-12-19",
                         contact="0739-5212345", qr_url=f"{PORTAL}/r/{TRACKING}")
ROLL_POINTS = {80: 226.77, 58: 164.41}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrintContext]:
    with demo_terminal_copy(tmp_path_factory.mktemp("print-qr") / "terminal") as terminal:
        yield PrintContext.of(terminal, FIXED_NOW)


@pytest.fixture(scope="module")
def document_pdf(demo: PrintContext) -> RenderedPdf:
    return render_record(demo, DOCUMENT)


@pytest.fixture(scope="module")
def receipts(demo: PrintContext) -> dict[str, RenderedPdf]:
    made = {}
    for width in (80, 58):
        made[f"query_slip-{width}"] = render_query_slip(demo, DOCUMENT, width)
        made[f"request_receipt-{width}"] = request_receipt(demo.fonts, HEADER, RECEIPT, width)
        made[f"thanks_slip-{width}"] = thanks_slip(demo.fonts, HEADER, ThanksSlip(4, "政策文件查询"), width)
    return made


def qr_texts(pdf: RenderedPdf) -> list[str]:
    return decode_qr(page_images(pdf.data, pages=1)[0])


# ----------------------------------------------------------------------------- QR codes on A4


def test_document_qr_opens_the_record_on_the_portal(demo: PrintContext, document_pdf: RenderedPdf) -> None:
    url = record_url(DOCUMENT, demo.terminal.settings)
    assert url == f"{PORTAL}/r/{DOCUMENT}"
    (image,) = page_images(document_pdf.data, pages=1)
    assert decode_qr(image) == [url]
    save_screenshot(image, "document-page1.png")


def test_document_pages_are_a4_portrait(document_pdf: RenderedPdf) -> None:
    assert document_pdf.media == A4 and not document_pdf.media.is_receipt
    assert all(size == pytest.approx(A4_PORTRAIT, abs=0.5) for size in page_sizes(document_pdf.data))


def test_finance_board_qr_decodes_on_its_landscape_page(demo: PrintContext) -> None:
    pdf = render_record(demo, FINANCE)
    (image,) = page_images(pdf.data, pages=1)
    assert image.width > image.height
    assert decode_qr(image) == [f"{PORTAL}/r/{FINANCE}"]
    save_screenshot(image, "finance-board-page1.png")


def test_payment_list_page(demo: PrintContext) -> None:
    pdf = render_payments(demo, VILLAGE)
    (image,) = page_images(pdf.data, pages=1)
    assert image.width > image.height and decode_qr(image) == []  # a list is no record: nothing to link to
    save_screenshot(image, "payment-list-page1.png")


@pytest.fixture
def own(terminal: Terminal) -> Terminal:
    """A terminal of this test's own (settings change), holding a document whose id needs percent-encoding."""
    terminal.store.apply([make("region", VILLAGE), make("document", "doc:990121.2026-0001", region=COUNTY)])
    return terminal


def configure(terminal: Terminal, **values: str) -> PrintContext:
    for key, value in values.items():
        terminal.settings.set_local(key.replace("__", "."), value)
    terminal.reload_settings()
    return PrintContext.of(terminal, FIXED_NOW)


def test_the_record_id_is_percent_encoded_in_an_ascii_url(own: Terminal) -> None:
    context = configure(own, share__portal_url="https://zwgk.xiyuan.example/xxgk/")
    pdf = render_record(context, "doc:990121.2026-0001")
    assert qr_texts(pdf) == [record_url("doc:990121.2026-0001", own.settings)] == ["https://zwgk.xiyuan.example/xxgk/r/doc%3A990121.2026-0001"]


def test_no_qr_code_without_a_portal(own: Terminal) -> None:
    context = configure(own, share__portal_url="")
    pdf = render_record(context, "doc:990121.2026-0001")
    assert qr_texts(pdf) == []
    assert "扫码" not in squash("".join(page_texts(pdf.data)))  # nor the caption under it
    slip = render_query_slip(context, "doc:990121.2026-0001", 58)
    assert qr_texts(slip) == [] and "扫码" not in squash(page_texts(slip.data)[0])


def test_no_qr_code_to_an_origin_that_is_not_allowed(own: Terminal) -> None:
    context = configure(own, share__portal_url="https://evil.example", share__allowed_origins="https://zwgk.xiyuan.example")
    assert qr_texts(render_record(context, "doc:990121.2026-0001")) == []
    assert qr_texts(render_query_slip(context, "doc:990121.2026-0001", 80)) == []
    context = configure(own, share__allowed_origins="https://zwgk.xiyuan.example, https://EVIL.example")
    assert qr_texts(render_record(context, "doc:990121.2026-0001")) == ["https://evil.example/r/doc%3A990121.2026-0001"]


# ----------------------------------------------------------------------------- receipts


@pytest.mark.parametrize("width", [80, 58])
@pytest.mark.parametrize("kind", ["query_slip", "request_receipt", "thanks_slip"])
def test_a_receipt_is_one_page_the_width_of_the_roll(receipts: dict[str, RenderedPdf], kind: str, width: int) -> None:
    pdf = receipts[f"{kind}-{width}"]
    assert pdf.pages == 1 and pdf.media.is_receipt and pdf.media.width_mm == width
    (size,) = page_sizes(pdf.data)
    assert size[0] == pytest.approx(ROLL_POINTS[width], abs=0.5)
    assert size[1] == pytest.approx(pdf.media.height_mm * MM, abs=0.5)
    assert size != pytest.approx(A4_PORTRAIT, abs=1) and pdf.media.cups_media() == f"Custom.{width}x{pdf.media.height_mm:g}mm"
    with pdfplumber.open(io.BytesIO(pdf.data)) as opened:
        page = opened.pages[0]
        chars = page.chars
        assert chars and all(char["x0"] >= 0 and char["x1"] <= page.width and char["top"] >= 0 and char["bottom"] <= page.height for char in chars)
        # Measured from the content: the last line (打印于 …) sits just above the 4 mm margin and 6 mm tear-off
        # room, no blank paper fed (the measure adds spaceBefore that reportlab collapses: up to ~3 mm more).
        lowest = max(char["bottom"] for char in chars)
        assert 10 * MM <= page.height - lowest <= 15 * MM
        assert 4 * MM <= min(char["top"] for char in chars) <= 6 * MM
    assert squash(chars_text(chars)).endswith("打印于2026-11-2110:32")


@pytest.mark.parametrize("width", [80, 58])
def test_qr_codes_decode_from_receipts(demo: PrintContext, receipts: dict[str, RenderedPdf], width: int) -> None:
    slip_image = page_images(receipts[f"query_slip-{width}"].data)[0]
    assert decode_qr(slip_image) == [f"{PORTAL}/r/{DOCUMENT}"]
    assert decode_qr(page_images(receipts[f"request_receipt-{width}"].data)[0]) == [RECEIPT.qr_url]
    assert decode_qr(page_images(receipts[f"thanks_slip-{width}"].data)[0]) == []
    save_screenshot(slip_image, f"query-slip-{width}mm.png")
    save_screenshot(page_images(receipts[f"request_receipt-{width}"].data)[0], f"request-receipt-{width}mm.png")


@pytest.mark.parametrize("width", [80, 58])
def test_request_receipt_shows_the_tracking_number(receipts: dict[str, RenderedPdf], width: int) -> None:
    pdf = receipts[f"request_receipt-{width}"]
    text = squash(page_texts(pdf.data)[0])
    for piece in ("政府信息公开申请回执", "受理编号" + TRACKING, "申请内容：" + squash(RECEIPT.subject), "答复期限：2026-12-19前",
                  "联系电话：0739-5212345", "请妥善保管本回执"):
        assert piece in text
    with pdfplumber.open(io.BytesIO(pdf.data)) as opened:
        big = "".join(char["text"] for char in opened.pages[0].chars if char["size"] >= 14)
    assert big == TRACKING  # the number is the biggest thing on the slip


def test_query_slip_carries_the_documents_details(demo: PrintContext, receipts: dict[str, RenderedPdf]) -> None:
    doc = demo.terminal.store.get(DOCUMENT)
    assert doc is not None
    for width in (80, 58):
        text = squash(page_texts(receipts[f"query_slip-{width}"].data)[0])
        assert text.startswith("信息查询凭条" + HEADER.terminal_name + squash(doc["title"]) + doc["doc_number"])
        assert "有效性：现行有效" in text and "查找位置：本机“政策文件”" in text


def test_a_very_long_title_on_a_58mm_slip_is_one_page_with_all_its_text(demo: PrintContext) -> None:
    title = "溪源县人民政府办公室关于印发《溪源县2026年农村人居环境整治提升、高标准农田建设、特困人员救助供养和城乡居民基本养老保险" * 4
    title += "工作实施方案》的通知"
    slip = QuerySlip(title, "本机“政策文件”，或在“搜索”中输入标题首字母", ("溪政办发〔2026〕47号", "溪源县人民政府办公室 2026-11-20", "有效性：现行有效"),
                     f"{PORTAL}/r/doc-990121-2026-0047")
    short = query_slip(demo.fonts, HEADER, QuerySlip("短标题", slip.where, slip.detail_lines, slip.qr_url), 58)
    pdf = query_slip(demo.fonts, HEADER, slip, 58)
    assert pdf.pages == 1 and len(page_sizes(pdf.data)) == 1
    assert pdf.media.height_mm > short.media.height_mm + 60  # the slip grew with the title instead of clipping it
    text = squash(page_texts(pdf.data)[0])
    assert squash(title) in text and text.endswith("打印于2026-11-2110:32")
    assert decode_qr(page_images(pdf.data)[0]) == [slip.qr_url]
