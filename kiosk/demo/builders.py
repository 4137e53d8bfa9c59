"""Record builders shared by the demo authoring script and the benchmark generator.

Why: ``county.py`` (the hand-shaped demo county) and ``bench/synth.py`` (tens of thousands of records
across a province) must emit records of the same shape — documents with interpretations, balanced
finance boards, payments with exact fen amounts, catalogue items, guides, policies. The builders here
take an explicit ``random.Random``, a :class:`~kiosk.demo.textbank.Place` and region codes,
and return plain dicts ready for ``json.dumps``; callers decide how many and where.

How: every builder returns records that satisfy ``kiosk.records.schema.kind_schema`` (the demo
script validates all of them, the synth script a sample); money is always integer fen. Dates in the
banks are written for :data:`~kiosk.demo.timeline.ANCHOR`; builders that take a ``timeline`` move
them to its day (see ``timeline.py`` for which mapping fits which content). The default timeline is
the anchor itself, so ``bench/synth.py``, which passes none, writes what it always wrote.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from kiosk.demo import textbank as tb
from kiosk.demo.timeline import ANCHOR, Timeline, quarter_end, quarter_of, quarter_start

Record = dict[str, Any]

AT_ANCHOR = Timeline(ANCHOR)  # the identity: dates as the banks write them
LAST_DAY = AT_ANCHOR.yesterday  # nothing is updated after this day (the demo's "yesterday")

TOPIC_KEYWORDS: dict[str, list[str]] = {
    "farmland": ["种粮补贴", "惠农补贴"],
    "agrimachine": ["农机补贴"],
    "dibao": ["低保", "社会救助"],
    "elderly": ["养老服务", "老年人"],
    "pension": ["养老保险", "社保"],
    "medical": ["医保", "看病报销"],
    "education": ["学生资助", "上学"],
    "housing": ["危房改造", "住房安全"],
    "flood": ["防汛", "救灾"],
    "employment": ["就业", "找工作"],
    "environment": ["人居环境", "垃圾分类"],
    "revitalization": ["乡村振兴", "防返贫"],
    "foodsafety": ["食品安全"],
    "funeral": ["殡葬", "丧葬"],
    "safety": ["安全生产"],
    "forestry": ["森林防火", "公益林"],
    "finance": ["一卡通", "预算公开"],
    "disability": ["残疾人"],
    "culture": ["文化活动"],
    "govopen": ["政务公开", "信息公开"],
    "planning": ["建房", "宅基地"],
    "household": ["户口", "落户"],
    "health": ["家庭医生", "体检"],
}

CHANNELS = ("政府网站", "政务新媒体", "公开查阅点", "政务服务中心", "便民服务站", "公开栏", "村务公开栏", "广播电视")
DEADLINES = (
    "信息形成或变更之日起20个工作日内",
    "信息形成或变更之日起20个工作日内",
    "信息形成或变更之日起10个工作日内",
    "信息形成之日起7个工作日内",
    "作出决定之日起7个工作日内",
    "每年3月31日前公开上年度情况",
)


def iso(day: date, rng: random.Random | None = None, *, hour: int | None = None) -> str:
    """An ISO 8601 timestamp at +08:00 during office hours of ``day``."""
    if hour is None:
        hour = rng.randint(8, 17) if rng else 9
    minute = rng.randint(0, 59) if rng else 0
    second = rng.randint(0, 59) if rng else 0
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:{second:02d}+08:00"


def clamp(day: date, last: date = LAST_DAY) -> date:
    """``day`` or ``last``, whichever is earlier."""
    return min(day, last)


def random_day(rng: random.Random, start: date, end: date) -> date:
    """A uniformly random day in [start, end]."""
    return start + timedelta(days=rng.randint(0, (end - start).days))


def short_code(region: str) -> str:
    """Region code without trailing all-zero segments: 990121000000 → 990121 (for readable ids)."""
    for width in (2, 4, 6, 9):
        if region[width:] == "0" * (12 - width):
            return region[:width]
    return region


def envelope(record_id: str, kind: str, region: str, updated_at: str, *, version: int = 1) -> Record:
    """The common record fields, in a stable key order."""
    return {"id": record_id, "kind": kind, "version": version, "region": region, "updated_at": updated_at}


def region_record(code: str, name: str, full_name: str, level: str, parent: str | None, updated: str) -> Record:
    """A ``region`` record: id ``region-<code>``."""
    rec = envelope(f"region-{code}", "region", code, updated)
    rec.update({"name": name, "full_name": full_name, "level": level, "parent": parent})
    return rec


def id_card_number(rng: random.Random, region6: str, birth: date) -> str:
    """A structurally valid 18-digit 居民身份证号 (GB 11643 check digit) for masking tests."""
    body = f"{region6}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


# ---------------------------------------------------------------------------------------------
# Documents


@dataclass
class DocumentFactory:
    """Builds ``document`` records: numbering per 代字 and year, phones per department, interpretation."""

    rng: random.Random
    place: tb.Place
    interpretation_rate: float = 0.7
    counters: dict[tuple[str, int], int] = field(default_factory=dict)
    reserved: dict[tuple[str, int], set[int]] = field(default_factory=dict)
    phones: dict[str, str] = field(default_factory=dict)
    unique_titles: bool = True
    ids: dict[tuple[str, int], int] = field(default_factory=dict)
    titles: set[str] = field(default_factory=set)
    cores: set[str] = field(default_factory=set)
    timeline: Timeline = AT_ANCHOR  # the day the documents are written for (see produce_documents)

    def phone_key(self, department: str) -> str:
        """溪源县农业农村局 and 县农业农村局 are the same office: one key, one phone."""
        p = self.place
        return department.replace(p.county, "县").replace(p.city, "市").replace(p.province, "省")

    def phone(self, lead: str) -> str:
        """A stable consultation phone for a department (0739-52xxxxx)."""
        key = self.phone_key(lead)
        if key not in self.phones:
            self.phones[key] = f"{self.place.area_code}-52{self.rng.randint(10000, 99999)}"
        return self.phones[key]

    def _fresh_title(
        self, topic_key: str, issuer: tb.Issuer, structure: str, ctx: dict[str, Any]
    ) -> tuple[str, str, str]:
        """A title not used yet (and a plan name not issued yet), switching structure if the bank runs dry."""
        fallbacks = [s for s in ("work", "opinion", "announce", "plan") if s != structure]
        title, core = tb.make_title(self.rng, topic_key, issuer, structure, ctx)
        if not self.unique_titles:
            return title, core, structure
        for candidate in [structure, *fallbacks]:
            if candidate == "order" and issuer.kind != "gov":
                continue
            for _ in range(8):
                title, core = tb.make_title(self.rng, topic_key, issuer, candidate, ctx)
                plan_like = candidate in ("plan", "measures", "order")
                if title not in self.titles and not (plan_like and core in self.cores):
                    return title, core, candidate
        return title, core, structure

    def reserve(self, issuer: tb.Issuer, year: int, seq: int) -> None:
        """Keep ``seq`` free for a document whose number is fixed in advance (an anchor)."""
        if issuer.code:
            self.reserved.setdefault((issuer.code, year), set()).add(seq)

    def next_number(self, issuer: tb.Issuer, year: int) -> str | None:
        """The next free 发文字号 of ``issuer`` in ``year`` (gaps of 1–3, as real registers have)."""
        if not issuer.code:
            return None
        key = (issuer.code, year)
        seq = self.counters.get(key, 0) + self.rng.randint(1, 3)
        while seq in self.reserved.get(key, set()):
            seq += 1
        self.counters[key] = seq
        return issuer.number(year, seq)

    def next_id(self, region: str, year: int) -> str:
        """``doc-<region>-<year>-<seq>``."""
        key = (region, year)
        self.ids[key] = self.ids.get(key, 0) + 1
        return f"doc-{short_code(region)}-{year}-{self.ids[key]:04d}"

    def make(
        self,
        issuer: tb.Issuer,
        topic_key: str,
        structure: str,
        written: date,
        *,
        title: str | None = None,
        number: str | None = None,
        ctx_extra: dict[str, Any] | None = None,
        keywords: list[str] | None = None,
        min_chars: int = 800,
        max_chars: int = 4000,
        allow_repeat: bool = False,
        record_id: str | None = None,
        with_interpretation: bool | None = None,
        last_day: date | None = None,
    ) -> Record:
        """One document record; ``title`` (with its 《core》) and ``number`` may be fixed by the caller.

        ``written`` is already on the factory's timeline. It is published within six days, by
        ``last_day`` (the timeline's yesterday) at the latest, but never before it was written: a
        document the timeline squeezed onto today (1 January) is published today.
        """
        rng = self.rng
        last_day = last_day or self.timeline.yesterday
        year = written.year
        ctx = tb.base_ctx(self.place, issuer, year, topic_key)
        ctx.update(ctx_extra or {})
        ctx["phone"] = phone = ctx.get("phone") or self.phone(ctx["lead"])
        if title is None:
            title, core, structure = self._fresh_title(topic_key, issuer, structure, ctx)
        else:
            core = title[title.index("《") + 1 : title.rindex("》")] if "《" in title else title
            if structure == "work" and "关于" in title:
                core = title[title.index("关于") + 2 :].removesuffix("的通知")
        self.titles.add(title)
        if structure in ("plan", "measures", "order"):
            self.cores.add(core)
        if number is None:
            if structure == "order":
                self.counters[("令", 0)] = self.counters.get(("令", 0), 280) + rng.randint(1, 4)
                number = f"{issuer.area}人民政府令第{self.counters[('令', 0)]}号"
            elif structure != "announce" or rng.random() < 0.3:
                number = self.next_number(issuer, year)
        body = tb.compose_document(
            rng,
            topic_key,
            issuer,
            structure,
            ctx,
            title_core=core,
            written=written,
            doc_number=number,
            min_chars=min_chars,
            max_chars=max_chars,
            allow_repeat=allow_repeat,
        )
        published = max(written, clamp(written + timedelta(days=rng.randint(0, 6)), last_day))
        if structure == "order":
            effective = tb.order_effective(written)
        elif structure == "measures":
            effective = published + timedelta(days=30)
        else:
            effective = published
        doc_type = self._doc_type(issuer, structure)
        rec = envelope(record_id or self.next_id(issuer.region, year), "document", issuer.region, iso(published, rng))
        rec.update({"title": title})
        if number:
            rec["doc_number"] = number
        rec.update(
            {
                "issuer": issuer.name,
                "doc_type": doc_type,
                "level": issuer.level,
                "topic": tb.topics()[topic_key].fields.get("class", "综合政务"),
                "written_date": written.isoformat(),
                "published_date": published.isoformat(),
                "effective_date": effective.isoformat(),
                "validity": "现行有效",
                "body": body,
            }
        )
        if with_interpretation is None:
            with_interpretation = structure != "announce" and rng.random() < self.interpretation_rate
        if with_interpretation:
            form = rng.choice(("文字解读", "问答解读"))
            name = (
                core
                if structure in ("plan", "measures", "order") or "关于" not in title
                else title[title.index("关于") :]
            )
            i_title, text, qa = tb.compose_interpretation(
                rng, topic_key, ctx, title_core=name, form=form, effective=effective, phone=phone, body=body
            )
            interp: Record = {"form": form, "title": i_title, "text": text}
            if qa:
                interp["qa"] = qa
            interp.update(
                {
                    "interpreter": tb.person_name(rng),
                    "interpreter_phone": phone,
                    "published_date": published.isoformat(),
                }
            )
            rec["interpretation"] = interp
        if rng.random() < 0.88:
            rec["drafter"] = tb.person_name(rng)
            rec["reviewer"] = tb.person_name(rng)
            rec["publisher"] = tb.person_name(rng)
        words = list(keywords or [])
        if not words and rng.random() < 0.4:
            words = TOPIC_KEYWORDS.get(topic_key, [])[: rng.randint(1, 2)]
        if words:
            rec["keywords"] = words
        return rec

    def _doc_type(self, issuer: tb.Issuer, structure: str) -> str:
        if structure == "order":
            return "规章"
        if structure == "announce":
            return "通知公告"
        if issuer.kind in ("township", "village"):
            return "其他文件"
        if structure in ("plan", "measures", "opinion"):
            if issuer.kind in ("gov", "govoffice"):
                return "规范性文件"
            return "规范性文件" if self.rng.random() < 0.5 else "其他文件"
        return "规范性文件" if issuer.kind == "gov" and self.rng.random() < 0.5 else "其他文件"


# ---------------------------------------------------------------------------------------------
# Document plans: who writes what, when


#: How often each topic appears in a county's documents (weighted towards what villagers ask about).
TOPIC_WEIGHTS: dict[str, int] = {
    "farmland": 9, "agrimachine": 4, "dibao": 9, "elderly": 7, "pension": 6, "medical": 6, "education": 6,
    "housing": 5, "flood": 5, "employment": 6, "environment": 6, "revitalization": 8, "foodsafety": 4,
    "funeral": 3, "safety": 4, "forestry": 5, "finance": 5, "disability": 4, "culture": 3, "govopen": 4,
    "planning": 4, "household": 2, "health": 4,
}  # fmt: skip
TOWNSHIP_TOPICS = ("farmland", "environment", "forestry", "flood", "dibao", "revitalization", "safety", "elderly")
VILLAGE_TOPICS = ("farmland", "dibao", "environment", "revitalization", "finance", "elderly")


@dataclass
class DocSpec:
    """One document to write; anchors (the documents subsidy policies cite) fix title and number."""

    issuer: tb.Issuer
    topic: str
    structure: str
    written: date
    title: str | None = None
    number: str | None = None
    ctx: dict[str, Any] | None = None
    keywords: list[str] | None = None
    slug: str | None = None  # the policy an anchor belongs to


def written_between(rng: random.Random, years: dict[int, int], last: date = date(2026, 11, 12)) -> Callable[[], date]:
    """A 成文日期 drawer: ``years`` maps year → weight; dates fall between 6 Jan and 28 Dec (or ``last``)."""
    keys, weights = list(years), list(years.values())

    def draw() -> date:
        year = rng.choices(keys, weights=weights)[0]
        return random_day(rng, date(year, 1, 6), min(date(year, 12, 28), last))

    return draw


def anchor_issuers(place: tb.Place, county: str) -> dict[str, tb.Issuer]:
    """Issuer keys used by the anchors in ``policies.json``."""
    issuers = tb.county_issuers(place, county)
    return {
        "gov": issuers["gov"],
        "govoffice": issuers["govoffice"],
        "dept_ny": issuers["dept:农业农村局"],
        "dept_mz": issuers["dept:民政局"],
        "dept_zj": issuers["dept:住房和城乡建设局"],
        "dept_ly": issuers["dept:林业局"],
        "dept_joint_ny": tb.joint_issuer(place, county, "农业农村局", "农", "财政局"),
        "dept_joint_mz": tb.joint_issuer(place, county, "民政局", "民", "财政局"),
        "dept_joint_cl": tb.joint_issuer(place, county, "民政局", "民", "残疾人联合会"),
        "dept_joint_ny_jy": tb.joint_issuer(place, county, "农业农村局", "农", "教育局"),
        "dept_joint_ly": tb.joint_issuer(place, county, "林业局", "林", "财政局"),
        "dept_joint_jy": tb.joint_issuer(place, county, "教育局", "教", "财政局"),
    }


def anchor_specs(
    factory: DocumentFactory, county: str, policies: list[dict[str, Any]], *, phones: dict[str, str] | None = None
) -> list[DocSpec]:
    """The documents a county's subsidy policies cite; reserves their numbers and titles in ``factory``.

    ``phones`` maps a policy slug to its 政策咨询电话 (defaults to ``policies.json``); the department
    that publishes the policy answers on that phone everywhere (documents, interpretations, guides).
    An anchor's 发文字号 carries the year of its 成文日期 on the factory's timeline.
    """
    place, timeline = factory.place, factory.timeline
    issuers = anchor_issuers(place, county)
    out = []
    for p in policies:
        phone = (phones or {}).get(p["slug"], p["phone"])
        dept = p["department"].split("、")[0].replace("{county}", place.county)
        factory.phones.setdefault(factory.phone_key(dept), phone)
        a = p["anchor"]
        issuer = issuers[a["issuer"]]
        written = date.fromisoformat(a["written"])
        year = timeline.in_year(written).year
        factory.reserve(issuer, year, a["number"])
        title = policy_text(a["title"], p, place, timeline)
        factory.titles.add(title)
        if "《" in title:
            factory.cores.add(title[title.index("《") + 1 : title.rindex("》")])
        out.append(
            DocSpec(
                issuer, a["topic"], a["structure"], written, title=title,
                number=issuer.number(year, a["number"]), ctx={**a["ctx"], "phone": phone},
                keywords=p["keywords"][:3], slug=p["slug"],
            )
        )  # fmt: skip
    return out


def _topic(rng: random.Random) -> str:
    return rng.choices(list(TOPIC_WEIGHTS), weights=list(TOPIC_WEIGHTS.values()))[0]


def county_specs(rng: random.Random, issuers: dict[str, tb.Issuer], n: int, when: Callable[[], date]) -> list[DocSpec]:
    """``n`` documents of a county government, its office and its departments."""
    out = []
    for _ in range(n):
        topic = _topic(rng)
        roll = rng.random()
        if roll < 0.12:
            issuer, structure = (
                issuers["gov"],
                rng.choices(("plan", "opinion", "work", "measures"), (35, 15, 35, 15))[0],
            )
        elif roll < 0.37:
            issuer, structure = issuers["govoffice"], rng.choices(("plan", "work", "opinion"), (50, 35, 15))[0]
        else:
            issuer = tb.topic_dept_issuer(issuers, topic)
            structure = rng.choices(("work", "plan", "announce", "measures"), (50, 25, 20, 5))[0]
        out.append(DocSpec(issuer, topic, structure, when()))
    return out


def province_specs(
    rng: random.Random, issuers: dict[str, tb.Issuer], n: int, when: Callable[[], date]
) -> list[DocSpec]:
    """``n`` documents of a province: 政府令 (规章) where the topic has a 办法, opinions, plans, notices."""
    out = []
    for _ in range(n):
        topic = _topic(rng)
        if rng.random() < 0.4:
            issuer = issuers["gov"]
            structure = rng.choice(("order", "order", "opinion", "plan", "work"))
            if structure == "order" and not tb.has_rules(topic):
                structure = "opinion"
        elif rng.random() < 0.5:
            issuer, structure = issuers["govoffice"], rng.choice(("plan", "opinion", "work"))
        else:
            issuer, structure = tb.topic_dept_issuer(issuers, topic), rng.choice(("work", "plan"))
        out.append(DocSpec(issuer, topic, structure, when()))
    return out


def city_specs(rng: random.Random, issuers: dict[str, tb.Issuer], n: int, when: Callable[[], date]) -> list[DocSpec]:
    """``n`` documents of a city government, its office and departments."""
    out = []
    for _ in range(n):
        topic = _topic(rng)
        roll = rng.random()
        issuer = issuers["gov"] if roll < 0.3 else issuers["govoffice"] if roll < 0.6 else None
        out.append(
            DocSpec(
                issuer or tb.topic_dept_issuer(issuers, topic), topic, rng.choice(("plan", "work", "opinion")), when()
            )
        )
    return out


def township_specs(rng: random.Random, issuer: tb.Issuer, n: int, when: Callable[[], date]) -> list[DocSpec]:
    """``n`` documents of a township government (notices, plans, 公示)."""
    structures = ("work", "plan", "announce")
    return [
        DocSpec(issuer, rng.choice(TOWNSHIP_TOPICS), rng.choices(structures, (50, 25, 25))[0], when()) for _ in range(n)
    ]


def village_specs(rng: random.Random, issuer: tb.Issuer, n: int, when: Callable[[], date]) -> list[DocSpec]:
    """``n`` 公示/公告 of a village committee."""
    return [DocSpec(issuer, rng.choice(VILLAGE_TOPICS), "announce", when()) for _ in range(n)]


def produce_documents(factory: DocumentFactory, specs: list[DocSpec], **make: Any) -> Iterator[tuple[Record, DocSpec]]:
    """Write ``specs`` in 成文日期 order (so 发文字号 rise with time); yields ``(record, spec)``.

    ``make`` is passed to :meth:`DocumentFactory.make` for ordinary documents (length limits …);
    anchors always carry an interpretation and 1,500–4,000 characters. ``spec.written`` is the
    authored day; the record is written on the factory's timeline: an anchor keeps its place in the
    subsidy year (:meth:`Timeline.in_year`, so this year's policies cite this year's plans), any
    other document keeps its age (:meth:`Timeline.aged`).
    """
    timeline = factory.timeline
    for spec in sorted(specs, key=lambda s: (s.written, s.slug is None)):
        if spec.slug:
            rec = factory.make(
                spec.issuer, spec.topic, spec.structure, timeline.in_year(spec.written), title=spec.title, number=spec.number,
                ctx_extra=spec.ctx, keywords=spec.keywords, with_interpretation=True, min_chars=1500, max_chars=4000,
                allow_repeat=make.get("allow_repeat", False),
            )  # fmt: skip
        else:
            rec = factory.make(spec.issuer, spec.topic, spec.structure, timeline.aged(spec.written), **make)
        yield rec, spec


# ---------------------------------------------------------------------------------------------
# Catalogue, guides, policies


def catalogue_records(
    rng: random.Random,
    place: tb.Place,
    region: str,
    doc_ids_by_topic: dict[str, list[str]],
    *,
    updated_range: tuple[date, date] = (date(2025, 3, 1), date(2026, 10, 31)),
    link_rate: float = 0.45,
) -> tuple[list[Record], list[Record]]:
    """``(domains, items)``: the 26 standard domains plus the village catalogue, for one county."""
    data = tb.load_json("catalogue.json")
    sc = short_code(region)
    domains: list[Record] = []
    items: list[Record] = []

    def fmt(text: str) -> str:
        return text.replace("{county}", place.county)

    for order, dom in enumerate([*data["domains"], data["village"]], start=1):
        dom_id = f"domain-{sc}-{dom['slug']}"
        d = envelope(dom_id, "catalogue_domain", region, iso(random_day(rng, *updated_range), rng))
        d.update({"name": dom["name"], "sort_order": order, "description": dom["description"]})
        domains.append(d)
        village = dom is data["village"]
        for n, raw in enumerate(dom["items"], start=1):
            sub, name, content = raw[0], raw[1], raw[2]
            rec = envelope(
                f"cat-{sc}-{dom['slug']}-{n:02d}", "catalogue_item", region, iso(random_day(rng, *updated_range), rng)
            )
            rec.update(
                {"domain_id": dom_id, "name": name, "sub_domain": sub, "content": content, "basis": fmt(dom["basis"])}
            )
            if village:
                frequency, deadline = raw[3], raw[4]
                subject = {"党务公开": "村党组织", "村务公开": "村民委员会"}.get(sub, "村民委员会、村务监督委员会")
                rec.update(
                    {
                        "deadline": deadline,
                        "subject": subject,
                        "channels": ["村务公开栏", "村级党群服务中心", "村民微信群"][: rng.randint(1, 3)],
                        "audience": "全社会",
                        "mode": "主动",
                        "level": ["村级"],
                        "frequency": frequency,
                        "place": "村务公开栏" if rng.random() < 0.7 else "村务公开栏、村级党群服务中心",
                    }
                )
            else:
                extra = raw[3] if len(raw) > 3 else {}
                channels = ["政府网站", *rng.sample(CHANNELS[1:], rng.randint(1, 3))]
                rec.update(
                    {
                        "deadline": extra.get("deadline", rng.choice(DEADLINES)),
                        "subject": fmt(extra.get("subject", dom["subject"])),
                        "channels": sorted(set(channels), key=CHANNELS.index),
                        "audience": extra.get("audience", "全社会" if rng.random() < 0.85 else "特定群体"),
                        "mode": extra.get("mode", "主动"),
                        "level": extra.get("level", ["县级"] if rng.random() < 0.6 else ["县级", "乡级"]),
                    }
                )
                if "frequency" in extra:
                    rec["frequency"] = extra["frequency"]
            pool = doc_ids_by_topic.get(dom["topic"], [])
            if pool and rng.random() < link_rate:
                rec["document_ids"] = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
            if raw[3:4] and isinstance(raw[3], dict) and raw[3].get("keywords"):
                rec["keywords"] = raw[3]["keywords"]
            items.append(rec)
    return domains, items


def guide_records(
    rng: random.Random,
    place: tb.Place,
    region: str,
    *,
    year: int = 2026,
    updated_range: tuple[date, date] = (date(2025, 6, 1), date(2026, 11, 15)),
    url_base: str = "https://zwfw.xiyuan.example.gov.cn",
    phone_for: Callable[[str], str] | None = None,
) -> list[Record]:
    """One ``service_guide`` per entry of ``guides.json``; ``phone_for(department)`` gives 咨询电话."""
    sc = short_code(region)
    ctx = {"county": place.county, "hall": place.hall, "year": year}
    phones: dict[str, str] = {}
    out = []
    for g in tb.load_json("guides.json")["guides"]:
        dept = f"{place.county}{g['dept']}"
        if dept not in phones:
            phones[dept] = phone_for(dept) if phone_for else f"{place.area_code}-52{rng.randint(10000, 99999)}"
        rec = envelope(f"guide-{sc}-{g['slug']}", "service_guide", region, iso(random_day(rng, *updated_range), rng))
        materials = []
        for m in g["materials"]:
            item = {"name": m[0], "form": m[1]}
            if len(m) > 2:
                item["note"] = m[2]
            materials.append(item)
        rec.update(
            {
                "name": g["name"],
                "department": dept,
                "audience": g["audience"],
                "topic": g["topic"],
                "conditions": g["conditions"],
                "materials": materials,
                "steps": g["steps"],
                "time_limit": g["time_limit"],
                "fees": g.get("fees", "不收费"),
                "place": tb.fill(g["place"], dict(ctx), rng),
                "hours": "工作日上午8:30—12:00，下午14:30—17:30（7月至9月下午15:00—18:00）",
                "phone": phones[dept],
                "online_url": f"{url_base}/guide/{g['slug']}",
                "basis": tb.fill(g["basis"], dict(ctx), rng),
            }
        )
        if g.get("keywords"):
            rec["keywords"] = g["keywords"]
        out.append(rec)
    return out


def policy_id(region: str, policy: dict[str, Any], timeline: Timeline = AT_ANCHOR) -> str:
    """``policy-<county>-<year>-<slug>``."""
    return f"policy-{short_code(region)}-{timeline.year(policy['year'])}-{policy['slug']}"


def policy_paid_day(policy: dict[str, Any], timeline: Timeline = AT_ANCHOR) -> date:
    """The day a policy's village payments are made, on ``timeline`` (its place in the subsidy year)."""
    return timeline.in_year(date.fromisoformat(policy["pay"]["paid"]))


def school_term(day: date) -> str:
    """春季 (spring term, paid in the first half-year) or 秋季 (autumn term, the second)."""
    return "春季" if day.month <= 6 else "秋季"


def policy_text(text: str, policy: dict[str, Any], place: tb.Place, timeline: Timeline = AT_ANCHOR) -> str:
    """A ``policies.json`` text with ``{county}``, the years ``{Y}``/``{Y-1}``/``{Y+1}`` (``{Y}`` is
    today's year) and ``{term}`` (the school term the payments are for) filled in."""
    text = tb.years(text.replace("{county}", place.county), timeline.today.year)
    return text.replace("{term}", school_term(policy_paid_day(policy, timeline)))


def policy_record(
    place: tb.Place,
    region: str,
    policy: dict[str, Any],
    anchor: Record | None,
    updated: str,
    *,
    phone: str,
    timeline: Timeline = AT_ANCHOR,
) -> Record:
    """A ``subsidy_policy`` record (七公开) whose basis names the anchor document."""

    def fmt(text: str) -> str:
        return policy_text(text, policy, place, timeline)

    rec = envelope(policy_id(region, policy, timeline), "subsidy_policy", region, updated)
    if anchor is not None:
        title = anchor["title"].replace("《", "〈").replace("》", "〉")
        basis = f"《{title}》（{anchor['doc_number']}）" if anchor.get("doc_number") else f"《{title}》"
    else:
        basis = f"《{fmt(policy['anchor']['title'])}》"
    rec.update(
        {
            "name": policy["name"],
            "basis": basis,
            "department": fmt(policy["department"]),
            "purpose": fmt(policy["purpose"]),
            "target": fmt(policy["target"]),
            "standard": fmt(policy["standard"]),
            "phone": phone,
            "year": timeline.year(policy["year"]),
        }
    )
    if anchor is not None:
        rec["basis_document_ids"] = [anchor["id"]]
    rec["keywords"] = policy["keywords"]
    return rec


# ---------------------------------------------------------------------------------------------
# Payments

_MACHINES = (
    ("微耕机", 90000, 150000),
    ("水稻插秧机", 480000, 900000),
    ("履带式谷物联合收割机", 1800000, 3200000),
    ("植保无人机", 1000000, 1800000),
    ("谷物烘干机", 1200000, 2600000),
    ("碾米机", 40000, 80000),
)


@dataclass
class Household:
    """A household in a village's payment list: head's name, size and the land it works."""

    head: str
    size: int
    land_tenths: int  # 承包耕地面积, tenths of a 亩
    forest_tenths: int


def make_households(rng: random.Random, n: int, *, rare: list[str] | None = None) -> list[Household]:
    """``n`` households; names in ``rare`` replace some heads (fonts, masking, input tests)."""
    seen: set[str] = set()
    out = []
    for i in range(n):
        name = rare[i] if rare and i < len(rare) else tb.person_name(rng)
        while name in seen:
            name = tb.person_name(rng)
        seen.add(name)
        out.append(Household(name, rng.choice((1, 2, 2, 3, 3, 4, 4, 5, 6)), rng.randint(8, 120), rng.randint(20, 900)))
    rng.shuffle(out)
    return out


def payment_for(
    rng: random.Random, policy: dict[str, Any], hh: Household, age: int | None = None
) -> tuple[str | None, int, str | None]:
    """``(quantity, amount_fen, note)`` for one payment of ``policy`` to ``hh`` — exact integer fen."""
    pay, slug = policy["pay"], policy["slug"]
    rate = pay["rate_fen"]
    if slug == "farmland":
        return f"{hh.land_tenths / 10:.1f}亩", hh.land_tenths * rate // 10, None
    if slug == "grain-once":
        tenths = hh.land_tenths + rng.randint(0, 30)
        return f"{tenths / 10:.1f}亩", tenths * rate // 10, None
    if slug == "rice":
        tenths = max(5, hh.land_tenths * rng.randint(40, 100) // 100)
        double = rng.random() < 0.3
        amount = tenths * (rate + (2000 if double else 0)) // 10
        return f"{tenths / 10:.1f}亩", amount, "双季稻" if double else None
    if slug == "gongyilin":
        return f"{hh.forest_tenths / 10:.1f}亩", hh.forest_tenths * rate // 10, None
    if slug == "tuigeng":
        tenths = rng.randint(10, 80)
        return f"{tenths / 10:.1f}亩", tenths * rate // 10, "第五年补助"
    if slug == "dibao":
        size = min(hh.size, 4)
        per_person = rng.randrange(150, 561, 10) * 100
        return f"{size}人", size * per_person, None
    if slug == "tekun":
        care = rng.choice((("全自理", 10000), ("全自理", 10000), ("半护理", 30000), ("全护理", 60000)))
        return f"分散供养（{care[0]}）", rate + care[1], None
    if slug == "gaoling":
        a = age or rng.randint(80, 95)
        monthly = 50000 if a >= 100 else 20000 if a >= 90 else rate
        return "3个月", 3 * monthly, f"{a}周岁"
    if slug == "pension":
        a = age or rng.randint(60, 88)
        extra_years = rng.randint(0, 12)
        account = rng.randint(800, 12000)  # 个人账户养老金, fen — not a round number
        return "1个月", rate + extra_years * 200 + (1000 if a >= 65 else 0) + account, None
    if slug == "disability":
        both = rng.random() < 0.4
        return ("生活补贴+护理补贴" if both else "护理补贴"), 3 * rate * (2 if both else 1), None
    if slug == "agrimachine":
        machine, low, high = rng.choice(_MACHINES)
        return f"{machine}1台", rng.randrange(low, high, 100), None
    if slug == "weifang":
        grade = rng.random() < 0.6
        return ("C级危房修缮加固" if grade else "D级危房拆除重建"), (1500000 if grade else 3500000), None
    if slug == "microcredit":
        loan = rng.choice((30000, 40000, 50000))
        days = rng.randint(200, 365)
        interest = loan * 100 * 31 * days // (1000 * 365)  # LPR 3.1%, fen, truncated
        return f"贷款{loan // 10000}万元", interest, None
    if slug == "yulu":
        return "1名学生", rate, "春季学期"
    if slug == "medical-aid":
        return None, rng.randint(38000, 1285000), "住院救助"
    if slug == "student-aid":
        kind = rng.choice(
            (("小学寄宿生", 50000), ("初中寄宿生", 62500), ("小学非寄宿生", 25000), ("初中非寄宿生", 31250))
        )
        return f"{kind[0]}1人", kind[1], "秋季学期"
    raise KeyError(slug)


def village_payments(
    rng: random.Random,
    village: str,
    policies: list[dict[str, Any]],
    policy_ids: dict[str, str],
    *,
    n_total: int,
    rare: list[str] | None = None,
    pending_rate: float = 0.03,
    timeline: Timeline = AT_ANCHOR,
) -> list[Record]:
    """About ``n_total`` payments for one village spread over ``policies`` by their ``pay.share``.

    A policy's payments are made around its ``pay.paid`` day on ``timeline`` (±3 days, within its
    year and by yesterday — or on 1 January when today is 1 January), and their period (``2026``,
    ``2026-10``, ``2026-Q3``, ``2026-H2``) is the year, month, quarter or half-year of that day.
    """
    households = make_households(rng, max(12, n_total // 2), rare=rare)
    elders = [(tb.person_name(rng, single_rate=0.03), rng.randint(60, 101)) for _ in range(max(6, n_total // 4))]
    weights = [p["pay"]["share"] for p in policies]
    counts = {p["slug"]: 0 for p in policies}
    for p in rng.choices(policies, weights=weights, k=n_total):
        counts[p["slug"]] += 1
    counts["farmland"] = max(counts.get("farmland", 0), 6)
    out: list[Record] = []
    seq = 0
    for policy in policies:
        slug, pay = policy["slug"], policy["pay"]
        n = counts[slug]
        if slug in ("gaoling", "pension"):
            pool = [e for e in elders if e[1] >= (80 if slug == "gaoling" else 60)] or elders
            picks = [(Household(name, 1, 0, 0), age) for name, age in rng.sample(pool, min(n, len(pool)))]
        else:
            picks = [(hh, None) for hh in rng.sample(households, min(n, len(households)))]
        base = policy_paid_day(policy, timeline)
        period, last = moved_period(pay["period"], base), timeline.last_in_year(base)
        for hh, age in picks:
            seq += 1
            quantity, amount, note = payment_for(rng, policy, hh, age)
            if note in ("春季学期", "秋季学期"):
                note = f"{school_term(base)}学期"
            jittered = base + timedelta(days=rng.randint(-3, 3))
            paid = min(max(jittered, date(base.year, 1, 1)), last)
            roll = rng.random()
            status = "待发放" if roll < pending_rate else "退回" if roll < pending_rate + 0.004 else "已发放"
            rec = envelope(f"pay-{village}-{seq:04d}", "subsidy_payment", village, iso(paid, rng))
            rec.update({"policy_id": policy_ids[slug], "policy_name": policy["name"], "recipient": hh.head})
            if slug not in ("gaoling", "pension", "agrimachine", "yulu", "student-aid", "medical-aid"):
                rec["household_size"] = hh.size
            if quantity:
                rec["quantity"] = quantity
            rec["amount_fen"] = amount
            rec["period"] = period
            if status != "待发放":
                rec["paid_date"] = paid.isoformat()
            rec["status"] = status
            if status == "退回":
                note = "社会保障卡账户状态异常，资金已退回，待账户更正后重新发放"
            if note:
                rec["note"] = note
            out.append(rec)
    return out


def moved_period(period: str, paid: date) -> str:
    """An authored payment period (``2026``, ``2026-10``, ``2026-Q3``, ``2026-H2``) of the same kind,
    for the payments made on ``paid``."""
    if len(period) == 4:
        return f"{paid.year}"
    if "-Q" in period:
        return f"{paid.year}-Q{quarter_of(paid)[1]}"
    if "-H" in period:
        return f"{paid.year}-H{1 if paid.month <= 6 else 2}"
    return f"{paid.year}-{paid.month:02d}"


# ---------------------------------------------------------------------------------------------
# Boards


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of a quarter."""
    return quarter_start(year, quarter), quarter_end(year, quarter)


_CENT_CATEGORIES = ("水电费", "办公费")
_CENT_WORDS = ("利息", "管理费", "电话费")


def finance_lines(
    rng: random.Random, year: int, quarter: int, opening: int, voucher: int, town: str
) -> tuple[list[Record], int, int]:
    """``(lines, closing, next_voucher)``: 10–25 dated lines that never take the balance below zero.

    ``town`` fills the {town} placeholder some ledger summaries carry (收{town}财政所拨付…)."""
    start, end = quarter_bounds(year, quarter)
    incomes, expenses = tb.ledger_templates("income"), tb.ledger_templates("expense")
    n = rng.randint(10, 25)
    days = sorted(random_day(rng, start, end) for _ in range(n))
    directions = ["income"] * max(2, n * 2 // 5) + ["expense"] * (n - max(2, n * 2 // 5))
    rng.shuffle(directions)
    lines: list[Record] = []
    balance = opening
    bags: dict[str, list[tuple[str, str, int, int]]] = {"income": [], "expense": []}

    def draw(kind: str) -> tuple[str, str, int]:
        # Without replacement until the bank is used up, so a quarter rarely repeats a line.
        if not bags[kind]:
            bags[kind] = rng.sample(
                incomes if kind == "income" else expenses, len(incomes if kind == "income" else expenses)
            )
        category, summary, low, high = bags[kind].pop()
        cents = category in _CENT_CATEGORIES or any(w in summary for w in _CENT_WORDS)
        return category, summary, rng.randint(low, high) * 100 + (rng.randint(1, 99) if cents else 0)

    for day, direction in zip(days, directions, strict=True):
        category, summary, amount = draw(direction)
        if direction == "expense" and amount > balance:
            direction = "income"
            category, summary, amount = draw("income")
        balance += amount if direction == "income" else -amount
        lines.append(
            {
                "date": day.isoformat(),
                "category": category,
                "summary": summary.replace("{town}", town),
                "direction": direction,
                "amount_fen": amount,
                "voucher": f"记-{year}-{voucher:03d}",
            }
        )
        voucher += 1
    return lines, balance, voucher


@dataclass
class VillageBoards:
    """Rolling state of one village's boards: the balance and the voucher counter carry over."""

    code: str
    name: str
    town: str
    county: str
    supervisor: str
    phone: str
    balance: int
    voucher_year: int = 0
    voucher: int = 1

    def boards(self, rng: random.Random, year: int, quarter: int, *, timeline: Timeline = AT_ANCHOR) -> list[Record]:
        """The party, village and finance boards of one authored quarter, moved by ``timeline``.

        The quarter at the same distance before today's is the one written (2026-Q3, the anchor's
        last quarter, is today's last quarter); the boards are published 5–12 days after it ends,
        by yesterday at the latest. The village committee's election is in the authored 2026-Q1.
        """
        first_of_term = (year, quarter) == (2026, 1)
        year, quarter = timeline.quarter(year, quarter)
        _, end = quarter_bounds(year, quarter)
        published = clamp(end + timedelta(days=rng.randint(5, 12)), timeline.yesterday)
        period = f"{year}-Q{quarter}"
        label = f"{year}年第{tb.cn_number(quarter)}季度"
        ctx: dict[str, Any] = {
            "village": self.name,
            "town": self.town,
            "county": self.county,
            "quarter": label,
            "year": year,
            "supervisor": self.supervisor,
            "name_co": rng.choice(("宏远", "兴达", "鑫源", "顺通", "华建", "永安", "利民")),
        }
        out = []
        for board_type, kind, must in (
            ("party", "party", ("党员发展情况", "党费收缴情况") + (("党组织换届选举",) if first_of_term else ())),
            ("village", "village", ("村级重大事项决策“四议两公开”", "低保评议结果")),
        ):
            rec = envelope(f"board-{self.code}-{year}Q{quarter}-{board_type}", "board", self.code, iso(published, rng))
            title = f"{self.name}{label}{'党务' if kind == 'party' else '村务'}公开"
            rec.update(
                {"board_type": board_type, "title": title, "period": period, "published_date": published.isoformat()}
            )
            rec["frequency"] = "每季度"
            rec["sections"] = tb.board_sections(rng, kind, dict(ctx), must=must)
            rec["supervisor"] = self.supervisor
            rec["contact_phone"] = self.phone
            out.append(rec)
        if self.voucher_year != year:
            self.voucher_year, self.voucher = year, rng.randint(1, 5) if quarter == 1 else rng.randint(60, 140)
        opening = self.balance
        lines, closing, self.voucher = finance_lines(rng, year, quarter, opening, self.voucher, self.town)
        self.balance = closing
        income = sum(x["amount_fen"] for x in lines if x["direction"] == "income")
        expense = sum(x["amount_fen"] for x in lines if x["direction"] == "expense")
        rec = envelope(f"board-{self.code}-{year}Q{quarter}-finance", "board", self.code, iso(published, rng))
        rec.update(
            {
                "board_type": "finance",
                "title": f"{self.name}{label}财务公开（收支明细）",
                "period": period,
                "published_date": published.isoformat(),
                "frequency": "每季度",
                "sections": [
                    {
                        "heading": "收支情况说明",
                        "body": f"本季度期初余额{tb.yuan(opening)}元，收入合计{tb.yuan(income)}元，"
                        f"支出合计{tb.yuan(expense)}元，期末余额{tb.yuan(closing)}元。\n"
                        "以上收支已经村务监督委员会审核，原始凭证存村会计服务中心备查。",
                    }
                ],
                "opening_balance_fen": opening,
                "lines": lines,
                "closing_balance_fen": closing,
                "supervisor": self.supervisor,
                "contact_phone": self.phone,
            }
        )
        out.append(rec)
        return out
