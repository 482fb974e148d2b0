"""bytes -> raw text. Detection by BOM first, strict UTF-8 next, charset-normalizer last.

NUL bytes. A file whose NULs fall on every other byte is UTF-16 (or UTF-32) without a
BOM. Otherwise NULs are damage inside a text file (a crawler's padding, a zero-filled
tail after a crash): when the bytes other than the NULs are text, the file is text with
NULs. The NULs stay in the raw text as U+0000, so offsets still count them, and a figure
touching one is not reported (see `factcheck.extract`). A file of NULs alone, or whose
other bytes are not text, is binary. The same rule holds wherever the NULs are in the
file, not only in its first kilobytes.

A file cut inside its last character (a download stopped short, a crawler's size
limit: Common Crawl cuts records at 1 MiB, wherever a character falls) is read: the
cut character becomes one U+FFFD at the end of the text. Every other invalid byte
still makes the encoding fail (`CUT_TAIL`).

The decision depends only on the file's first bytes, its NUL count and whether the whole
file decodes strictly (but for a cut last character) in a candidate encoding, so `stream_input` (files read in blocks,
in bounded memory) picks the same encoding as `decode_bytes` on the whole file.
"""
from __future__ import annotations

import codecs
import hashlib
import os
import stat
import sys
from dataclasses import dataclass
from typing import Callable, Iterator, Optional, Sequence


def from_bytes(data: bytes):
    """charset_normalizer.from_bytes, imported on first use: most inputs are UTF-8 or
    carry a BOM and never need it, and importing it was a fortieth of a second of
    every start."""
    from charset_normalizer import from_bytes as detect

    return detect(data)


# The reasons Python's decoders give for bytes that stop inside a character: UTF-8,
# the CJK multibyte codecs, UTF-16/32
_CUT_REASONS = frozenset({"unexpected end of data", "incomplete multibyte sequence", "truncated data"})


def _cut_tail(exc: UnicodeError):
    """'strict', except for a character cut off by the end of the input."""
    if isinstance(exc, UnicodeDecodeError) and exc.end == len(exc.object) and exc.reason in _CUT_REASONS:
        return "\ufffd", exc.end
    try:
        raise exc
    finally:
        # the traceback holds this frame: with `exc` in it, the exception (and the whole
        # input, its `object`) would be kept in a reference cycle
        del exc


CUT_TAIL = "factcheck-cut-tail"   # the error handler every input is decoded with
codecs.register_error(CUT_TAIL, _cut_tail)


class InputError(Exception):
    """An input that cannot be read or decoded; the message is one line naming the file."""


@dataclass
class Decoded:
    path: str
    text: str
    encoding: str
    sha256: str


_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]

# Chinese documents that are not UTF-8 are nearly always one of these; trying them
# strictly before asking the detector avoids its occasional guesses of cp1252 & co.
_CJK_CANDIDATES = ("gb18030", "big5")
_WIDE = ("utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be")
CONTROL_SAMPLE = 8192       # bytes looked at for control characters
DETECT_BYTES = 1 << 20      # bytes the statistical detector sees (a prefix)
_CONTROLS = bytes(b for b in range(32) if b < 9 or 13 < b < 32)  # NUL is counted apart


def _control_heavy(sample: bytes) -> bool:
    """More than 5% control bytes among the non-NUL bytes: not text."""
    text = sample.replace(b"\x00", b"")
    if not text:
        return True
    controls = len(text) - len(text.translate(None, _CONTROLS))
    return controls > len(text) * 0.05


def _wide_by_layout(prefix: bytes) -> Optional[str]:
    """UTF-16 without a BOM holding ASCII: NULs on every other byte, all on one side;
    UTF-32 without a BOM: the two high bytes of (nearly) every unit NUL."""
    quads = len(prefix) // 4
    if quads >= 2:
        column = [prefix[k:quads * 4:4].count(0) for k in range(4)]
        if column[2] >= 0.9 * quads and column[3] >= 0.9 * quads and column[0] < 0.5 * quads:
            return "utf-32-le"
        if column[0] >= 0.9 * quads and column[1] >= 0.9 * quads and column[3] < 0.5 * quads:
            return "utf-32-be"
    units = len(prefix) // 2
    if units < 2:
        return None
    even, odd = prefix[0:units * 2:2].count(0), prefix[1:units * 2:2].count(0)
    if odd >= 0.3 * units and even <= 0.05 * odd:
        return "utf-16-le"
    if even >= 0.3 * units and odd <= 0.05 * even:
        return "utf-16-be"
    return None


