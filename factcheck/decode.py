"""bytes -> raw text. Detection by BOM first, strict UTF-8 next, charset-normalizer last."""
from __future__ import annotations

import codecs
import hashlib
import sys
from dataclasses import dataclass

from charset_normalizer import from_bytes


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


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        # UTF-16/32 without BOM has NULs too; those are caught before this call.
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > len(sample) * 0.05


def _cjk_ratio(text: str) -> float:
    if not text:
        return 0.0
    han = sum(1 for ch in text[:4000] if "\u4e00" <= ch <= "\u9fff")
    return han / min(len(text), 4000)


def decode_bytes(data: bytes, path: str = "<bytes>") -> Decoded:
    digest = hashlib.sha256(data).hexdigest()
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(path, data.decode(encoding), encoding, digest)
            except UnicodeDecodeError as exc:
                raise InputError(f"{path}: cannot decode as {encoding}: {exc.reason} at byte {exc.start}") from None
    if not _looks_binary(data):
        try:
            return Decoded(path, data.decode("utf-8"), "utf-8", digest)
        except UnicodeDecodeError:
            pass
    if _looks_binary(data):
        match = from_bytes(data[:65536]).best()
        if match is None or match.encoding not in ("utf_16", "utf_16_le", "utf_16_be", "utf_32"):
            raise InputError(f"{path}: binary file, not text")
        return Decoded(path, data.decode(match.encoding), match.encoding, digest)
    candidates = []
    for encoding in _CJK_CANDIDATES:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((_cjk_ratio(text), encoding, text))
    if candidates:
        # GB18030 decodes almost any byte string; Big5 text read as GB18030 gives rare Han
        # characters, so prefer whichever decoding the detector agrees with.
        if len(candidates) == 1:
            _, encoding, text = candidates[0]
            return Decoded(path, text, encoding, digest)
        guess = from_bytes(data).best()
        guessed = guess.encoding if guess is not None else ""
        for _, encoding, text in candidates:
            if guessed.replace("_", "") == encoding.replace("_", "") or (
                encoding == "big5" and guessed in ("big5", "big5hkscs", "cp950")
            ):
                return Decoded(path, text, encoding, digest)
        _, encoding, text = max(candidates)
        return Decoded(path, text, encoding, digest)
    guess = from_bytes(data).best()
    if guess is None:
        raise InputError(f"{path}: cannot detect the text encoding")
    return Decoded(path, str(guess), guess.encoding, digest)


def read_input(path: str) -> Decoded:
    """Read a file (or '-' for standard input) and decode it."""
    if path == "-":
        return decode_bytes(sys.stdin.buffer.read(), "<stdin>")
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    return decode_bytes(data, path)
