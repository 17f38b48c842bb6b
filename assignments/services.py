"""Every write of the assignments app: purposes, the editing flow (R12, R13), the bare
publish transition, and category media. Each action checks its role, locks the document
row, writes in one transaction and records an audit event in that same transaction."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from catalog.models import Category, Product, Variant
from media_library.models import MediaItem, MediaKind
from tenants.exceptions import Conflict, NotFound, ValidationFailed
from tenants.models import NEUTRAL, OMNICHANNEL, Channel, Locale, OutboxKind, Role, Tenant
from tenants.outbox import outbox_record
from tenants.selectors import role_require

from .content import Content
from .locks import category_media_lock_qs, document_lock_by_pk_qs, document_lock_qs
from .models import (
    AssignmentDocument,
    AssignmentEntry,
    CategoryMedia,
    ContentSet,
    DocumentAction,
    DocumentEvent,
    DocumentVersion,
    Purpose,
    Scope,
)
from .ordering import primary_apply
from .selectors import content_sets_load, inherited_context
from .validation import ENTRY_FIELDS, ValidContent, content_validate, entry_fields, is_id

DEFAULT_PURPOSES = (
    ("manual", "Manual"),
    ("specification-sheet", "Specification sheet"),
    ("media-kit", "Media kit"),
    ("certificate", "Certificate"),
    ("3d-model", "3D model"),
)


# --- purposes (R7) --------------------------------------------------------------------


def purposes_seed_defaults(*, tenant: Tenant) -> None:
    """TENANT_INITIALIZERS entry: every new tenant starts with the usual purposes."""
    Purpose.objects.bulk_create(
        [
            Purpose(tenant=tenant, code=code, name=name, position=index)
            for index, (code, name) in enumerate(DEFAULT_PURPOSES)
        ],
        ignore_conflicts=True,
    )


def purpose_create(*, tenant: Tenant, user: AbstractBaseUser, code: str, name: str = "") -> Purpose:
    """Admins extend the tenant's purpose list (R1a, R7)."""
    role_require(tenant=tenant, user=user, role=Role.ADMIN, action="add purposes")
    code = (code or "").strip().lower()
    purpose = Purpose(tenant=tenant, code=code, name=(name or code).strip())
    try:
        purpose.full_clean(exclude=["tenant"], validate_constraints=False)
    except Exception as exc:  # a Django ValidationError; turned into our field errors
        errors = getattr(exc, "message_dict", {"code": [str(exc)]})
        raise ValidationFailed([(f, m) for f, ms in errors.items() for m in ms]) from None
    if Purpose.objects.filter(tenant=tenant, code=code).exists():
        raise Conflict(f"Purpose '{code}' already exists.", field="code")
    last = Purpose.objects.filter(tenant=tenant).order_by("-position").first()
    purpose.position = (last.position + 1) if last else 0
    try:
        with transaction.atomic():
            purpose.save()
    except IntegrityError:
        raise Conflict(f"Purpose '{code}' already exists.", field="code") from None
    return purpose


# --- helpers of the editing flow ------------------------------------------------------


def _event(
    document: AssignmentDocument,
    action: str,
    user: AbstractBaseUser | None,
    *,
    version: int | None = None,
    **detail,
) -> DocumentEvent:
    return DocumentEvent.objects.create(
        tenant_id=document.tenant_id,
        document=document,
        action=action,
        user=user if user is not None and user.is_authenticated else None,
        version=version,
        detail=detail,
    )


def _lock(document: AssignmentDocument) -> AssignmentDocument:
    """Re-read the document under a row lock: every decision below uses fresh state."""
    return document_lock_by_pk_qs(pk=document.pk).get()


def _holder_name(document: AssignmentDocument) -> str:
    return document.checked_out_by.get_username() if document.checked_out_by else "someone"


