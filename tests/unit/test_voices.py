"""The voice 朗读 uses is chosen by what espeak-ng does with Chinese text (kiosk/voices.py): real espeak-ng runs, phonemes checked.

espeak-ng -x prints the phonemes it would speak; "(en)" marks a switch to its English voice, which is how Debian 12's espeak-ng
1.51 reads most characters with the voice named cmn (espeak-ng issue #1236).
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from kiosk import voices
from kiosk.speech_text import prepare

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (scripts/setup-system.sh)")

KNOWN = "临时救助申请，请拨打0739-5213101咨询。补助金额¥1,176.00。"
# Expected phonemes for characters of KNOWN (espeak-ng 1.51): 临 lín, 时 shí, 救 jiù, 助 zhù / Cantonese lam4 si4 gau3 zo6.
MANDARIN = ["l'i35n", "s.'i.35", "tS;'iou51", "ts.'u51"]
CANTONESE = ["l'a4m", "s'i4", "g'au3", "z'o6"]


def _espeak_version() -> str:
    return subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True, check=False).stdout


@pytest.mark.parametrize(("setting", "expected"), [("cmn", MANDARIN), ("yue", CANTONESE)])
def test_the_chosen_voice_reads_known_text_in_chinese(setting: str, expected: list[str]) -> None:
    voice = voices.choose(setting)
    assert voice is not None, f"no espeak-ng voice for {setting} passes the probe"
    output = voices.phonemes(prepare(KNOWN, setting), voice.espeak)
    assert voices.ENGLISH not in output, output
    syllables = output.replace("\n", " ").split("_|")
    assert [syllable.strip() for syllable in syllables[:4]] == expected, output
    assert f"({setting})" not in output  # never switched language at all


def test_the_choice_is_made_by_probing_not_by_name() -> None:
    """The voice called cmn switches to English on this text; the probe rejects it and picks cmn-latn-pinyin (Debian 12, 1.51)."""
    if "1.51" not in _espeak_version():
        pytest.skip("the cmn voice's English switch is a fact about espeak-ng 1.51")
    raw = voices.phonemes(KNOWN, "cmn")
    assert voices.ENGLISH in raw  # what the kiosk used to say
    assert not voices.speaks_chinese("cmn", "cmn")
    assert voices.choose("cmn").espeak == "cmn-latn-pinyin"
    assert voices.choose("yue").espeak == "yue"


def test_a_voice_that_does_not_exist_is_never_chosen() -> None:
    assert not voices.speaks_chinese("no-such-voice", "cmn")


def test_unprepared_numbers_and_symbols_switch_to_english_prepared_ones_do_not() -> None:
    """Why the text is prepared: even the good voice says 'percent', 'asterisk' and 'plus' in English."""
    text = "按50%补助，张*明，3+2，监测APP。"
    for setting in ("cmn", "yue"):
        voice = voices.choose(setting)
        assert voices.ENGLISH in voices.phonemes(text, voice.espeak)
        assert voices.ENGLISH not in voices.phonemes(prepare(text, setting), voice.espeak)


def test_render_to_file_writes_the_prepared_speech(tmp_path) -> None:
    import wave

    path = voices.render_to_file(KNOWN, tmp_path / "known.wav", "yue")
    with wave.open(str(path), "rb") as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
        assert wav.getnframes() / wav.getframerate() > 2.0
    with pytest.raises(ValueError, match="nothing to speak"):
        voices.render_to_file("  ", tmp_path / "empty.wav")
    with pytest.raises(ValueError, match="unknown voice"):
        voices.render_to_file(KNOWN, tmp_path / "en.wav", "en")


def test_a_rare_name_is_read_as_its_syllable() -> None:
    """Before: 李𡒄明 came out as 李 U 2 1 4 8 4 明 in Chinese digits and letters; now as three syllables, the middle one lan."""
    voice = voices.choose("cmn")
    raw = voices.phonemes("李𡒄明", voice.espeak)
    assert len(raw.split("_|")) > 5  # the code point, spelled
    prepared = voices.phonemes(prepare("李𡒄明"), voice.espeak)
    assert prepared == "l'i35_| l'a21n_| m'i35N_|", prepared
