"""The HTML report: one self-contained file (CSS, JS and data inline; nothing fetched).

The document is shown as its RAW decoded text, the text the claims' start/end index:
every claim is a `<mark data-claim="cN">` around exactly raw[start:end], coloured by the
worst finding touching it. The text is escaped so that the page's text equals the raw
text character for character: `<>&` as entities, CR as `&#13;` (a literal CR would be
folded into the next LF by the HTML parser), NUL and lone surrogates as U+FFFD (one
character for one; the parser drops a literal NUL). Details of claims and findings travel
as one JSON object in a `<script type="application/json">`, with `<>&` escaped inside it.
"""
from __future__ import annotations

import json
import re
from importlib import resources
from typing import Iterator, Optional

from .. import __version__
from ..models import Claim
from ..report import write_text
from .chart import charts_of, svg
from .model import (SEVERITY_RANK, ReviewIndex, findings_in_order, fmt_interval, fmt_number)

_UNSAFE_CHARS = re.compile("[\x00\ud800-\udfff]")
_ENTITIES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord("\r"): "&#13;"}
SEVERITIES = ("error", "warning", "info", "none")
CHUNK_CHARS = 4000
_BREAK = re.compile("\n|[。！？!?]")


def safe_text(raw: str) -> str:
    """Characters an HTML file cannot carry as they are, one for one (so offsets hold)."""
    return _UNSAFE_CHARS.sub("\ufffd", raw)


def escape_text(text: str) -> str:
    return text.translate(_ENTITIES)


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def marked_text(raw: str, claims: list[Claim], severity: dict[str, str]) -> str:
    """The raw text as HTML, each claim in a mark: `marked_pieces` joined."""
    return "".join(marked_pieces(raw, claims, severity))


def marked_pieces(raw: str, claims: list[Claim], severity: dict[str, str]) -> Iterator[str]:
    """The raw text as HTML, each claim in a mark, in pieces of about PIECE_CHARS as they
    are made (a figure-dense document's marked text held whole, and copied once more to
    be marked safe, was a third of the report's peak). Claims that overlap nest; one that
    crosses another's end is split in two marks with the same data-claim (never seen in
    practice, but the text must stay whole whatever the extractor does).

    The text comes in chunks of about CHUNK_CHARS, cut after a line break outside any
    claim (after a sentence end when a line runs on for CHUNK_CHARS × 4): the page styles
    them `content-visibility: auto`, so the browser lays out only those on screen. Laying
    out 1 MB of text at once took Chromium 17 s; in chunks, 1 s."""
    raw = safe_text(raw)
    out: list[str] = ['<div class="chunk">']
    held = 0   # characters in `out`
    since = 0

    def plain(text: str) -> None:
        nonlocal since
        pos = 0
        for cut in _BREAK.finditer(text):
            if since + cut.end() - pos >= (CHUNK_CHARS if cut.group() == "\n" else 4 * CHUNK_CHARS):
                out.append(escape_text(text[pos:cut.end()]))
                out.append('</div><div class="chunk">')
                since, pos = 0, cut.end()
        out.append(escape_text(text[pos:]))
        since += len(text) - pos

    spans = [c for c in claims if 0 <= c.start < c.end <= len(raw)]
    starts: dict[int, list[Claim]] = {}
    for c in spans:
        starts.setdefault(c.start, []).append(c)
    bounds = sorted({0, len(raw)} | {c.start for c in spans} | {c.end for c in spans})
    active: list[Claim] = []
    stack: list[Claim] = []          # open marks, outermost first
    for a, b in zip(bounds, bounds[1:]):
        active = [c for c in active if c.end > a] + starts.get(a, [])
        wanted = sorted(active, key=lambda c: (c.start, -c.end, c.id))
        keep = 0
        while keep < min(len(stack), len(wanted)) and stack[keep] is wanted[keep]:
            keep += 1
        out.append("</mark>" * (len(stack) - keep))
        for c in wanted[keep:]:
            out.append(f'<mark data-claim="{_attr(c.id)}" data-metric="{_attr(c.metric or "")}" '
                       f'class="fc sev-{severity.get(c.id, "none")}">')
        stack = wanted
        if stack:
            out.append(escape_text(raw[a:b]))
            since += b - a
        else:
            plain(raw[a:b])
        held += b - a
        if held >= PIECE_CHARS:
            yield "".join(out)
            out.clear()
            held = 0
    out.append("</mark>" * len(stack))
    out.append("</div>")
    yield "".join(out)


PIECE_CHARS = 65536   # characters of the raw text in a piece of `marked_pieces`