def _cjk_ratio(text: str) -> float:
    if not text:
        return 0.0
    han = sum(1 for ch in text[:4000] if "\u4e00" <= ch <= "\u9fff")
    return han / min(len(text), 4000)


def choose_encoding(prefix: bytes, size: int, nuls: int, attempt: Callable[[str], object],
                    path: str, failures: Sequence[str] = ()) -> tuple[str, object]:
    """The encoding of a file from its first bytes (`prefix`, at least DETECT_BYTES of it
    when the file is that long), its size, its NUL count, and `attempt(encoding)`: the
    whole file decoded strictly in that encoding (anything truthy), or None when it does
    not decode, after appending the reason to `failures`. Returns (encoding, what
    `attempt` returned); raises InputError.

    (`failures` and not an attribute set on `attempt`: a closure that names itself is a
    reference cycle, which kept a whole file's bytes in memory through its document's
    run, since the garbage collector is paused then.)"""
    for bom, encoding in _BOMS:
        if prefix.startswith(bom):
            got = attempt(encoding)
            if got is None:
                reason = failures[-1] if failures else ""
                raise InputError(f"{path}: cannot decode as {encoding}" + (f": {reason}" if reason else ""))
            return encoding, got
    if nuls and nuls == size:
        raise InputError(f"{path}: binary file, not text (only NUL bytes)")
    textual = not _control_heavy(prefix[:CONTROL_SAMPLE])
    if nuls:
        wide = _wide_by_layout(prefix[:65536])
        if wide is not None:
            got = attempt(wide)
            if got is not None:
                return wide, got
    if textual:
        got = attempt("utf-8")
        if got is not None:
            return "utf-8", got
    if nuls or not textual:
        match = from_bytes(prefix[:65536]).best()
        if match is not None and match.encoding in _WIDE:
            got = attempt(match.encoding)
            if got is not None:
                return match.encoding, got
        if not textual:
            raise InputError(f"{path}: binary file, not text")
    candidates = []
    for encoding in _CJK_CANDIDATES:
        got = attempt(encoding)
        if got is not None:
            head = prefix[:16384].decode(encoding, "ignore")
            candidates.append((_cjk_ratio(head), encoding, got))
    if candidates:
        # GB18030 decodes almost any byte string; Big5 text read as GB18030 gives rare Han
        # characters, so prefer whichever decoding the detector agrees with.
        if len(candidates) == 1:
            _, encoding, got = candidates[0]
            return encoding, got
        guess = from_bytes(prefix[:DETECT_BYTES]).best()
        guessed = guess.encoding if guess is not None else ""
        for _, encoding, got in candidates:
            if guessed.replace("_", "") == encoding.replace("_", "") or (
                encoding == "big5" and guessed in ("big5", "big5hkscs", "cp950")
            ):
                return encoding, got
        _, encoding, got = max(candidates, key=lambda c: (c[0], c[1]))
        return encoding, got
    if nuls:
        raise InputError(f"{path}: binary file, not text")
    guess = from_bytes(prefix[:DETECT_BYTES]).best()
    if guess is None:
        raise InputError(f"{path}: cannot detect the text encoding")
    got = attempt(guess.encoding)
    if got is None:
        raise InputError(f"{path}: cannot decode as {guess.encoding}")
    return guess.encoding, got


def decode_bytes(data: bytes, path: str = "<bytes>") -> Decoded:
    digest = hashlib.sha256(data).hexdigest()
    failures: list[str] = []

    def attempt(encoding: str) -> Optional[str]:
        try:
            return _decoded(data, encoding)
        except BlockDecodeError as exc:
            failures.append(str(exc))
        except LookupError:
            pass
        return None

    if not data:
        return Decoded(path, "", "utf-8", digest)
    encoding, text = choose_encoding(data[:DETECT_BYTES], len(data), data.count(b"\x00"), attempt, path, failures)
    return Decoded(path, text, encoding, digest)  # type: ignore[arg-type]


