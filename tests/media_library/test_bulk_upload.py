"""R5, R6 (issue 16): `media_items_upload`, the bulk form of `media_item_upload` that manifest
imports use, makes the same checks and the same rows, refuses each bad file on its own,
notes a batch in one staging note and queues its renditions as one task."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.db import transaction

from media_library import services
from media_library.models import MediaItem
from media_library.services import MediaUpload, media_item_upload, media_items_upload
from media_library.staging import media_staging, media_staging_sweep
from media_library.validation import upload_inspect
from tests.media_library.samples import image_bytes, rendition_names, stored_files, upload_file


def _upload(name: str, content: bytes, **fields) -> MediaUpload:
    fields.setdefault("title", name)
    fields.setdefault("alt_text", f"alt {name}")
    fields.setdefault("display_name", name)
    return MediaUpload(file=io.BytesIO(content), filename=name, **fields)


def _colours(n: int) -> list[bytes]:
    return [image_bytes(40, 30, color=(10 * i, 100, 200)) for i in range(n)]


def test_a_batch_makes_the_rows_an_upload_would(tenant, editor):  # R5, R6
    red, blue = image_bytes(120, 80, color=(200, 0, 0)), image_bytes(60, 90, color=(0, 0, 200))
    single, _ = media_item_upload(
        tenant=tenant, file=upload_file("one.jpg", red), user=editor, title="One",
        alt_text="alt", tags=["Summer"], display_name="One",
    )  # fmt: skip
    outcomes = media_items_upload(
        tenant=tenant,
        uploads=[_upload("two.jpg", blue, title="Two", alt_text="alt", tags=["summer", "Sale"])],
        user=editor,
    )

    bulk = MediaItem.objects.get(pk=outcomes[0].item.pk)
    assert outcomes[0].created and outcomes[0].error is None
    for field in ("kind", "mime_type", "status", "created_by_id", "tenant_id", "version"):
        assert getattr(bulk, field) == getattr(single, field), field
    assert (bulk.width, bulk.height, bulk.size) == (60, 90, len(blue))
    assert (bulk.title, bulk.display_name, bulk.alt_text) == ("Two", "two.jpg", "alt")
    assert bulk.file.read() == blue
    assert sorted(bulk.tags.values_list("name", flat=True)) == ["Sale", "Summer"]


def test_a_bad_file_in_the_middle_is_refused_alone(tenant, editor, settings):  # R5
    contents = _colours(5)
    uploads = [_upload(f"img{i}.jpg", c) for i, c in enumerate(contents)]
    uploads[2] = _upload("img2.jpg", contents[2][:60])  # truncated
    uploads[3] = _upload("img3.jpg", contents[3], alt_text="")  # images need alt text (R6)

    outcomes = media_items_upload(tenant=tenant, uploads=uploads, user=editor)

    assert [o.created for o in outcomes] == [True, True, False, False, True]
    assert "truncated or corrupt" in outcomes[2].error.message
    assert "Alt text is required" in outcomes[3].error.message
    assert sorted(MediaItem.objects.values_list("display_name", flat=True)) == [
        "img0.jpg",
        "img1.jpg",
        "img4.jpg",
    ]
    assert len(stored_files(settings.MEDIA_ROOT)) == 3


def test_same_bytes_give_the_same_item(tenant, editor):  # R5
    one, two = _colours(2)
    existing, _ = media_item_upload(
        tenant=tenant, file=upload_file("a.jpg", one), user=editor, title="A", alt_text="a"
    )
    outcomes = media_items_upload(
        tenant=tenant,
        uploads=[_upload("b.jpg", one), _upload("c.jpg", two), _upload("d.jpg", two)],
        user=editor,
    )

    assert outcomes[0].item.pk == existing.pk and not outcomes[0].created
    assert outcomes[1].created and not outcomes[2].created
    assert outcomes[2].item.pk == outcomes[1].item.pk
    assert MediaItem.objects.count() == 2


def test_taken_names_are_refused_one_by_one(tenant, editor):  # R5: display names are unique
    one, two, three = _colours(3)
    media_item_upload(
        tenant=tenant, file=upload_file("a.jpg", one), user=editor, title="A", alt_text="a",
        display_name="Front",
    )  # fmt: skip
    outcomes = media_items_upload(
        tenant=tenant,
        uploads=[
            _upload("b.jpg", two, display_name="Front"),
            _upload("c.jpg", three, display_name="Back"),
            _upload("d.jpg", image_bytes(7, 7), display_name="Back"),
        ],
        user=editor,
    )

    assert outcomes[0].error.message == "The display name 'Front' is taken."
    assert outcomes[1].created
    assert outcomes[2].error.message == "The display name 'Back' is taken."


def test_an_earlier_inspection_stands_only_for_the_same_bytes(tenant, editor):  # R5
    good, other = _colours(2)
    known = upload_inspect(io.BytesIO(good), filename="a.jpg")
    with mock.patch(
        "media_library.validation.image_inspect", side_effect=AssertionError("decoded")
    ):
        outcomes = media_items_upload(
            tenant=tenant, uploads=[_upload("a.jpg", good, inspected=known)], user=editor
        )
    assert outcomes[0].created and (outcomes[0].item.width, outcomes[0].item.height) == (40, 30)

    # Bytes changed since (a file replaced between validation and apply): inspected in
    # full, so a corrupt file never gets through on an old inspection.
    outcomes = media_items_upload(
        tenant=tenant, uploads=[_upload("b.jpg", other[:60], inspected=known)], user=editor
    )
    assert "truncated or corrupt" in outcomes[0].error.message


def test_a_batch_queues_one_renditions_task(
    tenant, editor, django_capture_on_commit_callbacks
):  # R6
    with (
        mock.patch.object(services, "derivatives_enqueue_many_now") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        outcomes = media_items_upload(
            tenant=tenant, uploads=[_upload(f"{i}.jpg", c) for i, c in enumerate(_colours(3))],
            user=editor,
        )  # fmt: skip
    enqueue.assert_called_once_with([o.item.pk for o in outcomes])


def test_the_batch_task_makes_every_item_s_renditions(tenant, editor):  # R6
    from media_library.tasks import media_items_derivatives_ensure

    outcomes = media_items_upload(
        tenant=tenant, uploads=[_upload(f"{i}.jpg", c) for i, c in enumerate(_colours(2))],
        user=editor,
    )  # fmt: skip
    media_items_derivatives_ensure([o.item.pk for o in outcomes])

    for outcome in outcomes:
        names = set(outcome.item.renditions.values_list("name", flat=True))
        assert names == rendition_names(outcome.item.width)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_batch_is_swept_from_its_one_note(tenant, editor, settings):  # R5, R18
    journal = f"tenants/{tenant.pk}/staging/bulk-test"
    with media_staging(journal), pytest.raises(RuntimeError), transaction.atomic():
        media_items_upload(
            tenant=tenant, uploads=[_upload(f"{i}.jpg", c) for i, c in enumerate(_colours(3))],
            user=editor,
        )  # fmt: skip
        notes = [p for p in stored_files(settings.MEDIA_ROOT) if "staging" in str(p)]
        assert len(notes) == 1  # one note for the batch
        raise RuntimeError("the import failed later")

    assert len(stored_files(settings.MEDIA_ROOT)) == 4  # three files and the note
    assert media_staging_sweep(journal) == 3
    assert stored_files(settings.MEDIA_ROOT) == []


@pytest.mark.parametrize("threads", [1, 4])
def test_files_written_from_threads_land_with_their_rows(tenant, editor, settings, threads):
    """R5 (issue 16): MEDIA_STORE_THREADS > 1 writes a batch's files from several threads;
    each row still names its own bytes, in its item's folder."""
    settings.MEDIA_STORE_THREADS = threads
    contents = _colours(12)
    outcomes = media_items_upload(
        tenant=tenant,
        uploads=[_upload(f"img{i}.jpg", c) for i, c in enumerate(contents)],
        user=editor,
    )
    for outcome, content in zip(outcomes, contents, strict=True):
        item = MediaItem.objects.get(pk=outcome.item.pk)
        public_id = str(item.public_id)
        assert item.file.name.startswith(f"tenants/{tenant.pk}/media/{public_id[:2]}/{public_id}/")
        with item.file.open("rb") as handle:
            assert handle.read() == content


