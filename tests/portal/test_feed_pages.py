"""The static feed under /feed/ and the public item pages under /r/<id> (what a phone opens from a QR code)."""

from __future__ import annotations

import http.client
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import requests

from tests.helpers.paths import ROOT
from tests.helpers.records import make
from tests.portal.conftest import COUNTY, VILLAGE, PortalServer, write_feed


def raw_get(base_url: str, path: str, redirects: int = 2) -> int:
    """A GET whose path goes on the wire exactly as given (requests would normalise `..`), following redirects."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        location = response.getheader("Location")
    finally:
        connection.close()
    if response.status in (301, 302, 307, 308) and location and redirects:
        return raw_get(base_url, urlsplit(location).path, redirects - 1)
    return response.status


def test_feed_files_are_served_with_ranges(portal_server: PortalServer) -> None:
    blob = bytes(range(256)) * 40
    target = portal_server.feed_dir / "blobs" / "sha256" / "ab" / "abcdef"
    target.parent.mkdir(parents=True)
    target.write_bytes(blob)
    url = f"{portal_server.base_url}/feed/blobs/sha256/ab/abcdef"
    whole = requests.get(url, timeout=10)
    assert whole.status_code == 200 and whole.content == blob
    part = requests.get(url, headers={"Range": "bytes=1000-1999", "Accept-Encoding": "identity"}, timeout=10)
    assert part.status_code == 206
    assert part.content == blob[1000:2000]
    assert part.headers["Content-Range"] == f"bytes 1000-1999/{len(blob)}"
    # Resume with If-Range: the validator still matches, so only the tail comes back.
    tail = requests.get(url, headers={"Range": "bytes=10000-", "If-Range": whole.headers["ETag"]}, timeout=10)
    assert tail.status_code == 206 and tail.content == blob[10000:]
    assert requests.get(f"{portal_server.base_url}/feed/blobs/sha256/ab/missing", timeout=10).status_code == 404


def test_the_feed_never_serves_files_outside_its_folder(portal_server: PortalServer) -> None:
    (portal_server.feed_dir.parent / "secret.txt").write_text("staff only")
    base = portal_server.base_url
    for path in ("/feed/../secret.txt", "/feed/%2e%2e/secret.txt", "/feed/..%2fsecret.txt", "/feed/metadata/../../secret.txt",
                 "/feed//etc/passwd", "/feed/%2fetc%2fpasswd"):
        assert raw_get(base, path) == 404, path
    assert raw_get(base, "/feed/../portal-state/portal_box.key") == 404


DOC = make("document", "doc-990121-2026-0090", title="溪源县2026年耕地地力保护补贴实施方案", doc_number="溪政办发〔2026〕16号",
           issuer="溪源县人民政府办公室", published_date="2026-03-02", validity="现行有效",
           body="各乡镇人民政府：\n现将实施方案印发给你们，请认真贯彻执行。\n补贴标准为每亩120元。")


def test_an_item_page_shows_the_record_from_the_current_snapshot(portal_server: PortalServer) -> None:
    payment = make("subsidy_payment", "pay:2026:0001", recipient="张三明", note="卡号6222020212345678901")
    gone = make("notice", "notice-gone", deleted=True)
    write_feed(portal_server.feed_dir, 3, {COUNTY: [DOC, payment, gone], "990100000000": []})
    page = requests.get(f"{portal_server.base_url}/r/{DOC['id']}", timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert 'name="viewport"' in page.text and 'lang="zh-CN"' in page.text
    for text in ("溪源县2026年耕地地力保护补贴实施方案", "政策文件", "溪政办发〔2026〕16号", "溪源县人民政府办公室", "2026-03-02", "现行有效",
                 "<p>现将实施方案印发给你们，请认真贯彻执行。</p>", "<p>补贴标准为每亩120元。</p>"):
        assert text in page.text
    # Ids are percent-encoded in QR codes; payments are masked again on the public page.
    paid = requests.get(f"{portal_server.base_url}/r/{quote(payment['id'], safe='')}", timeout=10)
    assert paid.status_code == 200 and "张*明" in paid.text and "¥624.00" in paid.text
    assert "张三明" not in paid.text and "6222020212345678901" not in paid.text
    withdrawn = requests.get(f"{portal_server.base_url}/r/notice-gone", timeout=10)
    assert withdrawn.status_code == 410 and "已撤回" in withdrawn.text
    missing = requests.get(f"{portal_server.base_url}/r/doc-nope", timeout=10)
    assert missing.status_code == 404 and "未找到该信息" in missing.text and "text/html" in missing.headers["Content-Type"]


def test_item_pages_escape_html_in_records(portal_server: PortalServer) -> None:
    evil = make("notice", "notice-x", title="<script>alert(1)</script>通知", body="<img src=x onerror=alert(1)>")
    write_feed(portal_server.feed_dir, 1, {COUNTY: [evil]})
    page = requests.get(f"{portal_server.base_url}/r/notice-x", timeout=10).text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;通知" in page


def test_a_new_targets_version_is_picked_up(portal_server: PortalServer) -> None:
    write_feed(portal_server.feed_dir, 1, {COUNTY: [DOC]})
    assert requests.get(f"{portal_server.base_url}/r/notice-new", timeout=10).status_code == 404
    write_feed(portal_server.feed_dir, 2, {COUNTY: [DOC, make("notice", "notice-new", title="新通知")]})
    page = requests.get(f"{portal_server.base_url}/r/notice-new", timeout=10)
    assert page.status_code == 200 and "新通知" in page.text and "紧急" in page.text


def test_item_pages_before_anything_is_published_are_404(portal_server: PortalServer) -> None:
    assert requests.get(f"{portal_server.base_url}/r/{DOC['id']}", timeout=10).status_code == 404
    (portal_server.feed_dir / "metadata").mkdir()
    assert requests.get(f"{portal_server.base_url}/r/{DOC['id']}", timeout=10).status_code == 404
    (portal_server.feed_dir / "metadata" / "1.targets.json").write_text("{half written")
    assert requests.get(f"{portal_server.base_url}/r/{DOC['id']}", timeout=10).status_code == 404


def test_item_pages_from_a_feed_made_by_kiosk_publish(portal_server: PortalServer, tmp_path: Path) -> None:
    pytest.importorskip("sync.publish.cli")
    source = tmp_path / "source"
    source.mkdir()
    guide = make("service_guide", "guide-1")
    board = make("board", "board-1", region=VILLAGE)
    (source / "records.json").write_text(__import__("json").dumps([DOC, guide, board], ensure_ascii=False), encoding="utf-8")
    feed = str(portal_server.feed_dir)
    for args in (["init", feed], ["build", str(source), feed]):
        done = subprocess.run([sys.executable, "-m", "sync.publish.cli", *args, "--keys", str(tmp_path / "keys")],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    page = requests.get(f"{portal_server.base_url}/r/{DOC['id']}", timeout=10)
    assert page.status_code == 200 and "溪政办发〔2026〕16号" in page.text
    guide_page = requests.get(f"{portal_server.base_url}/r/guide-1", timeout=10).text
    assert "办事指南" in guide_page and "<li>居民身份证（原件1份）</li>" in guide_page
    board_page = requests.get(f"{portal_server.base_url}/r/board-1", timeout=10).text
    assert "2026年第一季度" in board_page and "¥1,376.55" in board_page  # the closing balance, formatted from fen
    enrolled = portal_server.enroll()
    assert enrolled["root"]["signed"]["_type"] == "root"


def test_synonym_and_profile_records_have_no_public_page(portal_server: PortalServer) -> None:
    """A synonym group is a search hint for terminals and a terminal profile is settings: neither is a published item,
    so /r/<id> answers 404 for both as for an unknown id (before the fix the synonym rendered a page of its terms)."""
    stamp = DOC["updated_at"]
    synonym = {"id": f"synonym-{COUNTY}-dibao", "kind": "synonym", "version": 1, "region": COUNTY, "updated_at": stamp,
               "terms": ["最低生活保障", "低保"]}
    profile = {"id": f"terminal_profile-{COUNTY}", "kind": "terminal_profile", "version": 1, "region": COUNTY, "updated_at": stamp,
               "settings": {"terminal.name": "最低生活保障查询机"}}
    write_feed(portal_server.feed_dir, 1, {COUNTY: [DOC, synonym, profile]})
    assert requests.get(f"{portal_server.base_url}/r/{DOC['id']}", timeout=10).status_code == 200
    for hidden in (synonym, profile):
        page = requests.get(f"{portal_server.base_url}/r/{hidden['id']}", timeout=10)
        assert page.status_code == 404 and "未找到该信息" in page.text, hidden["kind"]
        assert "最低生活保障" not in page.text