def _decoded(data: bytes, encoding: str) -> str:
    """data.decode(encoding, CUT_TAIL), whole: Python's decoders write into room for a
    character a byte, but the pages they never write cost nothing, so a file decoded
    whole peaks at its bytes and its text, where decoded in blocks its text is there
    twice, the pieces and the whole. An error names its byte in `data`."""
    try:
        return data.decode(encoding, CUT_TAIL)
    except UnicodeDecodeError as exc:
        _, skip = _plain_encoding(encoding, data[:4])   # utf-8-sig counts from after its BOM
        raise BlockDecodeError(exc.reason, exc.start + skip) from None


class BlockDecodeError(ValueError):
    """Bytes that do not decode: `reason` at byte `start` of the whole input."""

    def __init__(self, reason: str, start: int):
        super().__init__(f"{reason} at byte {start}")
        self.reason, self.start = reason, start


def decode_blocks(blocks: Iterator[bytes], encoding: str) -> Iterator[str]:
    """The text of the bytes `blocks` give, in order, as `b"".join(blocks).decode(encoding,
    CUT_TAIL)` gives it, a block at a time; raises BlockDecodeError naming the byte in
    the whole input (where utf-8-sig counted from after the BOM)."""
    first = b""
    for block in blocks:   # enough for a BOM, however small the blocks
        first += block
        if len(first) >= 4:
            break
    encoding, skip = _plain_encoding(encoding, first)
    decoder = codecs.getincrementaldecoder(encoding)(CUT_TAIL)
    block = first[skip:] if skip else first
    offset = skip   # bytes given to the decoder before this block
    while True:
        following = next(blocks, None)
        held = len(decoder.getstate()[0])   # the bytes it holds back began `held` earlier
        try:
            text = decoder.decode(block, final=following is None)
        except UnicodeDecodeError as exc:
            raise BlockDecodeError(exc.reason, offset - held + exc.start) from None
        if text:
            yield text
        if following is None:
            return
        offset += len(block)
        block = following


def _plain_encoding(encoding: str, first: bytes) -> tuple[str, int]:
    """(encoding, bytes to skip) that decode in pieces as `encoding` decodes the whole:
    UTF-8 after the BOM for utf-8-sig (whose errors counted from after it), and for
    UTF-16 and UTF-32 without a BOM the machine's byte order (read in pieces, they
    refuse a stream without one)."""
    name = codecs.lookup(encoding).name
    if name == "utf-8-sig":
        return "utf-8", len(codecs.BOM_UTF8) if first.startswith(codecs.BOM_UTF8) else 0
    if name in ("utf-16", "utf-32"):
        width = 2 if name == "utf-16" else 4
        boms = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) if width == 2 else (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
        if len(first) >= width and not first.startswith(boms):
            return f"{name}-{'le' if sys.byteorder == 'little' else 'be'}", 0
    return encoding, 0


def _open(path: str):
    try:
        if os.path.isdir(path):
            raise IsADirectoryError(path)
        return open(path, "rb")
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except FileNotFoundError:
        if os.path.islink(path):
            raise InputError(f"{path}: a broken symbolic link (to {os.readlink(path)})") from None
        # also a file listed for a batch that disappeared before it was read
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def read_input(path: str) -> Decoded:
    """Read a file (or '-' for standard input) and decode it."""
    if path == "-":
        return decode_bytes(sys.stdin.buffer.read(), "<stdin>")
    handle = _open(path)
    try:
        with handle:
            data = handle.read()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    return decode_bytes(data, path)


def read_or_spool(path: str, limit: int) -> "Decoded | str":
    """The decoded input when it holds at most `limit` bytes; otherwise a path to give
    `stream_input`: the file itself, or for standard input and pipes a temporary copy
    (the caller deletes it) of at most SPOOL_LIMIT bytes. An endless binary stream
    (/dev/zero, /dev/urandom) is refused after its first block, not copied."""
    if path != "-":
        try:
            info = os.stat(path)
        except OSError:
            return read_input(path)   # the one-line error
        if stat.S_ISREG(info.st_mode):
            return path if info.st_size > limit else read_input(path)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{path}: is a directory, not a file")
    name = "<stdin>" if path == "-" else path
    handle = sys.stdin.buffer if path == "-" else _open(path)
    try:
        data = _read_up_to(handle, limit + 1, name)
        if len(data) <= limit:
            return decode_bytes(data, name)
        if data[:CONTROL_SAMPLE].count(0) == min(len(data), CONTROL_SAMPLE) or _control_heavy(data[:CONTROL_SAMPLE]):
            raise InputError(f"{name}: binary file, not text")
        import tempfile

        fd, tmp = tempfile.mkstemp(prefix="factcheck-spool-", suffix=".txt")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                total = len(data)
                del data
                while True:
                    block = _read_up_to(handle, BLOCK, name)
                    if not block:
                        break
                    total += len(block)
                    if total > SPOOL_LIMIT:
                        raise InputError(f"{name}: more than {SPOOL_LIMIT} bytes; write it to a file first")
                    out.write(block)
        except BaseException:
            os.unlink(tmp)
            raise
        return tmp
    finally:
        if path != "-":
            handle.close()


def _read_up_to(handle, size: int, name: str) -> bytes:
    chunks, got = [], 0
    try:
        while got < size:
            block = handle.read(min(BLOCK, size - got))
            if not block:
                break
            chunks.append(block)
            got += len(block)
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror}") from None
    return b"".join(chunks)


