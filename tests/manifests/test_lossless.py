"""R18 (issue 16): an export imported unchanged is a no-op for every kind of content:
primary, additional with purposes, swatches at every scope (hex, image, crop), dimension
combinations and the matrix, variants, channel/locale documents and category images.
The new columns (SwatchCrop, EntityAssignmentMatrix) and entity types round-trip."""

from __future__ import annotations

import zipfile

import pytest
from django.core import signing
from django.core.management import call_command

from assignments import services as assignment_services
from assignments.manifests.export import ExportSelection, export_to_path
from assignments.models import AssignmentDocument, CategoryMedia
from assignments.selectors import content_sets_load
from catalog.services import category_create
from media_library.models import MediaItem
from media_library.services import media_item_publish
from publishing.services import products_publish
from tenants.models import Channel
from tests.manifests.helpers import export_text, records, run_import, snapshot, tsv
from tests.manifests.test_validation import HEADER, row
from tests.publishing import builders

FROZEN = 1_700_000_000


@pytest.fixture
def frozen_signing(monkeypatch):
    """MediaPreviewURL is signed with the time it was made: freeze it, so two exports
    of the same content compare byte for byte."""
    monkeypatch.setattr(
        signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(FROZEN)
    )


def rich_library(tenant, user) -> dict:
    """Everything the system holds, once: a master with every slot at every scope, a
    channel/locale document, a published document and staged/published category images."""
    shirt, mug = builders.shirt(tenant), builders.mug(tenant)
    front, back, detail, texture = (
        builders.image(tenant, user, n) for n in ("front", "back", "detail", "texture")
    )
    pdf = builders.video(tenant, "spin")
    builders.checkin(
        tenant,
        shirt,
        user,
        {
            "matrix": ["color", "style"],
            "master": builders.slots(
                primary=[front, back, pdf],
                additional=[(detail, "manual"), (front, "media-kit"), (detail, "certificate")],
                swatches=[
                    {"dimension": "color", "value": "Blue", "hex": "#0000ff"},
                    {
                        "dimension": "color",
                        "value": "Red",
                        "media": texture.pk,
                        "crop": {"x": 3, "y": 4, "width": 20, "height": 10},
                    },
                    {"dimension": "size", "value": "S", "media": detail.pk},
                ],
            ),
            "dimensions": [
                {
                    "values": {"color": "Blue", "style": "Slim"},
                    **builders.slots(
                        primary=[back],
                        swatches=[
                            {
                                "dimension": "color",
                                "value": "Blue",
                                "media": texture.pk,
                                "crop": {"x": 0, "y": 0, "width": 64, "height": 48},
                            }
                        ],
                    ),
                },
                {
                    "values": {"color": "Red", "style": "Slim"},
                    **builders.slots(additional=[(pdf, "manual")]),
                },
            ],
            "variants": [
                {
                    "variant": "SHIRT-001-RED-M-SLIM",
                    **builders.slots(
                        primary=[detail, front],
                        swatches=[{"dimension": "size", "value": "M", "hex": "#a1b2c3"}],
                    ),
                },
                {
                    "variant": "SHIRT-001-BLUE-S-SLIM",
                    **builders.slots(
                        swatches=[
                            {
                                "dimension": "color",
                                "value": "Blue",
                                "media": front.pk,
                                "crop": {"x": 1, "y": 2, "width": 3, "height": 4},
                            }
                        ]
                    ),
                },
            ],
        },
    )
    builders.checkin(
        tenant,
        shirt,
        user,
        {"matrix": ["color"], "master": builders.slots(primary=[detail])},
        "web",
        "de-de",
    )
    builders.checkin(tenant, mug, user, {"master": builders.slots(primary=[front])})
    products_publish(
        tenant=tenant, product_ids=[mug.pk, shirt.pk], user=user, publish_dependencies=True
    )
    builders.checkin(tenant, mug, user, {"master": builders.slots(primary=[back])}, "pos", "en-us")
    web = Channel.objects.get(tenant=tenant, code="web")
    pos = Channel.objects.get(tenant=tenant, code="pos")
    men = category_create(tenant=tenant, channel=web, name="Men")
    shirts = category_create(tenant=tenant, channel=web, name="Shirts", parent=men)
    staged = category_create(tenant=tenant, channel=pos, name="Men")
    category_create(tenant=tenant, channel=pos, name="Empty")
    assignment_services.category_media_set(
        tenant=tenant, category=shirts, media_id=back.pk, user=user
    )
    assignment_services.category_media_publish(tenant=tenant, category=shirts, user=user)
    assignment_services.category_media_set(
        tenant=tenant, category=staged, media_id=front.pk, user=user
    )
    return {"shirt": shirt, "mug": mug, "images": (front, back, detail, texture), "video": pdf}


