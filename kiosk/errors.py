"""One root for the errors the kiosk raises on purpose, so the command line catches them once.

An error we raise on purpose (a refused batch, a store that cannot be opened, a printer that failed,
a sync that could not update) is a :class:`KioskError`: its message is written for staff ("expected X
(found Y)", then the outcome) and it carries the exit code the ``kiosk`` command ends with. Anything
else that reaches the top is a bug in our code and keeps its traceback.

Existing errors take this class as an *extra* base (``StoreError(KioskError, RuntimeError)``), so
every ``except RuntimeError`` or ``except ValueError`` written before it still catches them; modelled
on anki's ``pylib/anki/errors.py`` (one root, one error per cause).
"""

from __future__ import annotations

from enum import IntEnum
from typing import ClassVar


class ExitCode(IntEnum):
    """The ``kiosk`` command's exit codes, the same for every command (README, "Exit codes")."""

    OK = 0
    NOT_FOUND = 1  # no such record, or nothing to print for it
    BAD_INPUT = 2  # refused input; nothing changed
    STORE = 3  # the store itself could not be opened or migrated
    PRINTER = 4  # the printer failed, or printing is off
    SYNC_FAILED = 5  # sync, import-feed or enroll did not succeed; the content shown stays as it was
    EMPTY_STORE = 6  # the store holds no content at all
    SPEECH = 7  # kiosk speak: no voice reads Chinese, the sound cannot be played, or the voice switched to English
    BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader closed the pipe early


class KioskError(Exception):
    """Root of every error the kiosk raises on purpose; ``str()`` is the message for staff.

    ``exit_code`` is what the ``kiosk`` command exits with when this error reaches it. ``outcome``,
    when set, is the line the command prints first: what happened to the person's data.
    """

    exit_code: ClassVar[int] = ExitCode.BAD_INPUT
    outcome: ClassVar[str] = ""

    def cli_text(self) -> str:
        """What the ``kiosk`` command writes to stderr: the outcome (if any), then the message."""
        return f"{self.outcome}\n{self}" if self.outcome else str(self)
