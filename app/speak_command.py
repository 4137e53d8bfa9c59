"""``kiosk speak TEXT [--to-file WAV] [--phonemes]``: what 朗读 would say for TEXT, with the kiosk's own voice and text preparation.

Staff use it to check a terminal's voice: it prints the espeak-ng voice chosen (kiosk/voices.py), the text as prepared
(kiosk/speech_text.py: numbers and amounts written out), and then plays it, writes it to a WAV file, or with --phonemes
prints espeak-ng's phoneme string and fails (exit 7) if the voice switched to English (``(en)`` in the phonemes) or any
other language anywhere.
No Qt: the same code as the screens' Speaker, without the screens.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from kiosk.errors import ExitCode
from kiosk.speech_text import prepare
from kiosk.terminal import Terminal
from kiosk.voices import (
    CANDIDATES,
    ENGLISH,
    PLAYER,
    SpeechUnavailable,
    Voice,
    audio_output_problem,
    phonemes,
    render_to_file,
    speech_command,
    switches,
    voice_for,
)

EXIT_OK, EXIT_BAD_INPUT, EXIT_SPEECH = ExitCode.OK, ExitCode.BAD_INPUT, ExitCode.SPEECH


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("speak", parents=[common], help="say TEXT as 朗读 would (voice check); --to-file WAV, --phonemes")
    p.add_argument("text", help="the text to read, as it would be on screen (numbers, amounts and phone numbers as written)")
    p.add_argument("--voice", choices=sorted(CANDIDATES), help="cmn (普通话) or yue (粤语); default: the speech.voice setting")
    p.add_argument("--to-file", type=Path, metavar="WAV", help="write the speech to this WAV file instead of playing it")
    p.add_argument("--phonemes", action="store_true", help="print espeak-ng's phonemes; exit 7 if it switched to English")
    p.set_defaults(handler=cmd_speak)


def cmd_speak(args: argparse.Namespace, terminal: Terminal) -> int:
    setting = args.voice or terminal.settings["speech.voice"]
    if not args.text.strip():
        sys.stderr.write("kiosk speak: nothing to speak: TEXT is empty\n")
        return EXIT_BAD_INPUT
    try:
        voice = voice_for(setting)
        prepared = prepare(args.text, voice.setting)
        fallback = "" if voice.setting == setting else f" (no {setting} voice here: read in Mandarin)"
        print(f"voice: espeak-ng -v {voice.espeak} ({voice.setting}){fallback}")
        print(f"text: {prepared}")
        if args.phonemes:
            output = phonemes(prepared, voice.espeak, voice.program)
            print(f"phonemes: {output}")
            if found := switches(output):
                kind = "English" if ENGLISH in found else "another language"
                sys.stderr.write(f"kiosk speak: espeak-ng -v {voice.espeak} switched to {kind} ({' '.join(sorted(set(found) - {f'({voice.setting})'}))}) "
                                 "for part of this text\n")
                return EXIT_SPEECH
        if args.to_file:
            render_to_file(args.text, args.to_file, setting)
            print(f"wrote {args.to_file}")
        elif not args.phonemes:
            return _play(prepared, voice)
    except SpeechUnavailable as exc:
        sys.stderr.write(f"kiosk speak: {exc}\n")
        return EXIT_SPEECH
    return EXIT_OK


def _play(prepared: str, voice: Voice) -> int:
    if problem := audio_output_problem(PLAYER):
        sys.stderr.write(f"kiosk speak: cannot play speech here: {problem}; use --to-file WAV\n")
        return EXIT_SPEECH
    espeak = subprocess.Popen(speech_command(voice), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert espeak.stdout is not None and espeak.stdin is not None
    player = subprocess.Popen(PLAYER, stdin=espeak.stdout)
    espeak.stdout.close()
    espeak.stdin.write(prepared.encode("utf-8"))
    espeak.stdin.close()
    player.wait()
    espeak.wait()
    if player.returncode != 0:
        sys.stderr.write(f"kiosk speak: cannot play speech: {' '.join(PLAYER)} exited with code {player.returncode}\n")
        return EXIT_SPEECH
    return EXIT_OK
