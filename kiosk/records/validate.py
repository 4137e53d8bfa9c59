"""Validation of record batches: every problem names the record, the field and what was expected.

Schema checks come from :mod:`kiosk.records.schema`; the rules a schema cannot express (region
code structure, finance boards that must balance, dates that exist, conflicting duplicates) are
checked here too, so that a batch is either entirely valid or not applied at all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import fastjsonschema
import jsonschema
from jsonschema import Draft202012Validator

from kiosk import regions
from kiosk.errors import KioskError
from kiosk.money import format_fen
from kiosk.records.schema import (
    COUNTY_KINDS,
    KINDS,
    KINDS_WITHOUT_KEYWORDS,
    MAX_FEN,
    MAX_INTEGER,
    MAX_NESTING,
    envelope_schema,
    kind_schema,
    tombstone_schema,
)

Record = dict[str, Any]

# Per batch: report this many problems, then stop (a broken 100k-line file must not flood the screen).
MAX_PROBLEMS = 50


@dataclass(frozen=True)
class RecordProblem:
    """One thing wrong with one record."""

    record_id: str
    field: str
    expected: str
    found: str = ""
    source: str = ""

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        found = f" (found {self.found})" if self.found else ""
        return f"{where}record {self.record_id!r}, field {self.field!r}: expected {self.expected}{found}"


class BatchRejected(KioskError):
    """A batch had problems; nothing of it was applied."""

    outcome = "import refused, the store is unchanged."

    def __init__(self, problems: Sequence[object], total: int | None = None, *, outcome: str = "nothing was imported") -> None:
        self.problems = list(problems)
        self.total = total if total is not None else len(self.problems)
        lines = [str(p) for p in self.problems[:10]]
        more = self.total - len(lines)
        if more > 0:
            lines.append(f"… and {more} more problem(s)")
        super().__init__(f"{self.total} problem(s); {outcome}:\n" + "\n".join(lines))


def _is_strict_integer(_checker: object, instance: object) -> bool:
    # JSON Schema counts 1.0 as an integer; money must never pass through a float.
    return isinstance(instance, int) and not isinstance(instance, bool)


def _is_real_date(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    try:
        dt.date.fromisoformat(instance)
    except ValueError:
        return False
    return True


def _is_real_datetime(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    try:
        parsed = dt.datetime.fromisoformat(instance.replace("Z", "+00:00"))
    except ValueError:
        return False
    return parsed.tzinfo is not None


_FORMATS = jsonschema.FormatChecker(formats=())
_FORMATS.checks("date")(_is_real_date)
_FORMATS.checks("date-time")(_is_real_datetime)
_StrictValidator = jsonschema.validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_strict_integer),
)


@cache
def _validator_for(kind: str) -> Draft202012Validator:
    schema = tombstone_schema() if kind == "<tombstone>" else envelope_schema() if kind == "<envelope>" else kind_schema(kind)
    return _StrictValidator(schema, format_checker=_FORMATS)


def _strict_json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The same schema for fastjsonschema, which only knows drafts up to 7."""
    return {key: value for key, value in schema.items() if key != "$schema"}


@cache
def _fast_check_for(kind: str) -> Any:
    """A compiled validator: about 20× faster than jsonschema, used when a record is fine.

    It accepts 1.0 as an integer, so :func:`_quick_scan`'s float finding guards the strict-integer rule (no schema
    here has a ``number`` type; a test keeps it so). When it refuses, jsonschema explains why.
    """
    schema = tombstone_schema() if kind == "<tombstone>" else kind_schema(kind)
    formats = {"date": _is_real_date, "date-time": _is_real_datetime}
    return fastjsonschema.compile(_strict_json_schema(schema), formats=formats)


