"""The audit's language checks: on an English or 繁體 screen, no visible label is one of our 简体 ids left untranslated,
and every character on screen has a glyph in the font (繁體 needs characters a 简体 screen never shows)."""

from __future__ import annotations

import re
import string
from functools import cache

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from kiosk.i18n import ptr, tr

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str, str], ...]:
    """(full-match pattern, id, context) for every id with at least two Chinese characters of its own (placeholders
    match anything): an id made only of placeholders and a unit (``{year}年``) would match content."""
    from tools import i18n as tool

    out = []
    for message in tool.read("en"):
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        literal = "".join(text for text, _name, _spec, _conv in string.Formatter().parse(msgid))
        if len(CJK.findall(literal)) < 2:
            continue
        pattern = "".join(re.escape(text) + (".+?" if name is not None else "") for text, name, _spec, _conv in string.Formatter().parse(msgid))
        out.append((re.compile(pattern), msgid, message.context or ""))
    return tuple(out)


def _texts(root: QWidget) -> list[tuple[QWidget, str]]:
    shown = []
    for widget in [*root.findChildren(QLabel), *root.findChildren(QAbstractButton)]:
        if widget.isVisible() and widget.text().strip():
            shown += [(widget, line.strip()) for line in widget.text().splitlines() if line.strip()]
    return shown


def untranslated(root: QWidget, lang: str) -> list[str]:
    """Visible texts that are a catalogue id (or one filled in) still in 简体中文 on a ``lang`` screen."""
    if lang == "zh_CN":
        return []
    found = []
    for widget, text in _texts(root):
        for pattern, msgid, context in _patterns():
            translated = ptr(context, msgid, lang) if context else tr(msgid, lang)
            if translated != msgid and pattern.fullmatch(text):
                found.append(f"{widget.objectName() or type(widget).__name__} shows {text!r}, untranslated ({msgid!r})")
                break
    return found


def missing_glyphs(root: QWidget) -> list[str]:
    """Texts with a character the widget's font cannot draw (it would show as a box)."""
    found = []
    for widget, text in _texts(root):
        metrics = QFontMetrics(widget.font())
        missing = sorted({ch for ch in text if not ch.isspace() and not metrics.inFontUcs4(ord(ch))})
        if missing:
            found.append(f"{widget.objectName() or type(widget).__name__}: no glyph for {''.join(missing)!r} in {text[:20]!r}")
    return found


def painted_overflow(root: QWidget) -> list[str]:
    """Text a widget paints itself (the finance chart's figures) that does not fit where it is painted."""
    from ui.chart import LedgerChart

    return [f"ledger-chart: {text!r} does not fit its cell (clipped)" for chart in root.findChildren(LedgerChart) if chart.isVisible()
            for text in chart.overflow()]


def language_problems(root: QWidget, lang: str) -> list[str]:
    """What the audit adds for languages: untranslated labels, missing glyphs, clipped painted text."""
    return untranslated(root, lang) + missing_glyphs(root) + painted_overflow(root)
