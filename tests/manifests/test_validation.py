"""R18: the whole file is validated first; every bad row is reported with its line number
and, with the default --on-error abort, nothing is written."""

from __future__ import annotations

import pytest

from tests.manifests.helpers import run_import, snapshot, tsv
from tests.publishing import builders

HEADER = [
    "EntityType",
    "EntityKey",
    "EntityKeyValue",
    "EntityChannel",
    "EntityLocale",
    "MediaGroup",
    "MediaPurpose",
    "MediaDisplayOrder",
    "SwatchGroup",
    "SwatchDimension",
    "SwatchValue",
    "InternalMediaId",
    "MediaChannel",
    "MediaLocale",
    "MediaType",
    "MediaDisplayName",
    "ImageAltText",
    "MediaImportPath",
]


def row(media=None, **cells) -> list[str]:
    """A valid master primary row for SHIRT-001 with `media`, overridden by `cells`."""
    values = dict.fromkeys(HEADER, "")
    values.update(
        EntityType="Product|Master",
        EntityKey="SHIRT-001",
        EntityLocale="system_neutral",
        MediaGroup="Primary",
        MediaLocale="system_neutral",
        MediaType="Image",
    )
    if media is not None:
        values.update(
            InternalMediaId=str(media.pk),
            MediaDisplayName=media.display_name,
            ImageAltText=media.alt_text,
        )
    values.update(cells)
    return [values[c] for c in HEADER]


@pytest.fixture
def given(tenant, admin_user, catalog, images):
    """SHIRT-001 with a checked-in master gallery, and a snapshot to compare against."""
    builders.checkin(
        tenant, catalog["shirt"], admin_user, {"master": builders.slots(primary=images)}
    )
    return images


