"""respectively: a 分别 list whose values and subjects do not pair up
(`出口食品6310批，货值3.91亿美元，分别增长5.43%、32.99%、12.1%`): which value belongs to
which figure cannot be told, so none of them is checked."""
from __future__ import annotations

from functools import partial
from typing import Iterator

from ..models import Claim
from .base import Context, RawFinding, quote

ID = "respectively"
TITLE = {"zh": "“分别”列表不对应", "en": "分别 list that does not pair up"}


def run(ctx: Context) -> Iterator[RawFinding]:
    for issue in ctx.links.lists:
        values = [ctx.by_id[v] for v in issue.values if v in ctx.by_id]
        figures = [ctx.by_id[s] for s in issue.subjects if s in ctx.by_id]
        subjects = [quote(f) for f in figures] if figures else list(issue.subjects)
        if not values or ctx.seen(ID, figures + values):
            continue
        yield RawFinding(ID, "warning", figures + values, partial(_message, values, subjects),
                         expected_text=str(len(subjects)), actual_text=str(len(values)))


def _message(values: list[Claim], subjects: list[str], lang: str) -> str:
    if lang == "zh":
        return (f"“分别”后列出{len(values)}个数值（{'、'.join(quote(v) for v in values)}），但前面有{len(subjects)}项"
                f"（{'、'.join(subjects)}），无法一一对应，这些数值未作核对。")
    return (f"分别 lists {len(values)} values ({', '.join(quote(v) for v in values)}) for "
            f"{len(subjects)} subjects ({', '.join(subjects)}): they cannot be paired, so none was checked.")
