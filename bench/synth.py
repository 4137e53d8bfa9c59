"""Synthetic content records at county or province scale, for the store and search benchmarks.

Why: the demo county has under a thousand records; a real deployment holds a county's or a province's
whole disclosure set. Benchmarks need that volume with realistic shape — documents of several
thousand characters (about 13% of records), payment lists as the bulk (about half), quarterly
three-affairs boards with balanced ledgers, catalogues, guides, policies and notices spread over many
counties, townships and villages with structurally valid 12-digit region codes.

How: the text banks and record builders of ``kiosk/demo`` (shared with the demo county) are
driven by ``random.Random(seed)``; records are streamed to one ``<kind>.jsonl`` per kind, so memory
stays flat. ``--changes N`` additionally writes ``changes.jsonl``: N existing records with
``version + 1``, a later ``updated_at`` and modified text (plus ``--deletes M`` tombstones), for an
apply benchmark. ``--from DIR`` makes the change set from records already on disk instead.

Usage::

    python bench/synth.py --scale county   --out bench/out/county   [--seed 1] [--changes 1000]
    python bench/synth.py --scale province --out bench/out/province --changes 1000 [--deletes 50]
    python bench/synth.py --from bench/out/county --out bench/out/county --changes 1000
    python bench/synth.py --scale county --out /tmp/c --validate   # check every record against the schema

County scale: 1 county, 20 townships × 12 villages, ~20,000 records. Province scale: 3 cities × 4
counties × 8 townships × 13 villages, ~100,000 records. ``county100k``: 1 county, 112 townships × 12
villages, ~100,000 records in one feed channel (bench/bench_sync.py --rss).
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kiosk.demo import builders as bd  # noqa: E402
from kiosk.demo import textbank as tb  # noqa: E402
from kiosk.records.schema import KINDS as SCHEMA_KINDS  # noqa: E402

Record = dict[str, Any]
PROVINCE = "990000000000"
KINDS = tuple(kind for kind in SCHEMA_KINDS if kind != "terminal_profile")  # the synthetic set has no profiles
QUARTERS = ((2024, 4), (2025, 1), (2025, 2), (2025, 3), (2025, 4), (2026, 1), (2026, 2), (2026, 3))
DOC_YEARS = {2020: 6, 2021: 8, 2022: 10, 2023: 12, 2024: 18, 2025: 22, 2026: 24}


@dataclass(frozen=True)
class Scale:
    """Shape of a data set: how many of each unit and how much each produces."""

    cities: int
    counties_per_city: int
    townships: int  # per county
    villages: int  # per township
    county_docs: int  # per county, besides the 16 policy anchors
    city_docs: int  # per city
    province_docs: int
    township_docs: int  # per township
    village_docs: int  # per village
    payments: tuple[int, int]  # per village, min and max
    notices: int  # per county


SCALES = {
    "county": Scale(1, 1, 20, 12, 1900, 160, 160, 12, 1, (40, 52), 60),
    "province": Scale(3, 4, 8, 13, 800, 300, 700, 5, 1, (40, 48), 30),
    # one county with five times the villages: a single channel of ~100,000 records (the memory benchmark)
    "county100k": Scale(1, 1, 112, 12, 1900, 160, 160, 12, 1, (40, 52), 60),
}

# Syllables for place names: first + second character, then the level suffix.
_FIRST = "青白石桃柳龙凤金银清云松竹梅兰安平和新永长丰福东南北黄红高马杨双仁德富宝莲荷杏梨枫樟茶桂花晴阳泉"
_SECOND = "溪河山岭坪坝塘湾冲岗田桥口源湖江林园家庄铺寨峪沟滩洲渡港岩峰川水城阳"


class Names:
    """Unique place names within a parent and unique one-character abbreviations for 发文代字."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used_abbr: set[str] = {"云"}

    def make(self, suffix: str, taken: set[str]) -> str:
        """A two-character name plus ``suffix`` (县, 镇, 村 …) not yet in ``taken``."""
        while True:
            name = self.rng.choice(_FIRST) + self.rng.choice(_SECOND) + suffix
            if name not in taken:
                taken.add(name)
                return name

    def abbr(self, name: str) -> str:
        """First character of ``name`` not used by another county or city (溪 for 溪源县)."""
        for ch in name[:-1]:
            if ch not in self.used_abbr:
                self.used_abbr.add(ch)
                return ch
        spare = next(c for c in _FIRST + _SECOND if c not in self.used_abbr)
        self.used_abbr.add(spare)
        return spare