# ---- streaming: files too big to hold decoded ----------------------------------------

BLOCK = 1 << 20
SPOOL_LIMIT = 1 << 36      # bytes of standard input or a pipe copied to a temporary file (64 GB)


@dataclass
class StreamedInput:
    """A file decoded block by block: `chunks()` yields its text in order, each call a
    fresh pass over the file. Built by `stream_input`, which has read the file once to
    choose the encoding and hash it."""

    path: str
    encoding: str
    sha256: str
    size: int
    block: int = BLOCK
    name: str = ""          # what messages call the input (default: path)

    def _named(self, name: str) -> "StreamedInput":
        self.name = name
        return self

    def chunks(self) -> Iterator[str]:
        try:
            yield from decode_blocks(_blocks(self.path, self.block), self.encoding)
        except BlockDecodeError as exc:
            raise InputError(f"{self.name or self.path}: cannot decode as {self.encoding}: {exc}") from None
        except InputError as exc:
            if self.name and self.name != self.path:
                raise InputError(str(exc).replace(self.path, self.name, 1)) from None
            raise


def _blocks(path: str, block: int) -> Iterator[bytes]:
    try:
        with _open(path) as handle:
            while True:
                data = handle.read(block)
                if not data:
                    return
                yield data
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def stream_input(path: str, block: int = BLOCK, name: Optional[str] = None) -> StreamedInput:
    """Hash a file and choose its encoding reading it in blocks; memory stays bounded
    by the block size and DETECT_BYTES, whatever the file's size. `name`: what messages
    call it (a spooled copy of standard input is `<stdin>`)."""
    if name and name != path:
        try:
            return stream_input(path, block)._named(name)
        except InputError as exc:
            raise InputError(str(exc).replace(path, name, 1)) from None
    digest = hashlib.sha256()
    prefix = bytearray()
    size = nuls = 0
    for data in _blocks(path, block):
        digest.update(data)
        size += len(data)
        nuls += data.count(b"\x00")
        if len(prefix) < DETECT_BYTES:
            prefix += data[:DETECT_BYTES - len(prefix)]

    failures: list[str] = []

    def attempt(encoding: str) -> Optional[bool]:
        try:
            for _ in decode_blocks(_blocks(path, block), encoding):
                pass
        except BlockDecodeError as exc:
            failures.append(str(exc))
            return None
        except LookupError:
            return None
        return True

    if size == 0:
        return StreamedInput(path, "utf-8", digest.hexdigest(), 0, block)
    encoding, _ = choose_encoding(bytes(prefix), size, nuls, attempt, path, failures)
    return StreamedInput(path, encoding, digest.hexdigest(), size, block)
