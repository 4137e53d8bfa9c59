"""Comments point into the repository's own docs/, never at a file outside it, and the places they name exist.

The design brief (DESIGN.md) lives outside the repository, so "DESIGN.md §5" in a comment sends a reader
nowhere; what the code relies on is written down in docs/ (ARCHITECTURE.md says which parts of the brief
we follow and where we departed from it).
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers.paths import ROOT

FOLDERS = ("app", "kiosk", "ui", "sync", "printing", "tools", "bench", "tests", "scripts")
DOC_REF = re.compile(r"docs/([A-Z][A-Z_]*\.md)(?:, \"([^\"]+)\"| \(\"([^\"]+)\"\))?")
THIS_FILE = Path(__file__).resolve()


def code_files() -> list[Path]:
    files = [path for folder in FOLDERS for path in (ROOT / folder).rglob("*") if path.suffix in (".py", ".sh")]
    return [path for path in files if path.resolve() != THIS_FILE and ".venv" not in path.parts]


def design_citations(text: str) -> list[int]:
    return [number for number, line in enumerate(text.splitlines(), start=1) if "DESIGN.md" in line]


def broken_doc_references(text: str) -> list[str]:
    """docs/X.md references whose file is missing, or whose quoted section is not in that file."""
    broken = []
    joined = re.sub(r"\s*\n\s*(#\s*)?", " ", text)  # a reference may wrap across comment or docstring lines
    for match in DOC_REF.finditer(joined):
        doc = ROOT / "docs" / match.group(1)
        section = match.group(2) or match.group(3)
        missing = not doc.is_file()
        if missing or (section and section not in re.sub(r"\s+", " ", doc.read_text(encoding="utf-8"))):
            broken.append(match.group(0))
    return broken


def test_no_code_cites_the_design_brief_outside_the_repository() -> None:
    found = [f"{path.relative_to(ROOT)}:{line}" for path in code_files() for line in design_citations(path.read_text(encoding="utf-8"))]
    assert found == []


def test_references_into_docs_name_files_and_sections_that_exist() -> None:
    found = [f"{path.relative_to(ROOT)}: {ref}" for path in code_files() for ref in broken_doc_references(path.read_text(encoding="utf-8"))]
    assert found == []


def test_the_checkers_would_catch_a_bad_reference() -> None:
    assert design_citations("x = 1\n# see DESIGN.md §5\n") == [2]
    text = '"""See docs/ARCHITECTURE.md, "No such\n    section", and docs/NOPE.md."""'
    assert broken_doc_references(text) == ['docs/ARCHITECTURE.md, "No such section"', "docs/NOPE.md"]
    assert broken_doc_references('(docs/ARCHITECTURE.md, "The terminal\'s client")') == []
