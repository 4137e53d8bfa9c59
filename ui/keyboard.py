"""On-screen keyboard: an A–Z pad (alphabetical, for people who don't know QWERTY), digits, and
pinyin candidates, so Chinese can be entered with one finger and no system input method.

A 手写 key swaps the letters for a handwriting pad (``ui/handwriting.py``) in the same space, so nothing
around the keyboard moves; its 拼音 key swaps back. Candidates come a barful at a time, 更多 shows the next.

Typed letters stay *pending*: they are searched as first letters (gdzb) or pinyin while the
candidate bar offers the words they spell (耕地…); tapping a candidate commits it. The text a
screen sees is ``committed + pending``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import lru_cache

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from kiosk.i18n import tr
from kiosk.ime import PinyinIme
from ui import theme
from ui.chooser import Overlay
from ui.handwriting import HandwritingPad
from ui.widgets import big_button, button_text, plain_label

LETTER_ROWS = ("ABCDEFG", "HIJKLMN", "OPQRST", "UVWXYZ")
DIGITS = "1234567890"
CANDIDATES_SHOWN = 8  # buttons in the bar; 更多 pages through up to CANDIDATES_FETCHED
CANDIDATES_FETCHED = 48


_BUILD_LOCK = threading.Lock()


@lru_cache(maxsize=4)
def _cached_ime(vocabulary: tuple[str, ...]) -> PinyinIme:
    return PinyinIme(vocabulary)


def ime_for(vocabulary: Sequence[str]) -> PinyinIme:
    """One engine per vocabulary, kept: building it ranks the dictionary against the content (about 1 s).

    The window builds it in the background at start (``MainWindow.warm_up``); the lock makes a
    search opened meanwhile wait for that build instead of starting a second one.
    """
    with _BUILD_LOCK:
        return _cached_ime(tuple(vocabulary))


class Keyboard(QWidget):
    """Emits ``text_changed`` with committed text plus pending letters after every tap."""

    text_changed = Signal(str)
    mode_changed = Signal()  # letters ↔ handwriting pad

    def __init__(self, scale: theme.Scale, lang: str, ime: PinyinIme, *, initial: str = "", names: bool = False) -> None:
        """``names``: a name field, whose candidates put surnames first (kiosk/ime.py, ``names``)."""
        super().__init__()
        self.setObjectName("keyboard")
        self.scale = scale
        self.lang = lang
        self.ime = ime
        self.names = names
        self.committed = initial
        self.pending = ""
        self._offset = 0  # first candidate on show; 更多 moves it on
        self._words: list[str] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.pages = QStackedWidget()  # both pages in one space: switching never moves what is around the keyboard
        outer.addWidget(self.pages)
        outer.addStretch(1)  # keys stay together at the top; spare height goes below
        letters_page = QWidget()
        self.pages.addWidget(letters_page)
        layout = QVBoxLayout(letters_page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(scale.spacing_px // 3)
        self.candidate_row = QHBoxLayout()
        self.pinyin = plain_label()
        self.pinyin.setObjectName("pinyin-pending")
        self.pinyin.setStyleSheet(f"color: {theme.MUTED}; font-size: {scale.body_px}px;")
        self.pinyin.setMinimumWidth(scale.body_px * 4)
        self.candidate_row.addWidget(self.pinyin)
        self.candidate_buttons: list[QPushButton] = []
        self._candidate_font = QFont(self.font())
        self._candidate_font.setPixelSize(scale.body_px)
        self._candidate_font.setBold(True)
        for index in range(CANDIDATES_SHOWN):
            button = big_button("", scale, name=f"candidate-{index}", width_factor=1.2)
            button.clicked.connect(lambda _checked=False, i=index: self.pick(i))
            button.setVisible(False)
            self.candidate_row.addWidget(button)
            self.candidate_buttons.append(button)
        self.more = big_button(tr("更多", lang), scale, name="candidate-more", width_factor=1.4)
        self.more.clicked.connect(self.more_candidates)
        self.more.setVisible(False)
        self.candidate_row.addStretch(1)
        self.candidate_row.addWidget(self.more)
        candidates = QWidget()
        candidates.setFixedHeight(scale.min_touch_px + 4)  # the pad must not jump when candidates come and go
        candidates.setLayout(self.candidate_row)
        self.candidate_row.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(candidates)
        grid = QGridLayout()
        grid.setSpacing(scale.spacing_px // 3)
        for row, letters in enumerate(LETTER_ROWS):
            for column, letter in enumerate(letters):
                key = big_button(letter, scale, name=f"key-{letter}", width_factor=1.15)
                key.clicked.connect(lambda _checked=False, ch=letter: self.type_letter(ch))
                grid.addWidget(key, row, column)
        # the short rows end with the editing keys, so the pad stays a compact rectangle
        delete = big_button(tr("删除", lang), scale, name="key-delete", width_factor=1.15)
        delete.clicked.connect(self.backspace)
        grid.addWidget(delete, 2, 6)
        clear = big_button(tr("清空", lang), scale, name="key-clear", width_factor=1.15)
        clear.clicked.connect(self.clear)
        grid.addWidget(clear, 3, 6)
        layout.addLayout(grid)
        digits = QHBoxLayout()
        digits.setSpacing(scale.spacing_px // 3)
        for digit in DIGITS:
            key = big_button(digit, scale, name=f"key-{digit}", width_factor=0.8)
            key.clicked.connect(lambda _checked=False, ch=digit: self.type_digit(ch))
            digits.addWidget(key)
        to_pad = big_button(tr("手写", lang), scale, name="key-handwriting", width_factor=1.4)
        to_pad.clicked.connect(self.show_handwriting)
        digits.addWidget(to_pad)
        layout.addLayout(digits)
        self.pad = HandwritingPad(scale, lang)
        self.pad.picked.connect(self.type_character)
        self.pad.delete.connect(self.backspace)
        self.pad.to_pinyin.connect(self.show_letters)
        self.pages.addWidget(self.pad)
        self._refresh_candidates()

    @property
    def handwriting(self) -> bool:
        return self.pages.currentWidget() is self.pad

    def show_handwriting(self) -> None:
        """The pad in place of the letters; half-typed pinyin is dropped (it would be read with what is written)."""
        self.pad.open()
        self.pages.setCurrentWidget(self.pad)
        if self.pending:
            self.pending = ""
            self._changed()
        self.mode_changed.emit()

    def show_letters(self) -> None:
        self.pad.reset()
        self.pages.setCurrentIndex(0)
        self.mode_changed.emit()

    def type_character(self, character: str) -> None:
        """A character written on the pad and picked."""
        self.committed += self.pending + character
        self.pending = ""
        self._changed()

    def more_candidates(self) -> None:
        shown = sum(1 for button in self.candidate_buttons if button.isVisibleTo(self))
        self._offset = self._offset + shown if self._offset + shown < len(self._words) else 0
        self._show_candidates()

    @property
    def text(self) -> str:
        return self.committed + self.pending.lower()

    def type_letter(self, letter: str) -> None:
        if len(self.pending) < 40:  # a pinyin phrase is never longer; stops a stuck finger
            self.pending += letter.lower()
        self._changed()

    def type_digit(self, digit: str) -> None:
        self.committed += self.pending + digit
        self.pending = ""
        self._changed()

    def pick(self, index: int) -> None:
        button = self.candidate_buttons[index]
        if not button.isVisible():
            return
        self.committed += button.accessibleName()  # the word itself: text() has every & doubled (ui.widgets.button_text)
        self.pending = ""
        self._changed()

    def backspace(self) -> None:
        if self.pending:
            self.pending = self.pending[:-1]
        else:
            self.committed = self.committed[:-1]
        self._changed()

    def clear(self) -> None:
        self.committed, self.pending = "", ""
        self.pad.reset()
        self._changed()

    def set_text(self, text: str) -> None:
        """Replace everything (a hot search tapped, the idle reset clearing what was typed), half-written strokes too."""
        self.committed, self.pending = text, ""
        self.pad.reset()
        self._changed()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._refresh_candidates()  # how many candidates fit depends on the width

    def _changed(self) -> None:
        self._offset = 0
        self._refresh_candidates()
        self.text_changed.emit(self.text)

    def _refresh_candidates(self) -> None:
        self._words = self.ime.candidates(self.pending, limit=CANDIDATES_FETCHED, names=self.names) if self.pending else []
        self.pinyin.setText(" ".join(self.ime.syllables(self.pending)) if self.pending else "")
        self._show_candidates()

    def _show_candidates(self) -> None:
        words = self._words[self._offset:]
        metrics = QFontMetrics(self._candidate_font)
        room = max(self.width(), self.minimumSizeHint().width()) - self.pinyin.minimumWidth() - self.scale.spacing_px
        room -= self.more.minimumWidth() + self.candidate_row.spacing()  # kept for 更多 whether shown or not: nothing shifts
        shown = 0
        for button, word in zip(self.candidate_buttons, [*words, *[""] * CANDIDATES_SHOWN], strict=False):
            width = max(self.scale.min_touch_px, metrics.horizontalAdvance(word) + self.scale.spacing_px * 2)
            room -= width + self.candidate_row.spacing()
            fits = bool(word) and room >= 0  # only whole buttons: a squeezed candidate would overlap its neighbour
            button.setText(button_text(word) if fits else "")
            button.setMinimumWidth(width)
            button.setAccessibleName(word if fits else "")
            button.setVisible(fits)
            shown += fits
        self.more.setVisible(self._offset + shown < len(self._words) or self._offset > 0)


class KeyboardPanel(Overlay):
    """The keyboard as a cover over a screen, with what was typed, 确定 and 取消 (a name filter)."""

    def __init__(self, parent: QWidget, prompt: str, initial: str, on_done: Callable[[str], None], scale: theme.Scale, lang: str, *,
                 vocabulary: Sequence[str], names: bool = False, symbols: str = "") -> None:
        """``symbols``: a row of extra keys (``-_.:/`` for a printer queue or an address in the staff settings)."""
        super().__init__(parent, "keyboard-panel", theme.BACKDROP)
        self._on_done = on_done
        layout = QVBoxLayout(self)
        layout.setContentsMargins(scale.spacing_px, scale.spacing_px, scale.spacing_px, scale.spacing_px)
        heading = plain_label(prompt)
        heading.setStyleSheet(f"color: {theme.INK}; font-size: {scale.title_px}px; font-weight: bold;")
        layout.addWidget(heading)
        self.display = plain_label(initial)
        self.display.setObjectName("typed-text")
        self.display.setStyleSheet(f"color: {theme.INK}; background: {theme.PAPER}; border: 3px solid {theme.HEADER};"
                                   f" font-size: {scale.title_px}px; padding: 8px; min-height: {scale.min_touch_px}px;")
        layout.addWidget(self.display)
        self.keyboard = Keyboard(scale, lang, ime_for(vocabulary), initial=initial, names=names)
        self.keyboard.text_changed.connect(self.display.setText)
        layout.addWidget(self.keyboard, 1)
        if symbols:
            row = QHBoxLayout()
            for index, symbol in enumerate(symbols):
                key = big_button(symbol, scale, name=f"key-symbol-{index}", width_factor=0.8)
                key.clicked.connect(lambda _checked=False, ch=symbol: self.keyboard.type_digit(ch))  # commits like a digit
                row.addWidget(key)
            row.addStretch(1)
            layout.addLayout(row)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = big_button(tr("取消", lang), scale, name="keyboard-cancel")
        cancel.clicked.connect(self.close_overlay)
        done = big_button(tr("确定", lang), scale, name="keyboard-done", primary=True)
        done.clicked.connect(self.done)
        buttons.addWidget(cancel)
        buttons.addWidget(done)
        layout.addLayout(buttons)
        self.present()

    def done(self) -> None:
        text = self.keyboard.text
        self.close_overlay()
        self._on_done(text)
