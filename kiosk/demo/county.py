"""The demo county (溪源县) for a given day: realistic records of every kind, current on that day.

Why: the kiosk ships with demo data so that it can be shown, tested and developed without a portal.
The data must look like what a Chinese county really publishes — policy documents with 发文字号 and
政策解读, the 26-domain disclosure catalogue, the 惠民惠农 subsidy list (七公开) and village
payment lists, balanced three-affairs boards, service guides and notices — and it must be valid
against ``kiosk/records/schema.py`` because the kiosk rejects anything else. And it must be
*current*: a demo shown in 2028 with notices that expired in 2026 and no payments for this year
looks broken, so :func:`build` writes the county for a day, ``today``.

How: everything is derived from ``random.Random(SEED)`` and the text banks in ``banks/``, written
for :data:`~kiosk.demo.timeline.ANCHOR` (2026-11-21) and moved to ``today`` by a
:class:`~kiosk.demo.timeline.Timeline` (its docstring says which content moves how). The same
``today`` gives byte-identical files; ``today == ANCHOR`` gives the checked-in
``resources/demo/records`` (a test holds us to it). :func:`check` validates every record with the
Draft 2020-12 validator and checks cross references, unique ids, integer money, balanced and
chained ledgers and that nothing is dated after ``today``.

Attachments (a PDF form and a PNG flow chart on three documents) are drawn with Qt by
``tools/demo_content/attachments.py``, once; the files live under ``resources/demo/records/blobs/``
with a manifest, and :func:`attach` only reuses them, so the terminal can generate the demo
without Qt. Authoring: ``python tools/demo_content/make_demo.py [--today YYYY-MM-DD] [--out DIR]``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import itertools
import json
import random
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kiosk.demo import builders as bd
from kiosk.demo import textbank as tb
from kiosk.demo.lifeevents import make_life_events
from kiosk.demo.synonyms import make_synonyms
from kiosk.demo.timeline import ANCHOR, Timeline, quarter_of
from kiosk.files import write_atomic
from kiosk.records.schema import KINDS

SEED = 20261121
Record = dict[str, Any]

NATIONAL, PROVINCE, CITY, COUNTY = "000000000000", "990000000000", "990100000000", "990121000000"
TOWNSHIPS = {"990121101000": "溪源镇", "990121102000": "石门乡", "990121103000": "桃花岭乡"}
VILLAGES = {
    "990121101201": ("桃源村", "990121101000"),
    "990121101202": ("柳塘村", "990121101000"),
    "990121102201": ("石门村", "990121102000"),
    "990121102202": ("白竹村", "990121102000"),
    "990121103201": ("岭下村", "990121103000"),
}
#: Names that stress masking and fonts (one is outside the BMP), placed in payment lists.
RARE_BY_VILLAGE = {
    "990121101201": ["陈𬌗", "欧阳建国", "李堃"],
    "990121101202": ["司马秀兰", "王淼"],
    "990121102201": ["上官德明", "张喆"],
    "990121102202": ["刘昇", "欧阳丽娟"],
    "990121103201": ["周堃明", "上官玉梅"],
}
#: The boards' quarters as authored: the four before the anchor's quarter (moved by Timeline.quarter).
QUARTERS = ((2025, 4), (2026, 1), (2026, 2), (2026, 3))

# Catalogue items that cite a subsidy policy's own document.
ITEM_ANCHORS = {
    "惠农补贴政策（耕地地力保护补贴）": "farmland",
    "农机购置与应用补贴政策": "agrimachine",
    "实际种粮农民一次性补贴政策": "grain-once",
    "稻谷补贴政策": "rice",
    "低保政策及办事指南": "dibao",
    "高龄津贴发放": "gaoling",
    "城乡居民养老保险参保缴费指南": "pension",
    "农村危房改造政策": "weifang",
    "学生资助政策": "student-aid",
    "惠民惠农财政补贴政策清单": "farmland",
}


def _aged_stamp(timeline: Timeline, stamp: str) -> str:
    """An authored ``YYYY-MM-DDTHH:MM:SS+08:00`` with its day moved by :meth:`Timeline.aged`."""
    return timeline.aged(date.fromisoformat(stamp[:10])).isoformat() + stamp[10:]


# ---------------------------------------------------------------------------------------------
# Regions


def regions(timeline: Timeline) -> list[Record]:
    """The fictional geography: national, 云岭省, 青川市, 溪源县, three townships, five villages."""
    stamp = _aged_stamp(timeline, "2024-01-02T09:00:00+08:00")
    out = [
        bd.region_record(NATIONAL, "全国", "全国", "national", None, stamp),
        bd.region_record(PROVINCE, "云岭省", "云岭省", "province", NATIONAL, stamp),
        bd.region_record(CITY, "青川市", "云岭省青川市", "city", PROVINCE, stamp),
        bd.region_record(COUNTY, "溪源县", "云岭省青川市溪源县", "county", CITY, stamp),
    ]
    for code, name in TOWNSHIPS.items():
        out.append(bd.region_record(code, name, f"云岭省青川市溪源县{name}", "township", COUNTY, stamp))
    for code, (name, town) in VILLAGES.items():
        full = f"云岭省青川市溪源县{TOWNSHIPS[town]}{name}"
        out.append(bd.region_record(code, name, full, "village", town, stamp))
    return out


# ---------------------------------------------------------------------------------------------
# Documents


def make_documents(
    factory: bd.DocumentFactory, place: tb.Place, policies: list[dict[str, Any]]
) -> tuple[list[Record], dict[str, Record], dict[str, str]]:
    """All documents (by 成文日期, for realistic numbering), the anchor per policy slug, each document's topic.

    About 232 county, 22 province, 24 city, 18 township and 10 village documents plus the 16 anchors.
    The 成文日期 are drawn on the anchor's calendar; ``bd.produce_documents`` moves them to the
    factory's timeline.
    """
    rng = factory.rng
    when = bd.written_between(rng, {2024: 25, 2025: 35, 2026: 40})
    specs = bd.anchor_specs(factory, COUNTY, policies)
    specs += bd.county_specs(rng, tb.county_issuers(place, COUNTY), 232, when)
    specs += bd.province_specs(rng, tb.province_issuers(place, PROVINCE), 22, when)
    specs += bd.city_specs(rng, tb.city_issuers(place, CITY), 24, when)
    for code, name in TOWNSHIPS.items():
        specs += bd.township_specs(rng, tb.township_issuer(name, code), 6, when)
    recent = bd.written_between(rng, {2025: 40, 2026: 60})
    for code, (name, town) in VILLAGES.items():
        specs += bd.village_specs(rng, tb.village_issuer(TOWNSHIPS[town], name, code), 2, recent)
    docs: list[Record] = []
    by_slug: dict[str, Record] = {}
    topic_of: dict[str, str] = {}
    for rec, spec in bd.produce_documents(factory, specs):
        if spec.slug:
            by_slug[spec.slug] = rec
        topic_of[rec["id"]] = spec.topic
        docs.append(rec)
    return docs, by_slug, topic_of


def assign_validity(
    rng: random.Random, docs: list[Record], anchors: dict[str, Record], topic_of: dict[str, str], timeline: Timeline
) -> None:
    """Mark ~20 规范性文件 已废止, ~15 已修改 (ten at version 2) and a few year plans 已失效, with notes.

    The document that repeals or amends one is its closest later relative: same topic, same issuer if
    possible, most similar title (a 2024 plan is replaced by the 2025 plan of the same name). The
    year plans that lapsed are those of the year before last (2024 on the anchor); the cut-off days
    for "old enough to be repealed / amended" keep their age.
    """
    anchor_ids = {d["id"] for d in anchors.values()}
    numbered = [d for d in docs if d.get("doc_number") and d["doc_type"] in ("规范性文件", "规章")]
    lapsed_year = timeline.today.year - 2

    def bare(title: str) -> str:
        """The subject of a title without issuer and years: 《X》 or what follows 关于."""
        core = title[title.index("《") + 1 : title.rindex("》")] if "《" in title else title.partition("关于")[2]
        return re.sub(r"\d{4}(年度?|—\d{4}年)?|的(通知|实施意见)$", "", core)

    def successor(doc: Record, threshold: float = 0.0) -> Record | None:
        later = [
            d
            for d in numbered
            if topic_of[d["id"]] == topic_of[doc["id"]]
            and d["level"] == doc["level"]
            and d["published_date"] > doc["published_date"]
        ]
        if not later:
            return None

        def score(d: Record) -> float:
            same = 0.3 if d["issuer"] == doc["issuer"] else 0.0
            return same + difflib.SequenceMatcher(None, bare(d["title"]), bare(doc["title"])).ratio()

        best = max(later, key=score)
        return best if score(best) >= threshold else None

    def cite(doc: Record) -> str:
        return "《" + doc["title"].replace("《", "〈").replace("》", "〉") + f"》（{doc['doc_number']}）"

    def before(authored: date) -> str:
        return timeline.aged(authored).isoformat()

    pool = [d for d in numbered if d["id"] not in anchor_ids and d["level"] in ("省级", "市级", "县级")]
    expired = [
        d for d in pool
        if d["written_date"] < f"{lapsed_year + 1}-01-01" and f"{lapsed_year}年" in d["title"] and "印发" in d["title"]
    ]  # fmt: skip
    for doc in rng.sample(expired, min(4, len(expired))):
        doc["validity"] = "已失效"
        doc["validity_note"] = f"有效期届满，已于{lapsed_year}年12月31日自动失效"
        doc["updated_at"] = f"{lapsed_year + 1}-01-06T09:30:00+08:00"
    old = [d for d in pool if d["validity"] == "现行有效" and d["written_date"] < before(date(2025, 10, 1))]
    abolished = 0
    for doc in rng.sample(old, len(old)):
        if abolished >= 20:
            break
        new = successor(doc, threshold=0.55)  # only a close relative repeals a document
        if new is None:
            continue
        doc["validity"] = "已废止"
        doc["validity_note"] = f"已被{cite(new)}废止"[:500]
        doc["updated_at"] = bd.iso(date.fromisoformat(new["published_date"]), rng)
        abolished += 1
    current = [d for d in pool if d["validity"] == "现行有效" and d["written_date"] < before(date(2026, 6, 1))]
    modified = 0
    for doc in rng.sample(current, len(current)):
        if modified >= 15:
            break
        new = successor(doc)
        if new is None:
            continue
        doc["validity"] = "已修改"
        part = "条" if "第一条" in doc["body"] else "部分"
        doc["validity_note"] = f"第{tb.cn_number(rng.randint(2, 6))}{part}已根据{new['doc_number']}修改"
        doc["updated_at"] = bd.iso(date.fromisoformat(new["published_date"]), rng)
        if modified < 10:
            doc["version"] = 2
        modified += 1
    # Two current documents got a corrected interpretation contact after publication.
    for doc in rng.sample([d for d in docs if "interpretation" in d and d["validity"] == "现行有效"], 2):
        doc["version"] = 2
        doc["interpretation"]["interpreter"] = tb.person_name(rng)
        published = date.fromisoformat(doc["published_date"])
        doc["updated_at"] = bd.iso(max(published, bd.clamp(published + timedelta(days=40), timeline.yesterday)), rng)


# ---------------------------------------------------------------------------------------------
# Payments, boards, notices, profile


def make_payments(
    rng: random.Random, policies: list[dict[str, Any]], pids: dict[str, str], timeline: Timeline
) -> list[Record]:
    """30–80 payments per village, plus three notes that leak numbers the kiosk must mask."""
    out: list[Record] = []
    for code in VILLAGES:
        out.extend(
            bd.village_payments(
                rng, code, policies, pids, n_total=rng.randint(30, 80), rare=RARE_BY_VILLAGE[code], timeline=timeline
            )
        )
    by_village = defaultdict(list)
    for p in out:
        if p["status"] == "已发放":
            by_village[p["region"]].append(p)
    id_no = bd.id_card_number(rng, "990121", date(1976, 8, 15))
    by_village["990121101201"][5]["note"] = f"户主已故，由其子代领，代领人身份证号{id_no}"
    by_village["990121102201"][7]["note"] = "原银行卡号6217995510023456781已挂失，资金改发至新社会保障卡"
    by_village["990121103201"][3]["note"] = "本人长期在外务工，联系电话13873951286，已电话告知"
    return out


def make_boards(rng: random.Random, place: tb.Place, timeline: Timeline) -> list[Record]:
    """Party, village and finance boards for every village and quarter; balances carry over."""
    out: list[Record] = []
    for code, (name, town) in VILLAGES.items():
        state = bd.VillageBoards(
            code=code,
            name=name,
            town=TOWNSHIPS[town],
            county=place.county,
            supervisor=tb.person_name(rng),
            phone=f"0739-52{rng.randint(10000, 99999)}",
            balance=rng.randint(80_000, 300_000) * 100 + rng.randint(0, 99),
        )
        for year, quarter in QUARTERS:
            out.extend(state.boards(rng, year, quarter, timeline=timeline))
    return out


_WEEKDAYS = "一二三四五六日"
_NOTICE_DAY = re.compile(r"\{(publish|expire)([+-]\d+)?:(ymd|md|wd|lastq|y(?:[+-]\d+)?)\}")


def _notice_text(template: str, publish: dt.datetime, expire: dt.datetime) -> str:
    """Fill ``{publish:ymd}``, ``{expire-1:wd}`` … (see the ``_comment`` of ``banks/notices.json``)."""

    def repl(match: re.Match[str]) -> str:
        which, offset, fmt = match.groups()
        day = (publish if which == "publish" else expire).date() + timedelta(days=int(offset or 0))
        if fmt == "ymd" or (fmt == "md" and day.year != publish.year):
            return tb.cn_date(day)
        if fmt == "md":
            return f"{day.month}月{day.day}日"
        if fmt == "wd":
            return "星期" + _WEEKDAYS[day.weekday()]
        if fmt == "lastq":
            year, quarter = quarter_of(day)
            year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
            return f"{year}年第{tb.cn_number(quarter)}季度"
        return str(day.year + int(fmt[1:] or 0))

    return _NOTICE_DAY.sub(repl, template)


def _notice_days(notice: Record, timeline: Timeline) -> tuple[dt.datetime, dt.datetime]:
    """A notice's publish and expiry instants, moved: current on the anchor → aged, else last expired."""
    publish, expire = dt.datetime.fromisoformat(notice["publish_at"]), dt.datetime.fromisoformat(notice["expire_at"])
    if expire.date() > timeline.anchor:  # still current on the anchor: current today
        return timeline.aged_instant(publish), timeline.aged_instant(expire)
    return timeline.last_expired(publish, expire)


