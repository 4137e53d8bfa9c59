"""JSON Schemas for content records: the one format the demo, USB imports and the portal speak.

Schemas are plain dicts built from shared pieces so that every kind uses the same definition of a
region code, a date, an amount in fen or an attachment. ``docs/PROTOCOL.md`` is generated from
them (``kiosk schema-doc``) and a test keeps the two equal.
"""

from __future__ import annotations

from typing import Any

from kiosk.i18n import NP_

Schema = dict[str, Any]

KINDS: tuple[str, ...] = (
    "region",
    "catalogue_domain",
    "catalogue_item",
    "document",
    "subsidy_policy",
    "subsidy_payment",
    "board",
    "service_guide",
    "notice",
    "terminal_profile",
    "synonym",
    "life_event",
)

KIND_LABELS_ZH: dict[str, str] = {
    "region": NP_("record kind", "行政区划"),
    "catalogue_domain": NP_("record kind", "公开目录领域"),
    "catalogue_item": NP_("record kind", "公开事项"),
    "document": NP_("record kind", "政策文件"),
    "subsidy_policy": NP_("record kind", "补贴政策"),
    "subsidy_payment": NP_("record kind", "补贴发放"),
    "board": NP_("record kind", "三务公开"),
    "service_guide": NP_("record kind", "办事指南"),
    "notice": NP_("record kind", "通知公告"),
    "terminal_profile": NP_("record kind", "终端配置"),
    "synonym": NP_("record kind", "同义词"),
    "life_event": NP_("record kind", "生活事项"),
}

VALIDITY_VALUES = ("现行有效", "已修改", "已废止", "已失效")

# Limits on what a record file may hold (issue 12, items 1 and 8). Patterns say [0-9], never \d:
# in Python's re (jsonschema and fastjsonschema both use it) \d also matches ９ and ٩, so a region
# written in full-width digits was "imported" but never matched any terminal's region chain.
#: The highest version: every integer SQLite stores and JavaScript reads exactly; 2^64 crashed SQLite.
MAX_VERSION = 2**53
#: No integer anywhere in a record may be larger in size than this (2^53), for the same reasons.
MAX_INTEGER = 2**53
#: ¥100亿 in fen: far beyond any village payment or balance, and low enough that SQLite's SUM over
#: millions of payments cannot overflow (three payments of 2^62 fen made the payment list crash).
MAX_FEN = 10**12
#: Objects and lists nest at most this deep (records need 4); deeper input is refused before any
#: recursive code sees it (100,000 levels made json and the validator raise RecursionError).
MAX_NESTING = 32
PERIOD_PATTERN = r"^[0-9]{4}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]))?$"
BOARD_TYPES = ("party", "village", "finance")
FREQUENCIES = ("每月", "每季度", "每半年", "每年", "随时")
#: The pictures a life_event entrance may show (drawn by the terminal, ui/lifeevents.py): 养老, 救助, 看病,
#: 残疾人, 住房, 上学, 退役军人, 农业, 办证.
LIFE_EVENT_ICONS = ("elder", "relief", "medical", "disability", "housing", "school", "veteran", "farming", "papers")


def _text(description: str, *, max_length: int = 200, min_length: int = 1) -> Schema:
    return {
        "type": "string",
        "minLength": min_length,
        "maxLength": max_length,
        "description": description,
    }


def _long_text(description: str) -> Schema:
    return _text(description, max_length=200_000, min_length=0)


def _enum(description: str, values: tuple[str, ...]) -> Schema:
    return {"type": "string", "enum": list(values), "description": description}


def _date(description: str) -> Schema:
    return {
        "type": "string",
        "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        "format": "date",
        "description": description + " (YYYY-MM-DD)",
    }


def _datetime(description: str) -> Schema:
    return {
        "type": "string",
        "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})$",
        "format": "date-time",
        "description": description + " (ISO 8601 with a UTC offset, e.g. 2026-03-01T09:00:00+08:00)",
    }


