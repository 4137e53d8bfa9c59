"""朗读 on the reading screen: the demo's own content read without a switch to English, 停止 that kills the speech process at once,
the two looks of the button, and the piece being read shown and highlighted (with a screenshot of the screen while reading)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from kiosk import voices
from kiosk.speech_text import prepare
from kiosk.terminal import Terminal
from tests.helpers.qt import button, current, tap
from ui import pages
from ui.speech import Speaker, split_sentences
from ui.window import MainWindow

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (scripts/setup-system.sh)")

HOLD = ("sh", "-c", "cat > /dev/null; exec sleep 300")  # a player that plays each piece until it is killed


def _records(terminal: Terminal, kind: str, limit: int) -> list[dict]:
    rows = terminal.store.sql("SELECT data FROM record_full WHERE deleted = 0 AND kind = ? ORDER BY record_id LIMIT ?", [kind, limit])
    return [json.loads(data) for (data,) in rows]


def _demo_speech(terminal: Terminal) -> str:
    """What 朗读 says on a realistic sample of the demo: documents, policies, boards (payments and ledgers), guides, notices."""
    texts: list[str] = []
    for document in _records(terminal, "document", 12):
        texts += [part.speech for part in pages.document_parts(document, "zh_CN")]
    for policy in _records(terminal, "subsidy_policy", 16):
        texts += [part.speech for part in pages.policy_parts(policy, "zh_CN")]
    for board in _records(terminal, "board", 20):
        texts += [part.speech for part in pages.board_parts(board, "zh_CN")]
        if board.get("ledger"):
            texts.append(pages.ledger_speech(board, "zh_CN"))
    for guide in _records(terminal, "service_guide", 15):
        texts += [part.speech for part in pages.guide_parts(guide, "zh_CN")]
    for notice in _records(terminal, "notice", 8):
        texts += [part.speech for part in pages.notice_parts(notice, "zh_CN", "")]
    return "\n".join(texts)


@pytest.mark.parametrize("setting", ["cmn", "yue"])
def test_the_demo_content_is_read_without_leaving_chinese(demo_terminal: Terminal, setting: str) -> None:
    """Before: the cmn voice switched to English on most characters, and both voices on %, *, + and Latin letters."""
    text = _demo_speech(demo_terminal)
    assert len(text) > 20000 and any(ch.isdigit() for ch in text) and "元" in text
    voice = voices.choose(setting)
    output = voices.phonemes("\n".join(prepare(piece, setting) for piece in split_sentences(text)), voice.espeak)
    switched = [line for line in output.splitlines() if voices.switches(line)]
    assert switched == [], switched[:5]


@pytest.fixture
def reading(qtbot, demo_terminal: Terminal):
    """A window on a document's reading page with a speaker whose pieces play until killed."""
    speaker = Speaker(player=HOLD)
    speaker.start()
    assert speaker.available, speaker.unavailable_reason
    window = MainWindow(demo_terminal, speaker=speaker, large=False)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    window.show_screen("document")
    yield window, speaker
    speaker.stop()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_stop_kills_the_speech_process_at_once_and_the_button_changes_its_look(qtbot, reading) -> None:
    window, speaker = reading
    read = button(window, "read-aloud")
    idle = (read.text(), read.styleSheet(), read.property("speaking"))
    assert idle[0] == "朗读" and idle[2] is False
    with qtbot.waitSignal(speaker.started, timeout=10000):
        tap(qtbot, read)
    qtbot.waitUntil(lambda: len(speaker.process_ids) == 2, timeout=10000)
    speaking = (read.text(), read.styleSheet(), read.property("speaking"))
    assert speaking[0] == "停止朗读" and speaking[2] is True
    assert speaking[1] != idle[1]  # not only the words: the look (black with an amber frame instead of filled red)
    pids = speaker.process_ids
    tap(qtbot, read)  # 停止
    assert all(_gone(pid) for pid in pids), pids  # gone before the tap returned: nothing waited for the piece to end
    assert (read.text(), read.styleSheet(), read.property("speaking")) == idle
    assert not speaker.speaking and speaker.process_ids == ()
    with qtbot.waitSignal(speaker.started, timeout=10000):
        tap(qtbot, read)
    qtbot.waitUntil(lambda: len(speaker.process_ids) == 2, timeout=10000)
    pids = speaker.process_ids
    tap(qtbot, button(window, "home"))  # leaving the page stops its speech too
    assert all(_gone(pid) for pid in pids) and not speaker.speaking


def test_the_piece_being_read_is_shown_and_highlighted(qtbot, reading, shots: Path) -> None:
    window, speaker = reading
    page = current(window)
    read = button(window, "read-aloud")
    first = split_sentences(page.parts[0].speech)[0]
    with qtbot.waitSignal(speaker.reading, timeout=10000) as blocker:
        tap(qtbot, read)
    assert blocker.args == [0, first]
    assert page.now_reading.isVisible() and page.now_reading.text() == f"正在朗读：{first}"
    marks = page.text.extraSelections()
    assert len(marks) == 1 and marks[0].cursor.selectedText() and marks[0].cursor.selectedText() in first
    QApplication.processEvents()
    window.grab().save(str(shots / "read-aloud-speaking.png"))
    tap(qtbot, read)
    assert not page.now_reading.isVisible() and page.text.extraSelections() == []


def test_on_the_english_screen_read_aloud_says_it_reads_chinese(qtbot, demo_terminal: Terminal) -> None:
    speaker = Speaker(player=HOLD)
    speaker.start()
    window = MainWindow(demo_terminal, speaker=speaker, lang="en")
    qtbot.addWidget(window)
    window.show()
    window.show_screen("document")
    read = button(window, "read-aloud")
    assert read.text() == "Read aloud (Chinese)"
    with qtbot.waitSignal(speaker.reading, timeout=10000):
        tap(qtbot, read)
    assert current(window).now_reading.text().startswith("Reading aloud (in Chinese): ")
    assert read.text() == "Stop reading"
    speaker.stop()
