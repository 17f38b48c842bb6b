"""R18: export a tenant, import it into an empty tenant with the same catalog, export
again: the manifests are identical apart from ids and times. Re-importing is a no-op."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from assignments.manifests.export import ExportSelection, export_to_path
from assignments.models import DocumentVersion
from media_library.models import MediaItem
from tests.manifests.helpers import export_text, records, run_import, snapshot
from tests.publishing import builders

VOLATILE = {
    "InternalMediaId",
    "SwatchValue",
    "MediaCreatedOn",
    "MediaLastModifiedOn",
    "MediaPublishedOn",
    "MediaPreviewURL",
    "EntityCreatedOn",
    "EntityLastModifiedOn",
    "EntityPublishedOn",
    "MediaVersion",
}


def _stable(text: str) -> list[dict]:
    rows = records(text)
    for row in rows:
        for column in VOLATILE:
            if column == "SwatchValue" and row.get(column, "").startswith("#"):
                continue
            row.pop(column, None)
    return rows


def _library(tenant, user):
    shirt, mug = builders.shirt(tenant), builders.mug(tenant)
    front, back, detail = (builders.image(tenant, user, n) for n in ("front", "back", "detail"))
    builders.checkin(
        tenant,
        shirt,
        user,
        {
            "matrix": ["color"],
            "master": builders.slots(
                primary=[front, back],
                additional=[(detail, "manual")],
                swatches=[
                    {"dimension": "color", "value": "Blue", "hex": "#0000ff"},
                    {"dimension": "color", "value": "Red", "media": detail.pk},
                ],
            ),
            "dimensions": [{"values": {"color": "Blue"}, **builders.slots(primary=[back])}],
            "variants": [{"variant": "SHIRT-001-RED-M-SLIM", **builders.slots(primary=[detail])}],
        },
    )
    builders.checkin(tenant, mug, user, {"master": builders.slots(primary=[front])}, "web", "en-us")
    return shirt, mug


def test_round_trip_into_an_empty_tenant(tenant, other_tenant, admin_user, tmp_path):  # R18
    _library(tenant, admin_user)
    builders.shirt(other_tenant), builders.mug(other_tenant)
    folder = tmp_path / "export"
    export_to_path(tenant=tenant, selection=ExportSelection(kind="assignments"), target=folder)
    first = (folder / "manifest.tsv").read_text()
    assert len(records(first)) == 8
    assert all(
        (folder / r["MediaImportPath"]).is_file() for r in records(first) if r["MediaImportPath"]
    )

    report, rows = run_import(other_tenant, first, folder=folder)

    assert report.ok, report.errors
    assert {r["Result"] for r in rows} == {"Succeeded"}
    assert MediaItem.objects.filter(tenant=other_tenant).count() == 3
    second = export_text(other_tenant)
    assert _stable(second) == _stable(first)


def test_reimport_of_the_same_manifest_changes_nothing(tenant, admin_user, tmp_path):  # R18
    _library(tenant, admin_user)
    archive = tmp_path / "export.zip"
    export_to_path(tenant=tenant, selection=ExportSelection(kind="assignments"), target=archive)
    with zipfile.ZipFile(archive) as bundle:
        text = bundle.read("manifest.tsv").decode()
        before = snapshot(tenant)
        report, rows = run_import(tenant, text, archive=bundle)
    assert report.ok and report.succeeded == 0
    assert {r["Result"] for r in rows} == {"Skipped"}
    assert snapshot(tenant) == before


def test_media_library_round_trip_and_reimport(tenant, other_tenant, admin_user, tmp_path):  # R18
    item = builders.image(tenant, admin_user, "tagged")
    from media_library.services import media_item_update

    media_item_update(item=item, user=admin_user, tags=["summer", "Shirts"], caption="A caption")
    folder = tmp_path / "lib"
    export_to_path(tenant=tenant, selection=ExportSelection(kind="media"), target=folder)
    text = (folder / "manifest.tsv").read_text()

    report, _ = run_import(other_tenant, text, folder=folder)
    assert report.ok, report.errors
    copied = MediaItem.objects.get(tenant=other_tenant)
    assert copied.caption == "A caption"
    assert sorted(copied.tags.values_list("name", flat=True)) == ["Shirts", "summer"]
    assert _stable(export_text(other_tenant, "media")) == _stable(text)
    versions = DocumentVersion.objects.count()
    report, rows = run_import(other_tenant, text, folder=folder)
    assert rows[0]["Result"] == "Skipped" and DocumentVersion.objects.count() == versions
    assert MediaItem.objects.filter(tenant=other_tenant).count() == 1


def test_export_names_files_as_media_import_path_says(tenant, admin_user, tmp_path):  # R18
    _library(tenant, admin_user)
    archive = tmp_path / "out.zip"
    export_to_path(tenant=tenant, selection=ExportSelection(kind="assignments"), target=archive)
    with zipfile.ZipFile(archive) as bundle:
        names = set(bundle.namelist())
        rows = records(bundle.read("manifest.tsv").decode())
    paths = {r["MediaImportPath"] for r in rows if r["MediaImportPath"]}
    assert paths and paths <= names
    assert all(re.match(r"media/[0-9a-f]{12}/", p) for p in paths)
    # --locale picks one locale's documents
    only = export_text(tenant, locale="en-us")
    assert {r["EntityKey"] for r in records(only)} == {"MUG-001"}
    assert Path(archive).stat().st_size > 0
