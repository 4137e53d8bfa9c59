"""The demo county's nine life-event entrances (``life_event`` records): 养老 · 低保/救助 · … · 办证.

Each names the county's subsidy policies and service guides that belong to one moment in a
person's life, so a villager who has never heard of 政务公开目录 starts from 我要办养老. Policies
are found by their slug (the part of the id after the year), because their ids carry the subsidy
year, which moves with the day the demo is written for (``kiosk/demo/timeline.py``). Kept apart
from ``county.py`` so the entrances can be edited (and the demo regenerated) on their own.
"""

from __future__ import annotations

from typing import Any

from kiosk.demo import builders as bd

Record = dict[str, Any]

#: (slug, title, icon, summary, policy slugs, guide slugs, keywords), in home-screen order.
ENTRANCES: tuple[tuple[str, str, str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    ("pension", "养老", "elder", "养老保险、高龄津贴、适老化改造",
     ("pension", "gaoling"), ("pension-enrol", "pension-claim", "gaoling-apply", "elderly-retrofit"), ("养老金", "老人")),
    ("relief", "低保/救助", "relief", "最低生活保障、特困供养、临时救助",
     ("dibao", "tekun"), ("dibao-apply", "tekun-apply", "temp-aid"), ("低保", "救助", "困难")),
    ("medical", "医保/看病", "medical", "医保参保、医疗救助、慢特病、异地就医",
     ("medical-aid",), ("medical-enrol", "medical-aid-apply", "chronic-disease", "remote-medical"), ("医保", "看病", "住院")),
    ("disability", "残疾人", "disability", "残疾人证、两项补贴",
     ("disability",), ("disability-card", "disability-subsidy"), ("残疾证", "残疾")),
    ("housing", "住房/危房", "housing", "危房改造、宅基地建房、房屋登记",
     ("weifang",), ("weifang-apply", "homestead", "rural-planning-permit", "real-estate"), ("危房", "建房", "宅基地")),
    ("school", "上学", "school", "入学报名、学生资助、雨露计划",
     ("student-aid", "yulu"), ("school-enrol", "student-aid-apply", "yulu-apply"), ("上学", "入学", "助学")),
    ("veteran", "退役军人", "veteran", "优待证申领",
     (), ("veteran-card",), ("退伍", "优待证")),
    ("farming", "农业补贴", "farming", "耕地地力保护、种粮、农机、公益林",
     ("farmland", "grain-once", "rice", "agrimachine", "gongyilin", "tuigeng"),
     ("farmland-change", "agrimachine-claim"), ("种粮补贴", "耕地", "农机")),
    ("papers", "办证", "papers", "身份证、户口、社保卡、结婚登记",
     (), ("idcard-renew", "newborn-hukou", "hukou-move", "residence-permit", "social-card", "marriage"), ("身份证", "户口", "社保卡")),
)


def _slug(record_id: str) -> str:
    """policy-990121-2026-farmland → farmland; guide-990121-pension-enrol → pension-enrol."""
    parts = record_id.split("-", 3 if record_id.startswith("policy-") else 2)
    return parts[-1]


def make_life_events(records: dict[str, list[Record]], county: str, updated_at: str) -> list[Record]:
    """The nine entrances over the county's policies and guides in ``records`` (ids that are missing are left out)."""
    policies = {_slug(p["id"]): p["id"] for p in records["subsidy_policy"] if p["region"] == county}
    guides = {_slug(g["id"]): g["id"] for g in records["service_guide"] if g["region"] == county}
    out = []
    for order, (slug, title, icon, summary, policy_slugs, guide_slugs, keywords) in enumerate(ENTRANCES, start=1):
        rec = bd.envelope(f"life-{county[:6]}-{slug}", "life_event", county, updated_at)
        rec.update({
            "keywords": list(keywords),
            "title": title,
            "icon": icon,
            "sort_order": order * 10,
            "summary": summary,
            "policy_ids": [policies[s] for s in policy_slugs if s in policies],
            "guide_ids": [guides[s] for s in guide_slugs if s in guides],
        })
        out.append(rec)
    return out
