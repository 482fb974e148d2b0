"""raw text -> normalized text with a map back to raw offsets.

Normalization strips pinyin annotations (`增長(zhǎng)` -> `增長`), drops invisible
format characters, applies NFKC and Traditional->Simplified one character at a time.
It works on the text as an array of code points, so a 10 MB document costs a few
vectorized passes rather than a Python step per character; the offset map gives, for
every normalized character, the raw index it came from (`offsets.OffsetMap`).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import numpy as np

from .offsets import OffsetMap, position_type

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_PINYIN_LETTERS = "abcdefghijklmnopqrstuvwxyzü" + _TONED
_MAX_SYLLABLE = 7
# Invisible characters that break numbers apart: zero-width and bidi controls (the Arabic
# letter mark too), soft hyphen, variation selectors, tags: Unicode's default-ignorable
# code points, less the Hangul fillers, which are drawn as blanks.
_INVISIBLE = [0x00AD, 0x034F, 0x061C, 0x17B4, 0x17B5, *range(0x180B, 0x1810), *range(0x200B, 0x2010),
              *range(0x202A, 0x202F), *range(0x2060, 0x2070), *range(0xFE00, 0xFE10), 0xFEFF,
              *range(0x1BCA0, 0x1BCA4), *range(0x1D173, 0x1D17B), *range(0xE0000, 0xE1000)]
# Line endings: \r\n is one break (its \r is dropped like an invisible character); a lone
# \r, a vertical tab, a form feed (pdftotext's page break), NEL and the Unicode line and
# paragraph separators are each a \n, so that sentences and lines end where they do in
# a file with Unix line endings.
_LINE_BREAKS = {"\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"}

_UNICODE_SIZE = 0x110000
_pinyin_lut = np.zeros(_UNICODE_SIZE, dtype=np.bool_)
_pinyin_lut[[ord(c) for c in _PINYIN_LETTERS]] = True
_toned_lut = np.zeros(_UNICODE_SIZE, dtype=np.bool_)
_toned_lut[[ord(c) for c in _TONED]] = True
_invisible_lut = np.zeros(_UNICODE_SIZE, dtype=np.bool_)
_invisible_lut[_INVISIBLE] = True
_han_lut = np.zeros(_UNICODE_SIZE, dtype=np.bool_)
for _lo, _hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F)):
    _han_lut[_lo:_hi + 1] = True
_OPEN = np.array([ord("("), ord("（")], dtype=np.uint32)
_CLOSE = np.array([ord(")"), ord("）")], dtype=np.uint32)
_QUESTION = ord("?")

# Every code point folded so far: to itself by default, to its NFKC+Simplified form once seen.
_fold_lut = np.arange(_UNICODE_SIZE, dtype=np.uint32)
# Its BMP part in 2 bytes, for a text whose code points all fit in 2 (nearly every Chinese
# text): the folded text in half the memory. Used while no BMP character has folded to
# one past the BMP (none does in Unicode 15 with OpenCC's t2s, but the tables are data).
_fold_lut16 = np.arange(0x10000, dtype=np.uint16)
_fold16_usable = True
_expanding: dict[int, str] = {}
_known = np.zeros(_UNICODE_SIZE, dtype=np.bool_)
_expands_lut = np.zeros(_UNICODE_SIZE, dtype=np.bool_)
_converter = None


def _opencc():
    global _converter
    if _converter is None:
        import opencc

        _converter = opencc.OpenCC("t2s")
    return _converter


# Kept as they are: the full-width comma is a clause break in Chinese, never a thousands
# separator (NFKC would make 20，300 read as twenty thousand three hundred).
_UNFOLDED = {"，"}


# The lookup tables filled by `_learn` are the real cache: a long-lived process that meets
# all of Unicode (a crawler's junk, a fuzzer) must not also keep a million strings here.
@lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    """NFKC then Traditional->Simplified for one character; may return several characters."""
    if ch in _UNFOLDED or "\ud800" <= ch <= "\udfff":
        return ch   # a lone surrogate (from JSON's \ud800 escape, or surrogateescape): OpenCC cannot encode it
    if ch in _LINE_BREAKS:
        return "\n"
    folded = unicodedata.normalize("NFKC", ch)
    # OpenCC is not idempotent on single characters (薴 -> 苧 -> 苎): go to a fixed point
    for _ in range(4):
        if len(folded) != 1 or folded < "\u2e80":
            break
        simplified = _opencc().convert(folded)
        if len(simplified) != 1 or simplified == folded:
            break
        folded = unicodedata.normalize("NFKC", simplified)
    if len(folded) > 1:
        # ㈶ is (財): each character of an expansion is folded too, or normalizing the
        # output again would still change it. NFKC output is NFKC-stable, so this ends.
        folded = "".join(fold_char(part) if part != ch else part for part in folded)
    return folded


def _learn(codes: np.ndarray) -> None:
    """Fold every code point of `codes` not seen before into the lookup tables."""
    global _fold16_usable
    # np.unique, but for its first call's import of numpy.ma (a fiftieth of a second)
    ordered = np.sort(codes)
    present = ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))] if ordered.size else ordered
    for code in present[~_known[present]]:
        ch = chr(int(code))
        folded = fold_char(ch)
        if len(folded) == 1:
            _fold_lut[code] = ord(folded)
            if code < 0x10000:
                if ord(folded) < 0x10000:
                    _fold_lut16[code] = ord(folded)
                else:
                    _fold16_usable = False
        else:
            _expanding[int(code)] = folded
            _expands_lut[code] = True
        _known[code] = True
        _flags[code] &= 0xFF ^ _F_UNSEEN


# Particles read in the neutral tone carry pinyin with no tone mark: 了(le), 的(de). Only
# these pairs count, so that a Latin word in parentheses survives.
_NEUTRAL_TONE = {"了": {"le"}, "的": {"de"}, "地": {"de"}, "得": {"de"}, "们": {"men"}, "們": {"men"},
                 "子": {"zi"}, "么": {"me"}, "麼": {"me"}, "吗": {"ma"}, "嗎": {"ma"}, "呢": {"ne"},
                 "吧": {"ba"}, "着": {"zhe"}, "著": {"zhe"}, "过": {"guo"}, "過": {"guo"},
                 "个": {"ge"}, "個": {"ge"}, "头": {"tou"}, "頭": {"tou"}}


def _neutral_tone(codes: np.ndarray, opener: np.ndarray, run_start: np.ndarray, closes: np.ndarray,
                  has_tone: np.ndarray) -> np.ndarray:
    """Which toneless candidates are the neutral-tone annotation of a particle."""
    found = np.zeros(closes.size, dtype=np.bool_)
    candidates = np.flatnonzero(~has_tone & (closes > run_start) & (opener >= 1))
    for k in candidates.tolist():
        if chr(codes[opener[k]]) not in "(（":
            continue
        particle = chr(codes[opener[k] - 1])
        syllables = _NEUTRAL_TONE.get(particle)
        if syllables and "".join(map(chr, codes[run_start[k]:closes[k]].tolist())) in syllables:
            found[k] = True
    return found


# every Unicode space separator: NFKC makes them all " " (no-break, thin, figure spaces)
_SPACE_CODES = np.array([0x20, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000], dtype=np.uint32)
_space_lut = np.zeros(_UNICODE_SIZE, dtype=np.bool_)
_space_lut[_SPACE_CODES] = True
# Spaces that typesetting puts between groups of three digits (14 151.3, 1 234 567): a
# no-break, figure, thin or narrow no-break space. An ordinary space never is one.
_GROUPING_SPACES = {0xA0, 0x2007, 0x2009, 0x202F}
_grouping_space_lut = np.zeros(_UNICODE_SIZE, dtype=np.bool_)
_grouping_space_lut[sorted(_GROUPING_SPACES)] = True

# What the first pass over a document needs to know of each code point, in one table so
# that it costs one lookup per character: invisible, a space, not folded yet, a \r.
_F_INVISIBLE, _F_SPACE, _F_UNSEEN, _F_CR, _F_SURROGATE = 1, 2, 4, 8, 16
_flags = np.full(_UNICODE_SIZE, _F_UNSEEN, dtype=np.uint8)
_flags[0xD800:0xE000] |= _F_SURROGATE
_flags[_invisible_lut] |= _F_INVISIBLE
_flags[_space_lut] |= _F_SPACE
_flags[13] |= _F_CR
_DIGITS = set(map(ord, "0123456789０１２３４５６７８９"))
# Characters a number is written with; spaces between two of them, one of them Chinese,
# belong to the figure (一百 五 十 二, 7 万5 千, 百分之五 十, 2.4 个百分 点), while spaces
# between two Arabic digits (11-11 09:31) separate things.
_number_part_lut = np.zeros(_UNICODE_SIZE, dtype=np.bool_)
_number_part_lut[[ord(c) for c in "0123456789０１２３４５６７８９"]] = True
_chinese_number_part_lut = np.zeros(_UNICODE_SIZE, dtype=np.bool_)
_chinese_number_part_lut[[ord(c) for c in "零〇一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟"
                          "兩萬億貳陸點点分之个個余餘多几幾成折俩倆"]] = True
_number_part_lut |= _chinese_number_part_lut


def _spaces_inside_numbers(codes: np.ndarray, spaces: Optional[np.ndarray] = None) -> np.ndarray:
    """Positions of space runs inside a figure written with spaces (`spaces`, where the
    spaces are, is computed when not given)."""
    mask = np.zeros(codes.size, dtype=np.bool_)
    if spaces is None:
        spaces = _space_lut[codes]
    if not spaces.any():
        return mask
    padded = np.concatenate(([False], spaces, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    starts, ends = edges[0::2], edges[1::2]
    inner = (starts > 0) & (ends < codes.size)
    starts, ends = starts[inner], ends[inner]
    before, after = codes[starts - 1], codes[ends]
    keep = (_number_part_lut[before] & _number_part_lut[after]
            & (_chinese_number_part_lut[before] | _chinese_number_part_lut[after]))
    for start, end in zip(starts[keep].tolist(), ends[keep].tolist()):
        mask[start:end] = True
    single = ~keep & (ends - starts == 1)
    single[single] = _grouping_space_lut[codes[starts[single]]]  # an ordinary space never is one
    grouping: dict[int, bool] = {}
    for start in starts[single].tolist():   # in order: a group's separator before this one is known
        if _groups_digits(codes, start, grouping):
            mask[start] = True
    return mask


def _groups_digits(codes: np.ndarray, at: int, known: dict[int, bool]) -> bool:
    """Whether the space at `at` separates digit groups: one to three digits before it
    (exactly three when another such space stands before them), exactly three after it,
    then no digit. `known` holds the answers for the spaces before it."""
    n = codes.size
    answer = False
    if at + 3 < n and all(int(codes[at + k]) in _DIGITS for k in (1, 2, 3)) \
            and not (at + 4 < n and int(codes[at + 4]) in _DIGITS):
        k = at - 1
        while k >= 0 and at - k <= 4 and int(codes[k]) in _DIGITS:
            k -= 1
        run = at - 1 - k
        if 1 <= run <= 3:
            if k >= 0 and int(codes[k]) in _GROUPING_SPACES:
                answer = run == 3 and known.get(k, False)
            else:
                answer = not (k >= 0 and int(codes[k]) in (ord("."), ord(",")))
    known[at] = answer
    return answer


# Whether a close paren ends an annotation depends on the characters at most this far
# before it: the pinyin run (2 * _MAX_SYLLABLE + 1 letters at most), its opener, and the
# character before that.
_ANNOTATION_REACH = 2 * _MAX_SYLLABLE + 3


def _annotation_mask(codes: np.ndarray,
                     changed: Optional[np.ndarray] = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw positions covered by pinyin annotations, and the annotations' starts and ends.

    `字(zì)` is an annotation; so is `?zì)`, whose character and "(" were lost to mojibake.
    With `changed` (sorted positions where the text was cut since it was last looked at,
    each the first character after a cut), only the close parens whose reach holds a cut
    are looked at: whether the others end an annotation has not changed.
    """
    n = codes.size
    closes = np.flatnonzero((codes == _CLOSE[0]) | (codes == _CLOSE[1]))
    if n < 2 ** 31:
        # positions in 4 bytes, not 8: in pinyin-annotated text a close paren comes every
        # few characters, and a dozen arrays the size of `closes` are alive at once
        closes = closes.astype(np.int32)
    if closes.size:
        # only a close right after a pinyin letter can end one: the walk back below
        # starts nowhere else, and most parens of most texts are no annotation, whose
        # dozens of passes cost a short document more than all the rest of normalizing
        closes = closes[(closes > 0) & _pinyin_lut[codes[closes - 1]]]
    if changed is not None and closes.size:
        cut = np.searchsorted(changed, closes, side="right") - 1
        closes = closes[(cut >= 0) & (closes - changed[np.maximum(cut, 0)] <= _ANNOTATION_REACH)]
    if closes.size == 0:
        return np.zeros(n, dtype=np.bool_), closes, closes
    if closes.size < ONE_BY_ONE_BELOW:
        starts, ends = _annotations_one_by_one(codes, closes)
    else:
        starts, ends = _annotations_at_once(codes, closes)
    if starts.size == 0:
        return np.zeros(n, dtype=np.bool_), starts, ends
    # The spans are disjoint (a walk back stops at the close paren of the span before), so
    # a running sum of +1 at each start and -1 at each end is 1 exactly inside them.
    delta = np.zeros(n + 1, dtype=np.int8)
    delta[starts] = 1
    delta[ends] -= 1
    # summed in place, 0 or 1 at every position: read as booleans without a copy
    mask = np.cumsum(delta[:n], dtype=np.int8, out=delta[:n]).view(np.bool_)
    return mask, starts, ends


