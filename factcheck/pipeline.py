"""The stages wired together: a path or text in, a DocumentResult out.

Files bigger than STREAM_BYTES are read in pieces (`Pipeline.run_stream`), so that
memory is bounded by the piece, not the file: the file is hashed and its encoding chosen
in one pass, the reference year found in a second, and the claims in a third, a window
of text at a time. Each window is a core of about CHUNK_CHARS characters cut at a line
start (at a sentence end, on longer lines), with CONTEXT_CHARS of context before and
after, extended to whole lines; a window keeps the claims that start in its core, with
their raw offsets shifted to the file's. Everything extraction and linking look at
(the characters around a number, its sentence, its line) lies in the window, so the
claims are those of the whole file read at once. Claim ids run on through the file;
`refers_to` and the links the checks need (what linking learned about each claim, the
relations between claims) are carried across windows and put together in one `Links`,
so `factcheck check` finds what it finds in the whole file. A streamed result holds no
normalized text (`text` is None).

The relation that reaches furthest back, a share whose part or whole is named but not
stated in its sentence, looks at most `link.SHARE_REACH` characters back, well inside a
window's context, so streamed and whole files link it alike.
"""
from __future__ import annotations

import os
from typing import Iterator, Optional

from . import collector
from .decode import Decoded, InputError, read_or_spool, stream_input
from .extract import Extractor
from .link import Linker, Links, infer_reference_year, stated_years
from .models import Claim, DocumentResult
from .malloc import give_back
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
                                   exclusion_rules=self.rules.exclusions, ratios=self.rules.ratios)
        self.linker = Linker(self.rules)
        self.max_claims = max_claims

    def run_text(self, raw: str, path: str = "<text>", sha256: Optional[str] = None,
                 reference_year: Optional[int] = None) -> DocumentResult:
        handed = [raw]
        del raw
        return self._run_handed(handed, path, sha256, reference_year)

    def _run_handed(self, handed: list[str], path: str, sha256: Optional[str],
                    reference_year: Optional[int]) -> DocumentResult:
        """run_text on a raw text handed over in a one-item list, which is emptied: where
        the caller keeps no other reference (run_path), the raw text is freed once the
        claims are cut out of it, before linking and the checks (2 or 4 bytes a
        character, 0.7-1.5 times a Chinese file's size, at a figure-dense file's peak)."""
        with collector.paused():
            doc = _normalized(handed.pop(), path, sha256)
            text = doc.norm
            year = reference_year if reference_year is not None else infer_reference_year(text)
            errors: list[str] = []
            claims = self._extracted(doc, errors, self.max_claims)
            # the map back to the raw text and the annotation spans are not needed to link
            # (the map was an array of 4 bytes a character, a sixth of linking's peak on
            # the seed, before it was kept as runs)
            del doc
            _give_back_after(text)
            links = self._linked(text, path, claims, year, errors) if claims is not None else None
        return DocumentResult(path=path, sha256=sha256, reference_year=year, claims=claims or [],
                              errors=errors, text=text, links=links)

    def _claims(self, doc, year: Optional[int], errors: list[str], max_claims: Optional[int]):
        """Extract and link; a timeout of a stage is an error of the document, not a crash."""
        claims = self._extracted(doc, errors, max_claims)
        if claims is None:
            return [], None
        _give_back_after(doc.norm)
        return claims, self._linked(doc.norm, doc.path, claims, year, errors)

    def _extracted(self, doc, errors: list[str], max_claims: Optional[int]) -> Optional[list[Claim]]:
        try:
            return self.extractor.extract(doc, errors, max_claims)
        except TimeoutError as exc:
            errors.append(f"{doc.path}: extraction timed out ({exc or 'regex timeout'}); no claims")
            return None

    def _linked(self, text: str, path: str, claims: list[Claim], year: Optional[int],
                errors: list[str]) -> Optional[Links]:
        try:
            return self.linker.link(text, claims, year)
        except TimeoutError as exc:
            errors.append(f"{path}: linking timed out ({exc or 'regex timeout'}); claims are not linked")
            return None

    def run_decoded(self, decoded: Decoded, reference_year: Optional[int] = None) -> DocumentResult:
        return self.run_text(decoded.text, decoded.path, decoded.sha256, reference_year)

    def run_path(self, path: str, reference_year: Optional[int] = None) -> DocumentResult:
        """One file (or '-'): never raises for a bad input; its problem is in `errors`.
        Inputs of more than STREAM_BYTES (standard input too) are streamed. A bug that
        breaks one document is an error of that document (naming the exception), so that
        a batch still gives the others' results."""
        try:
            got = read_or_spool(path, STREAM_BYTES)
        except InputError as exc:
            return DocumentResult(path=path, errors=[str(exc)])
        except Exception as exc:  # pragma: no cover - a bug
            return DocumentResult(path=path, errors=[_internal(path, exc)])
        try:
            if isinstance(got, Decoded):
                handed, shown, sha256 = [got.text], got.path, got.sha256
                del got
                return self._run_handed(handed, shown, sha256, reference_year)
            if got == path:
                return self.run_stream(path, reference_year)
            try:  # a temporary copy of standard input or a pipe
                return self.run_stream(got, reference_year, name="<stdin>" if path == "-" else path)
            finally:
                os.unlink(got)
        except Exception as exc:  # pragma: no cover - a bug
            return DocumentResult(path=path, errors=[_internal(path, exc)])

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
        result = DocumentResult(path=shown, sha256=streamed.sha256, reference_year=year,
                                links=Links(rules=self.rules))
        stitch = _Stitch(result.links)
        errors: list[str] = []
        try:
            for number, (core_start, core_end, window_start, lines_before, window) in enumerate(
                    _windows(streamed.chunks(), chunk, context)):
                with collector.paused():
                    doc = _normalized(window, shown, streamed.sha256)
                    budget = None if self.max_claims is None else self.max_claims - len(result.claims) + context
                    claims, links = self._claims(doc, year, errors, budget)
                core = stitch.window(claims, links, doc, core_start, core_end, window_start, lines_before, number)
                full = self.max_claims is not None and len(result.claims) + len(core) > self.max_claims
                if full:
                    core = core[:self.max_claims - len(result.claims)]
                stitch.keep(core, len(result.claims))
                result.claims.extend(core)
                stitch.forget_before(core_end - (2 * _REACH + 2) * context - chunk)
                if full:
                    errors.append(f"{shown}: more than {self.max_claims} claims; only the first "
                                  f"{self.max_claims} are kept")
                    break
        except InputError as exc:
            errors.append(str(exc))
        stitch.finish()
        result.errors = _dedupe(errors)
        return result