@dataclass
class Writers:
    """One open JSONL file per kind; counts records and bytes; feeds the change reservoir."""

    out: Path
    reservoir: Reservoir | None = None
    files: dict[str, TextIO] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        for kind in KINDS:
            self.files[kind] = (self.out / f"{kind}.jsonl").open("w", encoding="utf-8")

    def write(self, records: Iterable[Record]) -> None:
        """Append records to their kind's file."""
        for rec in records:
            kind = rec["kind"]
            self.files[kind].write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
            self.counts[kind] += 1
            if self.reservoir is not None:
                self.reservoir.offer(rec)

    def close(self) -> None:
        """Close every file."""
        for f in self.files.values():
            f.close()


class Reservoir:
    """A uniform sample of ``size`` records (regions excluded) over a stream (Algorithm R)."""

    def __init__(self, size: int, rng: random.Random) -> None:
        self.size = size
        self.rng = rng
        self.seen = 0
        self.items: list[Record] = []

    def offer(self, rec: Record) -> None:
        """Consider one record for the sample."""
        if self.size <= 0 or rec["kind"] in ("region", "terminal_profile"):
            return
        self.seen += 1
        if len(self.items) < self.size:
            self.items.append(rec)
        else:
            j = self.rng.randrange(self.seen)
            if j < self.size:
                self.items[j] = rec


# ---------------------------------------------------------------------------------------------
# Generation


def generate(scale: Scale, writers: Writers, seed: int) -> None:
    """Stream every record of ``scale`` into ``writers``."""
    rng = random.Random(seed)
    names = Names(rng)
    policies = tb.load_json("policies.json")["policies"]
    province_place = tb.Place()
    stamp = "2024-01-02T09:00:00+08:00"
    writers.write(
        [
            bd.region_record("000000000000", "全国", "全国", "national", None, stamp),
            bd.region_record(PROVINCE, "云岭省", "云岭省", "province", "000000000000", stamp),
        ]
    )

    province_factory = bd.DocumentFactory(rng, province_place)
    when = bd.written_between(rng, DOC_YEARS)
    specs = bd.province_specs(rng, tb.province_issuers(province_place, PROVINCE), scale.province_docs, when)
    writers.write(_documents(province_factory, specs))

    city_names: set[str] = set()
    for ci in range(scale.cities):
        city_code = f"99{ci + 1:02d}00000000"
        city = "青川市" if ci == 0 else names.make("市", city_names)
        city_names.add(city)
        city_abbr = "青" if ci == 0 else names.abbr(city)
        names.used_abbr.add(city_abbr)
        writers.write([bd.region_record(city_code, city, f"云岭省{city}", "city", PROVINCE, stamp)])
        place = tb.Place(city=city, city_abbr=city_abbr)
        factory = bd.DocumentFactory(rng, place)
        writers.write(_documents(factory, bd.city_specs(rng, tb.city_issuers(place, city_code), scale.city_docs, when)))
        county_names: set[str] = set()
        for co in range(scale.counties_per_city):
            county_code = f"{city_code[:4]}{21 + co:02d}000000"
            first = ci == 0 and co == 0
            county = "溪源县" if first else names.make("县", county_names)
            abbr = "溪" if first else names.abbr(county)
            names.used_abbr.add(abbr)
            county_place = tb.Place(city=city, city_abbr=city_abbr, county=county, county_abbr=abbr)
            _county(rng, scale, writers, county_place, county_code, policies, names, when)


def _documents(factory: bd.DocumentFactory, specs: list[bd.DocSpec]) -> Iterator[Record]:
    for rec, _ in bd.produce_documents(factory, specs, min_chars=1500, max_chars=6000, allow_repeat=True):
        yield rec


