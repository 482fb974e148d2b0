"""What every check shares: interval arithmetic on stated figures, the document context
the checks read, the raw findings they yield, and how intervals are written in messages."""
from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable, Iterator, Optional, Sequence, Union

from ..lexicon import points_of
from ..link import ClaimInfo, Links, canonical_name, previous_period
from ..models import Claim
from ..rules import RuleSet
from .config import CheckConfig

INF = math.inf
_EPS = 1e-9           # relative slack for binary floating point, never a tolerance
_FIGURES = ("level", "count")
_POINTS_OF = points_of()   # 个百分点: %, 个千分点: ‰


# ---- intervals -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Interval:
    """A closed interval of the real line; ±inf for an open end. Every stated figure is
    one: `14.5%` is [14.45, 14.55], `6.6万余人` is [66000, 67000], `突破300亿` is [300亿, inf)."""

    lo: float
    hi: float

    @classmethod
    def of(cls, claim: Claim, tolerance: float = 0.0) -> "Interval":
        lo = claim.low if claim.low is not None else -INF
        hi = claim.high if claim.high is not None else INF
        if lo > hi:
            lo, hi = hi, lo
        if tolerance and claim.value is not None:
            slack = tolerance * abs(claim.value)
            lo, hi = lo - slack, hi + slack
        return cls(lo, hi)

    @classmethod
    def point(cls, value: float) -> "Interval":
        return cls(value, value)

    def __add__(self, other: "Interval") -> "Interval":
        return Interval(self.lo + other.lo, self.hi + other.hi)

    def __sub__(self, other: "Interval") -> "Interval":
        return Interval(self.lo - other.hi, self.hi - other.lo)

    def __mul__(self, other: "Interval") -> "Interval":
        products = [_mul(a, b) for a in (self.lo, self.hi) for b in (other.lo, other.hi)]
        return Interval(min(products), max(products))

    def __truediv__(self, other: "Interval") -> "Interval":
        if other.lo <= 0 <= other.hi:
            return Interval(-INF, INF)
        return self * Interval(1.0 / other.hi, 1.0 / other.lo)

    def scale(self, k: float) -> "Interval":
        a, b = _mul(self.lo, k), _mul(self.hi, k)
        return Interval(min(a, b), max(a, b))

    def shift(self, k: float) -> "Interval":
        return Interval(self.lo + k, self.hi + k)

    @property
    def bounded(self) -> bool:
        return math.isfinite(self.lo) and math.isfinite(self.hi)

    def _slack(self, other: "Interval") -> float:
        bounds = [abs(x) for x in (self.lo, self.hi, other.lo, other.hi) if math.isfinite(x)]
        return _EPS * max(bounds + [1.0])

    def meets(self, other: "Interval") -> bool:
        """The two can hold the same number."""
        slack = self._slack(other)
        return self.lo <= other.hi + slack and other.lo <= self.hi + slack

    def gap(self, other: "Interval") -> float:
        """Distance between the two; 0 when they meet."""
        if self.meets(other):
            return 0.0
        return other.lo - self.hi if self.hi < other.lo else self.lo - other.hi

    def above(self, other: "Interval") -> bool:
        """Every number of self exceeds every number of other."""
        return self.lo > other.hi + self._slack(other)

    def positive(self) -> bool:
        return self.lo > 0

    def negative(self) -> bool:
        return self.hi < 0

    def as_list(self) -> list:
        return [None if math.isinf(self.lo) else self.lo, None if math.isinf(self.hi) else self.hi]


def _mul(a: float, b: float) -> float:
    if a == 0 or b == 0:
        return 0.0
    return a * b


# ---- raw findings ----------------------------------------------------------------------

