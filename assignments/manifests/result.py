"""The result manifest: the input columns plus Result, ResultTime, ErrorCode and
ResultDescription for every row, so a user can fix the failed rows and import it again
(the result columns are known and ignored on import). Written a row at a time as the
import's last pass makes each result, so it never needs the whole file in memory."""

from __future__ import annotations

from typing import IO

from django.utils import timezone

from .columns import FAILED, RESULT_COLUMNS
from .parse import Header
from .tsv import line_encode


class ResultWriter:
    def __init__(self, out: IO[str], header: Header):
        self.out = out
        self.keep = [i for i, name in enumerate(header.names) if name not in RESULT_COLUMNS]
        self.stamp = timezone.now().isoformat(timespec="seconds")
        # Written like an export (tsv.py), so the result reads back exactly and is safe to
        # open in a spreadsheet.
        out.write(line_encode([header.names[i] for i in self.keep] + list(RESULT_COLUMNS)))

    def row(self, values: tuple[str, ...], result: str, code: str, description: str) -> None:
        cells = [values[i] if i < len(values) else "" for i in self.keep]
        self.out.write(line_encode(cells + [result, self.stamp, code, description]))

    def header_failure(self, errors: list[tuple[str, str]]) -> None:
        """A file with no rows whose header is wrong still gets one line saying why."""
        note = "; ".join(message for _, message in errors)
        self.out.write(
            line_encode([""] * len(self.keep) + [FAILED, self.stamp, errors[0][0], note])
        )
