"""Our own PDFs read back as the records they were made from (pdfplumber on real reportlab output).

Line wrapping inserts newlines (and pdfplumber spaces), so texts are compared with all whitespace
removed; the footer of every page is checked and dropped before pages are joined, so a paragraph
that runs onto the next page still reads as one.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pdfplumber
import pytest

from kiosk.clock import fixed_clock
from kiosk.terminal import Terminal
from printing.pdf import A4_MARGIN, RenderedPdf, content_width
from printing.render import PrintContext, render_payments, render_record
from printing.stories import QR_CAPTION, QR_SIZE
from tests.helpers.records import COUNTY, VILLAGE, make
from tests.printing.pdf_helpers import FIXED_NOW, chars_text, demo_terminal_copy, page_sizes, page_texts, pdffonts, squash

DOCUMENT = "doc-9901-2024-0001"  # 青川市…“村晚”活动的实施意见: several pages with its interpretation (3 Q&A)
REPEALED = "doc-990121-2024-0002"  # 已废止, with a note naming the replacing document
EXPIRED = "doc-990121-2024-0012"  # 已失效
FINANCE = "board-990121101201-2025Q4-finance"  # closes at 286,491.85; its ledger runs onto a second page
PARTY = "board-990121101201-2025Q4-party"
TERMINAL_NAME = "桃源村便民服务站自助终端"
FOOTER = re.compile(r"^(?P<left>.*?) ?第 (?P<number>\d+) / (?P<total>\d+) 页 ?打印于 (?P<printed>\S+ \S+) · 内容截至 (?P<updated>\S+)$")
MARK_RED = (0.701961, 0.14902, 0.117647)  # printing.layout.MARK_RED (#B3261E)


def yuan(fen: int) -> str:
    """The money format of printed tables, written out here rather than taken from the code under test."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100:,}.{abs(fen) % 100:02d}"


def body_of(pdf: RenderedPdf, updated: str) -> str:
    """All pages' text, squashed, after checking that each page ends with its own footer."""
    texts = page_texts(pdf.data)
    assert len(texts) == pdf.pages
    bodies = []
    for number, text in enumerate(texts, 1):
        *lines, last = text.splitlines()
        footer = FOOTER.match(last)
        assert footer, f"page {number} does not end with the footer: {last!r}"
        assert (footer["left"], int(footer["number"]), int(footer["total"])) == (TERMINAL_NAME, number, pdf.pages)
        assert (footer["printed"], footer["updated"]) == ("2026-11-21 10:32", updated)
        bodies.append("\n".join(lines))
    return squash("\n".join(bodies))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrintContext]:
    with demo_terminal_copy(tmp_path_factory.mktemp("print-text") / "terminal") as terminal:
        yield PrintContext.of(terminal, FIXED_NOW)


@pytest.fixture(scope="module")
def updated(demo: PrintContext) -> str:
    """The day of the newest record's updated_at, in the terminal's time zone (the stamp may carry any offset)."""
    stamp = dt.datetime.fromisoformat(demo.terminal.store.meta("content_updated_at"))
    return stamp.astimezone(ZoneInfo(demo.terminal.settings["terminal.timezone"])).date().isoformat()


@pytest.fixture(scope="module")
def document_pdf(demo: PrintContext) -> RenderedPdf:
    return render_record(demo, DOCUMENT, with_interpretation=True)


@pytest.fixture(scope="module")
def finance_pdf(demo: PrintContext) -> RenderedPdf:
    return render_record(demo, FINANCE)


@pytest.fixture(scope="module")
def payments_pdf(demo: PrintContext) -> RenderedPdf:
    return render_payments(demo, VILLAGE)


# ----------------------------------------------------------------------------- a document


