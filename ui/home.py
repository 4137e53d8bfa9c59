"""The home screen: large tiles per content kind with counts, the search entry, place and data date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.clock import Clock, system_clock
from kiosk.home import HomeSummary, Tile
from kiosk.i18n import LANGUAGES, babel_locale, format_day, format_moment, ntr, ptr, tr
from kiosk.labels import local_day
from ui import theme
from ui.lifeevents import EntranceButton, call_button
from ui.widgets import plain_label


def format_now(now: dt.datetime, lang: str) -> str:
    """The header clock: 2026年11月21日 星期六  10:32, or Saturday 21 Nov 2026  10:32 (CLDR names, through Babel)."""
    from babel.dates import format_date

    day = format_date(now.date(), ptr("clock date pattern", "y年M月d日 EEEE", lang), locale=babel_locale(lang))
    return f"{day}  {now:%H:%M}"


def format_data_time(iso: str, zone: ZoneInfo, lang: str = "zh_CN") -> str:
    try:
        return format_moment(dt.datetime.fromisoformat(iso).astimezone(zone), lang)
    except ValueError:
        return iso


def format_short_time(iso: str, zone: ZoneInfo, now: dt.datetime | None = None, lang: str = "zh_CN") -> str:
    """15:56 for today, 11-20 15:56 otherwise: the status line must fit on one line."""
    from babel.dates import format_date

    try:
        moment = dt.datetime.fromisoformat(iso).astimezone(zone)
    except ValueError:
        return iso
    today = (now or dt.datetime.now(dt.UTC)).astimezone(zone).date()
    if moment.date() == today:
        return f"{moment:%H:%M}"
    day = format_date(moment.date(), ptr("short date pattern", "MM-dd", lang), locale=babel_locale(lang))
    return f"{day}\u00a0{moment:%H:%M}"  # never split over two lines


def window_title(lang: str) -> str:
    """What the window manager shows (a windowed kiosk, the task switcher)."""
    return tr("政务公开自助终端", lang)


class TileButton(QPushButton):
    """A big tap target: the section name, and how many items it holds underneath."""

    def __init__(self, tile: Tile, lang: str, scale: theme.Scale, parent: QWidget | None = None, *, height_factor: float = 2) -> None:
        super().__init__(parent)
        self.tile = tile
        self.setObjectName(f"tile-{tile.key}")
        self.setAccessibleName(tr(tile.label, lang))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(scale.min_touch_px * 2, int(scale.min_touch_px * height_factor))
        colour = theme.TILE_COLOURS[tile.key]
        self.setStyleSheet(
            f"QPushButton#{self.objectName()} {{ background: {colour}; border: none; border-radius: 16px; }}"
            f"QPushButton#{self.objectName()}:pressed {{ background: {theme.INK}; }}"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addStretch(1)
        label = plain_label(tr(tile.label, lang))
        label.setObjectName("tile-label")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        self._label, self._label_px = label, scale.tile_label_px
        self._set_label_px(scale.tile_label_px)
        layout.addWidget(label)
        if tile.count is not None:
            count = plain_label(ntr("{n} 项", "{n} 项", tile.count, lang))
            count.setObjectName("tile-count")
            count.setAlignment(Qt.AlignmentFlag.AlignCenter)
            count.setStyleSheet(f"color: {theme.PAPER}; font-size: {scale.tile_count_px}px; background: transparent;")
            layout.addWidget(count)
        layout.addStretch(1)
        for child in self.findChildren(QLabel):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def _set_label_px(self, px: int) -> None:
        self._label.setStyleSheet(f"color: {theme.PAPER}; font-size: {px}px; font-weight: bold; background: transparent;")

    def resizeEvent(self, event: QResizeEvent) -> None:
        """A name too wide for one line at the tile's size is set smaller (down to 60 %), rather than wrapped
        into two lines a short landscape tile cuts off (Disclosure catalogue in English 大字模式)."""
        super().resizeEvent(event)
        width = self.width() - 32  # the layout's margins
        font = QFont(self._label.font())
        px = self._label_px
        while px > int(self._label_px * 0.6):
            font.setPixelSize(px)
            if QFontMetrics(font).horizontalAdvance(self._label.text()) <= width:
                break
            px -= 2
        self._set_label_px(px)


class HomeScreen(QWidget):
    tile_selected = Signal(str)
    search_requested = Signal()
    large_toggled = Signal()
    language_chosen = Signal(str)  # a language code of kiosk.i18n.LANGUAGES
    entrance_selected = Signal(str)  # a life_event record id
    notice_selected = Signal(str)  # a notice record id (the urgent banner, the ticker)
    call_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, clock: Clock = system_clock) -> None:
        super().__init__(parent)
        self.setObjectName("home")
        self._now = clock  # the terminal's clock (kiosk/clock.py): the header clock and "today" in the status line
        self._summary: HomeSummary | None = None
        self._lang = "zh_CN"
        self._large = False
        self._zone = ZoneInfo("Asia/Shanghai")
        self._notice_index = 0
        self._ticker_id = ""  # the notice the ticker shows now: a tap opens it
        self._clock = QTimer(self)
        self._clock.timeout.connect(self._tick)
        self._clock.start(1000)
        self._rotate = QTimer(self)
        self._rotate.timeout.connect(self._next_notice)
        self._rotate.start(8000)
        self._root = QVBoxLayout(self)
        self._root.setContentsMargins(0, 0, 0, 0)
        self._root.setSpacing(0)

    # ----------------------------------------------------------------------- building
    def show_summary(self, summary: HomeSummary, *, lang: str, large: bool, zone: ZoneInfo) -> None:
        self._summary, self._lang, self._large, self._zone = summary, lang, large, zone
        self._rebuild()

    def _rebuild(self) -> None:
        while self._root.count():
            item = self._root.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.setParent(None)  # gone from the tree now, not at the next event loop turn
                widget.deleteLater()
        assert self._summary is not None
        scale = theme.scale_for(self._large)
        self.setStyleSheet(f"QWidget#home {{ background: {theme.BACKDROP}; }}")
        self._root.addWidget(self._header(scale))
        urgent = [n for n in self._summary.notices if n.urgent]
        if urgent:
            self._root.addWidget(self._opens(self._urgent_banner(urgent[0].title, scale), "urgent-banner-button", urgent[0].record_id))
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(scale.spacing_px * 2, scale.spacing_px, scale.spacing_px * 2, scale.spacing_px)
        body_layout.setSpacing(scale.spacing_px)
        portrait = self.height() > self.width()
        search_row = QHBoxLayout()
        search_row.setSpacing(scale.spacing_px)
        if portrait:  # 长辈模式 and 呼叫工作人员 get a row of their own, at the top
            body_layout.addLayout(self._mode_row(scale))
        else:
            search_row.addLayout(self._mode_row(scale), 1)  # half the row: by stretch, since a minimum would widen a portrait window
        entry = self._search_entry(scale)
        entry.setMinimumWidth(scale.min_touch_px * 3)  # not its hint's width: beside 长辈模式 it would push a landscape screen wider
        search_row.insertWidget(0, entry, 1)
        body_layout.addLayout(search_row)
        if self._summary.entrances:
            body_layout.setSpacing(scale.spacing_px // 2)  # the entrances take a row: closer rows keep it all on a 1080-line screen
            body_layout.addWidget(self._entrances(scale, portrait))
        body_layout.addWidget(self._tiles(scale), 1)
        self._root.addWidget(body, 1)
        self._root.addWidget(self._footer(scale))
        self._tick()
        self._next_notice()

    def _header(self, scale: theme.Scale) -> QWidget:
        assert self._summary is not None
        bar = QWidget()
        bar.setObjectName("header")
        bar.setStyleSheet(f"QWidget#header {{ background: {theme.HEADER}; }} QLabel {{ color: {theme.PAPER}; background: transparent; }}")
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(scale.spacing_px * 2, scale.spacing_px, scale.spacing_px * 2, scale.spacing_px)
        left = QVBoxLayout()
        place = plain_label(self._summary.place_name)
        place.setObjectName("place-name")
        place.setStyleSheet(f"font-size: {scale.headline_px}px; font-weight: bold;")
        terminal = plain_label(self._summary.terminal_name)
        terminal.setObjectName("terminal-name")
        terminal.setStyleSheet(f"font-size: {scale.small_px}px;")
        terminal.setWordWrap(True)
        left.addWidget(place)
        left.addWidget(terminal)
        layout.addLayout(left, 1)
        right = QVBoxLayout()
        self._clock_label = plain_label()
        self._clock_label.setObjectName("clock")
        self._clock_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self._clock_label.setStyleSheet(f"font-size: {scale.title_px}px; font-weight: bold;")
        # how current the content is (its newest record), not when this terminal imported it: that is the line below
        content = local_day(self._summary.content_updated_at or self._summary.data_changed_at, self._zone)
        status_text = tr("内容截至 {when}", self._lang, when=format_day(content, self._lang)) if content else tr("尚无数据", self._lang)
        status = plain_label(f"{status_text}\n{self._sync_text()}")  # two whole lines: a date split mid-word is unreadable
        self._status_label, self._status_prefix = status, status_text
        status.setObjectName("data-status")
        status.setProperty("sync_kind", self._summary.data_status.kind)
        status.setAlignment(Qt.AlignmentFlag.AlignRight)
        stale = self._summary.data_status.stale
        status.setStyleSheet(f"font-size: {scale.small_px}px;" + (f" background: {theme.STALE}; color: {theme.INK}; padding: 4px 8px;" if stale else ""))
        status.setWordWrap(False)
        right.addWidget(self._clock_label)
        right.addWidget(status)
        layout.addLayout(right)
        return bar

    def show_sync_progress(self, percent: int) -> None:
        """正在更新 45% while a sync downloads; the next summary replaces it with the outcome."""
        label = getattr(self, "_status_label", None)
        if label is not None:
            progress = tr("正在更新\u00a0{percent}%", self._lang, percent=percent)
            label.setText(f"{self._status_prefix}\n{progress}")

    def _sync_text(self) -> str:
        status = self._summary.data_status
        when = format_short_time(status.last_success, self._zone, self._now(), self._lang) if status.last_success else ""
        if status.kind == "fresh":
            return tr("已与县级门户同步\u00a0{when}", self._lang, when=when)
        if status.kind == "offline":
            return tr("离线，上次同步\u00a0{when}", self._lang, when=when)
        if status.kind == "stale":
            return tr("数据可能不是最新（上次同步\u00a0{when}）", self._lang, when=when) if when else tr("数据可能不是最新", self._lang)
        imported = self._summary.data_changed_at
        imported = format_short_time(imported, self._zone, self._now(), self._lang) if imported else ""
        if status.kind == "no-portal":  # content comes by `kiosk import`: there is no portal to be offline from
            return tr("未连接门户，本机导入于\u00a0{when}", self._lang, when=imported) if imported else tr("未连接门户", self._lang)
        return tr("尚未与县级门户同步", self._lang)

    def _urgent_banner(self, title: str, scale: theme.Scale) -> QWidget:
        banner = plain_label(tr("紧急通知：{title}", self._lang, title=title))
        banner.setObjectName("urgent-banner")
        banner.setWordWrap(True)
        banner.setStyleSheet(
            f"background: {theme.URGENT}; color: {theme.PAPER}; font-size: {scale.title_px}px; font-weight: bold;"
            f"padding: {scale.spacing_px // 2}px {scale.spacing_px * 2}px;"
        )
        return banner

    def _opens(self, label: QLabel, name: str, record_id: str) -> QPushButton:
        """``label`` as a tap target that opens a notice (the urgent banner)."""
        button = QPushButton()
        button.setObjectName(name)
        button.setAccessibleName(label.text())
        button.setStyleSheet(f"QPushButton#{name} {{ border: none; padding: 0; background: {theme.URGENT}; }}")
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(button)
        layout.setContentsMargins(0, 0, 0, 0)
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout.addWidget(label)
        button.setMinimumHeight(label.sizeHint().height())
        button.clicked.connect(lambda _checked=False: self.notice_selected.emit(record_id))
        return button

    def _mode_row(self, scale: theme.Scale) -> QHBoxLayout:
        """长辈模式 (大字, big buttons) as a big toggle, and 呼叫工作人员: the first things a villager sees."""
        row = QHBoxLayout()
        row.setSpacing(scale.spacing_px)
        elder = QPushButton(tr("退出长辈模式", self._lang) if self._large else tr("长辈模式（大字）", self._lang))
        elder.setObjectName("elder-mode")
        elder.setAccessibleName(elder.text())
        elder.setCheckable(True)
        elder.setChecked(self._large)
        elder.setStyleSheet(
            f"QPushButton {{ background: {theme.HEADER}; color: {theme.PAPER}; border: 3px solid {theme.HEADER};"
            f" border-radius: 12px; font-size: {scale.title_px}px; font-weight: bold; padding: 4px 20px; }}"
            f"QPushButton:checked {{ background: {theme.PAPER}; color: {theme.HEADER}; }}"
            f"QPushButton:pressed {{ background: {theme.INK}; color: {theme.PAPER}; }}"
        )
        elder.ensurePolished()  # the style sheet's font in its size hint, which the row gives it on a screen wide enough
        # a minimum below the text's width: a window first laid out in landscape must still fit a portrait screen
        elder.setMinimumSize(scale.min_touch_px * 3, max(scale.min_touch_px, int(scale.body_px * 2.6)))
        elder.clicked.connect(lambda _checked=False: self.large_toggled.emit())
        row.addWidget(elder, 2)
        call = call_button(scale, self._lang, self.call_requested.emit, width_factor=3.0)
        call.setMinimumHeight(elder.minimumHeight())
        row.addWidget(call, 1)
        return row

    def _entrances(self, scale: theme.Scale, portrait: bool) -> QWidget:
        """The life-event entrances (养老 · 低保/救助 · …): three rows of three on a portrait screen, one row otherwise."""
        assert self._summary is not None
        host = QWidget()
        host.setObjectName("life-entrances")
        host.setMinimumWidth(scale.min_touch_px)  # not the sum of nine buttons: a portrait window first laid out wide stays narrow
        grid = QGridLayout(host)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(scale.spacing_px // 2)
        columns = 3 if portrait else max(1, min(len(self._summary.entrances), 9))
        icon_px = int(scale.min_touch_px * (0.9 if portrait else 0.6))
        for index, entrance in enumerate(self._summary.entrances):
            button = EntranceButton(entrance, scale, icon_px=icon_px, beside=portrait, text_px=scale.title_px if portrait else scale.body_px)
            button.clicked.connect(lambda _checked=False, rid=entrance.record_id: self.entrance_selected.emit(rid))
            grid.addWidget(button, index // columns, index % columns)
        return host

    def _search_entry(self, scale: theme.Scale) -> QWidget:
        hint = tr("点此搜索：政策、补贴、办事指南…", self._lang)
        button = QPushButton(hint)
        button.setObjectName("search-entry")
        button.setAccessibleName(hint)
        button.setMinimumHeight(max(scale.min_touch_px, int(scale.body_px * 2.6)))
        button.setStyleSheet(
            f"QPushButton {{ background: {theme.PAPER}; color: {theme.MUTED}; border: 3px solid {theme.HEADER};"
            f" border-radius: 12px; font-size: {scale.title_px}px; text-align: left; padding-left: 24px; }}"
            f"QPushButton:pressed {{ background: {theme.BACKDROP}; }}"
        )
        button.clicked.connect(self.search_requested)
        return button

    def _tiles(self, scale: theme.Scale) -> QWidget:
        assert self._summary is not None
        grid_widget = QWidget()
        grid = QGridLayout(grid_widget)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(scale.spacing_px)
        portrait = self.height() > self.width()
        columns = 2 if portrait else 4
        for index, tile in enumerate(self._summary.tiles):
            button = TileButton(tile, self._lang, scale, height_factor=1.5 if self._summary.entrances else 2)
            button.clicked.connect(lambda _checked=False, key=tile.key: self._tile_clicked(key))
            grid.addWidget(button, index // columns, index % columns)
        return grid_widget

    def _footer(self, scale: theme.Scale) -> QWidget:
        bar = QWidget()
        bar.setObjectName("footer")
        bar.setStyleSheet(f"QWidget#footer {{ background: {theme.PAPER}; border-top: 2px solid #D0D4DA; }}")
        # the notice beside the buttons on a landscape screen; on a portrait one the buttons get a row of their own,
        # or four of them would squeeze the notice into a column of single characters
        portrait = self.height() > self.width()
        layout = QBoxLayout(QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight, bar)
        layout.setContentsMargins(scale.spacing_px * 2, scale.spacing_px // 2, scale.spacing_px * 2, scale.spacing_px // 2)
        self._notice_label = plain_label()
        self._notice_label.setObjectName("notice-ticker")
        self._notice_label.setStyleSheet(f"color: {theme.INK}; font-size: {scale.body_px}px;")
        self._notice_label.setWordWrap(True)
        self._notice_label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        ticker = QPushButton()  # a tap on the notice line opens the notice it shows
        ticker.setObjectName("notice-ticker-button")
        ticker.setStyleSheet("QPushButton#notice-ticker-button { border: none; background: transparent; text-align: left; }")
        ticker.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        ticker.setMinimumHeight(scale.min_touch_px)
        ticker_layout = QVBoxLayout(ticker)
        ticker_layout.setContentsMargins(0, 0, 0, 0)
        ticker_layout.addWidget(self._notice_label)
        ticker.clicked.connect(lambda _checked=False: self._ticker_id and self.notice_selected.emit(self._ticker_id))
        layout.addWidget(ticker, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        large = tr("标准字号", self._lang) if self._large else tr("大字模式", self._lang)
        buttons.addWidget(self._footer_button("toggle-large", large, scale, self.large_toggled.emit))
        # one button per language, each named in its own script, so a person finds theirs whatever is on screen
        for code, name in LANGUAGES.items():
            button = self._footer_button(f"lang-{code}", name, scale, lambda _checked=False, c=code: self.language_chosen.emit(c))
            button.setCheckable(True)
            button.setChecked(code == self._lang)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        return bar

    def _footer_button(self, name: str, text: str, scale: theme.Scale, on_click: Callable[..., None]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(text)
        button.setMinimumSize(scale.min_touch_px * 2, scale.min_touch_px)
        button.setStyleSheet(
            f"QPushButton {{ background: {theme.PAPER}; color: {theme.HEADER}; border: 3px solid {theme.HEADER};"
            f" border-radius: 10px; font-size: {scale.body_px}px; font-weight: bold; padding: 4px 16px; }}"
            f"QPushButton:pressed {{ background: {theme.BACKDROP}; }}"
            f"QPushButton:checked {{ background: {theme.HEADER}; color: {theme.PAPER}; }}"
        )
        button.clicked.connect(on_click)
        return button

    # ----------------------------------------------------------------------- behaviour
    def _tile_clicked(self, key: str) -> None:
        if key == "search":
            self.search_requested.emit()
        else:
            self.tile_selected.emit(key)

    def _tick(self) -> None:
        if hasattr(self, "_clock_label"):
            self._clock_label.setText(format_now(self._now().astimezone(self._zone), self._lang))

    def _next_notice(self) -> None:
        if not hasattr(self, "_notice_label") or self._summary is None:
            return
        notices = self._summary.notices
        if not notices:
            self._ticker_id = ""
            self._notice_label.setText(tr("暂无通知公告", self._lang))
            return
        notice = notices[self._notice_index % len(notices)]
        self._notice_index += 1
        self._ticker_id = notice.record_id
        self._notice_label.setText(tr("通知：{title}", self._lang, title=notice.title))

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self._summary is not None:
            portrait_now = self.height() > self.width()
            if portrait_now != getattr(self, "_built_portrait", None):
                self._built_portrait = portrait_now
                self._rebuild()
