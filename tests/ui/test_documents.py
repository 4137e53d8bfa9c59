"""Reading a policy: one finger from home to the text at large size, its interpretation, and back."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtWidgets import QLabel, QListView, QPushButton, QTextBrowser

from kiosk.terminal import Terminal
from tests.helpers.qt import button, current, tap, tap_row
from ui.window import MainWindow


def _tap_document_row(qtbot, window: MainWindow, row: int) -> None:
    tap_row(qtbot, current(window).findChild(QListView, "touch-list"), row)


def test_from_home_to_a_repealed_document_read_in_large_text_and_back(qtbot, kiosk_window, demo_terminal: Terminal, shots: Path) -> None:
    window = kiosk_window(demo_terminal, large=True)
    tap(qtbot, window.findChild(QPushButton, "tile-documents"))
    screen = current(window)
    assert screen.objectName() == "documents"
    assert screen.findChild(QLabel, "list-count").text() == f"共 {demo_terminal.store.counts_by_kind(demo_terminal.scope())['document']} 条"
    tap(qtbot, button(window, "filters-toggle"))  # landscape 大字模式: the chips are folded behind 筛选
    tap(qtbot, screen.findChild(QPushButton, "validity-已废止"))
    model = screen.findChild(QListView, "touch-list").model()
    assert 0 < model.rowCount() == model.total < 100
    first = model.index(0, 0).data(Qt.ItemDataRole.UserRole)
    assert first.badge == "已废止"
    window.grab().save(str(shots / "documents-repealed-large.png"))
    _tap_document_row(qtbot, window, 0)
    page = current(window)
    assert page.objectName() == "document"
    text = page.findChild(QTextBrowser, "reading-text").toPlainText()
    assert first.title in text and "已废止" in text
    position = page.findChild(QLabel, "page-position")
    qtbot.wait(20)
    bar = page.text.verticalScrollBar()
    expected_pages = 1 - (-(bar.maximum() - page._slack()) // page._stride())  # less than a line left over is no extra page
    assert position.text() == f"第 1 / {expected_pages} 页" and 2 <= expected_pages < 40
    body_font = page.text.document().defaultFont()
    assert body_font.pixelSize() == 34  # 大字模式 reading size
    window.grab().save(str(shots / "document-large.png"))
    tap(qtbot, page.findChild(QPushButton, "page-down"))
    assert position.text().startswith("第 2 / ")
    tap(qtbot, page.findChild(QPushButton, "back"))
    assert current(window) is screen
    tap(qtbot, screen.findChild(QPushButton, "home"))
    assert current(window) is window.home and window.history == []


def test_interpretation_tab_shows_the_interpreter_and_qa(qtbot, kiosk_window, demo_terminal: Terminal, shots: Path) -> None:
    window = kiosk_window(demo_terminal)
    tap(qtbot, window.findChild(QPushButton, "tile-interpretations"))
    record_id = current(window).model.index(0, 0).data(Qt.ItemDataRole.UserRole).payload
    _tap_document_row(qtbot, window, 0)
    page = current(window)
    tap(qtbot, page.findChild(QPushButton, "tab-1"))
    text = page.findChild(QTextBrowser, "reading-text").toPlainText()
    interp = demo_terminal.store.get(record_id)["interpretation"]
    assert interp["interpreter"] in text and interp["interpreter_phone"] in text
    if interp.get("qa"):
        assert f"问：{interp['qa'][0]['q']}" in text
    window.grab().save(str(shots / "interpretation.png"))


def test_long_lists_fetch_lazily_and_page_buttons_scroll(qtbot, kiosk_window, demo_terminal: Terminal) -> None:
    window = kiosk_window(demo_terminal)
    tap(qtbot, window.findChild(QPushButton, "tile-documents"))
    screen = current(window)
    view = screen.findChild(QListView, "touch-list")
    model = view.model()
    assert model.rowCount() < model.total  # only the first page was read
    for _ in range(30):
        tap(qtbot, screen.findChild(QPushButton, "page-down"))
    assert view.verticalScrollBar().value() > 0 and model.rowCount() > 60
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == model.total
    assert view.indexAt(QPoint(10, 10)).isValid()


def test_filter_by_issuing_body_and_level_through_choosers(qtbot, kiosk_window, demo_terminal: Terminal) -> None:
    from kiosk.browse import Browser, DocumentFilter

    window = kiosk_window(demo_terminal, large=True)
    tap(qtbot, window.findChild(QPushButton, "tile-documents"))
    screen = current(window)
    browser = Browser(demo_terminal.store, demo_terminal.scope())
    issuer, count = browser.document_facets(("issuer",))["issuer"][1]
    tap(qtbot, button(window, "filters-toggle"))  # landscape 大字模式: the chips are folded behind 筛选
    tap(qtbot, screen.findChild(QPushButton, "choose-issuer"))
    choice = [b for b in screen.findChildren(QPushButton) if b.objectName().startswith("choice-") and b.accessibleName() == f"{issuer}（{count}）"]
    tap(qtbot, choice[0])
    model = screen.findChild(QListView, "touch-list").model()
    assert model.total == count == browser.documents(DocumentFilter(issuer=issuer)).total
    assert all(issuer in model.index(i, 0).data(Qt.ItemDataRole.UserRole).subtitle for i in range(model.rowCount()))
    level = browser.document_facets(("level",))["level"][0][0]
    tap(qtbot, screen.findChild(QPushButton, "choose-level"))
    choice = [b for b in screen.findChildren(QPushButton) if b.objectName().startswith("choice-") and b.accessibleName().startswith(f"{level}（")]
    tap(qtbot, choice[0])
    assert model.total == browser.documents(DocumentFilter(issuer=issuer, level=level)).total
    assert screen.findChild(QPushButton, "choose-level").text().startswith(f"文件层级：{level}")
    assert screen.findChild(QLabel, "list-count").text() == f"共 {model.total} 条"
