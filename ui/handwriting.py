"""手写板: write a character with one finger, pick it from large candidates; for people who cannot spell pinyin.

The pad is a page of the on-screen keyboard (``ui/keyboard.py``), so every text input that has the keyboard (搜索,
the name filter, the forms to come) has it. Recognition is ``kiosk/handwriting.py`` (Zinnia, offline), asked after
every stroke; the model is opened the first time the pad is shown, not at start-up. 撤销 takes back the last stroke,
清除 all of them. Where the recogniser is missing, the pad says so and the 拼音 key still leads back.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QEventPoint, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen, QTouchEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from kiosk import handwriting
from kiosk.i18n import tr
from ui import theme
from ui.widgets import big_button, button_text, plain_label

log = logging.getLogger(__name__)

CANDIDATES_SHOWN = 6  # two rows of three, each the size of a key and the character in the title size
PAD_ROWS = 5  # the canvas is as tall as five keys: room for a character of many strokes


class StrokeCanvas(QWidget):
    """A square to write on: one finger (or the mouse) draws strokes; ``strokes_changed`` after each one."""

    strokes_changed = Signal()

    def __init__(self, scale: theme.Scale, lang: str) -> None:
        super().__init__()
        self.setObjectName("handwriting-canvas")
        self.setAccessibleName(tr("手写区", lang))
        self.scale = scale
        side = scale.min_touch_px * PAD_ROWS
        self.setFixedSize(QSize(side, side))
        self.strokes: list[list[tuple[float, float]]] = []
        self._drawing = False
        self._finger: int | None = None  # the touch point that draws
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)  # touch handled below: one finger, the first one

    def event(self, event: QEvent) -> bool:
        """A touch screen: the first finger down draws; other fingers (a palm, a second hand) are ignored."""
        kind = event.type()
        if kind not in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd, QEvent.Type.TouchCancel):
            return super().event(event)
        assert isinstance(event, QTouchEvent)
        if kind == QEvent.Type.TouchCancel:
            if self._drawing and self.strokes:
                self.strokes.pop()  # the system took the touch away: that stroke was not finished
            self._drawing = False
            self.update()
            return True
        event.accept()
        if kind == QEvent.Type.TouchBegin:  # the first finger down; it draws until it lifts, then nothing until all lift
            point = event.points()[0]
            self._finger = point.id()
            self._begin(point.position())
            return True
        points = [p for p in event.points() if p.id() == self._finger]
        if not points:
            return True
        point = points[0]
        if point.state() == QEventPoint.State.Released or kind == QEvent.Type.TouchEnd:
            self._finger = None
            self._end(point.position())
        else:
            self._extend(point.position())
        return True

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())

    def _begin(self, position: QPointF) -> None:
        self._drawing = True
        if len(self.strokes) < handwriting.MAX_STROKES:
            self.strokes.append([self._point(position)])
        self.update()

    def _extend(self, position: QPointF) -> None:
        if self._drawing and self.strokes and len(self.strokes[-1]) < 4 * handwriting.MAX_POINTS_PER_STROKE:
            self.strokes[-1].append(self._point(position))
            self.update()

    def _end(self, position: QPointF) -> None:
        if not self._drawing:
            return
        self._drawing = False
        if self.strokes:
            self.strokes[-1].append(self._point(position))
        self.update()
        self.strokes_changed.emit()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """A stroke starting where the last one ended, quickly, is a 'double click': its press came already.
        (QWidget's default would call mousePressEvent a second time and start an extra one-point stroke.)"""

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._extend(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._end(event.position())

    def _point(self, position: QPointF) -> tuple[float, float]:
        return min(max(position.x(), 0.0), self.width()), min(max(position.y(), 0.0), self.height())

    def undo(self) -> None:
        if self.strokes:
            self.strokes.pop()
            self.update()
            self.strokes_changed.emit()

    def clear(self) -> None:
        if self.strokes:
            self.strokes.clear()
            self.update()
            self.strokes_changed.emit()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = QRectF(self.rect()).adjusted(1.5, 1.5, -1.5, -1.5)
        painter.fillRect(self.rect(), QColor(theme.PAPER))
        guide = QPen(QColor(theme.MUTED), 1, Qt.PenStyle.DashLine)
        painter.setPen(guide)  # 米字格: the grid a child learns to write in
        centre = box.center()
        painter.drawLine(QPointF(box.left(), centre.y()), QPointF(box.right(), centre.y()))
        painter.drawLine(QPointF(centre.x(), box.top()), QPointF(centre.x(), box.bottom()))
        painter.drawLine(box.topLeft(), box.bottomRight())
        painter.drawLine(box.topRight(), box.bottomLeft())
        painter.setPen(QPen(QColor(theme.HEADER), 3))
        painter.drawRect(box)
        ink = QPen(QColor(theme.INK), max(6, self.scale.min_touch_px // 8), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                   Qt.PenJoinStyle.RoundJoin)
        painter.setPen(ink)
        for stroke in self.strokes:
            path = QPainterPath(QPointF(*stroke[0]))
            for point in stroke[1:]:
                path.lineTo(QPointF(*point))
            if len(stroke) == 1:
                painter.drawPoint(QPointF(*stroke[0]))
            else:
                painter.drawPath(path)
        painter.end()


class HandwritingPad(QWidget):
    """The canvas beside large candidates; ``picked`` with a character, ``delete`` for 删除, ``to_pinyin`` for 拼音."""

    picked = Signal(str)
    delete = Signal()
    to_pinyin = Signal()

    def __init__(self, scale: theme.Scale, lang: str) -> None:
        super().__init__()
        self.setObjectName("handwriting-pad")
        self.scale = scale
        self.lang = lang
        self._recognizer: handwriting.Recognizer | None = None
        self._unavailable = False
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(scale.spacing_px // 2)
        self.canvas = StrokeCanvas(scale, lang)
        self.canvas.strokes_changed.connect(self.recognise)
        row.addWidget(self.canvas, 0, Qt.AlignmentFlag.AlignTop)
        side = QVBoxLayout()
        side.setSpacing(scale.spacing_px // 3)
        grid = QGridLayout()
        grid.setSpacing(scale.spacing_px // 3)
        self.candidate_buttons: list[QPushButton] = []
        for index in range(CANDIDATES_SHOWN):
            button = big_button("", scale, name=f"hw-candidate-{index}", width_factor=1.3)
            button.setMinimumHeight(int(scale.min_touch_px * 1.3))
            button.setStyleSheet(button.styleSheet().replace(f"font-size: {scale.body_px}px", f"font-size: {int(scale.title_px * 1.4)}px"))
            button.clicked.connect(lambda _checked=False, i=index: self.pick(i))
            button.setEnabled(False)
            grid.addWidget(button, index // 3, index % 3)
            self.candidate_buttons.append(button)
        side.addLayout(grid)
        self.status = plain_label(tr("请在左边方框里用手指写一个字", lang))
        self.status.setObjectName("handwriting-status")
        self.status.setWordWrap(True)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status.setStyleSheet(f"color: {theme.MUTED}; font-size: {scale.body_px}px;")
        side.addWidget(self.status)
        edits = QGridLayout()
        edits.setSpacing(scale.spacing_px // 3)
        undo = big_button(tr("撤销", lang), scale, name="hw-undo", width_factor=1.6)
        undo.clicked.connect(self.canvas.undo)
        clear = big_button(tr("清除", lang), scale, name="hw-clear", width_factor=1.6)
        clear.clicked.connect(self.canvas.clear)
        delete = big_button(tr("删除", lang), scale, name="hw-delete", width_factor=1.6)
        delete.clicked.connect(self.delete)
        pinyin = big_button(tr("拼音", lang), scale, name="hw-pinyin", width_factor=1.6)
        pinyin.clicked.connect(self.to_pinyin)
        for index, button in enumerate((undo, clear, delete, pinyin)):
            edits.addWidget(button, index // 2, index % 2)
        side.addLayout(edits)
        side.addStretch(1)
        row.addLayout(side, 1)

    def open(self) -> None:
        """Called when the pad is shown: opens the recogniser the first time (see kiosk/handwriting.py on memory)."""
        if self._recognizer is not None or self._unavailable:
            return
        try:
            self._recognizer = handwriting.shared_recognizer()
        except handwriting.HandwritingUnavailable as error:
            log.warning("handwriting pad unavailable: %s", error)
            self._unavailable = True
            self.canvas.setEnabled(False)
            self.status.setText(tr("本机暂不能识别手写（缺少手写识别组件），请点“拼音”输入，或请工作人员帮助。", self.lang))
            self.status.setStyleSheet(f"color: {theme.INK}; font-size: {self.scale.body_px}px; font-weight: bold;")

    @property
    def unavailable(self) -> bool:
        return self._unavailable

    def recognise(self) -> None:
        characters: list[str] = []
        if self._recognizer is not None and self.canvas.strokes:
            found = self._recognizer.classify(self.canvas.strokes, self.canvas.width(), self.canvas.height(), limit=CANDIDATES_SHOWN)
            characters = [candidate.character for candidate in found]
        for button, character in zip(self.candidate_buttons, [*characters, *[""] * CANDIDATES_SHOWN], strict=False):
            button.setText(button_text(character))
            button.setAccessibleName(character)  # the character itself: pick() reads it here, the text has & doubled
            button.setEnabled(bool(character))
        if not self._unavailable:
            self.status.setText(tr("点上面的字选用；写错了点“撤销”", self.lang) if characters else tr("请在左边方框里用手指写一个字", self.lang))

    def pick(self, index: int) -> None:
        character = self.candidate_buttons[index].accessibleName()
        if not character:
            return
        self.canvas.clear()  # also empties the candidates, through recognise
        self.picked.emit(character)

    def reset(self) -> None:
        self.canvas.clear()
