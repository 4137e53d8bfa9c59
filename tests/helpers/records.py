"""Small valid records of every kind to build tests on: ``make(kind, id, **changes)`` and the regions they live in."""

from __future__ import annotations

import copy
from typing import Any

VILLAGE = "990121101201"
OTHER_VILLAGE = "990121102201"
COUNTY = "990121000000"
STAMP = "2026-03-01T09:00:00+08:00"

BASE: dict[str, dict[str, Any]] = {
    "subsidy_policy": {
        "name": "耕地地力保护补贴", "basis": "溪政办发〔2026〕5号", "department": "溪源县农业农村局",
        "purpose": "支持耕地地力保护", "target": "拥有耕地承包权的种地农民", "standard": "每亩120元",
        "phone": "0739-5213001", "year": 2026, "keywords": ["耕地直补"],
    },
    "document": {
        "title": "溪源县人民政府关于做好春耕生产工作的通知", "doc_number": "溪政发〔2026〕3号", "issuer": "溪源县人民政府",
        "doc_type": "规范性文件", "level": "县级", "published_date": "2026-02-20", "validity": "现行有效",
        "body": "各乡镇人民政府：\n为切实做好春耕生产，保障粮食安全，现就有关事项通知如下。",
    },
    "notice": {
        "title": "关于冬季森林防火的紧急通知", "body": "严禁野外用火。", "issuer": "溪源县应急管理局", "priority": "urgent",
        "publish_at": "2026-11-01T08:00:00+08:00", "expire_at": "2027-03-01T00:00:00+08:00",
    },
    "subsidy_payment": {
        "policy_id": "pol-1", "policy_name": "耕地地力保护补贴", "recipient": "张三明", "amount_fen": 62400,
        "period": "2026", "paid_date": "2026-06-01", "status": "已发放", "quantity": "5.2亩",
    },
    "board": {
        "board_type": "finance", "title": "桃源村2026年第一季度财务公开", "period": "2026-Q1", "published_date": "2026-04-05",
        "frequency": "每季度", "opening_balance_fen": 100000,
        "lines": [
            {"date": "2026-01-05", "category": "上级转移支付收入", "summary": "村级运转经费", "direction": "income", "amount_fen": 50000},
            {"date": "2026-02-10", "category": "办公费", "summary": "购买办公用品", "direction": "expense", "amount_fen": 12345},
        ],
        "closing_balance_fen": 137655,
    },
    "region": {"name": "桃源村", "full_name": "溪源县溪源镇桃源村", "level": "village", "parent": "990121101000"},
    "catalogue_domain": {"name": "涉农补贴", "sort_order": 8},
    "service_guide": {
        "name": "高龄津贴申领", "department": "溪源县民政局", "audience": "个人服务", "conditions": ["年满80周岁的本县户籍老人"],
        "materials": [{"name": "居民身份证", "form": "原件1份"}], "steps": ["申请", "审核", "发放"], "time_limit": "10个工作日",
        "fees": "不收费", "place": "溪源县政务服务中心3号窗口", "phone": "0739-5212345",
    },
}
REGION_FOR = {"subsidy_payment": VILLAGE, "board": VILLAGE, "region": VILLAGE}


def make(kind: str, record_id: str, *, version: int = 1, region: str | None = None, **fields: Any) -> dict[str, Any]:
    """A valid record of ``kind``; keyword arguments override fields."""
    record = {
        "id": record_id, "kind": kind, "version": version, "region": region or REGION_FOR.get(kind, COUNTY),
        "updated_at": STAMP, **copy.deepcopy(BASE[kind]),
    }
    record.update(fields)
    return record