def test_document_text_equals_its_record(demo: PrintContext, document_pdf: RenderedPdf, updated: str) -> None:
    doc = demo.terminal.store.get(DOCUMENT)
    assert doc is not None and len(doc["interpretation"]["qa"]) == 3
    text = body_of(document_pdf, updated)
    expected = [doc["doc_number"], doc["issuer"], doc["topic"], doc["published_date"]]
    expected += [squash(line) for line in doc["body"].splitlines() if line.strip()]
    interpretation = doc["interpretation"]
    expected += ["政策解读：" + squash(interpretation["title"]), "解读发布日期：" + interpretation["published_date"]]
    expected += [squash(line) for line in interpretation["text"].splitlines() if line.strip()]
    expected += [squash("问：" + pair["q"] + "答：" + pair["a"]) for pair in interpretation["qa"]]
    expected += ["解读人：" + interpretation["interpreter"] + "联系电话：" + interpretation["interpreter_phone"]]
    missing = [piece for piece in expected if piece not in text]
    assert not missing, f"not in the PDF text: {missing}"
    # The paragraphs come in the record's order.
    paragraphs = [squash(line) for line in doc["body"].splitlines() if line.strip()]
    position = 0
    for piece in paragraphs:
        position = text.index(piece, position) + len(piece)  # raises ValueError when out of order


def test_document_title_reads_whole_beside_the_qr_code(document_pdf: RenderedPdf, demo: PrintContext) -> None:
    """The title shares a row with the QR block; read only the column left of it so the caption cannot interleave."""
    doc = demo.terminal.store.get(DOCUMENT)
    assert doc is not None
    left_column_end = A4_MARGIN + 6 + content_width() - (QR_SIZE + 8 * 72 / 25.4)
    with pdfplumber.open(io.BytesIO(document_pdf.data)) as pdf:
        page = pdf.pages[0]
        left = squash(chars_text([char for char in page.chars if char["x1"] <= left_column_end]))
        right = squash(chars_text([char for char in page.chars if char["x0"] >= left_column_end and char["top"] < page.height / 3]))
    assert left.startswith(squash(doc["title"]) + doc["doc_number"])
    assert right == squash(QR_CAPTION)
    assert document_pdf.title == doc["title"]


def test_document_without_interpretation_leaves_it_out(demo: PrintContext, updated: str) -> None:
    plain = body_of(render_record(demo, DOCUMENT), updated)
    assert "政策解读" not in plain and "问：" not in plain
    assert squash(demo.terminal.store.get(DOCUMENT)["body"].splitlines()[-1]) in plain


@pytest.mark.parametrize("record_id", [REPEALED, EXPIRED])
def test_a_repealed_document_carries_the_red_mark_and_the_note(demo: PrintContext, record_id: str, updated: str) -> None:
    doc = demo.terminal.store.get(record_id)
    assert doc is not None and doc["validity"] in ("已废止", "已失效") and doc["validity_note"]
    pdf = render_record(demo, record_id)
    text = body_of(pdf, updated)
    assert squash(doc["validity_note"]) in text
    with pdfplumber.open(io.BytesIO(pdf.data)) as opened:
        chars = opened.pages[0].chars
    red = "".join(char["text"] for char in chars if char["non_stroking_color"] == pytest.approx(MARK_RED, abs=1e-3))
    stamp = "".join(char["text"] for char in chars if char["size"] > 20.5)
    assert stamp == doc["validity"]  # the boxed mark, drawn larger than the title
    assert red.startswith(doc["validity"] + squash(doc["validity_note"]))


def test_a_repealed_document_says_so_on_every_printed_page(demo: PrintContext) -> None:
    """Issue 15 item 7: the stamp was on page 1 only; a second sheet read on its own looked like a rule in force."""
    doc = demo.terminal.store.get(REPEALED)
    pdf = render_record(demo, REPEALED, with_interpretation=True)
    assert pdf.pages >= 2
    with pdfplumber.open(io.BytesIO(pdf.data)) as opened:
        for page in opened.pages[1:]:
            red = "".join(char["text"] for char in page.chars if char["non_stroking_color"] == pytest.approx(MARK_RED, abs=1e-3))
            assert red == doc["validity"], page.page_number
            assert min(char["top"] for char in page.chars if char["text"] in red) < 60  # at the top of the page