def _claim_payload(claim: Claim, index: ReviewIndex) -> dict:
    return {
        "text": claim.text, "start": claim.start, "end": claim.end, "value": fmt_number(claim.value),
        "unit": claim.unit, "dimension": claim.dimension, "qualifier": claim.qualifier,
        "interval": fmt_interval(claim.low, claim.high), "role": claim.role, "metric": claim.metric,
        "subject": claim.subject, "period": claim.period, "refers_to": claim.refers_to, "rule": claim.rule,
        "severity": index.severity.get(claim.id, "none"),
        "findings": [f.id for f in index.findings.get(claim.id, [])],
        "linked": index.linked.get(claim.id, []),
    }


def _document_view(n: int, doc) -> dict:
    """What the template shows of a document; its marked text (`body`) and its data as
    JSON (`payload`) are made as the page is written."""
    from markupsafe import Markup

    result = doc.result
    index = ReviewIndex.of(result)
    raw: Optional[str] = doc.raw
    findings = findings_in_order(result.findings)
    by_id = {c.id: c for c in result.claims}
    metrics_of = {f.id: sorted({by_id[c].metric for c in f.claims if c in by_id and by_id[c].metric})
                  for f in findings}
    severities = {s: sum(f.severity == s for f in findings) for s in SEVERITIES[:3]}

    def payload() -> Iterator[str]:
        # the document's data as JSON, made as it is written, a chunk of claims' dicts at
        # a time: the dicts of every claim held at once were a fifth of the report's peak
        # on a figure-dense document, and their JSON whole another
        claims = result.claims
        yield f'{{"path":{_dumps(result.path)},"claims":{{'
        for low in range(0, len(claims), _CLAIMS_A_PIECE):
            piece = ",".join(f"{_dumps(c.id)}:{_dumps(_claim_payload(c, index))}"
                             for c in claims[low:low + _CLAIMS_A_PIECE])
            yield ("," + piece) if low else piece
        yield '},"findings":' + _dumps({f.id: {"check": f.check, "severity": f.severity, "message": f.message,
                                               "claims": f.claims, "repeats": f.repeats, "start": f.start,
                                               "end": f.end, "expected": f.expected, "actual": f.actual}
                                        for f in findings}) + "}"

    body = None
    if raw is not None:
        body = (Markup(piece) for piece in marked_pieces(raw, result.claims, index.severity))
    return {
        "n": n, "path": result.path, "errors": result.errors, "reference_year": result.reference_year,
        "claims": len(result.claims), "severities": severities,
        "body": body,
        "findings": [(f, " ".join(metrics_of[f.id]), " ".join(f.claims)) for f in findings],
        "charts": [(c.metric, c.unit, svg(c)) for c in charts_of(result, index.findings)],
        "metrics": {c.metric for c in result.claims if c.metric},
        "payload": payload(),
    }


_CLAIMS_A_PIECE = 256


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _script_text(encoded: str) -> str:
    """JSON text that cannot end the script element it sits in."""
    text = safe_text(encoded)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _asset(name: str) -> str:
    return resources.files("factcheck.review").joinpath("templates", name).read_text(encoding="utf-8")


def render_html(analysis) -> str:
    return "".join(html_pieces(analysis))


def html_pieces(analysis) -> Iterator[str]:
    """`render_html` a piece at a time, as the template renders it: the page of a
    figure-dense document held whole, and again with its surrogates replaced, was 40
    times the document's size."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup

    folder = str(resources.files("factcheck.review").joinpath("templates"))
    env = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    views = [_document_view(n, doc) for n, doc in enumerate(analysis.documents)]
    for view in views:
        view["charts"] = [(m, u, Markup(s)) for m, u, s in view["charts"]]
    metrics = sorted(set().union(*(v["metrics"] for v in views))) if views else []
    totals = {s: sum(v["severities"][s] for v in views) for s in SEVERITIES[:3]}
    payloads = [v.pop("payload") for v in views]

    def data_pieces() -> Iterator[str]:
        # _dumps({"version": 1, "documents": [...]}), from each document's JSON as it is
        # made; a piece at a time made safe for the script element (a character at a time)
        yield '{"version":1,"documents":['
        for k, payload in enumerate(payloads):
            if k:
                yield ","
            yield from payload
        yield "]}"

    title = views[0]["path"] if len(views) == 1 else f"{len(views)} documents"
    data = (Markup(_script_text(piece)) for piece in data_pieces())
    pieces = env.get_template("report.html.j2").generate(
        title=title, version=__version__, documents=views, metrics=metrics, totals=totals,
        severities=SEVERITIES, rank=SEVERITY_RANK, lang=analysis.lang,
        css=Markup(_asset("report.css")), js=Markup(_asset("report.js")), data=data)
    del views, data
    # a path with undecodable bytes (surrogate escapes) cannot be written as UTF-8; a
    # piece at a time, as a code point a lone surrogate is one character wherever it is cut
    return map(safe_text, pieces)


def write_html(analysis, path: str, force: bool = True) -> None:
    write_text(path, html_pieces(analysis), force)
