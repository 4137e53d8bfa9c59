"""Chinese line breaking (禁则): our ``line_spans`` and the two reportlab entry points that use it.

The rules are written out here independently of the code under test: a line never starts with a
closing mark (CANNOT_START), never ends with an opening mark (CANNOT_END), and never splits a run
of ASCII letters and digits. Widths are real: ``stringWidth`` in the registered main font.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from printing.fonts import PrintFonts, load_fonts
from printing.layout import A4_SIZES, RECEIPT_SIZES, Styles
from printing.pdf import content_width
from printing.reportlab_fixes import CANNOT_END, CANNOT_START, MAX_HANG, MAX_PUSH_BACK, line_spans, word_split

SIZE = 12.0
FUZZ = 1e-6
CJK = "政府信息公开补贴发放名单村务财务党务农民养老医疗保障"
CLOSING = "，。、；：？！）》」”’…"
OPENING = "（《“「"
LETTERS = "abcdefgkmwxyzABCMWXY"
DIGITS = "0123456789"

FONTS: PrintFonts = load_fonts()


def width_of(char: str, size: float = SIZE) -> float:
    return stringWidth(char, FONTS.name, size)


def latin(char: str) -> bool:
    """Part of a Latin word or a number such as 0739-5225267, 14:30 or 2.5 (never split)."""
    return char.isascii() and (char.isalnum() or char in "-:./")


def allowed(text: str, at: int) -> bool:
    """May a line break before ``text[at]``? (The rules, written independently of reportlab_fixes.)"""
    before, after = text[at - 1], text[at]
    return after not in CANNOT_START and before not in CANNOT_END and not (latin(before) and latin(after))


def longest_cluster(text: str) -> int:
    """Length of the longest run of characters with no allowed break inside it."""
    longest = run = 1
    for at in range(1, len(text)):
        run = 1 if allowed(text, at) else run + 1
        longest = max(longest, run)
    return longest


def spans_of(text: str, max_widths: Sequence[float]) -> list[tuple[int, int]]:
    return line_spans(list(text), [width_of(char) for char in text], list(max_widths))


def line_width(text: str, start: int, end: int) -> float:
    return sum(width_of(char) for char in text[start:end])


def check_common(text: str, spans: list[tuple[int, int]], max_widths: Sequence[float]) -> None:
    """What holds at any width: text kept in order, no empty line, every line fits unless a mark hangs."""
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(end > start for start, end in spans)
    assert all(previous[1] == following[0] for previous, following in itertools.pairwise(spans))
    for number, (start, end) in enumerate(spans):
        limit = max_widths[min(number, len(max_widths) - 1)] + FUZZ
        if line_width(text, start, end) <= limit or end - start == 1:
            continue
        # Only closing marks may stick out, at most MAX_HANG of them, hanging in the margin after a line that
        # fits (or after one character wider than the line, which has to go somewhere).
        hanging = min(trailing_marks(text, start, end), MAX_HANG)
        assert hanging >= 1, (text[start:end], limit)
        assert line_width(text, start, end - hanging) <= limit or end - hanging - start == 1, (text[start:end], limit)


def trailing_marks(text: str, start: int, end: int) -> int:
    count = 0
    while end - count > start and text[end - count - 1] in CANNOT_START:
        count += 1
    return count


# ----------------------------------------------------------------------------- properties

phrase_core = st.one_of(
    st.text(alphabet=CJK, min_size=1, max_size=8),
    st.text(alphabet=LETTERS, min_size=1, max_size=4),
    st.text(alphabet=DIGITS, min_size=1, max_size=4),
)
phrase = st.tuples(st.text(alphabet=OPENING, max_size=2), phrase_core, st.text(alphabet=CLOSING, max_size=2)).map("".join)
ordinary_text = st.lists(phrase, min_size=1, max_size=12).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(text=ordinary_text, ems=st.floats(8, 40), indent=st.sampled_from([0.0, 2.0]))
@example(text="“一、加强领导。”全面推进（全护理）工作。", ems=8.0, indent=0.0)
@example(text="于2026年1月1日起施行《办法》。", ems=8.0, indent=2.0)
def test_ordinary_text_never_breaks_against_the_rules(text: str, ems: float, indent: float) -> None:
    """Text whose unbreakable runs are at most 5 characters (the break may move back 4) at widths of 8+ characters.

    Every rule holds strictly here: no closing mark starts a line, no opening mark ends one,
    no word or number is split, and every line fits (nothing has to hang).
    """
    assume(longest_cluster(text) <= 5)
    max_widths = [(ems - indent) * SIZE, ems * SIZE]
    spans = spans_of(text, max_widths)
    check_common(text, spans, max_widths)
    for number, (start, end) in enumerate(spans):
        assert line_width(text, start, end) <= max_widths[min(number, 1)] + FUZZ, text[start:end]
        if number:
            assert allowed(text, start), f"bad break {text[spans[number - 1][0]:start]!r} | {text[start:end]!r}"


any_text = st.text(alphabet=CJK[:6] + CLOSING + OPENING + LETTERS[:6] + DIGITS[:5] + "-:", min_size=1, max_size=80)


@settings(max_examples=300, deadline=None)
@given(text=any_text, ems=st.floats(1, 30), first=st.floats(0.5, 30))
@example(text="政策咨询电话：0739-5225267（工作日上午8:30—12:00，下午14:30—17:30）。", ems=35.0, first=35.0)
@example(text="。。。。。。", ems=1.0, first=1.0)
@example(text="（（（（（（（（字", ems=2.0, first=2.0)
def test_any_text_keeps_every_character_and_breaks_badly_only_on_a_full_line(text: str, ems: float, first: float) -> None:
    """Any mix at any width, down to one character: where no allowed break is near, a break may go
    against the rules, but only because the line is full and no allowed break is within reach."""
    max_widths = [first * SIZE, ems * SIZE]
    spans = spans_of(text, max_widths)
    check_common(text, spans, max_widths)
    for number, (start, end) in enumerate(spans[:-1]):
        if text[end] in CANNOT_START and end - start > 1:
            # The documented fallback: closing marks hang at the end of the full line instead, so a line may
            # start with one only when the line before already ends with MAX_HANG hanging marks.
            assert trailing_marks(text, start, end) >= min(MAX_HANG, end - start - 1), f"{text[start:end]!r} | {text[end:]!r}: marks should hang"
        if allowed(text, end):
            continue
        limit = max_widths[min(number, 1)] + FUZZ
        assert line_width(text, start, end + 1) > limit, f"moved back to a bad break: {text[start:end]!r} | {text[end:]!r}"
        # ... and only when no allowed break lies within the documented push-back distance.
        reach = MAX_PUSH_BACK
        nearby = [at for at in range(max(start + 1, end - reach), end) if allowed(text, at)]
        assert not nearby, f"bad break {text[start:end]!r} | {text[end:]!r} although a break before {[text[at] for at in nearby]} was allowed"


# ----------------------------------------------------------------------------- through real paragraphs


def paragraph_lines(paragraph: Paragraph) -> list[tuple[str, float]]:
    """(text, extra space) of each wrapped line, for both of reportlab's line kinds."""
    lines = paragraph.blPara.lines
    if paragraph.blPara.kind == 0:
        return [("".join(words), extra) for extra, words in lines]
    return [("".join(word.text for word in line.words), line.extraSpace) for line in lines]


