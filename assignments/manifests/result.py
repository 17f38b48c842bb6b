"""The result manifest: the input columns plus Result, ResultTime, ErrorCode and
ResultDescription for every row, so a user can fix the failed rows and import it again
(the result columns are known and ignored on import)."""

from __future__ import annotations

from typing import IO

from django.utils import timezone

from .columns import FAILED, RESULT_COLUMNS
from .parse import Manifest
from .plan import ImportPlan
from .tsv import line_encode


def result_write(*, out: IO[str], manifest: Manifest, plan: ImportPlan) -> None:
    keep = [i for i, name in enumerate(manifest.header) if name not in RESULT_COLUMNS]
    # Written like an export (tsv.py), so the result reads back exactly and is safe to
    # open in a spreadsheet.
    out.write(line_encode([manifest.header[i] for i in keep] + list(RESULT_COLUMNS)))
    stamp = timezone.now().isoformat(timespec="seconds")
    header_note = "; ".join(message for _, message in plan.header_errors)
    header_code = plan.header_errors[0][0] if plan.header_errors else ""
    if not manifest.rows and plan.header_errors:
        out.write(line_encode([""] * len(keep) + [FAILED, stamp, header_code, header_note]))
    for row, row_plan in zip(manifest.rows, plan.rows, strict=True):
        cells = [row.values[i] if i < len(row.values) else "" for i in keep]
        out.write(
            line_encode(cells + [row_plan.result, stamp, row_plan.code, row_plan.description])
        )
