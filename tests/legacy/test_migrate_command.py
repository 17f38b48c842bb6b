"""R20 end to end: `manage.py migrate_legacy_media` on a generated legacy library, checked
through the shop read API after --publish; dry run, re-run, bad input, manifest."""

import csv
import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assignments import services as assignment_services
from assignments.manifests.columns import ASSIGNMENT_COLUMNS, MEDIA_COLUMNS
from assignments.models import AssignmentDocument, CategoryMedia, DocumentEvent, DocumentVersion
from media_library.models import MediaItem
from publishing.models import ShopAnswer
from tenants.models import Channel, Locale
from tests.legacy.conftest import IMAGES, TREE, UNMATCHED, tree_zip

pytestmark = pytest.mark.django_db

SHOP = "/api/v1/tenants/acme/channels/{channel}/products/{number}/media?locale=en-us"


def migrate(source, *args, **options):
    out, err = StringIO(), StringIO()
    call_command("migrate_legacy_media", str(source), *args, stdout=out, stderr=err, **options)
    return out.getvalue()


def media_id(key: str) -> int:
    checksum = hashlib.sha256(IMAGES[key]).hexdigest()
    return MediaItem.objects.get(checksum=checksum).pk


def file_media_id(path: str) -> int:
    return MediaItem.objects.get(checksum=hashlib.sha256(TREE[path]).hexdigest()).pk


def shop(client, number, channel="web"):
    response = client.get(SHOP.format(channel=channel, number=number))
    assert response.status_code == 200, response.content
    return response.json()


def snapshot():
    return (
        MediaItem.objects.count(),
        DocumentVersion.objects.count(),
        DocumentEvent.objects.count(),
        AssignmentDocument.objects.count(),
        CategoryMedia.objects.count(),
        ShopAnswer.objects.filter(body__body__contains='"published_at":"').count(),
    )


def test_publish_makes_the_library_visible_through_the_shop_api(
    tenant, catalog, legacy_tree, publisher, client_for
):
    out = migrate(legacy_tree, tenant="acme", user="pia", publish=True)
    assert "Published: 4 products, 2 categories." in out
    client = client_for(None)

    mug = shop(client, "MUG-001")  # sequence gap kept in order, upper-case extension read
    assert [m["id"] for m in mug["primary"]] == [media_id("mug-1"), media_id("mug-3")]
    assert mug["default_image"]["alt_text"] == "MUG-001 (1)"

    blue = shop(client, "SHIRT-001-BLUE-S-SLIM")  # per colour -> a color matrix
    assert [m["id"] for m in blue["primary"]] == [
        media_id("shirt-blue-1"),
        media_id("shirt-blue-2"),
    ]
    assert blue["provenance"]["primary"]["scope"] == "dimension"
    assert blue["provenance"]["primary"]["values"] == {"color": "Blue"}
    red_s = shop(client, "SHIRT-001-RED-S-SLIM")  # Red-L has no file: Red makes no row
    assert [m["id"] for m in red_s["primary"]] == [media_id("shirt-red-1")]
    assert red_s["provenance"]["primary"]["scope"] == "variant"
    red_l = shop(client, "SHIRT-001-RED-L-SLIM")  # no file names it: the master, as before
    assert [m["id"] for m in red_l["primary"]] == [media_id("shirt-master")]
    assert red_l["provenance"]["primary"]["scope"] == "master"
    master = shop(client, "SHIRT-001")
    assert [m["id"] for m in master["primary"]] == [media_id("shirt-master")]

    grey_34 = shop(client, "PANTS-001-GREY-34")  # a unique image stays a variant assignment
    assert [m["id"] for m in grey_34["primary"]] == [media_id("pants-grey-34")]
    assert grey_34["provenance"]["primary"]["scope"] == "variant"
    grey_30 = shop(client, "PANTS-001-GREY-30", channel="pos")
    assert [m["id"] for m in grey_30["primary"]] == [media_id("pants-grey")]

    pro = shop(client, "LAPTOP-1-PRO")  # configurations
    assert [m["id"] for m in pro["primary"]] == [
        file_media_id("Products/LAPTOP-1 ^ Pro_000_001.webp")
    ]

    for code in ("web", "pos"):  # the category image in every channel that has "Shirts"
        category = catalog[code]
        response = client.get(
            f"/api/v1/tenants/acme/channels/{code}/categories/{category.pk}/media"
        )
        assert response.status_code == 200
        assert response.json()["default_image"]["id"] == media_id("category")