def wrapped(styles: Styles, text: str, width: float, style_name: str = "cell", rare: bool = False) -> list[tuple[str, float]]:
    """``text`` wrapped at ``width``; ``rare`` puts 𬌗 (fallback font) in front so reportlab takes its multi-frag path."""
    paragraph = styles.para(("𬌗" if rare else "") + text, getattr(styles, style_name))
    paragraph.wrap(width, 10_000)
    assert paragraph.blPara.kind == (1 if rare else 0)  # 1: cjk_frag_split (several fonts), 0: word_split (one font)
    lines = paragraph_lines(paragraph)
    if rare:
        assert lines[0][0].startswith("𬌗")
        lines[0] = (lines[0][0][1:], lines[0][1])
        if not lines[0][0]:  # 𬌗 alone on the first line
            del lines[0]
    return lines


@pytest.fixture(scope="module")
def styles() -> Styles:
    return Styles(FONTS, A4_SIZES)


def assert_good_lines(lines: list[tuple[str, float]], text: str) -> None:
    texts = [line for line, _extra in lines]
    assert "".join(texts) == text
    for number, (line, extra) in enumerate(lines):
        if number:
            assert line[0] not in CANNOT_START, texts
        if number < len(lines) - 1:
            assert line[-1] not in CANNOT_END, texts
            assert not (latin(line[-1]) and latin(lines[number + 1][0][0])), texts
        hanging = min(trailing_marks(line, 0, len(line)), MAX_HANG)
        assert extra >= -FUZZ or (hanging > 0 and extra + sum(width_of(c, A4_SIZES.table) for c in line[-hanging:]) >= -FUZZ), texts


