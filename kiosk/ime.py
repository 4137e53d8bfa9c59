"""Offline pinyin input (拼音输入) for the on-screen A–Z keyboard, built on pypinyin's own data.

Why: the kiosk has no physical keyboard and Qt Virtual Keyboard is not an option, yet many users can
spell a word in pinyin. The letters typed on the on-screen keyboard become a bar of Chinese candidates;
tapping one appends it to the search text. Everything here is pure Python and offline.

Where words come from:
- the terminal's own content (titles, keywords): every character, every 2–4 character run, and short
  all-Chinese texts (keywords such as 低保) as whole words — counted, so that a candidate usually leads
  to search results. On a large vocabulary, runs seen only once are dropped (they are mostly fragments
  across word boundaries such as 务公), which keeps building and memory bounded;
- pypinyin's dictionaries: its ~42k characters (the ~21k in GBK) with all their readings, and its ~47k
  phrases. That phrase dictionary only holds words whose reading needs disambiguation (耕地, 银行), so
  everyday words such as 公开, 方案 or 西安 are offered only when the content contains them.

The dictionary index is built once per process, lazily, and shared by every ``PinyinIme``; building an
instance only counts its vocabulary.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from heapq import merge
from itertools import islice, product
from typing import TypeAlias

from pypinyin.constants import PHRASES_DICT, PINYIN_DICT
from pypinyin.contrib.tone_convert import to_normal

# Importing kiosk.pinyin also loads its place-name readings (单县 shàn xiàn) into PHRASES_DICT; they are
# consulted first here too, so pinyin input and first-letter search agree on those names.
from kiosk.pinyin import PHRASES as CORRECTED_PHRASES

MAX_SEGMENTATIONS = 32  # split_pinyin results; a 40-letter paste has thousands of segmentations
DEFAULT_LIMIT = 12
MAX_SYLLABLE_LETTERS = 6  # zhuang, chuang, shuang
MAX_NGRAM = 4  # longest content run indexed as a word, unless the whole text is that short
MAX_WHOLE_TEXT = 8  # an all-Chinese vocabulary text up to this long (a keyword, a name) is a word itself
NGRAM_BUDGET = 100_000  # distinct runs kept without a count threshold; past it, runs seen once are dropped
MIN_INITIALS, MAX_INITIALS = 2, 4  # "gd" → 耕地, "ylbx" → 养老保险
BEYOND_GBK = 3  # _rarity of characters the dictionary leaves out
MIN_SECONDARY_USES = 3  # dictionary phrases needed before a content character's other reading counts
# Interjection readings (呣 m, 嗯 n/ng, 哼 hm/hng): as syllables they would let "xian" split as x-i-a-n
# and "geng" as ge-ng, filling the bar with nonsense; the few characters that need them are left out.
EXCLUDED_SYLLABLES = frozenset({"m", "n", "ng", "hm", "hng"})

_HAN_CLASS = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"  # CJK ideographs, BMP and beyond
_HAN = re.compile(f"{_HAN_CLASS}+")
_ALL_HAN = re.compile(f"{_HAN_CLASS}{{2,{MAX_WHOLE_TEXT}}}")
_NOT_LETTER = re.compile("[^a-z]+")

Rank: TypeAlias = tuple[int, ...]
Entry: TypeAlias = tuple[Rank, str]  # (rank, word): sorting entries sorts by rank, then by word


def normalize_letters(letters: str) -> str:
    """Lower-case a–z only: the keyboard sends nothing else, but a paste or a stray space must not break input."""
    return _NOT_LETTER.sub("", letters.lower())


@cache
def _toneless(reading: str) -> str:
    """``lǜ`` → ``lv``. Cached: pypinyin's to_normal costs ~10 µs and there are only ~1,500 distinct readings."""
    return to_normal(reading)


