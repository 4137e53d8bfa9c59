"""Read aloud: real espeak-ng speech to files, sentence splitting, and the Speaker's worker thread (pyttsx3 dummy and espeak drivers)."""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import wave
from array import array
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyttsx3.voice import Voice

from ui import speech
from ui.speech import VOICES, Speaker, audio_output_problem, match_voices, speak_to_file, split_sentences

SHORT = "你好。"
LONG = "根据《中华人民共和国政府信息公开条例》，现将本县二〇二六年耕地地力保护补贴发放情况公示如下。如有疑问，请在工作日拨打县农业农村局电话咨询。"
MANY = "".join(f"第{n}条已经公示。" for n in range(1, 41))  # 40 pieces: 20 s with the dummy driver, which sleeps 0.5 s per utterance
ENDS = "。！？；!?;\n…"

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pyttsx3's espeak driver plays through aplay only on Linux")


def _squash(text: str) -> str:
    return "".join(text.split())


def _wav(path: Path) -> tuple[float, bytes]:
    """Duration in seconds and frames of a valid mono 16-bit WAV file."""
    with wave.open(str(path), "rb") as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2 and wav.getframerate() >= 8000
        frames = wav.readframes(wav.getnframes())
        return wav.getnframes() / wav.getframerate(), frames


def _peak(frames: bytes) -> int:
    samples = array("h", frames)
    if sys.byteorder == "big":
        samples.byteswap()
    return max(abs(sample) for sample in samples)


# ---- speak_to_file: the real espeak-ng engine ----


def test_mandarin_speech_file_is_a_wav_whose_length_follows_the_text(tmp_path: Path) -> None:
    short, short_frames = _wav(speak_to_file(SHORT, tmp_path / "short.wav"))
    long, long_frames = _wav(speak_to_file(LONG, tmp_path / "long.wav", voice="cmn"))
    assert 0.3 < short < 5
    assert long > 4 * short
    assert 0.1 < long / len(LONG) < 1.0  # seconds per character: speech, not silence or a spelled-out English voice
    assert _peak(short_frames) > 1000 and _peak(long_frames) > 1000


def test_cantonese_speech_file_differs_from_mandarin(tmp_path: Path) -> None:
    _, mandarin_frames = _wav(speak_to_file(LONG, tmp_path / "cmn.wav", voice="cmn"))
    cantonese, cantonese_frames = _wav(speak_to_file(LONG, tmp_path / "yue.wav", voice="yue"))
    short, _ = _wav(speak_to_file(SHORT, tmp_path / "yue-short.wav", voice="yue"))
    assert cantonese_frames != mandarin_frames
    assert cantonese > 4 * short and _peak(cantonese_frames) > 1000


def test_speak_to_file_refuses_unknown_voices_and_empty_text(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown voice"):
        speak_to_file(SHORT, tmp_path / "x.wav", voice="en")
    with pytest.raises(ValueError, match="nothing"):
        speak_to_file(" \n", tmp_path / "x.wav")
    assert not (tmp_path / "x.wav").exists()


# ---- split_sentences ----


@pytest.mark.parametrize(
    ("text", "max_chars", "pieces"),
    [
        ("第一句。第二句！第三句？", 120, ["第一句。", "第二句！", "第三句？"]),
        ("标题\n  正文第一句；第二句", 120, ["标题", "正文第一句；", "第二句"]),
        ("他说：“好。”然后走了。", 120, ["他说：“好。”", "然后走了。"]),
        ("没有标点", 120, ["没有标点"]),
        ("甲乙丙丁，戊己庚辛，壬癸。", 5, ["甲乙丙丁，", "戊己庚辛，", "壬癸。"]),
        ("甲乙丙丁，戊己庚辛，壬癸。", 12, ["甲乙丙丁，戊己庚辛，", "壬癸。"]),
        ("一二三四五六七", 3, ["一二三", "四五六", "七"]),
        ("", 120, []),
        (" \n \n", 120, []),
    ],
)
def test_split_sentences_examples(text: str, max_chars: int, pieces: list[str]) -> None:
    assert split_sentences(text, max_chars) == pieces


def test_split_sentences_needs_room_for_a_character() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        split_sentences(SHORT, 0)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=list("政务公开补贴ab 1\n\t。！？；!?，,、：”）…"), max_size=200), st.integers(min_value=1, max_value=40))
def test_split_sentences_loses_nothing_but_whitespace_and_respects_the_limit(text: str, max_chars: int) -> None:
    pieces = split_sentences(text, max_chars)
    assert _squash("".join(pieces)) == _squash(text)
    for piece in pieces:
        assert piece and piece == piece.strip() and len(piece) <= max_chars
        body = re.sub(rf"[{ENDS}]+[”’」』）)]*$", "", piece)
        assert not re.search(rf"[{ENDS}]", body), f"{piece!r} runs past a sentence end"


