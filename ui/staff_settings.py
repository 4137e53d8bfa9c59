"""设置 in staff mode: an editor generated from the settings declaration (``kiosk/settings.py``).

It lists only what staff may change (``changed_by`` staff or both), a page at a time, and edits
each with the editor its declaration calls for: choices (and true/false) as buttons, numbers on a
digit pad with their range, text on the on-screen keyboard with the symbols addresses and queue
names need. A value is checked and saved exactly as ``kiosk config set`` does (``parse_text``,
then ``Settings.set_local``), so a refusal reads the same words; a saved value is applied at
once through the window, as a change to ``settings.json`` from the CLI would be.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.i18n import N_, tr
from kiosk.settings import AT_ONCE, NEXT_SCREEN, RESTART, SETTINGS, Setting, bounds_of, choices_of, parse_text
from ui import theme
from ui.chooser import Chooser, Overlay
from ui.keyboard import KeyboardPanel
from ui.widgets import big_button, plain_label, screen_column

if TYPE_CHECKING:
    from ui.window import MainWindow

log = logging.getLogger(__name__)

EDITABLE: tuple[Setting, ...] = tuple(setting for setting in SETTINGS if setting.changed_by in ("staff", "both"))
APPLIES_TEXT = {AT_ONCE: N_("立即生效"), NEXT_SCREEN: N_("下一个页面起生效"), RESTART: N_("重启程序后生效")}
TEXT_SYMBOLS = "-_.:/@,"


def shown_value(value: Any, lang: str) -> str:
    if isinstance(value, bool):
        return tr("是", lang) if value else tr("否", lang)
    return str(value) if value != "" else tr("（空）", lang)


class NumberPad(Overlay):
    """Digits, 删除, 取消 and 确定 for a whole number, with the range the setting accepts."""

    def __init__(self, parent: QWidget, title: str, initial: int, bounds: tuple[int, int] | None,
                 on_done: Callable[[str], None], scale: theme.Scale, lang: str) -> None:
        super().__init__(parent, "number-pad", "rgba(0, 0, 0, 150)")
        self._on_done = on_done
        layout = self.add_panel(scale, margin=scale.spacing_px * 3, centred=True)
        heading = plain_label(title)
        heading.setStyleSheet(f"color: {theme.INK}; font-size: {scale.title_px}px; font-weight: bold;")
        layout.addWidget(heading)
        if bounds:
            hint = plain_label(tr("范围 {low}–{high}", lang, low=bounds[0], high=bounds[1]))
            hint.setStyleSheet(f"color: {theme.MUTED}; font-size: {scale.body_px}px;")
            layout.addWidget(hint)
        self.text = str(initial)
        self.display = plain_label(self.text)
        self.display.setObjectName("number-display")
        self.display.setStyleSheet(f"color: {theme.INK}; background: {theme.PAPER}; border: 3px solid {theme.HEADER};"
                                   f" font-size: {scale.title_px}px; padding: 8px;")
        layout.addWidget(self.display)
        grid = QGridLayout()
        for index, digit in enumerate("1234567890"):
            key = big_button(digit, scale, name=f"num-{digit}", width_factor=1.4)
            key.clicked.connect(lambda _checked=False, d=digit: self.type_digit(d))
            grid.addWidget(key, index // 5, index % 5)
        layout.addLayout(grid)
        row = QHBoxLayout()
        delete = big_button(tr("删除", lang), scale, name="num-delete")
        delete.clicked.connect(self.backspace)
        cancel = big_button(tr("取消", lang), scale, name="num-cancel")
        cancel.clicked.connect(self.close_overlay)
        done = big_button(tr("确定", lang), scale, name="num-done", primary=True)
        done.clicked.connect(self.done)
        row.addWidget(delete)
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(done)
        layout.addLayout(row)
        self.present()

    def type_digit(self, digit: str) -> None:
        if len(self.text) < 9:
            self.text = (self.text if self.text != "0" else "") + digit
        self.display.setText(self.text)

    def backspace(self) -> None:
        self.text = self.text[:-1]
        self.display.setText(self.text)

    def done(self) -> None:
        text = self.text
        self.close_overlay()
        self._on_done(text)


class SettingsEditor(QWidget):
    def __init__(self, window: MainWindow, *, on_back: Callable[[], None], on_home: Callable[[], None]) -> None:
        super().__init__()
        self.setObjectName("staff-settings")
        self.window_ = window
        self.scale, self.lang = window.scale, window.lang
        layout = screen_column(self, tr("设置", self.lang), self.scale, self.lang, on_back, on_home)
        body = QVBoxLayout()
        pad = self.scale.spacing_px
        body.setContentsMargins(pad, pad // 2, pad, pad // 2)
        body.setSpacing(pad // 3)
        layout.addLayout(body, 1)
        self.rows = QVBoxLayout()
        self.rows.setSpacing(pad // 3)
        body.addLayout(self.rows)
        body.addStretch(1)
        self.message = plain_label()
        self.message.setObjectName("settings-message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.INK}; font-size: {self.scale.body_px}px; font-weight: bold;")
        body.addWidget(self.message)
        pager = QHBoxLayout()
        self.previous = big_button(tr("上一页", self.lang), self.scale, name="settings-previous")
        self.previous.clicked.connect(lambda: self.show_page(self.page - 1))
        self.page_label = plain_label()
        self.page_label.setObjectName("settings-page")
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page_label.setStyleSheet(f"color: {theme.INK}; font-size: {self.scale.body_px}px;")
        self.next = big_button(tr("下一页", self.lang), self.scale, name="settings-next")
        self.next.clicked.connect(lambda: self.show_page(self.page + 1))
        pager.addWidget(self.previous)
        pager.addWidget(self.page_label, 1)
        pager.addWidget(self.next)
        body.addLayout(pager)
        room = window.height() - 4 * self.scale.min_touch_px - 3 * self.scale.body_px - 4 * pad
        self.per_page = max(3, room // (self.scale.min_touch_px + pad // 3))
        self.page = 0
        self.show_page(0)

    @property
    def pages(self) -> int:
        return (len(EDITABLE) + self.per_page - 1) // self.per_page

    def show_page(self, page: int) -> None:
        self.page = max(0, min(page, self.pages - 1))
        while self.rows.count():
            item = self.rows.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        settings = self.window_.terminal.settings
        for setting in EDITABLE[self.page * self.per_page:(self.page + 1) * self.per_page]:
            text = f"{setting.key}　{shown_value(settings[setting.key], self.lang)}"
            row = big_button(text, self.scale, name=f"setting-{setting.key}", width_factor=6)
            row.setStyleSheet(row.styleSheet() + " QPushButton { text-align: left; }")
            row.clicked.connect(lambda _checked=False, s=setting: self.edit(s))
            self.rows.addWidget(row)
        self.page_label.setText(tr("第 {page} / {pages} 页", self.lang, page=self.page + 1, pages=self.pages))
        self.previous.setEnabled(self.page > 0)
        self.next.setEnabled(self.page < self.pages - 1)

    def edit(self, setting: Setting) -> None:
        """The editor the setting's declaration calls for, over this screen."""
        value = self.window_.terminal.settings[setting.key]
        title = f"{setting.key}: {setting.description}"
        choices = choices_of(setting)
        if choices:
            options = [(shown_value(choice, self.lang), choice) for choice in choices]
            Chooser(self, title, options, lambda chosen: self.save(setting, chosen), self.scale, self.lang, columns=3)
        elif setting.type is int:
            NumberPad(self, title, int(value), bounds_of(setting), lambda text: self.save_text(setting, text), self.scale, self.lang)
        else:
            KeyboardPanel(self, title, str(value), lambda text: self.save_text(setting, text), self.scale, self.lang,
                          vocabulary=[], symbols=TEXT_SYMBOLS)

    def save_text(self, setting: Setting, text: str) -> None:
        try:
            value = parse_text(setting.key, text)
        except ValueError as exc:
            self.message.setText(str(exc))
            return
        self.save(setting, value)

    def save(self, setting: Setting, value: Any) -> None:
        """Check and write as ``kiosk config set`` does; refused with its words, or applied at once."""
        window = self.window_
        try:
            window.terminal.settings.set_local(setting.key, value)
        except ValueError as exc:
            self.message.setText(str(exc))
            return
        log.warning("staff changed setting %s on the screen", setting.key)
        window.apply_settings(window.terminal.reload_settings())
        when = tr(APPLIES_TEXT[setting.applies], self.lang)
        self.message.setText(tr("已保存：{key} = {value}（{when}）", self.lang, key=setting.key,
                                value=shown_value(window.terminal.settings[setting.key], self.lang), when=when))
        self.show_page(self.page)
