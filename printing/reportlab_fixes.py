"""Two fixes to reportlab 4/5 that printed Chinese needs; applied once by :func:`apply`.

1. **Line breaking.** reportlab's CJK wrap lets a line start with ，；：？！》” (its no-line-start
   list is Japanese) and hangs at most one mark, so "。”" still leaves ” at a line start. Our
   :func:`cjk_frag_split` moves the break back instead (推出), never starts a line with closing
   punctuation, never ends one with an opening bracket, and keeps Latin words and numbers whole.
2. **ToUnicode for rare characters.** reportlab writes each character's code as ``<%04X>``, so a
   character beyond U+FFFF (𬌗 U+2C317, common in names) became five hex digits and extracted as
   a different character; :func:`to_unicode_cmap` writes UTF-16 (surrogate pairs) as the PDF
   specification requires. Copy-and-paste and screen readers then get the real name.
"""

from __future__ import annotations

from typing import Any

from reportlab.pdfbase import ttfonts
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import paragraph
from reportlab.rl_config import _FUZZ

# A line never starts with these (GB/T 15834 closing marks, plus ASCII and Japanese ones).
CANNOT_START = frozenset("，。、；：？！）》」』】〕〉”’…—·％‰℃,.;:?!)]}%" + paragraph.ALL_CANNOT_START)
# A line never ends with these (opening marks and prefixes).
CANNOT_END = frozenset("（《「『【〔〈“‘([{<￥$#")
MAX_PUSH_BACK = 4  # characters a break may move back (before the word it falls in) before marks hang instead
MAX_HANG = 2  # closing marks that may hang in the right margin (。” or ）。)


def _latin(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "._-/%@:+")


def _break_allowed(units: list[Any] | list[str], at: int) -> bool:
    before, after = units[at - 1], units[at]
    if after in CANNOT_START or before in CANNOT_END:
        return False
    return not (_latin(before) and _latin(after))


def _next_line_start(units: list[Any] | list[str], start: int, overflow: int) -> int:
    """Where the next line starts, given that ``units[overflow]`` does not fit on this one.

    The break moves back at most MAX_PUSH_BACK characters before the word the overflow belongs
    to: closing marks go with the character they follow, and a Latin word or number (0739-5225267,
    17:30）。) moves whole. If no allowed break is in reach, up to MAX_HANG closing marks hang in the
    margin, so 。” or ）。 never start a line.
    """
    anchor = overflow
    while anchor > start and units[anchor] in CANNOT_START:
        anchor -= 1
    word_start = anchor
    while word_start > start and _latin(units[word_start - 1]) and _latin(units[word_start]):
        word_start -= 1
    lowest = max(start + 1, min(overflow, word_start) - MAX_PUSH_BACK)
    for at in range(overflow, lowest - 1, -1):
        if _break_allowed(units, at):
            return at
    end = overflow
    while end < len(units) and units[end] in CANNOT_START and end - overflow < MAX_HANG:
        end += 1
    return end if end > overflow else max(overflow, start + 1)


def _width(unit: Any, max_width: float) -> float:
    width = unit.width
    if hasattr(width, "normalizedValue"):
        width._normalizer = max_width
        width = width.normalizedValue(max_width)
    return width


def line_spans(chars: list[str], widths: list[float], max_widths: list[float], hard_breaks: frozenset[int] = frozenset()) -> list[tuple[int, int]]:
    """(start, end) of each line: as many characters as fit, then the break moved to an allowed place.

    ``hard_breaks`` are indexes of line-break units (``<br/>``) that end their line.
    """
    spans: list[tuple[int, int]] = []
    start = index = 0
    used = 0.0
    while index < len(chars):
        max_width = max_widths[min(len(spans), len(max_widths) - 1)]
        if index in hard_breaks:
            spans.append((start, index + 1))
            start = index = index + 1
            used = 0.0
            continue
        if used + widths[index] > max_width + _FUZZ and index > start:
            end = _next_line_start(chars, start, index)
            spans.append((start, end))
            start = index = end
            used = 0.0
            continue
        used += widths[index]
        index += 1
    if start < len(chars):
        spans.append((start, len(chars)))
    return spans


def cjk_frag_split(frags: list[Any], maxWidths: list[float], calcBounds: bool, encoding: str = "utf8") -> Any:
    """Drop-in replacement for ``reportlab.platypus.paragraph.cjkFragSplit`` (paragraphs with markup)."""
    units: list[Any] = []
    for frag in frags:
        text = frag.text.decode(encoding) if isinstance(frag.text, bytes) else frag.text
        units.extend(paragraph.cjkU(char, frag, encoding) for char in text) if text else units.append(paragraph.cjkU(text, frag, encoding))
    widths = [_width(unit, maxWidths[0]) for unit in units]
    hard = frozenset(index for index, unit in enumerate(units) if hasattr(unit.frag, "lineBreak"))
    lines = []
    for number, (start, end) in enumerate(line_spans(units, widths, maxWidths, hard)):
        max_width = maxWidths[min(number, len(maxWidths) - 1)]
        used = sum(widths[start:end])
        lines.append(paragraph.makeCJKParaLine(units[start:end], max_width, used, max_width - used, end - 1 in hard, calcBounds))
    return paragraph.ParaLines(kind=1, lines=lines)


def word_split(word: str, maxWidths: list[float], fontName: str, fontSize: float, encoding: str = "utf8") -> list[list[Any]]:
    """Drop-in replacement for ``reportlab.lib.textsplit.wordSplit`` (plain one-font paragraphs)."""
    text = word.decode(encoding) if isinstance(word, bytes) else word
    if not isinstance(maxWidths, (list, tuple)):
        maxWidths = [maxWidths]
    chars = list(text)
    widths = [stringWidth(char, fontName, fontSize) for char in chars]
    result = []
    for number, (start, end) in enumerate(line_spans(chars, widths, list(maxWidths))):
        max_width = maxWidths[min(number, len(maxWidths) - 1)]
        result.append([max_width - sum(widths[start:end]), text[start:end]])
    return result


def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """A ToUnicode CMap whose targets are UTF-16BE, so characters beyond U+FFFF survive extraction."""

    def utf16(code: int) -> str:
        return chr(code).encode("utf-16-be", "surrogatepass").hex().upper()

    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            f"/CIDSystemInfo << /Registry ({fontname}) /Ordering ({fontname}) /Supplement 0 >> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *(f"<{index:02X}> <{utf16(code)}>" for index, code in enumerate(subset)),
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


def apply() -> None:
    """Install both fixes (idempotent)."""
    paragraph.cjkFragSplit = cjk_frag_split
    paragraph.wordSplit = word_split
    ttfonts.makeToUnicodeCMap = to_unicode_cmap