def _export_zip(tenant, path) -> str:
    export_to_path(tenant=tenant, selection=ExportSelection(kind="assignments"), target=path)
    with zipfile.ZipFile(path) as bundle:
        return bundle.read("manifest.tsv").decode()


def _state(tenant) -> dict:
    return {
        **snapshot(tenant),
        "categories": list(
            CategoryMedia.objects.filter(tenant=tenant)
            .order_by("pk")
            .values_list("category_id", "draft_media_id", "published_media_id", "updated_at")
        ),
    }


def test_an_unchanged_export_reimports_as_a_no_op(
    tenant, admin_user, tmp_path, frozen_signing
):  # R18
    rich_library(tenant, admin_user)
    archive = tmp_path / "export.zip"
    first = _export_zip(tenant, archive)
    types = {r["EntityType"] for r in records(first)}
    assert types == {
        "Product|Master",
        "Product|Master|Swatch",
        "Product|DimensionMatrix",
        "Product|DimensionMatrix|Swatch",
        "Product|Variant",
        "Product|Variant|Swatch",
        "Category",
    }
    crops = {r["SwatchCrop"] for r in records(first)} - {""}
    assert crops == {
        "X:3|Y:4|Width:20|Height:10",
        "X:0|Y:0|Width:64|Height:48",
        "X:1|Y:2|Width:3|Height:4",
    }
    before = _state(tenant)

    with zipfile.ZipFile(archive) as bundle:
        report, rows = run_import(tenant, first, archive=bundle, dry_run=True)
    assert report.ok, report.errors
    assert report.counts["would_change_documents"] == 0
    assert report.counts["would_change_categories"] == 0
    assert report.counts["would_create_media"] == report.counts["would_update_media"] == 0
    with zipfile.ZipFile(archive) as bundle:
        report, rows = run_import(tenant, first, archive=bundle, user=admin_user)

    assert report.ok and report.succeeded == 0, report.errors
    assert {r["Result"] for r in rows} == {"Skipped"}
    assert _state(tenant) == before
    assert export_text(tenant) == first  # byte for byte


def test_export_marks_rows_draft_so_an_edit_is_staged_not_published(
    tenant, admin_user, tmp_path
):  # R18
    rich_library(tenant, admin_user)
    text = export_text(tenant, product_numbers=["SHIRT-001"])
    lines = records(text)
    assert {r["EntityAssignmentAction"] for r in lines} == {"Draft"}
    assert {r["EntityAssignmentCurrentPublishState"] for r in lines} == {"Published"}
    document = AssignmentDocument.objects.get(
        tenant=tenant, product__number="SHIRT-001", channel__code="omnichannel"
    )
    published = document.published_id
    # An operator swaps the first two images of the master gallery and imports the file.
    for line in lines:
        if line["EntityType"] == "Product|Master" and line["MediaGroup"] == "Primary":
            line["MediaDisplayOrder"] = {"1": "2", "2": "1"}.get(line["MediaDisplayOrder"], "3")
    header = list(lines[0])
    report, rows = run_import(tenant, tsv(header, *[[r[c] for c in header] for r in lines]))
    assert report.ok and report.counts["versions"] == 1, report.errors
    document.refresh_from_db()
    assert document.published_id == published and document.draft_id != published