def make_notices(timeline: Timeline) -> list[Record]:
    """The hand-written notices of ``banks/notices.json``: normal, urgent and current, expired — on any day.

    A notice current on the anchor keeps its distance from today (published 11 days ago, expires in
    160 days); an expired one keeps its calendar day in the latest year it had expired by today. The
    text is the variant written for the month it is now published in (see the bank's ``_comment``).
    """
    out = []
    for authored in tb.load_json("notices.json")["notices"]:
        n = dict(authored)
        publish, expire = _notice_days(n, timeline)
        if publish.month not in authored.get("months", range(1, 13)):
            n.update(next((v for v in authored.get("variants", []) if publish.month in v["months"]), {}))
            publish, expire = _notice_days(n, timeline)
        region = COUNTY if n["region"] == "{county}" else n["region"]
        publish_at, expire_at = publish.isoformat(), expire.isoformat()
        rec = bd.envelope(_notice_text(n["id"], publish, expire), "notice", region, publish_at)
        rec.update(
            {
                "title": _notice_text(n["title"], publish, expire),
                "body": _notice_text(n["body"], publish, expire),
                "issuer": n["issuer"],
                "priority": n["priority"],
                "publish_at": publish_at,
                "expire_at": expire_at,
            }
        )
        out.append(rec)
    return out


