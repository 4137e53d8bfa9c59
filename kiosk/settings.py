"""Terminal settings, declared once: key, type, default, meaning, and who may change them.

Effective value = the default, then what the portal pushed (``terminal_profile`` records that came
through the signed feed; one from a plain ``kiosk import`` is never read), then
what staff set on this terminal (``settings.json`` in the data folder). A bad value in any layer
is reported by key with what was expected, and that layer's value is not used — a typo never
stops a terminal from starting. ``docs/SETTINGS.md`` is generated from this table.

Each setting also says when a running kiosk applies a change (``applies``), because staff change
settings while it runs (``kiosk config set``) and the portal pushes profiles through sync: a value
that silently waits for a restart reads as a broken setting. The window watches ``settings.json``
and hears of new profiles from sync; ``tests/ui/test_settings_apply.py`` proves each "at once" one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk import regions
from kiosk.files import write_atomic
from kiosk.i18n import LANGUAGES

DEMO_REGION = "990121101201"

#: When a running kiosk applies a changed value (``Setting.applies``):
AT_ONCE = "at once"  # within seconds: the home screen, timers, the print queue, the next sync; nothing under a reader's finger moves
NEXT_SCREEN = "next screen"  # the next screen, preview or printout opened uses it; what is open keeps what it had
RESTART = "restart"  # read when `kiosk run` starts
APPLIES = (AT_ONCE, NEXT_SCREEN, RESTART)


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    description: str
    changed_by: str  # "staff", "portal" or "both"
    check: Callable[[Any], str | None] | None = None  # returns what was expected, or None if fine
    applies: str = ""  # AT_ONCE, NEXT_SCREEN or RESTART: every setting declares it (checked below)

    def __post_init__(self) -> None:
        if self.applies not in APPLIES:
            raise ValueError(f"setting {self.key!r}: applies must be one of {', '.join(APPLIES)} (found {self.applies!r})")


def _range(low: int, high: int) -> Callable[[Any], str | None]:
    check = lambda value: None if low <= value <= high else f"a number from {low} to {high}"  # noqa: E731
    check.bounds = (low, high)  # type: ignore[attr-defined]  # for editors (the staff panel's settings screen)
    return check


def _one_of(*options: str) -> Callable[[Any], str | None]:
    check = lambda value: None if value in options else "one of " + ", ".join(options)  # noqa: E731
    check.choices = options  # type: ignore[attr-defined]  # for editors: the values to offer
    return check


def choices_of(setting: Setting) -> tuple[Any, ...]:
    """The values an editor may offer for ``setting`` (empty when any value of its type that passes the check will do)."""
    if setting.type is bool:
        return (True, False)
    return tuple(getattr(setting.check, "choices", ()))


def bounds_of(setting: Setting) -> tuple[int, int] | None:
    """(lowest, highest) for a number setting with a range, else None."""
    return getattr(setting.check, "bounds", None)


def _region(value: str) -> str | None:
    return None if regions.is_valid(value) else "a valid 12-digit region code"


def _timezone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return "an IANA time zone name such as Asia/Shanghai"
    return None


def _url_or_empty(value: str) -> str | None:
    return None if value == "" or value.startswith(("https://", "http://")) else "an http(s) URL or empty"


def _phone_or_empty(value: str) -> str | None:
    return None if value == "" or re.fullmatch(r"[0-9+\-() 转]{3,40}", value) else "a phone number such as 0739-5123456 (digits, - ( ) + 转) or empty"


def _in(*options: int) -> Callable[[Any], str | None]:
    check = lambda value: None if value in options else "one of " + ", ".join(map(str, options))  # noqa: E731
    check.choices = options  # type: ignore[attr-defined]
    return check


def _origins(value: str) -> str | None:
    items = [item.strip() for item in value.split(",") if item.strip()]
    bad = [item for item in items if not item.startswith(("https://", "http://")) or "/" in item.split("://", 1)[1].rstrip("/")]
    return f"origins like https://zwgk.example.gov.cn (not {', '.join(bad)})" if bad else None


def _pin_hash(value: str) -> str | None:
    return None if value == "" or value.startswith("$argon2id$") else "an Argon2id hash ($argon2id$…) of the staff PIN, never the PIN"


def _font_path(value: str) -> str | None:
    return None if value == "" or value.lower().endswith((".ttf", ".ttc")) else "a .ttf or .ttc file (CFF .otf fonts cannot be embedded)"


SETTINGS: tuple[Setting, ...] = (
    Setting("terminal.id", str, "demo-terminal-01", "This terminal's id at the portal (profiles may target it).", "staff", applies=AT_ONCE),
    Setting("terminal.name", str, "桃源村便民服务站自助终端", "Name shown on screen and printed on pages.", "staff", applies=AT_ONCE),
    Setting("terminal.region", str, DEMO_REGION,
            "12-digit region code of the place the terminal stands; it shows that region's content "
            "and every level above it.", "staff", _region, applies=AT_ONCE),
    Setting("terminal.phone", str, "",
            "Phone of the staff on duty for this hall or village, shown by 呼叫工作人员 on every screen beside 12345; "
            "empty = 12345 only.", "both", _phone_or_empty, applies=AT_ONCE),
    Setting("terminal.timezone", str, "Asia/Shanghai",
            "Time zone for the clock and dates on screen, whatever the operating system is set to.", "both", _timezone, applies=AT_ONCE),
    Setting("content.show_other_villages", bool, False,
            "Also show boards and payments of villages below the terminal's region (for a county hall).",
            "staff", applies=AT_ONCE),
    Setting("ui.language", str, "zh_CN", "Language shown after an idle reset: zh_CN (简体中文), zh_Hant (繁體中文) or en.", "both",
            _one_of(*LANGUAGES), applies=AT_ONCE),
    Setting("ui.large_text", bool, False, "Start in 大字模式 (elder mode) after an idle reset.", "both", applies=AT_ONCE),
    Setting("ui.idle_timeout_s", int, 120, "Seconds without a touch before the idle warning.", "both", _range(30, 3600), applies=AT_ONCE),
    Setting("ui.idle_warning_s", int, 30, "Seconds the idle warning counts down (at least 20).", "both", _range(20, 300), applies=AT_ONCE),
    Setting("ui.attract_after_s", int, 600, "Seconds idle before the notice carousel shows.", "both", _range(60, 86400), applies=AT_ONCE),
    Setting("search.result_limit", int, 50, "Most search results shown for one query.", "both", _range(5, 200), applies=NEXT_SCREEN),
    Setting("speech.voice", str, "cmn", "Read-aloud voice: cmn (普通话) or yue (粤语).", "both", _one_of("cmn", "yue"), applies=AT_ONCE),
    Setting("share.portal_url", str, "https://zwgk.xiyuan.example",
            "Public web address of the county portal; QR codes and printed pages point to {portal_url}/r/{record id}. "
            "Empty = no QR codes.", "both", _url_or_empty, applies=NEXT_SCREEN),
    Setting("share.allowed_origins", str, "",
            "Comma-separated origins (https://host) a QR code may point to; empty = the enrolled portal's origin (sync.portal_url) "
            "and share.portal_url's as staff set it. Staff's list may widen that, a profile's only narrow it.",
            "both", _origins, applies=NEXT_SCREEN),
    Setting("printing.backend", str, "file",
            "Where printing goes: cups (Linux printers), qt (Windows printers through Qt), file (save PDFs in "
            "printing.output_dir) or none (printing off, buttons hidden).", "staff", _one_of("cups", "qt", "file", "none"), applies=NEXT_SCREEN),
    Setting("printing.queue", str, "", "Printer for A4 pages: a CUPS queue name, or a Windows printer name for qt.", "staff", applies=NEXT_SCREEN),
    Setting("printing.receipt_queue", str, "",
            "Printer for receipts (80 mm or 58 mm roll); empty = no receipt printer, receipts are not offered.", "staff", applies=NEXT_SCREEN),
    Setting("printing.cups_server", str, "", "CUPS server as host:port; empty = the local one.", "staff", applies=NEXT_SCREEN),
    Setting("printing.receipt_width_mm", int, 80, "Width of the receipt roll: 80 or 58.", "staff", _in(80, 58), applies=NEXT_SCREEN),
    Setting("printing.output_dir", str, "", "Folder for the file backend; empty = 'printed' in the data folder.", "staff", applies=NEXT_SCREEN),
    Setting("printing.font_path", str, "",
            "A TrueType Chinese font (.ttf/.ttc) to print with; empty = the first one found (WenQuanYi, Microsoft YaHei, SimSun).",
            "staff", _font_path, applies=NEXT_SCREEN),
    Setting("printing.max_pages_per_job", int, 30, "Most pages one print may have.", "both", _range(1, 500), applies=AT_ONCE),
    Setting("printing.max_pages_per_session", int, 60, "Most pages one person may print before the screen resets.", "both", _range(1, 2000), applies=AT_ONCE),
    Setting("printing.daily_page_budget", int, 500, "Most pages this terminal prints in one day (China time).", "both", _range(1, 100000), applies=AT_ONCE),
    Setting("printing.job_timeout_s", int, 120, "Seconds to wait for the printer to take a job before giving up.", "both", _range(10, 900), applies=AT_ONCE),
    Setting("sync.portal_url", str, "",
            "Base URL of the county portal (uploads at /api/v1/, the feed at /feed/); empty = no sync. Set by `kiosk enroll`.",
            "staff", _url_or_empty, applies=AT_ONCE),
    Setting("sync.feed_url", str, "", "Where the signed feed is served (a CDN or mirror); empty = {sync.portal_url}/feed/.",
            "staff", _url_or_empty, applies=AT_ONCE),
    Setting("sync.interval_s", int, 900, "Seconds between sync attempts (a random ±10 % is added so terminals spread out).",
            "both", _range(15, 86400), applies=AT_ONCE),
    Setting("sync.stale_after_h", int, 72, "Hours after the last successful sync before the screens mark content 可能不是最新.",
            "both", _range(1, 8760), applies=AT_ONCE),
    Setting("sync.max_bundle_mb", int, 256, "Largest bundle the terminal will decompress, in MB (a guard against gzip bombs).",
            "both", _range(1, 4096), applies=AT_ONCE),
    Setting("sync.proxy", str, "", "HTTP(S) proxy for all portal traffic, e.g. http://10.0.0.1:3128; empty = none (or the system's).",
            "staff", _url_or_empty, applies=AT_ONCE),
    Setting("sync.ca_bundle", str, "",
            "PEM file of CA certificates to trust for the portal (a private CA); empty = the usual trust store.", "staff", applies=AT_ONCE),
    Setting("sync.connect_timeout_s", int, 10, "Seconds to wait for a connection to the portal.", "staff", _range(1, 300), applies=AT_ONCE),
    Setting("sync.read_timeout_s", int, 30, "Seconds to wait for the portal to answer once connected.", "staff", _range(1, 600), applies=AT_ONCE),
    Setting("staff.pin_hash", str, "",
            "The county's reset of a forgotten staff PIN: an Argon2id hash (`kiosk staff hash-pin`), never the PIN. It wins over "
            "the PIN set on the terminal until staff set a new one there (kiosk/staff.py); only a signed profile may carry it.",
            "portal", _pin_hash, applies=NEXT_SCREEN),
)
BY_KEY: dict[str, Setting] = {setting.key: setting for setting in SETTINGS}


@dataclass(frozen=True)
class SettingProblem:
    source: str
    key: str
    expected: str
    found: str

    def __str__(self) -> str:
        return f"{self.source}: setting {self.key!r}: expected {self.expected} (found {self.found})"


def check_value(key: str, value: Any) -> str | None:
    """What was expected, or None if ``value`` is acceptable for ``key``."""
    setting = BY_KEY.get(key)
    if setting is None:
        return "a known setting (see docs/SETTINGS.md)"
    if setting.type is int and (isinstance(value, bool) or not isinstance(value, int)):
        return "a whole number"
    if not isinstance(value, setting.type):
        return {bool: "true or false", str: "text"}.get(setting.type, setting.type.__name__)
    return setting.check(value) if setting.check else None


def parse_text(key: str, text: str) -> Any:
    """A value typed on the command line, converted to the setting's type."""
    setting = BY_KEY.get(key)
    if setting is None:
        raise ValueError(f"unknown setting {key!r}; see docs/SETTINGS.md")
    if setting.type is bool:
        lowered = text.strip().lower()
        if lowered not in ("true", "false", "1", "0", "yes", "no"):
            raise ValueError(f"setting {key!r}: expected true or false (found {text!r})")
        return lowered in ("true", "1", "yes")
    if setting.type is int:
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"setting {key!r}: expected a whole number (found {text!r})") from None
    return text


