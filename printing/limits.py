"""Limits against paper abuse: pages per print, per person (idle session) and per day.

Each refusal says in plain words which limit it is and what the person can do, because a
bare "打印失败" at a self-service machine sends people away thinking it is broken.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.i18n import LazyText, lazy_tr
from kiosk.settings import Settings
from kiosk.usage import UsageLog


@dataclass(frozen=True)
class Refusal:
    limit: str  # job, session, day
    text: LazyText  # shown in the language of the screen that asked

    @property
    def message_zh(self) -> str:
        return self.text.zh

    @property
    def message_en(self) -> str:
        return self.text.render("en")


def check_limits(settings: Settings, usage: UsageLog, pages: int, session_pages: int, today: dt.date) -> Refusal | None:
    """None if ``pages`` more may be printed now, else which limit stops it."""
    per_job = settings["printing.max_pages_per_job"]
    if pages > per_job:
        return Refusal("job", lazy_tr("这份材料共 {pages} 页，超过每次最多打印 {per_job} 页的限制。请联系工作人员打印，或扫码在手机上查看。",
                                      pages=pages, per_job=per_job))
    per_session = settings["printing.max_pages_per_session"]
    if session_pages + pages > per_session:
        left = max(per_session - session_pages, 0)
        return Refusal("session", lazy_tr("每人每次最多打印 {per_session} 页，您还可以打印 {left} 页，这份需要 {pages} 页。请联系工作人员。",
                                          per_session=per_session, left=left, pages=pages))
    budget = settings["printing.daily_page_budget"]
    used = usage.pages_printed_on(today)
    if used + pages > budget:
        return Refusal("day", lazy_tr("本机今天的打印额度已用完（剩余 {left} 页）。请明天再来，或联系工作人员。", left=max(budget - used, 0)))
    return None
