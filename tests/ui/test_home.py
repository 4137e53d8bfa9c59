"""The home screen on the demo county: what a person sees first, in both orientations and modes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetrics, QImage
from PySide6.QtWidgets import QLabel, QPushButton

from kiosk.changes import NO_CHANGES, ContentChanges
from kiosk.clock import fixed_clock
from kiosk.terminal import Terminal
from tests.helpers.clock import TEST_NOW
from tests.helpers.paths import ROOT
from tests.helpers.records import COUNTY, VILLAGE, make
from ui import theme
from ui.window import MainWindow


def _visible_labels(window: MainWindow) -> list[QLabel]:
    return [label for label in window.findChildren(QLabel) if label.isVisible() and label.text()]


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(QColor(a)), _luminance(QColor(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_home_shows_place_tiles_with_counts_and_data_date(kiosk_window, demo_terminal: Terminal) -> None:
    window = kiosk_window(demo_terminal, size=(1920, 1080))
    texts = [label.text() for label in _visible_labels(window)]
    assert "桃源村" in texts
    assert any(text.startswith("内容截至 20") for text in texts)
    counts = demo_terminal.store.counts_by_kind(demo_terminal.scope())
    tile = window.findChild(QPushButton, "tile-documents")
    assert tile.findChild(QLabel, "tile-count").text() == f"{counts['document']} 项"
    assert counts["document"] >= 300


def _status_lines(terminal: Terminal, kiosk_window) -> list[str]:
    window = kiosk_window(terminal, size=(1920, 1080))
    texts = [label.text() for label in _visible_labels(window)]
    assert not any("离线" in text for text in texts) or terminal.settings["sync.portal_url"], texts
    return window.findChild(QLabel, "data-status").text().split("\n")


def test_home_says_the_contents_own_date_and_apart_from_it_when_this_terminal_imported_it(kiosk_window, terminal: Terminal) -> None:
    """Issue 15 item 3: the first line said 数据更新于 <the local import time> while the content was as of another day.
    Now 内容截至 is the newest record's day (on the terminal's calendar), and the import time is said as such."""
    terminal.store.apply([make("region", VILLAGE), make("document", "doc-1", region=COUNTY, updated_at="2026-11-19T17:00:00+00:00")])
    terminal.store.set_meta("data_changed_at", "2026-11-21T08:05:00+08:00")
    assert _status_lines(terminal, kiosk_window) == ["内容截至 2026-11-20", "未连接门户，本机导入于\u00a008:05"]


def test_a_terminal_without_a_portal_never_says_offline(kiosk_window, terminal: Terminal) -> None:
    """No sync.portal_url, never synced: content comes by `kiosk import`, there is nothing to be offline from (before: 离线)."""
    terminal.store.apply([make("region", VILLAGE)])
    assert terminal.settings["sync.portal_url"] == ""
    assert _status_lines(terminal, kiosk_window)[1].startswith("未连接门户")


def test_an_enrolled_terminal_says_offline_or_not_yet_synced(kiosk_window, terminal: Terminal) -> None:
    terminal.store.apply([make("region", VILLAGE)])
    terminal.settings.set_local("sync.portal_url", "https://zwgk.example.cn")
    assert _status_lines(terminal, kiosk_window)[1] == "尚未与县级门户同步"
    terminal.store.note_sync("990121000000", at="2026-11-21T09:00:00+08:00")
    terminal.store.note_sync("990121000000", at="2026-11-21T10:00:00+08:00", error="gone", error_kind="network")
    assert _status_lines(terminal, kiosk_window)[1] == "离线，上次同步\u00a009:00"


@pytest.mark.clock
def test_an_urgent_notice_is_shown_prominently(kiosk_window, demo_terminal: Terminal) -> None:
    window = kiosk_window(demo_terminal, size=(1920, 1080))
    banner = window.findChild(QLabel, "urgent-banner")
    assert banner is not None and banner.isVisible() and banner.text().startswith("紧急通知：")


def test_tapping_a_tile_and_coming_back_home(qtbot, kiosk_window, demo_terminal: Terminal) -> None:
    window = kiosk_window(demo_terminal, size=(1920, 1080))
    qtbot.mouseClick(window.findChild(QPushButton, "tile-subsidies"), Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is not window.home
    qtbot.mouseClick(window.stack.currentWidget().findChild(QPushButton, "back"), Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.home and window.history == []


def test_language_and_large_text_toggles(qtbot, kiosk_window, demo_terminal: Terminal) -> None:
    window = kiosk_window(demo_terminal, size=(1920, 1080))

    def tile(key: str) -> str:
        return window.findChild(QPushButton, f"tile-{key}").findChild(QLabel, "tile-label").text()

    qtbot.mouseClick(window.findChild(QPushButton, "lang-en"), Qt.MouseButton.LeftButton)
    assert window.lang == "en" and tile("documents") == "Policy documents"
    qtbot.mouseClick(window.findChild(QPushButton, "lang-zh_Hant"), Qt.MouseButton.LeftButton)
    assert window.lang == "zh_Hant" and tile("subsidies") == "惠民補貼" and window.findChild(QPushButton, "lang-zh_Hant").isChecked()
    qtbot.mouseClick(window.findChild(QPushButton, "lang-zh_CN"), Qt.MouseButton.LeftButton)
    assert window.lang == "zh_CN" and tile("subsidies") == "惠民补贴"
    qtbot.mouseClick(window.findChild(QPushButton, "lang-en"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.findChild(QPushButton, "toggle-large"), Qt.MouseButton.LeftButton)
    assert window.large
    label = window.findChild(QPushButton, "tile-documents").findChild(QLabel, "tile-label")
    assert f"font-size: {theme.LARGE.tile_label_px}px" in label.styleSheet()


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)], ids=["landscape", "portrait"])
@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
def test_home_screenshot_is_readable_and_touchable(qtbot, kiosk_window, demo_terminal: Terminal, shots: Path, size, large) -> None:
    window = kiosk_window(demo_terminal, size=size, large=large)
    qtbot.wait(50)
    name = f"home-{size[0]}x{size[1]}{'-large' if large else ''}.png"
    image = window.grab().toImage()
    assert image.save(str(shots / name))
    scale = theme.scale_for(large)
    minimum = 60 if large else 44
    for button in window.findChildren(QPushButton):
        if button.isVisible():
            assert button.width() >= minimum and button.height() >= minimum, button.objectName()
    for label in _visible_labels(window):
        metrics = QFontMetrics(label.font())
        missing = [ch for ch in label.text() if not ch.isspace() and not metrics.inFontUcs4(ord(ch))]
        assert missing == [], f"{label.objectName()}: no glyph for {missing} (would show as boxes)"
        assert label.font().pixelSize() >= 24 or label.font().pointSizeF() >= 18, label.objectName()
        assert label.width() >= label.sizeHint().width() or label.wordWrap(), f"{label.objectName()} is clipped"
    assert scale.headline_px >= 40
    # Not a blank picture: the header red and the tile colours are really painted.
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 40) for y in range(0, image.height(), 40)}
    assert theme.HEADER.lower() in colours and theme.TILE_COLOURS["subsidies"].lower() in colours


def test_theme_colour_pairs_meet_contrast_minimums() -> None:
    for key, colour in theme.TILE_COLOURS.items():
        assert contrast(colour, theme.PAPER) >= 4.5, key
    for foreground, background in [(theme.PAPER, theme.HEADER), (theme.PAPER, theme.URGENT), (theme.INK, theme.BACKDROP),
                                   (theme.MUTED, theme.PAPER), (theme.HEADER, theme.PAPER)]:
        assert contrast(foreground, background) >= 4.5, (foreground, background)


def test_kiosk_run_screenshot_renders_home_offscreen(tmp_path: Path) -> None:
    target = tmp_path / "shot.png"
    data = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-m", "app.main", "run", "--demo", "--data-dir", str(data), "--screenshot", str(target),
         "--size", "1080x1920", "--large"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    image = QImage(str(target))
    assert (image.width(), image.height()) == (1080, 1920)


def _status(window: MainWindow) -> QLabel:
    return next(label for label in _visible_labels(window) if label.objectName() == "data-status")


@pytest.mark.clock
def test_the_status_line_says_how_current_the_content_is(qtbot, kiosk_window, tmp_path: Path, shots: Path) -> None:
    import datetime as dt

    from kiosk.store import ChannelCommit

    with Terminal(tmp_path / "t", fixed_clock(TEST_NOW)) as terminal:
        terminal.ensure_demo_content()
        window = kiosk_window(terminal, size=(1080, 1920))
        status = _status(window)
        assert "\n未连接门户" in status.text() and "离线" not in status.text()  # no portal: nothing to be offline from (issue 15)
        terminal.settings.set_local("sync.portal_url", "https://zwgk.example.cn")  # enrolled from here on

        from zoneinfo import ZoneInfo

        now = terminal.clock().astimezone(ZoneInfo(terminal.settings["terminal.timezone"])).replace(microsecond=0)
        terminal.store.apply([], commit=ChannelCommit("990121000000", 3, now.isoformat(), False, now.isoformat(timespec="seconds")))
        window.on_synced(NO_CHANGES)
        qtbot.wait(50)
        status = _status(window)
        assert f"已与县级门户同步\u00a0{now:%H:%M}" in status.text()

        terminal.store.note_sync("990121000000", at=now.isoformat(), error="the portal is down", error_kind="network")
        window.on_synced(NO_CHANGES)
        qtbot.wait(50)
        assert "离线，上次同步" in _status(window).text()

        week_ago = (now - dt.timedelta(days=7)).isoformat(timespec="seconds")
        terminal.store.db.execute_sql("UPDATE sync_channel SET last_success = ?, error_kind = 'expired'", (week_ago,))
        window.on_synced(NO_CHANGES)
        qtbot.wait(50)
        status = _status(window)
        assert "数据可能不是最新（上次同步" in status.text()
        image = window.grab().toImage()
        image.save(str(shots / "home-stale-1080x1920.png"))
        centre = status.mapTo(window, status.rect().center())
        assert image.pixelColor(status.mapTo(window, status.rect().topLeft()).x() + 2, centre.y()).name() == theme.STALE.lower()
        assert contrast(theme.INK, theme.STALE) >= 4.5


@pytest.mark.clock
def test_new_content_from_a_sync_reaches_the_home_tiles(qtbot, kiosk_window, tmp_path: Path) -> None:

    with Terminal(tmp_path / "t", fixed_clock(TEST_NOW)) as terminal:
        terminal.ensure_demo_content()
        window = kiosk_window(terminal, size=(1920, 1080))
        before = terminal.store.counts_by_kind(terminal.scope())["notice"]
        notice = terminal.store.list_records("notice", terminal.scope(), limit=1)[0]
        fresh = {**notice, "id": "notice-from-sync", "title": "同步到达的新通知", "version": 1,
                 "updated_at": TEST_NOW.isoformat(timespec="seconds")}
        result = terminal.store.apply([fresh])
        assert result.kinds == {"notice"}
        window.on_synced(ContentChanges.of_kinds(result.kinds))
        qtbot.wait(50)
        tile = next(b for b in window.findChildren(QPushButton, "tile-notices") if b.isVisible())
        assert tile.findChild(QLabel, "tile-count").text() == f"{before + 1} 项"