def _refuse_held_by_other(
    document: AssignmentDocument, user: AbstractBaseUser | None, action: str
) -> None:
    if document.checked_out_by_id is not None and document.checked_out_by_id != getattr(
        user, "pk", None
    ):
        since = document.checked_out_at.isoformat() if document.checked_out_at else "earlier"
        raise Conflict(
            f"Cannot {action}: the document is checked out by {_holder_name(document)} "
            f"since {since}.",
            field="document",
            extra={"checked_out_by": _holder_name(document), "checked_out_at": since},
        )


def _require_holder(document: AssignmentDocument, user: AbstractBaseUser, action: str) -> None:
    _refuse_held_by_other(document, user, action)
    if document.checked_out_by_id is None:
        raise Conflict(
            f"Cannot {action}: check the document out first.",
            field="document",
            extra={"checked_out_by": None},
        )


def _entries_copy(*, source_id: int | None, target: ContentSet) -> int:
    if source_id is None:
        return 0
    # Entries of variants deleted since are history only: a new working copy leaves them
    # out, so editing never fails on a variant that no longer exists.
    rows = (
        AssignmentEntry.objects.filter(content_set_id=source_id)
        .exclude(
            Q(scope=Scope.VARIANT) & ~Exists(Variant.objects.filter(pk=OuterRef("variant_id")))
        )
        .values(*ENTRY_FIELDS)
    )
    created = AssignmentEntry.objects.bulk_create(
        [
            AssignmentEntry(tenant_id=target.tenant_id, content_set=target, **row)
            for row in rows.order_by("pk")
        ]
    )
    return len(created)


def _content_set_create(
    *,
    document: AssignmentDocument,
    user: AbstractBaseUser,
    copy_of: int | None = None,
    matrix: list[str] | None = None,
) -> ContentSet:
    """A new set, optionally a copy of another (its matrix and entries, in bulk)."""
    if copy_of is not None and matrix is None:
        matrix = ContentSet.objects.filter(pk=copy_of).values_list("matrix", flat=True).first()
    content_set = ContentSet.objects.create(
        tenant_id=document.tenant_id, document=document, matrix=list(matrix or []), created_by=user
    )
    _entries_copy(source_id=copy_of, target=content_set)
    return content_set


def _content_set_fill(*, content_set: ContentSet, valid: ValidContent) -> None:
    content_set.entries.all().delete()
    content_set.matrix = list(valid.matrix)
    content_set.save(update_fields=["matrix"])
    AssignmentEntry.objects.bulk_create(
        [
            AssignmentEntry(
                tenant_id=content_set.tenant_id, content_set=content_set, **entry_fields(r)
            )
            for r in valid.rows
        ]
    )


def _has_entries(set_id: int | None) -> bool:
    return set_id is not None and AssignmentEntry.objects.filter(content_set_id=set_id).exists()


def _own_set_id(document: AssignmentDocument) -> int | None:
    """The document's checked-in state: its draft, else what is published (R12)."""
    return document.draft_id if document.draft_id is not None else document.published_id


def _inherited_set_id(document: AssignmentDocument) -> tuple[int | None, str | None]:
    """The set of the document this one currently falls back to (R10), and its context."""
    governing = inherited_context(
        tenant=document.tenant,
        product=document.product,
        channel=document.channel,
        locale=document.locale,
    )
    if governing is None:
        return None, None
    (channel, locale), _ = governing
    source = (
        AssignmentDocument.objects.filter(
            tenant_id=document.tenant_id,
            product_id=document.product_id,
            channel__code=channel,
            locale__code=locale,
        )
        .values_list("draft_id", "published_id")
        .first()
    )
    if source is None:
        return None, None
    return (source[0] if source[0] is not None else source[1]), f"{channel}/{locale}"