def _county(
    rng: random.Random,
    scale: Scale,
    writers: Writers,
    place: tb.Place,
    code: str,
    policies: list[dict[str, Any]],
    names: Names,
    when: Callable[[], date],
) -> None:
    """One county: regions, documents, catalogue, policies, payments, boards, guides, notices."""
    stamp = "2024-01-02T09:00:00+08:00"
    county_full = f"云岭省{place.city}{place.county}"
    writers.write([bd.region_record(code, place.county, county_full, "county", code[:4] + "0" * 8, stamp)])
    town_names: set[str] = set()
    towns: list[tuple[str, str, list[tuple[str, str]]]] = []
    for t in range(scale.townships):
        town_code = f"{code[:6]}{(101 + t) if t < scale.townships * 2 // 3 else (201 + t):03d}000"
        town = names.make("镇" if town_code[6] == "1" else "乡", town_names)
        village_names: set[str] = set()
        villages = []
        for v in range(scale.villages):
            village_code = f"{town_code[:9]}{201 + v:03d}"
            villages.append((village_code, names.make("村", village_names)))
        towns.append((town_code, town, villages))
        regions = [bd.region_record(town_code, town, county_full + town, "township", code, stamp)]
        regions += [
            bd.region_record(vc, vn, county_full + town + vn, "village", town_code, stamp) for vc, vn in villages
        ]
        writers.write(regions)

    # Documents, with the anchors the subsidy policies cite; remember ids per topic for the catalogue.
    factory = bd.DocumentFactory(rng, place)
    phones = {p["slug"]: f"{place.area_code}-52{rng.randint(10000, 99999)}" for p in policies}
    specs = bd.anchor_specs(factory, code, policies, phones=phones)
    specs += bd.county_specs(rng, tb.county_issuers(place, code), scale.county_docs, when)
    for town_code, town, villages in towns:
        specs += bd.township_specs(rng, tb.township_issuer(town, town_code), scale.township_docs, when)
        for village_code, village in villages:
            specs += bd.village_specs(rng, tb.village_issuer(town, village, village_code), scale.village_docs, when)
    by_topic: dict[str, list[str]] = {}
    anchors: dict[str, Record] = {}
    for rec, spec in bd.produce_documents(factory, specs, min_chars=1500, max_chars=6000, allow_repeat=True):
        if spec.slug:
            anchors[spec.slug] = rec
        elif rec["region"] == code and rec["doc_type"] != "通知公告":
            by_topic.setdefault(spec.topic, []).append(rec["id"])
        writers.write([rec])

    domains, items = bd.catalogue_records(rng, place, code, by_topic)
    writers.write(domains)
    writers.write(items)
    policy_ids = {p["slug"]: bd.policy_id(code, p) for p in policies}
    writers.write(
        bd.policy_record(place, code, p, anchors[p["slug"]], anchors[p["slug"]]["updated_at"], phone=phones[p["slug"]])
        for p in policies
    )
    url = f"https://zwfw.c{code[:6]}.example.gov.cn"
    writers.write(bd.guide_records(rng, place, code, url_base=url, phone_for=factory.phone))

    for _, town, villages in towns:
        for village_code, village in villages:
            n = rng.randint(*scale.payments)
            writers.write(bd.village_payments(rng, village_code, policies, policy_ids, n_total=n))
            boards = bd.VillageBoards(
                code=village_code,
                name=village,
                town=town,
                county=place.county,
                supervisor=tb.person_name(rng),
                phone=f"{place.area_code}-52{rng.randint(10000, 99999)}",
                balance=rng.randint(50_000, 400_000) * 100 + rng.randint(0, 99),
            )
            for year, quarter in QUARTERS:
                writers.write(boards.boards(rng, year, quarter))
    writers.write(_notices(rng, place, code, towns, scale.notices))


