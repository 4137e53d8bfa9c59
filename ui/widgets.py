"""Touch building blocks shared by every screen: big buttons, a header with 返回/首页, lazy lists.

Lists are model/view with ``canFetchMore``/``fetchMore`` (never a widget per row), scroll
kinetically under one finger, and have 上一页/下一页 buttons for people who can't swipe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLayout,
    QListView,
    QPushButton,
    QScroller,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import ntr, tr
from ui import theme

FETCH_SIZE = 60
BUTTON_PADDING_PX = 2 * 16 + 2 * 3 + 8  # style_button's padding and border, and a little air
AnyIndex = QModelIndex | QPersistentModelIndex


def plain_label(text: str = "") -> QLabel:
    """The one way ui/ makes a label: its text is shown as typed, never read as HTML.

    QLabel's default (``Qt.AutoText``) renders anything that looks like markup, so a published title
    ``<img src="file:///dev/zero">`` made Qt read /dev/zero until std::bad_alloc aborted the kiosk, and
    ``<a href=…>`` drew a link. Titles, names, place names, settings and what a person types all
    reach labels, so every label is plain text; the format is set before the text, because ``setText``
    under AutoText already parses (and loads images). ``setText`` later keeps the format. Rich text
    for our own markup goes only through a QTextBrowser with every piece of content escaped by
    ``ui.reading.esc``. tests/unit/test_plain_labels.py fails on a ``QLabel(`` anywhere else in ui/.
    """
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def button_text(text: str) -> str:
    """``text`` as a button must be given it to show it as typed: a lone ``&`` marks a keyboard mnemonic.

    A published ``&lt;`` showed as an underlined "lt;" (and bound Alt+L); doubling every ``&`` shows it whole.
    Every button whose text holds content (names, titles, places, typed words) is set through this.
    """
    return text.replace("&", "&&")


def big_button(text: str, scale: theme.Scale, *, name: str = "", primary: bool = False, width_factor: float = 2.0) -> QPushButton:
    """A button at least the touch minimum in both directions, high-contrast in both states; ``text`` is shown as typed."""
    button = style_button(QPushButton(button_text(text)), scale, name=name, primary=primary, width_factor=width_factor)
    button.setAccessibleName(text)
    return button


def style_button(button: QPushButton, scale: theme.Scale, *, name: str = "", primary: bool = False, width_factor: float = 2.0) -> QPushButton:
    """Give any push button (or subclass) the touch size and the high-contrast look."""
    if name:
        button.setObjectName(name)
    button.setAccessibleName(button.text())
    button.setMinimumSize(int(scale.min_touch_px * width_factor), scale.min_touch_px)
    background, foreground = (theme.HEADER, theme.PAPER) if primary else (theme.PAPER, theme.HEADER)
    button.setStyleSheet(
        f"QPushButton {{ background: {background}; color: {foreground}; border: 3px solid {theme.HEADER};"
        f" border-radius: 10px; font-size: {scale.body_px}px; font-weight: bold; padding: 4px 16px; }}"
        f"QPushButton:pressed {{ background: {theme.INK}; color: {theme.PAPER}; }}"
        f"QPushButton:checked {{ background: {theme.HEADER}; color: {theme.PAPER}; }}"
        # disabled reads as "not now" at a glance: grey on the backdrop, a dashed outline, never the live red
        f"QPushButton:disabled {{ background: {theme.BACKDROP}; color: {theme.MUTED}; border: 3px dashed {theme.MUTED}; }}"
    )
    return button


def wrap_text(text: str, metrics: QFontMetrics, width: int, max_lines: int = 3) -> list[str]:
    """Break a label into lines that fit ``width`` (Chinese breaks anywhere); the last line is elided if needed."""
    lines: list[str] = []
    current = ""
    for ch in text:
        if current and metrics.horizontalAdvance(current + ch) > width:
            lines.append(current)
            current = ""
        current += ch
    lines.append(current)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], metrics.elidedText("".join(lines[max_lines - 1:]), Qt.TextElideMode.ElideRight, width)]
    return lines


def clear_layout(layout: QLayout) -> None:
    """Empty a layout at once: widgets are detached now (deleteLater alone leaves them painted until the next loop)."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is not None:
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()


class PageBar(QWidget):
    """上一页 · a status line · 下一页: for people who can't swipe. ``turned`` gives -1 or +1."""

    turned = Signal(int)

    def __init__(self, scale: theme.Scale, lang: str, status_name: str) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.up = big_button(tr("上一页", lang), scale, name="page-up")
        self.down = big_button(tr("下一页", lang), scale, name="page-down")
        self.status = plain_label()
        self.status.setObjectName(status_name)
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.setStyleSheet(f"color: {theme.INK}; font-size: {scale.body_px}px;")
        self.up.clicked.connect(lambda: self.turned.emit(-1))
        self.down.clicked.connect(lambda: self.turned.emit(1))
        layout.addWidget(self.up)
        layout.addWidget(self.status, 1)
        layout.addWidget(self.down)


def chip_group(owner: QWidget, layout: QHBoxLayout, scale: theme.Scale, name: str,
               choices: list[tuple[str, Any]], on_choose: Callable[[Any], None]) -> QButtonGroup:
    """A row of mutually exclusive filter buttons; the first choice starts selected."""
    group = QButtonGroup(owner)
    for position, (label, value) in enumerate(choices):
        button = big_button(label, scale, name=f"{name}-{value if value is not None else 'all'}", width_factor=1.6)
        button.setCheckable(True)
        button.setChecked(position == 0)
        button.clicked.connect(lambda _checked=False, v=value: on_choose(v))
        group.addButton(button)
        layout.addWidget(button)
    return group


class ScreenHeader(QWidget):
    """Title bar of every screen below home: 返回 (one level up), the title, 首页."""

    back = Signal()
    home = Signal()

    def __init__(self, title: str, scale: theme.Scale, lang: str) -> None:
        super().__init__()
        self.setObjectName("screen-header")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # a QWidget subclass paints no stylesheet background without it
        self.setStyleSheet(f"QWidget#screen-header {{ background: {theme.HEADER}; }}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(scale.spacing_px, scale.spacing_px // 2, scale.spacing_px, scale.spacing_px // 2)
        back = big_button(tr("返回", lang), scale, name="back")
        back.clicked.connect(self.back)
        self.title = plain_label(title)
        self.title.setObjectName("screen-title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        self.title.setStyleSheet(f"color: {theme.PAPER}; font-size: {scale.title_px}px; font-weight: bold; background: transparent;")
        home = big_button(tr("首页", lang), scale, name="home")
        home.clicked.connect(self.home)
        layout.addWidget(back)
        layout.addWidget(self.title, 1)
        layout.addWidget(home)


def screen_column(owner: QWidget, title: str, scale: theme.Scale, lang: str,
                  on_back: Callable[[], None], on_home: Callable[[], None]) -> QVBoxLayout:
    """The layout every screen below home starts with: edge to edge, the header with 返回/首页 on top."""
    layout = QVBoxLayout(owner)
    layout.setContentsMargins(0, 0, 0, 0)
    header = ScreenHeader(title, scale, lang)
    header.back.connect(on_back)
    header.home.connect(on_home)
    layout.addWidget(header)
    return layout


@dataclass(frozen=True)
class Row:
    """One list row: a bold first line, a quieter second line, an optional badge (已废止), a right-aligned value (an amount)."""

    title: str
    subtitle: str
    badge: str = ""
    payload: Any = None
    value: str = ""
    badge_colour: str = theme.URGENT


class LazyListModel(QAbstractListModel):
    """Rows fetched page by page from ``fetch(offset, limit) -> (rows, total)`` as the view needs them."""

    def __init__(self, fetch: Callable[[int, int], tuple[list[Row], int]]) -> None:
        super().__init__()
        self._fetch = fetch
        self._rows: list[Row] = []
        self._total = 0
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._rows, self._total = self._fetch(0, FETCH_SIZE)
        self.endResetModel()

    @property
    def total(self) -> int:
        return self._total

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else len(self._rows)

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: AnyIndex) -> None:
        if parent.isValid():
            return
        rows, total = self._fetch(len(self._rows), FETCH_SIZE)
        if not rows:
            self._total = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(rows) - 1)
        self._rows.extend(rows)
        self._total = total
        self.endInsertRows()

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.title
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return "，".join(part for part in (row.title, row.value, row.subtitle, row.badge) if part)
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None


class RowDelegate(QStyledItemDelegate):
    """Paints a row as two lines of large text with a coloured badge; no widget per row."""

    def __init__(self, scale: theme.Scale) -> None:
        super().__init__()
        self.scale = scale

    def _fonts(self, base: QFont) -> tuple[QFont, QFont]:
        title, sub = QFont(base), QFont(base)
        title.setPixelSize(self.scale.body_px)
        title.setBold(True)
        sub.setPixelSize(self.scale.small_px)
        return title, sub

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        row_height = int((self.scale.body_px + self.scale.small_px) * 1.5) + self.scale.spacing_px
        return QSize(option.rect.width(), max(row_height, self.scale.min_touch_px))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        row: Row = index.data(Qt.ItemDataRole.UserRole)
        painter.save()
        rect: QRect = option.rect
        pressed = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.fillRect(rect, QColor(theme.BACKDROP if pressed else theme.PAPER))
        painter.setPen(QColor("#D0D4DA"))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        title_font, sub_font = self._fonts(option.font)
        pad = self.scale.spacing_px
        text_rect = rect.adjusted(pad, pad // 2, -pad, -pad // 2)
        if row.badge:
            painter.setFont(sub_font)
            badge_width = painter.fontMetrics().horizontalAdvance(row.badge) + pad
            badge = QRect(text_rect.right() - badge_width, text_rect.top(), badge_width, painter.fontMetrics().height() + 8)
            painter.fillRect(badge, QColor(row.badge_colour))
            painter.setPen(QColor(theme.PAPER))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, row.badge)
            text_rect.setRight(badge.left() - pad // 2)
        painter.setFont(title_font)
        painter.setPen(QColor(theme.INK))
        title_height = int(self.scale.body_px * 1.5)
        title_width = text_rect.width()
        if row.value:
            value_width = painter.fontMetrics().horizontalAdvance(row.value)
            painter.drawText(QRect(text_rect.right() - value_width, text_rect.top(), value_width, title_height),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), row.value)
            title_width -= value_width + pad
        elided = painter.fontMetrics().elidedText(row.title, Qt.TextElideMode.ElideRight, title_width)
        painter.drawText(QRect(text_rect.left(), text_rect.top(), title_width, title_height),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), elided)
        painter.setFont(sub_font)
        painter.setPen(QColor(theme.MUTED))
        sub = painter.fontMetrics().elidedText(row.subtitle, Qt.TextElideMode.ElideRight, text_rect.width())
        painter.drawText(QRect(text_rect.left(), text_rect.top() + title_height, text_rect.width(), text_rect.height() - title_height),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), sub)
        painter.restore()


