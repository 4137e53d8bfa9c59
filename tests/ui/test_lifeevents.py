"""The villager's path, one finger at a portrait 大字模式 screen: life-event entrances, did my money arrive, 呼叫工作人员.

Every step is a tap on what a person sees (tests/helpers/qt.py), on the demo county at its anchor day.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from kiosk.clock import fixed_clock
from kiosk.lifeevents import EventContents
from kiosk.terminal import Terminal
from tests.conftest import TEST_NOW
from tests.helpers.qt import button, current, press, tap, tap_row, visible
from ui import theme
from ui.chooser import Chooser
from ui.lifeevents import ICON_COLOURS, CallStaffPanel, LifeEventScreen
from ui.widgets import TouchList

PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)


def entrance(window, title: str) -> QPushButton:
    QApplication.processEvents()
    found = [b for b in window.home.findChildren(QPushButton, "life-entrance") if b.isVisible() and b.accessibleName() == title]
    assert found, f"no visible entrance {title!r}"
    return found[0]


def row_titles(screen) -> list[str]:
    model = screen.list.model
    return [model.data(model.index(i, 0), 256).title for i in range(model.rowCount())]  # Qt.UserRole = 256


def tap_row_titled(qtbot, screen, title: str) -> None:
    titles = row_titles(screen)
    assert title in titles, titles
    tap_row(qtbot, screen.list.view, titles.index(title))


def test_a_villager_reaches_dibao_from_a_life_event_entrance(qtbot, kiosk_window, demo_terminal: Terminal) -> None:
    window = kiosk_window(demo_terminal, size=PORTRAIT, large=True)
    tap(qtbot, entrance(window, "低保/救助"))
    screen = current(window)
    assert screen.objectName() == "life-event"
    assert screen.findChild(QLabel, "screen-title").text() == "低保/救助"
    titles = row_titles(screen)
    assert titles[0] == "农村最低生活保障（低保）" and "最低生活保障申请" in titles, titles
    tap_row_titled(qtbot, screen, "农村最低生活保障（低保）")
    assert current(window).objectName() == "subsidy-policy"
    assert "农村最低生活保障（低保）" in current(window).text.toPlainText()
    tap(qtbot, button(window, "back"))
    tap_row_titled(qtbot, current(window), "最低生活保障申请")
    assert current(window).objectName() == "guide"


def test_from_the_farmland_policy_page_to_li_in_this_villages_payments(qtbot, kiosk_window, demo_terminal: Terminal) -> None:
    """Did this year's 耕地 money reach 李? 农业补贴 → the policy → this village's payments of it → surname 李."""
    window = kiosk_window(demo_terminal, size=PORTRAIT, large=True)
    tap(qtbot, entrance(window, "农业补贴"))
    tap_row_titled(qtbot, current(window), "耕地地力保护补贴")
    assert current(window).objectName() == "subsidy-policy"
    tap(qtbot, button(window, "policy-payments"))
    screen = current(window)
    assert screen.objectName() == "subsidies" and screen.stack.currentIndex() == 1
    policy = next(p for p in demo_terminal.store.list_records("subsidy_policy", demo_terminal.scope(), limit=100)
                  if p["name"] == "耕地地力保护补贴")
    assert screen.filters.policy_id == policy["id"]
    tap(qtbot, button(window, "find-surname"))
    chooser = visible(screen, Chooser, "chooser")
    li = next(b for b in chooser.findChildren(QPushButton) if b.accessibleName().startswith("李（"))
    tap(qtbot, li)
    model = screen.payment_model
    rows = [model.data(model.index(i, 0), 256) for i in range(model.rowCount())]
    assert len(rows) == 3, [r.title for r in rows]  # 李晓丽, 李堃, 李欣怡 in the demo's 桃源村
    assert all(r.title.startswith("李") and "耕地地力保护补贴" in r.subtitle for r in rows)


def test_a_policy_without_payments_here_offers_no_payment_button(qtbot, kiosk_window, demo_terminal: Terminal) -> None:
    """The way to the payments is offered only where there are some: never a button to an empty list."""
    window = kiosk_window(demo_terminal, size=LANDSCAPE)
    paid = {pid for pid, _name, _count in window.browser.payment_policies(demo_terminal.region)}
    unpaid = [p for p in demo_terminal.store.list_records("subsidy_policy", demo_terminal.scope(), limit=100) if p["id"] not in paid]
    assert unpaid and paid
    window.open_record(unpaid[0]["id"])
    assert visible(current(window), QPushButton, "policy-payments") is None
    window.open_record(sorted(paid)[0])
    assert visible(current(window), QPushButton, "policy-payments") is not None


def test_the_urgent_banner_and_the_ticker_open_their_notice(qtbot, kiosk_window, demo_terminal: Terminal) -> None:
    window = kiosk_window(demo_terminal, size=PORTRAIT, large=True)
    banner = visible(window.home, QPushButton, "urgent-banner-button")
    title = banner.findChild(QLabel, "urgent-banner").text()
    tap(qtbot, banner)
    assert current(window).objectName() == "notice"
    assert title.split("：", 1)[1] in current(window).text.toPlainText()
    tap(qtbot, button(window, "home"))
    ticker = visible(window.home, QPushButton, "notice-ticker-button")
    shown = ticker.findChild(QLabel, "notice-ticker").text().split("：", 1)[1]
    tap(qtbot, ticker)
    assert current(window).objectName() == "notice"
    assert shown in current(window).text.toPlainText()


def test_elder_mode_is_a_big_toggle_at_the_top(qtbot, kiosk_window, demo_terminal: Terminal) -> None:
    window = kiosk_window(demo_terminal, size=PORTRAIT)
    elder = button(window, "elder-mode")
    search = button(window, "search-entry")
    assert elder.y() < search.y() and elder.height() >= theme.NORMAL.min_touch_px and elder.width() >= window.width() // 3
    tap(qtbot, elder)
    assert window.large
    assert button(window, "elder-mode").isChecked()
    tap(qtbot, button(window, "elder-mode"))
    assert not window.large


def test_call_staff_is_on_home_and_every_screen_and_shows_the_phones(qtbot, kiosk_window, demo_terminal: Terminal) -> None:
    window = kiosk_window(demo_terminal, size=PORTRAIT, large=True)
    phone = demo_terminal.settings["terminal.phone"]
    assert phone  # set by the demo county's terminal profile
    for name in ("home", *[n for n in ("catalogue", "documents", "payments", "boards", "guides", "notices", "search", "policy",
                                       "life-event")]):
        window.go_home()
        if name != "home":
            window.show_screen(name)
        tap(qtbot, button(window, "call-staff"))
        panel = visible(window, CallStaffPanel, "call-cover")
        assert panel is not None, name
        texts = [label.text() for label in panel.findChildren(QLabel)]
        assert any(phone in t for t in texts) and any("12345" in t for t in texts), texts
        press(qtbot, window, "call-close")
        assert visible(window, CallStaffPanel, "call-cover") is None


def test_call_staff_without_a_phone_setting_shows_12345(qtbot, kiosk_window, tmp_path: Path) -> None:
    with Terminal(tmp_path / "t", fixed_clock(TEST_NOW)) as terminal:
        window = kiosk_window(terminal, size=LANDSCAPE)
        tap(qtbot, button(window, "call-staff"))
        panel = visible(window, CallStaffPanel, "call-cover")
        assert panel.findChild(QLabel, "call-phone") is None
        assert "12345" in panel.findChild(QLabel, "call-hotline").text()
        window.reset_session()
        qtbot.wait(10)
        assert visible(window, CallStaffPanel, "call-cover") is None  # the next person does not find it open


def test_an_entrance_that_gathers_nothing_says_why_and_what_to_try(qtbot) -> None:
    event = {"id": "life-x", "kind": "life_event", "title": "退役军人", "icon": "veteran", "sort_order": 1, "policy_ids": ["gone"]}
    screen = LifeEventScreen(EventContents(event), "桃源村", theme.LARGE, "zh_CN", on_back=lambda: None, on_home=lambda: None)
    qtbot.addWidget(screen)
    screen.resize(*PORTRAIT)
    screen.show()
    empty = screen.findChild(QLabel, "life-event-empty")
    assert empty is not None and empty.isVisible()
    assert "12345" in empty.text() and "搜索" in empty.text()


@pytest.mark.parametrize("colour", sorted(set(ICON_COLOURS.values())))
def test_entrance_colours_carry_white_text(colour: str) -> None:
    from PySide6.QtGui import QColor

    from tests.ui.test_audit import contrast

    assert contrast(QColor(colour), QColor(theme.PAPER)) >= 4.5


def test_screenshots_of_the_villagers_path(qtbot, kiosk_window, demo_terminal: Terminal, shots: Path) -> None:
    """Home with the entrances and 长辈模式, an entrance's page and the call-staff cover, portrait 大字模式 and landscape."""
    for size, large in ((PORTRAIT, True), (LANDSCAPE, False)):
        window = kiosk_window(demo_terminal, size=size, large=large)
        tag = f"{size[0]}x{size[1]}-{'large' if large else 'normal'}"
        assert (window.width(), window.height()) == size
        QApplication.processEvents()
        window.grab().save(str(shots / f"villager-home-{tag}.png"))
        tap(qtbot, entrance(window, "低保/救助"))
        QApplication.processEvents()
        window.grab().save(str(shots / f"villager-entrance-{tag}.png"))
        tap(qtbot, button(window, "call-staff"))
        QApplication.processEvents()
        window.grab().save(str(shots / f"villager-call-staff-{tag}.png"))
        window.close()


