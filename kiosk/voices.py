"""Which espeak-ng voice 朗读 uses, chosen by what the voice does with Chinese text, not by its name.

On Debian 12's espeak-ng 1.51 the voice named ``cmn`` ("Chinese (Mandarin, latin as English)")
lacks most characters in its dictionary and reads them as English-sounding pinyin with tone
numbers (espeak-ng issue #1236): ``espeak-ng -v cmn -x -q 临时救助`` prints
``(en)lI55nt'u:55(cmn)_| s.'i.35_| (en)dZI33;@11fo@11_| ...`` where ``(en)`` marks a switch to
English. ``cmn-latn-pinyin`` reads the same text as Mandarin. A voice is accepted only if
rendering ``PROBES`` (prepared by ``kiosk/speech_text.py``) gives phonemes without ``(en)``.

No Qt here: ``ui/speech.py`` and ``kiosk speak`` both use it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import ExitCode, KioskError
from kiosk.speech_text import prepare

# The settings 朗读 offers (speech.voice) and the espeak-ng voices to try for each, best first.
CANDIDATES: dict[str, tuple[str, ...]] = {
    "cmn": ("cmn-latn-pinyin", "cmn", "zh"),
    "yue": ("yue", "zh-yue"),
}
# Known text for each setting: common words of the kiosk's content, with a phone number and an amount.
PROBES: dict[str, str] = {
    "cmn": "临时救助申请，请拨打0739-5213101咨询。补助金额¥1,176.00，按50%发放。",
    "yue": "临时救助申请，请拨打0739-5213101咨询。补助金额¥1,176.00，按50%发放。",
}
ENGLISH = "(en)"
# espeak-ng -x marks every switch of language with the language's code, e.g. (en)...(cmn) or (el)...(cmn).
SWITCH = re.compile(r"\([a-z]{2,3}(?:-[a-z]+)*\)")
PROBE_TIMEOUT_S = 20.0
ALSA_CARDS = Path("/proc/asound/cards")
PLAYER = ("aplay", "-q")  # the terminal's sound card (alsa-utils, from scripts/setup-system.sh)
NULL_PLAYER = ("aplay", "-q", "-D", "null")  # plays to nothing: for tests and machines without sound

_lock = threading.Lock()
_chosen: dict[tuple[str, str], Voice | None] = {}


class SpeechUnavailable(KioskError):
    """A plain reason why nothing can be read aloud here (no espeak-ng, no fitting voice, no sound)."""

    exit_code = ExitCode.SPEECH


@dataclass(frozen=True)
class Voice:
    setting: str  # cmn / yue
    espeak: str  # the espeak-ng voice name, for -v
    program: str  # the espeak-ng executable


def espeak_program() -> str:
    program = shutil.which("espeak-ng")
    if program is None:
        raise SpeechUnavailable("espeak-ng is not installed (apt-get install espeak-ng; scripts/setup-system.sh installs it)")
    return program


def phonemes(text: str, espeak_voice: str, program: str | None = None) -> str:
    """espeak-ng's phoneme string for text as given (no preparation), without sound: ``espeak-ng -v V -x -q``."""
    program = program or espeak_program()
    result = subprocess.run([program, "-v", espeak_voice, "-x", "-q", "-b", "1", "--stdin"], input=text.encode("utf-8"),
                            capture_output=True, timeout=PROBE_TIMEOUT_S, check=False)
    if result.returncode != 0:
        raise SpeechUnavailable(f"espeak-ng -v {espeak_voice} failed with code {result.returncode}: "
                                f"{result.stderr.decode('utf-8', 'replace').strip()}")
    return result.stdout.decode("utf-8", "replace").strip()


def speaks_chinese(espeak_voice: str, setting: str, program: str | None = None) -> bool:
    """True when the voice renders the setting's probe text with phonemes and never switches language (to English or any other)."""
    try:
        output = phonemes(prepare(PROBES[setting], setting), espeak_voice, program)
    except (SpeechUnavailable, subprocess.TimeoutExpired, OSError):
        return False
    return bool(output) and not switches(output)


def switches(output: str) -> list[str]:
    """The languages espeak-ng switched to in a phoneme string (``espeak-ng -x``), e.g. ["(en)"]; [] when it stayed in the voice."""
    return SWITCH.findall(output)


def choose(setting: str, program: str | None = None) -> Voice | None:
    """The first candidate voice for the setting that passes ``speaks_chinese``, or None; probed once per process."""
    if setting not in CANDIDATES:
        raise ValueError(f"unknown voice setting {setting!r}; expected one of {sorted(CANDIDATES)}")
    program = program or espeak_program()
    with _lock:
        key = (setting, program)
        if key not in _chosen:
            _chosen[key] = next((Voice(setting, name, program) for name in CANDIDATES[setting] if speaks_chinese(name, setting, program)),
                                None)
        return _chosen[key]


def voice_for(setting: str, program: str | None = None) -> Voice:
    """The voice for the setting, else Mandarin's (a terminal without Cantonese reads Cantonese screens in Mandarin)."""
    voice = choose(setting, program) or choose("cmn", program)
    if voice is None:
        raise SpeechUnavailable(f"no espeak-ng voice reads Chinese without switching to English (tried {', '.join(CANDIDATES['cmn'])})")
    return voice


def speech_command(voice: Voice, out: str | None = None) -> list[str]:
    """The espeak-ng command that reads stdin (already prepared) with the voice: WAV on stdout, or into ``out``."""
    target = ["-w", out] if out else ["--stdout"]
    return [voice.program, "-v", voice.espeak, "-b", "1", *target, "--stdin"]


def render_to_file(text: str, path: Path, setting: str = "cmn") -> Path:
    """Render what 朗读 says for text (prepared, in the chosen voice) to a WAV file, blocking."""
    if setting not in CANDIDATES:
        raise ValueError(f"unknown voice {setting!r}; expected one of {sorted(CANDIDATES)}")
    if not text.strip():
        raise ValueError("nothing to speak: the text is empty")
    voice = voice_for(setting)
    path = Path(path)
    result = subprocess.run(speech_command(voice, str(path)), input=prepare(text, voice.setting).encode("utf-8"),
                            capture_output=True, timeout=600, check=False)
    if result.returncode != 0 or not path.is_file():
        raise SpeechUnavailable(f"espeak-ng -v {voice.espeak} failed with code {result.returncode}: "
                                f"{result.stderr.decode('utf-8', 'replace').strip()}")
    return path


def audio_output_problem(player: Sequence[str] = PLAYER) -> str:
    """Why the player cannot play here, or "" when it can: no such program, or (for aplay on the default device) no sound card."""
    if shutil.which(player[0]) is None:
        return f"{player[0]} not found (install alsa-utils): 朗读 plays speech through it"
    if Path(player[0]).name != "aplay" or "-D" in player:
        return ""
    try:
        cards = ALSA_CARDS.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"no sound card: {ALSA_CARDS} does not exist"
    if not cards.strip() or "no soundcards" in cards:
        return "no sound card: ALSA lists none"
    return ""
