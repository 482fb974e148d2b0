"""The stages wired together: a path or text in, a DocumentResult out.

Files bigger than STREAM_BYTES are read in pieces (`Pipeline.run_stream`), so that
memory is bounded by the piece, not the file: the file is hashed and its encoding chosen
in one pass, the reference year found in a second, and the claims in a third, a window
of text at a time. Each window is a core of about CHUNK_CHARS characters cut at a line
start (at a sentence end, on longer lines), with CONTEXT_CHARS of context before and
after, extended to whole lines; a window keeps the claims that start in its core, with
their raw offsets shifted to the file's. Everything extraction and linking look at
(the characters around a number, its sentence, its line) lies in the window, so the
claims are those of the whole file read at once. Claim ids run on through the file and
`refers_to` is carried across windows. A streamed result holds no normalized text
(`text` is None): the checks then work from the claims' own fields.
"""
from __future__ import annotations

import os
from typing import Iterator, Optional

from .decode import Decoded, InputError, read_or_spool, stream_input
from .extract import Extractor
from .link import Linker, infer_reference_year
from .models import Claim, DocumentResult
from .normalize import normalize
from .rules import RuleSet, load_rules

MAX_CLAIMS = 1_000_000        # claims kept per document; more is reported in `errors`
STREAM_BYTES = 32 * 2 ** 20   # files bigger than this are read in pieces
CHUNK_CHARS = 1_000_000       # characters in the core of a streamed window
CONTEXT_CHARS = 8_000         # context on either side of a core, at least (whole lines)
_SENTENCE_ENDS = "。！？!?；;"
_WEAK_BREAKS = "，,、：: \t\u3000"


