"""R12, R18: assignment rows replace a document's content as a new checked-in version;
dry run, --on-error skip, result manifests, checkouts and versions."""

from __future__ import annotations

from assignments.models import AssignmentDocument, DocumentEvent, DocumentVersion
from assignments.selectors import content_sets_load
from assignments.services import document_checkout
from media_library.models import MediaItem
from tenants.models import Channel, Locale
from tests.manifests.helpers import records, run_import, snapshot, tsv
from tests.manifests.test_validation import HEADER, row
from tests.publishing import builders


def _document(tenant, number="SHIRT-001", channel="omnichannel", locale="neutral"):
    return AssignmentDocument.objects.get(
        tenant=tenant, product__number=number, channel__code=channel, locale__code=locale
    )


def _draft(document):
    return content_sets_load(tenant=document.tenant, set_ids=[document.draft_id])[
        document.draft_id
    ].as_dict()


def test_rows_replace_the_document_as_a_new_version(tenant, admin_user, catalog, images):  # R12
    front, back, detail = images
    builders.checkin(
        tenant, catalog["shirt"], admin_user, {"master": builders.slots(primary=[front])}
    )
    text = tsv(
        HEADER,
        row(back, MediaDisplayOrder="2"),
        row(detail, MediaDisplayOrder="1"),
        row(front, MediaGroup="Additional", MediaPurpose="manual"),
        row(back, EntityType="Product|DimensionMatrix", EntityKeyValue="Color:Blue|Style:Slim"),
        row(detail, EntityType="Product|Variant", EntityKey="SHIRT-001-RED-M-SLIM"),
        row(
            None,
            EntityType="Product|Master|Swatch",
            SwatchGroup="Color",
            SwatchDimension="Red",
            SwatchValue="#FF0000",
        ),
    )
    report, rows = run_import(tenant, text, user=admin_user)
    assert report.ok, report.errors
    document = _document(tenant)
    assert document.version == 2 and document.checked_out_by_id is None
    content = _draft(document)
    assert content["matrix"] == ["color", "style"]
    assert content["master"]["primary"] == [detail.pk, back.pk]
    assert content["master"]["additional"] == [{"media": front.pk, "purpose": "manual"}]
    assert content["master"]["swatches"] == [
        {"dimension": "color", "value": "Red", "hex": "#ff0000"}
    ]
    assert content["dimensions"][0]["values"] == {"color": "Blue", "style": "Slim"}
    assert content["variants"][0]["variant"] == "SHIRT-001-RED-M-SLIM"
    assert DocumentVersion.objects.filter(document=document, number=2).exists()
    event = DocumentEvent.objects.filter(document=document).latest("pk")
    assert event.action == "checkin" and event.user == admin_user
    assert event.detail["source"] == "manifest import"
    assert "checked in as version 2" in rows[0]["ResultDescription"]


def test_dry_run_reports_and_writes_nothing(tenant, catalog, images, files_dir):  # R18
    text = tsv(
        HEADER,
        row(images[0]),
        row(None, MediaDisplayName="red.jpg", ImageAltText="red", MediaImportPath="media/red.jpg"),
    )
    before = snapshot(tenant)
    report, rows = run_import(tenant, text, folder=files_dir, dry_run=True)
    assert report.dry_run and report.counts["would_create_media"] == 1
    assert report.counts["would_change_documents"] == 1
    assert all(r["ResultDescription"].startswith("Dry run:") for r in rows)
    assert "would be created" in rows[1]["ResultDescription"]
    assert "would be checked in as version 1" in rows[0]["ResultDescription"]
    assert snapshot(tenant) == before


def test_on_error_skip_applies_the_good_documents(tenant, catalog, images):  # R18
    text = tsv(
        HEADER,
        row(images[0]),
        row(images[1], EntityKey="MUG-001"),
        row(images[2], EntityKey="MUG-001", MediaDisplayOrder="x"),
    )
    report, rows = run_import(tenant, text, on_error="skip")
    assert [r["Result"] for r in rows] == ["Succeeded", "Skipped", "Failed"]
    assert "line(s) 4" in rows[1]["ResultDescription"]
    assert _document(tenant).version == 1
    assert not AssignmentDocument.objects.filter(tenant=tenant, product__number="MUG-001").exists()
    assert report.failed == 1 and not report.ok


def test_result_manifest_can_be_fixed_and_imported_again(tenant, catalog, images):  # R18
    text = tsv(HEADER, row(images[0]), row(images[1], EntityLocale="en-gb"))
    report, rows = run_import(tenant, text)
    assert rows[1]["Result"] == "Failed"
    fixed_header = list(rows[0])
    fixed = [[r[c] if c != "EntityLocale" else "en-us" for c in fixed_header] for r in rows]
    report, rows = run_import(tenant, tsv(fixed_header, *fixed))
    assert report.ok, report.errors
    assert [r["Result"] for r in rows] == ["Succeeded", "Succeeded"]
    assert _document(tenant, locale="en-us").version == 1
    # and once more: nothing changes
    report, again = run_import(tenant, tsv(fixed_header, *fixed))
    assert {r["Result"] for r in again} == {"Skipped"}