def make_profile(timeline: Timeline) -> Record:
    """The county's default terminal profile."""
    rec = bd.envelope("profile-990121-default", "terminal_profile", COUNTY, _aged_stamp(timeline, "2026-10-15T10:00:00+08:00"))
    rec.update({"name": "溪源县默认终端配置", "terminal_ids": [], "settings": {"ui.idle_timeout_s": 120, "terminal.phone": "0739-5261234"}})
    return rec


# ---------------------------------------------------------------------------------------------
# Attachments (reused, never drawn here)

MANIFEST = "attachments.manifest"  # name|sha256|size|media_type per line, under <records>/blobs/
ATTACHED_DOCUMENTS = 3


def attached_documents(documents: list[Record]) -> list[Record]:
    """The documents that carry attachments: the first few current ones by id."""
    return sorted((d for d in documents if d["validity"] == "现行有效"), key=lambda d: d["id"])[:ATTACHED_DOCUMENTS]


def attachment_names(number: int) -> tuple[str, str]:
    """The PDF form and the PNG flow chart of the ``number``-th attached document."""
    return f"附件{number}-申请表.pdf", f"附件{number}-办理流程图.png"


def read_manifest(records_dir: Path) -> dict[str, Record]:
    """The attachments listed in ``<records_dir>/blobs/attachments.manifest`` whose file is there."""
    path = records_dir / "blobs" / MANIFEST
    if not path.exists():
        return {}
    entries = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sha, size, media_type = line.split("|")
        if (records_dir / "blobs" / "sha256" / sha[:2] / sha).is_file():
            entries[name] = {"name": name, "sha256": sha, "size": int(size), "media_type": media_type}
    return entries