# ---- voices and audio output ----


def test_voices_are_matched_for_espeak_and_windows_style_languages() -> None:
    espeak = [
        Voice("gmw/en", "English", ["en"]),
        Voice("sit/cmn-latn-pinyin", "Chinese (Mandarin, latin as Pinyin)", ["cmn-latn-pinyin"]),
        Voice("sit/cmn", "Chinese (Mandarin)", ["cmn"]),
        Voice("sit/yue-latn-jyutping", "Chinese (Cantonese, latin as Jyutping)", ["yue"]),
        Voice("sit/yue", "Chinese (Cantonese)", ["yue"]),
    ]
    assert match_voices(espeak) == {"cmn": "sit/cmn", "yue": "sit/yue"}
    sapi = [Voice("TTS_MS_EN-US_ZIRA", "Zira", ["en-US"]), Voice("TTS_MS_ZH-HK_TRACY", "Tracy", ["zh-HK"]), Voice("TTS_MS_ZH-CN_HUIHUI", "Huihui", ["zh_CN"])]
    assert match_voices(sapi) == {"cmn": "TTS_MS_ZH-CN_HUIHUI", "yue": "TTS_MS_ZH-HK_TRACY"}
    assert match_voices(espeak[:1]) == {}


@pytest.fixture
def fake_audio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An `aplay` that keeps each WAV it is asked to play (numbered, taking 0.2 s), and one sound card: the real espeak driver runs unchanged."""
    played = tmp_path / "played"
    played.mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    aplay = bin_dir / "aplay"
    aplay.write_text(f'#!/bin/sh\nn=$(ls "{played}" | wc -l)\ncp "$1" "{played}/$(printf %04d "$n").wav"\nsleep 0.2\n')
    aplay.chmod(0o755)
    cards = tmp_path / "cards"
    cards.write_text(" 0 [PCH            ]: HDA-Intel - HDA Intel PCH\n")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setattr(speech, "ALSA_CARDS", cards)
    return played


def _played(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.wav"))


@linux_only
def test_audio_output_problem_names_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_audio: Path) -> None:
    assert audio_output_problem() == ""
    monkeypatch.setattr(speech, "ALSA_CARDS", tmp_path / "no-such-file")
    assert "no sound card" in audio_output_problem()
    (tmp_path / "empty-cards").write_text("--- no soundcards ---\n")
    monkeypatch.setattr(speech, "ALSA_CARDS", tmp_path / "empty-cards")
    assert "no sound card" in audio_output_problem()
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert "aplay" in audio_output_problem()


# ---- Speaker ----


@pytest.fixture
def speakers(qapp):
    """Makes Speakers (dummy driver unless told) and shuts every one down, so no worker thread outlives its test."""
    made: list[Speaker] = []

    def make(voice: str = "cmn", driver: str | None = "dummy") -> Speaker:
        speaker = Speaker(voice=voice, driver=driver)
        speaker.start()
        made.append(speaker)
        return speaker

    yield make
    for speaker in made:
        speaker.stop()


def _record(speaker: Speaker) -> list[tuple[str, bool]]:
    """Each signal with whether the speaker said it was speaking at that moment."""
    events: list[tuple[str, bool]] = []
    speaker.started.connect(lambda: events.append(("started", speaker.speaking)))
    speaker.finished.connect(lambda: events.append(("finished", speaker.speaking)))
    speaker.failed.connect(lambda reason: events.append((f"failed: {reason}", speaker.speaking)))
    return events


def test_dummy_speaker_signals_start_and_end(qtbot, speakers) -> None:
    speaker = speakers()
    assert speaker.available and speaker.unavailable_reason == "" and speaker.available_voices == tuple(VOICES)
    events = _record(speaker)
    with qtbot.waitSignals([speaker.started, speaker.finished], timeout=5000):
        speaker.say("第一句。第二句。")
        assert speaker.speaking
    assert events == [("started", True), ("finished", False)]
    assert not speaker.speaking


def test_say_returns_while_the_worker_is_still_busy(qtbot, speakers, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker is held at a gate until say() has returned: a say() that waited for the speech would find the gate timing out."""
    gate = threading.Event()
    timed_out: list[bool] = []
    real_split = speech.split_sentences

    def gated(text: str, max_chars: int = 120) -> list[str]:
        if not gate.wait(5):
            timed_out.append(True)
        return real_split(text, max_chars)

    monkeypatch.setattr(speech, "split_sentences", gated)
    speaker = speakers()
    with qtbot.waitSignal(speaker.finished, timeout=10000):
        speaker.say(SHORT)
        assert timed_out == []
        gate.set()
    assert timed_out == []


