"""办事指南 and 通知公告: filtered lists whose rows open reading pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from kiosk.browse import Browser
from kiosk.home import section_name
from kiosk.i18n import N_, format_day, tr
from ui import theme
from ui.listing import ListScreen, filter_bar
from ui.widgets import Row, chip_group

AUDIENCES = (N_("个人服务"), N_("法人服务"))


def guide_row(guide: dict[str, Any]) -> Row:
    return Row(guide["name"], "  ·  ".join(x for x in (guide.get("topic", ""), guide["department"], guide.get("time_limit", "")) if x), "", guide["id"])


class GuideListScreen(ListScreen):
    def __init__(self, browser: Browser, scale: theme.Scale, lang: str, *, on_back: Callable[[], None], on_home: Callable[[], None]) -> None:
        self.browser = browser
        self.audience: str | None = None
        bar, layout = filter_bar(scale)
        super().__init__("guides", section_name("guides", lang), self._fetch, scale, lang,
                         on_back=on_back, on_home=on_home, top=bar)
        choices = [(tr("全部", lang), None), *[(tr(a, lang), a) for a in AUDIENCES]]
        self._audience_group = chip_group(self, layout, scale, "audience", choices, self._set)
        layout.addStretch(1)

    def _set(self, audience: str | None) -> None:
        self.audience = audience
        self.model.reload()

    def _fetch(self, offset: int, limit: int) -> tuple[list[Row], int]:
        page = self.browser.service_guides(self.audience, offset=offset, limit=limit)
        return [guide_row(g) for g in page.rows], page.total


def notice_row(notice: dict[str, Any], lang: str) -> Row:
    badge = tr("紧急", lang) if notice.get("priority") == "urgent" else ""
    return Row(notice["title"], f"{notice['issuer']}  ·  {format_day(notice['publish_at'], lang)}", badge, notice["id"])


class NoticeListScreen(ListScreen):
    """Current notices only (published, not expired), urgent first."""

    def __init__(self, browser: Browser, now: Callable[[], dt.datetime], scale: theme.Scale, lang: str, *,
                 on_back: Callable[[], None], on_home: Callable[[], None]) -> None:
        def fetch(offset: int, limit: int) -> tuple[list[Row], int]:
            page = browser.notices(now(), offset=offset, limit=limit)
            return [notice_row(n, lang) for n in page.rows], page.total

        super().__init__("notices", section_name("notices", lang), fetch, scale, lang, on_back=on_back, on_home=on_home)
