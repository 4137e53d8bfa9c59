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

Memory: an index is a handful of large objects, not a tuple per entry. Each distinct (rank, word) gets an
ordinal, its position in (rank, word) order, and the words are one string in that order; a reading
("geng di") is a key of one code character per syllable; all keys are one string, sorted within each
length, beside ``array``s of ordinals per key. Comparing ordinals compares (rank, word), so the ranking is
the one of the tuples it replaces. A build also leaves nothing behind that would keep the allocator's
arenas (see ``_without_leftovers``): the dictionary holds ~2 MB, and building it and a 20,000-title
vocabulary grows a process by ~10 MB (it was ~62 MB).
"""

from __future__ import annotations

import gc
import re
import threading
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from heapq import merge
from itertools import groupby, islice, product, repeat
from operator import itemgetter
from typing import TypeAlias, TypeVar

from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

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
SYLLABLE_CODE_BASE = 0x100  # a syllable's code character is chr(base + its alphabetical position): ~420 syllables

# Common surnames, most frequent first (the order of China's 2020 census surname report, top 120, then compound ones);
# a name field offers these first: "zhu" gives 朱 before 主 or 助. SURNAME_READINGS: where a surname is read unlike
# the character's first reading (曾 zēng, not céng); both readings find it.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈"
    "钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔"
    "赖文施洪辛柯庄樊凌涂温祝褚诸单解仇区朴查盖乐缪岳牛葛齐靳殷申"
)
COMPOUND_SURNAME_WORDS = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "慕容", "司徒", "令狐", "夏侯")
SURNAME_READINGS = {"曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "区": "ou", "朴": "piao", "查": "zha", "盖": "ge",
                    "覃": "qin", "乐": "yue", "缪": "miao", "尉": "yu", "万": "wan", "沈": "shen", "贾": "jia"}

_HAN_CLASS = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"  # CJK ideographs, BMP and beyond
_HAN = re.compile(f"{_HAN_CLASS}+")
_ALL_HAN = re.compile(f"{_HAN_CLASS}{{2,{MAX_WHOLE_TEXT}}}")
_NOT_LETTER = re.compile("[^a-z]+")
_TONE_MARKS = dict.fromkeys(map(ord, "\u0300\u0301\u0304\u030c"))  # combining grave, acute, macron, caron: tones 4, 2, 1, 3

Rank: TypeAlias = tuple[int, ...]  # smaller is better; equal ranks fall back to the word's code points
Ordinals: TypeAlias = array  # array("I") of ordinals: positions in an index's (rank, word) order, best first


def normalize_letters(letters: str) -> str:
    """Lower-case a–z only: the keyboard sends nothing else, but a paste or a stray space must not break input."""
    return _NOT_LETTER.sub("", letters.lower())


@cache
def _toneless(reading: str) -> str:
    """``lǜ`` → ``lv``, ``ê̄`` → ``ê``: what pypinyin's ``to_normal`` gives for its readings (a test checks every one).

    Not ``to_normal`` itself: besides costing ~10 µs, it goes through ``re`` with a template, and each call leaves
    a new attribute-name string in CPython's type cache, which in the middle of a build keeps an arena alive
    (see ``_without_leftovers``). Cached, as there are only ~1,500 distinct readings; builds only: each clears it.
    """
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", reading).translate(_TONE_MARKS)).replace("ü", "v")


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
def _syllable_codes() -> tuple[tuple[str, ...], dict[str, str], dict[int, str]]:
    """(syllables in alphabetical order, syllable → its code character, code point → the syllable's first letter).

    Codes follow the alphabet, so the syllables that a typed prefix may complete ("d" → da … duo) are one
    range of codes, and keys sort as their syllables do.
    """
    ordered = tuple(sorted(_syllable_table()[0]))
    codes = {syllable: chr(SYLLABLE_CODE_BASE + position) for position, syllable in enumerate(ordered)}
    initials = {SYLLABLE_CODE_BASE + position: syllable[0] for position, syllable in enumerate(ordered)}
    return ordered, codes, initials


@cache
def _code_span(prefix: str) -> tuple[str, str]:
    """(first, past the last) code character of the syllables that start with ``prefix``."""
    ordered = _syllable_codes()[0]
    low, high = bisect_left(ordered, prefix), bisect_left(ordered, prefix + "{")  # "{" sorts right after "z"
    return chr(SYLLABLE_CODE_BASE + low), chr(SYLLABLE_CODE_BASE + high)


def _encode(key: tuple[str, ...]) -> str:
    """("geng", "di") → two code characters."""
    return "".join(map(_syllable_codes()[1].__getitem__, key))


@cache
def _char_readings(ch: str) -> tuple[str, ...]:
    """Toneless readings of one character, the most common (pypinyin's first) first; () if it cannot be typed.
    Builds only: each build clears it when done (see ``_without_leftovers``)."""
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
    Builds only: each build clears it when done (see ``_without_leftovers``)."""
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


T = TypeVar("T")


def _without_leftovers(build: Callable[[], T]) -> T:
    """Run a build so that the memory of its short-lived objects goes back to the system afterwards.

    CPython's allocator hands a 1 MiB arena back only once every small object in it is gone. A build makes
    hundreds of thousands of short-lived small objects (the dictionary's fill ~40 arenas); one small object made
    meanwhile and kept keeps its arena, ~1 MB resident (the earlier index of tuples held ~31 MB of objects, yet
    grew the process by ~62 MB). So:
    - a build returns large objects only (strings and bytes over 512 bytes come from malloc, not arenas); the few
      small objects around them are made once it is over (``_Index.unpack``);
    - its caches are emptied here (another build meanwhile only recomputes);
    - ``gc.collect()`` also empties CPython's free lists, which otherwise keep thousands of its tuples;
    - nothing in a build calls pypinyin's ``to_normal`` (see ``_toneless``).
    """
    try:
        return build()
    finally:
        for build_cache in (_toneless, _char_readings, _rarity):
            build_cache.cache_clear()
        gc.collect()


@dataclass(frozen=True, slots=True)
class _Packed:
    """An index as a build returns it: large objects only (see ``_without_leftovers``)."""

    words: str  # every distinct (rank, word) entry's word, back to back, in (rank, word) order
    bounds: bytes  # array("I"), per word and one more: the word of ordinal i is words[bounds[i] : bounds[i + 1]]
    keys: str  # every key, in groups (syllable keys by syllable count, then initials by length), each group sorted
    starts: bytes  # array("I"), per key and one more: key k's ordinals are ordinals[starts[k] : starts[k + 1]]
    ordinals: bytes  # array("I")
    groups: bytes  # array("I") of (initials?, width, number of keys) per group in ``keys``, in order


class _Runs:
    """The keys of one group, each with its run of ordinals, best first: a view into its index's keys and arrays,
    which all groups share. It is a sequence of its keys only so that ``bisect`` can search it."""

    __slots__ = ("_at", "_count", "_first", "_keys", "_ordinals", "_starts", "_width")

    def __init__(self, keys: str, starts: array, ordinals: array, width: int, count: int, at: int, first: int) -> None:
        """``count`` keys of ``width`` characters at keys[at:], the first being key number ``first`` of the index."""
        self._keys, self._starts, self._ordinals = keys, starts, ordinals
        self._width, self._count, self._at, self._first = width, count, at, first

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, position: int) -> str:
        if not 0 <= position < self._count:
            raise IndexError(position)
        at = self._at + position * self._width
        return self._keys[at : at + self._width]

    def between(self, low: str, high: str) -> range:
        """Positions of the keys from ``low`` up to, not including, ``high``."""
        return range(bisect_left(self, low), bisect_left(self, high))

    def run(self, position: int) -> Ordinals:
        key = self._first + position
        return self._ordinals[self._starts[key] : self._starts[key + 1]]

    def get(self, key: str) -> Ordinals:
        position = bisect_left(self, key)
        return self.run(position) if position < len(self) and self[position] == key else array("I")


@dataclass(frozen=True, slots=True)
class _Index:
    """Words by toneless reading, packed (see the module docstring). Keys of one syllable count are sorted, so that a
    trailing partial syllable is one range of keys ("geng d" → "geng da" … "geng duo") that never reaches a longer word."""

    words: str  # as in _Packed
    bounds: array
    by_syllables: dict[int, _Runs]  # syllable count → keys (one code character per syllable)
    by_initials: dict[int, _Runs]  # 2–4 → initials ("gd") of the 2–4 syllable keys
    longest: int  # syllables of the longest word

    @classmethod
    def unpack(cls, packed: _Packed) -> _Index:
        keys, starts, ordinals = packed.keys, array("I", packed.starts), array("I", packed.ordinals)
        by_syllables: dict[int, _Runs] = {}
        by_initials: dict[int, _Runs] = {}
        at = first = 0
        groups = array("I", packed.groups)
        for initials, width, count in zip(groups[0::3], groups[1::3], groups[2::3], strict=True):
            (by_initials if initials else by_syllables)[width] = _Runs(keys, starts, ordinals, width, count, at, first)
            at += width * count
            first += count
        return cls(packed.words, array("I", packed.bounds), by_syllables, by_initials, max(by_syllables, default=0))

    def word(self, ordinal: int) -> str:
        return self.words[self.bounds[ordinal] : self.bounds[ordinal + 1]]

    def matches(self, pieces: tuple[str, ...], complete: bool) -> Iterator[tuple[bool, Ordinals]]:
        """(spelled exactly, ordinals) per key of ``len(pieces)`` syllables that the pieces spell, the last piece as
        a prefix; exactly means the last piece is ``complete`` and the key's whole last syllable."""
        runs = self.by_syllables.get(len(pieces))
        if runs is None:
            return
        head = _encode(pieces[:-1])
        low, high = _code_span(pieces[-1])
        exact = head + _syllable_codes()[1][pieces[-1]] if complete else None
        for position in runs.between(head + low, head + high):
            yield runs[position] == exact, runs.run(position)

    def with_initials(self, letters: str) -> Ordinals:
        runs = self.by_initials.get(len(letters))
        return runs.get(letters) if runs is not None else array("I")


class _IndexBuilder:
    """Collects (rank, word, key) entries; a word may come twice under one key (那些 as na and nei), which the
    search tolerates, so adding stays a plain append."""

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: list[tuple[Rank, str, str]] = []

    def add(self, word: str, key: tuple[str, ...], rank: Rank) -> None:
        self._entries.append((rank, word, _encode(key)))

    def build(self) -> _Packed:
        """Number the distinct (rank, word) pairs in order, then file the ordinals under their keys and initials."""
        entries, self._entries = self._entries, []
        entries.sort()
        initial_of = _syllable_codes()[2]
        words: list[str] = []
        bounds = [0]
        keyed: list[tuple[bool, int, str, int]] = []  # (initials?, width, key, ordinal)
        last_rank: Rank = ()
        last_word = ""
        ordinal, total = -1, 0
        for rank, word, key in entries:
            if word != last_word or rank != last_rank:
                last_rank, last_word = rank, word
                words.append(word)
                total += len(word)
                bounds.append(total)
                ordinal += 1
            keyed.append((False, len(key), key, ordinal))
            if MIN_INITIALS <= len(key) <= MAX_INITIALS:
                keyed.append((True, len(key), key.translate(initial_of), ordinal))
        del entries
        keyed.sort()  # by group, then key, then ordinal: best first within a key
        keys: list[str] = []
        starts, ordinals, groups = array("I"), array("I"), array("I")
        for (initials, width), group in groupby(keyed, key=itemgetter(0, 1)):
            count = len(keys)
            for _, _, key, ordinal in group:
                if len(keys) == count or key != keys[-1]:
                    keys.append(key)
                    starts.append(len(ordinals))
                ordinals.append(ordinal)
            groups.extend((initials, width, len(keys) - count))
        starts.append(len(ordinals))
        return _Packed("".join(words), array("I", bounds).tobytes(), "".join(keys), starts.tobytes(), ordinals.tobytes(), groups.tobytes())


@dataclass(frozen=True, slots=True)
class _Dictionary:
    index: _Index
    # "\n" + character + syllable code, for each reading that at least MIN_SECONDARY_USES dictionary phrases use, back to
    # back: one string rather than thousands of small ones (see _without_leftovers); "\n" keeps a match from straddling two
    common_readings: str

    def is_common(self, ch: str, reading: str) -> bool:
        return f"\n{ch}{_syllable_codes()[1][reading]}" in self.common_readings


def _build_dictionary() -> _Dictionary:
    _syllable_codes()  # kept for good, so made before the build's short-lived objects (see _without_leftovers)
    packed, common_readings = _without_leftovers(_pack_dictionary)
    return _Dictionary(_Index.unpack(packed), common_readings)


def _pack_dictionary() -> tuple[_Packed, str]:
    """Every character under each of its readings and every phrase of pypinyin, ranked by commonness.

    Commonness, as pypinyin has no frequencies: a character's rare reading last (见 for xian, 硬 for geng:
    not its main reading and in fewer than MIN_SECONDARY_USES phrases), then GB2312 level 1 before level 2
    before the rest of GBK, then how many dictionary phrases use the character with that reading (长 as
    zhang: 校长, 部长 …), then main readings first.
    Phrases: shorter first, then the rarest character's level and phrase count.
    """
    phrases: list[tuple[str, int, list[tuple[str, ...]]]] = []
    uses: Counter[tuple[str, str]] = Counter()  # (character, reading) → phrases of the dictionary that read it so
    for word, phrase in PHRASES_DICT.items():
        rarity = max(map(_rarity, word))
        readings = _readings_of(phrase) if rarity < BEYOND_GBK and len(phrase) == len(word) else []
        if readings:
            phrases.append((word, rarity, readings))
            uses.update(zip(word, readings[0], strict=True))
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
    del phrases
    common = "".join(f"\n{ch}{_encode((reading,))}" for (ch, reading), count in uses.items() if count >= MIN_SECONDARY_USES)
    return builder.build(), common


_dictionary: _Dictionary | None = None
_dictionary_lock = threading.Lock()


def load_dictionary() -> None:
    """Build the shared dictionary index now (~1 s on a slow CPU; it then holds ~2 MB) instead of on the first
    instance or key press; a screen may call this from a worker thread at start-up."""
    _shared_dictionary()


def _shared_dictionary() -> _Dictionary:
    global _dictionary
    if _dictionary is None:
        with _dictionary_lock:
            if _dictionary is None:
                _dictionary = _build_dictionary()
    return _dictionary


def _build_vocabulary(texts: Iterable[str]) -> _Index:
    dictionary = _shared_dictionary()
    return _Index.unpack(_without_leftovers(lambda: _pack_vocabulary(texts, dictionary)))


def _pack_vocabulary(texts: Iterable[str], dictionary: _Dictionary) -> _Packed:
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
    builder = _IndexBuilder()
    for word, count in counts.items():
        if len(word) == 1:
            # Also its other common readings: 长 in the content ranks first for chang and zhang, but 谷 not for lu.
            for position, reading in enumerate(_char_readings(word)):
                if position == 0 or dictionary.is_common(word, reading):
                    builder.add(word, (reading,), (-count, 1))
            continue
        if count < min_count and word not in whole and word not in PHRASES_DICT:
            continue
        key = _word_key(word)
        if key is not None:
            builder.add(word, key, (-count, len(word)))
    return builder.build()


@cache
def _surname_readings() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(surname, its toneless readings as one run of letters: 欧阳 → "ouyang") in SURNAMES order, compound ones last."""
    table = []
    for surname in (*SURNAMES, *COMPOUND_SURNAME_WORDS):
        readings: list[str] = []
        if surname in SURNAME_READINGS:
            readings.append(SURNAME_READINGS[surname])
        key = _word_key(surname)
        if key is not None:
            readings.append("".join(key))
        table.append((surname, tuple(dict.fromkeys(readings))))
    return tuple(table)


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

    def candidates(self, letters: str, limit: int = DEFAULT_LIMIT, *, names: bool = False) -> list[str]:
        """At most ``limit`` distinct words for the letters, best first; [] for nothing typed or nothing found.

        ``names`` (a name field): surnames the letters spell come first, those in the content before the others,
        then by how common they are ("zhu" → 朱 before 主 and 助); surnames the letters only begin ("zh" → 张, 赵,
        周 …) follow those spelled whole; then everything else in the usual order.
        """
        text = normalize_letters(letters)
        ranked = [word for word, _ in self._ranked(text, limit)]
        if not names or not text:
            return ranked
        surnames = self._surnames(text)
        if not surnames:
            return ranked
        return list(dict.fromkeys([*surnames, *ranked]))[:limit]

    def _surnames(self, text: str) -> list[str]:
        """Surnames whose reading is ``text`` (then those it begins), the content's first, then by frequency."""
        content = {self._vocabulary.word(ordinal) for _, ordinals in self._vocabulary.matches((text,), False) for ordinal in ordinals}
        whole, begun = [], []
        for position, (surname, readings) in enumerate(_surname_readings()):
            if text in readings:
                whole.append((surname not in content, position, surname))
            elif any(reading.startswith(text) for reading in readings):
                begun.append((surname not in content, position, surname))
        return [surname for *_, surname in sorted(whole) + sorted(begun)]

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

    def content_words(self, syllables: tuple[str, ...], limit: int = 4) -> list[str]:
        """Words of the terminal's own content spelled by exactly these whole syllables, most used first; no
        dictionary entries. Search uses it to turn full pinyin and same-sound typos into words it can find."""
        if not syllables or len(syllables) > self._vocabulary.longest:
            return []
        ordinals = sorted({o for exact, run in self._vocabulary.matches(tuple(syllables), True) if exact for o in run})
        return [self._vocabulary.word(o) for o in ordinals[:limit]]

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
        """Ordinals stand for ranks: within one index, comparing them compares (rank, word)."""
        if not text or limit <= 0:
            return []
        dictionary, vocabulary = _shared_dictionary().index, self._vocabulary
        longest = max(dictionary.longest, vocabulary.longest)
        if len(text) > MAX_SYLLABLE_LETTERS * longest:
            return []  # longer than any word could be spelled
        syllables = _syllable_table()[0]
        segmentations = split_pinyin(text)
        queries = [(tuple(pieces), pieces[-1] in syllables) for pieces in segmentations if len(pieces) <= longest]
        initials = not segmentations and MIN_INITIALS <= len(text) <= MAX_INITIALS

        best: dict[str, tuple[tuple[int, int], tuple[str, ...]]] = {}  # word → ((tier, ordinal), pieces)
        for pieces, complete in queries:
            for exact, ordinals in vocabulary.matches(pieces, complete):
                tier = 0 if exact else 1
                for ordinal in ordinals:
                    word, score = vocabulary.word(ordinal), (tier, ordinal)
                    if word not in best or score < best[word][0]:
                        best[word] = (score, pieces)
        if initials:
            for ordinal in vocabulary.with_initials(text):
                word, score = vocabulary.word(ordinal), (1, ordinal)
                if word not in best or score < best[word][0]:
                    best[word] = (score, tuple(text))
        ranked = sorted(best.items(), key=lambda item: (item[1][0], item[0]))
        found = [(word, pieces) for word, (_, pieces) in ranked[:limit]]
        if len(found) >= limit:
            return found

        # Dictionary entries tagged with the segmentation that found them, lazily: heapq.merge only pulls what the bar shows.
        exact_streams: list[Iterator[tuple[int, tuple[str, ...]]]] = []
        other_streams: list[Iterator[tuple[int, tuple[str, ...]]]] = []
        for pieces, complete in queries:
            for exact, ordinals in dictionary.matches(pieces, complete):
                (exact_streams if exact else other_streams).append(zip(ordinals, repeat(pieces)))
        if initials:
            other_streams.append(zip(dictionary.with_initials(text), repeat(tuple(text))))
        seen = set(best)
        for stream in (merge(*exact_streams), merge(*other_streams)):
            for ordinal, pieces in stream:
                word = dictionary.word(ordinal)
                if word not in seen:
                    seen.add(word)
                    found.append((word, pieces))
                    if len(found) >= limit:
                        return found
        return found
