"""The Python API: `analyze(...)` runs extraction, linking and the checks over documents
and returns an `Analysis` with the results, DataFrames and the reviewer outputs.

Paths and text are told apart by the keyword, never by looking at the string: the first
argument is always a path (a `str` or `os.PathLike`, or a list of them; `"-"` is
standard input), and text to analyze goes in `text=` (a `str`, or a list of them).
A single `str` naming no file gets a hint about `text=` in its error.
A path that cannot be read does not raise: its document carries the error in `errors`,
as on the command line, and the other documents are analyzed all the same.

    >>> from factcheck import analyze
    >>> result = analyze(text="全年实现生产总值14151.3亿元，增长14.5%。")
    >>> result.claims_frame()[["text", "value", "unit"]]

The frames' columns and dtypes are fixed (see `factcheck.report.CLAIM_COLUMNS`,
`FINDING_COLUMNS` and `factcheck.review.frames.DOCUMENT_COLUMNS`); a field that can be
missing has a nullable dtype (`string`, `Int64`, `Float64`).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Optional, Sequence, Union

if TYPE_CHECKING:  # pragma: no cover
    from .models import DocumentResult
    from .rules import RuleSet

PathArg = Union[str, "os.PathLike[str]"]


@dataclass
class Document:
    """One analyzed document: the pipeline's result, and the raw decoded text its
    claims' `start`/`end` index (None when the input could not be read)."""

    result: "DocumentResult"
    encoding: Optional[str] = None
    _raw: Optional[str] = field(default=None, repr=False)
    _stream_from: Optional[str] = field(default=None, repr=False)   # a file too big to keep in memory
    _characters: Optional[int] = field(default=None, repr=False)

    @property
    def path(self) -> str:
        return self.result.path

    @property
    def characters(self) -> Optional[int]:
        """Characters in the raw text (a streamed file is counted in pieces, not kept)."""
        if self._raw is not None:
            return len(self._raw)
        if self._stream_from is None:
            return None
        if self._characters is None:
            from .decode import stream_input

            streamed = stream_input(self._stream_from, name=self.path)
            self._characters = sum(len(piece) for piece in streamed.chunks())
            self.encoding = self.encoding or streamed.encoding
        return self._characters

    @property
    def raw(self) -> Optional[str]:
        """The decoded raw text; a streamed file (bigger than the pipeline's STREAM_BYTES)
        is read again, in pieces, when first asked for."""
        if self._raw is None and self._stream_from is not None:
            from .decode import stream_input

            streamed = stream_input(self._stream_from, name=self.path)
            self._raw = "".join(streamed.chunks())
            self.encoding = self.encoding or streamed.encoding
        return self._raw


@dataclass
class Analysis:
    """What `analyze` found, document by document."""

    documents: list[Document]
    lang: str = "zh"

    @property
    def results(self) -> list["DocumentResult"]:
        return [d.result for d in self.documents]

    @property
    def errors(self) -> list[str]:
        """One line per input that could not be read (or broke a stage), naming it."""
        return [e for d in self.documents for e in d.result.errors]

    def failing(self, fail_on: str = "error") -> bool:
        """True when a finding is at least `fail_on` severe (`never`: never)."""
        if fail_on == "never":
            return False
        from .checks import severity_at_least

        return any(severity_at_least(f.severity, fail_on) for r in self.results for f in r.findings)

    def claims_frame(self):
        """One row per claim; columns `factcheck.report.CLAIM_COLUMNS`."""
        from .report import claims_frame

        return claims_frame(self.results)

    def findings_frame(self):
        """One row per finding; columns `factcheck.report.FINDING_COLUMNS`."""
        from .report import findings_frame

        return findings_frame(self.results)

    def documents_frame(self):
        """One row per document; columns `factcheck.review.frames.DOCUMENT_COLUMNS`."""
        from .review.frames import documents_frame

        return documents_frame(self.documents)

    def to_json(self) -> dict:
        """The JSON contract of DESIGN.md."""
        from .report import to_contract

        return to_contract(self.results)

    def write_checklist(self, path: str, force: bool = True) -> None:
        from .review.checklist import write_checklist

        write_checklist(self, path, force=force)

    def write_html(self, path: str, force: bool = True) -> None:
        from .review.html import write_html

        write_html(self, path, force=force)

    def write_xlsx(self, path: str, force: bool = True) -> None:
        from .review.xlsx import write_xlsx

        write_xlsx(self, path, force=force)


