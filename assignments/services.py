"""Every write of the assignments app: purposes, the editing flow (R12, R13), the bare
publish transition, and category media. Each action checks its role, locks the document
row, writes in one transaction and records an audit event in that same transaction.

Check-in, publish and discard also come in bulk forms (`documents_checkin_bulk`,
`documents_publish_bulk`, `documents_discard_bulk`, `documents_unpublish_entries_bulk`,
`category_media_set_bulk`, `category_media_publish_bulk`, `category_media_unpublish_bulk`)
for the manifest importer and tenant copy: the same role checks, holder checks, versions,
audit events, check-in hooks and outbox rows, written with a fixed number of statements
per batch. The single-document services call the bulk form with one document, or share
its helpers, so the two cannot drift apart."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from catalog.models import Category, Product, Variant
from media_library.models import MediaItem, MediaKind
from tenants.audit import audit_record, changes
from tenants.exceptions import Conflict, NotFound, ValidationFailed
from tenants.models import (
    NEUTRAL,
    OMNICHANNEL,
    ROLE_RANK,
    Channel,
    Locale,
    OutboxKind,
    Role,
    Tenant,
)
from tenants.outbox import outbox_record
from tenants.selectors import actor_role_require, role_require, user_role

from .content import Content
from .locks import (
    checkout_claim,
    checkout_last_activity,
    document_lock_by_pk_qs,
    document_lock_qs,
)
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
from .selectors import content_sets_load, inherited_contexts_load
from .validation import ENTRY_FIELDS, ValidContent, content_validate, is_id

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
            audit_record(
                tenant=tenant,
                user=user,
                action="purpose.create",
                obj=purpose,
                label=purpose.code,
                detail={"code": purpose.code, "name": purpose.name, "position": purpose.position},
            )
    except IntegrityError:
        raise Conflict(f"Purpose '{code}' already exists.", field="code") from None
    return purpose


@transaction.atomic
def purpose_update(
    *, purpose: Purpose, user: AbstractBaseUser, name: str, position: int
) -> Purpose:
    """Admins rename or reorder a purpose (R1a). Its code is fixed once created (entries,
    manifests and shop answers name it), and neither name nor position is part of a shop
    answer, so nothing is re-projected. The row is locked: one deleted meanwhile is a 404."""
    role_require(tenant=purpose.tenant, user=user, role=Role.ADMIN, action="change purposes")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed([("name", "Give the purpose a name.")])
    if position < 0:
        raise ValidationFailed([("position", "Use 0 or more.")])
    locked = Purpose.objects.select_for_update().filter(pk=purpose.pk).first()
    if locked is None:
        raise NotFound("This purpose no longer exists.", field="code")
    before = {"name": locked.name, "position": locked.position}
    locked.name, locked.position = name, position
    locked.save(update_fields=["name", "position"])
    audit_record(
        user=user,
        action="purpose.update",
        obj=locked,
        label=locked.code,
        detail=changes(before, {"name": name, "position": position}),
    )
    purpose.name, purpose.position = name, position
    return locked


@transaction.atomic
def purpose_delete(*, purpose: Purpose, user: AbstractBaseUser) -> None:
    """Admins remove a purpose nobody uses (R1a, R7). Entries name purposes (working copies,
    drafts, published content and kept versions alike), so one in use is refused with a
    409 that says where, rather than rewriting history."""
    role_require(tenant=purpose.tenant, user=user, role=Role.ADMIN, action="delete purposes")
    purpose = Purpose.objects.select_for_update().filter(pk=purpose.pk).first()
    if purpose is None:
        raise NotFound("This purpose no longer exists.", field="code")
    uses = list(
        AssignmentEntry.objects.filter(tenant_id=purpose.tenant_id, purpose=purpose)
        .values_list("content_set__document__product__number", flat=True)
        .distinct()
        .order_by("content_set__document__product__number")[:11]
    )
    if uses:
        named = ", ".join(str(n) for n in uses[:10]) + (" and more" if len(uses) > 10 else "")
        raise Conflict(
            f"Purpose '{purpose.code}' is used by additional media of {named} "
            "(current content or kept versions); assign another purpose there first.",
            field="code",
        )
    audit_record(
        user=user,
        action="purpose.delete",
        obj=purpose,
        label=purpose.code,
        detail={"code": purpose.code, "name": purpose.name},
    )
    purpose.delete()


# --- helpers of the editing flow ------------------------------------------------------

BATCH = 2000


@dataclass
class ContentItem:
    """One document and the content a bulk service gives it: entry rows already validated
    for the document's product (the fields of `validation.ENTRY_FIELDS`, positions numbered,
    as `entry_fields` or the manifest validator give them) and the assignment matrix. An
    unsaved document (no pk) is created by the service."""

    document: AssignmentDocument
    rows: Sequence[Mapping]
    matrix: Sequence[str] = ()
    detail: Mapping = field(default_factory=dict)  # added to the audit event's detail


@dataclass
class BulkResult:
    """What a bulk service wrote: the documents it changed (in the order given) and the
    entries it inserted."""

    documents: list[AssignmentDocument] = field(default_factory=list)
    entries: int = 0


def _actor(user: AbstractBaseUser | None) -> AbstractBaseUser | None:
    """The user recorded in audit columns; None for a system action (R1a)."""
    return user if user is not None and user.is_authenticated else None


def _event_new(
    document: AssignmentDocument,
    action: str,
    user: AbstractBaseUser | None,
    *,
    version: int | None = None,
    **detail,
) -> DocumentEvent:
    """An audit event, unsaved (bulk services insert many at once)."""
    return DocumentEvent(
        tenant_id=document.tenant_id,
        document=document,
        action=action,
        user=_actor(user),
        version=version,
        detail=detail,
    )


def _event(
    document: AssignmentDocument,
    action: str,
    user: AbstractBaseUser | None,
    *,
    version: int | None = None,
    **detail,
) -> DocumentEvent:
    event = _event_new(document, action, user, version=version, **detail)
    event.save()
    return event


def _lock(document: AssignmentDocument) -> AssignmentDocument:
    """Re-read the document under a row lock: every decision below uses fresh state."""
    return document_lock_by_pk_qs(pk=document.pk).get()


def _chunks(values: Iterable) -> Iterable[list]:
    ordered = sorted(values)
    for start in range(0, len(ordered), BATCH):
        yield ordered[start : start + BATCH]


# The document columns a bulk write sets (UPDATE ... FROM unnest on PostgreSQL) and that a
# bulk lock re-reads into the caller's instances.
DOCUMENT_COLUMNS = (
    ("version", "integer"),
    ("draft_id", "bigint"),
    ("published_id", "bigint"),
    ("published_version", "integer"),
    ("published_at", "timestamptz"),
    ("published_by_id", "integer"),
    ("working_id", "bigint"),
    ("checked_out_by_id", "integer"),
    ("checked_out_at", "timestamptz"),
    ("saved_at", "timestamptz"),
    ("updated_at", "timestamptz"),
)
_LOCKED_FIELDS = (
    *(name for name, _ in DOCUMENT_COLUMNS),
    "product_id",
    "channel_id",
    "locale_id",
)


def _documents_lock(*, tenant: Tenant, documents: Sequence[AssignmentDocument]) -> None:
    """Lock the rows of many documents (ordered by pk, in a query per 2,000) and refresh the
    given instances from them, so every decision uses fresh state; another tenant's
    document answers like a missing one."""
    fresh: dict[int, dict] = {}
    for chunk in _chunks({d.pk for d in documents}):
        rows = (
            AssignmentDocument.objects.select_for_update()
            .filter(tenant=tenant, pk__in=chunk)
            .order_by("pk")
            .values("pk", *_LOCKED_FIELDS)
        )
        for row in rows:
            fresh[row.pop("pk")] = row
    for document in documents:
        row = fresh.get(document.pk)
        if row is None:
            raise NotFound(f"Document {document.pk} not found.", field="document")
        for name, value in row.items():
            setattr(document, name, value)


def _documents_write(documents: Sequence[AssignmentDocument]) -> None:
    """Write the pointers of many documents in one UPDATE ... FROM unnest(...) on PostgreSQL
    (bulk_update's CASE per field and row is slow at thousands of rows)."""
    if not documents:
        return
    if connection.vendor != "postgresql":
        AssignmentDocument.objects.bulk_update(
            documents, [name.removesuffix("_id") for name, _ in DOCUMENT_COLUMNS], batch_size=500
        )
        return
    # One array parameter per column (unnest), not one placeholder per value: a query with
    # tens of thousands of placeholders costs more to build than to run.
    table = AssignmentDocument._meta.db_table
    names = ", ".join(name for name, _ in DOCUMENT_COLUMNS)
    arrays = ", ".join(["%s::bigint[]"] + [f"%s::{t}[]" for _, t in DOCUMENT_COLUMNS])
    assignments = ", ".join(f"{name} = v.{name}" for name, _ in DOCUMENT_COLUMNS)
    params = [[d.pk for d in documents]] + [
        [getattr(d, name) for d in documents] for name, _ in DOCUMENT_COLUMNS
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS d SET {assignments} "
            f"FROM unnest({arrays}) AS v(id, {names}) WHERE d.id = v.id",
            params,
        )


ENTRY_COLUMNS = ("tenant_id", "content_set_id", *ENTRY_FIELDS)
DIMENSION_VALUES_AT = ENTRY_FIELDS.index("dimension_values")


def _entries_insert(*, tenant_id: int, rows: Iterable[tuple[int, Mapping]]) -> int:
    """Insert entries given as (content set id, entry fields): PostgreSQL's COPY (the ORM's
    bulk_create spends most of a large import building model instances and SQL), else
    bulk_create. Every writer of entries goes through here."""
    if connection.vendor != "postgresql":
        entries = [
            AssignmentEntry(
                tenant_id=tenant_id,
                content_set_id=set_id,
                **{name: row[name] for name in ENTRY_FIELDS},
            )
            for set_id, row in rows
        ]
        AssignmentEntry.objects.bulk_create(entries, batch_size=BATCH)
        return len(entries)
    rows = list(rows)
    # COPY cannot fill variant_number from the variant: the numbers are read first, in one
    # query (an UPDATE afterwards rewrote every entry of the batch a second time).
    wanted = {row["variant_id"] for _, row in rows if row["variant_id"]}
    numbers = dict(
        Variant.objects.filter(tenant_id=tenant_id, pk__in=wanted)
        .order_by()
        .values_list("pk", "number")
    )
    table = AssignmentEntry._meta.db_table
    dumped: dict[str, str] = {"": "{}"}  # dimension values by combination key
    with connection.cursor() as cursor:
        copy_sql = f"COPY {table} ({', '.join(ENTRY_COLUMNS)}, variant_number) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for set_id, row in rows:
                combination = row["combination"]
                if combination not in dumped:
                    dumped[combination] = json.dumps(row["dimension_values"])
                values = [tenant_id, set_id]
                values.extend(row[name] for name in ENTRY_FIELDS)
                values[2 + DIMENSION_VALUES_AT] = dumped[combination]
                values.append(numbers.get(row["variant_id"], ""))
                copy.write_row(values)
    return len(rows)


def _checkin_hooks_run(documents: Sequence[AssignmentDocument]) -> None:
    """settings.ASSIGNMENT_CHECKIN_HOOKS, after every check-in that made a version. A hook
    carrying a `bulk` attribute gets all documents of a bulk check-in in one call
    (`hook.bulk(documents=...)`); any other is called once per document."""
    if not documents:
        return
    for path in settings.ASSIGNMENT_CHECKIN_HOOKS:
        hook = import_string(path)
        bulk = getattr(hook, "bulk", None)
        if bulk is not None:
            bulk(documents=list(documents))
        else:
            for document in documents:
                hook(document=document)


def _checkins_record(
    *,
    pairs: Sequence[tuple[AssignmentDocument, int, Mapping]],
    user: AbstractBaseUser | None,
    note: str,
) -> None:
    """The common end of every check-in, single or bulk: each (locked, released) document
    gets its content set as a new numbered version, which becomes its draft (R12); the
    pointers are written, a check-in event is audited per document, then the check-in
    hooks run. A fixed number of statements whatever the number of documents."""
    if not pairs:
        return
    now = timezone.now()
    actor = _actor(user)
    versions, events = [], []
    for document, set_id, detail in pairs:
        document.version += 1
        document.draft_id = set_id
        document.updated_at = now
        versions.append(
            DocumentVersion(
                tenant_id=document.tenant_id,
                document=document,
                number=document.version,
                content_id=set_id,
                note=note[:200],
                created_by=actor,
            )
        )
        events.append(
            _event_new(
                document,
                DocumentAction.CHECKIN,
                actor,
                version=document.version,
                unchanged=False,
                **detail,
            )
        )
    DocumentVersion.objects.bulk_create(versions, batch_size=BATCH)
    documents = [document for document, _, _ in pairs]
    _documents_write(documents)
    DocumentEvent.objects.bulk_create(events, batch_size=BATCH)
    _checkin_hooks_run(documents)


def _unique(documents: Iterable[AssignmentDocument]) -> list[AssignmentDocument]:
    documents = list(documents)
    keys = {(d.product_id, d.channel_id, d.locale_id) for d in documents}
    if len(keys) != len(documents):
        raise ValueError("The same document is given twice to one bulk service.")
    return documents


def _ids_of_tenant(model, tenant: Tenant, ids: Iterable[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(set(ids)):
        found.update(model.objects.filter(tenant=tenant, pk__in=chunk).values_list("pk", flat=True))
    return found


def media_rows_share_lock(*, tenant: Tenant | int, ids: Iterable[int]) -> set[int]:
    """The tenant's media items among `ids`, locked against deletion until commit (R26).

    Entries reference media without a database constraint (history outlives a deleted
    item), so current content takes the lock the constraint would have: FOR KEY SHARE on
    PostgreSQL (it waits for a delete that holds the item, and blocks one that comes after,
    without blocking other writers naming the same item). SQLite serialises writers."""
    return _rows_share_lock(MediaItem, tenant=tenant, ids=ids)


def purpose_rows_share_lock(*, tenant: Tenant | int, ids: Iterable[int]) -> set[int]:
    """The tenant's purposes among `ids`, locked against deletion until commit (R7).

    `purpose_delete` locks the purpose FOR UPDATE, then looks for entries naming it; a
    writer naming purposes takes FOR KEY SHARE on them first, so the two serialize: a
    delete that came first makes the writer answer "Unknown purpose" (400), a writer that
    came first makes the delete see its entries (409), never a foreign-key error at commit."""
    return _rows_share_lock(Purpose, tenant=tenant, ids=ids)


def _rows_share_lock(model, *, tenant: Tenant | int, ids: Iterable[int]) -> set[int]:
    ids = sorted(set(ids))
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    if not ids:
        return set()
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        found = set()
        for chunk in _chunks(ids):
            found.update(
                model.objects.filter(tenant_id=tenant_id, pk__in=chunk).values_list("pk", flat=True)
            )
        return found
    found: set[int] = set()
    table = model._meta.db_table
    with connection.cursor() as cursor:
        for chunk in _chunks(ids):
            # `tenant_id + 0`: the rows are found by primary key only. An import locks the
            # items it created earlier in the same transaction, which the table's
            # statistics do not know of yet; with a plain `tenant_id =` the planner took
            # the tenant's index as a few rows and tested every item of the tenant
            # against the whole list, for each chunk (quadratic: 110 ms a chunk at 20,000
            # items, 2.3 s of every 20,000 entries).
            cursor.execute(
                f'SELECT id FROM "{table}" WHERE id = ANY(%s::bigint[]) AND tenant_id + 0 = %s '
                "ORDER BY id FOR KEY SHARE",
                [list(chunk), tenant_id],
            )
            found.update(row[0] for row in cursor.fetchall())
    return found


def _new_documents_check(*, tenant: Tenant, documents: Sequence[AssignmentDocument]) -> None:
    """Documents to create: product, channel and locale must all be the tenant's (R1)."""
    refused = NotFound("Product, channel and locale must belong to the tenant.", field="product")
    for document in documents:
        if document.tenant_id is None:
            document.tenant_id = tenant.pk
        elif document.tenant_id != tenant.pk:
            raise refused
    for model, attname in ((Product, "product_id"), (Channel, "channel_id"), (Locale, "locale_id")):
        wanted = {getattr(d, attname) for d in documents}
        if wanted - _ids_of_tenant(model, tenant, wanted):
            raise refused


def _rows_check(*, tenant: Tenant, items: Sequence[ContentItem]) -> None:
    """The ids in given rows must be the tenant's, a variant one of the document's product.
    The callers validated the content; this keeps a bulk write from ever crossing tenants.
    One pass over the rows, a query per kind of id (variants by product: a query per
    2,000 documents)."""
    media, purposes, variants = set(), set(), set()
    for item in items:
        product_id = item.document.product_id
        for row in item.rows:
            if row["media_id"] is not None:
                media.add(row["media_id"])
            if row["purpose_id"] is not None:
                purposes.add(row["purpose_id"])
            if row["variant_id"] is not None:
                variants.add((row["variant_id"], product_id))
    unknown = sorted(media - media_rows_share_lock(tenant=tenant, ids=media))
    if unknown:
        raise ValidationFailed([("media", f"Unknown media {unknown[0]}.")])
    unknown = sorted(purposes - purpose_rows_share_lock(tenant=tenant, ids=purposes))
    if unknown:
        raise ValidationFailed([("purpose", f"Unknown purpose {unknown[0]}.")])
    if variants:
        offered: set[tuple[int, int]] = set()
        for chunk in _chunks({product_id for _, product_id in variants}):
            offered.update(
                Variant.objects.filter(tenant=tenant, product_id__in=chunk)
                .order_by()
                .values_list("pk", "product_id")
            )
        unknown = sorted(variants - offered)
        if unknown:
            raise ValidationFailed([("variant", f"Unknown variant {unknown[0][0]}.")])


def _content_sets_write(
    *, tenant: Tenant, user: AbstractBaseUser | None, items: Sequence[ContentItem]
) -> tuple[list[ContentSet], int]:
    """A new content set per item with its entries: one insert for the sets, one COPY (or
    bulk insert) for all entries."""
    actor = _actor(user)
    sets = [
        ContentSet(
            tenant_id=tenant.pk, document=item.document, matrix=list(item.matrix), created_by=actor
        )
        for item in items
    ]
    ContentSet.objects.bulk_create(sets, batch_size=BATCH)
    count = _entries_insert(
        tenant_id=tenant.pk,
        rows=(
            (content_set.pk, row)
            for content_set, item in zip(sets, items, strict=True)
            for row in item.rows
        ),
    )
    return sets, count


def _holder_name(document: AssignmentDocument) -> str:
    return document.checked_out_by.get_username() if document.checked_out_by else "someone"


def _refuse_held_by_other(
    document: AssignmentDocument, user: AbstractBaseUser | None, action: str
) -> None:
    if document.checked_out_by_id is not None and document.checked_out_by_id != getattr(
        user, "pk", None
    ):
        since = document.checked_out_at.isoformat() if document.checked_out_at else None
        # No raw timestamp in the words (issue 15): clients format `checked_out_at` themselves.
        raise Conflict(
            f"Cannot {action}: the document is checked out by {_holder_name(document)}.",
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


def _refuse_held(document: AssignmentDocument, user: AbstractBaseUser | None, action: str) -> None:
    """Bulk writes and publishing act on checked-in content only: a document held by
    someone else is refused naming the holder, one held by `user` themself too (their
    working copy would be left behind)."""
    _refuse_held_by_other(document, user, action)
    if document.checked_out_by_id is not None:
        raise Conflict(
            f"Cannot {action} while you hold the document: check in or discard your edits first.",
            field="document",
            extra={"checked_out_by": _holder_name(document)},
        )


def start_entries_load(*, set_ids: Iterable[int]) -> dict[int, list[dict]]:
    """The entry rows (`ENTRY_FIELDS`) a new working copy takes from each of these sets, in
    position order per entity and slot. Entries of variants deleted since are history only:
    they are left out, so editing never fails on a variant that no longer exists; so are
    entries of media items deleted since (R26, see `missing_media_entries`). Shared by
    the check-out (which copies them) and the manifest importer (which overlays its rows
    on them), so both start from exactly the same content (R12)."""
    ids = sorted({pk for pk in set_ids if pk is not None})
    out: dict[int, list[dict]] = {pk: [] for pk in ids}
    for chunk in _chunks(ids):
        rows = (
            AssignmentEntry.objects.filter(content_set_id__in=chunk)
            .exclude(
                Q(scope=Scope.VARIANT) & ~Exists(Variant.objects.filter(pk=OuterRef("variant_id")))
            )
            .exclude(
                Q(media_id__isnull=False)
                & ~Exists(MediaItem.objects.filter(pk=OuterRef("media_id")))
            )
            .values("content_set_id", *ENTRY_FIELDS)
            .order_by("content_set_id", "pk")
        )
        for row in rows.iterator(chunk_size=BATCH):
            out[row.pop("content_set_id")].append(row)
    return out


def _entries_copy(*, source_id: int | None, target: ContentSet) -> int:
    if source_id is None:
        return 0
    rows = start_entries_load(set_ids=[source_id])[source_id]
    # An item deleted between the load and this insert (only history named it) is left out.
    kept = media_rows_share_lock(
        tenant=target.tenant_id, ids=[r["media_id"] for r in rows if r["media_id"] is not None]
    )
    rows = [r for r in rows if r["media_id"] is None or r["media_id"] in kept]
    return _entries_insert(tenant_id=target.tenant_id, rows=((target.pk, row) for row in rows))


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
    wanted = {r["media_id"] for r in valid.rows if r["media_id"] is not None}
    gone = sorted(wanted - media_rows_share_lock(tenant=content_set.tenant_id, ids=wanted))
    if gone:  # deleted since the content was validated
        raise ValidationFailed([("media", f"Unknown media {gone[0]}.")])
    named = {r["purpose_id"] for r in valid.rows if r["purpose_id"] is not None}
    gone = sorted(named - purpose_rows_share_lock(tenant=content_set.tenant_id, ids=named))
    if gone:  # deleted since the content was validated
        raise ValidationFailed([("purpose", f"Unknown purpose {gone[0]}.")])
    content_set.entries.all().delete()
    content_set.matrix = list(valid.matrix)
    content_set.save(update_fields=["matrix"])
    _entries_insert(tenant_id=content_set.tenant_id, rows=((content_set.pk, r) for r in valid.rows))


def _has_entries(set_id: int | None) -> bool:
    return set_id is not None and AssignmentEntry.objects.filter(content_set_id=set_id).exists()


def _own_set_id(document: AssignmentDocument) -> int | None:
    """The document's checked-in state: its draft, else what is published (R12)."""
    return document.draft_id if document.draft_id is not None else document.published_id


@dataclass(frozen=True)
class StartSet:
    """Where the first edit of a document starts (R12): the content set to copy (None:
    empty) and, for the audit trail, why: "own", "empty" or "inherited from web/en-us"."""

    set_id: int | None
    started_from: str

    @property
    def inherited(self) -> bool:
        return self.started_from.startswith("inherited")


def documents_start_sets(
    *, tenant: Tenant, documents: Sequence[AssignmentDocument]
) -> list[StartSet]:
    """What an edit of each document starts from: its own checked-in content when that has
    entries (or in Omnichannel + Neutral, which inherits from nothing); otherwise the content
    its context currently shows by fallback (R10), so a channel/locale document begins as a
    copy of what that context showed (R12). Documents may be unsaved (a manifest's new
    contexts). The check-out calls this with one document, the manifest importer with a
    batch: one implementation, a fixed number of queries per call."""
    documents = list(documents)
    if not documents:
        return []
    own_ids = {_own_set_id(d) for d in documents} - {None}
    with_entries: set[int] = set()
    for chunk in _chunks(own_ids):
        with_entries.update(
            AssignmentEntry.objects.filter(content_set_id__in=chunk)
            .values_list("content_set_id", flat=True)
            .distinct()
        )
    codes = {
        **{
            ("c", pk): code
            for pk, code in Channel.objects.filter(tenant=tenant).values_list("pk", "code")
        },
        **{
            ("l", pk): code
            for pk, code in Locale.objects.filter(tenant=tenant).values_list("pk", "code")
        },
    }
    keys: dict[int, tuple[int, str, str]] = {}
    for index, document in enumerate(documents):
        channel, locale = codes[("c", document.channel_id)], codes[("l", document.locale_id)]
        default_context = channel == OMNICHANNEL and locale == NEUTRAL
        if _own_set_id(document) not in with_entries and not default_context:
            keys[index] = (document.product_id, channel, locale)
    governing = inherited_contexts_load(tenant=tenant, keys=keys.values())
    sources: dict[tuple[int, str, str], int | None] = {}
    wanted = {(key[0], *found[0]) for key in keys.values() if (found := governing[key])}
    for product_id, channel, locale, draft_id, published_id in AssignmentDocument.objects.filter(
        tenant=tenant, product_id__in={w[0] for w in wanted}
    ).values_list("product_id", "channel__code", "locale__code", "draft_id", "published_id"):
        if (product_id, channel, locale) in wanted:
            sources[(product_id, channel, locale)] = (
                draft_id if draft_id is not None else published_id
            )
    out = []
    for index, document in enumerate(documents):
        own = _own_set_id(document)
        plain = StartSet(own, "own" if own is not None else "empty")
        found = governing.get(keys[index]) if index in keys else None
        if found is None:
            out.append(plain)
            continue
        (channel, locale), _ = found
        source = sources.get((document.product_id, channel, locale))
        out.append(
            plain if source is None else StartSet(source, f"inherited from {channel}/{locale}")
        )
    return out


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
    take_over: bool = False,
) -> AssignmentDocument:
    """Check the document out to `user`: one holder at a time, others get 409 naming them.

    The working copy starts from the document's checked-in content; when the document has
    none of its own (first edit, or after a reset) it starts from the content it inherits,
    so a channel/locale document begins as a copy of what that context showed (R12).

    With `take_over`, someone else's check-out passes to `user` when the rule in
    `locks.checkout_claim` allows it (idle past CHECKOUT_IDLE_MINUTES, or `user` is a
    publisher): the working copy is kept as it is, and a take-over event names the former
    holder, whose page learns it from the document's state on its next poll.
    """
    role_require(tenant=tenant, user=user, role=Role.EDITOR, action="check out assignments")
    _context_check(tenant=tenant, product=product, channel=channel, locale=locale)
    document = _document_lock_or_create(
        tenant=tenant, product=product, channel=channel, locale=locale
    )
    now = timezone.now()
    claim = checkout_claim(
        document=document,
        user=user,
        holder_name=_holder_name(document),
        take_over=take_over,
        is_publisher=document.checked_out_by_id not in (None, user.pk)
        and _is_publisher(tenant, user),
        now=now,
    )
    if claim.kind == "own":
        return document
    if claim.takes_over:
        former = _holder_name(document)
        idle = checkout_last_activity(document)
        document.checked_out_by = user
        document.checked_out_at = now
        document.save(update_fields=["checked_out_by", "checked_out_at", "updated_at"])
        _event(
            document,
            DocumentAction.TAKEOVER,
            user,
            version=document.version,
            former_holder=former,
            reason=claim.kind,
            idle_since=idle.isoformat() if idle else None,
        )
        return document
    start = documents_start_sets(tenant=tenant, documents=[document])[0]
    document.working = _content_set_create(document=document, user=user, copy_of=start.set_id)
    document.checked_out_by = user
    document.checked_out_at = now
    document.saved_at = None
    document.save(
        update_fields=["working", "checked_out_by", "checked_out_at", "saved_at", "updated_at"]
    )
    _event(
        document,
        DocumentAction.CHECKOUT,
        user,
        version=document.version,
        started_from=start.started_from,
    )
    return document


def _is_publisher(tenant: Tenant, user: AbstractBaseUser) -> bool:
    role = user_role(tenant=tenant, user=user)
    return role is not None and ROLE_RANK[Role(role)] >= ROLE_RANK[Role.PUBLISHER]


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
    and the holder is released. An unchanged working copy releases without a new version.
    The version, event and hooks are written by the same code as `documents_checkin_bulk`."""
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
        _event(document, DocumentAction.CHECKIN, user, version=document.version, unchanged=True)
    else:
        _checkins_record(pairs=[(document, working_set.pk, {})], user=user, note="checkin")
    return document


@transaction.atomic
def documents_checkin_bulk(
    *,
    tenant: Tenant,
    user: AbstractBaseUser | None,
    items: Iterable[ContentItem],
    note: str = "checkin",
) -> BulkResult:
    """Check in given content for many documents at once (manifest import, tenant copy):
    what checking out, replacing the working copy and checking in leaves behind, without a
    working copy in between. Each item's rows become a new content set, the document's
    draft as a new numbered version (`note` on the version), with a check-in event
    (`unchanged: false`, the entry count and the item's detail) and the check-in hooks.

    `user` None is a system action (no role check); a given user must be an editor (R1a).
    Documents are locked; one checked out by anyone is refused naming the holder (R12), so
    callers discard or skip held documents first. Unsaved documents are created. Content
    identical to the current one still makes a version: callers compare first (both
    importer and copy already hold the current content to decide). Statements: a fixed
    number per 2,000 documents, whatever the number of entries (one COPY on PostgreSQL).
    """
    actor_role_require(tenant=tenant, user=user, role=Role.EDITOR, action="check in assignments")
    items = list(items)
    documents = _unique(item.document for item in items)
    if not items:
        return BulkResult()
    existing = [d for d in documents if d.pk is not None]
    _documents_lock(tenant=tenant, documents=existing)
    for document in existing:
        _refuse_held(document, user, "check in")
    new = [d for d in documents if d.pk is None]
    if new:
        _new_documents_check(tenant=tenant, documents=new)
        AssignmentDocument.objects.bulk_create(new, batch_size=BATCH)
    _rows_check(tenant=tenant, items=items)
    sets, count = _content_sets_write(tenant=tenant, user=user, items=items)
    _checkins_record(
        pairs=[
            (item.document, content_set.pk, {"entries": len(item.rows), **item.detail})
            for item, content_set in zip(items, sets, strict=True)
        ],
        user=user,
        note=note,
    )
    return BulkResult(documents=documents, entries=count)


@transaction.atomic
def document_discard(*, document: AssignmentDocument, user: AbstractBaseUser) -> AssignmentDocument:
    """Drop the working copy, back to the last checked-in state. The holder discards their
    own edits; publishers and admins may discard anyone's (R1a)."""
    documents_discard_bulk(tenant=document.tenant, user=user, documents=[document])
    return document


@transaction.atomic
def documents_discard_bulk(
    *,
    tenant: Tenant,
    user: AbstractBaseUser | None,
    documents: Iterable[AssignmentDocument],
    detail: Mapping | None = None,
) -> BulkResult:
    """Discard the working copies of many documents (the manifest's EntityCheckedOutAction
    Overwrite): each is released back to its last checked-in state, its working copy
    deleted, and a discard event names the holder. An editor discards their own edits,
    someone else's needs the publisher role (R1a); `user` None is a system action. A
    document that is not checked out is refused."""
    actor_role_require(tenant=tenant, user=user, role=Role.EDITOR, action="discard edits")
    documents = _unique(documents)
    if not documents:
        return BulkResult()
    _documents_lock(tenant=tenant, documents=documents)
    if any(d.checked_out_by_id is None for d in documents):
        raise Conflict(
            "There are no edits to discard: the document is not checked out.", field="document"
        )
    user_model = get_user_model()
    holders = dict(
        user_model.objects.filter(pk__in={d.checked_out_by_id for d in documents}).values_list(
            "pk", user_model.USERNAME_FIELD
        )
    )
    others = [d for d in documents if d.checked_out_by_id != getattr(user, "pk", None)]
    if user is not None and others:
        role_require(
            tenant=tenant,
            user=user,
            role=Role.PUBLISHER,
            action=f"discard the edits of {holders.get(others[0].checked_out_by_id, 'someone')}",
        )
    now = timezone.now()
    working = [d.working_id for d in documents if d.working_id is not None]
    events = []
    for document in documents:
        holder = holders.get(document.checked_out_by_id, "someone")
        document.working_id = None
        _release(document)
        document.updated_at = now
        events.append(
            _event_new(
                document,
                DocumentAction.DISCARD,
                user,
                version=document.version,
                holder=holder,
                **(detail or {}),
            )
        )
    _documents_write(documents)
    if working:
        ContentSet.objects.filter(pk__in=working).delete()
    DocumentEvent.objects.bulk_create(events, batch_size=BATCH)
    return BulkResult(documents=documents)


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
    missing = missing_media_entries(set_id=version.content_id)
    document.working = _content_set_create(document=document, user=user, copy_of=version.content_id)
    if document.checked_out_by_id is None:
        document.checked_out_by = user
        document.checked_out_at = timezone.now()
        document.saved_at = None
    document.save()
    detail = {"restored": number, **({"missing": missing} if missing else {})}
    _event(document, DocumentAction.RESTORE, user, version=document.version, **detail)
    document.restore_missing = missing
    return document


def missing_media_entries(*, set_id: int) -> list[dict]:
    """Entries of a content set whose media item was deleted since (history keeps the id,
    R26): what restoring it leaves out, reported to the user."""
    rows = (
        AssignmentEntry.objects.filter(content_set_id=set_id, media_id__isnull=False)
        .exclude(Exists(MediaItem.objects.filter(pk=OuterRef("media_id"))))
        .values("media_id", "scope", "combination", "variant_number", "slot", "position")
        .order_by("pk")
    )
    return [
        {
            "media": row["media_id"],
            "scope": row["scope"],
            "entity": row["combination"] or row["variant_number"] or row["scope"],
            "slot": row["slot"],
            "position": row["position"],
            "reason": f"Media item {row['media_id']} was deleted.",
        }
        for row in rows
    ]


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
    check; a given user must be a publisher (R1a). `documents_publish_bulk` with one
    document; the instance is refreshed under the row lock and returned.
    """
    documents_publish_bulk(tenant=document.tenant, user=user, documents=[document])
    return document


@transaction.atomic
def documents_publish_bulk(
    *,
    tenant: Tenant,
    user: AbstractBaseUser | None,
    documents: Iterable[AssignmentDocument],
    detail: Mapping | None = None,
    details: Mapping[int, Mapping] | None = None,
) -> BulkResult:
    """Publish the checked-in draft of many documents: the same checks, event and outbox
    row as publishing one. Documents are locked; one checked out (by anyone) or with
    nothing checked in is refused; one whose draft is already published is left as it is.
    Each publish is audited (`detail`, plus `details[document.pk]`), and the published
    products are noted in the change outbox in this transaction, so the read model
    recomputes exactly them on commit (R21). Returns the documents it published."""
    actor_role_require(tenant=tenant, user=user, role=Role.PUBLISHER, action="publish assignments")
    documents = _unique(documents)
    if not documents:
        return BulkResult()
    _documents_lock(tenant=tenant, documents=documents)
    for document in documents:
        _refuse_held(document, user, "publish")
        if document.draft_id is None:
            raise Conflict("Nothing has been checked in yet.", field="document")
    changed = [d for d in documents if d.draft_id != d.published_id]
    now, actor = timezone.now(), _actor(user)
    for document in changed:
        document.published_id = document.draft_id
        document.published_version = document.version
        document.published_at = now
        document.published_by_id = actor.pk if actor is not None else None
        document.updated_at = now
    _published_record(tenant=tenant, user=user, documents=changed, detail=detail, details=details)
    return BulkResult(documents=changed)


@transaction.atomic
def documents_unpublish_entries_bulk(
    *,
    tenant: Tenant,
    user: AbstractBaseUser | None,
    items: Iterable[ContentItem],
) -> BulkResult:
    """Take entries out of what is published, leaving drafts and versions alone (the
    manifest's Unpublish action): each item's rows, the published content minus what goes,
    become the document's published content as a new content set. Audited as a publish
    (with the item's detail) and noted in the change outbox (R21), with the same role and
    holder checks as `documents_publish_bulk`."""
    actor_role_require(tenant=tenant, user=user, role=Role.PUBLISHER, action="publish assignments")
    items = list(items)
    documents = _unique(item.document for item in items)
    if not items:
        return BulkResult()
    if any(d.pk is None for d in documents):
        raise Conflict("Nothing is published yet.", field="document")
    _documents_lock(tenant=tenant, documents=documents)
    for document in documents:
        _refuse_held(document, user, "unpublish")
        if document.published_id is None:
            raise Conflict("Nothing is published yet.", field="document")
    _rows_check(tenant=tenant, items=items)
    sets, count = _content_sets_write(tenant=tenant, user=user, items=items)
    now, actor = timezone.now(), _actor(user)
    for document, content_set in zip(documents, sets, strict=True):
        document.published_id = content_set.pk
        document.published_at = now
        document.published_by_id = actor.pk if actor is not None else None
        document.updated_at = now
    _published_record(
        tenant=tenant,
        user=user,
        documents=documents,
        detail=None,
        details={item.document.pk: item.detail for item in items},
    )
    return BulkResult(documents=documents, entries=count)


def _published_record(
    *,
    tenant: Tenant,
    user: AbstractBaseUser | None,
    documents: Sequence[AssignmentDocument],
    detail: Mapping | None,
    details: Mapping[int, Mapping] | None,
) -> None:
    """Write the new published pointers, a publish event each, and the outbox rows."""
    if not documents:
        return
    _documents_write(documents)
    DocumentEvent.objects.bulk_create(
        [
            _event_new(
                document,
                DocumentAction.PUBLISH,
                user,
                version=document.version,
                **{**(detail or {}), **((details or {}).get(document.pk) or {})},
            )
            for document in documents
        ],
        batch_size=BATCH,
    )
    outbox_record(
        tenant=tenant, kind=OutboxKind.PRODUCT, ids=sorted({d.product_id for d in documents})
    )


# --- category media (R10: per channel, one default image) -----------------------------


def _category_images_check(*, tenant: Tenant, media_ids: Iterable) -> None:
    """Every id must be one of the tenant's images."""
    media_ids = set(media_ids)
    for media_id in media_ids:
        if not is_id(media_id):
            raise ValidationFailed([("media", "Must be a media item id or null.")])
    kinds: dict[int, str] = {}
    for chunk in _chunks(media_ids):
        kinds.update(
            MediaItem.objects.filter(tenant=tenant, pk__in=chunk).values_list("pk", "kind")
        )
    for media_id in sorted(media_ids):
        if media_id not in kinds:
            raise ValidationFailed([("media", f"Unknown media {media_id}.")])
        if kinds[media_id] != MediaKind.IMAGE:
            raise ValidationFailed(
                [("media", f"Media {media_id} is a {kinds[media_id]}, not an image.")]
            )


def _category_media_lock(
    *, tenant: Tenant, category_ids: Iterable[int]
) -> dict[int, CategoryMedia]:
    found: dict[int, CategoryMedia] = {}
    for chunk in _chunks(set(category_ids)):
        found.update(
            (assignment.category_id, assignment)
            for assignment in CategoryMedia.objects.select_for_update()
            .filter(tenant=tenant, category_id__in=chunk)
            .order_by("pk")
        )
    return found


@transaction.atomic
def category_media_set(
    *, tenant: Tenant, category: Category, media_id: int | None, user: AbstractBaseUser
) -> CategoryMedia:
    """Stage (draft) the default image of a category in its channel; None clears it."""
    return category_media_set_bulk(tenant=tenant, user=user, items=[(category, media_id)])[0]


@transaction.atomic
def category_media_set_bulk(
    *,
    tenant: Tenant,
    user: AbstractBaseUser | None,
    items: Iterable[tuple[Category, int | None]],
) -> list[CategoryMedia]:
    """Stage the default images of many categories (None clears one): the rows are locked
    (created when missing), every media must be one of the tenant's images. `user` None is
    a system action; a given user must be an editor (R1a)."""
    actor_role_require(tenant=tenant, user=user, role=Role.EDITOR, action="assign category media")
    wanted: dict[int, int | None] = {}
    for category, media_id in items:
        if category.tenant_id != tenant.pk:
            raise NotFound(f"Category {category.pk} not found.", field="category")
        wanted[category.pk] = media_id
    if not wanted:
        return []
    _category_images_check(tenant=tenant, media_ids={m for m in wanted.values() if m is not None})
    assignments = _category_media_lock(tenant=tenant, category_ids=wanted)
    missing = [pk for pk in wanted if pk not in assignments]
    if missing:  # a concurrent creator wins the insert; its row is locked just below
        CategoryMedia.objects.bulk_create(
            [CategoryMedia(tenant=tenant, category_id=pk) for pk in missing],
            ignore_conflicts=True,
            batch_size=BATCH,
        )
        assignments.update(_category_media_lock(tenant=tenant, category_ids=missing))
    now, actor = timezone.now(), _actor(user)
    for category_id, media_id in wanted.items():
        assignment = assignments[category_id]
        assignment.draft_media_id = media_id
        assignment.updated_by = actor
        assignment.updated_at = now
    CategoryMedia.objects.bulk_update(
        list(assignments.values()), ["draft_media", "updated_by", "updated_at"], batch_size=500
    )
    return [assignments[pk] for pk in wanted]


@transaction.atomic
def category_media_publish(
    *, tenant: Tenant, category: Category, user: AbstractBaseUser | None
) -> CategoryMedia | None:
    """Bare transition draft -> published for a category image (publishing wraps it);
    `user` None is a system action, as in `document_publish_content`."""
    published = category_media_publish_bulk(tenant=tenant, user=user, categories=[category])
    return published[0] if published else None


@transaction.atomic
def category_media_publish_bulk(
    *, tenant: Tenant, user: AbstractBaseUser | None, categories: Iterable[Category]
) -> list[CategoryMedia]:
    """Publish the staged images of many categories (those with no row are skipped) and
    note them in the change outbox in this transaction (R21). `user` None is a system
    action; a given user must be a publisher (R1a)."""
    actor_role_require(
        tenant=tenant, user=user, role=Role.PUBLISHER, action="publish category media"
    )
    assignments = list(
        _category_media_lock(tenant=tenant, category_ids={c.pk for c in categories}).values()
    )
    if not assignments:
        return []
    now = timezone.now()
    for assignment in assignments:
        assignment.published_media_id = assignment.draft_media_id
        assignment.published_at = now
        assignment.updated_at = now
    CategoryMedia.objects.bulk_update(
        assignments, ["published_media", "published_at", "updated_at"], batch_size=500
    )
    outbox_record(
        tenant=tenant, kind=OutboxKind.CATEGORY, ids=sorted(a.category_id for a in assignments)
    )
    return assignments


@transaction.atomic
def category_media_unpublish_bulk(
    *, tenant: Tenant, user: AbstractBaseUser | None, categories: Iterable[Category]
) -> list[CategoryMedia]:
    """Take the published image of many categories down, leaving their staged (draft)
    image as it is (the manifest's Unpublish action), and note them in the change outbox
    (R21). Categories with nothing published are skipped. `user` None is a system action;
    a given user must be a publisher (R1a)."""
    actor_role_require(
        tenant=tenant, user=user, role=Role.PUBLISHER, action="publish category media"
    )
    assignments = [
        assignment
        for assignment in _category_media_lock(
            tenant=tenant, category_ids={c.pk for c in categories}
        ).values()
        if assignment.published_media_id is not None
    ]
    if not assignments:
        return []
    now = timezone.now()
    for assignment in assignments:
        assignment.published_media_id = None
        assignment.published_at = now
        assignment.updated_at = now
    CategoryMedia.objects.bulk_update(
        assignments, ["published_media", "published_at", "updated_at"], batch_size=500
    )
    outbox_record(
        tenant=tenant, kind=OutboxKind.CATEGORY, ids=sorted(a.category_id for a in assignments)
    )
    return assignments
