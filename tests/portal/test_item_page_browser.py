"""What a phone opens after scanning a kiosk's QR code: the portal's item page in real headless Chromium."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from kiosk.settings import Settings
from kiosk.share import record_url
from sync.publish.build import Publisher
from sync.publish.keys import KeyDir
from sync.publish.repo import FeedRepo
from tests.helpers.paths import ROOT
from tests.portal.conftest import PortalServer
from tests.sync.feed_support import first_id, make_source

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _outside_faketime() -> dict[str, str]:
    """Chromium runs on the real clock when the suite runs under libfaketime (scripts/test-clock.sh):
    with a shifted clock its --virtual-time-budget never runs out and it hangs. The page it renders
    does not depend on the date; the portal that serves it stays on the shifted clock."""
    return {key: value for key, value in os.environ.items() if key != "LD_PRELOAD" and not key.startswith("FAKETIME")}


def chromium(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Headless Chromium asking for Chinese, as a villager's phone does (the page follows Accept-Language)."""
    return subprocess.run([CHROMIUM or "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--lang=zh-CN",
                           "--accept-lang=zh-CN,zh", f"--user-data-dir={tmp_path / 'profile'}", *args], capture_output=True, text=True,
                          timeout=90,
                          env=_outside_faketime())


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/setup-system.sh installs it)")
def test_the_qr_url_opens_the_item_page_on_a_phone_sized_browser(portal_server: PortalServer, tmp_path: Path) -> None:
    source = make_source(tmp_path / "source")
    repo = FeedRepo(portal_server.feed_dir, KeyDir(tmp_path / "keys"))
    repo.init(dt.datetime.now(dt.UTC))
    Publisher(repo).build(source)
    doc_id = first_id(source, "document.jsonl")
    title = next(json.loads(line)["title"] for line in (source / "document.jsonl").read_text(encoding="utf-8").splitlines()
                 if json.loads(line)["id"] == doc_id)

    settings = Settings(tmp_path / "settings.json")
    settings.set_local("share.portal_url", portal_server.base_url)
    url = record_url(doc_id, Settings(tmp_path / "settings.json"))
    assert url is not None and url.startswith(portal_server.base_url + "/r/")

    dom = chromium("--virtual-time-budget=3000", "--dump-dom", url, tmp_path=tmp_path)
    assert dom.returncode == 0, dom.stderr[-500:]
    assert title in dom.stdout and 'name="viewport"' in dom.stdout

    shot = tmp_path / "phone.png"
    chromium("--window-size=390,844", f"--screenshot={shot}", url, tmp_path=tmp_path)
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (390, 844)
    # text is really painted across the page's width, and nothing runs off the right edge
    dark_columns = {x for x in range(0, 390) for y in range(0, 844, 4) if image.pixelColor(x, y).lightness() < 100}
    assert len(dark_columns) > 250 and max(dark_columns) < 388
    keep = ROOT / ".data" / "screenshots"
    keep.mkdir(parents=True, exist_ok=True)
    shutil.copy2(shot, keep / "portal-item-page-390.png")

    missing = chromium("--virtual-time-budget=2000", "--dump-dom", portal_server.base_url + "/r/no-such-record", tmp_path=tmp_path)
    assert "未找到" in missing.stdout or "不存在" in missing.stdout