def _notices(
    rng: random.Random, place: tb.Place, code: str, towns: list[tuple[str, str, list[tuple[str, str]]]], n: int
) -> Iterator[Record]:
    """Short-lived notices from county departments and townships; some urgent, some expired."""
    keys = tb.document_topic_keys()
    issuers = tb.county_issuers(place, code)
    for i in range(1, n + 1):
        topic = rng.choice(keys)
        if rng.random() < 0.3:
            town_code, town, _ = rng.choice(towns)
            issuer = tb.township_issuer(town, town_code)
        else:
            issuer = tb.topic_dept_issuer(issuers, topic)
        ctx = tb.base_ctx(place, issuer, 2026, topic)
        ctx["phone"] = f"{place.area_code}-52{rng.randint(10000, 99999)}"
        title, core = tb.make_title(rng, topic, issuer, "announce", ctx)
        paragraphs = [tb.fill(p, ctx, rng) for p in rng.choice(tb.topics()[topic].section_list())[1]][:3]
        body = "\n".join([f"现将{core.removesuffix('的公告').removesuffix('的公示')}有关事项通知如下：", *paragraphs])
        body += f"\n咨询电话：{ctx['phone']}\n{issuer.name}"
        publish = bd.random_day(rng, date(2026, 1, 5), date(2026, 11, 19))
        expire = publish + timedelta(days=rng.randint(5, 90))
        rec = bd.envelope(f"notice-{bd.short_code(code)}-2026-{i:04d}", "notice", issuer.region, bd.iso(publish, rng))
        rec.update(
            {
                "title": title[:200],
                "body": body,
                "issuer": issuer.name,
                "priority": "urgent" if rng.random() < 0.1 else "normal",
                "publish_at": bd.iso(publish, rng),
                "expire_at": bd.iso(expire, rng, hour=18),
            }
        )
        yield rec


# ---------------------------------------------------------------------------------------------
# Change sets

CHANGE_DAY = date(2026, 11, 20)


def changed(rec: Record, rng: random.Random) -> Record:
    """A new version of ``rec``: version + 1, later ``updated_at``, and text that differs."""
    new = copy.deepcopy(rec)
    new["version"] = rec["version"] + 1
    new["updated_at"] = bd.iso(CHANGE_DAY, rng)
    kind = rec["kind"]
    stamp = tb.cn_date(CHANGE_DAY)
    if kind == "document":
        new["body"] = (
            rec["body"] + f"\n（{stamp}更新：根据上级最新要求，对部分条款表述进行了修订，相关内容以本文为准。）"
        )
        if rng.random() < 0.2 and rec["validity"] == "现行有效":
            new["validity"] = "已修改"
            new["validity_note"] = f"部分条款已于{stamp}修改"
    elif kind == "catalogue_item":
        new["content"] = (rec["content"] + "同步公开办理结果和群众评价情况。")[:5000]
        new["channels"] = sorted(set(rec["channels"]) | {"政务新媒体"})
    elif kind == "catalogue_domain":
        new["description"] = (rec.get("description", "") + "（目录已按最新标准指引调整）")[:2000]
    elif kind == "subsidy_payment":
        if rec["status"] != "已发放":
            new["status"] = "已发放"
            new["paid_date"] = CHANGE_DAY.isoformat()
        new["note"] = "信息更正后重新公开"
    elif kind == "board":
        if rec["board_type"] == "finance":  # text only: the ledger must still balance
            new["lines"] = [dict(x) for x in rec["lines"]]
            new["lines"][0]["summary"] = (rec["lines"][0]["summary"] + "（更正摘要）")[:300]
        else:
            new["sections"] = [
                *rec.get("sections", []),
                {"heading": "更正说明", "body": f"{stamp}对本期公开内容进行了更正。"},
            ]
    elif kind == "service_guide":
        new["time_limit"] = f"承诺时限{rng.randint(1, 10)}个工作日（{stamp}压缩）"
        new["steps"] = [*rec["steps"], "办结后可通过短信获取办理结果"]
    elif kind == "subsidy_policy":
        new["standard"] = (rec["standard"] + f"（{stamp}起执行新标准，具体以发放清单为准。）")[:2000]
    elif kind == "notice":
        new["body"] = rec["body"] + f"\n（{stamp}更新）"
        new["expire_at"] = bd.iso(CHANGE_DAY + timedelta(days=30), rng, hour=18)
    return new


def tombstone(rec: Record, rng: random.Random) -> Record:
    """A deletion of ``rec``: the envelope with ``deleted: true`` and a higher version."""
    out = bd.envelope(rec["id"], rec["kind"], rec["region"], bd.iso(CHANGE_DAY, rng), version=rec["version"] + 1)
    out["deleted"] = True
    return out