@cache
def _syllable_table() -> tuple[frozenset[str], frozenset[str]]:
    """(syllables, every non-empty prefix of a syllable), from the readings pypinyin knows, so the two never disagree."""
    syllables = set()
    for raw in PINYIN_DICT.values():
        for reading in raw.split(","):
            plain = _toneless(reading)
            if plain.isascii() and plain.isalpha():
                syllables.add(plain)
    syllables -= EXCLUDED_SYLLABLES
    prefixes = {syllable[:end] for syllable in syllables for end in range(1, len(syllable) + 1)}
    return frozenset(syllables), frozenset(prefixes)


@cache
def _char_readings(ch: str) -> tuple[str, ...]:
    """Toneless readings of one character, the most common (pypinyin's first) first; () if it cannot be typed."""
    raw = PINYIN_DICT.get(ord(ch))
    if not raw:
        return ()
    syllables = _syllable_table()[0]
    readings: list[str] = []
    for reading in raw.split(","):
        plain = _toneless(reading)
        if plain in syllables and plain not in readings:
            readings.append(plain)
    return tuple(readings)


def _phrase_readings(word: str) -> list[tuple[str, ...]]:
    """Toneless readings of a dictionary phrase (usually one; 朝阳 has two), or [] if it is not one."""
    phrase = CORRECTED_PHRASES.get(word) or PHRASES_DICT.get(word)
    return _readings_of(phrase) if phrase and len(phrase) == len(word) else []


def _readings_of(phrase: list[list[str]]) -> list[tuple[str, ...]]:
    syllables = _syllable_table()[0]
    firsts = [readings[0] for readings in phrase if len(readings) == 1]
    if len(firsts) == len(phrase):  # the usual shape, kept fast: the dictionary index reads 47k phrases
        key = tuple(map(_toneless, firsts))
        return [key] if syllables.issuperset(key) else []
    options = [[plain for plain in dict.fromkeys(map(_toneless, readings)) if plain in syllables] for readings in phrase]
    return list(islice(product(*options), 4)) if all(options) else []


def _word_key(word: str) -> tuple[str, ...] | None:
    """The reading of a content word: the phrase dictionary's if it has one, else each character's default.

    Dictionary phrases inside the word override the defaults (银行卡 → yin hang ka, not yin xing ka).
    pypinyin's own conversion would be more exact, but costs ~4 s for 20,000 titles.
    """
    readings = _phrase_readings(word)
    if readings:
        return readings[0]
    keys: list[str] = []
    for ch in word:
        char_readings = _char_readings(ch)
        if not char_readings:
            return None
        keys.append(char_readings[0])
    for size in range(2, len(word)):  # shorter first, so a longer phrase wins where two overlap
        for start in range(len(word) - size + 1):
            sub = _phrase_readings(word[start : start + size])
            if sub:
                keys[start : start + size] = sub[0]
    return tuple(keys)


@cache
def _rarity(ch: str) -> int:
    """0 for the 3,755 common characters of GB2312 level 1, 1 for level 2, 2 for the rest of GBK, 3 beyond.

    Characters beyond GBK (CJK extensions) are left out of the dictionary: nobody looks for them at a
    kiosk, and its fonts may draw them as empty boxes. Content that uses one still offers it.
    """
    try:
        encoded = ch.encode("gb2312")
    except UnicodeEncodeError:
        try:
            ch.encode("gbk")
        except UnicodeEncodeError:
            return 3
        return 2
    if len(encoded) != 2:
        return 3
    return 0 if 0xB0 <= encoded[0] <= 0xD7 else 1


@dataclass(frozen=True)
class _Index:
    """Words by toneless key ("geng di"). Keys are kept sorted per syllable count, so that a trailing partial
    syllable is one bisect away ("geng d" → "geng dang" … "geng di" …) and never matches a longer word."""

    keys: dict[int, list[str]]  # syllable count → sorted keys
    words: dict[str, list[Entry]]  # key → entries, best first
    initials: dict[str, list[Entry]]  # "gd" → entries of 2–4 syllable words, best first
    longest: int  # syllables of the longest word

    def keys_with_prefix(self, count: int, prefix: str) -> Iterator[str]:
        keys = self.keys.get(count, [])
        at = bisect_left(keys, prefix)
        while at < len(keys) and keys[at].startswith(prefix):
            yield keys[at]
            at += 1