def test_a_current_document_has_no_mark(document_pdf: RenderedPdf) -> None:
    with pdfplumber.open(io.BytesIO(document_pdf.data)) as opened:
        chars = opened.pages[0].chars
        later = [char for page in opened.pages[1:] for char in page.chars]
    assert not [char["text"] for char in chars if char["size"] > 20.5]
    assert not [char["text"] for char in chars + later if char["non_stroking_color"] == pytest.approx(MARK_RED, abs=1e-3)]


def test_document_pages_are_portrait_a4(document_pdf: RenderedPdf) -> None:
    assert document_pdf.pages >= 3 and not document_pdf.landscape  # body and interpretation run over pages
    assert all(size == pytest.approx((595.28, 841.89), abs=0.5) for size in page_sizes(document_pdf.data))


# ----------------------------------------------------------------------------- boards


def test_finance_board_is_landscape_with_its_totals_and_every_line(demo: PrintContext, finance_pdf: RenderedPdf, updated: str) -> None:
    board = demo.terminal.store.get(FINANCE)
    assert board is not None
    assert finance_pdf.landscape and finance_pdf.pages >= 2  # 18 ledger lines do not fit one landscape page
    assert all(size == pytest.approx((841.89, 595.28), abs=0.5) for size in page_sizes(finance_pdf.data))
    text = body_of(finance_pdf, updated)
    income = sum(line["amount_fen"] for line in board["lines"] if line["direction"] == "income")
    expense = sum(line["amount_fen"] for line in board["lines"] if line["direction"] == "expense")
    opening, closing = board["opening_balance_fen"], board["closing_balance_fen"]
    assert opening + income - expense == closing
    assert yuan(closing) == "286,491.85"
    assert "期初余额（元）本期收入（元）本期支出（元）期末余额（元）" + yuan(opening) + yuan(income) + yuan(expense) + yuan(closing) in text
    assert "本期合计" + yuan(income) + yuan(expense) + "期末余额" + yuan(closing) in text
    balance = opening
    for line in board["lines"]:
        balance += line["amount_fen"] if line["direction"] == "income" else -line["amount_fen"]
        row = line["date"] + squash(line["category"]) + squash(line["summary"]) + line.get("voucher", "")
        row += yuan(line["amount_fen"]) + yuan(balance)
        assert row in text, f"ledger row {row} not printed"
    for section in board["sections"]:
        assert squash(section["heading"]) + squash(section["body"]) in text
    # The table header repeats on the second page.
    assert squash(page_texts(finance_pdf.data)[1]).startswith("日期收支类别摘要凭证号收入（元）支出（元）余额（元）")


def test_party_board_prints_its_sections(demo: PrintContext, updated: str) -> None:
    board = demo.terminal.store.get(PARTY)
    assert board is not None and board["sections"]
    pdf = render_record(demo, PARTY)
    assert not pdf.landscape
    text = body_of(pdf, updated)
    assert text.startswith(squash(board["title"]))
    for section in board["sections"]:
        assert squash(section["heading"]) in text
        assert all(squash(line) in text for line in section["body"].splitlines() if line.strip())


# ----------------------------------------------------------------------------- payment list


