"""The search screen counts what people did not find (issue 14 item 3): the query a reader ends on, once,
on the terminal's local day, and never a name on a payment list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.clock import fixed_clock
from kiosk.terminal import Terminal
from kiosk.usage import UsageLog
from tests.helpers.clock import TEST_NOW
from tests.helpers.qt import button, current, tap


@pytest.fixture
def fresh_demo(tmp_path: Path) -> Iterator[Terminal]:
    """The demo county in a folder of its own: this test writes usage.sqlite."""
    with Terminal(tmp_path / "terminal", fixed_clock(TEST_NOW)) as terminal:
        terminal.ensure_demo_content()
        yield terminal


def counted(terminal: Terminal) -> list[tuple[str, int]]:
    log = UsageLog(terminal.data_dir / "usage.sqlite")
    try:
        return log.zero_results(TEST_NOW.date(), 50)
    finally:
        log.close()


def test_the_query_a_reader_ends_on_is_counted_once(qtbot, kiosk_window, fresh_demo: Terminal) -> None:
    window = kiosk_window(fresh_demo)
    window.show_screen("search")
    screen = current(window)
    for letter in "qxzw":  # a search after every letter: q finds something, qx… nothing
        tap(qtbot, button(window, f"key-{letter.upper()}"))
        screen.run_search()  # skip the debounce pause
    assert not screen.hits and counted(fresh_demo) == []  # still typing: nothing counted yet
    recipient = fresh_demo.store.sql("SELECT json_extract(data, '$.recipient') FROM record_full WHERE kind = 'subsidy_payment' LIMIT 1")[0][0]
    screen.keyboard.set_text(recipient.replace("*", "某"))  # 张*明 typed in full as 张某明: a name on a payment list
    screen.run_search()
    assert not screen.hits  # found nothing, so only the privacy filter keeps it out of the count
    screen.keyboard.set_text("火星移民补贴")
    screen.run_search()
    assert not screen.hits
    tap(qtbot, button(window, "home"))  # leaving the screen ends the search
    assert counted(fresh_demo) == [("qxzw", 1), ("火星移民补贴", 1)]  # the name was searched and found nothing, but is not counted
