"""Every font in every PDF we make is embedded, and font loading fails clearly when there is none.

An unembedded font (reportlab's default Helvetica, its CID STSong-Light) is whatever the printer
substitutes: through CUPS that printed Latin letters and digits blank. poppler's ``pdffonts`` is
the judge here, as it is what a print filter sees.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas

from kiosk.terminal import Terminal
from printing import fonts as fonts_module
from printing.fonts import NoPrintFont, load_fonts
from printing.receipts import RequestReceipt, SlipHeader, ThanksSlip, request_receipt, thanks_slip
from printing.render import PrintContext, render_payments, render_query_slip, render_record
from tests.helpers.records import COUNTY, VILLAGE, make
from tests.printing.pdf_helpers import FIXED_NOW, FontRow, demo_terminal_copy, pdffonts

MICROHEI = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
ZENHEI = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
BABELSTONE = "/usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf"
OTF = "/usr/share/fonts/opentype/urw-base35/C059-Roman.otf"  # a CFF font reportlab cannot embed
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # a TrueType font without Chinese
HEADER = SlipHeader("桃源村便民服务站自助终端", "2026-11-21 10:32")
RARE_NAMES = "𬌗䶮𠮷堃喆"


def _first(terminal: Terminal, kind: str, **match: str) -> str:
    records = terminal.store.list_records(kind, terminal.scope(), limit=1000)
    return next(record["id"] for record in records if all(record.get(key) == value for key, value in match.items()))


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, bytes]]:
    """One PDF of every kind we print, each rendered once."""
    with demo_terminal_copy(tmp_path_factory.mktemp("print-fonts") / "terminal") as terminal:
        terminal.store.apply([make("document", "doc-rare-font", region=COUNTY, title="关于王𬌗明同志任职的公告", body="𠮷祥同志任职。")])
        context = PrintContext.of(terminal, FIXED_NOW)
        document = _first(terminal, "document")
        pdfs = {
            "document": render_record(context, document, with_interpretation=True).data,
            "document-repealed": render_record(context, _first(terminal, "document", validity="已废止")).data,
            "document-rare": render_record(context, "doc-rare-font").data,
            "board-party": render_record(context, _first(terminal, "board", board_type="party")).data,
            "board-village": render_record(context, _first(terminal, "board", board_type="village")).data,
            "board-finance": render_record(context, _first(terminal, "board", board_type="finance")).data,
            "subsidy_policy": render_record(context, _first(terminal, "subsidy_policy")).data,
            "service_guide": render_record(context, _first(terminal, "service_guide")).data,
            "notice": render_record(context, _first(terminal, "notice", priority="urgent")).data,
            "catalogue_item": render_record(context, _first(terminal, "catalogue_item")).data,
            "payments": render_payments(context, VILLAGE).data,
        }
        receipt = RequestReceipt("YSQ-2026-000123", "申请公开桃源村2026年道路硬化工程预算", "2026-11-21 10:32", "2026-12-19",
                                 contact="0739-5212345", qr_url="https://zwgk.xiyuan.example/r/YSQ-2026-000123")
        for width in (80, 58):
            pdfs[f"query_slip-{width}"] = render_query_slip(context, document, width).data
            pdfs[f"request_receipt-{width}"] = request_receipt(context.fonts, HEADER, receipt, width).data
            pdfs[f"thanks_slip-{width}"] = thanks_slip(context.fonts, HEADER, ThanksSlip(4, "政策文件查询"), width).data
        yield pdfs


KINDS = ["document", "document-repealed", "document-rare", "board-party", "board-village", "board-finance", "subsidy_policy",
         "service_guide", "notice", "catalogue_item", "payments",
         *(f"{receipt}-{width}" for receipt in ("query_slip", "request_receipt", "thanks_slip") for width in (80, 58))]


@pytest.mark.parametrize("kind", KINDS)
def test_every_font_is_embedded(made: dict[str, bytes], kind: str) -> None:
    rows = pdffonts(made[kind])
    assert rows, f"{kind}: no fonts at all?"
    bad = [row for row in rows if not row.embedded]
    assert not bad, f"{kind}: fonts not embedded: {bad}"
    assert not [row for row in rows if "helvetica" in row.name.lower() or "stsong" in row.name.lower()]
    assert all(row.type == "TrueType" and row.subset and row.unicode for row in rows), rows
    families = {row.name.split("+", 1)[1] for row in rows}
    # One font, plus the fallback that draws 𬌗 and 𠮷 where the record has them.
    assert len(families) == (2 if kind == "document-rare" else 1), families
    if kind == "document-rare" and Path(BABELSTONE).exists():
        assert "BabelStoneHan" in families


def test_the_pdffonts_parser_sees_an_unembedded_font() -> None:
    """The check above can fail: reportlab's default canvas font is a standard, unembedded Helvetica."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(100, 100, "Helvetica 123")
    canvas.save()
    assert pdffonts(buffer.getvalue()) == [FontRow("Helvetica", "Type 1", "WinAnsi", False, False, False)]


# ----------------------------------------------------------------------------- loading fonts