def test_checked_out_document_is_kept_with_use_existing(tenant, editor, catalog, images):  # R12
    channel = Channel.objects.get(tenant=tenant, code="omnichannel")
    locale = Locale.objects.get(tenant=tenant, code="neutral")
    document_checkout(
        tenant=tenant, product=catalog["shirt"], channel=channel, locale=locale, user=editor
    )
    header = [*HEADER, "EntityCheckedOutAction"]
    report, rows = run_import(tenant, tsv(header, [*row(images[0]), "UseExisting"]))
    assert rows[0]["Result"] == "Skipped" and rows[0]["ErrorCode"] == "CheckedOut"
    assert "checked out by eddie" in rows[0]["ResultDescription"]
    document = _document(tenant)
    assert document.checked_out_by == editor and document.version == 0


def test_checked_out_document_is_taken_over_with_overwrite(tenant, editor, catalog, images):  # R12
    channel = Channel.objects.get(tenant=tenant, code="omnichannel")
    locale = Locale.objects.get(tenant=tenant, code="neutral")
    document_checkout(
        tenant=tenant, product=catalog["shirt"], channel=channel, locale=locale, user=editor
    )
    header = [*HEADER, "EntityCheckedOutAction"]
    report, rows = run_import(tenant, tsv(header, [*row(images[0]), "Overwrite"]))
    assert rows[0]["Result"] == "Succeeded"
    document = _document(tenant)
    assert document.checked_out_by_id is None and document.working_id is None
    assert document.version == 1 and _draft(document)["master"]["primary"] == [images[0].pk]
    actions = list(DocumentEvent.objects.filter(document=document).values_list("action", flat=True))
    assert actions[-2:] == ["discard", "checkin"]


def test_version_mismatch_keeps_a_newer_document(tenant, admin_user, catalog, images):  # R18
    builders.checkin(
        tenant, catalog["shirt"], admin_user, {"master": builders.slots(primary=[images[0]])}
    )
    builders.checkin(
        tenant, catalog["shirt"], admin_user, {"master": builders.slots(primary=[images[1]])}
    )
    header = [*HEADER, "EntityVersion"]
    report, rows = run_import(tenant, tsv(header, [*row(images[2]), "1"]))
    assert rows[0]["ErrorCode"] == "VersionMismatch"
    assert _document(tenant).version == 2


def test_new_files_from_a_folder_create_media_once(tenant, catalog, files_dir):  # R5, R18
    text = tsv(
        HEADER,
        row(
            None, MediaDisplayName="Red shirt", ImageAltText="red", MediaImportPath="media/red.jpg"
        ),
        row(
            None,
            EntityKey="MUG-001",
            MediaDisplayName="Red shirt",
            ImageAltText="red",
            MediaImportPath="media/red.jpg",
        ),
    )
    report, rows = run_import(tenant, text, folder=files_dir)
    assert report.ok, report.errors
    item = MediaItem.objects.get(tenant=tenant)
    assert item.display_name == "Red shirt" and item.title == "Red shirt"
    assert item.original_filename == "red.jpg"
    assert _draft(_document(tenant, "MUG-001"))["master"]["primary"] == [item.pk]
    report, rows = run_import(tenant, text, folder=files_dir)
    assert MediaItem.objects.filter(tenant=tenant).count() == 1
    assert {r["Result"] for r in rows} == {"Skipped"}


def test_media_rows_update_metadata_by_id_and_honour_version(tenant, images):  # R18
    header = [
        "InternalMediaId",
        "MediaChannel",
        "MediaLocale",
        "MediaType",
        "MediaDisplayName",
        "ImageAltText",
        "MediaSearchTags",
        "MediaVersion",
    ]
    item = images[0]
    text = tsv(
        header, [str(item.pk), "", "system_neutral", "Image", "Front", "New alt", "a, b", "1"]
    )
    report, rows = run_import(tenant, text)
    assert rows[0]["Result"] == "Succeeded", rows[0]["ResultDescription"]
    item.refresh_from_db()
    assert (item.display_name, item.alt_text, item.version) == ("Front", "New alt", 2)
    assert sorted(item.tags.values_list("name", flat=True)) == ["a", "b"]
    stale = tsv(header, [str(item.pk), "", "system_neutral", "Image", "Front", "Older", "", "1"])
    report, rows = run_import(tenant, stale)
    assert rows[0]["Result"] == "Skipped" and "version changed" in rows[0]["ResultDescription"]
    assert rows[0]["ErrorCode"] == "VersionMismatch"  # as a document's row says it
    item.refresh_from_db()
    assert item.alt_text == "New alt"


def test_source_ids_decide_updates(tenant, files_dir):  # R18
    header = [
        "MediaSourceProvider",
        "MediaSourceId",
        "MediaSourceIfExistsAction",
        "MediaLocale",
        "MediaType",
        "MediaDisplayName",
        "ImageAltText",
        "MediaImportPath",
        "MediaAction",
    ]
    first = ["dam", "A-1", "", "system_neutral", "Image", "Red", "one", "media/red.jpg", "Draft"]
    run_import(tenant, tsv(header, first), folder=files_dir)
    item = MediaItem.objects.get(tenant=tenant, source_provider="dam", source_id="A-1")
    keep = [*first[:2], "UseExisting", *first[3:6], "two", *first[7:]]
    report, rows = run_import(tenant, tsv(header, keep), folder=files_dir)
    item.refresh_from_db()
    assert item.alt_text == "one" and rows[0]["Result"] == "Skipped"
    overwrite = [*first[:2], "Overwrite", *first[3:6], "two", first[7], "PublishNow"]
    report, rows = run_import(tenant, tsv(header, overwrite), folder=files_dir)
    item.refresh_from_db()
    assert item.alt_text == "two" and item.status == "published"
    assert MediaItem.objects.filter(tenant=tenant).count() == 1
    assert records  # helpers imported for other modules