@dataclass(slots=True)
class RawFinding:
    """A finding before it gets its id, span and message. `message(lang)` writes the
    message: a module's function with the figures it names bound (`functools.partial`),
    called only for the findings kept, in the language asked for. Written as each was
    found, in both languages, the messages and the intervals formatted for them were a
    quarter of the checks' peak on figure-dense text whose figures disagree, and most
    were dropped: a repeat merged, the other language."""

    check: str
    severity: str
    claims: list[Claim]
    message: Callable[[str], str]
    expected: Optional[Interval] = None
    actual: Optional[Interval] = None
    unit: Optional[str] = None
    expected_text: Optional[str] = None   # for findings that are not about numbers
    actual_text: Optional[str] = None
    repeats: Sequence[list[str]] = ()   # ids of the claims of the same finding on repeated text

    @property
    def gap(self) -> Optional[float]:
        if self.expected is None or self.actual is None:
            return None
        return self.expected.gap(self.actual)


def append_new(lists: list[tuple], ids: tuple, index: dict, key) -> bool:
    """Append `ids` to `lists` unless it is there already; True when appended. A short
    list is searched; a long one gets a set of its members, `index[key]`. A set for every
    finding (216 bytes even with one member) was a fifth of the checks' peak on
    figure-dense text, where few findings repeat."""
    members = index.get(key)
    if members is None:
        if ids in lists:
            return False
        lists.append(ids)
        if len(lists) > _SEARCHED:
            index[key] = set(lists)
        return True
    if ids in members:
        return False
    members.add(ids)
    lists.append(ids)
    return True


_SEARCHED = 8   # members of a list of repeats searched before it gets a set


def statement_key(statement: tuple) -> int:
    """The key what a finding says is kept by (`Context.seen`, `checks._assembled`): its hash.
    Two may share a key; those of one key are compared in full."""
    return hash(statement)


class ByKey(dict):
    """Items (not lists) by a `statement_key`: one item alone, or the list of those that
    share the key."""

    def at(self, key: int) -> Sequence:
        held = self.get(key)
        return () if held is None else held if type(held) is list else (held,)

    def add(self, key: int, item) -> None:
        held = self.get(key)
        self[key] = item if held is None else [*held, item] if type(held) is list else [held, item]


@dataclass(slots=True, eq=False)
class _Said:
    """A statement a check reported: its first claims, and the ids of every claim list
    that said the same (`None` until a second one does). Kept by the hash of what the
    claims say, not by that: a key of the claims' signatures, a list and a tuple for
    every finding were a third of the checks' peak on figure-dense text, where few
    findings repeat."""

    check: str
    claims: tuple[Claim, ...]
    ids: Optional[list[tuple[str, ...]]] = None

    def first_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.claims)


# ---- the context every check reads ---------------------------------------------------------