class _IndexBuilder:
    """Collects (rank, word) entries; a word may come twice under one key (那些 as na and nei), which the search
    tolerates, so adding stays a plain append."""

    def __init__(self) -> None:
        self._words: defaultdict[str, list[Entry]] = defaultdict(list)
        self._initials: defaultdict[str, list[Entry]] = defaultdict(list)

    def add(self, word: str, key: tuple[str, ...], rank: Rank) -> None:
        self._words[" ".join(key)].append((rank, word))
        if MIN_INITIALS <= len(key) <= MAX_INITIALS:
            self._initials["".join(syllable[0] for syllable in key)].append((rank, word))

    def build(self) -> _Index:
        keys: defaultdict[int, list[str]] = defaultdict(list)
        for key, entries in self._words.items():
            keys[key.count(" ") + 1].append(key)
            entries.sort()
        for listed in keys.values():
            listed.sort()
        for entries in self._initials.values():
            entries.sort()
        return _Index(dict(keys), dict(self._words), dict(self._initials), max(keys, default=0))


@dataclass(frozen=True)
class _Dictionary:
    index: _Index
    uses: Counter[tuple[str, str]]  # (character, reading) → phrases of the dictionary that read it so


def _build_dictionary() -> _Dictionary:
    """Every character under each of its readings and every phrase of pypinyin, ranked by commonness.

    Commonness, as pypinyin has no frequencies: a character's rare reading last (见 for xian, 硬 for geng:
    not its main reading and in fewer than MIN_SECONDARY_USES phrases), then GB2312 level 1 before level 2
    before the rest of GBK, then how many dictionary phrases use the character with that reading (长 as
    zhang: 校长, 部长 …), then main readings first.
    Phrases: shorter first, then the rarest character's level and phrase count.
    """
    phrases: list[tuple[str, int, list[tuple[str, ...]]]] = []
    pairs: list[tuple[str, str]] = []
    for word, phrase in PHRASES_DICT.items():
        rarity = max(map(_rarity, word))
        readings = _readings_of(phrase) if rarity < BEYOND_GBK and len(phrase) == len(word) else []
        if readings:
            phrases.append((word, rarity, readings))
            pairs += zip(word, readings[0], strict=True)
    uses = Counter(pairs)
    builder = _IndexBuilder()
    for code in PINYIN_DICT:
        ch = chr(code)
        rarity = _rarity(ch)
        if rarity == BEYOND_GBK:
            continue
        readings = _char_readings(ch)
        for reading in readings:
            secondary = reading != readings[0]
            rare_reading = secondary and uses[ch, reading] < MIN_SECONDARY_USES
            builder.add(ch, (reading,), (1, int(rare_reading), rarity, -uses[ch, reading], int(secondary)))
    for word, rarity, readings in phrases:
        for key in readings:
            builder.add(word, key, (len(word), rarity, -min(map(uses.__getitem__, zip(word, key, strict=True)))))
    return _Dictionary(builder.build(), uses)


_dictionary: _Dictionary | None = None
_dictionary_lock = threading.Lock()


def load_dictionary() -> None:
    """Build the shared dictionary index now (~0.9 s and ~32 MB on a slow CPU) instead of on the first instance or key
    press; a screen may call this from a worker thread at start-up."""
    _shared_dictionary()


def _shared_dictionary() -> _Dictionary:
    global _dictionary
    if _dictionary is None:
        with _dictionary_lock:
            if _dictionary is None:
                _dictionary = _build_dictionary()
    return _dictionary