def _document_lock_or_create(
    *, tenant: Tenant, product: Product, channel: Channel, locale: Locale
) -> AssignmentDocument:
    """The locked document row, created when missing. Two first check-outs racing both try
    the insert; the loser's IntegrityError (or get_or_create's own retry) leaves it to lock
    the winner's committed row and see its holder."""
    lookup = dict(tenant=tenant, product=product, channel=channel, locale=locale)
    document = document_lock_qs(**lookup).first()
    if document is not None:
        return document
    # get_or_create runs its insert in a savepoint and falls back to a get on a unique
    # violation; should that get miss too, the row was committed meanwhile: lock it below.
    with contextlib.suppress(IntegrityError):
        AssignmentDocument.objects.get_or_create(**lookup)
    return document_lock_qs(**lookup).get()


def _context_check(*, tenant: Tenant, product: Product, channel: Channel, locale: Locale) -> None:
    if not (product.tenant_id == channel.tenant_id == locale.tenant_id == tenant.pk):
        raise NotFound("Product, channel and locale must belong to the tenant.", field="product")


# --- the editing flow (R12, R13) ------------------------------------------------------


@transaction.atomic
def document_checkout(
    *,
    tenant: Tenant,
    product: Product,
    channel: Channel,
    locale: Locale,
    user: AbstractBaseUser,
) -> AssignmentDocument:
    """Check the document out to `user`: one holder at a time, others get 409 naming them.

    The working copy starts from the document's checked-in content; when the document has
    none of its own (first edit, or after a reset) it starts from the content it inherits,
    so a channel/locale document begins as a copy of what that context showed (R12).
    """
    role_require(tenant=tenant, user=user, role=Role.EDITOR, action="check out assignments")
    _context_check(tenant=tenant, product=product, channel=channel, locale=locale)
    document = _document_lock_or_create(
        tenant=tenant, product=product, channel=channel, locale=locale
    )
    if document.checked_out_by_id == user.pk:
        return document
    _refuse_held_by_other(document, user, "check out")
    own = _own_set_id(document)
    default_context = channel.code == OMNICHANNEL and locale.code == NEUTRAL
    started_from = "own"
    copy_of = own
    if not _has_entries(own) and not default_context:
        inherited, context = _inherited_set_id(document)
        if inherited is not None:
            copy_of, started_from = inherited, f"inherited from {context}"
    if copy_of is None:
        started_from = "empty"
    document.working = _content_set_create(document=document, user=user, copy_of=copy_of)
    document.checked_out_by = user
    document.checked_out_at = timezone.now()
    document.saved_at = None
    document.save(
        update_fields=["working", "checked_out_by", "checked_out_at", "saved_at", "updated_at"]
    )
    _event(
        document, DocumentAction.CHECKOUT, user, version=document.version, started_from=started_from
    )
    return document


def _working_write(
    *, document: AssignmentDocument, user: AbstractBaseUser, content: Mapping, confirm: bool
) -> dict:
    """Validate everything, refuse a silent matrix change, then replace the working entries."""
    valid = content_validate(tenant=document.tenant, product=document.product, data=content)
    flag = content.get("confirm_matrix_change", False)
    if not isinstance(flag, bool):
        raise ValidationFailed([("confirm_matrix_change", "Must be true or false.")])
    current = content_sets_load(tenant=document.tenant, set_ids=[document.working_id]).get(
        document.working_id, Content()
    )
    if current.dimensions and valid.matrix != current.matrix and not (confirm or flag):
        dropped = [dict(row.values) for _, row in sorted(current.dimensions.items())]
        raise Conflict(
            f"Changing the assignment matrix from [{', '.join(current.matrix)}] to "
            f"[{', '.join(valid.matrix)}] drops {len(dropped)} dimension assignment(s); "
            'send "confirm_matrix_change": true to go ahead.',
            field="matrix",
            extra={
                "dropped": dropped,
                "matrix": {"from": list(current.matrix), "to": list(valid.matrix)},
            },
        )
    _content_set_fill(content_set=document.working, valid=valid)
    return {
        "entries": len(valid.rows),
        "matrix_changed": valid.matrix != current.matrix,
    }


