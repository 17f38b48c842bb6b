"""Read a .tsv manifest: UTF-8 with an optional BOM, a header row, columns in any order.

One physical line is one row (tsv.py: quotes never join lines, formula-neutralised cells
are read back exactly). Rows are kept as tuples in header order with their physical line
number, so every error names the line a user sees in their editor. Repeated cell values (entity types, locales,
actions) are shared between rows, which keeps a 100,000-row manifest small in memory.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import IO

from .columns import KNOWN_COLUMNS, ErrorCode
from .tsv import cell_decode, line_split


class ManifestUnreadable(Exception):
    """The file is not a manifest at all (not UTF-8, no header): nothing can be reported per row."""


@dataclass
class Row:
    line: int
    values: tuple[str, ...]


@dataclass
class Manifest:
    header: list[str]
    rows: list[Row] = field(default_factory=list)
    header_errors: list[tuple[str, str]] = field(default_factory=list)  # (code, message)
    index: dict[str, int] = field(default_factory=dict)

    def has(self, column: str) -> bool:
        return column in self.index

    def getter(self, row: Row):
        """`get(column)` for one row: the stripped cell, '' when the column is absent."""
        values, index = row.values, self.index

        def get(column: str) -> str:
            position = index.get(column)
            return "" if position is None else values[position]

        return get


def _text_stream(source: IO[bytes] | IO[str]) -> IO[str]:
    """Decoded text, streaming (TextIOWrapper is C code; a zip member or an upload works)."""
    if isinstance(source, io.TextIOBase):
        return source
    if not hasattr(source, "readable"):
        source = io.BufferedReader(source)  # type: ignore[arg-type]
    return io.TextIOWrapper(source, encoding="utf-8-sig", errors="strict", newline="")


def manifest_read(source: IO[bytes] | IO[str]) -> Manifest:
    """Parse the whole manifest; header problems are collected, not raised."""
    # Physical lines, numbered from 1 (the header); \n, \r\n and a lone \r each end one.
    lines = enumerate(_text_stream(source), start=1)
    try:
        first = next(lines, None)
        if first is None:
            raise ManifestUnreadable("The manifest is empty: it needs a header row.")
        header = [cell_decode(name.strip().lstrip("\ufeff")) for name in line_split(first[1])]
        manifest = Manifest(header=header)
        for position, name in enumerate(header):
            if not name:
                continue
            if name not in KNOWN_COLUMNS:
                manifest.header_errors.append(
                    (ErrorCode.UNKNOWN_COLUMN, f"Line 1: unknown column '{name}'.")
                )
            elif name in manifest.index:
                manifest.header_errors.append(
                    (ErrorCode.DUPLICATE, f"Line 1: column '{name}' appears twice.")
                )
            else:
                manifest.index[name] = position
        shared: dict[str, str] = {}
        width = len(header)
        for line, text in lines:
            cells = line_split(text)
            if not any(cell.strip() for cell in cells):
                continue  # blank lines are not rows
            stripped = []
            for cell in cells:
                cell = cell_decode(cell.strip())
                if len(cell) <= 40:
                    cell = shared.setdefault(cell, cell)
                stripped.append(cell)
            if len(stripped) < width:  # short rows: the missing cells are empty
                stripped.extend([""] * (width - len(stripped)))
            manifest.rows.append(Row(line=line, values=tuple(stripped)))
    except UnicodeDecodeError as exc:
        raise ManifestUnreadable(f"The manifest is not UTF-8 text ({exc.reason}).") from None
    return manifest
