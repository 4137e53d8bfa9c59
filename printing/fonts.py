"""The TrueType CJK fonts printed pages embed, and the per-character fallback for rare characters.

reportlab subsets and embeds a TrueType font, so the text prints and extracts correctly anywhere;
its built-in ``STSong-Light`` CID font is never used (through CUPS its Latin letters and digits
printed blank). CFF fonts (Noto CJK ``.otf``) are rejected by reportlab, so only ``.ttf``/``.ttc``.
A character the main font lacks would print as an empty box — names in subsidy lists carry such
生僻字 (王𬌗明) — so each text is split into runs and a run the main font cannot draw uses the
first fallback font that can.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from kiosk.errors import ExitCode, KioskError

log = logging.getLogger(__name__)

# (path, subfont index) in order of preference. Debian/Ubuntu first, then Windows.
MAIN_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("C:/Windows/Fonts/msyh.ttc", 0),
    ("C:/Windows/Fonts/simsun.ttc", 0),
    ("C:/Windows/Fonts/simhei.ttf", 0),
)
# Wider fonts for what the main font lacks: BabelStone Han covers CJK extensions A-H.
FALLBACK_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf", 0),
    ("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf", 0),
    ("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf", 0),
    ("C:/Windows/Fonts/simsunb.ttf", 0),
)
# Characters layout adds itself (bullets, boxes, arrows) that need not be in the main font.
_ALWAYS_DRAWABLE = frozenset("\n\t ")


class NoPrintFont(KioskError):
    """No usable TrueType CJK font: printing cannot produce readable Chinese."""

    exit_code = ExitCode.PRINTER


@dataclass
class Face:
    """One registered font: its reportlab name and the code points it can draw."""

    name: str
    path: str
    subfont: int
    codepoints: frozenset[int] = field(repr=False)

    def draws(self, char: str) -> bool:
        return ord(char) in self.codepoints


def _register(name: str, path: str, subfont: int) -> Face:
    font = TTFont(name, path, subfontIndex=subfont)
    pdfmetrics.registerFont(font)
    return Face(name, path, subfont, frozenset(font.face.charToGlyph))


def _is_cjk_font(face: Face) -> bool:
    return all(face.draws(char) for char in "中文公开打印")


class PrintFonts:
    """The main font plus fallbacks that are only read from disk when a text needs them."""

    def __init__(self, main: Face, fallback_paths: Sequence[tuple[str, int]]) -> None:
        self.main = main
        self._fallback_paths = [item for item in fallback_paths if Path(item[0]).exists() and item[0] != main.path]
        self._fallbacks: list[Face] = []
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.main.name

    def _faces(self) -> Iterator[Face]:
        yield from self._fallbacks
        while self._fallback_paths:
            with self._lock:
                if not self._fallback_paths:
                    break
                path, subfont = self._fallback_paths.pop(0)
                try:
                    face = _register(f"KioskRare-{Path(path).stem}-{subfont}", path, subfont)
                except Exception as exc:  # a truncated or damaged file raises struct.error, KeyError …: skip it
                    log.warning("fallback font %s unusable: %s", path, exc)
                    continue
                self._fallbacks.append(face)
            yield face

    def face_for(self, char: str) -> Face | None:
        """The font that draws ``char``: the main one if it can, else the first fallback that can."""
        if char in _ALWAYS_DRAWABLE or self.main.draws(char):
            return self.main
        return next((face for face in self._faces() if face.draws(char)), None)

    def missing(self, text: str) -> set[str]:
        """Characters no installed font can draw (they would print as empty boxes)."""
        return {char for char in set(text) if self.face_for(char) is None}

    def runs(self, text: str) -> list[tuple[str, str]]:
        """``text`` split into (font name, run) pieces; an undrawable character stays in the main font."""
        pieces: list[tuple[str, str]] = []
        for char in text:
            face = self.face_for(char) or self.main
            if pieces and pieces[-1][0] == face.name:
                pieces[-1] = (face.name, pieces[-1][1] + char)
            else:
                pieces.append((face.name, char))
        return pieces

    def markup(self, text: str) -> str:
        """``text`` as reportlab paragraph markup: XML-escaped, rare runs wrapped in their font."""
        if all(char in _ALWAYS_DRAWABLE or self.main.draws(char) for char in text):
            return escape(text)
        return "".join(
            escape(run) if name == self.main.name else f'<font name="{name}">{escape(run)}</font>' for name, run in self.runs(text)
        )


_loaded: dict[str, PrintFonts] = {}
_load_lock = threading.Lock()


def load_fonts(configured_path: str = "", fallback_path: str = "") -> PrintFonts:
    """The fonts to print with, loaded once per process (parsing a CJK font takes ~0.1 s).

    ``configured_path`` (setting ``printing.font_path``) is tried first; a ``.ttc`` uses subfont 0.
    """
    key = f"{configured_path}|{fallback_path}"
    with _load_lock:
        if key in _loaded:
            return _loaded[key]
        tried: list[str] = []
        candidates = ([(configured_path, 0)] if configured_path else []) + list(MAIN_CANDIDATES)
        main: Face | None = None
        for path, subfont in candidates:
            if not Path(path).exists():
                continue
            try:
                face = _register(f"KioskSans-{Path(path).stem}-{subfont}", path, subfont)
            except Exception as exc:  # TTFError, OSError, and struct.error/KeyError from a half-copied file
                tried.append(f"{path}: {type(exc).__name__}: {exc}")
                continue
            if _is_cjk_font(face):
                main = face
                break
            tried.append(f"{path}: has no Chinese characters")
        if main is None:
            detail = "; ".join(tried) or "none of " + ", ".join(path for path, _ in candidates) + " exists"
            raise NoPrintFont(
                "No TrueType Chinese font for printing (" + detail + "). Install fonts-wqy-microhei "
                "(scripts/setup-system.sh) or set printing.font_path to a .ttf/.ttc file; CFF fonts (.otf) do not work."
            )
        fallbacks = ([(fallback_path, 0)] if fallback_path else []) + list(FALLBACK_CANDIDATES)
        fonts = PrintFonts(main, fallbacks)
        _loaded[key] = fonts
        return fonts
