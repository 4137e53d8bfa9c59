"""First letters computed run by run (cached) agree with converting the whole text at once."""

from __future__ import annotations

import json

from kiosk.pinyin import first_letters, first_letters_whole
from kiosk.records.text import title_of
from tests.helpers.paths import ROOT

TRICKY = [
    "单县补贴", "〇八年度", "A1b２Ｃ·长治市", "重庆 · 厦门", "给付·供给·补给", "特困供养人员", "abc", "", "2025年第3季度财务公开",
    "关于印发《溪源县2025年耕地地力保护补贴实施方案》的通知", "六安市（蚌埠）番禺区", "张*三 · 2025年", "㐀㐁 𠀀 test",
]


def _demo_texts() -> set[str]:
    texts: set[str] = set()
    for path in (ROOT / "resources" / "demo" / "records").glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            texts.add(title_of(record))
            texts.update(keyword for keyword in record.get("keywords", []) if keyword)
    return texts


def test_run_by_run_equals_whole_text() -> None:
    texts = sorted(_demo_texts() | set(TRICKY))
    assert len(texts) > 500
    assert [first_letters(text) for text in texts] == [first_letters_whole(text) for text in texts]
    assert first_letters("单县补贴") == "sxbt" and first_letters("A1b２Ｃ·长治市") == "a1bczs"
