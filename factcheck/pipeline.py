"""The stages wired together: a path or text in, a DocumentResult out."""
from __future__ import annotations

from typing import Optional

from .decode import Decoded, InputError, read_input
from .extract import Extractor
from .link import Linker, infer_reference_year
from .models import DocumentResult
from .normalize import normalize
from .rules import RuleSet, load_rules


class Pipeline:
    """Compiled once, run over many documents."""

    def __init__(self, rules: Optional[RuleSet] = None, all_numbers: bool = False):
        self.rules = rules if rules is not None else load_rules()
        self.extractor = Extractor(self.rules.exclusion_pattern(), all_numbers=all_numbers)
        self.linker = Linker(self.rules)

    def run_text(self, raw: str, path: str = "<text>", sha256: Optional[str] = None,
                 reference_year: Optional[int] = None) -> DocumentResult:
        doc = normalize(raw, path=path, sha256=sha256)
        year = reference_year if reference_year is not None else infer_reference_year(doc.norm)
        claims = self.extractor.extract(doc)
        links = self.linker.link(doc.norm, claims, year)
        return DocumentResult(path=path, sha256=sha256, reference_year=year, claims=claims,
                              text=doc.norm, links=links)

    def run_decoded(self, decoded: Decoded, reference_year: Optional[int] = None) -> DocumentResult:
        return self.run_text(decoded.text, decoded.path, decoded.sha256, reference_year)

    def run_path(self, path: str, reference_year: Optional[int] = None) -> DocumentResult:
        try:
            decoded = read_input(path)
        except InputError as exc:
            return DocumentResult(path=path, errors=[str(exc)])
        return self.run_decoded(decoded, reference_year)


def extract_text(text: str, reference_year: Optional[int] = None, rules: Optional[RuleSet] = None):
    """Claims of a piece of text: the shortest way in, for scripts and tests."""
    return Pipeline(rules).run_text(text, reference_year=reference_year).claims
