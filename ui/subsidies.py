"""惠民补贴: the subsidy policies (seven public fields) and the village's payment list with totals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.browse import Browser, PaymentFilter
from kiosk.home import section_name
from kiosk.i18n import format_day, joined, ntr, tr
from kiosk.labels import labelled, payment_totals_words, period_label, value_label
from kiosk.money import format_fen
from ui import theme
from ui.chooser import Chooser, choose_village
from ui.keyboard import KeyboardPanel
from ui.listing import filter_rows
from ui.widgets import LazyListModel, Row, TouchList, big_button, button_text, chip_group, plain_label, screen_column


def policy_row(policy: dict[str, Any], lang: str) -> Row:
    year = tr("{year}年度", lang, year=policy["year"])
    return Row(policy["name"], f"{year}  ·  {policy['department']}  ·  {policy['standard']}", "", policy["id"])


def payment_row(payment: dict[str, Any], lang: str) -> Row:
    paid = format_day(payment["paid_date"], lang) if payment.get("paid_date") else ""
    details = [payment["policy_name"], period_label(str(payment["period"]), lang), payment.get("quantity") or "",
               f"{value_label(payment.get('status', ''), lang)} {paid}".strip()]
    return Row(payment["recipient"], "  ·  ".join(d for d in details if d), "", None, format_fen(payment["amount_fen"]))


class SubsidyScreen(QWidget):
    """Two views behind two big buttons: 补贴政策 and 本村发放名单 (filter by policy, year, name)."""

    opened = Signal(object)  # a policy id
    filters_changed = Signal()

    def __init__(self, browser: Browser, village_names: dict[str, str], home_village: str, scale: theme.Scale, lang: str, *,
                 on_back: Callable[[], None], on_home: Callable[[], None]) -> None:
        super().__init__()
        self.setObjectName("subsidies")
        self.browser = browser
        self.scale = scale
        self.lang = lang
        self.village_names = village_names
        self.villages, self.village = browser.starting_village("subsidy_payment", home_village)
        self.filters = PaymentFilter()
        layout = screen_column(self, section_name("subsidies", lang), scale, lang, on_back, on_home)
        modes = QHBoxLayout()
        modes.setContentsMargins(scale.spacing_px, scale.spacing_px // 2, scale.spacing_px, scale.spacing_px // 2)
        group = QButtonGroup(self)
        self.policies_tab = big_button(tr("补贴政策", lang), scale, name="tab-policies", width_factor=2.6)
        self.payments_tab = big_button(tr("本村发放名单", lang), scale, name="tab-payments", width_factor=3.4)
        for index, tab in enumerate((self.policies_tab, self.payments_tab)):
            tab.setCheckable(True)
            group.addButton(tab)
            modes.addWidget(tab)
            tab.clicked.connect(lambda _checked=False, i=index: self.stack.setCurrentIndex(i))
        modes.addStretch(1)
        layout.addLayout(modes)
        self.stack = QStackedWidget()
        self.stack.addWidget(self._policies_pane())
        self.stack.addWidget(self._payments_pane())
        layout.addWidget(self.stack, 1)
        self.policies_tab.setChecked(True)

    # ---------------------------------------------------------------- policies
    def _policies_pane(self) -> QWidget:
        def fetch(offset: int, limit: int) -> tuple[list[Row], int]:
            page = self.browser.subsidy_policies(offset=offset, limit=limit)
            return [policy_row(p, self.lang) for p in page.rows], page.total

        pane = QWidget()
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(self.scale.spacing_px, 0, self.scale.spacing_px, self.scale.spacing_px // 2)
        self.policy_list = TouchList(LazyListModel(fetch), self.scale, self.lang)
        self.policy_list.activated.connect(self.opened)
        layout.addWidget(self.policy_list)
        return pane

    # ---------------------------------------------------------------- payments
    def show_payments(self) -> None:
        self.payments_tab.setChecked(True)
        self.stack.setCurrentIndex(1)

    def _payments_pane(self) -> QWidget:
        pane = QWidget()
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(0, 0, 0, 0)
        bar, (row, year_row) = filter_rows(self.scale, 2, lang=self.lang)
        if len(self.villages) > 1:
            self.village_button = big_button(self._village_label(), self.scale, name="choose-village", width_factor=2.4)
            self.village_button.clicked.connect(self._choose_village)
            row.addWidget(self.village_button)
        self.policy_button = big_button(self._policy_label(), self.scale, name="choose-policy", width_factor=3.2)
        self.policy_button.clicked.connect(self._choose_policy)
        row.addWidget(self.policy_button)
        years = self.browser.payment_years(self.village)[:3]
        year_choices = [(tr("全部年份", self.lang), None), *[(period_label(str(y), self.lang), y) for y in years]]
        self._year_group = chip_group(self, year_row, self.scale, "pay-year", year_choices, lambda v: self._set(year=v))
        year_row.addStretch(1)
        row.addStretch(1)
        self.name_button = big_button(tr("按姓名查找", self.lang), self.scale, name="find-name", width_factor=2.6)
        self.name_button.clicked.connect(self._open_keyboard)
        row.addWidget(self.name_button)
        self.surname_button = big_button(tr("按姓氏", self.lang), self.scale, name="find-surname", width_factor=2.0)
        self.surname_button.clicked.connect(self._choose_surname)
        row.addWidget(self.surname_button)
        layout.addWidget(bar)
        self.totals = plain_label()
        self.totals.setObjectName("payment-totals")
        self.totals.setStyleSheet(f"color: {theme.INK}; font-size: {self.scale.title_px}px; font-weight: bold; padding: 4px {self.scale.spacing_px}px;")
        self.totals.setWordWrap(True)
        self.totals.installEventFilter(self)
        self.actions = QHBoxLayout()  # the window adds 打印 here: the list prints as filtered
        self.actions.setContentsMargins(0, 0, self.scale.spacing_px, 0)
        self.actions.addWidget(self.totals, 1)
        layout.addLayout(self.actions)
        self.payment_model = LazyListModel(self._fetch_payments)
        self.payment_list = TouchList(self.payment_model, self.scale, self.lang)
        body = QVBoxLayout()
        body.setContentsMargins(self.scale.spacing_px, 0, self.scale.spacing_px, self.scale.spacing_px // 2)
        body.addWidget(self.payment_list)
        layout.addLayout(body, 1)
        self._update_totals()
        return pane

    def _fetch_payments(self, offset: int, limit: int) -> tuple[list[Row], int]:
        page = self.browser.payments(self.village, self.filters, offset=offset, limit=limit)
        self._totals = page.extra["totals"]
        return [payment_row(p, self.lang) for p in page.rows], page.total

    def _set(self, **changes: Any) -> None:
        self.filters = PaymentFilter(**{**self.filters.__dict__, **changes})
        self.payment_model.reload()
        self.policy_button.setText(button_text(self._policy_label()))
        self.name_button.setText(button_text(labelled("姓名", self.filters.name, self.lang)) if self.filters.name else tr("按姓名查找", self.lang))
        self.surname_button.setText(button_text(labelled("姓", self.filters.surname, self.lang)) if self.filters.surname else tr("按姓氏", self.lang))
        self._update_totals()
        self.filters_changed.emit()

    def _update_totals(self) -> None:
        place = self.village_names.get(self.village, self.village)
        count = self.payment_model.total
        head = ntr("{place}　共 {n} 笔", "{place}　共 {n} 笔", count, self.lang, place=place)
        # the sums on a line of their own, or each on its own line where one line is too narrow (portrait 大字模式):
        # a line then breaks between 已发放 and 待发放, never inside an amount
        pieces = payment_totals_words(self._totals, format_fen, self.lang)
        sums = joined(pieces, self.lang)
        fits = self.totals.fontMetrics().horizontalAdvance(sums) <= self.totals.contentsRect().width() - 8
        text = "\n".join([head, sums] if fits else [head, *pieces])
        if text != self.totals.text():
            self.totals.setText(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.totals and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self._update_totals()  # the label's width decides whether the sums share a line
        return super().eventFilter(watched, event)

    def _policy_label(self) -> str:
        if self.filters.policy_id is None:
            return tr("全部补贴项目 ▾", self.lang)
        names = {pid: name for pid, name, _count in self.browser.payment_policies(self.village)}
        return f"{names.get(self.filters.policy_id, self.filters.policy_id)} ▾"

    def _village_label(self) -> str:
        return f"{self.village_names.get(self.village, self.village)} ▾"

    def _choose_policy(self) -> None:
        options: list[tuple[str, Any]] = [(tr("全部补贴项目", self.lang), None)]
        options += [(tr("{name}（{count}）", self.lang, name=name, count=count), pid) for pid, name, count in self.browser.payment_policies(self.village)]
        Chooser(self, tr("选择补贴项目", self.lang), options, lambda v: self._set(policy_id=v), self.scale, self.lang)

    def _choose_village(self) -> None:
        choose_village(self, self.villages, self.village_names, self._set_village, self.scale, self.lang)

    def _set_village(self, village: str) -> None:
        self.village = village
        self.village_button.setText(button_text(self._village_label()))
        self._set(policy_id=None)

    def find_name(self, name: str) -> None:
        """Filter the list by a name (a payment opened from search): 李*丽 finds 李*丽's lines."""
        self._set(name=name)

    def show_policy(self, policy_id: str) -> None:
        """Only the payments of one policy (from a policy's page or a life-event entrance)."""
        self._set(policy_id=policy_id)

    def _choose_surname(self) -> None:
        """Tap a surname from those on this list (for people who can neither spell nor write it)."""
        options: list[tuple[str, Any]] = [(tr("全部姓氏", self.lang), None)]
        options += [(tr("{name}（{count}）", self.lang, name=surname, count=count), surname)
                    for surname, count in self.browser.payment_surnames(self.village)]
        Chooser(self, tr("选择姓氏", self.lang), options, lambda v: self._set(surname=v), self.scale, self.lang, columns=5)

    def _open_keyboard(self) -> None:
        names = self.browser.payment_recipients(self.village)
        KeyboardPanel(self, tr("输入姓名中的字（如姓氏）", self.lang), self.filters.name or "",
                      lambda text: self._set(name=text.strip() or None), self.scale, self.lang,
                      vocabulary=[n.replace("*", "") for n in names], names=True)