class Pipeline:
    """Compiled once, run over many documents."""

    def __init__(self, rules: Optional[RuleSet] = None, all_numbers: bool = False,
                 max_claims: Optional[int] = MAX_CLAIMS):
        self.rules = rules if rules is not None else load_rules()
        self.extractor = Extractor(self.rules.exclusion_pattern(), all_numbers=all_numbers,
                                   exclusion_rules=self.rules.exclusions)
        self.linker = Linker(self.rules)
        self.max_claims = max_claims

    def run_text(self, raw: str, path: str = "<text>", sha256: Optional[str] = None,
                 reference_year: Optional[int] = None) -> DocumentResult:
        doc = normalize(raw, path=path, sha256=sha256)
        year = reference_year if reference_year is not None else infer_reference_year(doc.norm)
        errors: list[str] = []
        claims, links = self._claims(doc, year, errors, self.max_claims)
        return DocumentResult(path=path, sha256=sha256, reference_year=year, claims=claims,
                              errors=errors, text=doc.norm, links=links)

    def _claims(self, doc, year: Optional[int], errors: list[str], max_claims: Optional[int]):
        """Extract and link; a timeout of a stage is an error of the document, not a crash."""
        try:
            claims = self.extractor.extract(doc, errors, max_claims)
        except TimeoutError as exc:
            errors.append(f"{doc.path}: extraction timed out ({exc or 'regex timeout'}); no claims")
            return [], None
        try:
            links = self.linker.link(doc.norm, claims, year)
        except TimeoutError as exc:
            errors.append(f"{doc.path}: linking timed out ({exc or 'regex timeout'}); claims are not linked")
            links = None
        return claims, links

    def run_decoded(self, decoded: Decoded, reference_year: Optional[int] = None) -> DocumentResult:
        return self.run_text(decoded.text, decoded.path, decoded.sha256, reference_year)

    def run_path(self, path: str, reference_year: Optional[int] = None) -> DocumentResult:
        """One file (or '-'): never raises for a bad input; its problem is in `errors`.
        Inputs of more than STREAM_BYTES (standard input too) are streamed."""
        try:
            got = read_or_spool(path, STREAM_BYTES)
        except InputError as exc:
            return DocumentResult(path=path, errors=[str(exc)])
        if isinstance(got, Decoded):
            return self.run_decoded(got, reference_year)
        if got == path:
            return self.run_stream(path, reference_year)
        try:  # a temporary copy of standard input or a pipe
            result = self.run_stream(got, reference_year, name="<stdin>" if path == "-" else path)
        finally:
            os.unlink(got)
        return result

    # ---- streaming ---------------------------------------------------------------------

    def run_stream(self, path: str, reference_year: Optional[int] = None,
                   chunk_chars: Optional[int] = None, context_chars: Optional[int] = None,
                   name: Optional[str] = None) -> DocumentResult:
        """A file read in windows, in memory bounded by the window (see the module's doc).
        `name`: what the result and its messages call the file (default: path)."""
        chunk = chunk_chars or CHUNK_CHARS
        context = context_chars or CONTEXT_CHARS
        shown = name or path
        try:
            streamed = stream_input(path, name=shown)
            year = reference_year if reference_year is not None else _stream_year(streamed.chunks(), chunk)
        except InputError as exc:
            return DocumentResult(path=shown, errors=[str(exc)])
        result = DocumentResult(path=shown, sha256=streamed.sha256, reference_year=year)
        ids: dict[tuple[int, int], str] = {}       # raw span -> id of the claims kept so far (recent ones)
        pending: list[tuple[Claim, tuple[int, int]]] = []  # refers_to a claim not kept yet
        errors: list[str] = []
        kept = 0
        try:
            for core_start, core_end, window_start, window in _windows(streamed.chunks(), chunk, context):
                doc = normalize(window, path=shown, sha256=streamed.sha256)
                budget = None if self.max_claims is None else self.max_claims - kept + context
                claims, _ = self._claims(doc, year, errors, budget)
                spans = {c.id: (c.start + window_start, c.end + window_start) for c in claims}
                core: list[Claim] = []
                for claim in claims:
                    start = claim.start + window_start
                    if core_start <= start < core_end:
                        target = spans.get(claim.refers_to) if claim.refers_to else None
                        claim.start, claim.end = start, claim.end + window_start
                        claim.norm_start = claim.norm_end = -1   # window offsets mean nothing outside it
                        if target is not None:
                            claim.refers_to = ids.get(target)
                            if claim.refers_to is None:
                                pending.append((claim, target))
                        core.append(claim)
                full = self.max_claims is not None and kept + len(core) > self.max_claims
                if full:
                    core = core[:self.max_claims - kept]
                for claim in core:
                    kept += 1
                    claim.id = f"c{kept}"
                    ids[(claim.start, claim.end)] = claim.id
                result.claims.extend(core)
                if pending:
                    pending = [(c, t) for c, t in pending if not _resolve(c, t, ids)]
                # only the spans the next windows' context can reach are needed
                floor = core_end - (2 * _REACH + 2) * context - chunk
                if len(ids) > 4096:
                    ids = {span: cid for span, cid in ids.items() if span[1] >= floor}
                pending = [(c, t) for c, t in pending if t[1] >= floor or c.refers_to]
                if full:
                    errors.append(f"{shown}: more than {self.max_claims} claims; only the first "
                                  f"{self.max_claims} are kept")
                    break
        except InputError as exc:
            errors.append(str(exc))
        for claim, _ in pending:
            claim.refers_to = None
        result.errors = _dedupe(errors)
        return result


def _resolve(claim: Claim, target: tuple[int, int], ids: dict[tuple[int, int], str]) -> bool:
    found = ids.get(target)
    if found is not None:
        claim.refers_to = found
        return True
    return False


def _dedupe(errors: list[str]) -> list[str]:
    """One message per problem: a rule that times out in several windows is one error."""
    seen: set[str] = set()
    out = []
    for error in errors:
        key = error.split(" timed out")[0] if " timed out" in error else error
        if key not in seen:
            seen.add(key)
            out.append(error)
    return out


def _cut(text: str, lo: int, hi: int, forward: bool) -> int:
    """A place to cut `text` between lo and hi: after a line break if there is one, else
    after a sentence end, else after a weaker break, else hi (forward) or lo."""
    lo, hi = max(lo, 0), min(hi, len(text))
    if lo >= hi:
        return hi if forward else lo
    for breaks in ("\n", _SENTENCE_ENDS, _WEAK_BREAKS):
        positions = [text.find(ch, lo, hi) if forward else text.rfind(ch, lo, hi) for ch in breaks]
        positions = [p for p in positions if p >= 0]
        if positions:
            return (min(positions) if forward else max(positions)) + 1
    return hi if forward else lo


