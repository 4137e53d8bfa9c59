"""Read aloud (朗读): content screens spoken in Mandarin or Cantonese by espeak-ng, without ever blocking the screen, stopped at once.

Each piece of text (a sentence, see split_sentences) is prepared by ``kiosk/speech_text.py`` (numbers, amounts and symbols
written out as they are said) and played by our own pipeline ``espeak-ng --stdout | aplay``, started on a worker thread. The
voice is the one ``kiosk/voices.py`` found to read Chinese without switching to English. silence() kills both processes of the
pipeline and reaps them before it returns, so 停止 is immediate (pyttsx3's espeak driver, used before, played every piece with a
blocking ``aplay`` nothing could interrupt). ``reading`` tells the screen which piece is being read.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import re
import signal
import subprocess
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot

from kiosk.speech_text import prepare
from kiosk.voices import NULL_PLAYER, PLAYER, SpeechUnavailable, Voice, audio_output_problem, choose, espeak_program, speech_command, voice_for

__all__ = ["NULL_PLAYER", "PLAYER", "VOICES", "Speaker", "audio_output_problem", "speak_to_file", "split_sentences"]

log = logging.getLogger(__name__)

VOICES = {"cmn": "普通话", "yue": "粤语"}

PIECE_CHARS = 120  # longest piece spoken (and highlighted) in one go; stop() does not wait for its end
START_TIMEOUT_S = 10.0  # probing the voices runs espeak-ng a few times
SHUTDOWN_TIMEOUT_S = 2.0
UTTERANCE_TIMEOUT_S = 120.0  # a piece that has not ended by then means a stuck player
REAP_TIMEOUT_S = 2.0  # a killed process is gone long before this

_ENDS = "。！？；!?;\n…"
_SENTENCE = re.compile(rf"[^{_ENDS}]*(?:[{_ENDS}]+[”’」』）)]*|\Z)")
_CLAUSE = re.compile(r"(?:[^，,、：:]|(?<=\d)[,:](?=\d))*(?:[，,、：:]+|\Z)")  # 1,176.00 and 14:30 are not cut


def split_sentences(text: str, max_chars: int = 120) -> list[str]:
    """Cut text after sentence ends (then after commas, then anywhere) into pieces of at most max_chars, so stop() can act between them.

    Nothing but whitespace at the cuts is dropped, and no piece is empty.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, not {max_chars}")
    pieces: list[str] = []
    for sentence in _SENTENCE.findall(text):
        if len(sentence.strip()) <= max_chars:
            pieces.append(sentence.strip())
        else:
            pieces += _pack(_CLAUSE.findall(sentence), max_chars)
    return [piece for piece in pieces if piece]


def _pack(clauses: Iterable[str], max_chars: int) -> list[str]:
    """Greedily join clauses into pieces of at most max_chars, cutting a clause that alone is too long."""
    pieces: list[str] = []
    current = ""
    for clause in clauses:
        for start in range(0, len(clause), max_chars):
            part = clause[start : start + max_chars]
            if len(current) + len(part) > max_chars:
                pieces.append(current.strip())
                current = ""
            current += part
    pieces.append(current.strip())
    return pieces


def speak_to_file(text: str, path: Path, voice: str = "cmn") -> Path:
    """Render what 朗读 says for text to a WAV file (same voice and preparation), blocking; for tests and ``kiosk speak``."""
    from kiosk.voices import render_to_file

    return render_to_file(text, path, voice)


@dataclass(frozen=True)
class _Job:
    generation: int
    text: str
    voice: str


