"""What the home screen shows, as plain data: tiles with counts, place names, data date, notices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kiosk.i18n import N_, tr
from kiosk.lifeevents import Entrance, entrances
from kiosk.records.text import utc_text
from kiosk.syncstatus import DataStatus, data_status
from kiosk.terminal import Terminal


@dataclass(frozen=True)
class Tile:
    key: str
    label: str  # the section's name as a catalogue id (简体中文): show it through kiosk.i18n.tr
    count: int | None  # None for tiles that are actions (search)


@dataclass(frozen=True)
class NoticeLine:
    record_id: str
    title: str
    urgent: bool
    expire_at: str


@dataclass(frozen=True)
class HomeSummary:
    terminal_name: str
    place_name: str
    region: str
    data_changed_at: str  # when this terminal last imported anything (local time)
    tiles: list[Tile]
    notices: list[NoticeLine] = field(default_factory=list)
    data_status: DataStatus = field(default_factory=lambda: DataStatus("local", ""))
    entrances: list[Entrance] = field(default_factory=list)  # life-event entrances (kiosk/lifeevents.py)
    phone: str = ""  # terminal.phone: whom 呼叫工作人员 shows beside 12345
    content_updated_at: str = ""  # how current the content is: the newest record's updated_at (what 内容截至 says)


#: The one table of section names: (screen name, name), in home-screen order. The home tiles, the titles of the
#: screens and reading pages, printed pages (本机“政策文件”) and the portal's item pages all name a section from here,
#: so a renamed section is renamed everywhere at once. The names are catalogue ids: English and 繁體中文 come from the
#: translation catalogue (kiosk/i18n.py), like every other word on screen.
TILES: tuple[tuple[str, str], ...] = (
    ("catalogue", N_("政务公开目录")),
    ("documents", N_("政策文件")),
    ("interpretations", N_("政策解读")),
    ("subsidies", N_("惠民补贴")),
    ("boards", N_("三务公开")),
    ("guides", N_("办事指南")),
    ("notices", N_("通知公告")),
    ("search", N_("搜索")),
)
#: The section a record of each kind is read in: its reading page, its printout and its portal page carry that name.
SECTION_OF_KIND: dict[str, str] = {
    "catalogue_domain": "catalogue", "catalogue_item": "catalogue", "document": "documents", "subsidy_policy": "subsidies",
    "subsidy_payment": "subsidies", "board": "boards", "service_guide": "guides", "notice": "notices",
}
_NAMES: dict[str, str] = dict(TILES)


def section_name(key: str, lang: str = "zh_CN") -> str:
    """The name of section ``key`` (a screen name such as ``documents``) in ``lang``; "" for no section."""
    name = _NAMES.get(key, "")
    return tr(name, lang) if name else ""


def kind_section_name(kind: str, lang: str = "zh_CN") -> str:
    """The name of the section where records of ``kind`` are read; "" for kinds no section shows (regions, profiles)."""
    return section_name(SECTION_OF_KIND.get(kind, ""), lang)


def home_summary(terminal: Terminal, now: dt.datetime | None = None) -> HomeSummary:
    now = now or terminal.clock()
    scope = terminal.scope()
    counts = terminal.store.counts_by_kind(scope, now=now)
    marks = ",".join("?" * len(scope))
    interpreted = terminal.store.sql(
        f"SELECT COUNT(*) FROM record_full WHERE kind = 'document' AND deleted = 0 AND region IN ({marks}) "
        "AND json_extract(data, '$.interpretation') IS NOT NULL",
        scope,
    )[0][0]
    by_tile = {
        "catalogue": counts.get("catalogue_item", 0),
        "documents": counts.get("document", 0),
        "interpretations": interpreted,
        "subsidies": counts.get("subsidy_policy", 0),
        "boards": counts.get("board", 0),
        "guides": counts.get("service_guide", 0),
        "notices": counts.get("notice", 0),
        "search": None,
    }
    rows = terminal.store.sql(
        f"SELECT record_id, title, json_extract(data, '$.priority'), json_extract(data, '$.expire_at'), "
        f"json_extract(data, '$.publish_at') FROM record_full WHERE kind = 'notice' AND deleted = 0 AND region IN ({marks}) "
        "AND expires_utc > ? ORDER BY json_extract(data, '$.priority') = 'urgent' DESC, sort_date DESC LIMIT 20",
        (*scope, utc_text(now)),
    )
    notices = [
        NoticeLine(record_id, title, priority == "urgent", expire_at)
        for record_id, title, priority, expire_at, publish_at in rows
        if utc_text(publish_at) <= utc_text(now)
    ][:10]
    return HomeSummary(
        terminal_name=terminal.settings["terminal.name"],
        place_name=terminal.region_name(),
        region=terminal.region,
        data_changed_at=terminal.store.meta("data_changed_at"),
        tiles=[Tile(key, label, by_tile[key]) for key, label in TILES],
        notices=notices,
        data_status=data_status(terminal, now),
        entrances=entrances(terminal.store, scope),
        phone=terminal.settings["terminal.phone"],
        content_updated_at=terminal.store.meta("content_updated_at"),
    )
