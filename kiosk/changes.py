"""What a sync changed, as the screens need to hear it: which kinds of records, and whether settings may have.

Modelled on anki's ``OpChanges``: the composition root (``app/background.py``) turns sync's report into
this small value, so the window never reads sync's report shapes. ``kinds`` says what to re-read (the
home counts, the search vocabulary); ``settings`` says a ``terminal_profile`` changed, so the effective
settings must be read again. A page someone is reading is never changed because of it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ContentChanges:
    kinds: frozenset[str] = frozenset()  # record kinds added, updated or deleted
    settings: bool = False  # a terminal_profile changed: re-read the settings

    @classmethod
    def of_kinds(cls, kinds: frozenset[str] | set[str]) -> ContentChanges:
        """The changes a batch of ``kinds`` makes: a changed ``terminal_profile`` also means settings."""
        return cls(frozenset(kinds), "terminal_profile" in kinds)

    def __bool__(self) -> bool:
        return bool(self.kinds) or self.settings


#: A sync that changed nothing (the status line may still have news).
NO_CHANGES = ContentChanges()
