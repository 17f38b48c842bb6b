"""Apply the media part of a validated manifest: create, update, publish or delete items.

Each item goes through the media library's services (upload checks, duplicate detection,
renditions), one savepoint per item so that with `--on-error skip` a late failure (a name
taken meanwhile, an item still in use) fails only the rows that name it.
"""

from __future__ import annotations

from contextlib import ExitStack

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import File
from django.db import IntegrityError, transaction

from media_library.models import MediaItem
from media_library.services import (
    MediaUpload,
    display_name_choose,
    media_item_delete,
    media_item_publish,
    media_item_unpublish,
    media_item_update,
    media_item_upload,
    media_items_upload,
)
from media_library.staging import media_item_files_discard
from media_library.validation import UploadInspection
from tenants.exceptions import DomainError
from tenants.models import Tenant

from .files import FileMissing, FileSource, file_basename
from .plan import MediaPlan
from .validate import ManifestValidator


def media_plans_apply(
    *,
    tenant: Tenant,
    plans: list[MediaPlan],
    files: FileSource | None,
    user: AbstractBaseUser | None,
) -> None:
    """Execute a batch of media plans (the importer's batches, in file order). New draft
    items without companions, the bulk of a large import, are created together through the
    library's bulk upload (`media_items_upload`) in one savepoint; the rest one at a time
    (`media_plan_apply`). Should the batch's savepoint fail as a whole (a name or the same
    bytes stored by someone else meanwhile), its plans are retried one at a time, so only
    the rows concerned fail."""
    together = [p for p in plans if _bulk_ready(p) and files is not None]
    if together:
        try:
            with transaction.atomic():
                _create_many(tenant=tenant, plans=together, files=files, user=user)
        except (DomainError, IntegrityError):
            for plan in together:
                plan.failed, plan.item_id, plan.outcome = "", None, ""
                media_plan_apply(tenant=tenant, plan=plan, files=files, user=user)
    chosen = {id(p) for p in together}
    for plan in plans:
        if id(plan) not in chosen:
            media_plan_apply(tenant=tenant, plan=plan, files=files, user=user)


def _bulk_ready(plan: MediaPlan) -> bool:
    return (
        plan.is_new
        and bool(plan.path)
        and not plan.companions
        and plan.if_exists != "KeepBoth"
        and plan.media_action in ("", "Draft")
    )


def _create_many(*, tenant: Tenant, plans: list[MediaPlan], files: FileSource, user) -> None:
    uploads, chosen = [], []
    with ExitStack() as stack:
        for plan in plans:
            try:
                handle = stack.enter_context(files.open(plan.path))
            except FileMissing as exc:  # gone since validation read it
                plan.failed = str(exc)
                continue
            fields = ManifestValidator.effective_fields(plan, plan.kind)
            uploads.append(
                MediaUpload(
                    file=handle,
                    filename=file_basename(plan.path),
                    title=fields.get("title", "")
                    or (plan.display_name if plan.kind == "image" else ""),
                    alt_text=fields.get("alt_text", ""),
                    caption=fields.get("caption", ""),
                    description=fields.get("description", ""),
                    tags=plan.tags or (),
                    display_name=plan.display_name,
                    source_provider=plan.source_provider,
                    source_id=plan.source_id,
                    inspected=_inspected(plan),
                )
            )
            chosen.append(plan)
        outcomes = media_items_upload(tenant=tenant, uploads=uploads, user=user)
    for plan, outcome in zip(chosen, outcomes, strict=True):
        if outcome.error is not None:
            plan.failed, plan.item_id = outcome.error.message, None
        else:
            plan.item_id = outcome.item.pk
            plan.outcome = "created" if outcome.created else "unchanged"


def _inspected(plan: MediaPlan) -> UploadInspection | None:
    """What validation's upload check proved of the plan's file (None: nothing kept)."""
    if not plan.mime_type or not plan.checksum:
        return None
    return UploadInspection(
        filename=file_basename(plan.path),
        fileobj=None,
        size=plan.size,
        checksum=plan.checksum,
        mime_type=plan.mime_type,
        kind=plan.kind,
        width=plan.width,
        height=plan.height,
    )


