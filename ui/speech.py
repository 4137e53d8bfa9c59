"""Read aloud (朗读): content screens spoken in Mandarin or Cantonese through pyttsx3, without ever blocking the screen.

pyttsx3's runAndWait() blocks and cannot be re-entered, so one worker thread owns the engine for the Speaker's whole life and takes jobs
from a queue. Text is spoken piece by piece (split_sentences), each awaited to its end, so silence() and a newer say() take effect between
pieces: no sooner, because pyttsx3 2.99's espeak driver plays every piece with a blocking `aplay` that nothing can interrupt.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)

VOICES = {"cmn": "普通话", "yue": "粤语"}

CHUNK_CHARS = 30  # longest piece spoken in one go: about 9 s of espeak Mandarin, the worst delay of stop() on Linux
START_TIMEOUT_S = 5.0
SHUTDOWN_TIMEOUT_S = 2.0
UTTERANCE_TIMEOUT_S = 60.0  # a piece that has not ended by then means a stuck engine
ALSA_CARDS = Path("/proc/asound/cards")

# Language tags the voices for each setting carry, best first: espeak-ng says cmn / yue, SAPI5 and macOS say zh-CN / zh-HK.
_LANGUAGE_TAGS = {"cmn": ("cmn", "zh-cn", "zh-sg", "zh", "zh-tw"), "yue": ("yue", "zh-yue", "zh-hk", "zh-mo")}

_ENDS = "。！？；!?;\n…"
_SENTENCE = re.compile(rf"[^{_ENDS}]*(?:[{_ENDS}]+[”’」』）)]*|\Z)")
_CLAUSE = re.compile(r"[^，,、：:]*(?:[，,、：:]+|\Z)")

# espeak-ng keeps one synth callback per process: a second pyttsx3 espeak engine takes it over, so the first one's speech never
# reports its end, and deleting either leaves espeak-ng calling a dead callback. Only one Speaker at a time may own an espeak engine.
_ESPEAK = threading.Lock()


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


def match_voices(voices: Iterable[Any]) -> dict[str, str]:
    """Voice id for each VOICES setting the engine can speak, preferring native-script voices over espeak's *-latn-* variants."""
    voices = list(voices)
    found: dict[str, str] = {}
    for code, tags in _LANGUAGE_TAGS.items():
        ranked = []
        for voice in voices:
            languages = {str(language).lower().replace("_", "-") for language in voice.languages or ()}
            ranks = [rank for rank, tag in enumerate(tags) if tag in languages]
            if ranks:
                ranked.append((ranks[0], "latn" in str(voice.id).lower(), str(voice.id)))
        if ranked:
            found[code] = min(ranked)[2]
    return found


def audio_output_problem() -> str:
    """Why pyttsx3's espeak driver would be silent on this Linux machine, or "" when it can play.

    The driver plays each utterance by running `aplay` through os.system and ignores any failure, so the reason must be found up front.
    """
    if shutil.which("aplay") is None:
        return "aplay not found (install alsa-utils): pyttsx3's espeak driver plays speech through it"
    try:
        cards = ALSA_CARDS.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"no sound card: {ALSA_CARDS} does not exist"
    if not cards.strip() or "no soundcards" in cards:
        return "no sound card: ALSA lists none"
    return ""


def speak_to_file(text: str, path: Path, voice: str = "cmn") -> Path:
    """Render text to a WAV file with the espeak-ng program, blocking; for tests and tools.

    Not through pyttsx3: in 2.99 its espeak save_to_file() leaves the engine writing every later say() to that file, and a second
    espeak engine in the process would take the synth callback from a running Speaker (see _ESPEAK).
    """
    if voice not in VOICES:
        raise ValueError(f"unknown voice {voice!r}; expected one of {sorted(VOICES)}")
    if not text.strip():
        raise ValueError("nothing to speak")
    program = shutil.which("espeak-ng")
    if program is None:
        raise FileNotFoundError("espeak-ng is not installed (apt-get install espeak-ng)")
    path = Path(path)
    command = [program, "-v", voice, "-b", "1", "-w", str(path), "--stdin"]
    result = subprocess.run(command, input=text.encode("utf-8"), capture_output=True, timeout=120, check=False)
    if result.returncode != 0 or not path.is_file():
        raise RuntimeError(f"espeak-ng failed with code {result.returncode}: {result.stderr.decode('utf-8', 'replace').strip()}")
    return path


class _Unavailable(Exception):
    """A plain reason why no engine can speak here."""