@pytest.mark.parametrize(
    "filename", ["a.jpg", "a b (2).jpg", "été.png", ".hidden.jpg", "x" * 120 + ".jpg", "..", "."]
)
def test_bulk_stored_names_are_those_the_file_field_gives(tenant, filename):  # R5, R18
    field = MediaItem._meta.get_field("file")
    item = MediaItem(tenant=tenant)
    try:
        expected = field.generate_filename(item, filename)
    except SuspiciousFileOperation:
        with pytest.raises(SuspiciousFileOperation):
            services._stored_name(field, item, filename)
        return

    assert services._stored_name(field, item, filename) == expected


def test_values_longer_than_the_library_keeps_are_refused_by_both_services(
    tenant, editor, settings
):
    """R6: the services check every door's lengths themselves (a manifest or a command
    reaches them without the API's serializer): a 400 naming the field, nothing stored."""
    long_alt = "A" * 501
    with pytest.raises(services.ValidationFailed) as refused:
        media_item_upload(
            tenant=tenant, file=upload_file("one.jpg", image_bytes(20, 20)), user=editor,
            title="One", alt_text=long_alt,
        )  # fmt: skip
    assert refused.value.errors == [("alt_text", "The alt text is longer than 500 characters.")]

    outcomes = media_items_upload(
        tenant=tenant,
        uploads=[
            _upload("a.jpg", image_bytes(20, 21), caption="c" * 1001),
            _upload("b.jpg", image_bytes(20, 22)),
        ],
        user=editor,
    )
    assert outcomes[0].item is None and outcomes[0].error.errors[0][0] == "caption"
    assert outcomes[1].item is not None
    assert list(MediaItem.objects.values_list("display_name", flat=True)) == ["b.jpg"]
    names = {path.name for path in stored_files(settings.MEDIA_ROOT)}
    assert "b.jpg" in names and "a.jpg" not in names and "one.jpg" not in names