def test_the_new_columns_carry_everything_into_another_tenant(
    tenant, other_tenant, admin_user, tmp_path
):  # R18
    rich_library(tenant, admin_user)
    builders.shirt(other_tenant), builders.mug(other_tenant)
    for code, names in (("web", ["Men", "Shirts"]), ("pos", ["Men"])):
        channel = Channel.objects.get(tenant=other_tenant, code=code)
        parent = None
        for name in names:
            parent = category_create(tenant=other_tenant, channel=channel, name=name, parent=parent)
    folder = tmp_path / "export"
    export_to_path(tenant=tenant, selection=ExportSelection(kind="assignments"), target=folder)
    text = (folder / "manifest.tsv").read_text()

    report, rows = run_import(other_tenant, text, folder=folder)

    assert report.ok, report.errors

    def contents(t) -> dict:
        """Every document's draft with media named by display name instead of id."""
        names = dict(MediaItem.objects.filter(tenant=t).values_list("pk", "display_name"))

        def named(value):
            if isinstance(value, dict):
                return {k: names[v] if k == "media" else named(v) for k, v in value.items()}
            if isinstance(value, list):
                return [names[v] if isinstance(v, int) else named(v) for v in value]
            return value

        return {
            (d.product.number, d.channel.code, d.locale.code): named(
                content_sets_load(tenant=t, set_ids=[d.draft_id])[d.draft_id].as_dict()
            )
            for d in AssignmentDocument.objects.filter(tenant=t).select_related(
                "product", "channel", "locale"
            )
        }

    assert contents(other_tenant) == contents(tenant)
    staged = {
        (c.category.channel.code, c.category.path, c.draft_media.display_name)
        for c in CategoryMedia.objects.filter(tenant=other_tenant)
    }
    assert staged == {("web", "Men/Shirts", "back.jpg"), ("pos", "Men", "front.jpg")}


def test_swatch_crop_and_matrix_columns_are_validated(tenant, admin_user, catalog, images):
    # R7, R8, R18
    front = images[0]
    header = [*HEADER, "SwatchCrop", "EntityAssignmentMatrix"]
    swatch = dict(EntityType="Product|Master|Swatch", SwatchGroup="Color", SwatchDimension="Red")

    def line(media=None, crop="", matrix="", **cells):
        return [*row(media, **cells), crop, matrix]

    text = tsv(
        header,
        line(front, crop="X:0|Y:0|Width:65|Height:10", SwatchValue=str(front.pk), **swatch),
        line(
            None,
            crop="X:0|Y:0|Width:5|Height:5",
            SwatchValue="#ff0000",
            **{**swatch, "SwatchDimension": "Blue"},
        ),
        line(
            front,
            crop="X:0|Y:0|Width:5",
            EntityType="Product|Variant|Swatch",
            EntityKey="SHIRT-001-RED-M-SLIM",
            SwatchGroup="Size",
            SwatchDimension="M",
            SwatchValue=str(front.pk),
        ),
        line(front, matrix="Color|Flavour", MediaDisplayOrder="1"),
    )
    before = snapshot(tenant)
    report, rows = run_import(tenant, text)
    assert [r["Result"] for r in rows] == ["Failed"] * 4
    assert "within the image (64x48)" in rows[0]["ResultDescription"]
    assert "needs an image swatch" in rows[1]["ResultDescription"]
    assert "X, Y, Width and Height" in rows[2]["ResultDescription"]
    assert "no dimension 'Flavour'" in rows[3]["ResultDescription"]
    assert snapshot(tenant) == before

    good = tsv(
        header,
        line(front, crop="Width:5|Height:6|X:1|Y:2", SwatchValue=str(front.pk), **swatch),
        line(front, matrix="Style|Color", MediaDisplayOrder="1"),
        line(
            front,
            matrix="Color|Style",
            EntityType="Product|DimensionMatrix|Swatch",
            EntityKeyValue="Color:Red|Style:Slim",
            SwatchGroup="Color",
            SwatchDimension="Red",
            SwatchValue="#FF0000",
        ),
    )
    report, rows = run_import(tenant, good)
    assert report.ok, report.errors
    document = AssignmentDocument.objects.get(tenant=tenant, product=catalog["shirt"])
    content = content_sets_load(tenant=tenant, set_ids=[document.draft_id])[document.draft_id]
    assert content.matrix == ("color", "style")
    assert content.master.swatches[0].crop == (1, 2, 5, 6)
    assert content.dimensions["color=Red|style=Slim"].slots.swatches[0].hex == "#ff0000"


