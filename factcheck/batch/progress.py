"""The progress bar on standard error: documents done, documents/s and an ETA. The total
is counted in a thread while the batch already runs (the bar has no ETA until then)."""
from __future__ import annotations

import threading
from typing import Callable


class Progress:
    def __init__(self, count: Callable[[], int]):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, ProgressColumn, TextColumn, \
            TimeElapsedColumn, TimeRemainingColumn
        from rich.progress import Progress as Bar
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task) -> Text:
                speed = task.finished_speed or task.speed
                return Text(f"{speed:,.1f} docs/s" if speed else "- docs/s", style="progress.data.speed")

        self._bar = Bar(TextColumn("factcheck batch"), BarColumn(), MofNCompleteColumn(), Rate(),
                        TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                        console=Console(stderr=True), speed_estimate_period=60)
        self._task = self._bar.add_task("documents", total=None)
        self._bar.start()
        self._counter = threading.Thread(target=self._count, args=(count,), daemon=True)
        self._counter.start()

    def _count(self, count: Callable[[], int]) -> None:
        try:
            self.total(count())
        except Exception:   # a bar without a total: no ETA, nothing worse
            pass

    def advance(self, n: int) -> None:
        self._bar.advance(self._task, n)

    def total(self, n: int) -> None:
        self._bar.update(self._task, total=n)

    def close(self) -> None:
        self._bar.stop()