def _build_vocabulary(texts: Iterable[str]) -> _Index:
    """Count characters and 2–4 character runs of the content; rank = more occurrences, then shorter."""
    counts: Counter[str] = Counter()
    whole: set[str] = set()
    for text in texts:
        stripped = text.strip()
        if _ALL_HAN.fullmatch(stripped):
            whole.add(stripped)
            if len(stripped) > MAX_NGRAM:
                counts[stripped] += 1
        for run in _HAN.findall(text):
            counts.update(run)
            for size in range(2, min(MAX_NGRAM, len(run)) + 1):
                counts.update(run[start : start + size] for start in range(len(run) - size + 1))
    min_count = 1 if len(counts) <= NGRAM_BUDGET else 2
    uses = _shared_dictionary().uses
    builder = _IndexBuilder()
    for word, count in counts.items():
        if len(word) == 1:
            # Also its other common readings: 长 in the content ranks first for chang and zhang, but 谷 not for lu.
            for position, reading in enumerate(_char_readings(word)):
                if position == 0 or uses[word, reading] >= MIN_SECONDARY_USES:
                    builder.add(word, (reading,), (-count, 1))
            continue
        if count < min_count and word not in whole and word not in PHRASES_DICT:
            continue
        key = _word_key(word)
        if key is not None:
            builder.add(word, key, (-count, len(word)))
    return builder.build()


def split_pinyin(letters: str, limit: int = MAX_SEGMENTATIONS) -> list[list[str]]:
    """Segmentations of the letters into pinyin syllables, the last piece possibly a syllable's prefix.

    "xian" → [["xian"], ["xi", "an"], ["xi", "a", "n"]]: longer syllables first (depth-first), at most
    ``limit`` results. A first pass marks where a valid rest can start, so the search never enters a dead
    branch and stays linear in the input even for 200 letters of garbage. Pieces joined equal the
    normalized letters; [] if they do not spell pinyin.
    """
    text = normalize_letters(letters)
    syllables, prefixes = _syllable_table()
    n = len(text)
    if not n or limit <= 0:
        return []

    def final(pos: int) -> bool:
        return n - pos <= MAX_SYLLABLE_LETTERS and text[pos:] in prefixes

    def steps(pos: int) -> Iterator[int]:  # ends of whole syllables at pos that leave more letters
        for size in range(min(MAX_SYLLABLE_LETTERS, n - pos - 1), 0, -1):
            if text[pos : pos + size] in syllables:
                yield pos + size

    viable = [False] * (n + 1)
    for pos in range(n - 1, -1, -1):
        viable[pos] = final(pos) or any(viable[end] for end in steps(pos))
    if not viable[0]:
        return []
    results: list[list[str]] = []
    stack: list[tuple[int, tuple[str, ...]]] = [(0, ())]
    while stack and len(results) < limit:
        pos, pieces = stack.pop()
        if pos == n:
            results.append(list(pieces))
            continue
        ends = ([n] if final(pos) else []) + [end for end in steps(pos) if viable[end]]
        stack.extend((end, (*pieces, text[pos:end])) for end in reversed(ends))
    return results