def test_stop_during_a_long_text_ends_it_promptly(qtbot, speakers) -> None:
    speaker = speakers()
    with qtbot.waitSignal(speaker.started, timeout=5000):
        speaker.say(MANY)
    with qtbot.waitSignal(speaker.finished, timeout=3000):  # the whole text would take 20 s
        speaker.silence()
        assert not speaker.speaking
    assert not speaker.speaking


def test_say_while_speaking_replaces_the_speech(qtbot, speakers) -> None:
    speaker = speakers(voice="yue")
    with qtbot.waitSignal(speaker.started, timeout=5000):
        speaker.say(MANY)
    events = _record(speaker)
    speaker.say(SHORT)
    qtbot.waitUntil(lambda: len(events) >= 3, timeout=5000)
    assert events == [("finished", True), ("started", True), ("finished", False)]  # still speaking when the replaced text ends


def test_empty_text_only_stops(qtbot, speakers) -> None:
    speaker = speakers()
    with qtbot.assertNotEmitted(speaker.started, wait=800):
        speaker.say(" \n")
    assert not speaker.speaking


def test_unknown_voice_settings_fall_back_to_mandarin(speakers) -> None:
    speaker = speakers(voice="fr")
    assert speaker.voice == "cmn"
    speaker.set_voice("yue")
    assert speaker.voice == "yue"
    speaker.set_voice("klingon")
    assert speaker.voice == "cmn"


def test_say_after_stop_does_nothing(qtbot, speakers) -> None:
    workers_before = {thread for thread in threading.enumerate() if thread.name == "speech-worker"}
    speaker = speakers()
    speaker.stop()
    assert {thread for thread in threading.enumerate() if thread.name == "speech-worker" and thread.is_alive()} <= workers_before
    with qtbot.assertNotEmitted(speaker.started, wait=800):
        speaker.say(SHORT)
    assert not speaker.speaking
    speaker.silence()
    speaker.stop()
    speaker.start()  # a stopped Speaker stays stopped
    assert {thread for thread in threading.enumerate() if thread.name == "speech-worker" and thread.is_alive()} <= workers_before


def test_a_speaker_is_silent_until_started_and_its_worker_ends_with_stop(qtbot) -> None:
    speaker = Speaker(driver="dummy")
    assert not speaker.available and speaker.unavailable_reason == "not started"
    speaker.say(SHORT)  # nothing to speak with yet: ignored, never raises
    assert not speaker.speaking
    speaker.start()
    assert speaker.available, speaker.unavailable_reason
    worker = speaker._thread
    assert worker is not None and worker.name == "speech-worker" and worker.is_alive()
    speaker.stop()
    assert not worker.is_alive()


def test_a_driver_error_is_reported_and_the_speaker_keeps_working(qtbot, speakers, monkeypatch: pytest.MonkeyPatch) -> None:
    speaker = speakers()
    events = _record(speaker)
    monkeypatch.setattr(speech._Synth, "utter", lambda self, text: "ValueError: bad voice")
    with qtbot.waitSignal(speaker.finished, timeout=5000):
        speaker.say(SHORT)
    assert events == [("started", True), ("failed: speech error: ValueError: bad voice", True), ("finished", False)]
    assert speaker.available
    monkeypatch.undo()
    with qtbot.waitSignal(speaker.finished, timeout=5000):
        speaker.say(SHORT)