def _fen(description: str, *, minimum: int | None = 0) -> Schema:
    """An amount in fen, at most ``MAX_FEN`` in size (balances may be negative: ``minimum=None``)."""
    return {
        "type": "integer",
        "minimum": -MAX_FEN if minimum is None else minimum,
        "maximum": MAX_FEN,
        "description": description + " (integer 分 / fen)",
    }


def _region_code(description: str) -> Schema:
    return {"type": "string", "pattern": r"^[0-9]{12}$", "description": description + " (12-digit code)"}


def _record_id(description: str) -> Schema:
    return {"type": "string", "pattern": ID_PATTERN, "description": description}


def _phone(description: str) -> Schema:
    return {"type": "string", "pattern": r"^[0-9+\-() 转]{3,40}$", "description": description}


def _list(items: Schema, description: str, *, min_items: int = 0) -> Schema:
    return {"type": "array", "items": items, "minItems": min_items, "description": description}


def _object(properties: dict[str, Schema], required: tuple[str, ...], description: str = "") -> Schema:
    schema: Schema = {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"

ATTACHMENT: Schema = _object(
    {
        "name": _text("附件名称 file name shown to people"),
        "sha256": {"type": "string", "pattern": SHA256_PATTERN, "description": "lower-case hex SHA-256 of the file"},
        "size": {"type": "integer", "minimum": 0, "maximum": 2_000_000_000, "description": "size in bytes"},
        "media_type": {
            "type": "string",
            "enum": ["application/pdf", "image/png", "image/jpeg"],
            "description": "media type",
        },
    },
    ("name", "sha256", "size", "media_type"),
    "an attachment stored content-addressed under blobs/sha256/<first two hex>/<sha256>",
)

ENVELOPE_PROPERTIES: dict[str, Schema] = {
    "id": _record_id("stable id across versions, e.g. doc-430521-2026-0012"),
    "kind": {"type": "string", "enum": list(KINDS), "description": "the content kind"},
    "version": {
        "type": "integer",
        "minimum": 1,
        "maximum": MAX_VERSION,
        "description": "a higher version replaces a lower one; 1 … 2^53 (9007199254740992)",
    },
    "region": _region_code("统计用区划代码 of the region the record belongs to; 000000000000 = national"),
    "updated_at": _datetime("when the publisher last changed the record"),
    "deleted": {"type": "boolean", "description": "true makes the record a tombstone"},
    "keywords": _list(
        _text("a keyword or popular alias (俗称), e.g. 种粮直补", max_length=40),
        "别名和关键词: extra words people search by; their first letters are searchable too "
        "(not on subsidy_payment: refused there, as keywords are published and indexed unmasked)",
    ),
}
#: Kinds that may not carry ``keywords`` (issue 12, item 10). A payment's keywords went into the
#: public feed and the search index as written — masking covers its recipient and text fields —
#: so a name, ID number, bank card or mobile put there found that person's payment by search.
KINDS_WITHOUT_KEYWORDS = frozenset({"subsidy_payment", "synonym"})
ENVELOPE_REQUIRED = ("id", "kind", "version", "region", "updated_at")

INTERPRETATION: Schema = _object(
    {
        "form": _enum("解读形式", ("文字解读", "图文解读", "问答解读")),
        "title": _text("解读标题", max_length=300),
        "text": _long_text("解读正文 (paragraphs separated by newlines)"),
        "qa": _list(
            _object({"q": _text("问", max_length=500), "a": _text("答", max_length=5000)}, ("q", "a")),
            "政策简明问答",
        ),
        "images": _list(ATTACHMENT, "一图读懂 images"),
        "interpreter": _text("解读人 (name, kept current for the life of the policy)", max_length=40),
        "interpreter_phone": _phone("解读人联系电话"),
        "published_date": _date("解读发布日期"),
    },
    ("form", "text", "interpreter", "interpreter_phone"),
    "政策解读 attached to the document",
)

FINANCE_LINE: Schema = _object(
    {
        "date": _date("记账日期"),
        "category": _text("收支类别, e.g. 上级补助收入, 办公费", max_length=40),
        "summary": _text("摘要", max_length=300),
        "direction": _enum("income = 收入, expense = 支出", ("income", "expense")),
        "amount_fen": _fen("金额", minimum=1),
        "voucher": _text("凭证号", max_length=40),
    },
    ("date", "category", "summary", "direction", "amount_fen"),
    "one ledger line of a finance board",
)

BOARD_SECTION: Schema = _object(
    {"heading": _text("栏目标题", max_length=100), "body": _long_text("栏目内容 (newlines separate paragraphs)")},
    ("heading", "body"),
)

KIND_PROPERTIES: dict[str, tuple[dict[str, Schema], tuple[str, ...]]] = {
    "region": (
        {
            "name": _text("区划名称, e.g. 青山村", max_length=60),
            "full_name": _text("full name with ancestors, e.g. 湘南省云岭市溪源县青山镇青山村", max_length=200),
            "level": _enum("区划层级", ("national", "province", "city", "county", "township", "village")),
            "parent": {
                "anyOf": [_region_code("parent region"), {"type": "null"}],
                "description": "上级区划代码 (null for national)",
            },
        },
        ("name", "level"),
    ),
    "catalogue_domain": (
        {
            "name": _text("领域名称, e.g. 义务教育", max_length=60),
            "sort_order": {"type": "integer", "minimum": 0, "description": "display order"},
            "description": _text("领域说明", max_length=2000, min_length=0),
        },
        ("name", "sort_order"),
    ),
    "catalogue_item": (
        {
            "domain_id": _record_id("id of the catalogue_domain this item belongs to"),
            "name": _text("事项名称", max_length=200),
            "sub_domain": _text("二级事项 / 公开类别", max_length=100),
            "content": _text("公开内容（要素）", max_length=5000),
            "basis": _text("公开依据", max_length=5000),
            "deadline": _text("公开时限, e.g. 信息形成或变更之日起20个工作日内", max_length=300),
            "subject": _text("公开主体", max_length=200),
            "channels": _list(_text("公开渠道和载体", max_length=60), "公开渠道和载体", min_items=1),
            "audience": _enum("公开对象", ("全社会", "特定群体")),
            "mode": _enum("公开方式", ("主动", "依申请")),
            "level": _list(_enum("公开层级", ("县级", "乡级", "村级")), "公开层级", min_items=1),
            "frequency": _enum("公开频率 (village catalogues)", FREQUENCIES),
            "place": _text("公开场所 (village catalogues)", max_length=200),
            "document_ids": _list(_record_id("a related document"), "相关政策文件"),
        },
        ("domain_id", "name", "content", "basis", "deadline", "subject", "channels", "audience", "mode", "level"),
    ),
    "document": (
        {
            "title": _text("标题", max_length=300),
            "doc_number": _text("发文字号, e.g. 溪政办发〔2026〕16号", max_length=60),
            "issuer": _text("发文机关", max_length=200),
            "doc_type": _enum("文件类型", ("法律法规", "规章", "规范性文件", "其他文件", "通知公告")),
            "level": _enum("文件层级", ("国家", "省级", "市级", "县级", "乡级", "村级")),
            "topic": _text("主题分类, e.g. 农业农村", max_length=60),
            "written_date": _date("成文日期"),
            "published_date": _date("发布日期"),
            "effective_date": _date("施行日期"),
            "validity": _enum("有效性", VALIDITY_VALUES),
            "validity_note": _text("有效性说明, e.g. 已被溪政发〔2026〕3号修改", max_length=500),
            "body": _long_text("正文 (paragraphs separated by newlines)"),
            "attachments": _list(ATTACHMENT, "附件"),
            "interpretation": INTERPRETATION,
            "drafter": _text("拟稿人", max_length=40),
            "reviewer": _text("审核人", max_length=40),
            "publisher": _text("发布人", max_length=40),
        },
        ("title", "issuer", "doc_type", "level", "published_date", "validity", "body"),
    ),
    "subsidy_policy": (
        {
            "name": _text("补贴政策名称", max_length=200),
            "basis": _text("政策依据（文件）", max_length=2000),
            "basis_document_ids": _list(_record_id("a document record"), "政策依据 as document records"),
            "department": _text("主管部门", max_length=200),
            "purpose": _text("资金用途", max_length=2000),
            "target": _text("补贴对象", max_length=2000),
            "standard": _text("补助标准", max_length=2000),
            "phone": _phone("政策咨询电话"),
            "year": {"type": "integer", "minimum": 1990, "maximum": 2100, "description": "政策年度"},
        },
        ("name", "basis", "department", "purpose", "target", "standard", "phone", "year"),
    ),
    "subsidy_payment": (
        {
            "policy_id": _record_id("the subsidy_policy paid"),
            "policy_name": _text("补贴项目名称 as printed on the board", max_length=200),
            "recipient": _text("领取人 display name; always masked before display (张*明)", max_length=40),
            "household_size": {"type": "integer", "minimum": 1, "maximum": 99, "description": "家庭人口"},
            "quantity": _text("补贴依据数量, e.g. 5.2亩", max_length=60),
            "amount_fen": _fen("发放金额"),
            "period": {"type": "string", "pattern": PERIOD_PATTERN,
                       "description": "发放期间: 2026, 2026-Q1, 2026-H1 or 2026-03"},
            "paid_date": _date("发放日期"),
            "status": _enum("发放状态", ("已发放", "待发放", "退回")),
            "note": _text("备注", max_length=300),
        },
        ("policy_id", "policy_name", "recipient", "amount_fen", "period", "status"),
    ),
    "board": (
        {
            "board_type": _enum("party = 党务, village = 村务, finance = 财务", BOARD_TYPES),
            "title": _text("标题", max_length=200),
            "period": {"type": "string", "pattern": PERIOD_PATTERN,
                       "description": "公开期间: 2026-Q1, 2026-03, 2026-H1 or 2026"},
            "published_date": _date("公开日期"),
            "frequency": _enum("公开频率", FREQUENCIES),
            "sections": _list(BOARD_SECTION, "公开内容 for party and village boards"),
            "opening_balance_fen": _fen("期初余额 (finance boards)", minimum=None),
            "lines": _list(FINANCE_LINE, "收支明细 (finance boards)"),
            "closing_balance_fen": _fen("期末余额 (finance boards)", minimum=None),
            "supervisor": _text("村务监督委员会审核人", max_length=40),
            "contact_phone": _phone("监督电话"),
        },
        ("board_type", "title", "period", "published_date", "frequency"),
    ),
    "service_guide": (
        {
            "name": _text("事项名称", max_length=200),
            "department": _text("实施主体", max_length=200),
            "audience": _enum("服务对象", ("个人服务", "法人服务")),
            "topic": _text("主题分类, e.g. 社会保障", max_length=60),
            "conditions": _list(_text("受理条件", max_length=1000), "受理条件", min_items=1),
            "materials": _list(
                _object(
                    {
                        "name": _text("材料名称", max_length=200),
                        "form": _text("材料形式, e.g. 原件1份、复印件1份", max_length=100),
                        "note": _text("备注", max_length=500),
                    },
                    ("name",),
                ),
                "申请材料",
                min_items=1,
            ),
            "steps": _list(_text("办理流程 step", max_length=1000), "办理流程", min_items=1),
            "time_limit": _text("办理时限", max_length=200),
            "fees": _text("收费标准", max_length=500),
            "place": _text("办理地点", max_length=300),
            "hours": _text("办理时间", max_length=200),
            "phone": _phone("咨询电话"),
            "online_url": {"type": "string", "pattern": r"^https?://[^\s]{1,500}$", "description": "网上办理入口"},
            "basis": _text("设定依据", max_length=2000),
        },
        ("name", "department", "audience", "conditions", "materials", "steps", "time_limit", "fees", "place", "phone"),
    ),
    "notice": (
        {
            "title": _text("标题", max_length=200),
            "body": _long_text("正文"),
            "issuer": _text("发布单位", max_length=200),
            "priority": _enum("normal = 一般, urgent = 紧急 (shown prominently until expiry)", ("normal", "urgent")),
            "publish_at": _datetime("发布时间"),
            "expire_at": _datetime("截止时间; an expired notice is no longer shown"),
        },
        ("title", "body", "issuer", "priority", "publish_at", "expire_at"),
    ),
    "terminal_profile": (
        {
            "name": _text("配置名称", max_length=100),
            "terminal_ids": _list(_record_id("a terminal id"), "terminals it applies to; empty = every terminal in the region"),
            "settings": {
                "type": "object",
                "description": "setting key → value; keys and types are those of docs/SETTINGS.md that the portal may set",
            },
        },
        ("name", "settings"),
    ),
    "synonym": (
        {
            "terms": {
                **_list(_text("a term: an official name or the everyday word for it", max_length=40), "同义词组: terms search treats as "
                        "one (e.g. 老年证, 老年人优待证); the first is the official name", min_items=2),
                "maxItems": 20,
                "uniqueItems": True,
            },
            "note": _text("备注 (for the county's editors; not shown)", max_length=500),
        },
        ("terms",),
    ),
    "life_event": (
        {
            "title": _text("入口名称, e.g. 低保/救助", max_length=20),
            "icon": _enum("图标", LIFE_EVENT_ICONS),
            "sort_order": {"type": "integer", "minimum": 0, "maximum": 999, "description": "display order on the home screen"},
            "summary": _text("一句话说明, e.g. 最低生活保障、特困供养、临时救助", max_length=100, min_length=0),
            "policy_ids": _list(_record_id("a subsidy_policy record"), "相关补贴政策 (its page leads on to this village's payments)"),
            "guide_ids": _list(_record_id("a service_guide record"), "相关办事指南"),
            "document_ids": _list(_record_id("a document record"), "相关政策文件"),
        },
        ("title", "icon", "sort_order"),
    ),
}

#: Kinds only the county (or a level above it) may publish: they shape every terminal's home screen.
COUNTY_KINDS = frozenset({"life_event"})


def kind_schema(kind: str) -> Schema:
    """The complete JSON Schema for a live (not deleted) record of ``kind``."""
    properties, required = KIND_PROPERTIES[kind]
    envelope = {name: value for name, value in ENVELOPE_PROPERTIES.items() if not (name == "keywords" and kind in KINDS_WITHOUT_KEYWORDS)}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{kind} record ({KIND_LABELS_ZH[kind]})",
        "type": "object",
        "properties": {**envelope, "kind": {"const": kind}, **properties},
        "required": list(ENVELOPE_REQUIRED) + list(required),
        "additionalProperties": False,
    }


def tombstone_schema() -> Schema:
    """A deleted record carries only the envelope."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "tombstone",
        "type": "object",
        "properties": {**ENVELOPE_PROPERTIES, "deleted": {"const": True}},
        "required": [*ENVELOPE_REQUIRED, "deleted"],
        "additionalProperties": False,
    }


def envelope_schema() -> Schema:
    """Checked first, so an unknown kind or a missing id is reported before kind fields."""
    return {
        "type": "object",
        "properties": {key: ENVELOPE_PROPERTIES[key] for key in (*ENVELOPE_REQUIRED, "deleted")},
        "required": list(ENVELOPE_REQUIRED),
    }
