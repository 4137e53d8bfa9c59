"""手写: strokes drawn with one finger (real mouse events) on the pad of the search screen and the name filter,
the keypad that never moves, the surname picker. Strokes are real ones (tests/helpers/strokes.py)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QListView, QPushButton, QWidget

from kiosk import handwriting
from kiosk.browse import Browser
from kiosk.terminal import Terminal
from tests.helpers.qt import button, current, tap
from tests.helpers.strokes import BOX, STROKES
from ui.window import MainWindow

STEP_PX = 8  # a finger reports a point every few pixels


@pytest.fixture(autouse=True)
def fresh_recognizer() -> Iterator[None]:
    handwriting.reset_for_tests()
    yield
    handwriting.reset_for_tests()


def _shot(window: MainWindow, path: Path) -> None:
    QApplication.processEvents()
    window.grab().save(str(path))


def _canvas(window: MainWindow) -> QWidget:
    canvases = [c for c in current(window).findChildren(QWidget, "handwriting-canvas") if c.isVisible()]
    assert len(canvases) == 1, canvases
    return canvases[-1]


def draw(canvas: QWidget, character: str) -> None:
    """The character's strokes as press, moves every few pixels, release, scaled to the canvas."""
    def at(point: tuple[int, int]) -> QPoint:
        return QPoint(round(point[0] * canvas.width() / BOX), round(point[1] * canvas.height() / BOX))

    for stroke in STROKES[character]:
        QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(stroke[0]))
        for start, end in pairwise(stroke):
            a, b = at(start), at(end)
            steps = max(1, round(max(abs(b.x() - a.x()), abs(b.y() - a.y())) / STEP_PX))
            for i in range(1, steps + 1):
                QTest.mouseMove(canvas, QPoint(a.x() + (b.x() - a.x()) * i // steps, a.y() + (b.y() - a.y()) * i // steps))
        QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(stroke[-1]))


def draw_by_touch(canvas: QWidget, character: str) -> None:
    """The same strokes as one finger on a touch screen, through the window as the platform delivers touches
    (QTest's touch events addressed to a child widget never arrive in PySide6 6.x, so they go to its window)."""
    device = QTest.createTouchDevice()
    window = canvas.window()

    def at(point: tuple[int, int]) -> QPoint:
        return canvas.mapTo(window, QPoint(round(point[0] * canvas.width() / BOX), round(point[1] * canvas.height() / BOX)))

    for stroke in STROKES[character]:
        QTest.touchEvent(window, device).press(0, at(stroke[0]), window).commit()
        for start, end in pairwise(stroke):
            a, b = at(start), at(end)
            steps = max(1, round(max(abs(b.x() - a.x()), abs(b.y() - a.y())) / STEP_PX))
            for i in range(1, steps + 1):
                point = QPoint(a.x() + (b.x() - a.x()) * i // steps, a.y() + (b.y() - a.y()) * i // steps)
                QTest.touchEvent(window, device).move(0, point, window).commit()
        QTest.touchEvent(window, device).release(0, at(stroke[-1]), window).commit()
        QApplication.processEvents()


def _candidates(window: MainWindow) -> list[str]:
    return [b.text() for b in current(window).findChildren(QPushButton) if b.objectName().startswith("hw-candidate-")
            and b.isVisible() and b.isEnabled()]


def _pick(qtbot, window: MainWindow, character: str) -> None:
    found = [b for b in current(window).findChildren(QPushButton) if b.objectName().startswith("hw-candidate-")
             and b.isVisible() and b.text() == character]
    assert found, f"{character} not among {_candidates(window)}"
    tap(qtbot, found[0])


def _rows(window: MainWindow) -> list:
    views = [v for v in current(window).findChildren(QListView, "touch-list") if v.isVisible()]
    model = views[0].model()
    return [model.index(i, 0).data(Qt.ItemDataRole.UserRole) for i in range(model.rowCount())]


def test_writing_di_then_bao_on_the_pad_searches_dibao(qtbot, kiosk_window, demo_terminal: Terminal, shots: Path) -> None:
    window = kiosk_window(demo_terminal)
    window.show_screen("search")
    screen = current(window)
    assert not handwriting.is_loaded()  # the model waits until someone opens the pad
    tap(qtbot, button(window, "key-handwriting"))
    assert handwriting.is_loaded() and screen.keyboard.handwriting
    assert "手写板" in screen.findChild(QLabel, "search-query").text()
    assert button(window, "hw-pinyin").isVisible() and not screen.findChild(QPushButton, "key-A").isVisible()
    draw(_canvas(window), "低")
    assert "低" in _candidates(window)
    _shot(window, shots / "handwriting-di-1920x1080.png")
    _pick(qtbot, window, "低")
    assert _candidates(window) == [] and _canvas(window).strokes == []  # the pad is clean for the next character
    draw(_canvas(window), "保")

    _pick(qtbot, window, "保")
    screen.run_search()  # skip the debounce pause
    assert screen.findChild(QLabel, "search-query").text() == "低保"
    rows = _rows(window)
    assert rows and all(any(word in row.title + row.subtitle for word in ("低保", "最低生活保障")) for row in rows[:3])  # 低保 is 最低生活保障 too (a synonym)
    _shot(window, shots / "handwriting-dibao-results-1920x1080.png")
    tap(qtbot, button(window, "hw-delete"))
    assert screen.keyboard.text == "低"
    tap(qtbot, button(window, "hw-pinyin"))
    assert button(window, "key-A").isVisible()


def test_undo_takes_back_the_last_stroke_only(qtbot, kiosk_window, demo_terminal: Terminal) -> None:
    window = kiosk_window(demo_terminal, large=True)
    window.show_screen("search")
    tap(qtbot, button(window, "key-handwriting"))
    canvas = _canvas(window)
    draw(canvas, "村")
    assert "村" in _candidates(window)
    draw(canvas, "人")  # a slip: two more strokes
    assert len(canvas.strokes) == len(STROKES["村"]) + 2 and "村" not in _candidates(window)
    tap(qtbot, button(window, "hw-undo"))
    tap(qtbot, button(window, "hw-undo"))
    assert len(canvas.strokes) == len(STROKES["村"]) and "村" in _candidates(window)
    tap(qtbot, button(window, "hw-clear"))
    assert canvas.strokes == [] and _candidates(window) == []
    draw_by_touch(canvas, "人")
    assert len(canvas.strokes) == len(STROKES["人"]) and "人" in _candidates(window)
    tap(qtbot, button(window, "suggestion-0"))  # a hot search tapped meanwhile: the half-written strokes go
    assert canvas.strokes == [] and _candidates(window) == []


def test_without_the_model_the_pad_says_so_and_pinyin_still_works(qtbot, kiosk_window, demo_terminal: Terminal, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(handwriting.MODEL_ENV, str(tmp_path / "missing.model"))
    window = kiosk_window(demo_terminal)
    window.show_screen("search")
    tap(qtbot, button(window, "key-handwriting"))
    status = current(window).findChild(QLabel, "handwriting-status").text()
    assert "不能识别手写" in status and "拼音" in status
    assert not _canvas(window).isEnabled()
    tap(qtbot, button(window, "hw-pinyin"))
    for letter in "DB":
        tap(qtbot, button(window, f"key-{letter}"))
    assert current(window).keyboard.text == "db"


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800)])
def test_the_keypad_never_moves_while_typing(qtbot, kiosk_window, demo_terminal: Terminal, size: tuple[int, int], shots: Path) -> None:
    """Hot searches (nothing typed), suggestions (db), none at all (qqqq), the pad: the keys stay where they were."""
    window = kiosk_window(demo_terminal, size=size)
    window.show_screen("search")
    screen = current(window)

    def key_place() -> QPoint:
        QApplication.processEvents()
        return screen.keyboard.mapTo(window, QPoint(0, 0))

    before = key_place()
    assert button(window, "suggestion-0").isVisible()  # 热门搜索 on show
    for letter in "DB":
        tap(qtbot, button(window, f"key-{letter}"))
    screen.run_search()
    assert button(window, "suggestion-0").isVisible()  # 猜您想找 on show
    assert key_place() == before
    _shot(window, shots / f"search-typing-{size[0]}x{size[1]}.png")
    tap(qtbot, button(window, "key-clear"))
    for letter in "QQQQ":
        tap(qtbot, button(window, f"key-{letter}"))
    screen.run_search()
    assert not [b for b in screen.findChildren(QPushButton) if b.objectName().startswith("suggestion-") and b.isVisible()]
    assert key_place() == before
    key_a = button(window, "key-A").mapTo(window, QPoint(0, 0))
    tap(qtbot, button(window, "key-handwriting"))
    assert key_place() == before
    tap(qtbot, button(window, "hw-pinyin"))
    assert button(window, "key-A").mapTo(window, QPoint(0, 0)) == key_a