class PinyinIme:
    """Candidates for typed pinyin, the terminal's own words first.

    Matching: the letters are split into syllables in every way (``split_pinyin``); the last piece is always
    a prefix ("gengd" and "gengdi" → 耕地; "xian" → 县, 西安, and xiang words after the exact ones). A word
    matches a segmentation when it has exactly that many syllables. Two to four letters that do not spell
    pinyin are read as initials ("gd" → 耕地, "db" → 低保).

    Ranking, first difference wins:
    1. content words matching a segmentation of whole syllables exactly, by count in the content;
    2. other content matches (partial last syllable, initials), by count;
    3. dictionary entries not in the content, exact matches first, then the rest; among them shorter words,
       a character's rare readings last, GB2312 level-1 characters before rarer ones, then how often the
       dictionary uses that reading (see ``_build_dictionary``);
    shorter before longer where counts tie, then code point order, so results are stable. No duplicates.
    """

    def __init__(self, vocabulary: Iterable[str] = ()) -> None:
        self._vocabulary = _build_vocabulary(vocabulary)
        self._memo: dict[tuple[str, int], list[tuple[str, tuple[str, ...]]]] = {}

    def candidates(self, letters: str, limit: int = DEFAULT_LIMIT) -> list[str]:
        """At most ``limit`` distinct words for the letters, best first; [] for nothing typed or nothing found."""
        return [word for word, _ in self._ranked(normalize_letters(letters), limit)]

    def syllables(self, letters: str) -> list[str]:
        """One segmentation to show above the candidates: the one the best candidate was found by.

        Without candidates: the fewest pieces, a complete last syllable preferred. Initials come back one
        letter per piece (["g", "d"]); letters that spell nothing give [].
        """
        text = normalize_letters(letters)
        ranked = self._ranked(text, DEFAULT_LIMIT)
        if ranked:
            return list(ranked[0][1])
        segmentations = split_pinyin(text)
        if not segmentations:
            return []
        syllables = _syllable_table()[0]
        return min(segmentations, key=lambda pieces: (len(pieces), pieces[-1] not in syllables))

    def _ranked(self, text: str, limit: int) -> list[tuple[str, tuple[str, ...]]]:
        """(word, the pieces it matched) best first. The last few answers are memoized: the screen asks for
        candidates and syllables of the same letters on every key press."""
        memo_key = (text, limit)
        if memo_key not in self._memo:
            if len(self._memo) >= 16:
                self._memo.clear()
            self._memo[memo_key] = self._search(text, limit)
        return self._memo[memo_key]

    def _search(self, text: str, limit: int) -> list[tuple[str, tuple[str, ...]]]:
        if not text or limit <= 0:
            return []
        dictionary, vocabulary = _shared_dictionary().index, self._vocabulary
        longest = max(dictionary.longest, vocabulary.longest)
        if len(text) > MAX_SYLLABLE_LETTERS * longest:
            return []  # longer than any word could be spelled
        syllables = _syllable_table()[0]
        segmentations = split_pinyin(text)
        queries = [(tuple(pieces), " ".join(pieces), pieces[-1] in syllables) for pieces in segmentations if len(pieces) <= longest]
        initials = not segmentations and MIN_INITIALS <= len(text) <= MAX_INITIALS

        best: dict[str, tuple[Rank, tuple[str, ...]]] = {}
        for pieces, prefix, complete in queries:
            for key in vocabulary.keys_with_prefix(len(pieces), prefix):
                tier = 0 if complete and key == prefix else 1
                for rank, word in vocabulary.words[key]:
                    score = (tier, *rank)
                    if word not in best or score < best[word][0]:
                        best[word] = (score, pieces)
        if initials:
            for rank, word in vocabulary.initials.get(text, []):
                score = (1, *rank)
                if word not in best or score < best[word][0]:
                    best[word] = (score, tuple(text))
        ranked = sorted(best.items(), key=lambda item: (item[1][0], item[0]))
        found = [(word, pieces) for word, (_, pieces) in ranked[:limit]]
        if len(found) >= limit:
            return found

        exact: list[Iterator[tuple[Rank, str, tuple[str, ...]]]] = []
        other: list[Iterator[tuple[Rank, str, tuple[str, ...]]]] = []
        for pieces, prefix, complete in queries:
            for key in dictionary.keys_with_prefix(len(pieces), prefix):
                (exact if complete and key == prefix else other).append(_tagged(dictionary.words[key], pieces))
        if initials:
            other.append(_tagged(dictionary.initials.get(text, []), tuple(text)))
        seen = set(best)
        for stream in (merge(*exact), merge(*other)):
            for _, word, pieces in stream:
                if word not in seen:
                    seen.add(word)
                    found.append((word, pieces))
                    if len(found) >= limit:
                        return found
        return found


def _tagged(entries: list[Entry], pieces: tuple[str, ...]) -> Iterator[tuple[Rank, str, tuple[str, ...]]]:
    """Entries with the segmentation that found them, lazily: heapq.merge only pulls what the bar shows."""
    return ((rank, word, pieces) for rank, word in entries)
