"""The staff panel: the terminal's state in words, and what staff do at the screen.

Status lines come from ``kiosk/staffstatus.py``, the same lines ``kiosk info`` prints, so the
panel and the CLI never disagree. Actions: 立即同步 (the window's background sync, with its
percent), 测试打印 on the A4 and the receipt printer (``printing/staffprint.py``, no record, no
resident's limits), 设置 (``ui/staff_settings.py``), 重启程序, 退出全屏 (kiosk mode to the desktop)
and 锁定. The panel locks itself after ``kiosk.staff.IDLE_LOCK_S`` without a touch (the window's
idle clock), and the residents' idle reset drops it like any screen.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QBoxLayout, QGridLayout, QVBoxLayout, QWidget

from kiosk import usb
from kiosk.changes import ContentChanges
from kiosk.i18n import N_, tr
from kiosk.records.validate import BatchRejected
from kiosk.staff import IDLE_LOCK_S, recent_log
from kiosk.staffstatus import status_lines
from printing.backend import PrinterError
from printing.staffprint import print_test_page, printer_lines
from ui import theme
from ui.chooser import Chooser
from ui.keyboard import KeyboardPanel
from ui.widgets import big_button, plain_label, screen_column

if TYPE_CHECKING:
    from ui.window import MainWindow

log = logging.getLogger(__name__)

RESTART_EXIT = 75  # `kiosk run` starts itself again on this code (ui/app.py)
LOCK_CHECK_MS = 1000
LOG_LINES = 4  # the newest warnings shown under the buttons
LOG_LINE_CHARS = 72  # each cut to this many characters; the full lines are in the log
USB_POLL_MS = 2000  # how often the mount points are looked at for a stick (kiosk/usb.py)
KIND_TEXT = {usb.FEED: N_("签名数据包"), usb.RECORDS: N_("普通记录文件")}


class StaffPanel(QWidget):
    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.setObjectName("staff")
        self.window_ = window
        scale, lang = window.scale, window.lang
        self.scale, self.lang = scale, lang
        layout = screen_column(self, tr("工作人员", lang), scale, lang, self.lock, self.lock)
        portrait = window.height() > window.width()
        panes = QBoxLayout(QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight)
        panes.setContentsMargins(scale.spacing_px, scale.spacing_px // 2, scale.spacing_px, scale.spacing_px // 2)
        panes.setSpacing(scale.spacing_px)
        layout.addLayout(panes, 1)
        self.status_grid = QGridLayout()
        self.status_grid.setHorizontalSpacing(scale.spacing_px)
        self.status_grid.setVerticalSpacing(scale.spacing_px // 3)
        status = QWidget()
        status.setObjectName("staff-status")
        status.setLayout(self.status_grid)
        panes.addWidget(status, 0 if portrait else 3)  # in portrait the lines keep together and the buttons follow
        actions = QVBoxLayout()
        actions.setSpacing(scale.spacing_px // 2)
        self.message = plain_label()
        self.message.setObjectName("staff-message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.INK}; font-size: {scale.body_px}px; font-weight: bold;")
        grid = QGridLayout()
        grid.setSpacing(scale.spacing_px // 2)
        buttons = [("staff-sync", tr("立即同步", lang), self.sync_now, True),
                   ("staff-test-a4", tr("测试打印（A4）", lang), lambda: self.test_print("a4"), False),
                   ("staff-test-receipt", tr("测试打印（凭条）", lang), lambda: self.test_print("receipt"), False),
                   ("staff-usb", tr("U 盘导入", lang), self.usb_import, False),
                   ("staff-enroll", tr("接入平台", lang), self.enroll, False),
                   ("staff-settings", tr("设置", lang), self.open_settings, False),
                   ("staff-restart", tr("重启程序", lang), self.restart, False),
                   ("staff-exit-kiosk", tr("退出全屏", lang), self.exit_kiosk_mode, False),
                   ("staff-refresh", tr("刷新状态", lang), self.refresh, False),
                   ("staff-lock", tr("锁定", lang), self.lock, True)]
        columns = 2
        for index, (name, text, handler, primary) in enumerate(buttons):
            button = big_button(text, scale, name=name, primary=primary, width_factor=3.2)
            button.clicked.connect(handler)
            grid.addWidget(button, index // columns, index % columns)
        actions.addLayout(grid)
        self.usb_line = plain_label()
        self.usb_line.setObjectName("staff-usb-line")
        self.usb_line.setWordWrap(True)
        self.usb_line.setStyleSheet(f"color: {theme.INK}; font-size: {scale.small_px}px;")
        actions.addWidget(self.usb_line)
        actions.addWidget(self.message)
        self.log_lines = plain_label()
        self.log_lines.setObjectName("staff-log")
        self.log_lines.setWordWrap(True)
        self.log_lines.setStyleSheet(f"color: {theme.MUTED}; font-size: {scale.small_px}px;")
        actions.addWidget(self.log_lines)
        actions.addStretch(1)
        panes.addLayout(actions, 1 if portrait else 2)
        self._locker = QTimer(self)
        self._locker.setInterval(LOCK_CHECK_MS)
        self._locker.timeout.connect(self.check_idle)
        self._locker.start()
        self._usb_watch = QTimer(self)
        self._usb_watch.setInterval(USB_POLL_MS)
        self._usb_watch.timeout.connect(self.watch_usb)
        self._usb_watch.start()
        self.watch_usb()
        background = window.background
        if background is not None:
            background.percent.connect(self.show_percent)
            background.synced.connect(self.synced)
        self.refresh()

    # ------------------------------------------------------------------ status
    def refresh(self) -> None:
        """Read the state again (the terminal's, the printers'); each line a label and its words."""
        while self.status_grid.count():
            item = self.status_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        terminal = self.window_.terminal
        for row, line in enumerate(status_lines(terminal, printer_lines(terminal), self.lang)):
            label = plain_label(line.label)
            label.setStyleSheet(f"color: {theme.MUTED}; font-size: {self.scale.small_px}px; font-weight: bold;")
            value = plain_label(line.value)
            value.setObjectName(f"status-{line.name}")
            value.setWordWrap(True)
            colour = theme.URGENT if line.alert else theme.INK
            value.setStyleSheet(f"color: {colour}; font-size: {self.scale.small_px}px;")
            self.status_grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
            self.status_grid.addWidget(value, row, 1, Qt.AlignmentFlag.AlignTop)
        self.status_grid.setColumnStretch(1, 1)
        # each warning on at most about two lines, so the newest LOG_LINES always fit under the buttons (audit: clipping)
        lines = [line if len(line) <= LOG_LINE_CHARS else line[: LOG_LINE_CHARS - 1] + "…" for line in recent_log().last(LOG_LINES)]
        self.log_lines.setText(tr("近期记录：", self.lang) + "\n" + "\n".join(lines) if lines else tr("近期记录：没有警告", self.lang))

    def say(self, text: str) -> None:
        self.message.setText(text)

    # ------------------------------------------------------------------ actions
    def sync_now(self) -> None:
        background = self.window_.background
        if background is None:
            self.say(tr("后台同步没有开启（kiosk run --no-sync 或截图模式），无法立即同步。", self.lang))
            return
        log.info("staff: sync now")
        self.say(tr("正在同步……", self.lang))
        background.sync_now()

    def show_percent(self, percent: int) -> None:
        self.say(tr("正在同步……{percent}%", self.lang, percent=percent))

    def synced(self, _changes: ContentChanges) -> None:
        self.say(tr("同步结束。", self.lang))
        self.refresh()

    def test_print(self, role: str) -> None:
        log.info("staff: test page on the %s printer", role)
        self.say(tr("正在打印测试页……", self.lang))
        terminal, lang = self.window_.terminal, self.lang

        def done(_result: object) -> None:
            self.say(tr("测试页已送到打印机。", lang))
            self.refresh()

        def failed(error: BaseException) -> None:
            why = tr(error.status.message_zh, lang) if isinstance(error, PrinterError) and error.status.message_zh else str(error)
            log.warning("staff test page on the %s printer failed: %s", role, error)
            self.say(tr("测试打印失败：{why}", lang, why=why))
            self.refresh()

        self.window_.tasks.run(lambda: print_test_page(terminal, role, lang), done, failed, owner=self)

    # ------------------------------------------------------------------ USB and enrolment
    def _actions(self) -> object | None:
        return getattr(self.window_.background, "staff", None)

    def watch_usb(self) -> None:
        """What the mounted sticks hold, in one line, refreshed every few seconds (a stick plugged in shows up)."""
        found = usb.scan()
        self.usb_line.setText(tr("U 盘：{what}", self.lang, what="；".join(self._found_text(f) for f in found))
                              if found else tr("U 盘：没有发现", self.lang))

    def _found_text(self, found: usb.Found) -> str:
        return tr("{kind}：{path}", self.lang, kind=tr(KIND_TEXT[found.kind], self.lang), path=str(found.path))

    def usb_import(self) -> None:
        found = usb.scan()
        if not found:
            self.say(tr("没有在 U 盘上发现数据，请插好 U 盘后再试。", self.lang))
            return
        options = [(self._found_text(f), f) for f in found]
        Chooser(self, tr("选择要导入的数据", self.lang), options, self.import_found, self.scale, self.lang, columns=1)

    def import_found(self, found: usb.Found) -> None:
        terminal, lang = self.window_.terminal, self.lang
        if found.kind == usb.RECORDS:
            why = terminal.follows_feed()
            if why:
                self.say(tr("本机已接入县级平台（{why}），不能导入普通记录文件；县里的内容只能通过签名数据包导入。", lang, why=why))
                return
            try:
                report = terminal.import_path(found.path)
            except (BatchRejected, ValueError, OSError) as exc:
                self.say(tr("导入被拒绝，本机内容没有改变：{why}", lang, why=str(exc)))
                return
            self.say(tr("已导入 {n} 条记录。", lang, n=report.result.added + report.result.updated))
            self.window_.on_synced(ContentChanges.of_kinds(report.result.kinds))
            self.refresh()
            return
        actions = self._actions()
        if actions is None:
            self.say(tr("后台同步没有开启（kiosk run --no-sync 或截图模式），无法导入签名数据包。", lang))
            return
        log.info("staff: import the signed feed at %s", found.path)
        self.say(tr("正在检查并导入签名数据包……", lang))

        def done(text: str) -> None:
            self.say(tr("导入完成：{what}", lang, what=text))
            self.window_.on_synced(ContentChanges(frozenset({"feed"}), settings=True))
            self.refresh()

        self.window_.tasks.run(lambda: actions.import_feed(found.path, lang), done,  # type: ignore[attr-defined]
                               lambda error: self.say(tr("导入失败：{why}", lang, why=str(error))), owner=self)

    def enroll(self) -> None:
        """Portal address, code and the root fingerprint from the code slip, each typed on the on-screen keyboard."""
        actions = self._actions()
        if actions is None:
            self.say(tr("后台同步没有开启（kiosk run --no-sync 或截图模式），无法接入平台。", self.lang))
            return
        answers: list[str] = []
        prompts = [tr("县级平台地址（https://…）", self.lang), tr("接入码（接入码单上）", self.lang),
                   tr("信任根指纹（接入码单上，64 位）", self.lang)]

        def ask() -> None:
            KeyboardPanel(self, prompts[len(answers)], "", answer, self.scale, self.lang, vocabulary=[], symbols="-_.:/")

        def answer(text: str) -> None:
            answers.append(text.strip())
            if len(answers) < len(prompts):
                ask()
                return
            self.say(tr("正在接入……", self.lang))

            def done(text: str) -> None:
                self.say(tr("已接入：{who}", self.lang, who=text))
                self.window_.apply_settings(self.window_.terminal.reload_settings())
                self.refresh()

            self.window_.tasks.run(lambda: actions.enroll(*answers), done,  # type: ignore[attr-defined]
                                   lambda error: self.say(tr("接入失败，没有保存任何东西：{why}", self.lang, why=str(error))), owner=self)

        ask()

    def open_settings(self) -> None:
        from ui.staff_settings import SettingsEditor

        window = self.window_
        window.push(SettingsEditor(window, on_back=window.back, on_home=self.lock))

    def restart(self) -> None:
        log.warning("staff: restarting the kiosk program")
        QApplication.exit(RESTART_EXIT)

    def exit_kiosk_mode(self) -> None:
        """Out of kiosk mode to the desktop (where there is one): an ordinary window that the window manager may close."""
        window = self.window_
        log.warning("staff: left kiosk mode")
        window.lockdown = False
        window.setWindowFlags(Qt.WindowType.Window)
        window.showNormal()
        self.say(tr("已退出全屏。", self.lang))

    def lock(self) -> None:
        """Back to the residents' home screen; the next staff visit asks for the PIN again."""
        log.info("staff: panel locked")
        self._locker.stop()
        self.window_.go_home()

    def check_idle(self) -> None:
        if self.window_.idle.idle_s() >= IDLE_LOCK_S:
            self.lock()


def open_panel(window: MainWindow) -> None:
    window.push(StaffPanel(window))


def open_settings(window: MainWindow) -> None:
    """The panel with its settings editor on top (what 设置 opens)."""
    open_panel(window)
    window.history[-1].open_settings()  # type: ignore[attr-defined]