def attach(documents: list[Record], known: dict[str, Record]) -> None:
    """Give the attached documents their manifest entries, in place; a missing entry is an error."""
    for number, document in enumerate(attached_documents(documents), start=1):
        names = attachment_names(number)
        missing = [name for name in names if name not in known]
        if missing:
            raise FileNotFoundError(f"expected the demo attachments {', '.join(missing)} in the blobs manifest (found {sorted(known)})")
        document["attachments"] = [known[name] for name in names]


# ---------------------------------------------------------------------------------------------
# Assembly and checks


def build(today: date = ANCHOR) -> dict[str, list[Record]]:
    """Every demo record for ``today``, grouped by kind (no attachments yet: see :func:`attach`)."""
    timeline = Timeline(today)
    rng = random.Random(SEED)
    place = tb.Place()
    policies = tb.load_json("policies.json")["policies"]
    factory = bd.DocumentFactory(rng, place, timeline=timeline)
    docs, anchors, topic_of = make_documents(factory, place, policies)
    assign_validity(rng, docs, anchors, topic_of, timeline)

    doc_ids_by_topic: dict[str, list[str]] = defaultdict(list)
    for d in docs:  # catalogue items link to current county documents of their topic
        if d["region"] == COUNTY and d["validity"] == "现行有效" and d["doc_type"] != "通知公告":
            doc_ids_by_topic[topic_of[d["id"]]].append(d["id"])
    catalogue_days = (timeline.aged(date(2025, 3, 1)), timeline.aged(date(2026, 10, 31)))
    domains, items = bd.catalogue_records(rng, place, COUNTY, doc_ids_by_topic, updated_range=catalogue_days)
    for item in items:
        slug = ITEM_ANCHORS.get(item["name"])
        if slug:
            ids = [anchors[slug]["id"], *[i for i in item.get("document_ids", []) if i != anchors[slug]["id"]]]
            item["document_ids"] = ids[:3]

    pids = {p["slug"]: bd.policy_id(COUNTY, p, timeline) for p in policies}
    policy_recs = []
    for p in policies:
        anchor = anchors[p["slug"]]
        published = date.fromisoformat(anchor["published_date"])
        updated = max(published, bd.clamp(published + timedelta(days=rng.randint(1, 10)), timeline.yesterday))
        policy_recs.append(
            bd.policy_record(place, COUNTY, p, anchor, bd.iso(updated, rng), phone=p["phone"], timeline=timeline)
        )
    # 耕地地力保护补贴: the standard was confirmed after the area count (in April on the anchor).
    farmland_published = date.fromisoformat(anchors[policies[0]["slug"]]["published_date"])
    policy_recs[0]["version"] = 2
    policy_recs[0]["updated_at"] = f"{max(farmland_published, timeline.in_year(date(2026, 4, 20)))}T15:10:00+08:00"

    guide_days = (timeline.aged(date(2025, 6, 1)), timeline.aged(date(2026, 11, 15)))
    guides = bd.guide_records(
        rng, place, COUNTY, year=timeline.year(2026), updated_range=guide_days, phone_for=factory.phone
    )
    for g in guides[:2]:
        g["version"] = 2
    records = {
        "region": regions(timeline),
        "catalogue_domain": domains,
        "catalogue_item": items,
        "document": docs,
        "subsidy_policy": policy_recs,
        "subsidy_payment": make_payments(rng, policies, pids, timeline),
        "board": make_boards(rng, place, timeline),
        "service_guide": guides,
        "notice": make_notices(timeline),
        "terminal_profile": [make_profile(timeline)],
        "synonym": make_synonyms(COUNTY, _aged_stamp(timeline, "2026-10-20T09:00:00+08:00")),
    }
    records["life_event"] = make_life_events(records, COUNTY, _aged_stamp(timeline, "2026-10-20T10:00:00+08:00"))
    _start_of_today(records, today)
    return records