def test_document_content_and_report(tenant, catalog, legacy_tree, editor):
    out = migrate(legacy_tree, tenant="acme", user="eddie")
    assert "Files: 27 seen, 20 matched, 7 matching no entity." in out
    assert "Media: 12 uploaded" in out
    assert "Products: 4 assigned, 0 unchanged" in out
    assert "Categories: 2 assigned" in out
    for path, reason in UNMATCHED.items():
        assert f"Not migrated, {reason}: 1" in out
        assert f"  - {path}: " in out
    # drafts only: checked in through the services as eddie, nothing published
    document = AssignmentDocument.objects.get(product=catalog["shirt"])
    assert document.draft_id and document.published_id is None and document.version == 1
    assert document.checked_out_by is None
    assert DocumentEvent.objects.filter(document=document, user=editor, action="checkin").exists()
    assert document.draft.matrix == ["color"]
    assert ShopAnswer.objects.filter(body__body__contains='"published_at":"').count() == 0
    # each distinct file once, titled from its name
    blue = MediaItem.objects.get(pk=media_id("shirt-blue-1"))
    assert blue.title == blue.alt_text == "SHIRT-001 Blue L Slim (1)"
    assert blue.source_provider == "legacy"


def test_zip_source_with_a_wrapping_folder_gives_the_same_result(tenant, catalog, tmp_path, editor):
    archive = tree_zip(tmp_path / "legacy.zip", wrap="export/")
    out = migrate(archive, tenant="acme", user="eddie")
    assert "Files: 27 seen, 20 matched" in out and "Products: 4 assigned" in out
    assert MediaItem.objects.count() == 12


def test_dry_run_writes_nothing(tenant, catalog, legacy_tree):
    before = snapshot()
    out = migrate(legacy_tree, tenant="acme", dry_run=True)
    assert snapshot() == before
    assert "dry run" in out and "Media: 12 would be uploaded" in out
    assert "Products: 4 would be assigned" in out


def test_rerun_is_a_no_op(tenant, catalog, legacy_tree, publisher):
    migrate(legacy_tree, tenant="acme", user="pia", publish=True)
    before = snapshot()
    published_at = list(ShopAnswer.objects.order_by("pk").values_list("etag", "updated_at"))
    out = migrate(legacy_tree, tenant="acme", user="pia", publish=True)
    assert snapshot() == before
    assert published_at == list(ShopAnswer.objects.order_by("pk").values_list("etag", "updated_at"))
    assert "Media: 0 uploaded, 12 already in the library." in out
    assert (
        "Products: 0 assigned, 4 unchanged" in out and "Categories: 0 assigned, 2 unchanged" in out
    )


def test_drafts_then_publish_on_a_second_run(tenant, catalog, legacy_tree, publisher, client_for):
    migrate(legacy_tree, tenant="acme", user="pia")
    versions = DocumentVersion.objects.count()
    out = migrate(legacy_tree, tenant="acme", user="pia", publish=True)
    assert DocumentVersion.objects.count() == versions
    assert "Published: 4 products, 2 categories." in out
    assert shop(client_for(None), "MUG-001")["primary"]


def test_changed_library_makes_a_new_version_and_keeps_other_slots(
    tenant, catalog, legacy_tree, editor
):
    migrate(legacy_tree, tenant="acme", user="eddie")
    manual = media_id("category")  # any image: staff add it as the mug's manual
    document = assignment_services.document_checkout(
        tenant=tenant,
        product=catalog["mug"],
        channel=Channel.objects.get(tenant=tenant, code="omnichannel"),
        locale=Locale.objects.get(tenant=tenant, code="neutral"),
        user=editor,
    )
    primary = [media_id("mug-1"), media_id("mug-3")]
    assignment_services.document_working_replace(
        document=document,
        user=editor,
        content={
            "matrix": [],
            "master": {
                "primary": primary,
                "additional": [{"media": manual, "purpose": "manual"}],
                "swatches": [],
            },
            "dimensions": [],
            "variants": [],
        },
    )
    assignment_services.document_checkin(document=document, user=editor)
    (legacy_tree / "Products/MUG-001_000_003.PNG").unlink()
    out = migrate(legacy_tree, tenant="acme", user="eddie")
    assert "Products: 1 assigned, 3 unchanged" in out
    document.refresh_from_db()
    assert document.version == 3
    master = document.draft.entries.filter(scope="master")
    assert list(master.filter(slot="primary").values_list("media_id", flat=True)) == primary[:1]
    assert list(master.filter(slot="additional").values_list("media_id", flat=True)) == [manual]


def test_a_checked_out_document_is_reported_and_the_rest_migrates(
    tenant, catalog, legacy_tree, editor, publisher
):
    assignment_services.document_checkout(
        tenant=tenant,
        product=catalog["mug"],
        channel=Channel.objects.get(tenant=tenant, code="omnichannel"),
        locale=Locale.objects.get(tenant=tenant, code="neutral"),
        user=publisher,
    )
    with pytest.raises(CommandError, match="1 entit"):
        migrate(legacy_tree, tenant="acme", user="eddie")
    assert AssignmentDocument.objects.get(product=catalog["shirt"]).draft_id is not None
    assert AssignmentDocument.objects.get(product=catalog["mug"]).draft_id is None


