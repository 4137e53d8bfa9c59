"""Shared Chinese text banks and composition helpers for demo content and benchmark data.

Why: the kiosk's demo county (``kiosk/demo/county.py``) and the benchmark generator (``bench/synth.py``)
both need realistic 简体中文 government text — document bodies with 一、（一） structure, policy
interpretations, Q&A, board sections, ledger lines and people's names. Keeping the prose in
``banks/`` (plain text and JSON) and the composition logic here means both tools write the same kind
of content and nobody copy-pastes paragraphs between them.

How: ``topics()`` parses ``banks/topics_*.txt`` into :class:`Topic` objects; :func:`fill` expands
placeholders (``{area}``, ``{year}``, ``{a-b}`` random ints, ``{name:a-b}`` per-document random
ints; :func:`years` fills ``{Y}``, ``{Y-1}`` … in the JSON banks); :func:`compose_document` turns
a topic, an issuer and a structure (plan / work / measures / announce / order) into
``(title, body)``; :func:`compose_interpretation` builds the matching 政策解读.
Every function takes an explicit ``random.Random`` so callers stay deterministic.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

BANK_DIR = Path(__file__).resolve().parent / "banks"

# ---------------------------------------------------------------------------------------------
# Bank parsing


@dataclass
class Topic:
    """One topic of the paragraph bank (e.g. ``farmland``): scalar fields, lists, sections, Q&A."""

    key: str
    fields: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    sections: dict[str, list[tuple[str, list[str]]]] = field(default_factory=dict)
    qa: list[tuple[str, str]] = field(default_factory=list)

    def section_list(self, kind: str = "sec") -> list[tuple[str, list[str]]]:
        """Sections of one kind (``sec`` for document bodies, ``party``/``village`` for boards)."""
        return self.sections.get(kind, [])

    def items(self, name: str) -> list[str]:
        """A list block such as ``plans`` or ``intro`` (empty when the topic has none)."""
        return self.lists.get(name, [])


def parse_bank(text: str) -> dict[str, Topic]:
    """Parse the ``@topic`` / ``[block]`` text format described in ``banks/README.md``."""
    result: dict[str, Topic] = {}
    topic: Topic | None = None
    block: list[str] | None = None
    in_qa = False
    pending_q: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@topic "):
            topic = Topic(key=line.split(None, 1)[1].strip())
            result[topic.key] = topic
            block, in_qa = None, False
            continue
        if topic is None:
            raise ValueError(f"text before the first @topic: {line!r}")
        if line.startswith("[") and line.endswith("]"):
            head = line[1:-1].strip()
            kind, _, heading = head.partition(" ")
            in_qa = kind == "qa"
            if in_qa:
                block = None
            elif heading:
                block = []
                topic.sections.setdefault(kind, []).append((heading.strip(), block))
            else:
                block = topic.lists.setdefault(kind, [])
            continue
        if in_qa:
            if line.startswith("Q "):
                pending_q = line[2:].strip()
            elif line.startswith("A ") and pending_q is not None:
                topic.qa.append((pending_q, line[2:].strip()))
                pending_q = None
            else:
                raise ValueError(f"bad Q&A line in topic {topic.key}: {line!r}")
            continue
        if block is None:
            key, sep, value = line.partition("=")
            if not sep:
                raise ValueError(f"line outside a block in topic {topic.key}: {line!r}")
            topic.fields[key.strip()] = value.strip()
            continue
        block.append(line.replace("\\n", "\n"))
    return result


@cache
def topics() -> dict[str, Topic]:
    """All document topics (``banks/topics_*.txt``), including the shared ``_generic`` topic."""
    merged: dict[str, Topic] = {}
    for path in sorted(BANK_DIR.glob("topics_*.txt")):
        merged.update(parse_bank(path.read_text(encoding="utf-8")))
    return merged


def has_rules(topic_key: str) -> bool:
    """Whether the topic's plan names include a 办法 or 细则 that a 政府令 (规章) could carry."""
    return any(p.endswith(("办法", "细则")) for p in topics()[topic_key].items("plans"))


def document_topic_keys() -> list[str]:
    """Topic keys usable for documents (everything except ``_generic``), in a stable order."""
    return [key for key in topics() if not key.startswith("_")]


@cache
def board_bank() -> Topic:
    """Board sections and ledger line templates (``banks/boards.txt``)."""
    return parse_bank((BANK_DIR / "boards.txt").read_text(encoding="utf-8"))["boards"]


