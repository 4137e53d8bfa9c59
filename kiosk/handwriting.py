"""手写输入: a thin ctypes binding over the offline Zinnia recogniser and its simplified-Chinese model.

Why: many people at a village terminal cannot spell pinyin but can write a character with a finger. Zinnia
(``libzinnia0``) with the Tegaki simplified-Chinese model (``tegaki-zinnia-simplified-chinese``) recognises one
character from its strokes, offline, in a few milliseconds. Checked with libzinnia 0.06 and the model 0.3 of
Debian 12; the C API used is the one of ``zinnia.h`` (``zinnia_recognizer_*``, ``zinnia_character_*``,
``zinnia_result_*``), called through ctypes so no compiled extension is needed.

Memory: the model is read (mmapped) only when a pad is first opened, once per process (``shared_recognizer``),
never at start-up: the window's resident-set goal is 250 MB. ``tests/unit/test_handwriting.py`` measures what it adds.

If the library or the model is missing, ``shared_recognizer`` raises ``HandwritingUnavailable`` with what was
looked for; the pad shows that in Chinese and the pinyin keyboard keeps working. No Qt here (the import rule).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import KioskError

LIBRARY_NAMES = ("libzinnia.so.0", "zinnia")  # Debian's soname first; find_library for other layouts
MODEL_PATHS = (Path("/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model"),
               Path("/usr/share/zinnia/model/tomoe/handwriting-zh_CN.model"))
MODEL_ENV = "KIOSK_HANDWRITING_MODEL"  # another model file (tests point it at a missing one)
LIBRARY_ENV = "KIOSK_HANDWRITING_LIBRARY"
CANVAS_UNITS = 1000  # strokes are scaled to this square before classifying; Zinnia normalises anyway
MAX_STROKES = 64  # no character has more (齉 has 36); stops a stuck finger from growing a character forever
MAX_POINTS_PER_STROKE = 256  # Zinnia uses a stroke's shape, not every sample: points are thinned to this


class HandwritingUnavailable(KioskError, RuntimeError):
    """The recogniser cannot run here: the library or the model is missing or unreadable."""


@dataclass(frozen=True, slots=True)
class Candidate:
    character: str
    score: float  # Zinnia's, larger is better; only comparable within one result


Stroke = Sequence[tuple[float, float]]


def _load_library() -> ctypes.CDLL:
    names = [os.environ[LIBRARY_ENV]] if os.environ.get(LIBRARY_ENV) else [*LIBRARY_NAMES]
    tried = []
    for name in names:
        path = ctypes.util.find_library(name) if "/" not in name and not name.startswith("lib") else name
        if not path:
            tried.append(name)
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError as error:
            tried.append(f"{path} ({error})")
            continue
        _declare(lib)
        return lib
    raise HandwritingUnavailable(f"handwriting library not found: expected libzinnia (Debian package libzinnia0), tried {', '.join(tried)}")


def _declare(lib: ctypes.CDLL) -> None:
    p, size, c_int, c_float, c_char_p = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_float, ctypes.c_char_p
    signatures = {
        "zinnia_recognizer_new": ([], p), "zinnia_recognizer_open": ([p, c_char_p], c_int),
        "zinnia_recognizer_strerror": ([p], c_char_p), "zinnia_recognizer_classify": ([p, p, size], p),
        "zinnia_recognizer_destroy": ([p], None),
        "zinnia_character_new": ([], p), "zinnia_character_set_width": ([p, size], None),
        "zinnia_character_set_height": ([p, size], None), "zinnia_character_add": ([p, size, c_int, c_int], c_int),
        "zinnia_character_destroy": ([p], None),
        "zinnia_result_value": ([p, size], c_char_p), "zinnia_result_score": ([p, size], c_float),
        "zinnia_result_size": ([p], size), "zinnia_result_destroy": ([p], None),
    }
    for name, (arguments, result) in signatures.items():
        function = getattr(lib, name)
        function.argtypes, function.restype = arguments, result


def model_path() -> Path:
    """The model file to open: ``KIOSK_HANDWRITING_MODEL`` if set, else the first installed of ``MODEL_PATHS``."""
    if os.environ.get(MODEL_ENV):
        return Path(os.environ[MODEL_ENV])
    return next((path for path in MODEL_PATHS if path.is_file()), MODEL_PATHS[0])


def _thinned(stroke: Stroke) -> list[tuple[float, float]]:
    points = list(stroke)
    if len(points) <= MAX_POINTS_PER_STROKE:
        return points
    step = (len(points) - 1) / (MAX_POINTS_PER_STROKE - 1)
    return [points[round(i * step)] for i in range(MAX_POINTS_PER_STROKE)]


class Recognizer:
    """One open model. ``classify`` is safe to call from one thread at a time (the pad calls it on the GUI thread)."""

    def __init__(self, model: Path | None = None) -> None:
        self._lib = _load_library()
        path = model or model_path()
        if not path.is_file():
            raise HandwritingUnavailable(f"handwriting model not found: expected {path} (Debian package tegaki-zinnia-simplified-chinese)")
        self._handle = self._lib.zinnia_recognizer_new()
        if not self._lib.zinnia_recognizer_open(self._handle, os.fsencode(path)):
            reason = (self._lib.zinnia_recognizer_strerror(self._handle) or b"").decode("utf-8", "replace")
            self._lib.zinnia_recognizer_destroy(self._handle)
            self._handle = None
            raise HandwritingUnavailable(f"handwriting model {path} cannot be opened: {reason or 'unknown error'}")
        self.model = path
        self._lock = threading.Lock()

    def classify(self, strokes: Sequence[Stroke], width: float, height: float, limit: int = 12) -> list[Candidate]:
        """The ``limit`` likeliest characters for strokes drawn in a ``width`` × ``height`` box, best first.

        Points are (x, y) with y growing downwards, as on screen. No strokes (or only empty ones) give [].
        """
        strokes = [stroke for stroke in strokes[:MAX_STROKES] if len(stroke) > 0]
        if not strokes or limit <= 0 or width <= 0 or height <= 0:
            return []
        scale = CANVAS_UNITS / max(width, height)
        lib = self._lib
        with self._lock:
            character = lib.zinnia_character_new()
            try:
                lib.zinnia_character_set_width(character, CANVAS_UNITS)
                lib.zinnia_character_set_height(character, CANVAS_UNITS)
                for stroke_id, stroke in enumerate(strokes):
                    for x, y in _thinned(stroke):
                        lib.zinnia_character_add(character, stroke_id, _clamp(x * scale), _clamp(y * scale))
                result = lib.zinnia_recognizer_classify(self._handle, character, limit)
                if not result:
                    return []
                try:
                    return [Candidate(lib.zinnia_result_value(result, i).decode("utf-8"), float(lib.zinnia_result_score(result, i)))
                            for i in range(lib.zinnia_result_size(result))]
                finally:
                    lib.zinnia_result_destroy(result)
            finally:
                lib.zinnia_character_destroy(character)

    def close(self) -> None:
        if getattr(self, "_handle", None):
            self._lib.zinnia_recognizer_destroy(self._handle)
            self._handle = None

    def __del__(self) -> None:
        self.close()


def _clamp(value: float) -> int:
    return max(0, min(CANVAS_UNITS, round(value)))


_shared: Recognizer | None = None
_shared_error: HandwritingUnavailable | None = None
_shared_lock = threading.Lock()


def shared_recognizer() -> Recognizer:
    """The process's recogniser, opened on first use and kept; a failure is remembered too (the pad asks once per opening)."""
    global _shared, _shared_error
    with _shared_lock:
        if _shared is None and _shared_error is None:
            try:
                _shared = Recognizer()
            except HandwritingUnavailable as error:
                _shared_error = error
        if _shared is None:
            assert _shared_error is not None
            raise _shared_error
        return _shared


def is_loaded() -> bool:
    """Whether the model has been opened in this process (start-up must not do it)."""
    return _shared is not None


def reset_for_tests() -> None:
    """Forget the shared recogniser and any remembered failure (tests switch the model path)."""
    global _shared, _shared_error
    with _shared_lock:
        if _shared is not None:
            _shared.close()
        _shared, _shared_error = None, None
