"""The accessibility audit and the screenshot matrix: every screen, both orientations, both modes.

For every visible control: at least 44×44 px (60×60 in 大字模式); its text fits; text at least
18 pt (24 px at 96 dpi), screen titles at least 30 pt (40 px) in 大字模式; and the contrast of
text against its background, measured on the rendered pixels, at least 4.5:1 — stricter than the
3:1 WCAG allows for text this large. Screens are saved to .data/screenshots/matrix/.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QPoint, QRect
from PySide6.QtGui import QColor, QFont, QImage
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QListView, QPushButton, QStyleOptionViewItem, QWidget

from kiosk.i18n import lazy_tr
from kiosk.terminal import Terminal
from printing.service import PrintUpdate
from tests.helpers.qt import open_window
from tests.ui.i18n_audit import language_problems
from ui.chooser import Overlay
from ui.printing import PrintButtons, PrintPreview
from ui.window import SCREENS, MainWindow

MIN_TOUCH = {False: 44, True: 60}
MIN_TEXT_PX = 24  # 18 pt
MIN_TITLE_PX_LARGE = 40  # 30 pt
MIN_CONTRAST = 4.5
SIZES = ((1920, 1080), (1080, 1920))
LANGUAGES = ("zh_CN", "en", "zh_Hant")
COVERS = ("chooser", "keyboard", "idle-warning", "attract", "print-preview", "print-status", "qr-cover", "call-staff")


def luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_contrast(image: QImage) -> float:
    """Background = the commonest colour; text = the colour, among those covering ≥ 12 px, that stands out most."""
    counts: Counter[int] = Counter()
    step = 1 if image.width() * image.height() < 200_000 else 2
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            counts[image.pixel(x, y)] += 1
    background = QColor.fromRgb(counts.most_common(1)[0][0])
    candidates = [QColor.fromRgb(rgb) for rgb, n in counts.items() if n * step * step >= 12]
    return max((contrast(background, colour) for colour in candidates), default=1.0)


def font_px(font: QFont) -> float:
    return font.pixelSize() if font.pixelSize() > 0 else font.pointSizeF() * 96 / 72


def _visible_children(root: QWidget, cls: type) -> list:
    return [w for w in root.findChildren(cls) if w.isVisible() and w.width() > 0]


def audit(window: QWidget, large: bool, where: str) -> list[str]:
    """Audit what a person can touch: the top cover if one is open, else the whole window."""
    problems: list[str] = []
    minimum = MIN_TOUCH[large]
    covers = [w for w in window.findChildren(Overlay) if w.isVisible()]
    root = covers[-1] if covers else window
    screen = window.grab().toImage()  # real pixels, backgrounds of parents included

    def pixels(widget: QWidget) -> QImage:
        return screen.copy(QRect(widget.mapTo(window, QPoint(0, 0)), widget.size()))

    def on_screen(widget: QWidget) -> bool:
        """Scrolled out of a scroll area's view, a widget's pixels are something else's."""
        shown = widget.visibleRegion().boundingRect()
        return shown.width() * shown.height() >= 0.9 * widget.width() * widget.height()

    for button in _visible_children(root, QAbstractButton):
        label = f"{where}: button {button.objectName() or button.text()!r}"
        if button.width() < minimum or button.height() < minimum:
            problems.append(f"{label} is {button.width()}×{button.height()}, needs ≥ {minimum}×{minimum}")
        if font_px(button.font()) < MIN_TEXT_PX:
            problems.append(f"{label} text {font_px(button.font())}px < {MIN_TEXT_PX}px")
        text_width = max((button.fontMetrics().horizontalAdvance(line) for line in button.text().splitlines()), default=0)
        if button.text() and text_width > button.width() - 8:
            problems.append(f"{label} text is {text_width}px wide in a {button.width()}px button (clipped)")
        if button.text() and button.isEnabled() and on_screen(button) and text_contrast(pixels(button)) < MIN_CONTRAST:
            problems.append(f"{label} contrast {text_contrast(pixels(button)):.2f} < {MIN_CONTRAST}")
    for label in _visible_children(root, QLabel):
        if not label.text().strip():
            continue
        name = f"{where}: label {label.objectName() or label.text()[:12]!r}"
        if font_px(label.font()) < MIN_TEXT_PX:
            problems.append(f"{name} text {font_px(label.font())}px < {MIN_TEXT_PX}px")
        if large and label.objectName() in ("screen-title", "place-name") and font_px(label.font()) < MIN_TITLE_PX_LARGE:
            problems.append(f"{name} title {font_px(label.font())}px < {MIN_TITLE_PX_LARGE}px in 大字模式")
        if not label.wordWrap() and label.sizeHint().width() > label.width() + 2:
            problems.append(f"{name} needs {label.sizeHint().width()}px, has {label.width()}px (clipped)")
        if on_screen(label) and text_contrast(pixels(label)) < MIN_CONTRAST:
            problems.append(f"{name} contrast {text_contrast(pixels(label)):.2f} < {MIN_CONTRAST}")
    for view in _visible_children(root, QListView):
        model = view.model()
        if model.rowCount(QModelIndex()):
            option = QStyleOptionViewItem()
            option.rect = view.viewport().rect()
            height = view.itemDelegate().sizeHint(option, model.index(0, 0)).height()
            if height < minimum:
                problems.append(f"{where}: list rows {height}px high < {minimum}px")
            if font_px(view.itemDelegate()._fonts(view.font())[1]) < MIN_TEXT_PX:  # the smaller of the two lines
                problems.append(f"{where}: list row text below {MIN_TEXT_PX}px")
    return problems