class _Stitch:
    """Puts the windows of a streamed file together: claim ids that run on through the
    file, and the links of every window (what each claim's own window learned about it,
    the relations anchored in its core) in one `Links`, ids made global. A reference to
    a claim that is not kept yet (it lies ahead, in the forward context) waits for it."""

    def __init__(self, links: Links):
        self.links = links
        self.ids: dict[tuple[int, int], str] = {}            # raw span -> global id
        self.pending: list[tuple[object, tuple[int, int]]] = []   # (setter, raw span it waits for)
        self._spans: dict[str, tuple[int, int]] = {}         # this window: local id -> raw span
        self._infos: dict = {}                               # this window: local id -> ClaimInfo
        self._required: dict[int, tuple[str, ...]] = {}      # relation -> the fields it cannot lose
        self._links: Optional[Links] = None
        self._doc = None
        self._window_start = 0

    def window(self, claims: list[Claim], links: Optional[Links], doc, core_start: int, core_end: int,
               window_start: int, lines_before: int, number: int) -> list[Claim]:
        """The claims of the window's core, moved to file offsets (ids still local)."""
        self._spans = {c.id: (c.start + window_start, c.end + window_start) for c in claims}
        core = [c for c in claims if core_start <= c.start + window_start < core_end]
        self._links, self._doc, self._window_start = links, doc, window_start
        self._infos = {}
        # the window's own links are changed in place: nothing else holds them, and
        # copying each claim's info was a tenth of a streamed file's time
        sentences_before = number * 10 ** 9
        for claim in core:
            if links is not None:
                # lines counted through the file; sentences only told apart (the checks
                # compare them, never count them)
                info = links.get(claim.id)
                info.paragraph += lines_before
                info.sentence += sentences_before
                self._infos[claim.id] = info
            if claim.refers_to:
                self._refer(claim.refers_to, lambda gid, c=claim: setattr(c, "refers_to", gid))
                claim.refers_to = None
            claim.start += window_start
            claim.end += window_start
            claim.norm_start = claim.norm_end = -1   # window offsets mean nothing outside it
        return core

    def keep(self, core: list[Claim], kept_before: int) -> None:
        """Number the core's claims, take their infos and the relations anchored on them."""
        local_to_global: dict[str, str] = {}
        for n, claim in enumerate(core, kept_before + 1):
            local_to_global[claim.id] = gid = f"c{n}"
            if claim.id in self._infos:
                self.links.info[gid] = self._infos[claim.id]
            claim.id = gid
            self.ids[(claim.start, claim.end)] = gid
        links = self._links
        if links is not None:
            self.links.comparable_document |= links.comparable_document
            kept = set(local_to_global)
            for prior in links.priors:
                if prior.current in kept:
                    prior.start, prior.end = self._raw(prior.start), self._raw(prior.end)
                    self._relation(prior, ("current", "prior"), ("current", "prior"), self.links.priors)
            for part in links.parts:
                if part.part in kept:
                    self._relation(part, ("part", "whole"), ("part", "whole"), self.links.parts)
            for share in links.shares:
                if share.share in kept:
                    self._relation(share, ("share", "part", "whole"), ("share",), self.links.shares)
            for issue in links.lists:
                if issue.values and issue.values[0] in kept:
                    issue.start, issue.end = self._raw(issue.start), self._raw(issue.end)
                    self._list_relation(issue)
            for record in links.records:
                if record in kept:
                    self.links.records.append(local_to_global[record])
        self.pending = [(setter, span) for setter, span in self.pending if not self._resolve(setter, span)]

    def _raw(self, norm_position: int) -> int:
        """A normalized offset of the window as a raw offset of the file."""
        index = self._doc.raw_index
        if len(index) == 0:
            return self._window_start
        return int(index[min(max(norm_position, 0), len(index) - 1)]) + self._window_start

    def _refer(self, local_id: str, setter) -> None:
        span = self._spans.get(local_id)
        if span is None:
            setter(None)
        else:
            self.pending.append((setter, span))

    def _relation(self, relation, fields: tuple[str, ...], required: tuple[str, ...], into: list) -> None:
        for name in fields:
            local = getattr(relation, name)
            if local is not None:
                setattr(relation, name, None)
                self._refer(local, lambda gid, r=relation, n=name: setattr(r, n, gid))
        into.append(relation)
        self._required[id(relation)] = required

    def _list_relation(self, issue) -> None:
        for values in (issue.values, issue.subjects):
            for k, local in enumerate(values):
                if local in self._spans:
                    values[k] = None
                    self._refer(local, lambda gid, v=values, i=k: v.__setitem__(i, gid))
        self.links.lists.append(issue)

    def _resolve(self, setter, span: tuple[int, int]) -> bool:
        gid = self.ids.get(span)
        if gid is None:
            return False
        setter(gid)
        return True

    def forget_before(self, floor: int) -> None:
        """Spans no later window's context reaches back to."""
        if len(self.ids) > 4096:
            self.ids = {span: gid for span, gid in self.ids.items() if span[1] >= floor}
        kept = []
        for setter, span in self.pending:
            if span[1] >= floor:
                kept.append((setter, span))
            else:
                setter(None)
        self.pending = kept

    def finish(self) -> None:
        """References still waiting (their claim was never kept: the cap) lead nowhere;
        relations that lost a claim they need go."""
        for setter, _ in self.pending:
            setter(None)
        self.pending = []
        for name in ("priors", "parts", "shares"):
            setattr(self.links, name, [r for r in getattr(self.links, name)
                                       if all(getattr(r, f) is not None for f in self._required.get(id(r), ()))])
        for issue in self.links.lists:
            issue.values = [v for v in issue.values if v is not None]
            issue.subjects = [s for s in issue.subjects if s is not None]
        self.links.lists = [issue for issue in self.links.lists if issue.values]