def _annotations_at_once(codes: np.ndarray, closes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The starts and ends of the annotations that end at `closes` (sorted positions of
    close parens, each right after a pinyin letter), all closes at once: a walk back
    over the pinyin letters before each, a letter a pass."""
    run_start = closes.copy()
    has_tone = np.zeros(closes.size, dtype=np.bool_)
    active = np.arange(closes.size, dtype=closes.dtype)
    for _ in range(2 * _MAX_SYLLABLE + 1):
        prev = run_start[active] - 1
        inside = prev >= 0
        active, prev = active[inside], prev[inside]
        letter = _pinyin_lut[codes[prev]]
        active, prev = active[letter], prev[letter]
        if active.size == 0:
            break
        run_start[active] = prev
        has_tone[active] |= _toned_lut[codes[prev]]
    opener = run_start - 1
    has_tone |= _neutral_tone(codes, opener, run_start, closes, has_tone)
    valid = (closes > run_start) & has_tone & (opener >= 0)
    opener_code = codes[np.maximum(opener, 0)]
    before_opener = codes[np.maximum(opener - 1, 0)]
    paren = valid & ((opener_code == _OPEN[0]) | (opener_code == _OPEN[1])) & _han_lut[before_opener] & (opener >= 1)
    question = valid & ~paren & (opener_code == _QUESTION)
    starts = np.where(paren, opener, run_start)[paren | question]
    ends = closes[paren | question] + 1
    return starts, ends


# Below this many close parens to look at, `_annotations_one_by_one`: each numpy pass
# of `_annotations_at_once` costs a few microseconds however few the closes, and a
# one-paragraph document paid more for its dozens of passes than for all the rest of
# normalizing; one close looked at in Python costs about as much as one pass.
ONE_BY_ONE_BELOW = 48
_PINYIN_CODES = frozenset(map(ord, _PINYIN_LETTERS))
_TONED_CODES = frozenset(map(ord, _TONED))
_OPEN_CODES = frozenset(_OPEN.tolist())


def _annotations_one_by_one(codes: np.ndarray, closes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What `_annotations_at_once` finds, a close at a time."""
    starts: list[int] = []
    ends: list[int] = []
    for close in closes.tolist():
        low = max(close - _ANNOTATION_REACH, 0)
        window = codes[low:close].tolist()   # the letters, the opener and the character before it
        run = len(window)
        while len(window) - run < 2 * _MAX_SYLLABLE + 1 and run > 0 and window[run - 1] in _PINYIN_CODES:
            run -= 1
        opener = low + run - 1
        if opener < 0:
            continue
        # from here on run >= 2 wherever opener >= 1: the window was not cut at the text's start
        letters, opener_code = window[run:], window[run - 1]
        paren = opener >= 1 and opener_code in _OPEN_CODES
        toned = any(code in _TONED_CODES for code in letters)
        if not toned and paren:
            syllables = _NEUTRAL_TONE.get(chr(window[run - 2]))
            toned = bool(syllables) and "".join(map(chr, letters)) in syllables
        if not toned:
            continue
        if paren and _han_lut[window[run - 2]]:
            starts.append(opener)
        elif opener_code == _QUESTION:
            starts.append(opener + 1)
        else:
            continue
        ends.append(close + 1)
    return np.array(starts, dtype=closes.dtype), np.array(ends, dtype=closes.dtype)


@dataclass
class Document:
    raw: str
    norm: str
    raw_index: OffsetMap           # raw_index[i] = raw position of normalized character i
    annotation_starts: np.ndarray  # raw spans of stripped pinyin annotations, sorted
    annotation_ends: np.ndarray
    path: str = "<text>"
    sha256: str | None = None
    encoding: str = "utf-8"

    def raw_span(self, norm_start: int, norm_end: int) -> tuple[int, int]:
        """Raw span of a normalized span, taking in the pinyin annotations that follow its
        last character in the raw text (they belong to that character)."""
        start = int(self.raw_index[norm_start])
        end = int(self.raw_index[norm_end - 1]) + 1
        while True:
            k = int(np.searchsorted(self.annotation_starts, end))
            if k < self.annotation_starts.size and self.annotation_starts[k] == end:
                end = int(self.annotation_ends[k])
            else:
                return start, end


def code_points(text: str) -> np.ndarray:
    """The text's code points, one array item per character: 2 bytes each when every
    character is in the Basic Multilingual Plane (nearly all Chinese text), else 4."""
    # a character past the BMP takes two UTF-16 units; encoding is a copy loop, where
    # max(text) compared characters one by one at half the floor's whole cost
    utf16 = text.encode("utf-16-le", "surrogatepass")
    if len(utf16) == 2 * len(text):
        return np.frombuffer(utf16, dtype=np.uint16)
    del utf16   # before the text's copy in 4 bytes a character is made
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


_REREAD_BLOCK = 1 << 16


def _code_points_at(raw: str, index: Optional[np.ndarray], dtype: np.dtype) -> np.ndarray:
    """`code_points(raw)[index]` (all of them for `index` None), in `dtype`, reading a
    block of the raw text at a time: the code points of the whole raw text at once are as
    big as the text was before anything was cut out, at 4 bytes a character for a text
    with one character past the BMP."""
    if index is None:
        return code_points(raw).astype(dtype, copy=False)
    if len(raw) <= _REREAD_BLOCK:
        return code_points(raw)[index].astype(dtype, copy=False)
    out = np.empty(index.size, dtype=dtype)
    # in the index's own type: searchsorted would otherwise compare a copy of it in 8 bytes
    lows = np.arange(0, len(raw) + _REREAD_BLOCK, _REREAD_BLOCK, dtype=index.dtype)
    bounds = np.searchsorted(index, lows).tolist()
    for k, low in enumerate(lows[:-1].tolist()):
        first, last = bounds[k], bounds[k + 1]
        if first < last:
            out[first:last] = code_points(raw[low:low + _REREAD_BLOCK])[index[first:last] - low]
    return out


# Annotations stacked on one character (字(zì)(zì)) are cut a layer a round, each round
# a pass over the whole text's arrays: this many layers go, and a deeper stack, which no
# real text has, keeps the rest (a second normalization would cut more).
STACKED_ANNOTATIONS = 64


# Texts longer than this many characters are normalized a block at a time, each block
# ending at a line break (or 。): every array of normalizing is a block's, so its peak
# is the raw text, the normalized one and its pieces, not a dozen bytes a character.
# No step looks across a line break or a 。 (annotations, spaces inside figures, digit
# groups, \r\n all lie inside a line), so the blocks give what the whole text gives.
BLOCK_CHARS = 1 << 16
_BLOCK_ENDS = ("\n", "。")


def normalize(raw: str, path: str = "<text>", sha256: str | None = None, encoding: str = "utf-8") -> Document:
    if len(raw) <= BLOCK_CHARS:
        norm, offsets, ann_starts, ann_ends = _normalized(raw)
    else:
        pieces: list[str] = []
        maps: list[OffsetMap] = []
        shifts: list[int] = []
        starts_found: list[np.ndarray] = []
        ends_found: list[np.ndarray] = []
        kind = position_type(len(raw))
        for low, high in _blocks(raw, BLOCK_CHARS):
            piece, offsets, ann_starts, ann_ends = _normalized(raw[low:high])
            pieces.append(piece)
            maps.append(offsets)
            shifts.append(low)
            starts_found.append(np.add(ann_starts, low, dtype=kind))
            ends_found.append(np.add(ann_ends, low, dtype=kind))
        offsets = OffsetMap.joined(maps, shifts)
        del maps
        norm = "".join(pieces)
        del pieces
        ann_starts, ann_ends = np.concatenate(starts_found), np.concatenate(ends_found)
    return Document(raw=raw, norm=norm, raw_index=offsets, annotation_starts=ann_starts,
                    annotation_ends=ann_ends, path=path, sha256=sha256, encoding=encoding)


def _blocks(raw: str, size: int):
    """(start, end) of blocks of `raw` of at most `size` characters, each but the last
    ending just after the last line break or 。 in its second half; a block with neither
    there runs on to the next one (the rest of the text when there is none)."""
    low = 0
    while len(raw) - low > size:
        high = max(raw.rfind(mark, low + size // 2, low + size) for mark in _BLOCK_ENDS)
        if high < 0:
            found = [at for at in (raw.find(mark, low + size) for mark in _BLOCK_ENDS) if at >= 0]
            if not found:
                break
            high = min(found)
        yield low, high + 1
        low = high + 1
    yield low, len(raw)


def _normalized(raw: str) -> tuple[str, OffsetMap, np.ndarray, np.ndarray]:
    """The normalized text, its map back to `raw`, and the annotations' raw starts and
    ends."""
    codes = code_points(raw)
    flags = _flags[codes]
    # a lone surrogate (from a decoder's surrogateescape) is one code point of the text: in
    # 2-byte units, a high one before a low one would decode back as one character
    as_utf16 = codes.dtype == np.uint16 and not (flags & _F_SURROGATE).any()
    if codes.size and (flags & _F_UNSEEN).any():
        _learn(codes[(flags & _F_UNSEEN) != 0])
    # Invisible characters go first, so that one between a character and its annotation
    # does not hide the annotation. `index` maps the surviving code points to raw positions
    # (None while nothing is cut out: see `_kept`).
    hidden = (flags & _F_INVISIBLE) != 0
    if codes.size > 1 and (flags & _F_CR).any():
        hidden[:-1] |= (codes[:-1] == 13) & (codes[1:] == 10)  # the \r of \r\n
    spaces = (flags & _F_SPACE) != 0
    if hidden.any():
        # spaces inside figures are looked for with the invisible characters gone, as a
        # second normalization finds them (0 \u200b百 is 0 百, a figure with a space)
        seen = np.flatnonzero(~hidden)
        hidden[seen[_spaces_inside_numbers(codes[seen], spaces[seen])]] = True
        del seen
    else:
        hidden = _spaces_inside_numbers(codes, spaces)
    del spaces
    visible = ~hidden
    index = None
    if hidden.any():   # most texts hide nothing: no copies of the whole text's arrays then
        index = _kept(index, visible)
        current = codes[visible]
    else:
        current = codes
    codes_type = codes.dtype
    del codes, flags, hidden, visible   # the raw code points are not looked at again
    # Annotations are looked for in the folded text, as a second normalization would see
    # them: （ｚｈǎｎｇ） in full-width letters is an annotation too.
    folded = _fold_lut16[current] if current.dtype == np.uint16 and _fold16_usable else _fold_lut[current]
    # the code points as they were before folding are only looked at once the annotations
    # are cut out: they are read again from the raw text then (current[i] is raw[index[i]]),
    # rather than kept through the rounds and cut along with the others (a copy of the text
    # in normalizing's peak)
    del current
    starts_found: list[np.ndarray] = []
    ends_found: list[np.ndarray] = []
    changed = None
    for _ in range(STACKED_ANNOTATIONS):
        found = _annotation_round(folded, index, changed)
        if found is None:
            break
        kept, span_starts, span_ends, changed = found
        del found
        starts_found.append(span_starts)
        ends_found.append(span_ends)
        index = _kept(index, kept)   # one at a time: each old array goes before the next new one
        folded = folded[kept]
        del kept, span_starts, span_ends
        if changed is None:
            break
    cut = bool(starts_found)
    ann_starts, ann_ends = _merge_spans(starts_found, ends_found)
    del starts_found, ends_found
    current = _code_points_at(raw, index, codes_type)
    if cut:
        # an annotation cut out may leave a space between two numerals (一(zhǎng) 一): it is
        # inside a figure now, as a second normalization would find
        inside = _spaces_inside_numbers(current)
        if inside.any():
            kept = ~inside
            index = _kept(index, kept)   # one at a time: each old array goes before the next new one
            current = current[kept]
            folded = folded[kept]
            del kept
        del inside
    _fold_grouping_commas(current, folded)
    # a lookup table, not np.isin over every expansion seen so far: a process that has
    # read all of Unicode (a fuzzer, a crawler's junk) must not slow down for it
    expands = _expands_lut[current] if _expanding else None
    if expands is not None and expands.any():
        counts = np.ones(current.size, dtype=np.int64)
        positions = np.flatnonzero(expands)
        replacements = [_expanding[int(current[p])] for p in positions]
        counts[positions] = [len(r) for r in replacements]
        if index is None:
            index = np.arange(current.size, dtype=position_type(current.size))
        raw_index = np.repeat(index, counts)
        if folded.dtype == np.uint16 and max(map(max, replacements)) > "\uffff":
            folded = folded.astype(np.uint32)
            as_utf16 = False
        norm_codes = np.repeat(folded, counts)
        firsts = np.cumsum(counts) - counts
        for pos, replacement in zip(positions, replacements):
            first = int(firsts[pos])
            norm_codes[first:first + len(replacement)] = [ord(c) for c in replacement]
    else:
        raw_index = index
        norm_codes = folded
    # the arrays of the text's length go before its string is made: a code point a
    # normalized character, as decoding it reads them
    del folded, current, expands, index   # norm_codes stays, and may be folded itself
    # a fold or an expansion may end or start a figure next to a space (₉ 一 is 9 一, ¼ 百
    # is 1⁄4 百): the space is inside the figure now, as a second normalization would
    # find (looked for only where the text held an expansion, it depended on one
    # somewhere else in the text)
    inside = _spaces_inside_numbers(norm_codes)
    if inside.any():
        kept = ~inside
        raw_index = _kept(raw_index, kept)
        norm_codes = norm_codes[kept]
        del kept
    del inside
    offsets = OffsetMap.identity(norm_codes.size) if raw_index is None else OffsetMap.from_positions(raw_index)
    del raw_index
    # decoded straight from the array's buffer: tobytes() would copy it first
    if as_utf16 and norm_codes.dtype == np.uint16:
        norm = str(np.ascontiguousarray(norm_codes), "utf-16-le", "surrogatepass")
    else:
        norm = str(np.ascontiguousarray(norm_codes, dtype=np.uint32), "utf-32-le", "surrogatepass")
    return norm, offsets, ann_starts, ann_ends


def _annotation_round(folded: np.ndarray, index: Optional[np.ndarray], changed: Optional[np.ndarray]):
    """One round of annotations (see STACKED_ANNOTATIONS): None when there is none, else
    what to keep of the text, the annotations' raw starts and ends, and where the next
    round looks (`changed`, see `_annotation_mask`; None when no round is needed)."""
    mask, starts, ends = _annotation_mask(folded, changed)
    if starts.size == 0:
        return None
    # An annotation's raw span runs from just after the character it annotates (taking
    # in any invisible characters there) to its closing parenthesis.
    before = _raw_positions(index, np.maximum(starts - 1, 0)) + 1
    span_starts = np.where(starts > 0, before, 0)
    span_ends = _raw_positions(index, ends - 1) + 1
    # Only a cut followed by an opener (`字(zì)(zì)`) or a pinyin letter (`字?zì)zì)`, whose
    # second annotation begins where the first is cut out) can make a new annotation: a
    # paren annotation's span begins with its opener, a `?zì)`'s with its letters, and
    # the character before either is no pinyin letter. Looking again near every cut
    # whenever one of them is followed so (as before only after an opener) made what a
    # cut leaves depend on cuts elsewhere in the text.
    followed = ends < folded.size
    after = folded[ends[followed]]
    followed[followed] = (after == _OPEN[0]) | (after == _OPEN[1]) | _pinyin_lut[after]
    if followed.any():
        # where the spans were cut out: the next round only looks near them
        lengths = ends - starts
        changed = starts - (np.cumsum(lengths) - lengths)
    else:
        changed = None
    return np.logical_not(mask, out=mask), span_starts, span_ends, changed


_KEPT_BLOCK = 1 << 16


def _kept(index: Optional[np.ndarray], kept: np.ndarray) -> np.ndarray:
    """`index[kept]`, `index` None standing for the identity (nothing cut out so far).
    The first cut makes the positions left a block at a time, in 4 bytes each: an array of
    every position, made before anything was cut (4 bytes a character) or by flatnonzero
    (8 bytes a character left), was the biggest array in normalizing's peak."""
    if index is not None:
        return index[kept]
    if kept.size <= _KEPT_BLOCK:
        return np.flatnonzero(kept).astype(position_type(kept.size))
    left = np.empty(int(np.count_nonzero(kept)), dtype=position_type(kept.size))
    filled = 0
    for low in range(0, kept.size, _KEPT_BLOCK):
        found = np.flatnonzero(kept[low:low + _KEPT_BLOCK])
        found += low
        left[filled:filled + found.size] = found
        filled += found.size
    return left


def _raw_positions(index: Optional[np.ndarray], positions: np.ndarray) -> np.ndarray:
    return positions if index is None else index[positions]


def _fold_grouping_commas(current: np.ndarray, folded: np.ndarray) -> None:
    """A full-width comma between full-width digits in groups of three (１７，４８３) is a
    thousands separator after all: fold it to ','."""
    commas = np.flatnonzero(current == 0xFF0C)
    if commas.size == 0:
        return
    def fullwidth_digit(positions: np.ndarray) -> np.ndarray:
        inside = (positions >= 0) & (positions < current.size)
        codes = current[np.clip(positions, 0, current.size - 1)]
        return inside & (codes >= 0xFF10) & (codes <= 0xFF19)
    # nearly every Chinese text has such commas, after Han characters: the digit before
    # one is looked for first, and the rest only where it is there
    commas = commas[fullwidth_digit(commas - 1)]
    if commas.size == 0:
        return
    grouping = (fullwidth_digit(commas + 1) & fullwidth_digit(commas + 2)
                & fullwidth_digit(commas + 3) & ~fullwidth_digit(commas + 4))
    folded[commas[grouping]] = ord(",")


def _merge_spans(starts: list[np.ndarray], ends: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Annotation spans sorted by start; of spans starting at the same place (a doubled
    annotation), the longest."""
    if not starts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    s, e = np.concatenate(starts), np.concatenate(ends)
    order = np.lexsort((e, s))
    s, e = s[order], e[order]
    last_of_run = np.append(s[1:] != s[:-1], True)
    return s[last_of_run], e[last_of_run]
