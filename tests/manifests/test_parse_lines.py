"""R18: one physical line of a manifest is one row. A stray quote is data; it never makes a
row swallow the lines after it (issue 12), and every row keeps its own line number."""

from __future__ import annotations

import io

from assignments.manifests.parse import manifest_read
from media_library.models import MediaItem
from tests.manifests.helpers import run_import

HEADER = ["MediaLocale", "MediaType", "MediaImportPath", "MediaDisplayName", "ImageAltText"]


def _lines(*rows: list[str]) -> str:
    """A hand-made manifest: cells joined with tabs, nothing quoted on the writer's side."""
    return "".join("\t".join(cells) + "\n" for cells in (HEADER, *rows))


def _media(name: str, path: str, alt: str) -> list[str]:
    kind = "File" if path.endswith(".pdf") else "Image"
    return ["system_neutral", kind, path, name, alt]


def test_a_stray_quote_is_data_and_the_next_rows_are_still_rows(tenant, files_dir):  # R18
    text = _lines(
        _media("Red", "media/red.jpg", '"Summer sale'),
        _media("Green", "media/green.png", "Green cup"),
        _media("Manual", "media/manual.pdf", 'A 12" shirt'),
    )

    report, rows = run_import(tenant, text, folder=files_dir)

    assert report.rows == 3 and report.ok, report.errors
    assert [r["MediaDisplayName"] for r in rows] == ["Red", "Green", "Manual"]
    assert MediaItem.objects.get(tenant=tenant, display_name="Red").alt_text == '"Summer sale'
    assert MediaItem.objects.get(tenant=tenant, display_name="Green").alt_text == "Green cup"


def test_rows_after_a_stray_quote_keep_their_line_numbers():  # R18
    text = _lines(
        _media("A", "a.jpg", '"opens a quote'),
        _media("B", "b.jpg", "plain"),
        _media("C", "c.jpg", 'closes it"'),
        _media("D", "d.jpg", "plain"),
    )

    manifest = manifest_read(io.BytesIO(text.encode()))

    assert [row.line for row in manifest.rows] == [2, 3, 4, 5]
    alt = manifest.index["ImageAltText"]
    assert [row.values[alt] for row in manifest.rows] == [
        '"opens a quote',
        "plain",
        'closes it"',
        "plain",
    ]


def test_a_bad_row_after_a_stray_quote_is_reported_on_its_own_line(tenant, files_dir):  # R18
    text = _lines(
        _media("Red", "media/red.jpg", '"Summer sale'),
        _media("Green", "media/green.png", "Green cup"),
        ["system_neutral", "Sculpture", "media/red.jpg", "Bad", "x"],
    )

    report, rows = run_import(tenant, text, folder=files_dir)

    assert report.rows == 3 and report.failed == 1 and report.aborted
    assert rows[2]["Result"] == "Failed" and "Line 4" in rows[2]["ResultDescription"]
    assert not MediaItem.objects.filter(tenant=tenant).exists()


def test_wrapped_cells_are_unwrapped_on_their_line():  # R18
    # `"12"" pizza"` is how spreadsheets write a cell holding a quote; `\t` inside a
    # wrapped cell is how an export keeps a tab on one line.
    text = 'MediaDisplayName\tImageAltText\n"12"" pizza"\t"a\\tb"\nnext\t"x"\n'

    manifest = manifest_read(io.BytesIO(text.encode()))

    assert [row.values for row in manifest.rows] == [('12" pizza', "a\tb"), ("next", "x")]


def test_windows_line_ends_and_a_lone_carriage_return_each_end_a_row():  # R18
    text = "MediaDisplayName\r\nfirst\r\nsecond\rthird\n"

    manifest = manifest_read(io.BytesIO(text.encode()))

    assert [(row.line, row.values) for row in manifest.rows] == [
        (2, ("first",)),
        (3, ("second",)),
        (4, ("third",)),
    ]