@dataclass
class Context:
    claims: list[Claim]
    links: Links
    rules: RuleSet
    config: CheckConfig
    tolerance: float = 0.0
    by_id: dict[str, Claim] = field(default_factory=dict)
    flagged: set = field(default_factory=set)     # (check, claim ids) reported so far

    def __post_init__(self) -> None:
        for c in self.claims:
            self.links.get(c.id)   # every claim has its info, so lookups need no fallback
        self._info = self.links.info
        # by id: the claims that relations and rates name, the only ones looked up so
        # (a dict of every claim was 0.4 MB of the checks' 9.8 MB peak on 3 MB of
        # figure-dense text)
        named = _named_ids(self.links, self.claims)
        self.by_id = {c.id: c for c in self.claims if c.id in named}
        self._plain: dict[tuple[str, str], bool] = {}
        self.metrics = {m.id: m for m in self.rules.metrics}
        self._rates: Optional[dict[str, Union[Claim, tuple[Claim, ...]]]] = None
        self._identity: Optional[dict[tuple, list[Claim]]] = None
        self._by_metric: dict[tuple[str, ...], dict[str, list[Claim]]] = {}   # by roles
        self._implicit: Optional[list[tuple[Claim, Claim, Claim]]] = None
        self._positions: dict[str, list[int]] = {}
        self._signatures: dict[str, tuple] = {}
        self._distinct: dict[tuple, tuple] = {}
        # what each check has reported, by the hash of its statements (see `seen`)
        self._said = ByKey()
        self._repeat_ids: dict[_Said, set] = {}   # of the long lists of repeats (see `append_new`)
        self._repeating: set[str] = set()   # the checks that have seen a statement said again
        self.cache: dict = {}   # what checks share and look up again, by (kind, ...): see keep_caches

    def keep_caches(self, kinds: set) -> None:
        """Let go of the `cache` entries but those of `kinds` (a key's first item: a check
        module's `CACHES` names the kinds it reads)."""
        if any(key[0] not in kinds for key in self.cache):
            self.cache = {key: value for key, value in self.cache.items() if key[0] in kinds}

    # settings
    def tol(self, check: str, *claims: Claim, extra: float = 0.0) -> float:
        values = [self.tolerance, self.config.tolerance(check), extra]
        values += [self.config.metric_tolerance(c.metric) for c in claims if c.metric]
        return max(values)

    def iv(self, claim: Claim, tolerance: float = 0.0) -> Interval:
        return Interval.of(claim, tolerance)

    def severity(self, check: str, severity: str) -> str:
        return self.config.severity(check, severity)

    def info(self, claim: Claim) -> ClaimInfo:
        return self._info[claim.id]

    # what claims are
    def is_plain(self, claim: Claim) -> bool:
        """Named by one of its metric's own names (出口, 进出口总额), not a narrower one
        (机电产品出口). Without the text, a figure with a metric counts as plain."""
        if not claim.metric:
            return False
        # by metric and name, not by claim: a document has few of them
        key = (claim.metric, self._info[claim.id].name)
        plain = self._plain.get(key)
        if plain is None:
            metric = self.metrics.get(claim.metric)
            plain = metric is not None and (not self.links.from_text or key[1] in metric.names)
            self._plain[key] = plain
        return plain

    def usable(self, claim: Claim) -> bool:
        """A stated fact (not a forecast) with a value."""
        return claim.value is not None and not self.info(claim).forecast

    def comparable(self, rate: Claim, level: Claim) -> bool:
        """A growth rate at comparable prices against nominal levels: the arithmetic of the
        levels cannot decide it."""
        if level.dimension != "currency":
            return False
        if self.info(rate).comparable or self.links.comparable_document:
            return True
        metric = self.metrics.get(level.metric) if level.metric else None
        return bool(metric is not None and metric.comparable_prices)

    def rates_of(self, claim: Claim) -> tuple[Claim, ...]:
        """Growth rates and changes that qualify the figure."""
        if self._rates is None:
            # a figure's one rate is kept as itself, more in a tuple: most figures have
            # one, and a list each was the biggest of the checks' indexes
            rates: dict[str, Union[Claim, tuple[Claim, ...]]] = {}
            for c in self.claims:
                if c.refers_to and c.role in ("growth", "change"):
                    held = rates.get(c.refers_to)
                    rates[c.refers_to] = c if held is None else (
                        held + (c,) if type(held) is tuple else (held, c))
            self._rates = rates
        held = self._rates.get(claim.id, ())
        return held if type(held) is tuple else (held,)

    def same_quantity(self, a: Claim, b: Claim) -> bool:
        """The same metric of the same subject under the same name, in the same unit."""
        if a.metric is None or a.metric != b.metric or a.unit != b.unit:
            return False
        if a.subject is not None and b.subject is not None and a.subject != b.subject:
            return False
        if not self.links.from_text:
            return True
        return self.name_key(a) == self.name_key(b)

    def same_paragraph(self, a: Claim, b: Claim) -> bool:
        return not self.links.from_text or self._info[a.id].paragraph == self._info[b.id].paragraph

    def stated_in_period(self, claim: Claim, period: Optional[str]) -> list[Claim]:
        """Figures of the same quantity as `claim` stated for `period`; an identical repeat
        counts once."""
        if period is None or claim.metric is None:
            return []
        if self._identity is None:
            self._identity = {}
            shapes: set = set()
            for c in self.claims:
                if c.role in _FIGURES + ("share",) and c.metric and c.period and self.usable(c):
                    signature = self.signature(c)
                    if signature in shapes:
                        continue
                    shapes.add(signature)
                    key = (c.metric, c.unit, c.period, self.name_key(c))
                    self._identity.setdefault(key, []).append(c)
        bucket = self._identity.get((claim.metric, claim.unit, period, self.name_key(claim)), [])
        return [c for c in bucket if c.id != claim.id and self.same_quantity(claim, c)]

    def name_key(self, claim: Claim) -> Optional[str]:
        """The words that name a figure, as one quantity's: its own name, or for a figure
        no words before it name (由上年的13122元增加到14736元, 增长15%，达到6740元) the
        metric's name that gave it its metric: 城镇居民人均可支配收入 and 农村居民人均可支配收入
        are one metric and two quantities, and two figures named by nothing were one."""
        if not self.links.from_text:
            return None
        info = self.info(claim)
        return canonical_name(info.name or info.mention or "")

    def signature(self, claim: Claim) -> tuple:
        """What a statement says, wherever it stands: identical repeats share it."""
        sig = self._signatures.get(claim.id)
        if sig is None:
            target = self.by_id.get(claim.refers_to) if claim.refers_to else None
            sig = (claim.text, claim.role, claim.metric, canonical_name(self.info(claim).name), claim.subject,
                   claim.period, claim.unit, claim.low, claim.high, claim.qualifier,
                   self.signature(target) if target is not None and target.id != claim.id else None)
            if claim.id in self.by_id:
                # kept for the claims that others name, whose signatures hold theirs;
                # identical statements share one tuple (on figure-dense text, 4,582
                # claims have 50 signatures, at 150 bytes a tuple)
                sig = self._distinct.setdefault(sig, sig)
                self._signatures[claim.id] = sig
        return sig

    def seen(self, check: str, claims: list[Claim]) -> bool:
        """True when this check has reported the same statements already (the document
        repeats itself, or two paths lead to one finding); the claims are kept as a repeat
        of that finding, which is built only once."""
        signatures = tuple(self.signature(c) for c in claims)
        key = statement_key((check, signatures))
        ids = tuple(c.id for c in claims)
        said = self._said_before(key, check, signatures)
        if said is None:
            self._said.add(key, _Said(check, tuple(claims)))
            return False
        if said.ids is None:
            first = said.first_ids()
            if ids == first:
                return True
            said.ids = [first]
            self._repeating.add(check)
        append_new(said.ids, ids, self._repeat_ids, said)
        return True

    def repeats_of(self, finding: "RawFinding") -> Sequence[list[str]]:
        if finding.check not in self._repeating:
            # none of its statements was said again: most documents, and every finding of
            # `conflicting_repeat` (a twentieth of the checks on figure-dense text, where
            # each finding's signatures were made to look for repeats it cannot have)
            return ()
        signatures = tuple(self.signature(c) for c in finding.claims)
        said = self._said_before(statement_key((finding.check, signatures)), finding.check, signatures)
        if said is None or said.ids is None:
            return ()
        ids = tuple(c.id for c in finding.claims)
        return [list(r) for r in said.ids if r != ids]

    def _said_before(self, key: int, check: str, signatures: tuple) -> Optional["_Said"]:
        for said in self._said.at(key):
            if said.check == check and tuple(self.signature(c) for c in said.claims) == signatures:
                return said
        return None

    def of_metric(self, metric: Optional[str], roles: tuple[str, ...] = _FIGURES) -> list[Claim]:
        """Usable figures of a metric in `roles` (level and count unless told), in document
        order."""
        if metric is None:
            return []
        by_metric = self._by_metric.get(roles)
        if by_metric is None:
            by_metric = self._by_metric[roles] = {}
            for c in self.claims:
                if c.role in roles and c.metric and self.usable(c):
                    by_metric.setdefault(c.metric, []).append(c)
        return by_metric.get(metric, [])

    def compatible(self, anchor: Claim, other: Claim) -> bool:
        """Figures that can enter one relation: the same subject (or one unnamed), the same
        period (or, in one paragraph, one unstated), and either one paragraph or a period
        stated for both."""
        if anchor.subject is not None and other.subject is not None and anchor.subject != other.subject:
            return False
        paragraph = self.same_paragraph(anchor, other)
        if anchor.period != other.period:
            return paragraph and (anchor.period is None or other.period is None)
        return paragraph or anchor.period is not None

    def figures_of(self, metric: Optional[str]) -> list[Claim]:
        """`of_metric` in the roles its rule file gives the metric: a rate that is a figure
        of its own (出生率 8.85‰, a share) as well as levels and counts."""
        declared = self.metrics.get(metric) if metric else None
        return self.of_metric(metric, _FIGURES + ("share",) if declared is not None and declared.role == "share"
                              else _FIGURES)

    def _pool(self, metric: Optional[str]) -> tuple[list[Claim], list]:
        """The usable figures of `metric` in document order, with their sort positions."""
        pool = self.figures_of(metric)
        positions = self._positions.get(metric)
        if positions is None:
            positions = self._positions[metric] = [_position(c) for c in pool]
        return pool, positions

    def near(self, anchor: Claim, metric: Optional[str], accept, window: int = 24) -> Optional[Claim]:
        """The nearest usable figure of `metric` that `accept`s, those after the anchor
        first, looking at most `window` figures of that metric each way (linear time over
        a document)."""
        return self._scan(anchor, metric, accept, False, None, window)

    def near_before(self, anchor: Claim, metric: Optional[str], accept, window: int = 24) -> Optional[Claim]:
        """Like `near`, those before the anchor first."""
        return self._scan(anchor, metric, accept, True, None, window)

    def same_sentence(self, a: Claim, b: Claim) -> bool:
        return not self.links.from_text or (self._info[a.id].paragraph == self._info[b.id].paragraph
                                            and self._info[a.id].sentence == self._info[b.id].sentence)

    def near_in(self, anchor: Claim, metric: Optional[str], accept, before_first: bool = False,
                sentence: bool = False, window: int = 24) -> Optional[Claim]:
        """Like `near` (`near_before` with `before_first`), among the figures of the
        anchor's paragraph (`sentence`: sentence) only: each way stops at the first
        figure outside it."""
        return self._scan(anchor, metric, accept, before_first,
                          self.same_sentence if sentence else self.same_paragraph, window)

    def _scan(self, anchor: Claim, metric: Optional[str], accept, before_first: bool, together,
              window: int) -> Optional[Claim]:
        """The figures of `metric` around the anchor, after it first (before it with
        `before_first`), `window` each way, each way stopping at the first that is not
        `together` with the anchor (when given): the first that `accept`s."""
        pool, positions = self._pool(metric)
        if not pool:
            return None
        if before_first:
            k = bisect.bisect_right(positions, _position(anchor))
            scans = (range(k - 1, max(-1, k - 1 - window), -1), range(k, min(len(pool), k + window)))
        else:
            k = bisect.bisect_left(positions, _position(anchor))
            scans = (range(k, min(len(pool), k + window)), range(k - 1, max(-1, k - 1 - window), -1))
        for scan in scans:
            for j in scan:
                candidate = pool[j]
                if together is not None and not together(anchor, candidate):
                    break
                if candidate.id != anchor.id and accept(candidate):
                    return candidate
        return None

    def first_named(self, figure: Claim, accept) -> Claim:
        """The figure of `figure`'s metric and period in its paragraph that is named by the
        metric's first name (常住人口, of 常住人口, 总人口, 人口), when `figure` is named
        otherwise and there is one that `accept`s; else `figure`."""
        metric = self.metrics.get(figure.metric) if figure.metric else None
        if metric is None or self._info[figure.id].name == metric.names[0]:
            return figure
        return self.near_in(figure, figure.metric, lambda c: (
            c.period == figure.period and c.unit == figure.unit and self._info[c.id].name == metric.names[0]
            and accept(c))) or figure

    def nearest(self, anchor: Claim, candidates: Iterable[Claim]) -> Optional[Claim]:
        """The candidate closest to the anchor in the text, those after it first."""
        best, best_key = None, None
        for c in candidates:
            distance = c.norm_start - anchor.norm_start if c.norm_start >= 0 else abs(c.start - anchor.start)
            key = (0 if distance >= 0 else 1, abs(distance))
            if best_key is None or key < best_key:
                best, best_key = c, key
        return best

    def explicit_pairs(self) -> Iterator[tuple[Claim, Claim, str, int]]:
        """(current, prior, cue, sign) stated together in the text."""
        for prior in self.links.priors:
            current, base = self.by_id.get(prior.current), self.by_id.get(prior.prior)
            if current is None or base is None or not self.usable(current) or base.value is None:
                continue
            yield current, base, prior.cue, prior.sign

    def implicit_pairs(self) -> list[tuple[Claim, Claim, Claim]]:
        """(current, prior, rate): a year-on-year rate of a figure, and the same figure for
        the year before stated elsewhere in the document. Found once for the checks that
        read them."""
        if self._implicit is None:
            self._implicit = list(self._find_implicit_pairs())
        return self._implicit

    def _find_implicit_pairs(self) -> Iterator[tuple[Claim, Claim, Claim]]:
        explicit: dict[str, set[str]] = {}
        for p in self.links.priors:
            explicit.setdefault(p.current, set()).add(p.prior)
        for current in self.claims:
            if current.role not in _FIGURES + ("share",) or not self.usable(current):
                continue
            rates = [r for r in self.rates_of(current) if self.info(r).yoy]
            if not rates:
                continue
            stated = explicit.get(current.id, ())
            # nor that prior said again (an interview printed twice): `stated_in_period`
            # keeps the first of identical statements, the other copy's own prior
            stated_again = {self.signature(self.by_id[s]) for s in stated if s in self.by_id}
            for prior in self.stated_in_period(current, previous_period(current.period)):
                if prior.id in stated or (stated_again and self.signature(prior) in stated_again):
                    continue
                for rate in rates:
                    yield current, prior, rate

    def growth_of(self, current: Claim, prior: Claim, rate: Claim, tolerance: float) -> Optional[tuple[Interval, Interval, str]]:
        """(stated, computed, unit) for a rate between two figures: percent growth from the
        ratio, a change or percentage points from the difference. None when they do not
        combine (a prior that may be zero or negative, units that differ)."""
        key = ("growth_of", current.id, prior.id, rate.id, tolerance)   # the checks share it
        if key not in self.cache:
            self.cache[key] = self._growth_of(current, prior, rate, tolerance)
        return self.cache[key]

    def _growth_of(self, current: Claim, prior: Claim, rate: Claim,
                   tolerance: float) -> Optional[tuple[Interval, Interval, str]]:
        c, p = self.iv(current, tolerance), self.iv(prior, tolerance)
        stated = self.iv(rate, tolerance)
        if rate.unit == "percent" and rate.role == "growth" and current.unit == prior.unit:
            if not p.positive() or c.lo < 0:
                return None
            return stated, (c / p).shift(-1.0).scale(100.0), "percentage_point"
        if rate.unit == "times" and rate.role == "growth" and current.unit == prior.unit:
            # 增长1.3倍: 2.3 times the prior (as statistical releases count; "1.3 times the
            # prior" would be 增长0.3倍, or 是上年的1.3倍)
            if not p.positive() or c.lo < 0:
                return None
            return stated, (c / p).shift(-1.0), "times"
        if rate.role == "change" and rate.unit == current.unit == prior.unit:
            return stated, c - p, rate.unit
        if rate.unit in _POINTS_OF and current.unit == prior.unit == _POINTS_OF[rate.unit]:
            return stated, c - p, rate.unit
        return None

    def implied_prior(self, current: Claim, rate: Claim, tolerance: float) -> Optional[Interval]:
        c, r = self.iv(current, tolerance), self.iv(rate, tolerance)
        if rate.unit == "percent" and rate.role == "growth":
            factor = r.scale(0.01).shift(1.0)
            if not factor.positive():
                return None
            return c / factor
        if rate.unit == "times" and rate.role == "growth":
            return c / r.shift(1.0)
        if rate.role == "change" and rate.unit == current.unit:
            return c - r
        if rate.unit in _POINTS_OF and current.unit == _POINTS_OF[rate.unit]:
            return c - r
        return None