class TouchScroll(QObject):
    """One-finger kinetic scrolling and taps on a viewport, feeding QScroller by hand.

    ``QScroller.grabGesture`` lets the gesture manager swallow presses to tell a tap from a swipe,
    so item views may never see a click. Driving ``QScroller.handleInput`` from this filter keeps
    the kinetic scrolling and makes a tap (press and release close together) always a tap.
    """

    tapped = Signal(QPoint)

    def __init__(self, viewport: QWidget, slop_px: int) -> None:
        super().__init__(viewport)
        self.slop_px = slop_px
        self.scroller = QScroller.scroller(viewport)
        self._pressed_at: QPoint | None = None
        self._dragging = False
        viewport.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.MouseButtonRelease):
            return False
        position = event.position().toPoint()  # type: ignore[attr-defined]
        stamp = event.timestamp()  # type: ignore[attr-defined]
        if kind == QEvent.Type.MouseButtonPress:
            self._pressed_at, self._dragging = position, False
            self.scroller.handleInput(QScroller.Input.InputPress, event.position(), stamp)  # type: ignore[attr-defined]
            return True
        if self._pressed_at is None:
            return False
        if kind == QEvent.Type.MouseMove:
            if (position - self._pressed_at).manhattanLength() > self.slop_px:
                self._dragging = True
            self.scroller.handleInput(QScroller.Input.InputMove, event.position(), stamp)  # type: ignore[attr-defined]
            return True
        self.scroller.handleInput(QScroller.Input.InputRelease, event.position(), stamp)  # type: ignore[attr-defined]
        if not self._dragging and (position - self._pressed_at).manhattanLength() <= self.slop_px:
            self.tapped.emit(position)
        self._pressed_at = None
        return True