@transaction.atomic
def document_working_replace(
    *,
    document: AssignmentDocument,
    user: AbstractBaseUser,
    content: Mapping,
    confirm_matrix_change: bool = False,
) -> AssignmentDocument:
    """PUT a whole CONTENT into the holder's working copy; nothing changes on any error."""
    role_require(tenant=document.tenant, user=user, role=Role.EDITOR, action="edit assignments")
    document = _lock(document)
    _require_holder(document, user, "edit")
    detail = _working_write(
        document=document, user=user, content=content, confirm=confirm_matrix_change
    )
    document.save(update_fields=["updated_at"])
    _event(document, DocumentAction.EDIT, user, version=document.version, **detail)
    return document


@transaction.atomic
def document_save(
    *, document: AssignmentDocument, user: AbstractBaseUser, content: Mapping | None = None
) -> AssignmentDocument:
    """The holder's explicit save without checking in: optionally writes a CONTENT (like PUT),
    stamps `saved_at` (others see when the working copy was last saved) and audits it."""
    role_require(tenant=document.tenant, user=user, role=Role.EDITOR, action="save assignments")
    document = _lock(document)
    _require_holder(document, user, "save")
    detail: dict = {}
    if content is not None:
        detail = _working_write(document=document, user=user, content=content, confirm=False)
    else:
        detail["entries"] = AssignmentEntry.objects.filter(content_set=document.working_id).count()
    document.saved_at = timezone.now()
    document.save(update_fields=["saved_at", "updated_at"])
    _event(document, DocumentAction.SAVE, user, version=document.version, **detail)
    return document


def _release(document: AssignmentDocument) -> None:
    document.checked_out_by = None
    document.checked_out_at = None
    document.saved_at = None


def _version_create(
    *, document: AssignmentDocument, content_set: ContentSet, user: AbstractBaseUser, note: str
) -> DocumentVersion:
    document.version += 1
    document.draft = content_set
    return DocumentVersion.objects.create(
        tenant_id=document.tenant_id,
        document=document,
        number=document.version,
        content=content_set,
        note=note,
        created_by=user,
    )


@transaction.atomic
def document_checkin(*, document: AssignmentDocument, user: AbstractBaseUser) -> AssignmentDocument:
    """Finish editing: the working copy becomes the staged draft as a new numbered version,
    and the holder is released. An unchanged working copy releases without a new version."""
    role_require(tenant=document.tenant, user=user, role=Role.EDITOR, action="check in assignments")
    document = _lock(document)
    _require_holder(document, user, "check in")
    contents = content_sets_load(
        tenant=document.tenant, set_ids=[document.working_id, document.draft_id]
    )
    working = contents.get(document.working_id, Content())
    previous = contents.get(document.draft_id) if document.draft_id else None
    unchanged = previous is not None and previous.as_dict() == working.as_dict()
    working_set = document.working
    document.working = None
    _release(document)
    if unchanged:
        document.save()
        working_set.delete()
    else:
        _version_create(document=document, content_set=working_set, user=user, note="checkin")
        document.save()
    _event(document, DocumentAction.CHECKIN, user, version=document.version, unchanged=unchanged)
    if not unchanged:
        for hook in settings.ASSIGNMENT_CHECKIN_HOOKS:
            import_string(hook)(document=document)
    return document


@transaction.atomic
def document_discard(*, document: AssignmentDocument, user: AbstractBaseUser) -> AssignmentDocument:
    """Drop the working copy, back to the last checked-in state. The holder discards their
    own edits; publishers and admins may discard anyone's (R1a)."""
    role_require(tenant=document.tenant, user=user, role=Role.EDITOR, action="discard edits")
    document = _lock(document)
    if document.checked_out_by_id is None:
        raise Conflict(
            "There are no edits to discard: the document is not checked out.", field="document"
        )
    holder = _holder_name(document)
    if document.checked_out_by_id != user.pk:
        role_require(
            tenant=document.tenant,
            user=user,
            role=Role.PUBLISHER,
            action=f"discard the edits of {holder}",
        )
    working_set = document.working
    document.working = None
    _release(document)
    document.save()
    if working_set is not None:
        working_set.delete()
    _event(document, DocumentAction.DISCARD, user, version=document.version, holder=holder)
    return document


