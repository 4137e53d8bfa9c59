from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.records.files import read_records
from kiosk.records.validate import BatchRejected, check_batch, problems_of
from tests.helpers.records import BASE, make


@pytest.mark.parametrize("kind", sorted(BASE))
def test_the_sample_record_of_every_kind_is_valid(kind: str) -> None:
    assert problems_of(make(kind, f"{kind}-1")) == []


def _only_problem(record: dict) -> tuple[str, str, str]:
    problems = problems_of(record)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0].record_id, problems[0].field, problems[0].expected


def test_money_given_as_a_float_names_record_field_and_fen() -> None:
    record = make("subsidy_payment", "pay-9", amount_fen=624.0)
    record_id, field, expected = _only_problem(record)
    assert (record_id, field) == ("pay-9", "amount_fen")
    assert "fen" in expected


def test_money_given_as_text_is_refused() -> None:
    assert _only_problem(make("subsidy_payment", "pay-9", amount_fen="624.00"))[1] == "amount_fen"


def test_a_finance_board_that_does_not_balance_is_explained_in_money() -> None:
    record = make("board", "b-1", closing_balance_fen=137600)
    record_id, field, expected = _only_problem(record)
    assert (record_id, field) == ("b-1", "closing_balance_fen")
    assert "¥1,000.00" in expected and "¥500.00" in expected and "¥123.45" in expected and "¥1,376.55" in expected


def test_nested_fields_are_named_with_their_path() -> None:
    record = make("board", "b-2")
    record["lines"][1]["direction"] = "out"
    assert _only_problem(record)[1] == "lines[1].direction"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"region": "990121000201"}, "region"),
        ({"region": "12345"}, "region"),
        ({"kind": "poster"}, "kind"),
        ({"version": 0}, "version"),
        ({"updated_at": "2026-02-30T09:00:00+08:00"}, "updated_at"),
        ({"updated_at": "2026-03-01T09:00:00"}, "updated_at"),
        ({"published_date": "2026-13-01"}, "published_date"),
        ({"validity": "有效"}, "validity"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_each_kind_of_mistake_is_pinned_to_its_field(change: dict, field: str) -> None:
    record = make("document", "doc-1") | change
    problems = problems_of(record)
    assert problems and problems[0].field == field and problems[0].record_id == "doc-1", [str(p) for p in problems]


def test_a_missing_required_field_is_named() -> None:
    record = make("subsidy_policy", "pol-1")
    del record["phone"]
    assert _only_problem(record)[:2] == ("pol-1", "phone")


def test_payments_and_boards_must_belong_to_a_village() -> None:
    assert _only_problem(make("subsidy_payment", "pay-1", region="990121000000"))[1] == "region"


def test_a_notice_must_expire_after_it_is_published() -> None:
    record = make("notice", "n-1", expire_at="2026-10-01T00:00:00+08:00")
    assert _only_problem(record)[1] == "expire_at"


def test_a_tombstone_needs_only_the_envelope() -> None:
    tomb = {"id": "doc-1", "kind": "document", "version": 2, "region": "990121000000", "updated_at": "2026-03-02T09:00:00+08:00",
            "deleted": True}
    assert problems_of(tomb) == []
    assert problems_of(tomb | {"title": "x"})[0].field == "title"


def test_a_batch_keeps_the_highest_version_and_refuses_conflicting_copies() -> None:
    one, two = make("document", "doc-1"), make("document", "doc-1", version=2, title="关于修订的通知")
    chosen = check_batch([(one, "a:1"), (two, "a:2"), (one, "a:3")])
    assert [r["version"] for r in chosen] == [2]
    with pytest.raises(BatchRejected) as caught:
        check_batch([(one, "a:1"), (one | {"title": "另一个标题"}, "a:2")])
    assert caught.value.problems[0].source == "a:2"


def test_a_broken_batch_reports_every_bad_record_with_its_line(tmp_path: Path) -> None:
    lines = [make("document", "ok-1"), make("document", "bad-1", validity="作废"), make("subsidy_payment", "bad-2", amount_fen=1.5)]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines), encoding="utf-8")
    with pytest.raises(BatchRejected) as caught:
        check_batch(read_records(path))
    text = str(caught.value)
    assert "batch.jsonl:2" in text and "'bad-1'" in text and "validity" in text
    assert "batch.jsonl:3" in text and "'bad-2'" in text and "amount_fen" in text
    assert "ok-1" not in text


def test_malformed_json_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps(make("document", "d")) + "\n{\"id\": \"x\",\n", encoding="utf-8")
    with pytest.raises(BatchRejected) as caught:
        list(read_records(path))
    assert "broken.jsonl:2" in str(caught.value)


def test_json_array_files_and_record_wrappers_are_read(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps([make("document", "d1")]), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps({"records": [make("document", "d2")]}), encoding="utf-8")
    assert [source for _, source in read_records(tmp_path)] == ["a.json#0", "b.json#0"]


def test_no_schema_declares_a_float_number() -> None:
    """The fast validator path relies on it: every number in a record is an integer."""
    from kiosk.records.schema import KINDS, kind_schema

    def numbers(node: object) -> list[str]:
        if isinstance(node, dict):
            return ([node["type"]] if node.get("type") == "number" else []) + [t for v in node.values() for t in numbers(v)]
        if isinstance(node, list):
            return [t for v in node for t in numbers(v)]
        return []

    assert [kind for kind in KINDS if numbers(kind_schema(kind))] == []


@pytest.mark.parametrize("kind", sorted(BASE))
def test_fast_and_detailed_validators_agree_on_samples(kind: str) -> None:
    from kiosk.records.validate import _passes_fast_check

    good = make(kind, f"{kind}-1")
    assert _passes_fast_check(good)
    for bad in (good | {"extra": 1}, good | {"version": 1.0}, good | {"updated_at": "2026-02-30T00:00:00+08:00"}):
        assert not _passes_fast_check(bad)
        assert problems_of(bad)