def _start_of_today(records: dict[str, list[Record]], today: date) -> None:
    """Move a timestamp on today itself to the day's first second (00:00 at +08:00).

    Only :meth:`Timeline.in_year` puts anything on today (early in January everything of this
    subsidy year is squeezed there), and at an office hour drawn at random it could be hours ahead
    of the moment the demo is loaded. Midnight is never ahead of any moment of that day in China,
    and the output stays a function of the day alone.
    """
    prefix = today.isoformat()
    for recs in records.values():
        for rec in recs:
            for key in ("updated_at", "publish_at"):
                if str(rec.get(key, "")).startswith(prefix):
                    rec[key] = f"{prefix}T00:00:00+08:00"


#: Fields that may lie after today: a notice runs until it expires, a document may take effect later.
FUTURE_FIELDS = frozenset({"expire_at", "effective_date"})
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def dated_after(record: Record, today: date) -> list[str]:
    """``field=value`` for every date or timestamp in ``record`` later than ``today`` (outside FUTURE_FIELDS)."""
    found: list[str] = []
    limit = today.isoformat()

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key not in FUTURE_FIELDS:
                    walk(inner, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(inner, f"{path}[{index}]")
        elif isinstance(value, str) and _DAY.match(value) and value[:10] > limit:
            found.append(f"{path}={value}")

    walk(record, "")
    return found


def check(records: dict[str, list[Record]], today: date = ANCHOR) -> list[str]:
    """Schema validation plus the invariants the kiosk relies on; returns error messages."""
    from jsonschema import Draft202012Validator

    from kiosk.records.schema import kind_schema
    from kiosk.records.validate import problems_of

    timeline = Timeline(today)
    earliest = min(timeline.aged(date(2024, 1, 1)), timeline.in_year(date(2024, 1, 1))).isoformat()
    errors: list[str] = []
    ids: Counter[str] = Counter()
    for kind, recs in records.items():
        validator = Draft202012Validator(kind_schema(kind), format_checker=Draft202012Validator.FORMAT_CHECKER)
        for rec in recs:
            ids[rec["id"]] += 1
            for err in validator.iter_errors(rec):
                errors.append(f"{kind} {rec['id']}: {err.message} at {list(err.absolute_path)}")
            errors += [str(p) for p in problems_of(rec, f"{kind}.jsonl")]
            if not (earliest <= rec["updated_at"][:10] <= today.isoformat()):
                errors.append(f"{rec['id']}: updated_at {rec['updated_at']} out of range")
            errors += [f"{rec['id']}: {found} is after {today}" for found in dated_after(rec, today)]
    errors += [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    by_id = {r["id"]: r for recs in records.values() for r in recs}
    region_codes = {r["region"] for r in records["region"]}

    def ref(rec: Record, target: str, kind: str) -> None:
        if by_id.get(target, {}).get("kind") != kind:
            errors.append(f"{rec['id']}: dangling {kind} reference {target}")

    for recs in records.values():
        for rec in recs:
            if rec["region"] not in region_codes:
                errors.append(f"{rec['id']}: unknown region {rec['region']}")
    for item in records["catalogue_item"]:
        ref(item, item["domain_id"], "catalogue_domain")
        for d in item.get("document_ids", []):
            ref(item, d, "document")
    for p in records["subsidy_policy"]:
        for d in p.get("basis_document_ids", []):
            ref(p, d, "document")
    names = {p["id"]: p["name"] for p in records["subsidy_policy"]}
    for pay in records["subsidy_payment"]:
        ref(pay, pay["policy_id"], "subsidy_policy")
        if names.get(pay["policy_id"]) != pay["policy_name"]:
            errors.append(f"{pay['id']}: policy_name does not match the policy")
        if type(pay["amount_fen"]) is not int:
            errors.append(f"{pay['id']}: amount_fen is not an int")
    for doc in records["document"]:
        if doc["title"].startswith("耕地"):
            errors.append(f"{doc['id']}: title starts with 耕地")
        if not 800 <= len(doc["body"]) <= 4000:
            errors.append(f"{doc['id']}: body length {len(doc['body'])}")
        if not doc["written_date"] <= doc["published_date"]:
            errors.append(f"{doc['id']}: published {doc['published_date']} before written {doc['written_date']}")
    for board in records["board"]:
        if board["board_type"] != "finance":
            continue
        lines = board["lines"]
        total = board["opening_balance_fen"] + sum(
            x["amount_fen"] if x["direction"] == "income" else -x["amount_fen"] for x in lines
        )
        if total != board["closing_balance_fen"] or not 10 <= len(lines) <= 25:
            errors.append(f"{board['id']}: ledger does not balance")
        if any(type(x["amount_fen"]) is not int for x in lines):
            errors.append(f"{board['id']}: non-integer amount")
    finance = sorted(
        (b for b in records["board"] if b["board_type"] == "finance"), key=lambda b: (b["region"], b["period"])
    )
    for prev, cur in itertools.pairwise(finance):
        if prev["region"] == cur["region"] and prev["closing_balance_fen"] != cur["opening_balance_fen"]:
            errors.append(f"{cur['id']}: opening balance differs from previous closing")
    return errors


def render(records: dict[str, list[Record]]) -> dict[str, str]:
    """``{"<kind>.jsonl": text}``: one JSON object per line, UTF-8, compact, in a stable order."""
    return {
        f"{kind}.jsonl": "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records[kind])
        for kind in KINDS
    }


def write(records: dict[str, list[Record]], out: Path) -> dict[str, tuple[int, int]]:
    """Write one ``<kind>.jsonl`` per kind (each replaced whole, atomically); returns ``{kind: (count, bytes)}``."""
    out.mkdir(parents=True, exist_ok=True)
    stats = {}
    for name, text in render(records).items():
        path = write_atomic(out / name, text)
        kind = name.removesuffix(".jsonl")
        stats[kind] = (len(records[kind]), path.stat().st_size)
    return stats


def fingerprint(folder: Path) -> dict[str, str]:
    """``{file name: sha256}`` of the record files directly in ``folder`` (to notice hand edits)."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if path.suffix in (".jsonl", ".json") and path.is_file() and not path.name.startswith(".")
    }