@transaction.atomic
def document_reset(
    *, tenant: Tenant, product: Product, channel: Channel, locale: Locale, user: AbstractBaseUser
) -> AssignmentDocument | None:
    """Reset to default (R13): clear master, dimensions and variants of this context.

    It stages an empty draft as a new version (matrix kept). An empty document has no
    content, so the context falls back again (R10) in preview at once and, once that draft
    is published, in the published read model too. In Omnichannel + Neutral it is a
    clear-all. Refused while someone else holds the document; the requester's own working
    copy is dropped. Returns None when there was no document at all (nothing to reset).
    """
    role_require(tenant=tenant, user=user, role=Role.EDITOR, action="reset assignments")
    _context_check(tenant=tenant, product=product, channel=channel, locale=locale)
    document = document_lock_qs(
        tenant=tenant, product=product, channel=channel, locale=locale
    ).first()
    if document is None:
        return None
    _refuse_held_by_other(document, user, "reset")
    discarded = document.working_id is not None
    matrix: list[str] = []
    if document.working_id is not None:
        matrix = document.working.matrix
        document.working.delete()
        document.working = None
    elif _own_set_id(document) is not None:
        matrix = ContentSet.objects.get(pk=_own_set_id(document)).matrix
    _release(document)
    cleared = _has_entries(_own_set_id(document))
    if cleared:
        empty = _content_set_create(document=document, user=user, matrix=matrix)
        _version_create(document=document, content_set=empty, user=user, note="reset")
    document.save()
    _event(
        document,
        DocumentAction.RESET,
        user,
        version=document.version,
        cleared=cleared,
        discarded_working=discarded,
    )
    return document


@transaction.atomic
def document_version_restore(
    *, document: AssignmentDocument, user: AbstractBaseUser, number: int
) -> AssignmentDocument:
    """Restore version `number` as the working copy (checking the document out to `user` if
    needed); the restored content is checked in like any edit (R12)."""
    role_require(tenant=document.tenant, user=user, role=Role.EDITOR, action="restore a version")
    document = _lock(document)
    version = document.versions.filter(number=number).first()
    if version is None:
        raise NotFound(f"Version {number} does not exist.", field="version")
    _refuse_held_by_other(document, user, "restore a version")
    if document.working_id is not None:
        document.working.delete()
    document.working = _content_set_create(document=document, user=user, copy_of=version.content_id)
    if document.checked_out_by_id is None:
        document.checked_out_by = user
        document.checked_out_at = timezone.now()
        document.saved_at = None
    document.save()
    _event(document, DocumentAction.RESTORE, user, version=document.version, restored=number)
    return document


@transaction.atomic
def document_primary_change(
    *,
    document: AssignmentDocument,
    user: AbstractBaseUser,
    operation: str,
    media: int,
    position: int | None = None,
    dimension_values: Mapping[str, str] | None = None,
    variant: str | None = None,
) -> AssignmentDocument:
    """Insert, remove, move up/down or move to a position in one entity's primary list of
    the working copy (master, a dimension combination or a variant), then write the whole
    CONTENT back through the PUT path, with the same validation."""
    role_require(tenant=document.tenant, user=user, role=Role.EDITOR, action="edit assignments")
    document = _lock(document)
    _require_holder(document, user, "edit")
    content = (
        content_sets_load(tenant=document.tenant, set_ids=[document.working_id])
        .get(document.working_id, Content())
        .as_dict()
    )
    if variant is not None:
        rows, match = content["variants"], {"variant": variant}
    elif dimension_values is not None:
        rows, match = content["dimensions"], {"values": dict(dimension_values)}
    else:
        rows, match = None, None
    if rows is None:
        entity = content["master"]
    else:
        entity = next((r for r in rows if all(r.get(k) == v for k, v in match.items())), None)
        if entity is None:
            entity = {**match, "primary": [], "additional": [], "swatches": []}
            rows.append(entity)
    entity["primary"] = primary_apply(
        list(entity["primary"]), operation=operation, media=media, position=position
    )
    detail = _working_write(document=document, user=user, content=content, confirm=False)
    document.save(update_fields=["updated_at"])
    _event(
        document, DocumentAction.EDIT, user, version=document.version, operation=operation, **detail
    )
    return document