@pytest.mark.parametrize("rare", [False, True], ids=["word_split", "cjk_frag_split"])
@pytest.mark.parametrize("width", [45, 58, 70, 80, 92, 104, 200])
def test_bracketed_quantity_in_a_table_cell(styles: Styles, width: float, rare: bool) -> None:
    """分散供养（全护理） as the payment list's 数量 column prints it: （ never ends a line, ） never starts one."""
    lines = wrapped(styles, "分散供养（全护理）", width, rare=rare)
    assert_good_lines(lines, "分散供养（全护理）")
    if width >= 100 + (11 if rare else 0):
        assert len(lines) == 1
    elif width >= 58:
        assert [line for line, _ in lines][-1].endswith("理）")


@pytest.mark.parametrize("rare", [False, True], ids=["word_split", "cjk_frag_split"])
@pytest.mark.parametrize("width", [36, 45, 58, 67, 80, 90])
def test_closing_quote_after_full_stop_stays_on_the_line(styles: Styles, width: float, rare: bool) -> None:
    lines = wrapped(styles, "“一、加强领导。”", width, rare=rare)
    assert_good_lines(lines, "“一、加强领导。”")
    assert lines[-1][0].endswith("导。”")  # 。” moves down with the character before it


@pytest.mark.parametrize("rare", [False, True], ids=["word_split", "cjk_frag_split"])
def test_numbers_and_words_are_never_split(styles: Styles, rare: bool) -> None:
    text = "本办法自2026年1月1日起施行，GDP增长率按A4纸张打印。"
    for width in range(60, 260, 3):
        lines = wrapped(styles, text, width, rare=rare)
        assert_good_lines(lines, text)
        assert any("2026" in line for line, _extra in lines) and any("GDP" in line for line, _extra in lines), (width, lines)


def test_first_line_indent_is_a_narrower_first_line(styles: Styles) -> None:
    text = "为切实做好春耕生产，保障粮食安全，现就有关事项通知如下。" * 3
    paragraph = styles.para(text, styles.body)
    width = content_width()
    paragraph.wrap(width, 10_000)
    lines = paragraph_lines(paragraph)
    assert "".join(line for line, _ in lines) == text
    # 14 pt body: 33 characters fit on a full line, 31 after the two-character indent.
    assert [len(line) for line, _ in lines[:2]] == [int((width - 2 * A4_SIZES.body) // A4_SIZES.body), int(width // A4_SIZES.body)]


def test_word_split_accepts_a_single_width() -> None:
    assert word_split("政府信息公开", 24.0, FONTS.name, 12) == [[0.0, "政府"], [0.0, "信息"], [0.0, "公开"]]


def test_a_hard_line_break_ends_its_line(styles: Styles) -> None:
    paragraph = Paragraph("甲乙<br/>丙丁戊己", styles.plain)
    paragraph.wrap(300, 10_000)
    assert [line for line, _ in paragraph_lines(paragraph)] == ["甲乙", "丙丁戊己"]


# ----------------------------------------------------------------------------- defects found and fixed

PHONE_HOURS = "政策咨询电话：0739-5225267（工作日上午8:30—12:00，下午14:30—17:30）。"  # from the demo's policy interpretations


def test_full_stop_after_a_closing_bracket_does_not_start_a_line(styles: Styles) -> None:
    """The demo interpretations' contact line, in the plain style (问：… lines) across A4: the last line was only 。"""
    lines = wrapped(styles, PHONE_HOURS, content_width(), style_name="plain")
    assert [line for line, _ in lines][-1] != "。"
    assert_good_lines(lines, PHONE_HOURS)


def test_closing_quote_after_a_number_does_not_start_a_line() -> None:
    text = "他说：“有事请拨打值班电话07395225267。”"
    spans = spans_of(text, [19.5 * SIZE])  # the line fills up at 。, which hangs; ” was left to start a line of its own
    assert all(text[start] not in CANNOT_START for start, _end in spans[1:]), [text[start:end] for start, end in spans]


def test_a_phone_number_that_fits_on_a_line_is_not_split(styles: Styles) -> None:
    lines = wrapped(styles, PHONE_HOURS, 160, style_name="plain")
    assert any("0739-5225267" in line for line, _ in lines), lines


def test_receipt_sizes_wrap_the_contact_line_within_the_roll() -> None:
    """On a 58 mm roll (48 mm printable) every line of a long contact line fits or hangs one mark."""
    receipt = Styles(FONTS, RECEIPT_SIZES[58])
    paragraph = receipt.para(PHONE_HOURS, receipt.plain)
    paragraph.wrap(48 * 72 / 25.4, 10_000)
    lines = paragraph_lines(paragraph)
    assert "".join(line for line, _ in lines) == PHONE_HOURS
    assert all(extra >= -FUZZ or line[-1] in CANNOT_START for line, extra in lines)
