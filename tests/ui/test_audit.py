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
from PySide6.QtGui import QColor, QFont, QImage, Qt
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


def label_clipping(label: QLabel) -> str:
    """Why a label's text does not fit inside its box ("" when it does): the text's lines are measured with the
    label's own font against its contents rectangle (padding and margins taken off); a wrapping label must be tall
    enough for its wrapped text, and no single unbreakable word may be wider than the box."""
    if label.textFormat() == Qt.TextFormat.RichText or (label.textFormat() == Qt.TextFormat.AutoText and Qt.mightBeRichText(label.text())):
        return "" if label.sizeHint().width() <= label.width() + 2 or label.wordWrap() else (
            f"needs {label.sizeHint().width()}px, has {label.width()}px (clipped)")
    box = label.contentsRect().adjusted(label.margin(), label.margin(), -label.margin(), -label.margin())
    metrics = label.fontMetrics()
    if not label.wordWrap():
        widest = max((metrics.horizontalAdvance(line) for line in label.text().splitlines()), default=0)
        return f"text is {widest}px wide in a {box.width()}px box (clipped)" if widest > box.width() + 1 else ""
    wrapped = metrics.boundingRect(QRect(0, 0, box.width(), 100_000), int(Qt.TextFlag.TextWordWrap), label.text())
    if wrapped.width() > box.width() + 1:
        return f"a word is {wrapped.width()}px wide in a {box.width()}px box (clipped)"
    if wrapped.height() > box.height() + 2:
        return f"wrapped text is {wrapped.height()}px high in a {box.height()}px box (clipped)"
    return ""


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
        if clipped := label_clipping(label):
            problems.append(f"{name} {clipped}")
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


def test_the_audit_catches_a_figure_one_digit_too_wide_for_its_box(qtbot) -> None:
    """Issue 15 item 3: ¥314,991.1▌ — a figure cut by one digit must fail, as a label (wrapped or not) and as the
    finance chart's painted figures. The old check skipped every wrapping label (the payment totals, the titles): a
    wrapped text taller than its box, or one word wider than it, passed."""
    from kiosk.browse import LedgerSummary
    from tests.ui.i18n_audit import painted_overflow
    from ui import theme
    from ui.chart import LedgerChart
    from ui.widgets import plain_label

    host = QWidget()
    qtbot.addWidget(host)
    figure = plain_label("¥314,991.18")
    figure.setParent(host)
    figure.setStyleSheet("font-size: 44px; font-weight: bold; padding: 0 12px;")
    wrapped = plain_label("桃源村　共 46 笔\n已发放 43 笔 ¥32,586.59\n待发放 3 笔 ¥2,757.44")
    wrapped.setParent(host)
    wrapped.setWordWrap(True)
    wrapped.setStyleSheet("font-size: 44px;")
    host.resize(1200, 400)
    host.show()
    qtbot.waitExposed(host)
    one_digit_short = figure.fontMetrics().horizontalAdvance("¥314,991.1") + 24 + 4
    figure.setGeometry(0, 0, one_digit_short, 80)  # the padding eats 24 px: sizeHint-vs-width saw room to spare
    wrapped.setGeometry(0, 100, 1000, 110)  # room for two lines of three
    assert "clipped" in label_clipping(figure)
    assert "high" in label_clipping(wrapped)
    figure.setGeometry(0, 0, one_digit_short + figure.fontMetrics().horizontalAdvance("8"), 80)
    wrapped.setGeometry(0, 100, 1000, 3 * wrapped.fontMetrics().lineSpacing() + 4)
    assert label_clipping(figure) == label_clipping(wrapped) == ""

    chart = LedgerChart(LedgerSummary(31499118, 7587300, 6048116, 31499118 + 7587300 - 6048116, [], []), theme.LARGE, "zh_CN")
    chart.setParent(host)
    chart.setGeometry(0, 0, 500, 400)  # even two figures a row are too narrow here for ¥314,991.18
    chart.show()
    assert any("¥314,991.18" in problem for problem in painted_overflow(host))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
def test_every_finance_board_fits_at_every_size(qtbot, demo_terminal: Terminal, size: tuple[int, int], large: bool) -> None:
    """The matrix opens the newest board only; ¥314,991.18 was another quarter's closing balance. Every period of every
    village, each of its tabs: no figure or label cut."""
    from tests.ui.i18n_audit import painted_overflow

    window = open_window(qtbot, demo_terminal, size=size, large=large)
    window.show_screen("boards")
    screen = window.stack.currentWidget()
    problems: list[str] = []
    checked = 0
    for village in screen.villages:
        screen._set_village(village)
        for period in screen.browser.board_periods(village, "finance"):
            screen.show_period(period)
            QApplication.processEvents()
            checked += 1
            where = f"{village} {period} {size[0]}x{size[1]} {'large' if large else 'normal'}"
            problems += [f"{where}: {p}" for p in painted_overflow(window)]
            problems += [f"{where}: label {label.objectName()!r} {clipped}" for label in _visible_children(window, QLabel)
                         if label.text().strip() and (clipped := label_clipping(label))]
    assert checked >= 4
    assert not problems, "\n".join(problems)