class _Synth:
    """One pyttsx3 engine and the 2.99 driver quirks around it; only the worker thread creates or uses it."""

    def __init__(self, driver: str) -> None:
        self.driver = driver
        self._errors: list[str] = []
        self._done = threading.Event()
        self._voice = ""
        self._engine = self._new_engine()
        # The dummy driver has no Chinese voice (and a broken voice setter): it stands in for every voice.
        self.voice_ids = dict.fromkeys(VOICES, "") if driver == "dummy" else match_voices(self._engine.getProperty("voices"))
        if "cmn" not in self.voice_ids:
            raise _Unavailable(f"pyttsx3 driver {driver!r} has no Mandarin voice")

    def _new_engine(self) -> Any:
        import pyttsx3

        errors, done = self._errors, self._done  # not self: a cycle back to the engine would put off its deletion to some garbage collection

        def on_error(name: str | None = None, exception: BaseException | None = None, **_: Any) -> None:
            errors.append(f"{type(exception).__name__}: {exception}")  # pyttsx3 swallows driver exceptions and reports them here

        def on_finished(name: str | None = None, completed: bool = True, **_: Any) -> None:
            done.set()  # may run on espeak-ng's own thread

        engine = pyttsx3.Engine(self.driver)  # not pyttsx3.init(), which hands every caller the same engine per driver name
        engine.connect("error", on_error)
        engine.connect("finished-utterance", on_finished)
        return engine

    def use_voice(self, code: str) -> None:
        voice_id = self.voice_ids.get(code) or self.voice_ids["cmn"]
        if voice_id and voice_id != self._voice:
            self._engine.setProperty("voice", voice_id)
            self._voice = voice_id

    def utter(self, text: str) -> str:
        """Speak one piece until it has been heard; return what the driver reported as errors, "" when none."""
        if self.driver == "dummy":
            # 2.99's dummy driver never leaves a second runAndWait() (its say() does not end the loop): give it a fresh engine.
            self._engine = self._new_engine()
        self._done.clear()
        self._engine.say(text)  # one say() per runAndWait(): 2.99's espeak driver speaks only the last text queued
        self._engine.runAndWait()
        # 2.99's espeak driver returns from runAndWait() once espeak-ng has the text: espeak-ng's own thread synthesises, plays it
        # (aplay) and then reports the end. Without this wait the next piece would cut this one off, and shutdown could delete the
        # driver while espeak-ng still calls it back (a crash).
        if not self._done.wait(UTTERANCE_TIMEOUT_S):
            raise TimeoutError(f"no end of speech reported within {UTTERANCE_TIMEOUT_S:.0f} s")
        if self.driver == "espeak":
            time.sleep(0.05)  # let espeak-ng's thread leave the driver callback it reported from before the engine is used again
        errors = "; ".join(self._errors)
        self._errors.clear()
        return errors


@dataclass(frozen=True)
class _Job:
    generation: int
    text: str
    voice: str