def test_custom_separator_and_dimension_order(tenant, catalog, tmp_path, editor):
    from tests.legacy.conftest import png, tree_write

    root = tree_write(
        tmp_path / "custom",
        {
            f"Products/SHIRT-001 | {c} | {s} | Slim |_000_001.png": png((n, n, n))
            for n, c in ((1, "Blue"), (2, "red"))  # values match the catalog ignoring case
            for s in ("S", "M", "L")
        },
    )
    out = migrate(
        root,
        "--separator",
        "|",
        "--dimension-order",
        "color,size,style",
        tenant="acme",
        user="eddie",
    )
    assert "Products: 1 assigned" in out and "2 dimension-combination" in out
    rows = AssignmentDocument.objects.get(product=catalog["shirt"]).draft.entries.all()
    assert {r.dimension_values["color"] for r in rows} == {"Blue", "Red"}


def test_emit_manifest_writes_rows_and_imports_nothing(tenant, catalog, legacy_tree, tmp_path):
    target = tmp_path / "out.tsv"
    before = snapshot()
    out = migrate(legacy_tree, tenant="acme", emit_manifest=str(target))
    assert snapshot() == before
    assert "category image(s) are not in the manifest" in out
    rows = list(csv.DictReader(target.open(encoding="utf-8"), delimiter="\t"))
    header = list(rows[0])
    assert set(header) <= set(MEDIA_COLUMNS) | set(ASSIGNMENT_COLUMNS)
    by_entity = {}
    for row in rows:
        key = (row["EntityType"], row["EntityKey"], row["EntityKeyValue"])
        by_entity.setdefault(key, []).append((row["MediaDisplayOrder"], row["MediaImportPath"]))
        assert row["EntityLocale"] == row["MediaLocale"] == "system_neutral"
        assert row["MediaType"] == "Image" and row["MediaGroup"] == "Primary"
        assert row["ImageAltText"] and row["MediaDisplayName"]
    assert by_entity[("Product|Master", "MUG-001", "")] == [
        ("1", "Products/MUG-001_000_001.png"),
        ("2", "Products/MUG-001_000_003.PNG"),
    ]
    assert [o for o, _ in by_entity[("Product|DimensionMatrix", "SHIRT-001", "Color:Blue")]] == [
        "1",
        "2",
    ]
    assert ("Product|Variant", "PANTS-001-GREY-34", "") in by_entity
    # mug 2, shirt 1 + blue 2 + red S and M 1 each (Red-L has no file), pants 3, laptop 2
    assert len(rows) == 12


def test_emit_manifest_names_media_already_in_the_library_by_id(
    tenant, catalog, legacy_tree, tmp_path, editor
):
    migrate(legacy_tree, tenant="acme", user="eddie")
    target = tmp_path / "again.tsv"
    migrate(legacy_tree, tenant="acme", emit_manifest=str(target))
    rows = list(csv.DictReader(target.open(encoding="utf-8"), delimiter="\t"))
    assert all(row["InternalMediaId"] and not row["MediaImportPath"] for row in rows)


@pytest.mark.parametrize(
    ("source", "options", "message"),
    [
        ("legacy", {"tenant": "nope", "user": "eddie"}, "Unknown tenant"),
        ("missing", {"tenant": "acme", "user": "eddie"}, "does not exist"),
        ("legacy", {"tenant": "acme"}, "--user is required"),
        ("legacy", {"tenant": "acme", "user": "ghost"}, "Unknown user"),
        ("legacy", {"tenant": "acme", "user": "vera"}, "editor role"),
        ("legacy", {"tenant": "acme", "user": "eddie", "publish": True}, "publisher role"),
        # A dry run says whether the user may run it, not another tenant's catalog.
        ("legacy", {"tenant": "acme", "user": "vera", "dry_run": True}, "editor role"),
        (
            "legacy",
            {"tenant": "acme", "user": "eddie", "publish": True, "dry_run": True},
            "publisher role",
        ),
        ("legacy", {"tenant": "acme", "user": "vera", "emit_manifest": "out.tsv"}, "editor role"),
        ("legacy", {"tenant": "acme", "user": "eddie", "dimension_order": "hue"}, "dimension"),
        ("notes.txt", {"tenant": "acme", "user": "eddie"}, "neither a folder"),
        ("broken.zip", {"tenant": "acme", "user": "eddie"}, "not a readable zip"),
    ],
)
def test_bad_input_exits_non_zero_and_writes_nothing(
    tenant, catalog, legacy_tree, editor, viewer, source, options, message
):
    (legacy_tree.parent / "notes.txt").write_text("x")
    (legacy_tree.parent / "broken.zip").write_bytes(b"not a zip")
    before = snapshot()
    with pytest.raises(CommandError, match=message):
        migrate(legacy_tree.parent / source, **options)
    assert snapshot() == before


def test_the_emitted_manifest_reads_back_through_the_importer(
    tenant, catalog, legacy_tree, tmp_path
):
    importer = pytest.importorskip("assignments.manifests.importer")
    from assignments.manifests.files import FileSource

    target = tmp_path / "out.tsv"
    migrate(legacy_tree, tenant="acme", emit_manifest=str(target))
    with target.open("rb") as source, FileSource(folder=legacy_tree) as files:
        report = importer.manifest_import(tenant=tenant, source=source, files=files, user=None)
    assert report.ok and report.succeeded == 12
    assert AssignmentDocument.objects.get(product=catalog["shirt"]).draft.matrix == ["color"]