# A lone UTF-16 surrogate (\ud800 in a JSON file) is no character: SQLite's UTF-8 refused it mid-import.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _quick_scan(record: Record) -> tuple[bool, bool]:
    """(shape is fine, holds a float), in one walk without recursion and without building paths.

    Done first, because everything after it recurses (both schema validators) and because a
    version of 2^64 reached SQLite, which raised OverflowError: a file from a USB stick must be
    refused, not crash the import. It also finds floats for the fast path
    (:func:`_passes_fast_check`), so a valid record is walked once: 18 µs a record on the demo county,
    9 µs more than the float scan it replaced. Only a record it flags is walked again, by
    :func:`_shape_problems`, to say where.
    """
    has_float = False
    stack: list[tuple[object, int]] = [(record, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        value, depth = pop()
        if isinstance(value, str):
            if not value.isascii() and _SURROGATE.search(value):
                return False, has_float
        elif isinstance(value, dict):
            if depth >= MAX_NESTING:
                return False, has_float
            for key, item in value.items():
                if not isinstance(key, str) or (not key.isascii() and _SURROGATE.search(key)):
                    return False, has_float
                push((item, depth + 1))
        elif isinstance(value, list):
            if depth >= MAX_NESTING:
                return False, has_float
            for item in value:
                push((item, depth + 1))
        elif isinstance(value, float):
            has_float = True
        elif isinstance(value, int) and not -MAX_INTEGER <= value <= MAX_INTEGER:
            return False, has_float
    return True, has_float


def _printable(text: str) -> str:
    """``text`` with each lone surrogate written as ``\\udXXX``, so a problem can show where it is."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _shape_problems(record: Record, record_id: str, source: str) -> list[RecordProblem]:
    """Where a record :func:`_quick_scan` flagged nests too deep, holds too large an integer or a lone surrogate."""
    problems: list[RecordProblem] = []
    stack: list[tuple[object, tuple[str | int, ...]]] = [(record, ())]
    while stack and len(problems) < MAX_PROBLEMS:
        value, path = stack.pop()
        if isinstance(value, dict | list):
            if len(path) >= MAX_NESTING:
                problems.append(RecordProblem(
                    record_id, _field_text(path[:3]) + "…", f"values nested at most {MAX_NESTING} levels deep",
                    f"more than {MAX_NESTING} levels", source,
                ))
                break
            if isinstance(value, dict):
                problems += [
                    RecordProblem(record_id, _field_text((*path, _printable(str(key)))), "field names of real characters (text)",
                                  "a lone surrogate" if isinstance(key, str) else type(key).__name__, source)
                    for key in value if not isinstance(key, str) or (not key.isascii() and _SURROGATE.search(key))
                ]
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((item, (*path, key)) for key, item in reversed(list(items)))
        elif isinstance(value, str):
            if not value.isascii() and (bad := _SURROGATE.search(value)):
                found = f"a lone surrogate {_printable(bad.group())} at character {bad.start() + 1}"
                problems.append(RecordProblem(record_id, _field_text(path), "text of real characters (UTF-8)", found, source))
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER:
            if path and str(path[-1]).endswith("_fen"):
                expected = f"an amount of at most {format_fen(MAX_FEN)} ({MAX_FEN} fen) in size"
            else:
                expected = f"a whole number of at most 2^53 = {MAX_INTEGER} in size"
            found = _short(value) if value.bit_length() < 1000 else f"a whole number of {value.bit_length()} bits"
            problems.append(RecordProblem(record_id, _field_text(path), expected, found, source))
    return problems


def _field_text(path: Sequence[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(record)"


def _passes_fast_check(record: Record, has_float: bool | None = None) -> bool:
    """True when the compiled validator accepts ``record`` (``has_float`` from :func:`_quick_scan`, if known)."""
    kind = record.get("kind")
    if has_float is None:
        fine, has_float = _quick_scan(record)
        has_float = has_float or not fine
    if kind not in KINDS or has_float:
        return False
    try:
        _fast_check_for("<tombstone>" if record.get("deleted") else kind)(record)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def _path(error: jsonschema.ValidationError) -> str:
    return _field_text(list(error.absolute_path))


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(error: jsonschema.ValidationError) -> tuple[str, str, str]:
    """(field, expected, found) in words a member of staff can act on."""
    field = _path(error)
    validator, value = error.validator, error.validator_value
    if validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        field = f"{field}.{missing}" if field != "(record)" else missing
        return field, "this field to be present (it is required)", "nothing"
    if validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        names = ", ".join(extra)
        return (f"{field}.{names}" if field != "(record)" else names), "no such field (not part of the format)", "an unknown field"
    if validator == "type":
        wanted = f"a value of type {value}"
        if field.endswith("_fen"):
            wanted = "an integer number of fen (分), e.g. 123450 for ¥1,234.50"
        elif value == "integer":
            wanted = "a whole number"
        return field, wanted, _short(error.instance)
    if validator in ("enum", "const"):
        options = value if validator == "enum" else [value]
        return field, "one of " + ", ".join(map(str, options)), _short(error.instance)
    if validator == "pattern":
        return field, f"text matching {value}", _short(error.instance)
    if validator == "format":
        return field, f"a real {value} (e.g. 2026-03-01 or 2026-03-01T09:00:00+08:00)", _short(error.instance)
    if validator in ("minLength", "maxLength"):
        word = "at least" if validator == "minLength" else "at most"
        return field, f"text of {word} {value} characters", f"{len(error.instance)} characters"
    if validator in ("minimum", "maximum"):
        word = "≥" if validator == "minimum" else "≤"
        if field.endswith("_fen") and abs(value) == MAX_FEN:
            return field, f"an amount of at most {format_fen(MAX_FEN)} ({MAX_FEN} fen) in size", _short(error.instance)
        return field, f"a number {word} {value}", _short(error.instance)
    if validator == "minItems":
        return field, f"a list with at least {value} item(s)", f"{len(error.instance)}"
    return field, error.message, ""


def _schema_problems(record: Record, kind: str, record_id: str, source: str) -> Iterator[RecordProblem]:
    errors = sorted(_validator_for(kind).iter_errors(record), key=lambda e: list(map(str, e.absolute_path)))
    for error in errors:
        field, expected, found = _describe(error)
        yield RecordProblem(record_id, field, expected, found, source)


def _finance_problems(record: Record, source: str) -> Iterator[RecordProblem]:
    rid = record["id"]
    required = ("opening_balance_fen", "lines", "closing_balance_fen")
    missing = [name for name in required if name not in record]
    for name in missing:
        yield RecordProblem(rid, name, "this field on a finance board", "nothing", source)
    if missing:
        return
    income = sum(line["amount_fen"] for line in record["lines"] if line["direction"] == "income")
    expense = sum(line["amount_fen"] for line in record["lines"] if line["direction"] == "expense")
    computed = record["opening_balance_fen"] + income - expense
    if computed != record["closing_balance_fen"]:
        yield RecordProblem(
            rid,
            "closing_balance_fen",
            f"opening {format_fen(record['opening_balance_fen'])} + income {format_fen(income)} − "
            f"expense {format_fen(expense)} = {format_fen(computed)}",
            format_fen(record["closing_balance_fen"]),
            source,
        )


def _region_problems(record: Record, source: str) -> Iterator[RecordProblem]:
    rid, code, kind = record["id"], record["region"], record["kind"]
    try:
        regions.check_code(code)
    except regions.RegionCodeError as exc:
        yield RecordProblem(rid, "region", "a valid 12-digit region code", str(exc), source)
        return
    level = regions.level_of(code)
    if kind in ("subsidy_payment", "board") and level != "village" and not record.get("deleted"):
        yield RecordProblem(rid, "region", f"a village-level code for a {kind}", f"{code} ({level})", source)
    if kind in COUNTY_KINDS and level in ("township", "village") and not record.get("deleted"):
        yield RecordProblem(rid, "region", f"a county-level (or higher) code for a {kind}", f"{code} ({level})", source)
    if kind == "region" and not record.get("deleted"):
        if record.get("level") != level:
            yield RecordProblem(rid, "level", f"{level!r} (the level of code {code})", _short(record.get("level")), source)
        if record.get("parent", regions.parent_of(code)) != regions.parent_of(code):
            yield RecordProblem(rid, "parent", f"{regions.parent_of(code)!r} (the parent of {code})", _short(record.get("parent")), source)


def _notice_problems(record: Record, source: str) -> Iterator[RecordProblem]:
    publish = dt.datetime.fromisoformat(record["publish_at"].replace("Z", "+00:00"))
    expire = dt.datetime.fromisoformat(record["expire_at"].replace("Z", "+00:00"))
    if expire <= publish:
        yield RecordProblem(record["id"], "expire_at", "a time after publish_at", record["expire_at"], source)


def _keywords_problem(record: Record, record_id: str, source: str) -> RecordProblem:
    """Keywords on a payment (tombstones too): refused, and the refusal does not repeat them.

    They are published and indexed as written, never masked, so they would carry a name or an
    ID number into the public feed and the terminal's search; the message goes to logs and
    screens, so it counts them instead of quoting them.
    """
    keywords = record["keywords"]
    found = f"{len(keywords)} keyword(s)" if isinstance(keywords, list) else f"a {type(keywords).__name__}"
    why = (
        "they are published and searchable exactly as written, never masked; a payment is found by its policy, year and masked recipient"
        if record["kind"] == "subsidy_payment"
        else "its terms are what search matches; put every word in the group's terms"
    )
    expected = f"no keywords on a {record['kind']} ({why})"
    return RecordProblem(record_id, "keywords", expected, found, source)


def problems_of(record: object, source: str = "") -> list[RecordProblem]:
    """Everything wrong with one record (an empty list means it is valid)."""
    if not isinstance(record, dict):
        return [RecordProblem("?", "(record)", "a JSON object", type(record).__name__, source)]
    record_id = record.get("id") if isinstance(record.get("id"), str) else "?"
    fine, has_float = _quick_scan(record)
    if not fine:
        problems = _shape_problems(record, record_id, source)
        if problems:
            return problems
        has_float = True  # the two walks disagree: take the slow, explaining path below
    if record.get("kind") in KINDS_WITHOUT_KEYWORDS and "keywords" in record:
        return [_keywords_problem(record, record_id, source)]
    if _passes_fast_check(record, has_float):
        problems = []
    else:
        problems = list(_schema_problems(record, "<envelope>", record_id, source))
        if problems:
            return problems
        problems = list(_schema_problems(record, "<tombstone>" if record.get("deleted") else record["kind"], record_id, source))
        if not problems:  # the fast check and jsonschema disagree: never let such a record through silently
            problems = [RecordProblem(record_id, "(record)", "a record both schema validators accept", "refused by the fast check", source)]
            return problems
    kind = record["kind"]
    problems += list(_region_problems(record, source))
    if problems or record.get("deleted"):
        return problems
    if kind == "board" and record["board_type"] == "finance":
        problems += _finance_problems(record, source)
    if kind == "notice":
        problems += _notice_problems(record, source)
    return problems


def check_batch(items: Iterable[tuple[Record, str]]) -> list[Record]:
    """Validate (record, source) pairs; return the records to apply, or raise :class:`BatchRejected`.

    Within one batch an id may appear more than once (a feed may carry several versions); the
    highest version wins, and two different bodies under one id and version are a conflict.
    """
    problems: list[RecordProblem] = []
    total = 0
    chosen: dict[str, tuple[Record, str]] = {}
    for record, source in items:
        found = problems_of(record, source)
        if found:
            total += len(found)
            if len(problems) < MAX_PROBLEMS:
                problems.extend(found[: MAX_PROBLEMS - len(problems)])
            continue
        previous = chosen.get(record["id"])
        if previous is None or record["version"] > previous[0]["version"]:
            chosen[record["id"]] = (record, source)
        elif record["version"] == previous[0]["version"] and record != previous[0]:
            total += 1
            if len(problems) < MAX_PROBLEMS:
                problems.append(
                    RecordProblem(record["id"], "version", f"a new version number (differs from {previous[1]})", str(record["version"]), source)
                )
    if problems:
        raise BatchRejected(problems, total)
    return [record for record, _source in chosen.values()]


class CheckedRecords:
    """(record, source) pairs that :func:`check_stream` found valid, every one of them.

    Iterating reads them again from their source (``open_pairs`` is called once per iteration),
    so a feed bundle of 100,000 records is never held as a list of dicts. Only
    :func:`check_stream` makes one; the store applies it without validating again.
    """

    def __init__(self, open_pairs: Callable[[], Iterable[tuple[Record, str]]], count: int, token: object) -> None:
        if token is not _CHECKED:
            raise TypeError("CheckedRecords are made by check_stream() only")
        self._open = open_pairs
        self.count = count

    def __iter__(self) -> Iterator[tuple[Record, str]]:
        return iter(self._open())


_CHECKED = object()


def check_stream(
    open_pairs: Callable[[], Iterable[tuple[Record, str]]], on_valid: Callable[[Record], None] | None = None
) -> CheckedRecords:
    """Validate every (record, source) pair ``open_pairs()`` yields, one at a time, in bounded memory.

    Returns a :class:`CheckedRecords` that reads the same pairs again for the store, or raises
    :class:`BatchRejected` with up to :data:`MAX_PROBLEMS` problems (all records are looked at, so
    the count is complete). ``on_valid`` sees each valid record (the sync client collects the
    attachments it needs: none of them is looked at before the whole batch is valid). Two
    different bodies under one id and version are found by the store when it applies the batch,
    inside its transaction.
    """
    problems: list[RecordProblem] = []
    total = count = 0
    for record, source in open_pairs():
        count += 1
        found = problems_of(record, source)
        if found:
            total += len(found)
            if len(problems) < MAX_PROBLEMS:
                problems.extend(found[: MAX_PROBLEMS - len(problems)])
        elif on_valid is not None:
            on_valid(record)
    if problems:
        raise BatchRejected(problems, total)
    return CheckedRecords(open_pairs, count, _CHECKED)