def _named_ids(links: Links, claims: Iterable[Claim]) -> set[str]:
    """The ids that the links and the claims' `refers_to` name."""
    named = {c.refers_to for c in claims if c.refers_to}
    for prior in links.priors:
        named.update((prior.current, prior.prior))
    for part in links.parts:
        named.update((part.part, part.whole))
    for share in links.shares:
        named.update((share.share, share.part, share.whole))
    for issue in links.lists:
        named.update(issue.values)
        named.update(issue.subjects)
    named.update(links.records)
    named.discard(None)
    return named


def _position(claim: Claim) -> int:
    return claim.norm_start if claim.norm_start >= 0 else claim.start


def contradicts(stated: Interval, computed: Interval) -> bool:
    """The stated rate says up and the figures went down, or the other way round."""
    return (stated.positive() and computed.hi <= 0) or (stated.negative() and computed.lo >= 0)


# ---- writing figures and intervals ------------------------------------------------------------

_PINYIN = re.compile(r"\((?:[a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]+)\)")

UNIT_ZH = {
    "CNY": "元", "USD": "美元", "HKD": "港元", "EUR": "欧元", "JPY": "日元", "TWD": "新台币元",
    "GBP": "英镑", "percent": "%", "percentage_point": "个百分点", "permille": "‰", "person": "人",
    "permille_point": "个千分点",
    "person_time": "人次", "organization": "家", "item": "个", "entry": "项", "batch": "批",
    "sortie": "架次", "machine": "台", "set": "套", "copy": "份", "article": "条", "session": "期",
    "occurrence": "次", "case": "例", "category": "类", "piece": "件", "household": "户",
    "vehicle": "辆", "kind": "种", "event": "场", "incident": "起", "km**2": "平方公里",
    "m**2": "平方米", "hectare": "公顷", "mu": "亩", "tonne": "吨", "kg": "公斤", "hour": "小时",
    "year_of_age": "岁", "times": "倍",
}
UNIT_EN = {"percent": "%", "percentage_point": " percentage points", "permille": "‰", "times": " times",
           "permille_point": " permille points",
           "km**2": " km²", "m**2": " m²"}


