"""12-digit statistical division codes (统计用区划代码) and the region chain a terminal sees.

A code is five segments: province (2), city (2), county (2), township (3), village (3). A zero
segment may only be followed by zero segments; 000000000000 stands for national content.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kiosk.errors import KioskError

NATIONAL = "000000000000"
LEVELS: tuple[str, ...] = ("national", "province", "city", "county", "township", "village")
# End offset of each segment in the code, by level index 1..5.
_SEGMENT_ENDS = (2, 4, 6, 9, 12)
_CODE = re.compile(r"^[0-9]{12}$")  # not \\d: it matches ９ and ٩ too, which int() then reads


class RegionCodeError(KioskError, ValueError):
    """A string that is not a well-formed region code."""


def check_code(code: str) -> str:
    """Return ``code`` if it is well formed, else raise with what is wrong."""
    if not isinstance(code, str) or not _CODE.match(code):
        raise RegionCodeError(f"{code!r} is not a 12-digit region code")
    seen_zero = False
    start = 0
    for end in _SEGMENT_ENDS:
        segment = code[start:end]
        if int(segment) == 0:
            seen_zero = True
        elif seen_zero:
            raise RegionCodeError(
                f"{code!r}: segment {segment!r} follows an all-zero segment "
                "(a region code lists province, city, county, township, village in that order)"
            )
        start = end
    return code


def is_valid(code: str) -> bool:
    return isinstance(code, str) and _is_valid_text(code)


@lru_cache(maxsize=65536)  # a sync asks about the same few thousand codes for every record
def _is_valid_text(code: str) -> bool:
    try:
        check_code(code)
    except RegionCodeError:
        return False
    return True


def level_of(code: str) -> str:
    """national / province / city / county / township / village."""
    if isinstance(code, str) and _is_valid_text(code):
        return _level_of_valid(code)
    check_code(code)  # raises, saying what is wrong
    raise AssertionError("unreachable")


@lru_cache(maxsize=65536)
def _level_of_valid(code: str) -> str:
    level = 0
    start = 0
    for index, end in enumerate(_SEGMENT_ENDS, start=1):
        if int(code[start:end]):
            level = index
        start = end
    return LEVELS[level]


def truncate(code: str, level: str) -> str:
    """The ancestor of ``code`` at ``level`` (the code itself if it is at that level)."""
    index = LEVELS.index(level)
    if index == 0:
        return NATIONAL
    end = _SEGMENT_ENDS[index - 1]
    return code[:end] + "0" * (12 - end)


def chain(code: str) -> list[str]:
    """The code and all its ancestors, nearest first, ending with national."""
    own = LEVELS.index(level_of(code))
    return [truncate(code, LEVELS[index]) for index in range(own, -1, -1)]


def parent_of(code: str) -> str | None:
    links = chain(code)
    return links[1] if len(links) > 1 else None


def is_within(code: str, ancestor: str) -> bool:
    """True when ``code`` is ``ancestor`` or lies below it."""
    return ancestor in chain(code)


CHANNEL_LEVELS: tuple[str, ...] = ("national", "province", "city", "county")


def channel_of(code: str) -> str:
    """The feed channel a region's records travel in: the region itself down to county level,
    its county below that (villages and townships live in their county's channel)."""
    if level_of(code) in CHANNEL_LEVELS:
        return code
    return truncate(code, "county")


def channels_for(code: str) -> list[str]:
    """The channels a terminal in ``code`` follows, nearest first (county, city, province, national)."""
    return [link for link in chain(code) if level_of(link) in CHANNEL_LEVELS]


# The SQL twin of channel_of for a ``region`` column, so a snapshot can find its channel's rows.
CHANNEL_SQL = "(CASE WHEN substr(region, 7, 6) != '000000' THEN substr(region, 1, 6) || '000000' ELSE region END)"