def test_payment_list_totals_keep_paid_and_pending_apart(demo: PrintContext, payments_pdf: RenderedPdf, updated: str) -> None:
    """已发放 and 待发放 are two sums (issue 15 item 3): the old single 合计 added a pending ¥1,176 to the money paid."""
    stored = demo.terminal.store.list_records("subsidy_payment", [VILLAGE], limit=100_000)
    assert len(stored) == 46
    paid = [record for record in stored if record["status"] == "已发放"]
    pending = [record for record in stored if record["status"] == "待发放"]
    assert pending and paid and len(paid) + len(pending) == len(stored)  # the demo village has pending lines and no 退回
    paid_fen, pending_fen = sum(r["amount_fen"] for r in paid), sum(r["amount_fen"] for r in pending)
    assert payments_pdf.landscape and payments_pdf.pages >= 2
    assert all(size == pytest.approx((841.89, 595.28), abs=0.5) for size in page_sizes(payments_pdf.data))
    text = body_of(payments_pdf, updated)
    assert f"共{len(stored)}笔已发放{len(paid)}笔{yuan(paid_fen)}元待发放{len(pending)}笔{yuan(pending_fen)}元" in text
    assert yuan(paid_fen + pending_fen) not in text  # nowhere is pending money added to paid money
    rows = []
    with pdfplumber.open(io.BytesIO(payments_pdf.data)) as pdf:
        for page in pdf.pages:
            (table,) = page.extract_tables()
            assert table[0] == ["序号", "姓名", "补贴项目", "数量", "金额（元）", "期间", "发放日期", "状态", "备注"]
            rows += table[1:]
    numbered, totals = rows[:-2], rows[-2:]
    assert [row[0] for row in numbered] == [str(number) for number in range(1, len(stored) + 1)]
    assert sum(int(row[4].replace(",", "").replace(".", "")) for row in numbered if row[7] == "已发放") == paid_fen
    assert [row[1:5] for row in totals] == [["已发放合计", "", f"{len(paid)} 笔", yuan(paid_fen)],
                                            ["待发放合计", "", f"{len(pending)} 笔", yuan(pending_fen)]]
    assert sorted(row[1] for row in numbered) == sorted(record["recipient"] for record in stored)
    assert all("*" in row[1] for row in numbered)  # names are printed masked


# ----------------------------------------------------------------------------- rare characters

RARE_DOC = "doc-rare-1"
RARE_BOARD = "board-rare-party"


@pytest.fixture(scope="module")
def rare(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrintContext]:
    """A store whose names carry characters beyond U+FFFF that the main font lacks (𬌗 U+2C317, 𠮷 U+20BB7)."""
    with Terminal(Path(tmp_path_factory.mktemp("print-rare")) / "terminal", fixed_clock(FIXED_NOW)) as terminal:
        terminal.store.apply([
            make("region", VILLAGE),
            make("document", RARE_DOC, region=COUNTY, title="关于王𬌗明同志任职的公告", doc_number="溪组〔2026〕7号",
                 body="经研究决定：\n王𬌗明同志任桃源村村务监督委员会主任。\n𠮷祥同志不再担任该职务。"),
            make("board", RARE_BOARD, board_type="party", title="桃源村2026年第一季度党务公开", frequency="每季度",
                 sections=[{"heading": "发展党员", "body": "确定王𬌗明为发展对象。"}]),
            make("subsidy_payment", "pay-rare-1", recipient="𬌗小明", amount_fen=62400),
            make("subsidy_payment", "pay-rare-2", recipient="王小𬌗", amount_fen=10050),
            make("subsidy_payment", "pay-rare-3", recipient="𠮷大成", amount_fen=30001),
        ])
        yield PrintContext.of(terminal, FIXED_NOW)


def _content_day(terminal: Terminal) -> str:
    stamp = dt.datetime.fromisoformat(terminal.store.meta("content_updated_at"))
    return stamp.astimezone(ZoneInfo(terminal.settings["terminal.timezone"])).date().isoformat()


def test_rare_characters_extract_exactly_from_document_and_board(rare: PrintContext) -> None:
    updated = _content_day(rare.terminal)
    document = render_record(rare, RARE_DOC)
    text = body_of(document, updated)
    assert text.startswith("关于王𬌗明同志任职的公告")
    assert "王𬌗明同志任桃源村村务监督委员会主任。" in text and "𠮷祥同志不再担任该职务。" in text
    assert text.count("𬌗") == 2 and "\ufffd" not in text
    board = body_of(render_record(rare, RARE_BOARD), updated)
    assert "发展党员确定王𬌗明为发展对象。" in board
    # The rare characters are drawn in an embedded fallback font, not left as empty boxes.
    assert len({row.name.split("+", 1)[-1] for row in pdffonts(document.data)}) == 2


