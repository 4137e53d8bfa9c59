"""Read aloud: real espeak-ng speech to files, sentence splitting, and the Speaker's own espeak-ng | player pipeline.

The Speaker tests play into fake players (shell scripts that keep each WAV they are given, and either end or hold the pipe
open until killed) or aplay's null device, so they need no sound card and check what 朗读 really produced.
"""

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

from kiosk import voices
from ui import speech
from ui.speech import NULL_PLAYER, VOICES, Speaker, audio_output_problem, speak_to_file, split_sentences

SHORT = "你好。"
LONG = "根据《中华人民共和国政府信息公开条例》，现将本县二〇二六年耕地地力保护补贴发放情况公示如下。如有疑问，请在工作日拨打县农业农村局电话咨询。"
MANY = "".join(f"第{n}条已经公示。" for n in range(1, 41))  # 40 pieces
ENDS = "。！？；!?;\n…"

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the speech pipeline plays through aplay (ALSA) on Linux")


def _squash(text: str) -> str:
    return "".join(text.split())


def _wav(path: Path) -> tuple[float, bytes]:
    """Duration in seconds and frames of a valid mono 16-bit WAV file (from the frames read: espeak-ng --stdout streams a WAV
    whose header cannot know its length)."""
    with wave.open(str(path), "rb") as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2 and wav.getframerate() >= 8000
        frames = wav.readframes(wav.getnframes())
        return len(frames) / 2 / wav.getframerate(), frames


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
        ("甲乙丙丁戊己，补助1,176.00元。", 12, ["甲乙丙丁戊己，", "补助1,176.00元。"]),  # an amount is not cut at its comma
        ("甲乙丙丁戊己，时间14:30。", 12, ["甲乙丙丁戊己，", "时间14:30。"]),
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



# ---- audio output ----


def test_audio_output_problem_names_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "aplay").write_text("#!/bin/sh\ncat > /dev/null\n")
    (bin_dir / "aplay").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    cards = tmp_path / "cards"
    cards.write_text(" 0 [PCH            ]: HDA-Intel - HDA Intel PCH\n")
    monkeypatch.setattr(voices, "ALSA_CARDS", cards)
    assert audio_output_problem() == ""
    monkeypatch.setattr(voices, "ALSA_CARDS", tmp_path / "no-such-file")
    assert "no sound card" in audio_output_problem()
    assert audio_output_problem(NULL_PLAYER) == ""  # the null device needs no card
    (tmp_path / "empty-cards").write_text("--- no soundcards ---\n")
    monkeypatch.setattr(voices, "ALSA_CARDS", tmp_path / "empty-cards")
    assert "no sound card" in audio_output_problem()
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert "aplay not found" in audio_output_problem()


# ---- Speaker ----


def keeping_player(folder: Path, *, hold: bool = False) -> tuple[str, ...]:
    """A player that keeps each WAV stream it is given as folder/NNNN.wav; with hold it then waits to be killed, like a long piece."""
    folder.mkdir(exist_ok=True)
    script = folder.parent / ("hold.sh" if hold else "keep.sh")
    script.write_text(f'n=$(ls "{folder}" | wc -l)\ncat > "{folder}/$(printf %04d "$n").wav"\n' + ("exec sleep 300\n" if hold else ""))
    return ("sh", str(script))