def test_an_engine_that_breaks_mid_speech_disables_the_speaker(qtbot, speakers, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self, text: str) -> str:
        raise RuntimeError("run loop already started")

    speaker = speakers()
    monkeypatch.setattr(speech._Synth, "utter", broken)
    with qtbot.waitSignals([speaker.failed, speaker.finished], timeout=5000):
        speaker.say(SHORT)
    assert not speaker.available and "run loop already started" in speaker.unavailable_reason
    assert not speaker.speaking
    with qtbot.assertNotEmitted(speaker.started, wait=500):
        speaker.say(SHORT)


def test_an_impossible_driver_leaves_the_speaker_unavailable(qtbot, speakers, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="ui.speech"):
        speaker = speakers(driver="no-such-driver")
    assert not speaker.available and "no-such-driver" in speaker.unavailable_reason
    assert [record.getMessage() for record in caplog.records].count(f"read aloud unavailable: {speaker.unavailable_reason}") == 1
    with qtbot.assertNotEmitted(speaker.started, wait=500):
        speaker.say(SHORT)
    assert not speaker.speaking and speaker.available_voices == ()


def test_default_driver_is_available_or_says_why(qtbot, speakers, caplog: pytest.LogCaptureFixture) -> None:
    """Without a sound card or aplay (as in CI) the real espeak driver would be silent, so it must report itself unavailable."""
    with caplog.at_level(logging.WARNING, logger="ui.speech"):
        speaker = speakers(driver=None)
    warned = any("read aloud unavailable" in record.getMessage() for record in caplog.records)
    if speaker.available:
        assert speaker.unavailable_reason == "" and "cmn" in speaker.available_voices and not warned
    else:
        assert speaker.unavailable_reason and warned
        with qtbot.assertNotEmitted(speaker.started, wait=300):
            speaker.say(SHORT)


@linux_only
def test_real_espeak_engine_reads_each_piece_in_the_chosen_voice(qtbot, speakers, fake_audio: Path) -> None:
    """finished comes only once every piece has been played (pyttsx3's espeak runAndWait() returns before that)."""
    speaker = speakers(driver=None)
    assert speaker.available, speaker.unavailable_reason
    assert speaker.available_voices == ("cmn", "yue")
    with qtbot.waitSignal(speaker.finished, timeout=15000):
        speaker.say("第一句。第二句！第三句？")
    mandarin = _played(fake_audio)
    assert len(mandarin) == 3
    assert all(0.2 < _wav(path)[0] < 5 for path in mandarin)
    speaker.set_voice("yue")
    with qtbot.waitSignal(speaker.finished, timeout=15000):
        speaker.say("第一句。")
    cantonese = _played(fake_audio)[3:]
    assert len(cantonese) == 1 and _wav(cantonese[0])[1] != _wav(mandarin[0])[1]


@linux_only
def test_real_espeak_engine_stops_between_pieces(qtbot, speakers, fake_audio: Path) -> None:
    speaker = speakers(driver=None)
    assert speaker.available, speaker.unavailable_reason
    speaker.say(MANY)
    qtbot.waitUntil(lambda: len(_played(fake_audio)) >= 1, timeout=10000)
    with qtbot.waitSignal(speaker.finished, timeout=3000):
        speaker.silence()
    heard = len(_played(fake_audio))
    assert heard < 10
    qtbot.wait(600)
    assert len(_played(fake_audio)) == heard  # finished means silent: nothing was left playing on espeak-ng's thread


@linux_only
def test_only_one_espeak_speaker_at_a_time_and_the_next_one_works(qtbot, speakers, fake_audio: Path) -> None:
    """A second espeak engine would take espeak-ng's one synth callback and hang the first, so it is refused instead."""
    first = speakers(driver=None)
    assert first.available, first.unavailable_reason
    second = speakers(driver="espeak")
    assert not second.available and "espeak" in second.unavailable_reason
    first.stop()
    third = speakers(driver="espeak")
    assert third.available, third.unavailable_reason
    with qtbot.waitSignal(third.finished, timeout=15000):
        third.say(SHORT)
    assert len(_played(fake_audio)) == 1
