"""R19: running the copy twice creates no duplicates, and a copy that dies midway leaves
whole batches behind that a second run completes."""

import os

import pytest
from django.conf import settings
from django.core.management.base import CommandError

from media_library.models import MediaItem, Rendition
from tenants.copy import documents, media
from tenants.models import Job, JobStatus
from tests.tenant_copy.conftest import snapshot

pytestmark = pytest.mark.django_db

# What the source scenario copies into an empty destination (published versions only).
EXPECTED = {
    "media": 6,
    "documents": 2,
    "content_sets": 2,
    "versions": 2,
    "category_media": 1,
    "purposes": 6,
}


def _subset(counts: dict) -> dict:
    return {key: counts[key] for key in EXPECTED}


def _stored_files(tenant) -> set[str]:
    root = os.path.join(settings.MEDIA_ROOT, "tenants", str(tenant.pk))
    return {
        os.path.relpath(os.path.join(folder, name), settings.MEDIA_ROOT)
        for folder, _, names in os.walk(root)
        for name in names
    }


def _referenced_files(tenant) -> set[str]:
    names = set(Rendition.objects.filter(tenant=tenant).values_list("file", flat=True))
    for row in MediaItem.objects.filter(tenant=tenant).values_list(
        "file", "video_thumbnail", "video_captions"
    ):
        names |= {n for n in row if n}
    return names


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("--conflict", "replace", "--versions", "published-and-draft"),
        ("--conflict", "keep-latest"),
    ],
)
def test_running_twice_creates_no_duplicates(other_tenant, source, copy_command, args):  # R19
    copy_command(*args)
    first = snapshot(other_tenant)

    copy_command(*args)

    assert snapshot(other_tenant) == first
    counts = Job.objects.latest("pk").counts
    assert not any(key.endswith(("_created", "_replaced")) for key in counts), counts


@pytest.fixture
def fault(monkeypatch):
    """fault(where, after) -> make the copy die in the `after`+1-th batch of media rows or
    document writes, inside that batch's transaction (as a kill would)."""

    def _arm(where: str, after: int):
        target, name = {
            "media": (media.MediaCopier, "_rows_write"),
            "documents": (documents.DocumentCopier, "_write_all"),
        }[where]
        original = getattr(target, name)
        calls = {"n": 0}

        def dying(self, *args, **kwargs):
            result = original(self, *args, **kwargs)
            calls["n"] += 1
            if calls["n"] > after:
                raise RuntimeError("killed")
            return result

        monkeypatch.setattr(target, name, dying)
        return lambda: monkeypatch.setattr(target, name, original)

    monkeypatch.setattr(media, "BATCH_SIZE", 2)
    monkeypatch.setattr(documents, "BATCH_PRODUCTS", 1)
    return _arm


@pytest.mark.parametrize(("where", "after", "media_left"), [("media", 1, 2), ("documents", 0, 6)])
def test_a_copy_killed_midway_is_completed_by_running_it_again(  # R19
    other_tenant, source, copy_command, fault, where, after, media_left
):
    disarm = fault(where, after)

    with pytest.raises(CommandError, match="failed: RuntimeError: killed"):
        copy_command()

    # A consistent state: whole batches only, files only where rows point at them.
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED and "RuntimeError: killed" in job.errors[-1]
    assert MediaItem.objects.filter(tenant=other_tenant).count() == media_left
    assert job.counts  # what was done so far is recorded
    state = snapshot(other_tenant)
    assert state["documents"] == state["content_sets"] == state["read_model"] == 0
    assert _stored_files(other_tenant) == _referenced_files(other_tenant)

    disarm()
    copy_command()

    assert _subset(snapshot(other_tenant)) == EXPECTED
    assert Job.objects.latest("pk").status == JobStatus.SUCCEEDED
    assert snapshot(other_tenant)["read_model"] > 0