def test_name_filter_offers_surnames_first_more_than_a_barful_and_a_handwriting_pad(qtbot, kiosk_window, demo_terminal: Terminal,
                                                                                     shots: Path) -> None:
    window = kiosk_window(demo_terminal, large=True)
    window.show_screen("subsidies")
    tap(qtbot, button(window, "tab-payments"))
    tap(qtbot, button(window, "filters-toggle"))  # landscape 大字模式: the filters are folded behind 筛选
    tap(qtbot, button(window, "find-name"))
    for letter in "ZHU":
        tap(qtbot, button(window, f"key-{letter}"))
    bar = [b.text() for b in current(window).findChildren(QPushButton) if b.objectName().startswith("candidate-")
           and b.objectName() != "candidate-more" and b.isVisible()]
    assert bar[:1] == ["朱"] or (bar and bar.index("朱") < min(bar.index(w) for w in ("主", "助") if w in bar) if "朱" in bar else False), bar
    tap(qtbot, button(window, "candidate-more"))
    more = [b.text() for b in current(window).findChildren(QPushButton) if b.objectName().startswith("candidate-")
            and b.objectName() != "candidate-more" and b.isVisible()]
    assert more and not set(more) & set(bar)  # the next candidates, beyond the first bar
    tap(qtbot, button(window, "key-clear"))
    tap(qtbot, button(window, "key-handwriting"))
    draw(_canvas(window), "王")
    _shot(window, shots / "name-filter-handwriting-large.png")
    _pick(qtbot, window, "王")
    tap(qtbot, button(window, "keyboard-done"))
    assert current(window).filters.name == "王"


