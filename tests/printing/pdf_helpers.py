"""Helpers for the tests that read back our own PDFs: a demo terminal, text, pixels, fonts, QR codes.

Everything is real: the demo county loaded through the normal import into a SQLite store, the
PDFs reportlab writes, poppler's ``pdffonts``, pdfplumber's text extraction, pdfium's rasteriser
and the zxing-cpp decoder a phone would use.
"""

from __future__ import annotations

import atexit
import datetime as dt
import io
import itertools
import re
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2
import zxingcpp
from PIL import Image

from kiosk.clock import fixed_clock
from kiosk.terminal import Terminal
from tests.helpers.clock import TEST_NOW

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ".data" / "screenshots" / "print"
# 2026-11-21 10:32 in Asia/Shanghai (tests.conftest.TEST_NOW): every printout of a test run carries the same time.
FIXED_NOW = TEST_NOW.astimezone(dt.UTC)
MM = 72 / 25.4  # points per millimetre
A4_PORTRAIT = (595.28, 841.89)

_template_lock = threading.Lock()
_template: list[Path] = []


def demo_terminal_copy(target: Path) -> Terminal:
    """A terminal of its own with the bundled demo county (979 records, village 990121101201).

    The demo is imported once per test process into a template folder; each caller gets a copy,
    so settings a test changes never leak into another module.
    """
    with _template_lock:
        if not _template:
            folder = Path(tempfile.mkdtemp(prefix="kiosk-print-demo-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            with Terminal(folder, fixed_clock(FIXED_NOW)) as terminal:
                terminal.ensure_demo_content()
            _template.append(folder)
    shutil.copytree(_template[0], target)
    return Terminal(target, fixed_clock(FIXED_NOW))


def squash(text: str) -> str:
    """``text`` without any whitespace: what survives line wrapping (which inserts newlines and spaces)."""
    return "".join(text.split())


def chars_text(chars: list[dict[str, Any]]) -> str:
    """Characters as lines of text: grouped by baseline, left to right, a space where a gap is.

    pdfplumber's own ``extract_text`` groups by the top of each glyph box, which depends on the
    font's ascent: a rare character in the fallback font (BabelStone Han) sits on the same baseline
    as its neighbours but its box top is ~3.7 pt higher at 20 pt, so it was read as a line of its own.
    """
    lines: list[list[dict[str, Any]]] = []
    for char in sorted(chars, key=lambda char: (-char["matrix"][5], char["x0"])):
        if lines and abs(lines[-1][0]["matrix"][5] - char["matrix"][5]) <= 1.0:
            lines[-1].append(char)
        else:
            lines.append([char])
    out = []
    for line in lines:
        line.sort(key=lambda char: char["x0"])
        text = line[0]["text"]
        for previous, char in itertools.pairwise(line):
            text += (" " if char["x0"] - previous["x1"] > 0.25 * previous["size"] else "") + char["text"]
        out.append(text)
    return "\n".join(out)


def page_texts(data: bytes) -> list[str]:
    """The extracted text of every page (pdfplumber's characters, read through the ToUnicode maps we write)."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [chars_text(page.chars) for page in pdf.pages]


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [(float(page.width), float(page.height)) for page in pdf.pages]


def page_images(data: bytes, dpi: int = 150, pages: int | None = None) -> list[Image.Image]:
    """Pages rasterised by pdfium at ``dpi`` (all pages, or the first ``pages``)."""
    document = pypdfium2.PdfDocument(data)
    try:
        count = len(document) if pages is None else min(pages, len(document))
        return [document[index].render(scale=dpi / 72).to_pil().convert("RGB") for index in range(count)]
    finally:
        document.close()


def decode_qr(image: Image.Image) -> list[str]:
    """The texts of every QR code zxing-cpp finds in ``image``."""
    return [result.text for result in zxingcpp.read_barcodes(image) if result.format == zxingcpp.BarcodeFormat.QRCode]


@dataclass(frozen=True)
class FontRow:
    name: str
    type: str
    encoding: str
    embedded: bool
    subset: bool
    unicode: bool


def pdffonts(data: bytes) -> list[FontRow]:
    """poppler's ``pdffonts`` table of a PDF, one row per font, cut at the columns its dashed rule marks."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        output = subprocess.run(["pdffonts", handle.name], capture_output=True, text=True, check=True, timeout=30).stdout
    lines = output.splitlines()
    if len(lines) < 2 or lines[0].split()[:6] != ["name", "type", "encoding", "emb", "sub", "uni"] or not lines[1].startswith("---"):
        raise AssertionError(f"unexpected pdffonts output:\n{output}")
    columns = [(match.start(), match.end()) for match in re.finditer(r"-+", lines[1])]
    rows = []
    for line in lines[2:]:
        cells = [line[start:end].strip() for start, end in columns]
        if len(cells) < 6 or any(flag not in ("yes", "no") for flag in cells[3:6]):
            raise AssertionError(f"cannot parse pdffonts row {line!r} in:\n{output}")
        rows.append(FontRow(cells[0], cells[1], cells[2], cells[3] == "yes", cells[4] == "yes", cells[5] == "yes"))
    return rows


def save_screenshot(image: Image.Image, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    image.save(path)
    return path