# From this long on, a document's stages leave megabytes of arrays and lists freed in the
# heap, where the claims made next cannot go: Python keeps its small objects in arenas of
# their own. Freed but kept by the process, they added up to the peak (1 MB of dense
# Simplified text: 21.3 MB of growth against 22.4 MB); handing them back costs a
# millisecond or two a time.
GIVE_BACK_FROM_CHARS = 1 << 17


def _normalized(raw: str, path: str, sha256: Optional[str]):
    doc = normalize(raw, path=path, sha256=sha256)
    _give_back_after(raw)
    return doc


def _give_back_after(text: str) -> None:
    if len(text) >= GIVE_BACK_FROM_CHARS:
        give_back()


def _internal(path: str, exc: Exception) -> str:
    where = exc.__traceback__
    while where is not None and where.tb_next is not None:
        where = where.tb_next
    at = f" at {os.path.basename(where.tb_frame.f_code.co_filename)}:{where.tb_lineno}" if where else ""
    reason = " ".join(str(exc).split())[:200]
    return f"{path}: internal error, please report it: {type(exc).__name__}{at}: {reason}"


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


def _windows(pieces: Iterator[str], chunk: int, context: int) -> Iterator[tuple[int, int, int, int, str]]:
    """(core start, core end, window start, line breaks before it, window text), raw
    offsets, for a text given in pieces. Cores tile the text; a window is its core with `context` characters on
    either side, widened to a line (or sentence) break when one is near."""
    buf = ""        # text from raw offset `base` on
    base = 0
    dropped_breaks = 0   # line breaks in the text before `base`, as normalize counts them
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
        yield (core_start, base + core_end_rel, base + window_start_rel,
               dropped_breaks + _line_breaks(buf[:window_start_rel]), buf[window_start_rel:window_end_rel])
        core_start = base + core_end_rel
        drop = max(core_end_rel - _REACH * context, 0)
        dropped_breaks += _line_breaks(buf[:drop])
        buf, base = buf[drop:], base + drop


def _line_breaks(text: str) -> int:
    """Line breaks as normalize makes them: \r\n is one, a lone \r, \v, \f, NEL, U+2028
    and U+2029 one each."""
    return (text.count("\n") + text.count("\r") - text.count("\r\n")
            + sum(text.count(ch) for ch in "\x0b\x0c\x85\u2028\u2029"))


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
    latest = latest_dated = 0   # no year: the years found are from 1949 on
    for text in _lines(pieces, chunk):
        years, dated = stated_years(normalize(text).norm)
        latest = max([latest, *years])
        latest_dated = max([latest_dated, *dated])
    return latest or latest_dated or None


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
