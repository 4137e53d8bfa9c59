"""Paging that reads right (issue 15 item 7): a page turn is a page, disabled page buttons look disabled."""

from __future__ import annotations

from collections import Counter

from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from kiosk.terminal import Terminal
from tests.helpers.qt import button, current, tap, visible
from ui import theme
from ui.reading import ReadingScreen
from ui.widgets import TouchList


def _commonest(widget: QWidget) -> str:
    image = widget.grab().toImage()
    counts = Counter(image.pixelColor(x, y).name().upper() for y in range(0, image.height(), 2) for x in range(0, image.width(), 2))
    return counts.most_common(1)[0][0]


def _list_buttons(window) -> tuple[QPushButton, QPushButton]:
    lists = [w for w in current(window).findChildren(TouchList) if w.isVisible()]
    assert len(lists) == 1
    return lists[0].up, lists[0].down


def test_list_page_buttons_are_disabled_at_the_ends_and_look_it(qtbot, kiosk_window, demo_terminal: Terminal) -> None:
    """Before, a list's 上一页 stayed live and red at the top of the list, and a disabled button kept the paper-white
    face of a live one (only its outline turned grey)."""
    window = kiosk_window(demo_terminal, size=(1920, 1080), large=True)
    window.show_screen("payments")
    QApplication.processEvents()
    up, down = _list_buttons(window)
    assert not up.isEnabled() and down.isEnabled()  # the top of 46 rows
    assert _commonest(up) == theme.BACKDROP.upper() and _commonest(down) == theme.PAPER.upper()
    tap(qtbot, down)
    assert up.isEnabled()
    tap(qtbot, up)
    assert not up.isEnabled()
    for _turn in range(40):  # bounded: 46 rows are fewer than 40 pages
        if not down.isEnabled():
            break
        tap(qtbot, down)
    assert not down.isEnabled() and up.isEnabled()  # the end of the list


def test_a_list_that_fits_has_both_page_buttons_disabled(qtbot, kiosk_window, demo_terminal: Terminal) -> None:
    window = kiosk_window(demo_terminal, size=(1920, 1080))
    window.show_screen("payments")
    screen = current(window)
    screen.find_name("苏")  # a handful of rows: one screen
    QApplication.processEvents()
    assert 0 < screen.payment_model.total < 6
    up, down = _list_buttons(window)
    assert not up.isEnabled() and not down.isEnabled()


def test_a_few_pixels_of_overflow_are_not_a_second_page(qtbot, kiosk_window, demo_terminal: Terminal) -> None:
    """A page whose text overflows by 4 px said 第 1 / 2 页, and 下一页 moved it 4 px."""
    window = kiosk_window(demo_terminal, size=(1920, 1080))
    window.show_screen("document")
    page = current(window)
    assert isinstance(page, ReadingScreen)
    QApplication.processEvents()  # the page laid out: its own range is set, ours below stays
    bar = page._scroll_bar()
    bar.setRange(0, 4)
    page._update_position()
    assert page.position.text() == "第 1 / 1 页" and not page.down.isEnabled()
    stride = page._stride()
    bar.setRange(0, stride + 4)  # one page and 4 px: two pages, and the second turn lands at the end
    bar.setValue(0)
    page._update_position()
    assert page.position.text() == "第 1 / 2 页"
    page.turn(1)  # what 下一页 does; called directly, as a tap lets the page lay itself out again over our range
    assert bar.value() == bar.maximum()
    assert page.position.text() == "第 2 / 2 页" and not page.down.isEnabled()
    assert button(window, "page-up").isEnabled()