def test_surname_picker_lists_the_surnames_on_the_list_and_filters_by_one(qtbot, kiosk_window, demo_terminal: Terminal, shots: Path) -> None:
    window = kiosk_window(demo_terminal)
    screen = window.show_screen("subsidies") or current(window)
    tap(qtbot, button(window, "tab-payments"))
    browser = Browser(demo_terminal.store, demo_terminal.scope())
    surnames = browser.payment_surnames(screen.village)
    assert len(surnames) >= 2
    tap(qtbot, button(window, "find-surname"))
    labels = [button(window, f"choice-{i}").text() for i in range(1, len(surnames) + 1)]
    assert [label.split("（")[0] for label in labels] == [s for s, _ in surnames]
    _shot(window, shots / "surname-picker-1920x1080.png")
    surname = surnames[0][0]
    tap(qtbot, button(window, "choice-1"))
    rows = _rows(window)
    assert rows and all(row.title.startswith(surname) for row in rows)
    assert button(window, "find-surname").text().endswith(surname)
    tap(qtbot, button(window, "find-surname"))
    tap(qtbot, button(window, "choice-0"))  # 全部姓氏
    assert len(_rows(window)) > len(rows)



def test_a_second_finger_or_a_palm_does_not_draw(qtbot, kiosk_window, demo_terminal: Terminal) -> None:
    window = kiosk_window(demo_terminal)
    window.show_screen("search")
    tap(qtbot, button(window, "key-handwriting"))
    canvas = _canvas(window)
    device = QTest.createTouchDevice()

    def at(x: int, y: int) -> QPoint:
        return canvas.mapTo(window, QPoint(x, y))

    QTest.touchEvent(window, device).press(0, at(20, 20), window).commit()
    QTest.touchEvent(window, device).move(0, at(60, 20), window).press(1, at(200, 200), window).commit()
    QTest.touchEvent(window, device).move(0, at(100, 20), window).move(1, at(220, 260), window).commit()
    QTest.touchEvent(window, device).release(0, at(140, 20), window).move(1, at(240, 280), window).commit()
    QTest.touchEvent(window, device).release(1, at(240, 290), window).commit()
    QApplication.processEvents()
    assert len(canvas.strokes) == 1
    assert {y for _x, y in canvas.strokes[0]} == {20.0}  # only the first finger's points, none of the palm's