def quote(claim: Claim) -> str:
    """The figure as the reader sees it, without pinyin annotations."""
    return _PINYIN.sub("", claim.text)


def _digits(lo: float, hi: float, scale: float) -> tuple[str, str]:
    """lo rounded down and hi rounded up (the written interval holds the true one), at the
    fewest decimals that keep the rounding within a tenth of the interval's width."""
    a, b = lo / scale, hi / scale
    if a == b:
        return _num(a, 10), _num(b, 10)
    width = b - a
    magnitude = max(abs(a), abs(b))
    first = -int(math.floor(math.log10(magnitude))) + 3 if magnitude > 0 else 0   # ~4 significant digits
    last = min(max(first + 4, 0), 12)   # at most ~8 significant digits
    for decimals in range(max(first, 0), last + 1):
        step = 10.0 ** -decimals
        down = math.floor(a / step + 1e-9) * step
        up = math.ceil(b / step - 1e-9) * step
        if (a - down) + (up - b) <= 0.1 * width + 1e-12 or decimals == last:
            low, high = _fixed(down, decimals), _fixed(up, decimals)
            places = max(len(t.partition(".")[2]) for t in (low, high))
            return _fixed(down, places, keep=True), _fixed(up, places, keep=True)
    return _num(a, 12), _num(b, 12)


