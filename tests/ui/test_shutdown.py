"""One shutdown path stops every worker on quit (issue 13, item 3), and one task helper runs one-shot work.

The kiosk runs as ``kiosk run`` runs it (``run_kiosk``: the window, background sync, the settings watch),
a print preview and the keyboard's warm-up go through the task helper, the print queue and the speech
worker are busy; then the application quits, and no worker thread may be left alive.
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from app.background import make_background
from kiosk.clock import fixed_clock
from kiosk.terminal import Terminal
from tests.helpers.clock import TEST_NOW
from tests.helpers.records import make
from ui.app import run_kiosk
from ui.printing import PrintButtons, PrintPreview
from ui.speech import NULL_PLAYER, Speaker
from ui.tasks import Tasks
from ui.window import MainWindow

WORKER_NAMES = ("print-queue", "speech-worker", "sync", "task")


def _workers() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if thread.is_alive() and thread.name.startswith(WORKER_NAMES)}


def _run_args() -> argparse.Namespace:
    return argparse.Namespace(screenshot=None, screen="home", size="1280x800", large=False, lang=None, kiosk_mode=False)


def test_quitting_the_kiosk_stops_every_worker(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _workers()
    terminal = Terminal(tmp_path / "terminal", fixed_clock(TEST_NOW))
    terminal.store.apply([make("document", "doc-1"), make("notice", "notice-1"), make("region", "region-village")])
    made: list[MainWindow] = []
    real_init = MainWindow.__init__

    def init(window: MainWindow, *args, **kwargs) -> None:  # the window run_kiosk makes, with a speech engine that needs no sound card
        real_init(window, *args, speaker=Speaker(player=NULL_PLAYER), **{k: v for k, v in kwargs.items() if k != "speaker"})
        made.append(window)

    monkeypatch.setattr(MainWindow, "__init__", init)
    seen: dict[str, set[str]] = {}

    def use_everything() -> None:
        window = made[0]
        window.show_screen("document")
        buttons = window.stack.currentWidget().findChild(PrintButtons, "print-buttons")
        buttons._preview("a4")  # a preview made through the task helper, the print queue started
        preview = window.findChild(PrintPreview, "print-preview")
        qtbot.waitUntil(lambda: preview.pdf is not None, timeout=15_000)
        preview._print()
        qtbot.waitUntil(lambda: window.background.scheduler.last_report is not None, timeout=15_000)  # a sync cycle ran
        seen["running"] = {thread.name.split("_")[0] for thread in _workers() - before}

    def exec_then_quit(app: QApplication) -> int:
        """The event loop as qtbot runs it, then what quitting emits (a real exec() and quit() would leave this test
        process's application unable to deliver queued signals to the tests after it)."""
        use_everything()
        app.aboutToQuit.emit()
        return 0

    monkeypatch.setattr(QApplication, "exec", exec_then_quit)
    assert run_kiosk(terminal, _run_args(), background=make_background(terminal, first_delay_s=0.1)) == 0
    assert seen["running"] >= {"print-queue", "speech-worker", "sync", "task"}, seen
    assert _workers() - before == set()  # after aboutToQuit → MainWindow.shutdown()
    made[0].shutdown()  # a second call does nothing
    QApplication.instance().aboutToQuit.disconnect(made[0].shutdown)
    made[0].deleteLater()
    terminal.close()


def test_shutdown_is_safe_when_nothing_was_started(qtbot, tmp_path: Path) -> None:
    with Terminal(tmp_path / "terminal", fixed_clock(TEST_NOW)) as terminal:
        window = MainWindow(terminal)
        qtbot.addWidget(window)
        before = _workers()
        window.shutdown()
        assert _workers() <= before and window._desk is None and window._speaker is None  # nothing started to stop


class Owner(QObject):
    pass


def test_a_task_runs_off_the_gui_thread_and_answers_on_it(qtbot) -> None:
    tasks = Tasks()
    gui = threading.current_thread()
    ran_on: list[threading.Thread] = []
    done: list[tuple[int, threading.Thread]] = []
    failed: list[tuple[BaseException, threading.Thread]] = []

    def work() -> int:
        ran_on.append(threading.current_thread())
        return 42

    def broken() -> int:
        raise ValueError("no such page")

    tasks.run(work, lambda result: done.append((result, threading.current_thread())))
    tasks.run(broken, lambda _result: done.append((-1, gui)), lambda error: failed.append((error, threading.current_thread())))
    qtbot.waitUntil(lambda: len(done) == 1 and len(failed) == 1, timeout=5_000)
    assert ran_on[0] is not gui and ran_on[0].name.startswith("task")
    assert done == [(42, gui)]  # the result comes back on the GUI thread
    assert isinstance(failed[0][0], ValueError) and failed[0][1] is gui
    tasks.stop()
    assert not any(thread.name.startswith("task") for thread in _workers() if thread in ran_on)


def test_a_task_whose_owner_is_gone_is_not_answered_and_stop_refuses_new_work(qtbot) -> None:
    tasks = Tasks()
    owner = Owner()
    release = threading.Event()
    answered: list[int] = []
    tasks.run(lambda: release.wait(5) and 1, answered.append, owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _alive(owner), timeout=2_000)
    release.set()
    qtbot.wait(200)
    assert answered == []  # the preview that asked was closed: nothing calls into it
    tasks.stop()
    tasks.run(lambda: 2, answered.append)
    qtbot.wait(200)
    assert answered == [] and not tasks.busy


def _alive(owner: QObject) -> bool:
    import shiboken6

    return shiboken6.isValid(owner)
