"""`kiosk speak`: what 朗读 would say, as staff check a terminal's voice: real processes, real espeak-ng, real WAV files."""

from __future__ import annotations

import shutil
import struct
import wave
from pathlib import Path

import pytest

from kiosk.errors import ExitCode
from tests.integration.test_cli import kiosk

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (scripts/setup-system.sh)")

SENTENCE = "临时救助申请，请拨打0739-5213101咨询，补助金额¥1,176.00。"


def _lines(stdout: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in stdout.splitlines() if ": " in line)


def test_phonemes_show_the_voice_the_prepared_text_and_no_english(tmp_path: Path) -> None:
    result = kiosk("speak", SENTENCE, "--phonemes", data=tmp_path / "terminal")
    lines = _lines(result.stdout)
    assert lines["voice"] == "espeak-ng -v cmn-latn-pinyin (cmn)"
    assert lines["text"] == "临时救助申请，请拨打零七三九五二幺三幺零幺咨询，补助金额一千一百七十六元。"
    assert "(en)" not in result.stdout and result.stdout.count("l'i35n") >= 1


def test_cantonese_follows_the_setting_and_the_option(tmp_path: Path) -> None:
    data = tmp_path / "terminal"
    kiosk("config", "set", "speech.voice", "yue", data=data)
    assert _lines(kiosk("speak", SENTENCE, "--phonemes", data=data).stdout)["voice"] == "espeak-ng -v yue (yue)"
    assert _lines(kiosk("speak", SENTENCE, "--phonemes", "--voice", "cmn", data=data).stdout)["voice"].endswith("(cmn)")


def test_to_file_writes_a_real_wav(tmp_path: Path) -> None:
    target = tmp_path / "out.wav"
    result = kiosk("speak", SENTENCE, "--to-file", str(target), data=tmp_path / "terminal")
    assert f"wrote {target}" in result.stdout
    header = target.read_bytes()[:44]
    assert header[:4] == b"RIFF" and header[8:16] == b"WAVEfmt "
    assert struct.unpack("<H", header[20:22])[0] == 1  # PCM
    with wave.open(str(target), "rb") as wav:
        seconds = wav.getnframes() / wav.getframerate()
    assert 3.0 < seconds < 30.0  # the whole sentence, phone number digit by digit


def test_playing_without_a_sound_card_says_so_and_points_to_to_file(tmp_path: Path) -> None:
    if Path("/proc/asound/cards").exists():
        pytest.skip("this machine has ALSA sound cards")
    result = kiosk("speak", "你好", data=tmp_path / "terminal", check=False)
    assert result.returncode == ExitCode.SPEECH
    assert "cannot play speech here: no sound card" in result.stderr and "--to-file" in result.stderr


def test_empty_text_is_refused(tmp_path: Path) -> None:
    result = kiosk("speak", "  ", data=tmp_path / "terminal", check=False)
    assert result.returncode == ExitCode.BAD_INPUT and "nothing to speak" in result.stderr


def test_phonemes_fail_when_the_voice_switches_to_english(tmp_path: Path) -> None:
    """Text the preparation does not cover (here Cyrillic, which espeak-ng names in English) is caught by the check: exit 7."""
    result = kiosk("speak", "附件Д", "--phonemes", data=tmp_path / "terminal", check=False)
    assert "(en)" in result.stdout
    assert result.returncode == ExitCode.SPEECH and "switched to English ((en))" in result.stderr
