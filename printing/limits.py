"""Limits against paper abuse: pages per print, per person (idle session) and per day.

Each refusal says in plain words which limit it is and what the person can do, because a
bare "打印失败" at a self-service machine sends people away thinking it is broken.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.settings import Settings
from kiosk.usage import UsageLog


@dataclass(frozen=True)
class Refusal:
    limit: str  # job, session, day
    message_zh: str
    message_en: str


def check_limits(settings: Settings, usage: UsageLog, pages: int, session_pages: int, today: dt.date) -> Refusal | None:
    """None if ``pages`` more may be printed now, else which limit stops it."""
    per_job = settings["printing.max_pages_per_job"]
    if pages > per_job:
        return Refusal("job", f"这份材料共 {pages} 页，超过每次最多打印 {per_job} 页的限制。请联系工作人员打印，或扫码在手机上查看。",
                       f"This item has {pages} pages; at most {per_job} can be printed at once. Please ask staff, or scan the QR code.")
    per_session = settings["printing.max_pages_per_session"]
    if session_pages + pages > per_session:
        left = max(per_session - session_pages, 0)
        return Refusal("session", f"每人每次最多打印 {per_session} 页，您还可以打印 {left} 页，这份需要 {pages} 页。请联系工作人员。",
                       f"Each person may print {per_session} pages; {left} left, this needs {pages}. Please ask staff.")
    budget = settings["printing.daily_page_budget"]
    used = usage.pages_printed_on(today)
    if used + pages > budget:
        return Refusal("day", f"本机今天的打印额度已用完（剩余 {max(budget - used, 0)} 页）。请明天再来，或联系工作人员。",
                       f"Today's printing allowance on this terminal is used up ({max(budget - used, 0)} pages left). Please ask staff.")
    return None