@transaction.atomic
def document_publish_content(
    *, document: AssignmentDocument, user: AbstractBaseUser | None
) -> AssignmentDocument:
    """The bare transition draft -> published content (no dependency check, no flattening;
    publishing wraps this). Only checked-in content can be published (R12), so a held
    document is refused naming its holder. Publishing what is already published is a no-op.
    `user` None is a system action (operator command, scheduled publish group): no role
    check; a given user must be a publisher (R1a).
    """
    if user is not None:
        role_require(
            tenant=document.tenant, user=user, role=Role.PUBLISHER, action="publish assignments"
        )
    document = _lock(document)
    _refuse_held_by_other(document, user, "publish")
    if document.checked_out_by_id is not None:  # held by the publishing user themself
        raise Conflict(
            "Cannot publish while you hold the document: check in or discard your edits first.",
            field="document",
            extra={"checked_out_by": _holder_name(document)},
        )
    if document.draft_id is None:
        raise Conflict("Nothing has been checked in yet.", field="document")
    if document.draft_id == document.published_id:
        return document
    document.published = document.draft
    document.published_version = document.version
    document.published_at = timezone.now()
    document.published_by = user
    document.save()
    _event(document, DocumentAction.PUBLISH, user, version=document.version)
    outbox_record(tenant=document.tenant_id, kind=OutboxKind.PRODUCT, ids=[document.product_id])
    return document


# --- category media (R10: per channel, one default image) -----------------------------


def _category_image_get(*, tenant: Tenant, media_id) -> MediaItem:
    if not is_id(media_id):
        raise ValidationFailed([("media", "Must be a media item id or null.")])
    media = MediaItem.objects.filter(tenant=tenant, pk=media_id).first()
    if media is None:
        raise ValidationFailed([("media", f"Unknown media {media_id}.")])
    if media.kind != MediaKind.IMAGE:
        raise ValidationFailed([("media", f"Media {media_id} is a {media.kind}, not an image.")])
    return media


@transaction.atomic
def category_media_set(
    *, tenant: Tenant, category: Category, media_id: int | None, user: AbstractBaseUser
) -> CategoryMedia:
    """Stage (draft) the default image of a category in its channel; None clears it."""
    role_require(tenant=tenant, user=user, role=Role.EDITOR, action="assign category media")
    if category.tenant_id != tenant.pk:
        raise NotFound(f"Category {category.pk} not found.", field="category")
    media = None if media_id is None else _category_image_get(tenant=tenant, media_id=media_id)
    assignment = category_media_lock_qs(tenant=tenant, category=category).first()
    if assignment is None:
        try:
            with transaction.atomic():
                assignment = CategoryMedia.objects.create(tenant=tenant, category=category)
        except IntegrityError:
            assignment = category_media_lock_qs(tenant=tenant, category=category).get()
    assignment.draft_media = media
    assignment.updated_by = user
    assignment.save()
    return assignment


@transaction.atomic
def category_media_publish(
    *, tenant: Tenant, category: Category, user: AbstractBaseUser | None
) -> CategoryMedia | None:
    """Bare transition draft -> published for a category image (publishing wraps it);
    `user` None is a system action, as in `document_publish_content`."""
    if user is not None:
        role_require(tenant=tenant, user=user, role=Role.PUBLISHER, action="publish category media")
    assignment = category_media_lock_qs(tenant=tenant, category=category).first()
    if assignment is None:
        return None
    assignment.published_media = assignment.draft_media
    assignment.published_at = timezone.now()
    assignment.save()
    outbox_record(tenant=tenant, kind=OutboxKind.CATEGORY, ids=[category.pk])
    return assignment
