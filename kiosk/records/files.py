"""Reading record files: JSON Lines (one record a line) or a JSON array, from a file or a folder.

Every record comes with its source ("demo/document.jsonl:12") so a problem can point at the line
a member of staff has to fix. Unreadable files and malformed JSON are problems too, not crashes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def _json_lines(text: str, shown: str) -> Iterator[tuple[Any, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield json.loads(line), f"{shown}:{number}"
        except json.JSONDecodeError as exc:
            raise BatchRejected(
                [RecordProblem("?", "(line)", "one JSON object per line", f"{exc.msg} at column {exc.colno}", f"{shown}:{number}")]
            ) from exc


def _json_document(text: str, shown: str) -> Iterator[tuple[Any, str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BatchRejected(
            [RecordProblem("?", "(file)", "valid JSON", f"{exc.msg} at line {exc.lineno} column {exc.colno}", shown)]
        ) from exc
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list):
        raise BatchRejected([RecordProblem("?", "(file)", "a JSON array of records or {\"records\": [...]}", type(data).__name__, shown)])
    for index, record in enumerate(data):
        yield record, f"{shown}#{index}"