# ---------------------------------------------------------------------------------------- no dead ends
def _tab(window, label_start: str) -> QPushButton:
    tabs = [t for t in current(window).tabs if t.text().startswith(label_start)]
    assert tabs, [t.text() for t in current(window).tabs]
    return tabs[0]


def test_a_policy_links_to_its_basis_documents(qtbot, kiosk_window, demo_terminal: Terminal) -> None:
    window = kiosk_window(demo_terminal, size=PORTRAIT, large=True)
    policy = next(p for p in demo_terminal.store.list_records("subsidy_policy", demo_terminal.scope(), limit=100)
                  if p.get("basis_document_ids"))
    window.open_record(policy["id"])
    tap(qtbot, _tab(window, "政策依据"))
    linked = visible(current(window), TouchList, "basis-documents")
    tap_row(qtbot, linked.view, 0)
    assert current(window).objectName() == "document"
    assert current(window).findChild(QLabel, "screen-title").text() == "政策文件"
    assert demo_terminal.store.get(policy["basis_document_ids"][0])["title"] in current(window).text.toPlainText()


def test_a_guide_links_to_its_policies(qtbot, kiosk_window, demo_terminal: Terminal) -> None:
    window = kiosk_window(demo_terminal, size=PORTRAIT, large=True)
    window.open_record("guide-990121-farmland-change")
    tap(qtbot, _tab(window, "相关补贴政策"))
    linked = visible(current(window), TouchList, "guide-policies")
    tap_row(qtbot, linked.view, 0)
    assert current(window).objectName() == "subsidy-policy"
    assert "耕地地力保护补贴" in current(window).text.toPlainText()