def write_changes(sample: list[Record], out: Path, n: int, deletes: int, rng: random.Random) -> int:
    """Write ``changes.jsonl``: ``n`` changed records, then ``deletes`` tombstones of other records."""
    rng.shuffle(sample)
    lines = [changed(r, rng) for r in sample[:n]] + [tombstone(r, rng) for r in sample[n : n + deletes]]
    with (out / "changes.jsonl").open("w", encoding="utf-8") as f:
        for rec in lines:
            f.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
    return len(lines)


def read_dir(folder: Path) -> Iterator[Record]:
    """Every record of the ``*.jsonl`` files in ``folder`` except ``changes.jsonl``."""
    for path in sorted(folder.glob("*.jsonl")):
        if path.name == "changes.jsonl":
            continue
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield json.loads(line)


def validate(folder: Path) -> int:
    """Check every record file (and ``changes.jsonl``); returns the number of problems.

    Uses the kiosk's own import rules (``kiosk.records.validate.problems_of``: schema, region levels
    and parents, balanced ledgers, notice dates) when available, else the JSON Schemas alone.
    """
    try:
        from kiosk.records.validate import problems_of
    except ImportError:  # pragma: no cover - schema-only fallback
        problems_of = None
    from jsonschema import Draft202012Validator

    from kiosk.records.schema import kind_schema, tombstone_schema

    validators = {k: Draft202012Validator(kind_schema(k)) for k in (*KINDS, "terminal_profile")}
    tomb = Draft202012Validator(tombstone_schema())
    errors = 0
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            for number, line in enumerate(f, start=1):
                rec = json.loads(line)
                if problems_of is not None:
                    messages = [str(p) for p in problems_of(rec, f"{path.name}:{number}")]
                else:
                    v = tomb if rec.get("deleted") else validators[rec["kind"]]
                    messages = [f"{path.name}:{number}: {rec['id']}: {e.message}" for e in v.iter_errors(rec)]
                for message in messages:
                    errors += 1
                    if errors <= 20:
                        print(message, file=sys.stderr)
    return errors


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description="Write synthetic kiosk content records (JSONL, one file per kind).")
    parser.add_argument("--scale", choices=sorted(SCALES), default="county")
    parser.add_argument("--out", type=Path, required=True, help="output folder (created)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--changes", type=int, default=0, help="also write changes.jsonl with N changed records")
    parser.add_argument("--deletes", type=int, default=0, help="add M tombstones to changes.jsonl")
    parser.add_argument("--from", dest="source", type=Path, help="make the change set from records in this folder")
    parser.add_argument("--validate", action="store_true", help="validate every written record against the schema")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    change_rng = random.Random(args.seed * 7919 + 1)
    wanted = args.changes + args.deletes
    if args.source:
        reservoir = Reservoir(wanted, change_rng)
        for rec in read_dir(args.source):
            reservoir.offer(rec)
        args.out.mkdir(parents=True, exist_ok=True)
        written = write_changes(reservoir.items, args.out, args.changes, args.deletes, change_rng)
        print(f"changes.jsonl: {written} records from {args.source} in {time.perf_counter() - start:.1f}s")
        return 0

    writers = Writers(args.out, Reservoir(wanted, change_rng) if wanted else None)
    try:
        generate(SCALES[args.scale], writers, args.seed)
    finally:
        writers.close()
    if writers.reservoir is not None:
        write_changes(writers.reservoir.items, args.out, args.changes, args.deletes, change_rng)
    elapsed = time.perf_counter() - start
    total_bytes = 0
    for kind in KINDS:
        size = (args.out / f"{kind}.jsonl").stat().st_size
        total_bytes += size
        print(f"{kind:18} {writers.counts[kind]:8,d} records {size / 2**20:8.1f} MiB")
    total = sum(writers.counts.values())
    print(f"{'total':18} {total:8,d} records {total_bytes / 2**20:8.1f} MiB in {elapsed:.1f}s -> {args.out}")
    if wanted:
        print(f"changes.jsonl      {min(wanted, len(writers.reservoir.items)):8,d} records")  # type: ignore[union-attr]
    if args.validate:
        errors = validate(args.out)
        print(f"validation: {errors} errors")
        return 1 if errors else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