def _fixed(x: float, decimals: int, keep: bool = False) -> str:
    text = f"{x:.{decimals}f}"
    if "." in text and not keep:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _num(x: float, sig: int) -> str:
    if not math.isfinite(x):
        return "∞" if x > 0 else "-∞"
    if x == 0:
        return "0"
    text = f"{x:.{sig}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        exp = int(exponent)
        if -6 < exp < 16:
            text = f"{x:.{max(sig - 1 - exp, 0)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _scale(magnitude: float, unit: Optional[str], lang: str) -> tuple[float, str]:
    if unit in ("percent", "percentage_point", "permille", "permille_point"):
        return 1.0, ""
    if lang == "zh":
        if magnitude >= 1e8:
            return 1e8, "亿"
        if magnitude >= 1e6:
            return 1e4, "万"
        return 1.0, ""
    if magnitude >= 1e9:
        return 1e9, " billion"
    if magnitude >= 1e6:
        return 1e6, " million"
    return 1.0, ""


def unit_word(unit: Optional[str], lang: str) -> str:
    if unit is None:
        return ""
    if lang == "zh":
        return UNIT_ZH.get(unit, unit)
    return UNIT_EN.get(unit, f" {unit}")


def fmt_interval(iv: Interval, unit: Optional[str], lang: str) -> str:
    """[14.45, 14.55]%, [16037.955, 16037.965]亿元, ≥ 300亿美元."""
    return _fmt_interval(iv.lo, iv.hi, unit, lang)