def _open_cover(qtbot, window: MainWindow, cover: str) -> None:
    if cover == "chooser":
        window.show_screen("payments")
        window.stack.currentWidget()._choose_policy()
    elif cover == "keyboard":
        window.show_screen("payments")
        window.stack.currentWidget()._open_keyboard()
    elif cover == "idle-warning":
        window.show_screen("documents")
        window.session.warn(25)
    elif cover == "attract":
        window.session.show_attract()
    elif cover == "call-staff":
        window.show_screen("life-event")
        window.call_staff()
    elif cover in ("print-preview", "print-status", "qr-cover"):
        window.show_screen("document")
        buttons = window.stack.currentWidget().findChild(PrintButtons, "print-buttons")
        if cover == "qr-cover":
            buttons._show_qr()
        elif cover == "print-preview":
            buttons._preview("a4")
            preview = window.findChild(PrintPreview, "print-preview")
            qtbot.waitUntil(lambda: preview.print_button.isEnabled(), timeout=15000)
        else:
            window.session.print_update(PrintUpdate(1, "failed", lazy_tr("打印机缺纸，请联系工作人员")))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_screen_passes_the_audit_and_is_captured(qtbot, demo_terminal: Terminal, shots: Path, size: tuple[int, int], large: bool,
                                                       lang: str) -> None:
    """In every language the kiosk speaks: English labels are longer, 繁體 glyphs need the font to have them."""
    window = open_window(qtbot, demo_terminal, size=size, large=large, lang=lang)
    folder = shots / "matrix"
    folder.mkdir(exist_ok=True)
    mode = ("large" if large else "normal") + ("" if lang == "zh_CN" else f"-{lang}")
    problems: list[str] = []
    for name in (*SCREENS, *COVERS):
        window.reset_session() if name == "home" else window.go_home()
        if name in COVERS:
            _open_cover(qtbot, window, name)
        else:
            window.show_screen(name)
        QApplication.processEvents()
        current = window.stack.currentWidget()
        expected = "home" if name in ("home", "attract") else {"payments": "subsidies", "policy": "subsidy-policy",
                                                               "chooser": "subsidies", "keyboard": "subsidies", "idle-warning": "documents",
                                                               "attachments": "document", "print-preview": "document",
                                                               "print-status": "document", "qr-cover": "document",
                                                               "call-staff": "life-event"}.get(name, name)
        assert current.objectName() == expected, (name, current.objectName())
        if (window.width(), window.height()) != size:  # the content's minimum size pushed the window past the screen
            problems.append(f"{name} {size[0]}x{size[1]} {mode}: needs {window.width()}x{window.height()}, does not fit the screen")
            window.resize(*size)
            QApplication.processEvents()
        window.grab().save(str(folder / f"{name}-{size[0]}x{size[1]}-{mode}.png"))
        problems += audit(window, large, f"{name} {size[0]}x{size[1]} {mode}")
        top = [w for w in window.findChildren(Overlay) if w.isVisible()] or [window]
        problems += [f"{name} {size[0]}x{size[1]} {mode}: {p}" for p in language_problems(top[-1], lang)]
        if name == "idle-warning":
            window.session.close_warning()
        if name == "attract":
            window.session.close_attract()
    assert not problems, "\n".join(problems)


def test_the_audit_catches_what_it_is_meant_to_catch(qtbot) -> None:
    """A small grey-on-white button must fail: the audit is not a rubber stamp."""
    host = QWidget()
    qtbot.addWidget(host)
    bad = QPushButton("很小的按钮", host)
    bad.setStyleSheet("QPushButton { color: #BBBBBB; background: #FFFFFF; border: none; font-size: 12px; }")
    bad.setGeometry(0, 0, 40, 30)
    host.resize(200, 100)
    host.show()
    qtbot.waitExposed(host)
    problems = audit(host, False, "probe")
    assert any("needs ≥ 44×44" in p for p in problems)
    assert any("text 12" in p for p in problems)
    assert any("contrast" in p for p in problems)
    assert any("clipped" in p for p in problems)