class TouchList(QWidget):
    """A list view with kinetic one-finger scrolling, page buttons and a row count."""

    activated = Signal(object)  # the Row's payload

    def __init__(self, model: LazyListModel, scale: theme.Scale, lang: str) -> None:
        super().__init__()
        self.model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.view = QListView()
        self.view.setObjectName("touch-list")
        self.view.setModel(model)
        self.view.setItemDelegate(RowDelegate(scale))
        self.view.setUniformItemSizes(True)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setStyleSheet(f"QListView {{ background: {theme.PAPER}; border: none; }}")
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self._touch = TouchScroll(self.view.viewport(), slop_px=scale.min_touch_px // 4)
        self._touch.tapped.connect(self._tap)
        # an empty list says why and what to try, never a blank panel (set_empty_text for a list's own words)
        self.empty = plain_label(tr("这里暂时没有内容。可以点“返回”换个条件或栏目，或点“呼叫工作人员”请工作人员帮忙。", lang))
        self.empty.setObjectName("list-empty")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet(f"color: {theme.INK}; background: {theme.PAPER}; font-size: {scale.title_px}px; padding: {scale.spacing_px}px;")
        layout.addWidget(self.empty)
        layout.addWidget(self.view, 1)
        bar = PageBar(scale, lang, "list-count")
        bar.turned.connect(self.page)
        self.count = bar.status
        self.up, self.down = bar.up, bar.down
        layout.addWidget(bar)
        self._lang = lang
        model.modelReset.connect(self._update_count)
        scroll = self.view.verticalScrollBar()
        scroll.valueChanged.connect(self._update_buttons)
        scroll.rangeChanged.connect(self._update_buttons)
        self._update_count()
        self._update_buttons()

    def _update_buttons(self, *_args: int) -> None:
        """上一页 at the top and 下一页 at the end of the list look and are disabled, as on a reading page."""
        scroll = self.view.verticalScrollBar()
        self.up.setEnabled(scroll.value() > 0)
        self.down.setEnabled(scroll.value() < scroll.maximum() or self.model.canFetchMore(QModelIndex()))

    def _tap(self, position: QPoint) -> None:
        index = self.view.indexAt(position)
        if index.isValid():
            self.activated.emit(index.data(Qt.ItemDataRole.UserRole).payload)

    def set_empty_text(self, text: str) -> None:
        """This list's own words for having nothing; "" for a list whose screen says it elsewhere (search)."""
        self.empty.setText(text)
        self._update_count()

    def _update_count(self) -> None:
        total = self.model.total
        self.count.setText(ntr("共 {n} 条", "共 {n} 条", total, self._lang))
        self.empty.setVisible(total == 0 and bool(self.empty.text()))

    def page(self, direction: int) -> None:
        bar = self.view.verticalScrollBar()
        bar.setValue(bar.value() + direction * max(bar.pageStep() - 40, 40))
        if direction > 0 and bar.value() >= bar.maximum() and self.model.canFetchMore(QModelIndex()):
            self.model.fetchMore(QModelIndex())
