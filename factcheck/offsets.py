"""The map from normalized positions back to raw ones, stored as runs.

Normalizing cuts characters out (pinyin annotations, invisible characters, spaces inside
figures) and, rarely, puts several in the place of one (㈶ becomes (财)). Between two
such places the map goes up one raw position per normalized one, so it is kept as the
starts of its runs: `raw(p) = raw_starts[k] + p - norm_starts[k]`, `k` the last run that
starts at or before `p`. A text with nothing cut out is one run, however long; the array
of every character's raw position (4 bytes a character) was the biggest thing a
normalized document kept. Where runs are so short that they would take more than that
array (an annotation after every character), the array is kept instead.
"""
from __future__ import annotations

from typing import Iterator, Optional, Union

import numpy as np


_BLOCK = 1 << 16


def position_type(length: int):
    """The numpy type of positions in a text of `length` characters: 4 bytes while they
    fit, 8 past 2^31 characters (8 GB of text, more than anyone feeds it whole)."""
    return np.int32 if length < 2 ** 31 else np.int64

# Up to this many characters the array is kept as it is: finding its runs would cost a
# short document more time than the kilobytes it saves are worth
SMALL = 4096


def _keeps_every_position(runs: int, size: int) -> bool:
    """Whether a map of `size` positions in `runs` runs is kept as every position: a
    small one, or one whose runs would take as much room."""
    return size <= SMALL or 2 * runs >= size


class OffsetMap:
    """The raw position of every normalized character; indexed like the array it stands
    for (an int, an array of ints or a slice), and `np.asarray` gives that array."""

    __slots__ = ("norm_starts", "raw_starts", "size")

    def __init__(self, norm_starts: Optional[np.ndarray], raw_starts: np.ndarray, size: int):
        self.norm_starts = norm_starts   # None: raw_starts holds every position
        self.raw_starts = raw_starts
        self.size = size

    @classmethod
    def identity(cls, size: int) -> "OffsetMap":
        """The map of a text with nothing cut out: one run."""
        starts = np.zeros(1 if size else 0, dtype=np.int32)
        return cls(starts, starts, size)

    @classmethod
    def from_positions(cls, positions: np.ndarray) -> "OffsetMap":
        """The map of `positions[i]`, the raw position of normalized character i (never
        decreasing)."""
        size = positions.size
        if size == 0:
            empty = np.zeros(0, dtype=np.int32)
            return cls(empty, empty, 0)
        kind = position_type(int(positions[-1]) + 1)
        if size <= SMALL:
            return cls(None, positions.astype(kind, copy=False), size)
        # where a step is not 1, a block at a time: the steps of all positions at once
        # took as much memory again as the positions
        found = []
        for low in range(0, size - 1, _BLOCK):
            steps = np.diff(positions[low:low + _BLOCK + 1])
            breaks = np.flatnonzero(steps != 1)
            breaks += low
            found.append(breaks)
        breaks = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
        del found
        if _keeps_every_position(breaks.size + 1, size):
            return cls(None, positions.astype(kind, copy=False), size)
        norm_starts = np.empty(breaks.size + 1, dtype=np.int64)
        norm_starts[0] = 0
        np.add(breaks, 1, out=norm_starts[1:])
        raw_starts = positions[norm_starts].astype(kind, copy=False)
        return cls(norm_starts.astype(kind), raw_starts, size)

    @classmethod
    def joined(cls, maps: list["OffsetMap"], shifts: list[int]) -> "OffsetMap":
        """The map of the texts of `maps` one after the other, map k's raw positions
        shifted by `shifts[k]`: what `from_positions` gives on all their positions at
        once, without an array of them all (unless that is how it is kept)."""
        parts = [(part, shift) for part, shift in zip(maps, shifts) if part.size]
        if not parts:
            return cls.identity(0)
        last, shift = parts[-1]
        size = sum(part.size for part, _ in parts)
        kind = position_type(int(last[last.size - 1]) + shift + 1)
        norm_starts = np.empty(sum(part.runs for part, _ in parts), dtype=kind)
        raw_starts = np.empty(norm_starts.size, dtype=kind)
        runs = done = 0
        next_raw = -1   # where a run going on from the last part would be in the raw text
        for part, shift in parts:
            part_norm, part_raw = part._run_starts()
            # a part's first run goes on from the last part's last where the raw text steps
            # by one there, as it does inside a run: runs break nowhere else
            skip = 1 if int(part_raw[0]) + shift == next_raw else 0
            count = part_norm.size - skip
            np.add(part_norm[skip:], done, out=norm_starts[runs:runs + count], casting="unsafe")
            np.add(part_raw[skip:], shift, out=raw_starts[runs:runs + count], casting="unsafe")
            runs += count
            done += part.size
            next_raw = int(part[part.size - 1]) + shift + 1
        norm_starts, raw_starts = norm_starts[:runs], raw_starts[:runs]
        if _keeps_every_position(runs, size):
            positions = np.arange(size, dtype=kind)
            positions += np.repeat(raw_starts - norm_starts, np.diff(np.append(norm_starts, size)))
            return cls(None, positions, size)
        return cls(norm_starts.copy(), raw_starts.copy(), size)

    def _run_starts(self) -> tuple[np.ndarray, np.ndarray]:
        """(norm_starts, raw_starts) of the map's runs, however it is kept."""
        if self.norm_starts is not None:
            return self.norm_starts, self.raw_starts
        positions = self.raw_starts
        norm_starts = np.concatenate(([0], np.flatnonzero(np.diff(positions) != 1) + 1))
        return norm_starts, positions[norm_starts]

    @property
    def runs(self) -> int:
        return self.size if self.norm_starts is None else self.norm_starts.size

    def __len__(self) -> int:
        return self.size

    def __repr__(self) -> str:
        return f"OffsetMap(size={self.size}, runs={self.runs})"

    def __getitem__(self, positions: Union[int, np.integer, slice, np.ndarray, list]):
        if self.norm_starts is None:
            found = self.raw_starts[positions]
            return int(found) if isinstance(positions, (int, np.integer)) else found.astype(np.int64)
        if isinstance(positions, (int, np.integer)):
            p = int(positions)
            if p < 0:
                p += self.size
            if not 0 <= p < self.size:
                raise IndexError(f"position {int(positions)} outside a text of {self.size} characters")
            k = int(np.searchsorted(self.norm_starts, p, side="right")) - 1
            return int(self.raw_starts[k]) + p - int(self.norm_starts[k])
        if isinstance(positions, slice):
            positions = np.arange(self.size, dtype=np.int64)[positions]
        positions = np.asarray(positions, dtype=np.int64)
        if positions.size and (int(positions.min()) < -self.size or int(positions.max()) >= self.size):
            raise IndexError(f"a position outside a text of {self.size} characters")
        positions = np.where(positions < 0, positions + self.size, positions)
        k = np.searchsorted(self.norm_starts, positions, side="right") - 1
        return self.raw_starts[k].astype(np.int64) + (positions - self.norm_starts[k])

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        whole = self[np.arange(self.size, dtype=np.int64)]
        return whole if dtype is None else whole.astype(dtype)

    def tolist(self) -> list[int]:
        return np.asarray(self).tolist()

    def __iter__(self) -> Iterator[int]:
        return iter(self.tolist())
