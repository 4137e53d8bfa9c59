"""Reading record files: JSON Lines (one record a line) or a JSON array, from a file or a folder.

Every record comes with its source ("demo/document.jsonl:12") so a problem can point at the line
a member of staff has to fix. Unreadable files and malformed JSON are problems too, not crashes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kiosk.records.schema import ID_PATTERN, MAX_INTEGER, MAX_NESTING
from kiosk.records.validate import BatchRejected, RecordProblem

RECORD_SUFFIXES = (".jsonl", ".json")


def record_files(path: Path) -> list[Path]:
    """The record files at ``path`` (a file, or every record file below a folder, sorted)."""
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in RECORD_SUFFIXES and p.is_file() and not p.name.startswith("."))
    raise FileNotFoundError(f"no such file or folder: {path}")


def _display(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base.parent if base.is_file() else base))
    except ValueError:
        return str(path)


def read_records(path: Path) -> Iterator[tuple[Any, str]]:
    """Yield (record, source) pairs; raise :class:`BatchRejected` for unreadable input."""
    files = record_files(path)
    if not files:
        raise BatchRejected([RecordProblem("?", "(file)", "at least one .jsonl or .json record file", str(path))])
    for file in files:
        shown = _display(file, path)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BatchRejected([RecordProblem("?", "(file)", "a readable UTF-8 text file", str(exc), shown)]) from exc
        if file.suffix == ".jsonl":
            yield from _json_lines(text, shown)
        else:
            yield from _json_document(text, shown)


# The id of a line that cannot be parsed, when the line starts with it as every written record
# file does (the demo, the publisher, `json.dumps` of a record): only to name the record in a refusal.
_LEADING_ID = re.compile(r'^\s*\{\s*"id"\s*:\s*"(' + ID_PATTERN.strip("^$") + ')"')


def _unreadable(exc: RecursionError | ValueError, text: str, field: str, source: str) -> BatchRejected:
    """The refusal for JSON that ``json`` cannot read: nested too deep, or a number too long.

    Python's json raises RecursionError past about 1,000 levels and ValueError for an integer
    of more than 4,300 digits; neither is a JSONDecodeError, and both used to escape as a
    traceback (exit 1) instead of the documented refusal (exit 2).
    """
    match = _LEADING_ID.match(text)
    record_id = match.group(1) if match else "?"
    if isinstance(exc, RecursionError):
        expected, found = f"JSON nested at most {MAX_NESTING} levels deep", "nesting too deep for the JSON reader (about 1,000 levels or more)"
    else:
        expected, found = f"whole numbers of at most 2^53 = {MAX_INTEGER} in size", f"a number too long to read ({str(exc).split(': ')[-1]})"
    return BatchRejected([RecordProblem(record_id, field, expected, found, source)])


def _json_lines(text: str, shown: str) -> Iterator[tuple[Any, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BatchRejected(
                [RecordProblem("?", "(line)", "one JSON object per line", f"{exc.msg} at column {exc.colno}", f"{shown}:{number}")]
            ) from exc
        except (RecursionError, ValueError) as exc:
            raise _unreadable(exc, line, "(line)", f"{shown}:{number}") from None
        yield record, f"{shown}:{number}"


def _json_document(text: str, shown: str) -> Iterator[tuple[Any, str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BatchRejected(
            [RecordProblem("?", "(file)", "valid JSON", f"{exc.msg} at line {exc.lineno} column {exc.colno}", shown)]
        ) from exc
    except (RecursionError, ValueError) as exc:
        raise _unreadable(exc, text, "(file)", shown) from None
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list):
        raise BatchRejected([RecordProblem("?", "(file)", "a JSON array of records or {\"records\": [...]}", type(data).__name__, shown)])
    for index, record in enumerate(data):
        yield record, f"{shown}#{index}"