def test_a_catalogue_item_that_names_a_list_links_to_it(qtbot, kiosk_window, demo_terminal: Terminal) -> None:
    window = kiosk_window(demo_terminal, size=PORTRAIT, large=True)
    window.open_record("cat-990121-rural-dilapidated-housing-04")  # 补助资金兑付情况
    tap(qtbot, button(window, "item-list"))
    assert current(window).objectName() == "subsidies" and current(window).stack.currentIndex() == 1
    window.open_record("cat-990121-village-affairs-16")  # 村级财务收支明细
    tap(qtbot, button(window, "item-list"))
    assert current(window).objectName() == "boards"
    window.open_record("cat-990121-budget-01")  # 政府预算: names no list of this terminal
    assert visible(current(window), QPushButton, "item-list") is None


def test_an_empty_list_says_why_and_what_to_try(qtbot, kiosk_window, tmp_path: Path) -> None:
    """A terminal with no content yet: the list screens explain themselves instead of showing a blank panel."""
    with Terminal(tmp_path / "t", fixed_clock(TEST_NOW)) as terminal:
        window = kiosk_window(terminal, size=PORTRAIT, large=True)
        for name in ("documents", "guides", "notices", "subsidies"):
            window.go_home()
            window.show_screen(name)
            empty = visible(current(window), QLabel, "list-empty")
            assert empty is not None, name
            assert "返回" in empty.text() and "呼叫工作人员" in empty.text()
        window.go_home()
        window.show_screen("search")
        assert visible(current(window), QLabel, "list-empty") is None  # search has its own words for nothing found


def test_an_entrances_payment_row_opens_this_villages_payments_of_that_policy(qtbot, kiosk_window, demo_terminal: Terminal) -> None:
    window = kiosk_window(demo_terminal, size=PORTRAIT, large=True)
    tap(qtbot, entrance(window, "农业补贴"))
    tap_row_titled(qtbot, current(window), "本村发放名单：耕地地力保护补贴")
    screen = current(window)
    assert screen.objectName() == "subsidies" and screen.stack.currentIndex() == 1
    model = screen.payment_model
    subtitles = [model.data(model.index(i, 0), 256).subtitle for i in range(model.rowCount())]
    assert subtitles and all("耕地地力保护补贴" in s for s in subtitles)
    assert model.total == dict((pid, n) for pid, _name, n in window.browser.payment_policies(demo_terminal.region))[screen.filters.policy_id]
