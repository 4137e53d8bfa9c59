"""The villager's way in: life-event entrances with pictures, one entrance's page, and 呼叫工作人员.

Someone who has never heard of 政务公开目录 taps 养老 or 低保/救助 and gets, on one list, the county's
policies for it, this village's payments of those policies (did my money arrive?), the service guides
and the documents. What an entrance gathers is published content (``kiosk/lifeevents.py``); the
pictures are drawn here with QPainter, so no image file has to be shipped or trusted. An entrance
that gathers nothing says so and where to ask. 呼叫工作人员 is on home and in the header of every
screen: a cover with this hall's phone (``terminal.phone``) and 12345.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from kiosk.i18n import N_, ntr, tr
from kiosk.lifeevents import Entrance, EventContents
from ui import theme
from ui.chooser import Overlay
from ui.widgets import LazyListModel, Row, ScreenHeader, TouchList, big_button, plain_label, screen_column

#: Entrance colours by icon, each with white text on it at ≥ 4.5:1.
ICON_COLOURS: dict[str, str] = {
    "elder": "#6A1B9A", "relief": "#B71C1C", "medical": "#00695C", "disability": "#1565C0", "housing": "#BF360C",
    "school": "#283593", "veteran": "#33691E", "farming": "#2E7D32", "papers": "#4E342E",
}
HOTLINE = "12345"


# ---------------------------------------------------------------------------------------- pictures
def paint_icon(painter: QPainter, icon: str, box: QRectF, colour: QColor) -> None:
    """One of kiosk.records.schema.LIFE_EVENT_ICONS in ``box``, drawn in outline and solid shapes of ``colour``."""
    s = min(box.width(), box.height())
    x0, y0 = box.center().x() - s / 2, box.center().y() - s / 2

    def p(x: float, y: float) -> QPointF:  # a point on a 0…1 grid over the square
        return QPointF(x0 + x * s, y0 + y * s)

    def r(x: float, y: float, w: float, h: float) -> QRectF:
        return QRectF(x0 + x * s, y0 + y * s, w * s, h * s)

    pen = QPen(colour, max(2.0, s / 12), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if icon == "elder":  # a person bent over a walking stick
        painter.setBrush(colour)
        painter.drawEllipse(r(0.38, 0.06, 0.2, 0.2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPolyline(QPolygonF([p(0.46, 0.3), p(0.4, 0.6), p(0.3, 0.94)]))
        painter.drawLine(p(0.4, 0.6), p(0.54, 0.94))
        painter.drawLine(p(0.44, 0.38), p(0.7, 0.5))
        painter.drawLine(p(0.72, 0.48), p(0.76, 0.94))
    elif icon == "relief":  # a heart held up by a hand
        heart = QPainterPath(p(0.5, 0.62))
        heart.cubicTo(p(0.1, 0.36), p(0.22, 0.02), p(0.5, 0.22))
        heart.cubicTo(p(0.78, 0.02), p(0.9, 0.36), p(0.5, 0.62))
        painter.setBrush(colour)
        painter.drawPath(heart)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPolyline(QPolygonF([p(0.12, 0.7), p(0.3, 0.86), p(0.7, 0.86), p(0.88, 0.7)]))
    elif icon == "medical":  # a cross in a rounded square
        painter.drawRoundedRect(r(0.1, 0.1, 0.8, 0.8), s * 0.14, s * 0.14)
        painter.setBrush(colour)
        painter.drawRect(r(0.42, 0.24, 0.16, 0.52))
        painter.drawRect(r(0.24, 0.42, 0.52, 0.16))
    elif icon == "disability":  # a wheelchair user
        painter.setBrush(colour)
        painter.drawEllipse(r(0.34, 0.04, 0.18, 0.18))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(r(0.16, 0.46, 0.48, 0.48))
        painter.drawPolyline(QPolygonF([p(0.42, 0.28), p(0.44, 0.6), p(0.72, 0.6), p(0.84, 0.86)]))
        painter.drawLine(p(0.43, 0.42), p(0.66, 0.42))
    elif icon == "housing":  # a house with a door
        painter.drawPolyline(QPolygonF([p(0.06, 0.5), p(0.5, 0.1), p(0.94, 0.5)]))
        painter.drawPolyline(QPolygonF([p(0.18, 0.42), p(0.18, 0.9), p(0.82, 0.9), p(0.82, 0.42)]))
        painter.setBrush(colour)
        painter.drawRect(r(0.42, 0.6, 0.16, 0.3))
    elif icon == "school":  # an open book
        painter.drawPolygon(QPolygonF([p(0.5, 0.28), p(0.08, 0.18), p(0.08, 0.78), p(0.5, 0.88)]))
        painter.drawPolygon(QPolygonF([p(0.5, 0.28), p(0.92, 0.18), p(0.92, 0.78), p(0.5, 0.88)]))
        painter.drawLine(p(0.18, 0.38), p(0.4, 0.44))
        painter.drawLine(p(0.6, 0.44), p(0.82, 0.38))
    elif icon == "veteran":  # a five-pointed star
        points = [p(0.5 + (0.44 if i % 2 == 0 else 0.18) * math.sin(i * math.pi / 5),
                    0.54 - (0.44 if i % 2 == 0 else 0.18) * math.cos(i * math.pi / 5)) for i in range(10)]
        painter.setBrush(colour)
        painter.drawPolygon(QPolygonF(points))
    elif icon == "farming":  # an ear of grain
        painter.drawLine(p(0.5, 0.94), p(0.5, 0.14))
        painter.setBrush(colour)
        for y in (0.2, 0.4, 0.6):
            painter.drawEllipse(r(0.22, y, 0.24, 0.13))
            painter.drawEllipse(r(0.54, y, 0.24, 0.13))
        painter.drawEllipse(r(0.43, 0.04, 0.14, 0.16))
    else:  # papers: an identity card
        painter.drawRoundedRect(r(0.06, 0.2, 0.88, 0.6), s * 0.08, s * 0.08)
        painter.setBrush(colour)
        painter.drawEllipse(r(0.16, 0.34, 0.2, 0.24))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for y in (0.38, 0.5, 0.62):
            painter.drawLine(p(0.46, y), p(0.84, y))


class IconView(QWidget):
    """A square picture for one entrance; taps go through to the button beneath."""

    def __init__(self, icon: str, size: int, colour: str = theme.PAPER) -> None:
        super().__init__()
        self.icon, self.colour = icon, QColor(colour)
        self.setObjectName(f"icon-{icon}")
        self.setFixedSize(size, size)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        paint_icon(painter, self.icon, QRectF(self.rect()).adjusted(2, 2, -2, -2), self.colour)
        painter.end()


class EntranceButton(QPushButton):
    """A big tap target: the picture and the entrance's name, side by side or the picture above."""

    def __init__(self, entrance: Entrance, scale: theme.Scale, *, icon_px: int, beside: bool, text_px: int) -> None:
        super().__init__()
        self.entrance = entrance
        self.setObjectName("life-entrance")
        self.setAccessibleName(entrance.title)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        colour = ICON_COLOURS.get(entrance.icon, theme.HEADER)
        self.setStyleSheet(
            f"QPushButton#life-entrance {{ background: {colour}; border: none; border-radius: 14px; }}"
            f"QPushButton#life-entrance:pressed {{ background: {theme.INK}; }}"
        )
        layout = QBoxLayout(QBoxLayout.Direction.LeftToRight if beside else QBoxLayout.Direction.TopToBottom, self)
        pad = scale.spacing_px // 3
        layout.setContentsMargins(pad, pad, pad, pad)
        layout.setSpacing(pad)
        layout.addStretch(1)
        layout.addWidget(IconView(entrance.icon, icon_px), 0, Qt.AlignmentFlag.AlignCenter)
        label = plain_label(entrance.title)
        label.setObjectName("entrance-label")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        label.setStyleSheet(f"color: {theme.PAPER}; font-size: {text_px}px; font-weight: bold; background: transparent;")
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout.addWidget(label, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        text_height = label.fontMetrics().lineSpacing() * 2
        self.setFixedHeight(max(scale.min_touch_px, (icon_px if beside else icon_px + text_height) + 2 * pad + (0 if beside else pad)))


# ---------------------------------------------------------------------------------------- an entrance's page
def _row_for(record: dict[str, Any], lang: str) -> Row:
    if record["kind"] == "subsidy_policy":
        return Row(record["name"], tr("补贴政策　{year}年度　{department}", lang, year=record["year"], department=record["department"]),
                   "", ("record", record["id"]))
    if record["kind"] == "service_guide":
        return Row(record["name"], tr("办事指南　{department}", lang, department=record["department"]), "", ("record", record["id"]))
    return Row(record["title"], tr("政策文件　{issuer}", lang, issuer=record["issuer"]), "", ("record", record["id"]))


def event_rows(contents: EventContents, village_name: str, lang: str) -> list[Row]:
    """Policies, each followed by this village's payments of it, then guides, then documents."""
    paid = {p.policy_id: p for p in contents.payments}
    rows: list[Row] = []
    for policy in contents.policies:
        rows.append(_row_for(policy, lang))
        if policy["id"] in paid:
            rows.append(Row(tr("本村发放名单：{policy}", lang, policy=policy["name"]),
                            ntr("{place}　共 {n} 笔　点此查看钱是否到账", "{place}　共 {n} 笔　点此查看钱是否到账", paid[policy["id"]].count, lang,
                                place=village_name),
                            "", ("payments", policy["id"])))
    rows += [_row_for(guide, lang) for guide in contents.guides]
    rows += [_row_for(document, lang) for document in contents.documents]
    return rows


class LifeEventScreen(QWidget):
    """One entrance: what it gathers on one list; rows open records or this village's payments of a policy."""

    opened = Signal(object)  # a record id
    payments_requested = Signal(str)  # a policy id

    def __init__(self, contents: EventContents, village_name: str, scale: theme.Scale, lang: str, *,
                 on_back: Callable[[], None], on_home: Callable[[], None]) -> None:
        super().__init__()
        self.setObjectName("life-event")
        self.contents = contents
        layout = screen_column(self, contents.event["title"], scale, lang, on_back, on_home)
        intro = plain_label(contents.event.get("summary") or "")
        intro.setObjectName("life-event-summary")
        intro.setWordWrap(True)
        intro.setStyleSheet(f"color: {theme.INK}; font-size: {scale.title_px}px; font-weight: bold; padding: {scale.spacing_px // 2}px {scale.spacing_px}px;")
        layout.addWidget(intro)
        rows = event_rows(contents, village_name, lang)
        self.rows = rows
        if not rows:
            empty = plain_label(tr("这一项暂时还没有发布内容。可以点“搜索”找一找，或点上方“呼叫工作人员”，"
                                   "也可以拨打 12345 政务服务便民热线咨询。", lang))
            empty.setObjectName("life-event-empty")
            empty.setWordWrap(True)
            empty.setStyleSheet(f"color: {theme.INK}; background: {theme.PAPER}; font-size: {scale.title_px}px; padding: {scale.spacing_px}px;")
            layout.addWidget(empty)
            layout.addStretch(1)
            return
        self.list = TouchList(LazyListModel(lambda offset, limit: (rows[offset:offset + limit], len(rows))), scale, lang)
        self.list.activated.connect(self._activated)
        body = QVBoxLayout()
        body.setContentsMargins(scale.spacing_px, 0, scale.spacing_px, scale.spacing_px // 2)
        body.addWidget(self.list)
        layout.addLayout(body, 1)

    def _activated(self, payload: object) -> None:
        if isinstance(payload, tuple) and len(payload) == 2:
            what, value = payload
            (self.payments_requested if what == "payments" else self.opened).emit(value)


# ---------------------------------------------------------------------------------------- 呼叫工作人员
CALL_TEXT = N_("呼叫工作人员")


def call_button(scale: theme.Scale, lang: str, on_click: Callable[[], None], *, width_factor: float = 2.0) -> QPushButton:
    button = big_button(tr(CALL_TEXT, lang), scale, name="call-staff", width_factor=width_factor)
    button.clicked.connect(on_click)
    return button


def add_call_button(screen: QWidget, scale: theme.Scale, lang: str, on_click: Callable[[], None]) -> None:
    """Put 呼叫工作人员 in the screen's header, beside 首页 (every screen below home has one header)."""
    header = screen.findChild(ScreenHeader, "screen-header")
    if header is None or header.findChild(QPushButton, "call-staff") is not None:
        return
    layout = header.layout()
    layout.insertWidget(layout.count() - 1, call_button(scale, lang, on_click))


class CallStaffPanel(Overlay):
    """A cover saying whom to call: this hall's or village's staff (``terminal.phone``) and 12345; 关闭 takes it away."""

    def __init__(self, parent: QWidget, phone: str, scale: theme.Scale, lang: str) -> None:
        super().__init__(parent, "call-cover", "rgba(0, 0, 0, 150)")
        panel = self.add_panel(scale, margin=scale.spacing_px * 3, centred=True)
        lines: list[tuple[str, str]] = [("call-title", tr(CALL_TEXT, lang))]
        lines.append(("call-ask", tr("请到服务窗口找工作人员，或拨打下面的电话：", lang)))
        if phone:
            lines.append(("call-phone", tr("本站工作人员：{phone}", lang, phone=phone)))
        lines.append(("call-hotline", tr("政务服务便民热线：{phone}", lang, phone=HOTLINE)))
        for name, text in lines:
            label: QLabel = plain_label(text)
            label.setObjectName(name)
            label.setWordWrap(True)
            size = scale.headline_px if name in ("call-phone", "call-hotline") else scale.title_px
            label.setStyleSheet(f"color: {theme.INK}; font-size: {size}px; font-weight: bold;")
            panel.addWidget(label)
        close = big_button(tr("关闭", lang), scale, name="call-close", primary=True)
        close.clicked.connect(self.close_overlay)
        panel.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        self.present()