# A finding's intervals are formatted for its message in two languages and for its
# expected/actual fields, and repeated text repeats them: formatting is worth remembering.
@lru_cache(maxsize=8192)
def _fmt_interval(lo: float, hi: float, unit: Optional[str], lang: str) -> str:
    finite = [abs(x) for x in (lo, hi) if math.isfinite(x)]
    scale, word = _scale(max(finite) if finite else 0.0, unit, lang)
    tail = f"{word}{unit_word(unit, lang)}"
    if lang != "zh" and tail.startswith(" ") and unit in ("percent", "permille"):
        tail = tail.strip()
    if math.isinf(lo) and math.isinf(hi):
        return "(-∞, ∞)"
    if math.isinf(lo):
        return f"≤ {_num(hi / scale, 8)}{tail}"
    if math.isinf(hi):
        return f"≥ {_num(lo / scale, 8)}{tail}"
    a, b = _digits(lo, hi, scale)
    if a == b:
        return f"{a}{tail}"
    return f"[{a}, {b}]{tail}"


def fmt_amount(value: float, unit: Optional[str], lang: str) -> str:
    scale, word = _scale(abs(value), unit, lang)
    text = f"{_num(value / scale, 6)}{word}{unit_word(unit, lang)}"
    return text


def fmt_gap(gap: float, unit: Optional[str], lang: str) -> str:
    """The distance between two intervals in `unit`: between two percentages, in
    percentage points."""
    if unit == "percent":
        unit = "percentage_point"
    scale, word = _scale(abs(gap), unit, lang)
    return f"{_num(gap / scale, 4)}{word}{unit_word(unit, lang)}"


def severity_word(severity: str, lang: str) -> str:
    return {"zh": {"error": "错误", "warning": "警告", "info": "提示"}}.get(lang, {}).get(severity, severity)


def finding_key(claims: Iterable[Claim]) -> frozenset:
    return frozenset(c.id for c in claims)