class Speaker(QObject):
    """Reads text aloud on a worker thread that alone owns the pyttsx3 engine; every method returns at once and never raises.

    The worker runs from start() (which waits at most START_TIMEOUT_S for the engine) to stop(), the shape every long-lived
    worker of the kiosk has; MainWindow.shutdown() stops it on quit. Until start() it is unavailable and silent.
    Signals are emitted in the thread the Speaker lives in (the GUI thread).
    """

    started = Signal()
    finished = Signal()
    failed = Signal(str)
    _event = Signal(str, int, str)  # (kind, generation, message) from the worker, delivered queued in the Speaker's thread

    def __init__(self, voice: str = "cmn", driver: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._voice = _known_voice(voice)
        self._driver = driver
        self._generation = 0  # bumped by say(), silence() and stop(); the worker drops jobs and pieces of older generations
        self._speaking = False
        self._closed = False
        self._reason = "not started"
        self._voices: tuple[str, ...] = ()
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._ready = threading.Event()
        self._event.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the worker (``speech-worker``) and wait for its engine; afterwards ``available`` says whether it can speak."""
        if self._thread is not None or self._closed:
            return
        self._reason = ""
        self._thread = threading.Thread(target=self._work, args=(self._driver,), name="speech-worker", daemon=True)
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
        """True from say() until that speech has finished or stop() was called."""
        return self._speaking

    @property
    def voice(self) -> str:
        return self._voice

    @property
    def available_voices(self) -> tuple[str, ...]:
        """The VOICES settings this engine really has, so a chooser can hide Cantonese where no voice exists."""
        return self._voices

    def set_voice(self, voice: str) -> None:
        """Takes effect from the next say()."""
        self._voice = _known_voice(voice)
        if self.available and self._voice not in self._voices:
            log.warning("no %s voice: text will be read in Mandarin", VOICES[self._voice])

    def say(self, text: str) -> None:
        """Replace whatever is being read with text."""
        if self._closed or not self.available:
            return
        self._generation += 1
        self._speaking = bool(text.strip())
        if self._speaking:
            self._jobs.put(_Job(self._generation, text, self._voice))

    def silence(self) -> None:
        """Speech ends when the piece being played does (at most CHUNK_CHARS characters); finished follows."""
        self._generation += 1
        self._speaking = False

    def stop(self) -> None:
        """Silence and end the worker; waits at most SHUTDOWN_TIMEOUT_S, then leaves the (daemon) thread to finish its piece alone.

        Safe before start() and twice; a stopped Speaker stays silent (it is not restarted).
        """
        self._closed = True
        self.silence()
        if self._thread is None:
            return
        self._jobs.put(None)
        self._thread.join(SHUTDOWN_TIMEOUT_S)
        if self._thread.is_alive():
            log.warning("speech worker still busy after %.0f s; left to end by itself", SHUTDOWN_TIMEOUT_S)

    @Slot(str, int, str)
    def _deliver(self, kind: str, generation: int, message: str) -> None:
        if kind == "started":
            self.started.emit()
        elif kind == "finished":
            if generation == self._generation:
                self._speaking = False
            self.finished.emit()
        else:
            log.warning("read aloud: %s", message)
            self.failed.emit(message)

    def _emit(self, kind: str, generation: int, message: str = "") -> None:
        with contextlib.suppress(RuntimeError):  # the Qt side of the Speaker may already be gone at exit
            self._event.emit(kind, generation, message)

    def _work(self, driver: str | None) -> None:
        """Thread body, and the only code that touches pyttsx3."""
        name = driver or "default"
        owns_espeak = False
        synth: _Synth | None = None
        try:
            try:
                if sys.platform == "win32":  # SAPI5 is COM: a thread must enter an apartment before creating COM objects
                    import pythoncom

                    pythoncom.CoInitialize()
                name = driver or _default_driver()
                if name == "espeak":
                    owns_espeak = _ESPEAK.acquire(blocking=False)
                    if not owns_espeak:
                        raise _Unavailable("another Speaker already owns the espeak engine (espeak-ng allows one per process)")
                synth = _Synth(name)
                if name == "espeak" and sys.platform.startswith("linux") and (problem := audio_output_problem()):
                    raise _Unavailable(problem)
                self._voices = tuple(code for code in VOICES if code in synth.voice_ids)
            except _Unavailable as exc:
                self._reason = str(exc)
                return
            except Exception as exc:
                self._reason = f"pyttsx3 driver {name!r} failed to start: {type(exc).__name__}: {exc}"
                return
            finally:
                self._ready.set()
            self._serve(synth)
        finally:
            del synth  # an espeak driver clears the process-wide callback when deleted: gone before another engine may start
            if owns_espeak:
                _ESPEAK.release()

    def _serve(self, synth: _Synth) -> None:
        while (job := self._jobs.get()) is not None:
            if job.generation != self._generation:
                continue  # replaced or stopped before it began
            self._emit("started", job.generation)
            try:
                self._speak(synth, job)
            except Exception as exc:  # a pyttsx3 loop that raised stays "running": this engine cannot be used again
                self._reason = f"speech engine failed: {type(exc).__name__}: {exc}"
                self._emit("failed", job.generation, self._reason)
                return
            finally:
                self._emit("finished", job.generation)

    def _speak(self, synth: _Synth, job: _Job) -> None:
        synth.use_voice(job.voice)
        for piece in split_sentences(job.text, CHUNK_CHARS):
            if job.generation != self._generation:
                return
            if error := synth.utter(piece):
                self._emit("failed", job.generation, f"speech error: {error}")
                return


def _default_driver() -> str:
    from pyttsx3.engine import default_engine_by_sys_platform

    return default_engine_by_sys_platform()


def _known_voice(voice: str) -> str:
    """A stored setting may be stale or mistyped: fall back to Mandarin rather than break the screen."""
    if voice in VOICES:
        return voice
    log.warning("unknown voice %r; using cmn", voice)
    return "cmn"
