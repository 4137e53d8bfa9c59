"""The item page a QR code opens speaks the phone's language: our words translated, the record as published."""

from __future__ import annotations

import requests

from tests.helpers.records import make
from tests.portal.conftest import COUNTY, PortalServer, write_feed

DOC = make("document", "doc-990121-2026-0091", title="溪源县2026年耕地地力保护补贴实施方案", doc_number="溪政办发〔2026〕17号",
           issuer="溪源县人民政府办公室", published_date="2026-03-02", validity="已废止",
           body="各乡镇人民政府：\n现将实施方案印发给你们，请认真贯彻执行。")


def _get(portal_server: PortalServer, path: str, **headers: str) -> requests.Response:
    return requests.get(f"{portal_server.base_url}{path}", headers=headers, timeout=10)


def test_an_english_phone_gets_english_labels_around_the_published_text(portal_server: PortalServer) -> None:
    write_feed(portal_server.feed_dir, 1, {COUNTY: [DOC], "990100000000": []})
    page = _get(portal_server, f"/r/{DOC['id']}", **{"Accept-Language": "en-GB,en;q=0.9"})
    assert page.status_code == 200 and 'lang="en"' in page.text
    assert page.headers["Content-Language"] == "en" and "Accept-Language" in page.headers["Vary"]
    for text in ("Policy documents", "Document number", "Issuer", "Published", "2 Mar 2026", "Repealed", "Item number:",
                 "official text prevails."):
        assert text in page.text, text
    for text in ("溪源县2026年耕地地力保护补贴实施方案", "溪政办发〔2026〕17号", "溪源县人民政府办公室", "现将实施方案印发给你们"):
        assert text in page.text, text  # the record itself stays as published
    for text in ("发文字号", "发布日期", "信息编号", "已废止", "内容以发布机关正式文本为准"):
        assert text not in page.text, text


def test_traditional_chinese_from_the_browser_or_the_page_switch(portal_server: PortalServer) -> None:
    write_feed(portal_server.feed_dir, 1, {COUNTY: [DOC], "990100000000": []})
    taiwan = _get(portal_server, f"/r/{DOC['id']}", **{"Accept-Language": "zh-TW,zh;q=0.9"})
    switched = _get(portal_server, f"/r/{DOC['id']}?lang=zh_Hant")
    for page in (taiwan, switched):
        assert 'lang="zh-Hant"' in page.text
        assert "發文字號" in page.text and "信息編號" in page.text and "已廢止" in page.text
        assert "溪源县人民政府办公室" in page.text  # content is not converted
    plain = _get(portal_server, f"/r/{DOC['id']}")
    assert 'lang="zh-CN"' in plain.text and "发文字号" in plain.text
    assert 'href="?lang=en"' in plain.text and 'href="?lang=zh_Hant"' in plain.text


def test_a_missing_item_says_so_in_english(portal_server: PortalServer) -> None:
    write_feed(portal_server.feed_dir, 1, {COUNTY: [], "990100000000": []})
    page = _get(portal_server, "/r/no-such-item?lang=en")
    assert page.status_code == 404 and "Item not found" in page.text and "未找到" not in page.text