def media_plan_apply(
    *, tenant: Tenant, plan: MediaPlan, files: FileSource | None, user: AbstractBaseUser | None
) -> None:
    """Execute one media plan; sets `item_id` and `outcome`, or `failed` with the reason.

    A failure after the item was stored (publishing it, say) rolls its row back with the
    savepoint; its files are deleted here. Files of rows an enclosing rollback (or a killed
    process) undoes are swept by the import's staging journal (cleanup.py)."""
    created: list[MediaItem] = []
    try:
        with transaction.atomic():
            if plan.is_new:
                _create(tenant=tenant, plan=plan, files=files, user=user, created=created)
            else:
                _update(plan=plan, user=user)
    except DomainError as exc:
        plan.failed = exc.message
        plan.item_id = None
        for item in created:
            media_item_files_discard(item)


def _create(
    *, tenant: Tenant, plan: MediaPlan, files: FileSource, user, created: list[MediaItem]
) -> None:
    fields = ManifestValidator.effective_fields(plan, plan.kind)
    display_name = plan.display_name
    if plan.if_exists == "KeepBoth":
        display_name = display_name_choose(tenant=tenant, explicit="", filename=display_name)
    with ExitStack() as stack:
        handle = stack.enter_context(files.open(plan.path))
        # Named by their bare file names, as the item's own file is: a zip entry's or a
        # folder file's name is its whole path (or a descriptor), which an upload refuses.
        companions = {
            name: File(stack.enter_context(files.open(path)), name=file_basename(path))
            for name, path in plan.companions.items()
            if name in ("thumbnail", "captions")
        }
        transcript = ""
        if "transcript" in plan.companions:
            with files.open(plan.companions["transcript"]) as text:
                transcript = text.read().decode("utf-8", errors="replace")
        item, is_new = media_item_upload(
            tenant=tenant,
            file=handle,
            user=user,
            filename=file_basename(plan.path),
            title=fields.get("title", "") or (display_name if plan.kind == "image" else ""),
            alt_text=fields.get("alt_text", ""),
            caption=fields.get("caption", ""),
            description=fields.get("description", ""),
            tags=plan.tags or (),
            display_name=display_name,
            transcript=transcript,
            video_thumbnail=companions.get("thumbnail"),
            video_captions=companions.get("captions"),
            source_provider=plan.source_provider,
            source_id=plan.source_id,
        )
    if is_new:
        created.append(item)
    plan.item_id = item.pk
    plan.outcome = "created" if is_new else "unchanged"
    _status_apply(item=item, plan=plan, user=user)


def _update(*, plan: MediaPlan, user) -> None:
    item = MediaItem.objects.get(pk=plan.existing_id)
    plan.item_id = item.pk
    plan.outcome = "unchanged"
    if not plan.update:
        return
    if not plan.keep_note:
        fields = ManifestValidator.effective_fields(plan, item.kind)
        changed = {k: v for k, v in fields.items() if getattr(item, k) != v}
        current_tags = sorted(t.lower() for t in item.tags.values_list("name", flat=True))
        tags_changed = plan.tags is not None and current_tags != sorted(
            t.lower() for t in plan.tags
        )
        if changed or tags_changed:
            item = media_item_update(
                item=item, user=user, tags=plan.tags if tags_changed else None, **changed
            )
            plan.outcome = "updated"
    _status_apply(item=item, plan=plan, user=user)


def _status_apply(*, item: MediaItem, plan: MediaPlan, user) -> None:
    action = plan.media_action
    if action == "PublishNow" and item.status != "published":
        media_item_publish(item=item, user=user)
        plan.outcome = plan.outcome if plan.outcome == "created" else "updated"
    elif action == "Unpublish" and item.status == "published":
        media_item_unpublish(item=item, user=user)
        plan.outcome = "updated"
    elif action == "UnpublishAndDelete":
        media_item_unpublish(item=item, user=user)
        media_item_delete(item=item, user=user)
        plan.outcome = "deleted"
        plan.item_id = None