@cache
def load_json(name: str) -> Any:
    """A JSON bank file (``catalogue.json``, ``guides.json``, ``policies.json``)."""
    return json.loads((BANK_DIR / name).read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# Placeholders, numerals, dates

_TOKEN = re.compile(r"\{(?:(\w+):)?(\d+)-(\d+)(:cn)?\}|\{(\w+)\}")


def fill(template: str, ctx: dict[str, Any], rng: random.Random) -> str:
    """Expand placeholders; named random slots are drawn once and stored in ``ctx``."""

    def repl(match: re.Match[str]) -> str:
        name, low, high, cn, key = match.groups()
        if key is not None:
            return str(ctx[key])
        if name:
            if name not in ctx:
                ctx[name] = rng.randint(int(low), int(high))
            value = ctx[name]
        else:
            value = rng.randint(int(low), int(high))
        return cn_number(int(value)) if cn else str(value)

    return _TOKEN.sub(repl, template)


_YEAR = re.compile(r"\{Y([+-]\d+)?\}")


def years(template: str, this_year: int) -> str:
    """Fill ``{Y}`` (``this_year``), ``{Y-1}``, ``{Y+1}`` …: years relative to the day the demo is for."""
    return _YEAR.sub(lambda m: str(this_year + int(m.group(1) or 0)), template)


_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """Chinese numeral for 0 ≤ n < 1000 as used in headings: 1→一, 12→十二, 25→二十五, 105→一百零五."""
    if n < 0 or n >= 1000:
        raise ValueError(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    head = _DIGITS[n // 100] + "百"
    if rest == 0:
        return head
    if rest < 10:
        return head + "零" + _DIGITS[rest]
    return head + (_DIGITS[rest // 10] + "十" + (_DIGITS[rest % 10] if rest % 10 else ""))


def cn_date(day: date) -> str:
    """``2026年3月6日``."""
    return f"{day.year}年{day.month}月{day.day}日"


def yuan(fen: int) -> str:
    """Format an amount in fen as ``1,234.50`` (exact, no floating point)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


# ---------------------------------------------------------------------------------------------
# Names

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_SURNAME_WEIGHTS = [1.0 / (i + 6) for i in range(len(_SURNAMES))]
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛")
# fmt: off
_MALE = (
    "建国", "建华", "建军", "国强", "国华", "志强", "志明", "德明", "德华", "光明", "长春", "春生",
    "福生", "永福", "海波", "红兵", "卫东", "文华", "金山", "水生", "明亮", "家富", "顺利", "新民",
    "立新", "庆丰", "胜利", "长林", "有才", "保国", "振华", "跃进", "桂林", "松林", "运来", "茂盛",
    "金龙", "玉林", "小平", "少华", "宏伟", "勇军", "继红", "国平", "正清", "昌盛", "远航", "浩然",
    "宇航", "俊杰", "子豪", "明轩", "博文", "嘉豪", "志远", "天佑", "永红", "云飞", "双喜", "满仓",
    "贵生", "旺财", "树生", "冬生",
)
_FEMALE = (
    "秀英", "桂英", "玉兰", "桂兰", "秀兰", "凤英", "翠花", "春梅", "淑珍", "玉梅", "素芬", "冬梅",
    "美玲", "丽娟", "红霞", "小燕", "金花", "月娥", "桂芳", "秋菊", "菊香", "腊梅", "爱华", "玉珍",
    "满英", "细妹", "银花", "雪梅", "春兰", "友莲", "欣怡", "雨涵", "诗琪", "佳怡", "思雨", "婷婷",
    "晓丽", "海燕", "丽萍", "慧敏",
)
# fmt: on
_SINGLE = "强伟芳敏军勇静丽磊艳斌涛华平刚英燕霞峰杰"
#: Names with characters that stress fonts, input and masking (one outside the BMP).
RARE_NAMES = ("陈𬌗", "李堃", "王淼", "张喆", "刘昇", "赵淼淼", "周堃明")


def person_name(rng: random.Random, *, compound_rate: float = 0.012, single_rate: float = 0.08) -> str:
    """A realistic full name; occasionally a compound surname or a one-character given name."""
    roll = rng.random()
    surname = (
        rng.choice(COMPOUND_SURNAMES)
        if roll < compound_rate
        else rng.choices(_SURNAMES, weights=_SURNAME_WEIGHTS, k=1)[0]
    )
    if rng.random() < single_rate:
        return surname + rng.choice(_SINGLE)
    return surname + rng.choice(_MALE if rng.random() < 0.55 else _FEMALE)


# ---------------------------------------------------------------------------------------------
# Places and issuers


@dataclass(frozen=True)
class Place:
    """Names of one county and its ancestors, used to fill placeholders and issuer names."""

    province: str = "云岭省"
    province_abbr: str = "云"
    city: str = "青川市"
    city_abbr: str = "青"
    county: str = "溪源县"
    county_abbr: str = "溪"
    area_code: str = "0739"

    @property
    def hall(self) -> str:
        """The county's government service hall, as written in guides."""
        return f"{self.county}政务服务中心（县城迎宾大道88号）"


# County department name → province-level name, for issuers at 省级.
_PROVINCE_DEPT = {
    "农业农村局": "农业农村厅",
    "民政局": "民政厅",
    "人力资源和社会保障局": "人力资源和社会保障厅",
    "教育局": "教育厅",
    "住房和城乡建设局": "住房和城乡建设厅",
    "应急管理局": "应急管理厅",
    "财政局": "财政厅",
    "文化旅游广电体育局": "文化和旅游厅",
    "自然资源局": "自然资源厅",
    "公安局": "公安厅",
    "卫生健康局": "卫生健康委员会",
    "人民政府办公室": "人民政府办公厅",
}


@dataclass(frozen=True)
class Issuer:
    """A body that issues documents: its name, 发文代字, level and the region it belongs to."""

    name: str
    code: str | None  # 机关代字 + 发, e.g. 溪农发; None when the body does not number its documents
    level: str  # 省级 / 市级 / 县级 / 乡级 / 村级
    region: str
    area: str  # fills {area}
    lv: str  # fills {lv}
    sub: str  # fills {sub}
    kind: str  # gov / govoffice / dept / joint / township / village

    @property
    def recipients(self) -> str:
        """主送机关 line at the top of a document."""
        if self.kind == "township":
            return f"{self.sub}，{self.lv}直各单位、站所："
        if self.kind == "village":
            return f"{self.sub}、全体村民："
        return f"{self.sub}人民政府，{self.lv}直各有关单位："

    def number(self, year: int, seq: int) -> str | None:
        """发文字号 such as 溪政办发〔2026〕16号 (None for bodies without a 代字)."""
        return f"{self.code}〔{year}〕{seq}号" if self.code else None


def county_issuers(place: Place, region: str) -> dict[str, Issuer]:
    """The county government, its office and one issuer per department named in the topic bank."""
    c, a = place.county, place.county_abbr

    def mk(name: str, code: str, kind: str) -> Issuer:
        return Issuer(name, code, "县级", region, c, "县", "各乡镇", kind)

    issuers = {
        "gov": mk(f"{c}人民政府", f"{a}政发", "gov"),
        "govoffice": mk(f"{c}人民政府办公室", f"{a}政办发", "govoffice"),
    }
    for topic in topics().values():
        dept, code = topic.fields.get("dept"), topic.fields.get("code")
        if dept and code and dept != "人民政府办公室":
            issuers.setdefault(f"dept:{dept}", mk(f"{c}{dept}", f"{a}{code}发", "dept"))
    issuers["dept:财政局"] = mk(f"{c}财政局", f"{a}财发", "dept")
    issuers["dept:残疾人联合会"] = mk(f"{c}残疾人联合会", f"{a}残联发", "dept")
    return issuers


def joint_issuer(place: Place, region: str, lead: str, code: str, partner: str) -> Issuer:
    """A joint issuance such as 溪源县农业农村局 溪源县财政局 (代字 溪农联发)."""
    c = place.county
    return Issuer(
        f"{c}{lead} {c}{partner}", f"{place.county_abbr}{code}联发", "县级", region, c, "县", "各乡镇", "joint"
    )


def _issuers(place_name: str, abbr: str, level: str, region: str, short: str, audience: str, office: str,
             dept_names: dict[str, str]) -> dict[str, Issuer]:
    def mk(name: str, code: str, kind: str) -> Issuer:
        return Issuer(name, code, level, region, place_name, short, audience, kind)

    issuers = {
        "gov": mk(f"{place_name}人民政府", f"{abbr}政发", "gov"),
        "govoffice": mk(f"{place_name}{office}", f"{abbr}政办发", "govoffice"),
    }
    for topic in topics().values():
        dept, code = topic.fields.get("dept"), topic.fields.get("code")
        if dept and code and dept != "人民政府办公室":
            issuers.setdefault(f"dept:{dept}", mk(f"{place_name}{dept_names.get(dept, dept)}", f"{abbr}{code}发", "dept"))
    return issuers


def city_issuers(place: Place, region: str) -> dict[str, Issuer]:
    """City-level government, office and departments (青政发, 青政办发, 青民发 …)."""
    return _issuers(place.city, place.city_abbr, "市级", region, "市", "各县市区", "人民政府办公室", {})


def province_issuers(place: Place, region: str) -> dict[str, Issuer]:
    """Province-level government, general office and departments (云政发, 云政办发, 云民发 …)."""
    return _issuers(place.province, place.province_abbr, "省级", region, "省", "各市州、县市区", "人民政府办公厅", _PROVINCE_DEPT)


def township_issuer(name: str, region: str) -> Issuer:
    """A township government (溪源镇人民政府, 代字 溪镇发)."""
    lv = name[-1]
    return Issuer(f"{name}人民政府", f"{name[0]}{lv}发", "乡级", region, name, lv, "各村（社区）", "township")


def village_issuer(town: str, village: str, region: str) -> Issuer:
    """A village committee; villages do not number their notices."""
    return Issuer(f"{town}{village}村民委员会", None, "村级", region, village, "村", "各村民小组", "village")


def topic_dept_issuer(issuers: dict[str, Issuer], topic_key: str) -> Issuer:
    """The department that leads ``topic_key`` among ``issuers`` (falls back to the government office)."""
    dept = topics()[topic_key].fields.get("dept", "")
    return issuers.get(f"dept:{dept}", issuers["govoffice"])


# ---------------------------------------------------------------------------------------------
# Document composition

STRUCTURES = ("plan", "work", "opinion", "measures", "announce", "order")


def base_ctx(place: Place, issuer: Issuer, year: int, topic_key: str | None = None) -> dict[str, Any]:
    """Placeholder values for a document issued by ``issuer`` in ``year`` about ``topic_key``."""
    dept = topics()[topic_key].fields.get("dept", "人民政府办公室") if topic_key else "人民政府办公室"
    if issuer.kind in ("dept", "joint"):
        lead = issuer.name.split(" ")[0]
    elif issuer.lv == "省":
        lead = "省" + _PROVINCE_DEPT.get(dept, dept)
    elif issuer.lv in ("县", "市"):
        lead = issuer.lv + dept
    else:
        lead = issuer.name
    return {
        "lead": lead,
        "area": issuer.area,
        "lv": issuer.lv,
        "sub": issuer.sub,
        "county": place.county,
        "city": place.city,
        "province": place.province,
        "year": year,
        "lastyear": year - 1,
        "nextyear": year + 1,
        "hall": place.hall,
    }


def make_title(
    rng: random.Random, topic_key: str, issuer: Issuer, structure: str, ctx: dict[str, Any]
) -> tuple[str, str]:
    """``(title, core)`` where core is the plan name or action phrase (used by interpretations)."""
    topic = topics()[topic_key]
    if issuer.kind == "village":
        titles = dict(board_bank().section_list("village_titles"))
        core = fill(rng.choice(titles.get(topic_key) or titles["finance"]), ctx, rng)
        return (f"{issuer.area}村民委员会关于{core}" if rng.random() < 0.5 else f"关于{core}"), core  # 桃源村村民委员会
    if structure in ("plan", "measures", "order"):
        pool = topic.items("plans")
        if structure in ("measures", "order"):
            pool = [p for p in pool if p.endswith(("办法", "细则", "规范", "制度"))] or pool
        core = fill(rng.choice(pool), ctx, rng)
        if structure == "order":
            core = core.replace("实施办法", "办法").replace("实施细则", "办法")
            return core, core
        return f"{issuer.name}关于印发《{core}》的通知", core
    if structure == "announce":
        core = fill(rng.choice(topic.items("announcements") or topic.items("actions")), ctx, rng)
        if not core.endswith(("公示", "公告", "通报", "预公告")):
            core += "的公告"
        return (f"{issuer.name}关于{core}" if rng.random() < 0.6 else f"关于{core}"), core
    actions = topic.items("actions")
    if structure == "opinion":
        pool = [a for a in actions if a.startswith(("进一步", "加强", "推进", "开展", "推行"))] or actions
        core = fill(rng.choice(pool), ctx, rng)
        return f"{issuer.name}关于{core}的实施意见", core
    core = fill(rng.choice(actions), ctx, rng)
    return f"{issuer.name}关于{core}的通知", core


def _section_plan(
    rng: random.Random, topic_key: str, ctx: dict[str, Any], target: int, *, allow_repeat: bool
) -> list[tuple[str, list[str]]]:
    """Choose sections and paragraphs until the text reaches roughly ``target`` characters.

    Sections keep the bank's order (topic sections first, then one to three shared ones) and so do
    paragraphs inside a section; a section's first paragraph, the one stating the essentials, is
    preferred as its opening.
    """
    own = topics()[topic_key].section_list()
    generic = topics()["_generic"].section_list()
    chosen = [s for s in own if rng.random() < 0.85] or own[:1]
    chosen += [generic[i] for i in sorted(rng.sample(range(len(generic)), rng.randint(1, 3)))]
    picked: list[dict[int, str]] = [{} for _ in chosen]
    length = 0

    def add(idx: int, para: int) -> None:
        nonlocal length
        text = fill(chosen[idx][1][para], ctx, rng)
        picked[idx][para] = text
        length += len(text) + 6

    for idx, (heading, pool) in enumerate(chosen):
        length += len(heading) + 4
        add(idx, 0 if rng.random() < 0.7 else rng.randrange(len(pool)))
    growable = [i for i, (_, pool) in enumerate(chosen) if len(pool) > 1]
    while length < target and growable:
        idx = rng.choice(growable)
        free = [i for i in range(len(chosen[idx][1])) if i not in picked[idx]]
        if not free:
            growable.remove(idx)
            continue
        add(idx, rng.choice(free))
    if length < target:  # still short: bring in the remaining shared sections whole
        for heading, pool in generic:
            if length >= target:
                break
            if all(heading != h for h, _ in chosen):
                chosen.append((heading, pool))
                picked.append({})
                length += len(heading) + 4
                for para in range(len(pool)):
                    add(len(chosen) - 1, para)
    sections = [(h, [picked[i][k] for k in sorted(picked[i])]) for i, (h, _) in enumerate(chosen)]
    while allow_repeat and length < target:  # benchmark bodies: reuse paragraphs with fresh numbers
        idx = rng.randrange(len(chosen))
        text = fill(rng.choice(chosen[idx][1]), ctx, rng)
        sections[idx][1].append(text)
        length += len(text) + 6
    return sections


def _render_sections(sections: list[tuple[str, list[str]]], *, articles: bool, first_article: int = 1) -> list[str]:
    lines: list[str] = []
    if articles:
        n = first_article
        for chapter, (heading, paras) in enumerate(sections, start=1):
            lines.append(f"第{cn_number(chapter)}章　{heading}")
            for para in paras:
                lines.append(f"第{cn_number(n)}条　{para}")
                n += 1
        return lines
    for i, (heading, paras) in enumerate(sections, start=1):
        lines.append(f"{cn_number(i)}、{heading}")
        if len(paras) == 1:
            lines.append(paras[0])
        else:
            lines.extend(f"（{cn_number(j)}）{para}" for j, para in enumerate(paras, start=1))
    return lines


def _trim_sections(sections: list[tuple[str, list[str]]], budget: int) -> list[tuple[str, list[str]]]:
    """Drop trailing paragraphs (keeping one per section, then whole sections) to fit ``budget`` chars."""

    def size() -> int:
        return sum(len(h) + 4 + sum(len(p) + 6 for p in paras) for h, paras in sections)

    sections = [(h, list(paras)) for h, paras in sections]
    while size() > budget:
        longest = max(sections, key=lambda s: len(s[1]))
        if len(longest[1]) > 1:
            longest[1].pop()
        elif len(sections) > 2:
            sections.pop(len(sections) // 2)
        else:
            break
    return sections


_DOC_NOUNS = ("方案", "办法", "细则", "预案", "规范", "要点", "安排", "措施", "制度")
_MAKE_RE = re.compile(r"制定本[^。]{1,6}。")


def doc_noun(core: str) -> str:
    """The kind of text a plan title names (方案, 办法, 细则 …), for 制定本X / 本X自印发之日起施行."""
    return next((noun for noun in _DOC_NOUNS if core.endswith(noun)), "方案")


def _intro(rng: random.Random, topic: Topic, ctx: dict[str, Any], *, plan_noun: str | None) -> str:
    """An opening paragraph: ending 制定本{noun}。 for plans, 现就有关事项通知如下： for notices."""
    intros = topic.items("intro")
    making = [t for t in intros if "制定本" in t]
    other = [t for t in intros if "制定本" not in t]
    if plan_noun:
        if making:
            return _MAKE_RE.sub(f"制定本{plan_noun}。", fill(rng.choice(making), ctx, rng))
        text = fill(rng.choice(intros), ctx, rng)
        return text[: text.rfind("，") + 1] + f"结合实际，制定本{plan_noun}。" if "，" in text else text
    if other:
        text = fill(rng.choice(other), ctx, rng)
        return text if text.endswith(("如下。", "如下：")) else text.rstrip("。") + "。现就有关事项通知如下："
    return _MAKE_RE.sub("现就有关事项通知如下：", fill(rng.choice(intros), ctx, rng))


def order_effective(written: date) -> date:
    """施行日期 of a 规章 published as a 政府令: the first day of the second month after adoption."""
    month = written.month + 2
    return date(written.year + (month > 12), (month - 1) % 12 + 1, 1)


def compose_document(
    rng: random.Random,
    topic_key: str,
    issuer: Issuer,
    structure: str,
    ctx: dict[str, Any],
    *,
    title_core: str,
    written: date,
    doc_number: str | None,
    min_chars: int = 800,
    max_chars: int = 4000,
    allow_repeat: bool = False,
) -> str:
    """The body of a document, retried with a larger target while it is shorter than ``min_chars``."""
    body = ""
    low, high = min_chars, max_chars
    for _ in range(5):
        body = _compose_once(
            rng,
            topic_key,
            issuer,
            structure,
            ctx,
            title_core=title_core,
            written=written,
            doc_number=doc_number,
            min_chars=low,
            max_chars=max(high, low),
            allow_repeat=allow_repeat,
        )
        if len(body) < min_chars:
            low = min(max_chars, low + (min_chars - len(body)) + 200)
        elif len(body) > max_chars:
            high -= len(body) - max_chars + 100
            low = min(low, high)
        else:
            break
    return body


def _compose_once(
    rng: random.Random,
    topic_key: str,
    issuer: Issuer,
    structure: str,
    ctx: dict[str, Any],
    *,
    title_core: str,
    written: date,
    doc_number: str | None,
    min_chars: int,
    max_chars: int,
    allow_repeat: bool,
) -> str:
    """The body of a document: 主送, opening, numbered sections, closing, signature and date.

    ``structure`` is one of :data:`STRUCTURES`: ``plan`` (印发方案的通知), ``measures`` (印发办法的通知,
    body in 第X条), ``work`` (工作通知), ``opinion`` (实施意见), ``announce`` (公示/公告), ``order``
    (省政府令 with a 规章 in articles). The length lands between ``min_chars`` and ``max_chars`` when
    the bank has enough text; ``allow_repeat`` lets long benchmark bodies reuse paragraphs.
    """
    topic = topics()[topic_key]
    generic = topics()["_generic"]
    target = rng.randint(min_chars, max_chars)
    signature = [issuer.name, cn_date(written)]
    phone = ctx.get("phone", "")
    noun = doc_noun(title_core)

    if issuer.kind == "village":
        return _village_notice(rng, topic_key, issuer, ctx, title_core, written, min_chars=min(min_chars, 2000))
    if structure == "announce":
        subject = re.sub(r"的(公示|公告|通报|预公告)$", "", title_core)
        head = [
            f"根据上级有关文件要求，经申报、审核，现将{subject}有关情况公示（公告）如下：",
        ]
        days = rng.choice((5, 7, 7, 10))
        tail = [
            f"公示（公告）期为{days}天。公示期间，如对上述内容有异议，请以书面或电话形式向{issuer.name}反映。",
            f"监督电话：{phone}",
            *signature,
        ]
        fixed = sum(len(x) + 1 for x in head + tail)
        sections = _section_plan(rng, topic_key, ctx, max(target - fixed, 300), allow_repeat=allow_repeat)
        sections = _trim_sections(sections, max_chars - fixed)
        return "\n".join(head + _render_sections(sections, articles=False) + tail)

    if structure == "order":
        intro = _intro(rng, topic, ctx, plan_noun="办法")
        effective = order_effective(written)
        head = [
            f"{issuer.area}人民政府令",
            doc_number or "",
            f"《{title_core}》已经{cn_date(written)}{issuer.area}人民政府"
            f"第{rng.randint(20, 90)}次常务会议通过，现予公布，自{cn_date(effective)}起施行。",
            f"省长　{person_name(rng)}",
            cn_date(written),
            title_core,
        ]
        fixed = sum(len(x) + 1 for x in head) + 40
        sections = _section_plan(rng, topic_key, ctx, target - fixed, allow_repeat=allow_repeat)
        sections = _trim_sections([("总则", [intro]), *sections], max_chars - fixed)
        n_articles = sum(len(p) for _, p in sections)
        tail = [f"第{cn_number(n_articles + 1)}条　本办法自{cn_date(effective)}起施行。"]
        return "\n".join(head + _render_sections(sections, articles=True) + tail)

    closing = fill(rng.choice(generic.items("closing")), ctx, rng)
    closing = re.sub(r"本(方案|办法|通知)", f"本{noun}" if structure in ("plan", "measures") else "本通知", closing)
    if structure in ("plan", "measures"):
        agreed = "已经" + (f"{issuer.lv}人民政府同意" if issuer.kind in ("dept", "joint", "govoffice") else "研究同意")
        head = [
            issuer.recipients,
            f"《{title_core}》{agreed}，现印发给你们，请结合实际，认真抓好贯彻落实。",
            *signature,
            "（此件公开发布）",
            title_core,
            _intro(rng, topic, ctx, plan_noun=noun),
        ]
        articles = structure == "measures" or noun in ("办法", "细则")
        fixed = sum(len(x) + 1 for x in head) + len(closing) + 8
        sections = _section_plan(rng, topic_key, ctx, target - fixed, allow_repeat=allow_repeat)
        sections = _trim_sections(sections, max_chars - fixed)
        body = _render_sections(sections, articles=articles)
        tail = [f"第{cn_number(sum(len(p) for _, p in sections) + 1)}条　{closing}" if articles else closing]
        return "\n".join(head + body + tail)

    lead = _intro(rng, topic, ctx, plan_noun=None)
    if structure == "work" and rng.random() < 0.6:
        lead = f"为{title_core}，根据上级有关文件精神，结合{issuer.area}实际，现就有关事项通知如下："
    if structure == "opinion":
        lead = (
            re.sub(r"现就有关(事项|工作)通知如下[：。]$|现将有关[^。]*如下。$", "", lead).rstrip("。")
            + "。现提出如下实施意见："
        )
    head = [issuer.recipients, lead]
    tail = [f"联系人：{person_name(rng)}，联系电话：{phone}。", *signature]
    fixed = sum(len(x) + 1 for x in head + tail)
    sections = _section_plan(rng, topic_key, ctx, target - fixed, allow_repeat=allow_repeat)
    sections = _trim_sections(sections, max_chars - fixed)
    return "\n".join(head + _render_sections(sections, articles=False) + tail)


def _village_notice(
    rng: random.Random,
    topic_key: str,
    issuer: Issuer,
    ctx: dict[str, Any],
    title_core: str,
    written: date,
    *,
    min_chars: int = 880,
) -> str:
    """A village committee's 公示/公告: the topic's village template, the 公示期 and the signature."""
    templates = dict(board_bank().section_list("village_notice"))
    paras = templates.get(topic_key) or templates["finance"]
    local = {**ctx, "village": issuer.area, "town": issuer.name.removesuffix(issuer.area + "村民委员会")}
    local["subject"] = re.sub(r"的(公示|公告)$", "", title_core)
    days = rng.choice((5, 7, 7, 10))
    end = written + timedelta(days=days - 1)
    lines = [fill(p, local, rng) for p in paras]
    lines.append(
        f"五、公示时间。公示期为{days}天，自{cn_date(written)}至{cn_date(end)}。本公告同时在村民微信群和"
        f"{local['town']}政务公开栏发布，村民也可以在村党群服务中心的政务公开自助查询机上查询本村党务、村务、财务公开信息。"
    )
    details = _village_details(rng, topic_key, local)
    while sum(len(x) + 1 for x in lines + details) < max(880, min_chars):  # a long list, as on real boards
        details += _village_details(rng, topic_key, local)[1:]
    lines += details
    lines += [
        f"村务监督委员会监督电话：{ctx.get('phone', '')}",
        issuer.name.removeprefix(local["town"]),
        cn_date(written),
    ]
    return "\n".join(lines)


def masked(name: str) -> str:
    """张*明 / 王* / 欧阳*华: how a board prints a person's name (code points, not UTF-16 units)."""
    chars = list(name)
    surname = 2 if "".join(chars[:2]) in COMPOUND_SURNAMES and len(chars) > 2 else 1
    if len(chars) - surname <= 1:
        return "".join(chars[:surname]) + "*"
    return "".join(chars[:surname]) + "*" * (len(chars) - surname - 1) + chars[-1]


def _village_details(rng: random.Random, topic_key: str, ctx: dict[str, Any]) -> list[str]:
    """The 附 list under a village notice: per-group totals or masked names, as boards print them."""
    groups = rng.randint(8, 14)
    if topic_key == "farmland":
        rate = rng.choice((11800, 12000, 12500))
        out = [f"附：{ctx['subject']}分组汇总表"]
        for g in range(1, groups + 1):
            hh, tenths = rng.randint(14, 40), rng.randint(800, 3200)
            out.append(f"第{g}村民小组：农户{hh}户，核定面积{tenths / 10:.1f}亩，补贴金额{yuan(tenths * rate // 10)}元")
        return out
    if topic_key in ("dibao", "elderly", "environment"):
        out = [f"附：{ctx['subject']}名单（姓名已部分隐藏）"]
        for _ in range(rng.randint(10, 16)):
            name = masked(person_name(rng))
            group = rng.randint(1, groups)
            if topic_key == "dibao":
                size = rng.randint(1, 4)
                kind = rng.choice(("新纳入", "新纳入", "调整金额", "停发"))
                amount = yuan(size * rng.randrange(15000, 56001, 1000))
                out.append(f"{group}组 {name}户，保障人数{size}人，月保障金额{amount}元（{kind}）")
            elif topic_key == "elderly":
                age = rng.randint(80, 99)
                out.append(f"{group}组 {name}，{age}周岁，月津贴{100 if age < 90 else 200}元")
            else:
                out.append(f"{group}组 {name}户，{rng.choice(('美丽庭院示范户', '清洁户', '清洁户', '限期整改户'))}")
        return out
    if topic_key == "revitalization":
        kinds = ("产业路硬化", "油茶林低改提质", "农产品冷链仓储设施", "山塘整修", "灌溉渠道维修", "村级光伏电站扩容")
        out = [f"附：{ctx['subject']}项目明细"]
        for i, kind in enumerate(rng.sample(kinds, rng.randint(3, 6)), start=1):
            scale = f"{rng.randint(1, 30)}{rng.choice(('公里', '亩', '处'))}"
            out.append(
                f"项目{i}：{rng.randint(1, groups)}组{kind}，建设规模{scale}，"
                f"资金{rng.randint(8, 80)}万元，受益农户{rng.randint(20, 160)}户"
            )
        return out
    out = [f"附：{ctx['subject']}分月汇总"]
    for month in range(1, rng.randint(4, 7)):
        income, expense = yuan(rng.randint(10_000, 150_000) * 100), yuan(rng.randint(8_000, 120_000) * 100)
        out.append(f"第{month}期：收入{income}元，支出{expense}元，记账凭证{rng.randint(6, 30)}张")
    return out


def compose_interpretation(
    rng: random.Random,
    topic_key: str,
    ctx: dict[str, Any],
    *,
    title_core: str,
    form: str,
    effective: date,
    phone: str,
    body: str,
) -> tuple[str, str, list[dict[str, str]]]:
    """``(title, text, qa)`` for a 政策解读; Q&A reuses ``ctx`` so numbers match the document."""
    topic = topics()[topic_key]
    sections = [h for h, _ in topic.section_list()]
    background = [
        fill(t, ctx, rng) for t in rng.sample(topic.items("background"), min(2, len(topic.items("background"))))
    ]
    headings = re.findall(r"^(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+章　)(.+)$", body, re.M)
    main_points = "、".join(headings or sections[:4]) or "工作目标、主要任务和保障措施"
    # Quote the document's own paragraphs so the numbers in the interpretation match the body.
    paragraphs = [re.sub(r"^（[一二三四五六七八九十]+）", "", line) for line in body.split("\n") if len(line) > 60]
    paragraphs = paragraphs[: max(2, len(paragraphs) * 3 // 5)]  # the topic's own sections come first
    detail = rng.sample(paragraphs, min(2, len(paragraphs)))
    background = [re.sub(r"本(办法|方案|预案|细则)", "本文件", text) for text in background]
    text_lines = [
        "一、起草背景",
        *background,
        "二、主要内容",
        f"《{title_core}》主要包括{main_points}等内容。",
        *detail,
        "三、施行时间",
        f"本文件自{cn_date(effective)}起施行。",
        "四、咨询方式",
        f"政策咨询电话：{phone}（工作日上午8:30—12:00，下午14:30—17:30）。",
    ]
    qa: list[dict[str, str]] = []
    if form == "问答解读":
        pairs = list(topic.qa)
        rng.shuffle(pairs)
        n = rng.randint(3, 6)
        qa = [{"q": fill(q, ctx, rng), "a": fill(a, ctx, rng)} for q, a in pairs[:n]]
        extra = [
            ("这个文件从什么时候开始执行？", f"本文件自{cn_date(effective)}起施行。"),
            ("对政策有疑问可以咨询哪里？", f"可拨打政策咨询电话{phone}，也可以到政务服务中心政务公开专区现场咨询。"),
            (
                "在哪里可以查看文件全文？",
                "可登录县人民政府门户网站“政府信息公开”栏目查看，也可在政务公开专区自助查询一体机查阅、打印。",
            ),
        ]
        while len(qa) < 3:
            q, a = extra[len(qa) % len(extra)]
            qa.append({"q": q, "a": a})
    title = f"《{title_core}》政策解读" if form == "文字解读" else f"一问一答读懂《{title_core}》"
    return title, "\n".join(text_lines), qa


# ---------------------------------------------------------------------------------------------
# Boards


def board_sections(
    rng: random.Random, kind: str, ctx: dict[str, Any], *, must: tuple[str, ...] = ()
) -> list[dict[str, str]]:
    """Sections of a party or village board: the ``must`` headings plus a random few."""
    pool = board_bank().section_list(kind)
    by_heading = {h: bodies for h, bodies in pool}
    headings = [h for h in must if h in by_heading]
    optional = [h for h, _ in pool if h not in headings and "换届" not in h]
    headings += rng.sample(optional, rng.randint(1, min(3, len(optional))))
    return [{"heading": h, "body": fill(rng.choice(by_heading[h]), ctx, rng)} for h in headings]


def ledger_templates(direction: str) -> list[tuple[str, str, int, int]]:
    """``(category, summary, low_yuan, high_yuan)`` for ``income`` or ``expense`` ledger lines."""
    out = []
    for line in board_bank().items(f"finance_{direction}"):
        category, summary = line.split("|", 1)
        match = re.search(r"\{(\d+)-(\d+)\}$", summary)
        if not match:
            raise ValueError(f"ledger line without amount range: {line!r}")
        out.append((category, summary[: match.start()], int(match.group(1)), int(match.group(2))))
    return out
