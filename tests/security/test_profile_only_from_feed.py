"""Issue 12, item 2: one unsigned `terminal_profile` redirected every QR code.

A plain `kiosk import` of a profile set ``share.portal_url`` and ``share.allowed_origins`` to a
look-alike domain, and every QR code on screen and on paper then pointed there. Now settings read
only profiles a feed channel brought; a plain import of a profile is refused on a terminal that
follows a feed and stored inert on a standalone one; and the QR allowlist is pinned to the enrolled
portal's origin (staff may widen it in settings.json, a profile, even a signed one, may not).
"""

from __future__ import annotations

from pathlib import Path

from kiosk.clock import fixed_clock
from kiosk.share import record_url
from kiosk.terminal import Terminal
from tests.helpers.clock import TEST_NOW
from tests.security.provenance_support import COUNTY_CHANNEL, built_feed, import_feed, kiosk, write_jsonl

LOOKALIKE = "https://zwgk.xiyuan-gov.example"
OFFICIAL = "https://zwgk.xiyuan.example"  # share.portal_url's default: the demo county's portal


def _profile(record_id: str = "profile-lookalike", **settings: object) -> dict:
    return {"id": record_id, "kind": "terminal_profile", "version": 7, "region": COUNTY_CHANNEL, "updated_at": "2026-03-01T09:00:00+08:00",
            "name": "全县终端", "terminal_ids": [],
            "settings": settings or {"share.portal_url": LOOKALIKE, "share.allowed_origins": LOOKALIKE}}


def _url(data: Path) -> str | None:
    with Terminal(data, fixed_clock(TEST_NOW)) as terminal:
        return record_url("doc-1", terminal.settings)


def test_a_plain_imported_profile_on_a_standalone_terminal_is_stored_but_never_read(tmp_path: Path) -> None:
    data = tmp_path / "terminal"
    result = kiosk(data, "import", str(write_jsonl(tmp_path / "usb" / "profile.jsonl", [_profile()])))
    assert result.returncode == 0, result.stderr
    # before the fix: https://zwgk.xiyuan-gov.example/r/doc-1 on every QR code
    assert _url(data) == f"{OFFICIAL}/r/doc-1"
    assert OFFICIAL in kiosk(data, "config", "get", "share.portal_url").stdout
    assert "not used" in result.stdout and "kiosk import-feed" in result.stdout  # and staff are told why


def test_a_following_terminal_refuses_a_profile_in_a_plain_import(tmp_path: Path) -> None:
    feed = built_feed(tmp_path)
    data = tmp_path / "terminal"
    assert import_feed(data, feed).returncode == 0
    result = kiosk(data, "import", str(write_jsonl(tmp_path / "usb" / "profile.jsonl", [_profile()])))
    # before the fix: exit 0 and the look-alike portal in every QR code
    assert result.returncode == 2, result.stdout + result.stderr
    assert "profile-lookalike" in result.stderr and "kiosk import-feed" in result.stderr
    assert kiosk(data, "show", "profile-lookalike").returncode == 1
    assert _url(data) == f"{OFFICIAL}/r/doc-1"


def test_a_signed_profile_cannot_widen_the_qr_origins_but_staff_can(tmp_path: Path) -> None:
    feed = built_feed(tmp_path)
    write_jsonl(feed.source / "profile.jsonl", [_profile()])
    feed.build()
    data = tmp_path / "terminal"
    assert import_feed(data, feed).returncode == 0, "the signed feed itself is taken"
    with Terminal(data, fixed_clock(TEST_NOW)) as terminal:
        assert terminal.settings["share.portal_url"] == LOOKALIKE  # the profile is read: it came through the feed
    # before the fix: the profile's own share.allowed_origins let the look-alike through
    assert _url(data) is None  # no QR code rather than one off the pinned origin
    assert kiosk(data, "config", "set", "share.allowed_origins", LOOKALIKE).returncode == 0  # staff, on the terminal
    assert _url(data) == f"{LOOKALIKE}/r/doc-1"


def test_qr_codes_are_pinned_to_the_enrolled_portal(tmp_path: Path) -> None:
    """An enrolled terminal (sync.portal_url, written by `kiosk enroll`) points its QR codes there, and a
    profile may move them along that origin only."""
    data = tmp_path / "terminal"
    portal = "https://gk.qingchuan.example"
    assert kiosk(data, "config", "set", "sync.portal_url", portal).returncode == 0
    assert _url(data) == f"{portal}/r/doc-1"
    with Terminal(data, fixed_clock(TEST_NOW)) as terminal:
        terminal.store.apply([_profile("profile-path", **{"share.portal_url": f"{portal}/xiyuan"})], origin=COUNTY_CHANNEL)
        terminal.store.apply([_profile("profile-away", **{"share.portal_url": OFFICIAL, "share.allowed_origins": OFFICIAL})],
                             origin=COUNTY_CHANNEL)
        terminal.reload_settings()
        assert record_url("doc-1", terminal.settings) is None  # the county pushed another origin: refused
        away = _profile("profile-away")
        tombstone = {**{key: away[key] for key in ("id", "kind", "region", "updated_at")}, "version": 8, "deleted": True}
        terminal.store.apply([tombstone], origin=COUNTY_CHANNEL)
        terminal.reload_settings()
        assert record_url("doc-1", terminal.settings) == f"{portal}/xiyuan/r/doc-1"


def test_the_demo_countys_profile_counts_only_while_the_store_holds_nothing_but_the_demo(tmp_path: Path) -> None:
    """`kiosk run --demo` keeps its profile; a demo-marked profile is no way round the rule once anything else arrives."""
    with Terminal(tmp_path / "terminal", fixed_clock(TEST_NOW)) as terminal:
        terminal.ensure_demo_content()
        terminal.store.db.execute_sql(  # make the demo's own profile say something the default does not
            "UPDATE record_data SET data = json_set(data, '$.settings.\"ui.idle_timeout_s\"', 300) WHERE pk = "
            "(SELECT pk FROM record WHERE kind = 'terminal_profile' AND origin = 'demo')")
        terminal.reload_settings()
        assert terminal.settings["ui.idle_timeout_s"] == 300
        assert terminal.import_path(write_jsonl(tmp_path / "usb" / "x.jsonl", [_profile("profile-local")])).result.added == 1
        assert terminal.settings["ui.idle_timeout_s"] == 120  # the store is no longer demo-only
        assert OFFICIAL in (record_url("doc-1", terminal.settings) or "")
