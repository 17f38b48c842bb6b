r"""How a manifest line is split into cells and a cell into its value, both ways (R18, R29).

One physical line is one row, always: a quote can never make a row swallow the lines after
it. Cells are separated by tabs and their quotes are data, with one exception that
spreadsheets and our own exports write: a cell wrapped in quotes whose inner quotes are all
doubled (`"12"" pizza"` for `12" pizza`) is unwrapped. Inside such a wrapped cell `\t`,
`\n`, `\r` and `\\` stand for a tab, a line break, a carriage return and a backslash,
which is how an export keeps a multi-line description on one line; any other backslash is
literal (and outside wrapped cells every backslash is, so `media\red.jpg` reads as typed).

Formula injection (OWASP "CSV injection"): a value starting with `=`, `+`, `-`, `@`, a tab
or a carriage return is written with a leading `'`, so a spreadsheet shows it as text
instead of running it. A value that itself starts with `'` followed by one of those (or by
another `'`) gets one more `'`. Reading removes exactly one leading `'` in those two cases
and nowhere else, so export -> import gives back every value unchanged, and a hand-typed
`'80s look` keeps its quote.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_LEADS = frozenset("=+-@\t\r")
_NEUTRALISED_LEADS = FORMULA_LEADS | {"'"}
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}
_WRAP_IF_IN = ("\t", "\n", "\r")


def _needs_quote_prefix(value: str) -> bool:
    first = value[:1]
    if first in FORMULA_LEADS:
        return True
    return first == "'" and value[1:2] in _NEUTRALISED_LEADS and len(value) > 1


_PLAIN_LEADS_EXCLUDED = FORMULA_LEADS | {"'", '"'}


def cell_encode(value: str) -> str:
    """The cell text for one value: neutralised, then wrapped if it must stay on one line."""
    if not value:
        return ""
    if value[0] not in _PLAIN_LEADS_EXCLUDED and not (
        "\t" in value or "\n" in value or "\r" in value
    ):
        return value  # the common case, a million times per large manifest
    if _needs_quote_prefix(value):
        value = "'" + value
    if value[0] == '"' or any(ch in value for ch in _WRAP_IF_IN):
        escaped = (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
            .replace('"', '""')
        )
        return f'"{escaped}"'
    return value


def line_encode(values: Iterable[str]) -> str:
    """One manifest line, terminator included."""
    return "\t".join(cell_encode(value) for value in values) + "\n"


def _unwrap(inner: str) -> str | None:
    """The value of a wrapped cell's inside, or None when its quotes are not all doubled."""
    if '"' in inner.replace('""', ""):
        return None
    inner = inner.replace('""', '"')
    if "\\" not in inner:
        return inner
    out: list[str] = []
    position, end = 0, len(inner)
    while position < end:
        ch = inner[position]
        if ch == "\\" and position + 1 < end and inner[position + 1] in _ESCAPES:
            out.append(_ESCAPES[inner[position + 1]])
            position += 2
        else:
            out.append(ch)
            position += 1
    return "".join(out)


def cell_decode(cell: str) -> str:
    """The value of one (already stripped) cell: the exact inverse of `cell_encode`."""
    if not cell:
        return cell
    first = cell[0]
    if first != '"' and first != "'":
        return cell
    if first == '"' and len(cell) >= 2 and cell[-1] == '"':
        unwrapped = _unwrap(cell[1:-1])
        if unwrapped is not None:
            cell = unwrapped
            first = cell[:1]
    if first == "'" and cell[1:2] in _NEUTRALISED_LEADS and len(cell) > 1:
        return cell[1:]
    return cell


def line_split(line: str) -> list[str]:
    """The raw cells of one physical line (its line terminator removed)."""
    if line.endswith("\n"):
        line = line[:-1]
    if line.endswith("\r"):
        line = line[:-1]
    return line.split("\t")