@pytest.fixture
def isolated_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh load cache (restored afterwards), so each test sees load_fonts run from the start."""
    monkeypatch.setattr(fonts_module, "_loaded", {})


@pytest.mark.usefixtures("isolated_loading")
def test_no_font_at_all_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts_module, "MAIN_CANDIDATES", (("/nonexistent/fonts/wqy-microhei.ttc", 0), ("C:/Windows/Fonts/msyh.ttc", 0)))
    with pytest.raises(NoPrintFont) as caught:
        load_fonts()
    message = str(caught.value)
    assert "/nonexistent/fonts/wqy-microhei.ttc" in message and "C:/Windows/Fonts/msyh.ttc" in message
    assert "fonts-wqy-microhei" in message and "printing.font_path" in message


@pytest.mark.usefixtures("isolated_loading")
@pytest.mark.parametrize(("configured", "reason"), [(OTF, "postscript outlines"), (DEJAVU, "has no Chinese characters"), ("garbage", "")])
def test_an_unusable_configured_font_is_named_in_the_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, configured: str, reason: str) -> None:
    if configured == "garbage":
        configured = str(tmp_path / "not-a-font.ttf")
        Path(configured).write_text("this is not a font " * 20, encoding="utf-8")
    elif not Path(configured).exists():
        pytest.skip(f"{configured} is not installed")
    monkeypatch.setattr(fonts_module, "MAIN_CANDIDATES", (("/nonexistent/wqy-microhei.ttc", 0),))
    with pytest.raises(NoPrintFont) as caught:
        load_fonts(configured)
    message = str(caught.value)
    assert configured in message and reason in message
    assert "CFF fonts (.otf) do not work" in message


@pytest.mark.usefixtures("isolated_loading")
@pytest.mark.parametrize("configured", [OTF, DEJAVU, "/nonexistent/simsun.ttc", "directory"])
def test_an_unusable_configured_font_falls_through_to_the_installed_one(tmp_path: Path, configured: str) -> None:
    if configured == "directory":
        configured = str(tmp_path)
    fonts = load_fonts(configured)
    assert fonts.main.path == MICROHEI
    assert fonts.main.draws("中")


@pytest.mark.usefixtures("isolated_loading")
def test_a_configured_chinese_font_comes_first() -> None:
    if not Path(ZENHEI).exists():
        pytest.skip("fonts-wqy-zenhei is not installed")
    fonts = load_fonts(ZENHEI)
    assert fonts.main.path == ZENHEI and fonts.name != load_fonts().name
    assert load_fonts(ZENHEI) is fonts  # loaded once per process


@pytest.mark.skipif(not Path(BABELSTONE).exists(), reason="fonts-babelstone-han is not installed")
def test_rare_name_characters_all_have_a_font() -> None:
    fonts = load_fonts()
    assert fonts.missing(RARE_NAMES) == set()
    assert fonts.face_for("𬌗") is not None and fonts.face_for("𬌗") is not fonts.main  # only the fallback has it
    assert fonts.face_for("堃") is fonts.main
    assert fonts.missing("王\U0010fffd明") == {"\U0010fffd"}  # a private-use code point no font draws
    assert fonts.markup("王𬌗明<b>") == '王<font name="KioskRare-BabelStoneHan-0">𬌗</font>明&lt;b&gt;'


def _truncated_font(tmp_path: Path) -> Path:
    """A font file cut short, as a copy interrupted by a power cut or a half-finished download leaves it."""
    if not Path(DEJAVU).exists():
        pytest.skip(f"{DEJAVU} is not installed")
    data = Path(DEJAVU).read_bytes()
    path = tmp_path / "half-copied.ttf"
    path.write_bytes(data[: len(data) // 2])
    return path


TRUNCATED_BUG = ("printing/fonts.py catches only (TTFError, OSError) around _register; reportlab raises struct.error "
                 "('unpack requires a buffer of 2 bytes') for a truncated font file, so it escapes load_fonts / PrintFonts._faces")


@pytest.mark.usefixtures("isolated_loading")
def test_a_truncated_configured_font_falls_through(tmp_path: Path) -> None:
    fonts = load_fonts(str(_truncated_font(tmp_path)))
    assert fonts.main.path == MICROHEI


@pytest.mark.usefixtures("isolated_loading")
@pytest.mark.skipif(not Path(BABELSTONE).exists(), reason="fonts-babelstone-han is not installed")
def test_a_truncated_fallback_font_is_skipped(tmp_path: Path) -> None:
    fonts = load_fonts("", str(_truncated_font(tmp_path)))
    assert fonts.missing(RARE_NAMES) == set()
    assert fonts.markup("王𬌗明") == '王<font name="KioskRare-BabelStoneHan-0">𬌗</font>明'


@pytest.mark.usefixtures("isolated_loading")
@pytest.mark.skipif(not Path(BABELSTONE).exists(), reason="fonts-babelstone-han is not installed")
def test_an_unreadable_fallback_font_is_skipped(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font at all")
    fonts = load_fonts("", str(broken))
    assert fonts.missing(RARE_NAMES) == set()
