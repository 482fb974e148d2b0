"""The Markdown checklist: per document, its findings (the worst first), then one
unchecked box per claim, grouped by metric and period, each with its source sentence
(the figure in bold), its normalized value and unit, and a blank "verified against:"."""
from __future__ import annotations

import re
from typing import Iterator, Optional

from .. import __version__
from ..models import Claim, Finding
from ..report import write_text
from .model import ReviewIndex, claim_groups, fmt_interval, fmt_value, findings_in_order, sentence_around

# characters Markdown may read as markup inside a line; escaped so a source sentence shows
# as written (a line never starts with source text, so # - + need no escape)
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~])")
_BREAKS = re.compile(r"[\r\n\t\u2028\u2029]+")
# most texts hold none of them, nor a line break or a NUL: one search then, where the two
# substitutions were a quarter of writing a checklist
_TO_ESCAPE = re.compile(r"[\\`*_\[\]<>|~\r\n\t\u2028\u2029\x00]")
VERIFIED = "verified against:"


def md_escape(text: str) -> str:
    if _TO_ESCAPE.search(text) is None:
        return text
    return _MARKDOWN.sub(r"\\\1", _BREAKS.sub(" ", text.replace("\x00", "\ufffd")))


def sentence_markdown(raw: Optional[str], claim: Claim) -> str:
    """The claim's sentence with the figure in bold (the claim's own text when the raw
    text is not at hand)."""
    figure = f"**{md_escape(claim.text)}**"
    if raw is None:
        return figure
    left, right = sentence_around(raw, claim.start, claim.end)
    before = md_escape(raw[left:claim.start]).lstrip()
    after = md_escape(raw[claim.end:right]).rstrip()
    return f"{before}{figure}{after}"


def _finding_lines(finding: Finding, index: ReviewIndex) -> list[str]:
    texts = ", ".join(f"{cid} “{md_escape(index.by_id[cid].text)}”" if cid in index.by_id else cid
                      for cid in finding.claims)
    lines = [f"- [ ] **{finding.severity}** {finding.id} `{finding.check}`: {md_escape(finding.message)}",
             f"  - claims: {texts} (characters {finding.start}–{finding.end})"]
    if finding.expected or finding.actual:
        lines.append(f"  - expected: {md_escape(finding.expected or '—')}; actual: {md_escape(finding.actual or '—')}")
    if finding.repeats:
        lines.append("  - also on the repeated text: " + "; ".join(" ".join(r) for r in finding.repeats))
    lines.append(f"  - {VERIFIED} ")
    return lines


def _claim_lines(claim: Claim, raw: Optional[str], index: ReviewIndex) -> list[str]:
    flags = ""
    found = index.findings.get(claim.id)
    if found:
        flags = " — ⚠ " + ", ".join(f"{f.severity} {f.id}" for f in found)
    # code spans: values and units (km**2) show as written, no escapes
    details = [f"`{fmt_value(claim)}`", f"interval `{fmt_interval(claim.low, claim.high)}`", claim.role]
    if claim.subject:
        details.append(md_escape(claim.subject))
    if claim.refers_to:
        details.append(f"refers to {claim.refers_to}")
    return [f"- [ ] {claim.id} {sentence_markdown(raw, claim)}{flags}",
            f"  - {' · '.join(details)} (characters {claim.start}–{claim.end})",
            f"  - {VERIFIED} "]


def _many(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def checklist_markdown(analysis) -> str:
    """The checklist of an `Analysis` (one section per document)."""
    return "".join(checklist_pieces(analysis))


def checklist_pieces(analysis) -> Iterator[str]:
    """`checklist_markdown` a line at a time: the lines of a figure-dense document and
    their join, held at once, were 20 times the document's size."""
    held = ""   # line breaks not written yet: the text ends with one, after its last line
    started = False
    for line in _checklist_lines(analysis):   # lines hold no line break (md_escape)
        if started:
            held += "\n"
        started = True
        if line:
            yield held + line
            held = ""
    yield "\n"


def _checklist_lines(analysis) -> Iterator[str]:
    yield from ["# factcheck checklist", "",
                f"factcheck {__version__}. Tick a box once the figure is checked; write the source you "
                f"checked it against after “{VERIFIED}”. Findings come first, the worst first.", ""]
    for doc in analysis.documents:
        out: list[str] = []
        result = doc.result
        index = ReviewIndex.of(result)
        raw = doc.raw
        counts = {s: sum(f.severity == s for f in result.findings) for s in ("error", "warning", "info")}
        out += [f"## {md_escape(result.path)}", ""]
        summary = (f"{_many(len(result.claims), 'claim')}, {_many(len(result.findings), 'finding')} "
                   f"({_many(counts['error'], 'error')}, {_many(counts['warning'], 'warning')}, "
                   f"{counts['info']} info)")
        if result.reference_year is not None:
            summary += f"; reference year {result.reference_year}"
        out += [summary + ".", ""]
        for error in result.errors:
            out += [f"> **Could not be checked:** {md_escape(error)}", ""]
        out += [f"### Findings ({len(result.findings)})", ""]
        if result.findings:
            for finding in findings_in_order(result.findings):
                out += _finding_lines(finding, index)
        else:
            out.append("No findings.")
        out += ["", f"### Claims ({len(result.claims)})", ""]
        yield from out
        for group in claim_groups(index):
            mark = f" (⚠ {group.severity})" if group.severity else ""
            yield from [f"#### {md_escape(group.title)}{mark}", ""]
            for claim in group.claims:
                yield from _claim_lines(claim, raw, index)
            yield ""


def write_checklist(analysis, path: str, force: bool = True) -> None:
    write_text(path, checklist_pieces(analysis), force)
