"""Text from terminals, made safe to print on a staff member's terminal emulator.

Everything a terminal sends (its name, heartbeat fields, upload payloads) is attacker-controlled
for a rogue enrolled terminal. Printed raw, an ESC or C1 sequence can retitle the window, clear
the screen or rewrite earlier lines, and a bidi override can make one line read as another. So
the staff commands pass every string through `printable` (and JSON through `printable_data`)
before it reaches stdout, and the API refuses such characters where a field is a short label.
"""

from __future__ import annotations

import re
from typing import Any

# C0, DEL, C1, and the bidi and other invisible format controls (U+061C, U+200B–U+200F, U+2028–U+202E,
# U+2060–U+206F, U+FEFF, U+FFF9–U+FFFB).
UNPRINTABLE_RE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]")
# In free text a newline or tab becomes a space, so a value keeps to its own table cell or line.
WHITESPACE_CONTROL_RE = re.compile("[\t\n\r\x0b\x0c\x85\u2028\u2029]")


def printable(text: str) -> str:
    """`text` without control or format characters (newlines and tabs become spaces)."""
    return UNPRINTABLE_RE.sub("", WHITESPACE_CONTROL_RE.sub(" ", text))


def printable_data(value: Any) -> Any:
    """`value` (parsed JSON) with `printable` applied to every string, keys included."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable(str(key)): printable_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [printable_data(item) for item in value]
    return value