class Speaker(QObject):
    """Reads text aloud on a worker thread (``speech-worker``); every method returns at once and never raises.

    The worker runs from start() (which waits at most START_TIMEOUT_S for the voices to be probed) to stop(), the shape every
    long-lived worker of the kiosk has; MainWindow.shutdown() stops it on quit. Until start() it is unavailable and silent.
    ``player`` is the command the WAV stream is piped into (PLAYER: the sound card; NULL_PLAYER: nowhere).
    Signals are emitted in the thread the Speaker lives in (the GUI thread).
    """

    started = Signal()
    finished = Signal()
    failed = Signal(str)
    reading = Signal(int, str)  # (index, piece): the piece of the text being read now, as given to say()
    _event = Signal(str, int, int, str)  # (kind, generation, index, message) from the worker, delivered queued

    def __init__(self, voice: str = "cmn", player: Sequence[str] = PLAYER, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._voice = _known_voice(voice)
        self._player = tuple(player)
        self._generation = 0  # bumped by say(), silence() and stop(); the worker drops jobs and pieces of older generations
        self._speaking = False
        self._closed = False
        self._reason = "not started"
        self._voices: dict[str, Voice] = {}
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._ready = threading.Event()
        self._lock = threading.Lock()  # guards _processes between the worker (starts them) and silence() (kills them)
        self._processes: list[subprocess.Popen[bytes]] = []
        self._event.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the worker and wait for its voices; afterwards ``available`` says whether it can speak."""
        if self._thread is not None or self._closed:
            return
        self._reason = ""
        self._thread = threading.Thread(target=self._work, name="speech-worker", daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_S):
            self._reason = f"speech engine did not start within {START_TIMEOUT_S:.0f} s"
            self._closed = True
            self._jobs.put(None)
        if self._reason:
            log.warning("read aloud unavailable: %s", self._reason)
        elif self._voice not in self._voices:
            log.warning("no %s voice: %s will be read in Mandarin", self._voice, VOICES[self._voice])

    @property
    def available(self) -> bool:
        return not self._reason

    @property
    def unavailable_reason(self) -> str:
        return self._reason

    @property
    def speaking(self) -> bool:
        """True from say() until that speech has finished or silence() was called."""
        return self._speaking

    @property
    def voice(self) -> str:
        return self._voice

    @property
    def available_voices(self) -> tuple[str, ...]:
        """The VOICES settings this machine really has, so a chooser can hide Cantonese where no voice exists."""
        return tuple(code for code in VOICES if code in self._voices)

    @property
    def espeak_voices(self) -> dict[str, str]:
        """The espeak-ng voice chosen for each setting (by kiosk/voices.py's probe), for staff and tests."""
        return {code: voice.espeak for code, voice in self._voices.items()}

    @property
    def process_ids(self) -> tuple[int, ...]:
        """The pids of the espeak-ng | player pipeline playing now; empty when silent."""
        with self._lock:
            return tuple(process.pid for process in self._processes)

    def set_voice(self, voice: str) -> None:
        """Takes effect from the next say()."""
        self._voice = _known_voice(voice)
        if self.available and self._voice not in self._voices:
            log.warning("no %s voice: text will be read in Mandarin", VOICES[self._voice])

    @property
    def generation(self) -> int:
        """Bumped by every say(), silence() and stop(): a listener can tell its own speech from one it replaced."""
        return self._generation

    def say(self, text: str) -> None:
        """Replace whatever is being read with text (``generation`` then names this speech)."""
        if self._closed or not self.available:
            return
        self._generation += 1
        self._kill()
        self._speaking = bool(text.strip())
        if self._speaking:
            self._jobs.put(_Job(self._generation, text, self._voice))

    def silence(self) -> None:
        """Stop now: the playing pipeline is killed and reaped before this returns; finished follows."""
        self._generation += 1
        self._speaking = False
        self._kill()

    def stop(self) -> None:
        """Silence and end the worker; waits at most SHUTDOWN_TIMEOUT_S. Safe before start() and twice; a stopped Speaker stays silent."""
        self._closed = True
        self.silence()
        if self._thread is None:
            return
        self._jobs.put(None)
        self._thread.join(SHUTDOWN_TIMEOUT_S)
        if self._thread.is_alive():
            log.warning("speech worker still busy after %.0f s; left to end by itself", SHUTDOWN_TIMEOUT_S)

    def _kill(self) -> None:
        with self._lock:
            processes, self._processes = self._processes, []
        for process in processes:
            with contextlib.suppress(OSError):  # each runs in its own process group: a player script's children go too
                os.killpg(process.pid, signal.SIGKILL)
        for process in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(REAP_TIMEOUT_S)  # reaped: the pid is gone, not a zombie

    @Slot(str, int, int, str)
    def _deliver(self, kind: str, generation: int, index: int, message: str) -> None:
        if kind == "started":
            self.started.emit()
        elif kind == "reading":
            if generation == self._generation:
                self.reading.emit(index, message)
        elif kind == "finished":
            if generation == self._generation:
                self._speaking = False
            self.finished.emit()
        else:
            log.warning("read aloud: %s", message)
            self.failed.emit(message)

    def _emit(self, kind: str, generation: int, index: int = -1, message: str = "") -> None:
        with contextlib.suppress(RuntimeError):  # the Qt side of the Speaker may already be gone at exit
            self._event.emit(kind, generation, index, message)

    def _work(self) -> None:
        """Thread body: probe the voices, then serve jobs until stop()."""
        try:
            program = espeak_program()
            if problem := audio_output_problem(self._player):
                raise SpeechUnavailable(f"cannot play speech: {problem}")
            self._voices = {code: voice for code in VOICES if (voice := choose(code, program)) is not None}
            if "cmn" not in self._voices:
                voice_for("cmn", program)  # raises with the reason
        except SpeechUnavailable as exc:
            self._reason = str(exc)
            return
        except Exception as exc:
            self._reason = f"speech engine failed to start: {type(exc).__name__}: {exc}"
            return
        finally:
            self._ready.set()
        while (job := self._jobs.get()) is not None:
            if job.generation != self._generation:
                continue  # replaced or stopped before it began
            self._emit("started", job.generation)
            try:
                self._speak(job)
            except Exception as exc:
                self._emit("failed", job.generation, message=f"speech failed: {type(exc).__name__}: {exc}")
            finally:
                self._emit("finished", job.generation)

    def _speak(self, job: _Job) -> None:
        voice = self._voices.get(job.voice) or self._voices["cmn"]
        for index, piece in enumerate(split_sentences(job.text, PIECE_CHARS)):
            if job.generation != self._generation:
                return
            self._emit("reading", job.generation, index, piece)
            if error := self._play(voice, prepare(piece, voice.setting), job.generation):
                self._emit("failed", job.generation, message=error)
                return

    def _play(self, voice: Voice, text: str, generation: int) -> str:
        """Play one prepared piece through espeak-ng | player until it ends or is killed; an error message, "" when none."""
        with self._lock:
            if generation != self._generation:
                return ""
            espeak = subprocess.Popen(speech_command(voice), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                      start_new_session=True)
            try:
                player = subprocess.Popen(self._player, stdin=espeak.stdout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                          start_new_session=True)
            except OSError:
                espeak.kill()
                espeak.wait()
                raise
            self._processes = [espeak, player]
        assert espeak.stdin is not None and espeak.stdout is not None
        espeak.stdout.close()  # the player holds the pipe now: espeak-ng sees it break if the player dies
        with contextlib.suppress(BrokenPipeError):
            espeak.stdin.write(text.encode("utf-8"))
            espeak.stdin.close()
        try:
            _, errors = player.communicate(timeout=UTTERANCE_TIMEOUT_S)
            espeak.wait(REAP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._kill()
            return f"speech did not end within {UTTERANCE_TIMEOUT_S:.0f} s"
        with self._lock:
            killed = generation != self._generation or not self._processes
            self._processes = []
        if killed or player.returncode == 0:
            return ""
        return f"cannot play speech: {' '.join(self._player)} exited with code {player.returncode}: " \
               f"{errors.decode('utf-8', 'replace').strip()}"


def _known_voice(voice: str) -> str:
    """A stored setting may be stale or mistyped: fall back to Mandarin rather than break the screen."""
    if voice in VOICES:
        return voice
    log.warning("unknown voice %r; using cmn", voice)
    return "cmn"