CASES = {
    "bad enum": ({"MediaGroup": "Sideways"}, "InvalidValue", "MediaGroup 'Sideways'"),
    "entity type": ({"EntityType": "Product|Thing"}, "InvalidValue", "EntityType"),
    "unknown product": ({"EntityKey": "NOPE-1"}, "UnknownProduct", "unknown product 'NOPE-1'"),
    "unknown variant": (
        {"EntityType": "Product|Variant", "EntityKey": "SHIRT-001-GREEN"},
        "UnknownVariant",
        "unknown variant",
    ),
    "unknown dimension value": (
        {"EntityType": "Product|DimensionMatrix", "EntityKeyValue": "Color:Green"},
        "UnknownDimensionValue",
        "EntityKeyValue: SHIRT-001 has no color 'Green'",
    ),
    "malformed key value": (
        {"EntityType": "Product|DimensionMatrix", "EntityKeyValue": "Colour=Blue"},
        "InvalidValue",
        "is not Dimension:Value",
    ),
    "unknown channel": ({"EntityChannel": "moon"}, "UnknownChannel", "unknown channel 'moon'"),
    "unknown locale": ({"EntityLocale": "xx-yy"}, "UnknownLocale", "unknown locale 'xx-yy'"),
    "unknown media": ({"InternalMediaId": "999999"}, "UnknownMedia", "999999 does not exist"),
    "unknown purpose": (
        {"MediaGroup": "Additional", "MediaPurpose": "poster"},
        "UnknownPurpose",
        "MediaPurpose 'poster'",
    ),
    "bad display order": ({"MediaDisplayOrder": "first"}, "InvalidValue", "MediaDisplayOrder"),
    "missing alt text": ({"ImageAltText": ""}, "MissingMandatoryValue", "ImageAltText"),
    "type mismatch": ({"MediaType": "File"}, "MediaTypeMismatch", "is an image"),
    "bad hex": (
        {
            "EntityType": "Product|Master|Swatch",
            "SwatchGroup": "Color",
            "SwatchDimension": "Blue",
            "SwatchValue": "#12345",
            "InternalMediaId": "",
        },
        "InvalidHexColor",
        "#12345",
    ),
    "swatch of unknown value": (
        {
            "EntityType": "Product|Master|Swatch",
            "SwatchGroup": "Color",
            "SwatchDimension": "Purple",
            "SwatchValue": "#123456",
            "InternalMediaId": "",
        },
        "UnknownDimensionValue",
        "SwatchDimension: SHIRT-001 has no color 'Purple'",
    ),
    "missing file": (
        {"InternalMediaId": "", "MediaDisplayName": "new.jpg", "MediaImportPath": "media/gone.jpg"},
        "MissingFile",
        "gone.jpg",
    ),
    "file escaping the folder": (
        {"InternalMediaId": "", "MediaDisplayName": "x.jpg", "MediaImportPath": "../secret.jpg"},
        "MissingFile",
        "outside the manifest's folder",
    ),
    # Lengths the library keeps: refused in validation (the dry run says so), naming the
    # column and the limit, for a new item and an existing one alike.
    "alt text too long, new item": (
        {
            "InternalMediaId": "",
            "MediaDisplayName": "new.jpg",
            "MediaImportPath": "media/red.jpg",
            "ImageAltText": "A" * 501,
        },
        "InvalidValue",
        "ImageAltText: The alt text is longer than 500 characters.",
    ),
    "alt text too long, existing item": (
        {"ImageAltText": "A" * 501},
        "InvalidValue",
        "ImageAltText: The alt text is longer than 500 characters.",
    ),
    "display name too long": (
        {
            "InternalMediaId": "",
            "MediaDisplayName": "n" * 256,
            "MediaImportPath": "media/red.jpg",
        },
        "InvalidValue",
        "MediaDisplayName: the display name is longer than 255 characters.",
    ),
    "bytes not matching MediaType": (
        {"InternalMediaId": "", "MediaDisplayName": "m.pdf", "MediaImportPath": "media/manual.pdf"},
        "MediaTypeMismatch",
        "is a document",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_bad_row_is_reported_with_its_line_and_nothing_is_written(
    case, tenant, given, files_dir
):  # R18
    cells, code, message = CASES[case]
    text = tsv(HEADER, row(given[0]), row(given[1], **cells), row(given[2]))
    before = snapshot(tenant)

    report, rows = run_import(tenant, text, folder=files_dir)

    assert report.aborted and report.failed == 1
    assert rows[1]["Result"] == "Failed" and rows[1]["ErrorCode"] == code
    assert rows[1]["ResultDescription"].startswith("Line 3:")
    assert message in rows[1]["ResultDescription"]
    assert [r["Result"] for r in (rows[0], rows[2])] == ["Skipped", "Skipped"]
    assert rows[0]["ErrorCode"] == "NotApplied"
    assert snapshot(tenant) == before


def test_duplicate_display_order_names_the_earlier_line(tenant, given, files_dir):  # R18
    text = tsv(
        HEADER,
        row(given[0], MediaDisplayOrder="1"),
        row(given[1], MediaDisplayOrder="2"),
        row(given[2], MediaDisplayOrder="1"),
    )
    before = snapshot(tenant)
    report, rows = run_import(tenant, text, folder=files_dir)
    assert rows[2]["ErrorCode"] == "DuplicateDisplayOrder"
    assert "Line 4:" in rows[2]["ResultDescription"] and "line 2" in rows[2]["ResultDescription"]
    assert snapshot(tenant) == before


def test_unknown_and_missing_columns_are_reported_on_line_1(tenant, given):  # R18
    header = [c for c in HEADER if c != "EntityKey"] + ["Colour"]
    text = tsv(header, [""] * len(header))
    before = snapshot(tenant)
    report, rows = run_import(tenant, text)
    joined = " ".join(report.errors)
    assert "Line 1: unknown column 'Colour'" in joined
    assert "Line 1: mandatory column 'EntityKey' is missing" in joined
    assert report.aborted and snapshot(tenant) == before


def test_a_header_problem_is_said_on_every_row_of_the_result(tenant, given):  # R18
    """The result manifest is what a user fixes and imports again: its rows say what is
    wrong with the header, not only that nothing was applied."""
    text = tsv([*HEADER, "Colour"], [*row(given[0]), "Blue"], [*row(given[1]), "Red"])
    report, rows = run_import(tenant, text)
    assert report.aborted and [r["Result"] for r in rows] == ["Skipped", "Skipped"]
    for result in rows:
        assert "Line 1: unknown column 'Colour'" in result["ResultDescription"]
        assert "Nothing was applied" in result["ResultDescription"]


def test_missing_mandatory_media_column(tenant, given):  # R18
    header = [c for c in HEADER if c != "MediaDisplayName"]
    values = row(given[0])
    del values[HEADER.index("MediaDisplayName")]
    report, rows = run_import(tenant, tsv(header, values))
    assert rows[0]["ErrorCode"] == "MissingMandatoryColumn"
    assert "MediaDisplayName" in rows[0]["ResultDescription"]


def test_every_bad_row_is_listed_not_just_the_first(tenant, given):  # R18
    text = tsv(
        HEADER,
        row(given[0], EntityKey="X-1"),
        row(given[1]),
        row(given[2], EntityChannel="moon"),
    )
    report, rows = run_import(tenant, text)
    assert [r["Result"] for r in rows] == ["Failed", "Skipped", "Failed"]
    assert report.failed == 2
    assert report.errors[0].startswith("Line 2:") and report.errors[1].startswith("Line 4:")


def test_bom_and_any_column_order_are_accepted(tenant, given):  # R18
    header = list(reversed(HEADER))
    text = tsv(header, list(reversed(row(given[2]))), list(reversed(row(given[0]))))
    report, rows = run_import(tenant, ("\ufeff" + text).encode("utf-8"))
    assert report.ok, report.errors
    assert [r["Result"] for r in rows] == ["Succeeded", "Succeeded"]


def test_a_line_with_more_cells_than_the_header_fails(tenant, given, files_dir):  # R18
    """An unquoted tab inside a value shifts every cell after it: the line fails, rather
    than storing the shifted values and dropping the last. Empty cells past the header (a
    spreadsheet's trailing tabs) are fine."""
    text = tsv(HEADER, row(given[0]), row(given[1]) + ["shifted"], row(given[2]) + ["", ""])
    before = snapshot(tenant)

    report, rows = run_import(tenant, text, folder=files_dir, dry_run=True)

    assert report.failed == 1 and rows[1]["Result"] == "Failed"
    assert rows[1]["ErrorCode"] == "InvalidValue"
    assert "Line 3: This line has 19 cells and the header 18" in rows[1]["ResultDescription"]
    assert rows[2]["Result"] != "Failed"
    assert snapshot(tenant) == before


def test_a_tag_too_long_fails_its_row_not_the_job(tenant, catalog, files_dir):  # R18
    header = ["MediaLocale", "MediaType", "MediaImportPath", "MediaDisplayName", "ImageAltText",
              "MediaTitle", "MediaSearchTags"]  # fmt: skip
    good = ["system_neutral", "Image", "media/green.png", "green.png", "Green", "Green", "ok"]
    bad = ["system_neutral", "Image", "media/red.jpg", "red.jpg", "Red", "Red", "t" * 101]
    before = snapshot(tenant)

    report, rows = run_import(tenant, tsv(header, good, bad), folder=files_dir, dry_run=True)

    assert report.failed == 1 and rows[1]["Result"] == "Failed"
    assert rows[1]["ResultDescription"].startswith("Line 3: MediaSearchTags: The tag")
    assert rows[0]["Result"] != "Failed"
    assert snapshot(tenant) == before