def _played(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.wav"))


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def speakers(qapp):
    """Makes started Speakers (aplay's null device unless told) and stops every one, so no worker or process outlives its test."""
    made: list[Speaker] = []

    def make(voice: str = "cmn", player: tuple[str, ...] = NULL_PLAYER) -> Speaker:
        speaker = Speaker(voice=voice, player=player)
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


@linux_only
def test_speaker_signals_start_and_end_and_names_each_piece(qtbot, speakers) -> None:
    speaker = speakers()
    assert speaker.available, speaker.unavailable_reason
    assert speaker.available_voices == tuple(VOICES)
    assert speaker.espeak_voices == {"cmn": "cmn-latn-pinyin", "yue": "yue"}  # chosen by probing, not by name (sit/cmn reads English)
    events = _record(speaker)
    pieces: list[tuple[int, str]] = []
    speaker.reading.connect(lambda index, piece: pieces.append((index, piece)))
    with qtbot.waitSignals([speaker.started, speaker.finished], timeout=15000):
        speaker.say("第一句。第二句。")
        assert speaker.speaking
    assert events == [("started", True), ("finished", False)]
    assert pieces == [(0, "第一句。"), (1, "第二句。")]
    assert not speaker.speaking and speaker.process_ids == ()


@linux_only
def test_each_piece_is_played_prepared_in_the_chosen_voice(qtbot, speakers, tmp_path: Path) -> None:
    """What reaches the player is espeak-ng's WAV for the prepared piece: the same bytes kiosk speak --to-file writes."""
    played = tmp_path / "played"
    speaker = speakers(player=keeping_player(played))
    with qtbot.waitSignal(speaker.finished, timeout=15000):
        speaker.say("请拨打0739-5213101。第二句！")
    mandarin = _played(played)
    assert len(mandarin) == 2
    assert all(0.2 < _wav(path)[0] < 15 for path in mandarin)
    alone = speak_to_file("请拨打0739-5213101。", tmp_path / "alone.wav")
    assert _wav(mandarin[0])[1] == _wav(alone)[1]
    speaker.set_voice("yue")
    with qtbot.waitSignal(speaker.finished, timeout=15000):
        speaker.say("第二句！")
    cantonese = _played(played)[2:]
    assert len(cantonese) == 1 and _wav(cantonese[0])[1] != _wav(mandarin[1])[1]


@linux_only
def test_silence_kills_the_playing_pipeline_at_once(qtbot, speakers, tmp_path: Path) -> None:
    """停止 is immediate: the player (held open as a long piece would be) and espeak-ng are gone, by pid, when silence() returns."""
    played = tmp_path / "played"
    speaker = speakers(player=keeping_player(played, hold=True))
    with qtbot.waitSignal(speaker.started, timeout=15000):
        speaker.say(MANY)
    qtbot.waitUntil(lambda: len(speaker.process_ids) == 2 and len(_played(played)) == 1, timeout=15000)
    pids = speaker.process_ids
    assert not any(_gone(pid) for pid in pids)
    with qtbot.waitSignal(speaker.finished, timeout=5000):
        speaker.silence()
        assert all(_gone(pid) for pid in pids), pids  # checked before any event is processed: no waiting for the piece
        assert speaker.process_ids == () and not speaker.speaking
    assert len(_played(played)) == 1  # the next piece was never started


@linux_only
def test_say_while_speaking_replaces_the_speech(qtbot, speakers, tmp_path: Path) -> None:
    played = tmp_path / "played"
    speaker = speakers(voice="yue", player=keeping_player(played, hold=True))
    with qtbot.waitSignal(speaker.started, timeout=15000):
        speaker.say(MANY)
    qtbot.waitUntil(lambda: len(speaker.process_ids) == 2 and len(_played(played)) == 1, timeout=15000)
    first = speaker.process_ids
    events = _record(speaker)
    speaker.say(SHORT)
    assert all(_gone(pid) for pid in first)
    qtbot.waitUntil(lambda: len(events) >= 2 and len(speaker.process_ids) == 2 and len(_played(played)) == 2, timeout=15000)
    assert events == [("finished", True), ("started", True)]  # still speaking when the replaced text ends
    assert len(_played(played)) == 2


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
    speaker = Speaker(player=NULL_PLAYER)
    assert not speaker.available and speaker.unavailable_reason == "not started"
    speaker.say(SHORT)  # nothing to speak with yet: ignored, never raises
    assert not speaker.speaking
    speaker.start()
    assert speaker.available, speaker.unavailable_reason
    worker = speaker._thread
    assert worker is not None and worker.name == "speech-worker" and worker.is_alive()
    speaker.stop()
    assert not worker.is_alive()


@linux_only
def test_a_player_that_fails_is_reported_and_the_speaker_keeps_working(qtbot, speakers, tmp_path: Path) -> None:
    """aplay refusing the device (busy, unplugged) must say it cannot play, not crash or hang."""
    script = tmp_path / "failing.sh"
    script.write_text("cat > /dev/null\necho 'aplay: main:831: audio open error: Device or resource busy' >&2\nexit 1\n")
    speaker = speakers(player=("sh", str(script)))
    events = _record(speaker)
    with qtbot.waitSignal(speaker.finished, timeout=15000):
        speaker.say(SHORT)
    assert [event for event, _ in events] == [
        "started", f"failed: cannot play speech: sh {script} exited with code 1: aplay: main:831: audio open error: Device or resource busy",
        "finished"]
    assert speaker.available
    script.write_text("cat > /dev/null\n")
    with qtbot.waitSignal(speaker.finished, timeout=15000):
        speaker.say(SHORT)
    assert [event for event, _ in events][3:] == ["started", "finished"]


def test_a_missing_player_leaves_the_speaker_unavailable(qtbot, speakers, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="ui.speech"):
        speaker = speakers(player=("no-such-player",))
    assert not speaker.available and "no-such-player not found" in speaker.unavailable_reason
    assert [record.getMessage() for record in caplog.records].count(f"read aloud unavailable: {speaker.unavailable_reason}") == 1
    with qtbot.assertNotEmitted(speaker.started, wait=500):
        speaker.say(SHORT)
    assert not speaker.speaking and speaker.available_voices == ()


def test_default_player_is_available_or_says_why(qtbot, speakers, caplog: pytest.LogCaptureFixture) -> None:
    """Without a sound card or aplay (as in CI) the kiosk cannot play: the speaker says so instead of failing later or crashing."""
    with caplog.at_level(logging.WARNING, logger="ui.speech"):
        speaker = speakers(player=speech.PLAYER)
    warned = any("read aloud unavailable" in record.getMessage() for record in caplog.records)
    if speaker.available:
        assert speaker.unavailable_reason == "" and "cmn" in speaker.available_voices and not warned
    else:
        assert speaker.unavailable_reason.startswith("cannot play speech: ") and warned
        with qtbot.assertNotEmitted(speaker.started, wait=300):
            speaker.say(SHORT)


def test_without_espeak_the_speaker_says_so(qtbot, speakers, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    speaker = speakers(player=("sh", "-c", "cat > /dev/null"))
    assert not speaker.available and "espeak-ng is not installed" in speaker.unavailable_reason
