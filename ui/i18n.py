"""Screen wording in 简体中文 first, with English. One table, so nothing is half-translated."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "data_changed": ("数据更新于 {when}", "Data updated {when}"),
    "data_never": ("尚无数据", "No data yet"),
    "offline": ("离线", "Offline"),
    "online": ("在线", "Online"),
    "stale": ("数据可能不是最新", "Data may be out of date"),
    "stale_since": ("数据可能不是最新（上次同步\u00a0{when}）", "Data may be out of date (last synced {when})"),
    "synced": ("已与县级门户同步\u00a0{when}", "Synced with the county portal {when}"),
    "offline_since": ("离线，上次同步\u00a0{when}", "Offline, last synced {when}"),
    "syncing": ("正在更新\u00a0{percent}%", "Updating {percent}%"),
    "items": ("{count} 项", "{count} items"),
    "search_hint": ("点此搜索：政策、补贴、办事指南…", "Tap to search policies, subsidies, guides…"),
    "large_on": ("大字模式", "Large text"),
    "large_off": ("标准字号", "Normal text"),
    "language": ("English", "中文"),
    "urgent": ("紧急通知", "Urgent"),
    "notices_none": ("暂无通知公告", "No current notices"),
}


def tr(key: str, lang: str, **values: object) -> str:
    zh, en = TEXT[key]
    return (en if lang == "en" else zh).format(**values)