def test_rare_characters_survive_in_masked_payment_names(rare: PrintContext) -> None:
    updated = _content_day(rare.terminal)
    pdf = render_payments(rare, VILLAGE)
    text = body_of(pdf, updated)
    for masked in ("𬌗*明", "王*𬌗", "𠮷*成"):
        assert masked in text
    assert text.endswith("已发放合计3笔" + yuan(62400 + 10050 + 30001) + "待发放合计0笔0.00")
    assert "小" not in text and "大" not in text  # the hidden middle characters


def test_the_printed_date_is_the_contents_own_in_the_terminals_time_zone(terminal: Terminal) -> None:
    """Content as of 01:00 China time on the 21st (written by a computer set to UTC), imported days later: the page
    says 内容截至 2026-11-21, the content's date on the China calendar, not the day this terminal imported it (issue 15
    item 3; before, the footer said 数据更新于 and the import day)."""
    terminal.store.apply([make("region", VILLAGE), make("document", "doc-tz", region=COUNTY, updated_at="2026-11-20T17:00:00+00:00")])
    terminal.store.set_meta("data_changed_at", "2026-11-25T09:00:00+08:00")  # imported four days later
    assert terminal.store.meta("content_updated_at") == "2026-11-20T17:00:00+00:00"
    pdf = render_record(PrintContext.of(terminal, FIXED_NOW), "doc-tz")
    assert page_texts(pdf.data)[0].splitlines()[-1].endswith("打印于 2026-11-21 10:32 · 内容截至 2026-11-21")


LONG_NAME_BUG = ("printing/pdf.py draw_footer draws the terminal name, the page number and the print time on one baseline "
                 "without measuring them: a terminal.name of 26+ characters runs into 第 x / y 页")


def test_a_long_terminal_name_does_not_run_into_the_page_number(terminal: Terminal) -> None:
    terminal.store.apply([make("region", VILLAGE), make("document", "doc-name", region=COUNTY)])
    terminal.settings.set_local("terminal.name", "溪源县溪源镇桃源村党群服务中心政务公开专区自助查询一体机")
    terminal.reload_settings()
    pdf = render_record(PrintContext.of(terminal, FIXED_NOW), "doc-name")
    with pdfplumber.open(io.BytesIO(pdf.data)) as opened:
        chars = opened.pages[0].chars
    baseline = min(char["matrix"][5] for char in chars)  # the footer is the lowest line
    footer = sorted((char for char in chars if abs(char["matrix"][5] - baseline) < 0.5), key=lambda char: char["x0"])
    assert all(following["x0"] >= previous["x1"] - 0.5 for previous, following in itertools.pairwise(footer)), chars_text(footer)
    text = squash(chars_text(footer))
    assert text.startswith("溪源县溪源镇") and "第1/1页" in text  # the name (shortened if need be) and the page number


def test_a_heading_is_never_cut_or_left_alone_at_a_page_break(demo: PrintContext) -> None:
    """Issue 15 item 7: push a two-line heading down the page one filler line at a time; wherever the break falls, the
    heading's lines and the first line of its paragraph are on one page (before: the heading split, or stood alone)."""
    from printing.layout import A4_SIZES, Styles
    from printing.pdf import Footer, a4_pdf

    styles = Styles(demo.fonts, A4_SIZES)
    heading = "第九章　关于农村集体经济组织成员资格认定、集体资产股份量化与收益分配的若干具体规定和实施细则"
    for fillers in range(30, 62):  # around the foot of page 1, a line at a time
        story = [styles.para(f"填充第{n}行。", styles.plain) for n in range(fillers)]
        story += [styles.para(heading, styles.heading), styles.para("本章正文的第一句。" * 3, styles.body)]
        pdf = a4_pdf(demo.fonts, story, title="t", footer=Footer("终端", "右"))
        texts = [squash(text) for text in page_texts(pdf.data)]
        holding = [number for number, text in enumerate(texts) if "第九章" in text or "实施细则" in text]
        assert len(holding) == 1, (fillers, holding)  # the heading is whole on one page
        assert squash(heading) in texts[holding[0]] and "本章正文的第一句" in texts[holding[0]], fillers