def _windows(pieces: Iterator[str], chunk: int, context: int) -> Iterator[tuple[int, int, int, str]]:
    """(core start, core end, window start, window text), raw offsets, for a text given
    in pieces. Cores tile the text; a window is its core with `context` characters on
    either side, widened to a line (or sentence) break when one is near."""
    buf = ""        # text from raw offset `base` on
    base = 0
    core_start = 0
    done = False
    need = chunk + (_REACH + 1) * context
    while True:
        while not done and len(buf) - (core_start - base) < need:
            piece = next(pieces, None)
            if piece is None:
                done = True
            else:
                buf += piece
        rel = core_start - base
        if rel >= len(buf):
            return
        if done and len(buf) - rel <= chunk + context:
            core_end_rel = len(buf)
        else:
            core_end_rel = _cut(buf, rel + chunk, rel + chunk + context, forward=True)
        window_start_rel = _context_start(buf, rel, context)
        window_end_rel = _context_end(buf, core_end_rel, context)
        yield (core_start, base + core_end_rel, base + window_start_rel, buf[window_start_rel:window_end_rel])
        core_start = base + core_end_rel
        drop = max(core_end_rel - _REACH * context, 0)
        buf, base = buf[drop:], base + drop


_REACH = 8   # a window reaches back (and on) to the line break at most this many contexts away


def _context_start(text: str, core: int, context: int) -> int:
    """Where a window starts: `context` characters before its core, and further back to
    the start of that line if it is near, else to a sentence end."""
    if core <= context:
        return 0
    line = text.rfind("\n", max(core - _REACH * context, 0), core - context)
    if line >= 0:
        return line + 1
    if core <= _REACH * context and "\n" not in text[:core - context]:
        return 0
    return _cut(text, core - 2 * context, core - context, forward=False)


def _context_end(text: str, core_end: int, context: int) -> int:
    if core_end + context >= len(text):
        return len(text)
    line = text.find("\n", core_end + context, core_end + _REACH * context)
    if line >= 0:
        return line + 1
    return _cut(text, core_end + context, core_end + 2 * context, forward=True)


def _stream_year(pieces: Iterator[str], chunk: int) -> Optional[int]:
    """infer_reference_year over a text given in pieces: the latest year of the text,
    years followed by a day (a publication date) only when there is no other."""
    try:
        from .link import _DAY_AFTER, _LIST_ITEM, _YEAR
    except ImportError:  # pragma: no cover - link.py changed: fall back to whole pieces
        years = [infer_reference_year(normalize(text).norm) for text in _lines(pieces, chunk)]
        found = [y for y in years if y is not None]
        return max(found) if found else None
    latest = latest_dated = None
    for text in _lines(pieces, chunk):
        norm = normalize(text).norm
        body = "\n".join(line for line in norm.splitlines() if not _LIST_ITEM.match(line))
        for m in _YEAR.finditer(body):
            year = int(m.group(1))
            if 1949 <= year <= 2100:
                if _DAY_AFTER.match(body, m.end()):
                    latest_dated = year if latest_dated is None else max(latest_dated, year)
                else:
                    latest = year if latest is None else max(latest, year)
    return latest if latest is not None else latest_dated


def _lines(pieces: Iterator[str], chunk: int) -> Iterator[str]:
    """The text again in pieces of whole lines (a line longer than `chunk` is cut at a
    sentence end)."""
    buf = ""
    for piece in pieces:
        buf += piece
        if len(buf) < chunk:
            continue
        cut = _cut(buf, len(buf) - chunk, len(buf), forward=False)
        if cut <= 0:
            cut = len(buf)
        yield buf[:cut]
        buf = buf[cut:]
    if buf:
        yield buf


def extract_text(text: str, reference_year: Optional[int] = None, rules: Optional[RuleSet] = None):
    """Claims of a piece of text: the shortest way in, for scripts and tests."""
    return Pipeline(rules).run_text(text, reference_year=reference_year).claims