def test_the_period_chooser_marks_the_period_on_show_and_is_as_tall_as_its_periods(qtbot, kiosk_window, demo_terminal: Terminal,
                                                                                   shots) -> None:
    """Before, every period looked the same (which one am I reading?) and the panel filled the screen, its few buttons
    stretched or floating at the top."""
    from ui.chooser import Chooser

    window = kiosk_window(demo_terminal, size=(1080, 1920), large=True)
    window.show_screen("boards")
    screen = current(window)
    tap(qtbot, button(window, "period-older"))  # the second-newest period is on show
    shown = screen.period
    tap(qtbot, button(window, "period-choose"))
    chooser = [w for w in window.findChildren(Chooser) if w.isVisible()][-1]
    QApplication.processEvents()
    choices = [b for b in chooser.findChildren(QPushButton) if b.objectName().startswith("choice-")]
    periods = screen.browser.board_periods(screen.village, "finance")
    assert len(choices) == len(periods) >= 2
    checked = [b for b in choices if b.isChecked()]
    assert [b.objectName() for b in checked] == [f"choice-{periods.index(shown)}"]
    assert checked[0].accessibleName().endswith("（当前）")
    panel = chooser.findChild(QWidget, "chooser-panel")
    rows = -(-len(periods) // 3)
    assert panel.height() < chooser.height() * 0.8  # not the whole cover for a handful of periods
    assert all(b.height() < 2.5 * b.minimumHeight() for b in choices)  # buttons not stretched to fill it
    assert rows * choices[0].height() <= panel.height()
    window.grab().save(str(shots / "boards-period-chooser-1080x1920-large.png"))
    tap(qtbot, choices[0])
    assert screen.period == periods[0]


def _rows_on_show(window) -> int:
    from PySide6.QtCore import QModelIndex
    from PySide6.QtWidgets import QStyleOptionViewItem

    (touch,) = [w for w in current(window).findChildren(TouchList) if w.isVisible()]
    view = touch.view
    option = QStyleOptionViewItem()
    row = view.itemDelegate().sizeHint(option, view.model().index(0, 0, QModelIndex())).height()
    return view.viewport().height() // row


def test_landscape_large_lists_fold_their_filters_away(qtbot, kiosk_window, demo_terminal: Terminal, shots) -> None:
    """Landscape 大字模式 showed 3-4 rows of policy documents under three chip rows; the chips now fold behind 筛选."""
    window = kiosk_window(demo_terminal, size=(1920, 1080), large=True)
    window.show_screen("documents")
    QApplication.processEvents()
    toggle = button(window, "filters-toggle")
    assert visible(current(window), QPushButton, "validity-all") is None  # the chips are folded away
    window.grab().save(str(shots / "documents-folded-1920x1080-large.png"))
    folded = _rows_on_show(window)
    assert folded >= 5  # five whole rows and part of a sixth (before: four, the fourth cut)
    tap(qtbot, toggle)
    assert visible(current(window), QPushButton, "validity-all") is not None  # a tap brings the chips back
    assert _rows_on_show(window) < folded
    tap(qtbot, toggle)
    assert visible(current(window), QPushButton, "validity-all") is None


def test_portrait_and_normal_lists_keep_their_filters_open(qtbot, kiosk_window, demo_terminal: Terminal) -> None:
    for size, large in (((1080, 1920), True), ((1920, 1080), False)):
        window = kiosk_window(demo_terminal, size=size, large=large)
        window.show_screen("documents")
        assert visible(current(window), QPushButton, "filters-toggle") is None
        assert visible(current(window), QPushButton, "validity-all") is not None


def test_a_repealed_document_says_so_on_every_page(qtbot, kiosk_window, demo_terminal: Terminal, shots) -> None:
    """已废止 was in the text's first lines only: turned to page 2, a reader saw a repealed rule with nothing to say so."""
    repealed = "doc-990121-2024-0002"  # 已废止, with a note naming the replacing document
    window = kiosk_window(demo_terminal, size=(1080, 1920), large=True)
    window.open_record(repealed)
    page = current(window)
    mark = visible(page, QWidget, "reading-mark")
    assert mark is not None and mark.text().startswith("已废止")
    assert demo_terminal.store.get(repealed)["validity_note"] in mark.text()
    assert page.down.isEnabled()  # more than one page
    tap(qtbot, button(window, "page-down"))
    assert page.position.text().startswith("第 2 /")
    assert visible(page, QWidget, "reading-mark") is mark  # still above the page
    window.grab().save(str(shots / "document-repealed-page2-1080x1920-large.png"))


def test_a_ledger_continued_on_page_two_repeats_its_column_header(qtbot, kiosk_window, demo_terminal: Terminal, shots) -> None:
    """The 收支明细 tab turned to page 2 showed bare numbers: which column is 收入, which 支出? Now the header is pinned."""
    window = kiosk_window(demo_terminal, size=(1080, 1920), large=True)
    window.show_screen("boards")
    page = current(window)
    (tab,) = [b for b in page.tabs if b.text() == "收支明细"]
    tap(qtbot, tab)
    QApplication.processEvents()
    assert visible(page, QWidget, "reading-columns") is None  # page 1 has the table's own header
    assert page.down.isEnabled()
    tap(qtbot, button(window, "page-down"))
    header = visible(page, QWidget, "reading-columns")
    assert header is not None
    assert [label.text() for label in header.findChildren(QWidget, "reading-column")] == ["日期", "摘要", "收入（元）", "支出（元）"]
    QApplication.processEvents()
    last = page.position.text().split("/")[1].strip().removesuffix("页").strip()
    assert page.down.isEnabled() == (page.position.text() != f"第 {last} / {last} 页")  # the buttons agree with the count
    window.grab().save(str(shots / "boards-ledger-page2-1080x1920-large.png"))
    tap(qtbot, page.tabs[2])  # 情况说明: no table, no header
    assert visible(page, QWidget, "reading-columns") is None