def test_category_rows_stage_publish_and_refuse(tenant, admin_user, images):  # R10, R18
    web = Channel.objects.get(tenant=tenant, code="web")
    shirts = category_create(tenant=tenant, channel=web, name="Shirts")
    video = builders.video(tenant, "spin")
    header = [*HEADER, "EntityAssignmentAction"]
    category = dict(EntityType="Category", EntityKey="Shirts", EntityChannel="web")
    bad = tsv(
        header,
        [*row(images[0], **{**category, "EntityChannel": ""}), "Draft"],
        [*row(images[0], **{**category, "EntityKey": "Hats"}), "Draft"],
        [*row(video, **category, ImageAltText="spin"), "Draft"],
        [*row(images[0], **category, EntityLocale="de-de"), "Draft"],
    )
    report, rows = run_import(tenant, bad)
    assert [r["ErrorCode"] for r in rows] == [
        "UnknownChannel",
        "UnknownCategory",
        "MediaTypeMismatch",
        "InvalidValue",
    ]
    assert not CategoryMedia.objects.filter(tenant=tenant).exists()

    report, rows = run_import(tenant, tsv(header, [*row(images[0], **category), "Draft"]))
    assert report.ok and rows[0]["Result"] == "Succeeded", rows
    assignment = CategoryMedia.objects.get(category=shirts)
    assert (assignment.draft_media_id, assignment.published_media_id) == (images[0].pk, None)

    report, rows = run_import(tenant, tsv(header, [*row(images[0], **category), "PublishNow"]))
    assignment.refresh_from_db()
    assert assignment.published_media_id == images[0].pk
    images[0].refresh_from_db()
    assert images[0].status == "published"  # its image is published with it (R14)

    report, rows = run_import(tenant, tsv(header, [*row(images[0], **category), "Unpublish"]))
    assignment.refresh_from_db()
    assert (assignment.draft_media_id, assignment.published_media_id) == (images[0].pk, None)
    report, rows = run_import(
        tenant, tsv(header, [*row(images[0], **category), "UnpublishAndDelete"])
    )
    assignment.refresh_from_db()
    assert (assignment.draft_media_id, assignment.published_media_id) == (None, None)


def test_export_urls(tenant, admin_user, client_for, settings, tmp_path):  # R6, R18, R30
    draft = builders.image(tenant, admin_user, "draft")
    live = builders.image(tenant, admin_user, "live")
    media_item_publish(item=live, user=admin_user)
    response = client_for(admin_user).get("/api/v1/tenants/acme/manifests/export?kind=media")
    rows = {r["MediaTitle"]: r for r in records(b"".join(response.streaming_content).decode())}
    assert rows["draft"]["MediaPublishedURL"] == ""
    assert rows["live"]["MediaPublishedURL"] == (
        f"http://testserver/p/{live.public_id}/{live.original_filename}"
    )
    assert rows["draft"]["MediaPreviewURL"].startswith("http://testserver/p/s/")
    assert draft.public_id.hex in rows["draft"]["MediaPreviewURL"]
    # The stable link of a published item leads anyone to its content-hashed public file.
    public = client_for().get(
        rows["live"]["MediaPublishedURL"].removeprefix("http://testserver"), follow=True
    )
    assert public.status_code == 200 and public.redirect_chain
    preview = client_for().get(rows["draft"]["MediaPreviewURL"].removeprefix("http://testserver"))
    assert preview.status_code == 200  # signed: the draft's bytes, for whoever holds it

    # The command has no request: --base-url gives the origin, the public base wins.
    target = tmp_path / "media.tsv"
    call_command(
        "export_manifest", "--tenant", "acme", str(target), "--base-url", "https://shop.example"
    )
    cells = {r["MediaTitle"]: r for r in records(target.read_text())}
    assert cells["live"]["MediaPublishedURL"].startswith("https://shop.example/p/")
    settings.MEDIA_PUBLIC_BASE_URL = "https://cdn.example.com"
    call_command("export_manifest", "--tenant", "acme", str(target))
    cells = {r["MediaTitle"]: r for r in records(target.read_text())}
    assert cells["live"]["MediaPublishedURL"].startswith("https://cdn.example.com/p/")
    assert cells["draft"]["MediaPreviewURL"].startswith("https://cdn.example.com/p/s/")
    assert cells["draft"]["MediaPublishedURL"] == ""
