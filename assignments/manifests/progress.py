"""A text progress bar for the manifest commands (stderr, redrawn in place)."""

from __future__ import annotations

import sys
import time

WIDTH = 30


class ProgressBar:
    """`bar(phase, done, total)`; redraws at most ten times a second, ends each phase."""

    def __init__(self, stream=None, *, enabled: bool = True):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self._last = 0.0
        self._phase = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        finished = total and done >= total
        if phase == self._phase and not finished and now - self._last < 0.1:
            return
        if phase != self._phase and self._phase:
            self.stream.write("\n")
        self._phase, self._last = phase, now
        filled = int(WIDTH * done / total) if total else WIDTH
        self.stream.write(f"\r{phase:<10} [{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self._phase:
            self.stream.write("\n")
            self.stream.flush()
        self._phase = ""
