"""Read a .tsv manifest: UTF-8 with an optional BOM, a header row, columns in any order.

One physical line is one row (tsv.py: quotes never join lines, formula-neutralised cells
are read back exactly). Rows are tuples in header order with their physical line number,
so every error names the line a user sees in their editor.

Rows stream: `ManifestReader.rows()` yields them one at a time and can be called again for
another pass over the file (validation, then the result manifest), so a 1,000,000-row
manifest is never held in memory (issue 16). A source that cannot seek (a stream) is
copied once to a temporary file for that.
"""

from __future__ import annotations

import io
import operator
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import IO

from .columns import KNOWN_COLUMNS, ErrorCode
from .tsv import cell_decode, line_split

_EMPTY_ROW = dict.fromkeys(KNOWN_COLUMNS, "")


class ManifestUnreadable(Exception):
    """The file is not a manifest at all (not UTF-8, no header): nothing can be reported per row."""


@dataclass
class Row:
    line: int
    values: tuple[str, ...]


@dataclass
class Header:
    """The header row: names, where each known column is, and what is wrong with it."""

    names: list[str]
    index: dict[str, int] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (code, message)

    def has(self, column: str) -> bool:
        return column in self.index

    def getter(self, row: Row):
        """`get(column)` for one row: the stripped cell, '' when the column is absent.
        A dict of every known column, so each of the dozens of lookups a row's checks
        make is one C-level dict access (a million-row file makes tens of millions)."""
        cells = _EMPTY_ROW.copy()
        names, pick = self._picker
        cells.update(zip(names, pick(row.values), strict=True))
        return cells.__getitem__

    @cached_property
    def _picker(self):
        """The known columns' names and a function taking their cells out of a row."""
        names = tuple(self.index)
        positions = tuple(self.index.values())
        if len(positions) > 1:
            return names, operator.itemgetter(*positions)
        return names, (lambda values: tuple(values[p] for p in positions))


def _header_parse(text: str) -> Header:
    names = [cell_decode(name.strip().lstrip("\ufeff")) for name in line_split(text)]
    header = Header(names=names)
    for position, name in enumerate(names):
        if not name:
            continue
        if name not in KNOWN_COLUMNS:
            header.errors.append((ErrorCode.UNKNOWN_COLUMN, f"Line 1: unknown column '{name}'."))
        elif name in header.index:
            header.errors.append((ErrorCode.DUPLICATE, f"Line 1: column '{name}' appears twice."))
        else:
            header.index[name] = position
    return header


def _rewindable(source: IO[bytes] | IO[str]) -> IO[bytes] | IO[str]:
    """The source itself when it can seek back, else a temporary copy (bounded memory)."""
    try:
        if source.seekable():
            source.tell()
            return source
    except (AttributeError, OSError, ValueError):
        pass
    text = isinstance(source, io.TextIOBase)
    spool = tempfile.TemporaryFile("w+", encoding="utf-8") if text else tempfile.TemporaryFile()  # noqa: SIM115
    shutil.copyfileobj(source, spool, 1024 * 1024)
    spool.seek(0)
    return spool


class ManifestReader:
    """A manifest read pass by pass: the header at once, the rows on demand."""

    def __init__(self, source: IO[bytes] | IO[str]):
        self.source = _rewindable(source)
        self.start = self.source.tell()
        self.rows_total: int | None = None  # known after the first full pass
        try:
            first = self.source.readline()
            if isinstance(first, bytes):
                first = first.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ManifestUnreadable(f"The manifest is not UTF-8 text ({exc.reason}).") from None
        if not first:
            raise ManifestUnreadable("The manifest is empty: it needs a header row.")
        # A lone CR ends the header line too (universal newlines below agree).
        header_text = first.split("\r", 1)[0] if "\r" in first.rstrip("\r\n") else first
        self.header = _header_parse(header_text)

    @property
    def index(self) -> dict[str, int]:
        return self.header.index

    def has(self, column: str) -> bool:
        return self.header.has(column)

    def getter(self, row: Row):
        return self.header.getter(row)

    def rows_estimate(self) -> int:
        """The number of lines after the header (for progress before the first pass):
        one fast scan counting line ends, blank lines included."""
        self.source.seek(self.start)
        ends, newline = 0, "\n" if isinstance(self.source, io.TextIOBase) else b"\n"
        while chunk := self.source.read(1 << 20):
            ends += chunk.count(newline)
        return max(0, ends - 1)

    def _lines(self) -> Iterator[tuple[int, str]]:
        self.source.seek(self.start)
        stream = self.source
        if not isinstance(stream, io.TextIOBase):
            stream = io.TextIOWrapper(
                io.BufferedReader(_Unclosing(stream), 1 << 16),
                encoding="utf-8-sig",
                errors="strict",
                newline="",
            )
        # Physical lines, numbered from 1 (the header); \n, \r\n and a lone \r each end one.
        return enumerate(stream, start=1)

    def rows(self) -> Iterator[Row]:
        """Every row, in file order; blank lines are not rows. Another call reads again."""
        lines = self._lines()
        width = len(self.header.names)
        count = 0
        try:
            next(lines, None)  # the header
            for line, text in lines:
                if not text.strip():
                    continue  # blank lines (spaces and tabs only) are not rows
                values = [cell.strip() for cell in line_split(text)]
                for position, cell in enumerate(values):
                    if cell and (cell[0] == '"' or cell[0] == "'"):
                        values[position] = cell_decode(cell)  # wrapped or neutralised
                if len(values) < width:  # short rows: the missing cells are empty
                    values.extend([""] * (width - len(values)))
                count += 1
                yield Row(line=line, values=tuple(values))
        except UnicodeDecodeError as exc:
            raise ManifestUnreadable(f"The manifest is not UTF-8 text ({exc.reason}).") from None
        self.rows_total = count


class _Unclosing(io.RawIOBase):
    """Lets a TextIOWrapper read a binary file without closing it when the wrapper goes."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@dataclass
class Manifest(Header):
    """A whole manifest in memory (small files, tests); imports stream `ManifestReader`."""

    rows: list[Row] = field(default_factory=list)

    @property
    def header(self) -> list[str]:
        return self.names

    @property
    def header_errors(self) -> list[tuple[str, str]]:
        return self.errors


def manifest_read(source: IO[bytes] | IO[str]) -> Manifest:
    """Parse the whole manifest; header problems are collected, not raised."""
    reader = ManifestReader(source)
    manifest = Manifest(names=reader.header.names, index=reader.header.index)
    manifest.errors = reader.header.errors
    manifest.rows = list(reader.rows())
    return manifest
