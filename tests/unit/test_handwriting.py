"""The Zinnia binding on real stroke sequences (tests/helpers/strokes.py, from Make Me a Hanzi), and what it costs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import handwriting
from tests.helpers.strokes import BOX, STROKES

ROOT = Path(__file__).resolve().parents[2]
SHOWN = 6  # candidates the pad shows (ui/handwriting.py CANDIDATES_SHOWN)


@pytest.fixture(scope="module")
def recognizer() -> handwriting.Recognizer:
    try:
        return handwriting.Recognizer()
    except handwriting.HandwritingUnavailable as error:
        pytest.fail(f"{error}: run scripts/setup-system.sh")


@pytest.mark.parametrize("character", sorted(STROKES))
def test_real_strokes_are_recognised_among_the_candidates_the_pad_shows(recognizer: handwriting.Recognizer, character: str) -> None:
    found = [c.character for c in recognizer.classify(STROKES[character], BOX, BOX, limit=SHOWN)]
    assert character in found, f"{character} not in {found}"
    assert len(found) == SHOWN and len(set(found)) == SHOWN


def test_the_box_size_does_not_matter_only_the_shape(recognizer: handwriting.Recognizer) -> None:
    small = [[(x * 300 / BOX, y * 300 / BOX) for x, y in stroke] for stroke in STROKES["低"]]
    assert recognizer.classify(small, 300, 300, limit=SHOWN)[0].character == "低"
    assert recognizer.classify(STROKES["低"], BOX, BOX, limit=SHOWN)[0].character == "低"


def test_strokes_in_the_wrong_character_do_not_give_it(recognizer: handwriting.Recognizer) -> None:
    assert "低" not in [c.character for c in recognizer.classify(STROKES["人"], BOX, BOX, limit=SHOWN)]
    first_two = recognizer.classify(STROKES["低"][:2], BOX, BOX, limit=SHOWN)  # 亻 alone is not yet 低
    assert "低" not in [c.character for c in first_two]


def test_nothing_drawn_gives_nothing(recognizer: handwriting.Recognizer) -> None:
    assert recognizer.classify([], BOX, BOX) == []
    assert recognizer.classify([[]], BOX, BOX) == []
    assert recognizer.classify(STROKES["人"], 0, 0) == []


def test_a_missing_model_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "handwriting-zh_CN.model"
    with pytest.raises(handwriting.HandwritingUnavailable, match="tegaki-zinnia-simplified-chinese") as raised:
        handwriting.Recognizer(missing)
    assert str(missing) in str(raised.value)
    broken = tmp_path / "broken.model"
    broken.write_bytes(b"not a model")
    with pytest.raises(handwriting.HandwritingUnavailable, match="cannot be opened"):
        handwriting.Recognizer(broken)
    monkeypatch.setenv(handwriting.LIBRARY_ENV, str(tmp_path / "libzinnia.so.0"))
    with pytest.raises(handwriting.HandwritingUnavailable, match="libzinnia0"):
        handwriting.Recognizer()


def test_the_model_is_opened_on_first_use_only_and_what_it_adds_to_memory() -> None:
    """In a fresh process: importing the binding opens nothing; the first recogniser adds the model's pages."""
    script = (
        "import os\n"
        "def rss(): return int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE')\n"
        "from kiosk import handwriting\n"
        "from tests.helpers.strokes import BOX, STROKES\n"
        "assert not handwriting.is_loaded()\n"
        "before = rss()\n"
        "r = handwriting.shared_recognizer()\n"
        "assert handwriting.is_loaded() and handwriting.shared_recognizer() is r\n"
        "r.classify(STROKES['保'], BOX, BOX)\n"
        "print((rss() - before) / 1e6)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    added_mb = float(done.stdout.strip())
    model_mb = handwriting.model_path().stat().st_size / 1e6
    print(f"handwriting model opened: +{added_mb:.1f} MB resident (model file {model_mb:.1f} MB, mapped)")
    assert added_mb < model_mb + 8  # the mapped model and the library, nothing copied besides