def analyze(paths: Union[PathArg, Sequence[PathArg], None] = None, *,
            text: Union[str, Sequence[str], None] = None, name: Optional[str] = None,
            rules: Union["RuleSet", PathArg, Sequence[PathArg], None] = None, shipped_rules: bool = True,
            ref_year: Optional[int] = None, lang: str = "zh", tolerance: float = 0.0,
            only: Optional[Iterable[str]] = None, skip: Iterable[str] = (),
            jobs: Optional[int] = 1) -> Analysis:
    """Extract the claims of documents and run the checks on them.

    paths: a file path (str or os.PathLike; "-" for standard input) or a list of them.
    text: instead of paths, the text of one document (str) or of several (list of str);
        `name` is what the result calls it (default "<text>", "<text 2>", …).
    rules: a RuleSet, or rule files / folders added to the shipped rules (none of the
        shipped ones with `shipped_rules=False`).
    ref_year: the year 今年 refers to (default: inferred from each text).
    lang: language of the findings' messages, "zh" or "en".
    tolerance, only, skip: as `factcheck check --tolerance/--only/--skip`.
    jobs: processes to spread the paths over (forked from this one, on Linux); None for
        every core once the files add up to 1 MB, as the command line does. A document
        analyzed in another process comes back without what only the checks needed (its
        normalized text, and the rules its links were made with).
    Raises RuleError for invalid rules and ValueError for bad arguments; never for an
    input that cannot be read (its document carries the error).
    """
    from .checks import check_document, load_config, run_checks
    from .pipeline import Pipeline

    if (paths is None) == (text is None):
        raise ValueError("analyze() takes paths or text=, exactly one of them")
    if tolerance < 0:
        raise ValueError("tolerance must not be negative")
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ValueError(f"jobs must be a whole number of 1 or more, or None: {jobs!r}")
    rule_set = _rule_set(rules, shipped_rules)
    config = load_config(rule_set)
    pipeline = Pipeline(rule_set)
    documents: list[Document] = []
    # the checks' arguments are tried before any document: a wrong one raises here, rather
    # than becoming an error of every document (or of every worker)
    from .models import DocumentResult

    enabled, disabled = (list(only) or None) if only is not None else None, list(skip)   # iterables read once
    run_checks(DocumentResult(path="<arguments>"), rules=rule_set, config=config, lang=lang, tolerance=tolerance,
               enabled=enabled, disabled=disabled)

    def checked(doc: Document) -> Document:
        check_document(doc.result, rules=rule_set, config=config, lang=lang, tolerance=tolerance,
                       enabled=enabled, disabled=disabled)
        return doc

    if text is not None:
        texts = [text] if isinstance(text, str) else list(text)
        for n, one in enumerate(texts, 1):
            if not isinstance(one, str):
                raise TypeError(f"text= takes str or a list of str, not {type(one).__name__}")
            label = name or "<text>"
            label = label if len(texts) == 1 else f"{label[:-1]} {n}>" if label.endswith(">") else f"{label} {n}"
            import hashlib

            digest = hashlib.sha256(one.encode("utf-8", "surrogatepass")).hexdigest()
            documents.append(checked(Document(pipeline.run_text(one, label, digest, ref_year), "str", one)))
    else:
        single_str = isinstance(paths, str)
        items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)  # type: ignore[arg-type]
        for item in items:
            if not isinstance(item, (str, os.PathLike)):
                raise TypeError(f"paths are str or os.PathLike, not {type(item).__name__}; "
                                "pass text to analyze as text=")
        for item, doc in zip(items, _spread(pipeline, [os.fspath(item) for item in items], ref_year, checked, jobs)):
            if single_str and doc.result.errors and doc.result.errors[0].endswith(": no such file"):
                # analyze("全年生产总值…") reads a file of that name; say how to give text
                doc.result.errors[0] = _hinted(doc.result.errors[0], item)  # type: ignore[arg-type]
            documents.append(doc)
    return Analysis(documents, lang=lang)


def _spread(pipeline, paths: list[str], ref_year: Optional[int], checked, jobs: Optional[int]):
    """The checked Document of each path, in order, over `jobs` processes (see
    `parallel.run_in_order`); the pipeline warmed up before the workers are forked."""
    from . import collector
    from .models import DocumentResult
    from .parallel import WARM_UP_TEXT, jobs_for, run_in_order

    workers = 1 if jobs == 1 else jobs_for(jobs, paths)
    if workers > 1:
        checked(Document(pipeline.run_text(WARM_UP_TEXT)))

    def work(path: str) -> Document:
        with collector.paused():
            doc = checked(_read_and_run(pipeline, path, ref_year))
        if workers > 1:
            # what only the checks needed does not travel back: the rules hold compiled
            # patterns, which pickle as their source and compile again
            doc.result.text = None
            if doc.result.links is not None:
                doc.result.links.rules = None
        return doc

    def lost(path: str, reason: str) -> Document:
        return Document(DocumentResult(path=path, errors=[f"{path}: {reason}"]))

    return run_in_order(work, paths, workers, lost)


def _rule_set(rules, shipped_rules: bool) -> "RuleSet":
    from .rules import RuleSet, load_rules

    if isinstance(rules, RuleSet):
        return rules
    if rules is None:
        sources: list[str] = []
    elif isinstance(rules, (str, os.PathLike)):
        sources = [os.fspath(rules)]
    else:
        sources = [os.fspath(r) for r in rules]
    return load_rules(sources, include_shipped=shipped_rules)


def _read_and_run(pipeline, path: str, ref_year: Optional[int]) -> Document:
    """As `Pipeline.run_path`, keeping the decoded raw text for the reviewer outputs."""
    from .decode import Decoded, InputError, read_or_spool
    from .models import DocumentResult
    from .pipeline import STREAM_BYTES

    try:
        got = read_or_spool(path, STREAM_BYTES)
    except InputError as exc:
        return Document(DocumentResult(path=path, errors=[str(exc)]))
    except Exception as exc:  # pragma: no cover - a bug is an error of this document
        return Document(DocumentResult(path=path, errors=[f"{path}: internal error: {type(exc).__name__}: {exc}"]))
    try:
        if isinstance(got, Decoded):
            return Document(pipeline.run_decoded(got, ref_year), got.encoding, got.text)
        if got == path:
            return Document(pipeline.run_stream(path, ref_year), _stream_from=path)
        try:  # a temporary copy of a big standard input: its text is not kept
            return Document(pipeline.run_stream(got, ref_year, name="<stdin>" if path == "-" else path))
        finally:
            os.unlink(got)
    except Exception as exc:  # pragma: no cover - a bug
        return Document(DocumentResult(path=path, errors=[f"{path}: internal error: {type(exc).__name__}: {exc}"]))


def _hinted(message: str, path: str) -> str:
    shown = path if len(path) <= 40 and "\n" not in path else path.splitlines()[0][:40] + "…"
    return f"{shown}: no such file (a str is a path; pass text to analyze as text=)"