class Settings:
    """The effective settings of one terminal."""

    def __init__(self, path: Path, portal_values: Mapping[str, Any] | None = None) -> None:
        self.path = path
        self.problems: list[SettingProblem] = []
        self.portal: dict[str, Any] = self._accepted(portal_values or {}, "portal", allowed=("portal", "both"))
        self.local: dict[str, Any] = self._accepted(self._read_file(), str(path), allowed=("staff", "both"))

    def _read_file(self) -> dict[str, Any]:
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.problems.append(SettingProblem(str(self.path), "(file)", "a JSON object of settings", str(exc)))
            return {}
        if not isinstance(data, dict):
            self.problems.append(SettingProblem(str(self.path), "(file)", "a JSON object of settings", type(data).__name__))
            return {}
        return data

    def _accepted(self, values: Mapping[str, Any], source: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        accepted = {}
        for key, value in values.items():
            expected = check_value(key, value)
            if expected is None and BY_KEY[key].changed_by not in allowed:
                expected = f"a setting that {source.split('/')[-1]} may change (this one is {BY_KEY[key].changed_by}-only)"
            if expected:
                self.problems.append(SettingProblem(source, key, expected, repr(value)))
            else:
                accepted[key] = value
        return accepted

    def __getitem__(self, key: str) -> Any:
        if key in self.local:
            return self.local[key]
        if key in self.portal:
            return self.portal[key]
        return BY_KEY[key].default

    def as_dict(self) -> dict[str, Any]:
        return {setting.key: self[setting.key] for setting in SETTINGS}

    def set_local(self, key: str, value: Any) -> None:
        """Validate, then write settings.json atomically (a power cut leaves the old file)."""
        expected = check_value(key, value)
        if expected is None and BY_KEY[key].changed_by == "portal":
            expected = "a setting staff may change (this one comes from the portal)"
        if expected:
            raise ValueError(f"setting {key!r}: expected {expected} (found {value!r})")
        updated = {**self.local, key: value}
        # 0600 as before: sync.proxy may carry a password
        write_atomic(self.path, json.dumps(updated, ensure_ascii=False, indent=2, sort_keys=True), mode=0o600)
        self.local = updated


def settings_markdown() -> str:
    """The text of docs/SETTINGS.md."""
    lines = [
        "# Settings",
        "",
        "Generated from `kiosk/settings.py` by `kiosk docs`; a test keeps this file equal to it.",
        "",
        "A value comes from, in rising order of precedence: the default, the portal (a `terminal_profile`",
        "record from the signed feed; one from a plain `kiosk import` is never read), and staff on the terminal",
        "(`settings.json` in the data folder, or `kiosk config set`).",
        "A bad value is reported with its key and what was expected, and the next layer down is used.",
        "",
        "**Applies** says when a running kiosk uses a changed value. The kiosk watches `settings.json` (so",
        "`kiosk config set` on the same data folder reaches it within seconds) and re-reads the portal's",
        "profiles when a sync brings new ones.",
        "",
        f"- *{AT_ONCE}*: within seconds, without a restart: the home screen, the idle timers, the read-aloud voice,",
        "  the print queue's limits; a changed `sync.*` setting starts a sync with it. A page someone is reading",
        "  is never changed under their finger: it keeps what it showed until they leave it.",
        f"- *{NEXT_SCREEN}*: the next screen, print preview or printout opened uses it; what is open keeps what it had.",
        f"- *{RESTART}*: read when `kiosk run` starts; restart the kiosk for it to take effect"
        + (" (no setting needs this today)." if all(s.applies != RESTART for s in SETTINGS) else "."),
        "",
        "| key | type | default | changed by | applies | meaning |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for setting in SETTINGS:
        default = json.dumps(setting.default, ensure_ascii=False)
        lines.append(
            f"| `{setting.key}` | {setting.type.__name__} | `{default}` | {setting.changed_by} | {setting.applies} | {setting.description} |"
        )
    return "\n".join(lines) + "\n"
