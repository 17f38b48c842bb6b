"""Apply the assignment part of a manifest in bulk (R12, R18).

A manifest's rows for one document REPLACE that document's content with what they list,
as a new checked-in version: a ContentSet, its entries, a DocumentVersion and a check-in
DocumentEvent, exactly what `document_checkin` leaves behind, but written with a handful
of bulk statements for all documents together (a 100,000-row manifest must not cost a
query per row). Content identical to the document's current content makes no version,
which is what makes re-importing the same manifest a no-op.

Checked-out documents follow `EntityCheckedOutAction`: UseExisting leaves them to their
holder, Overwrite discards the holder's working copy (audited) and writes anyway.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from catalog.models import Variant
from media_library.models import MediaItem, MediaStatus
from media_library.services import media_item_publish
from tenants.models import OutboxKind, Tenant
from tenants.outbox import outbox_record

from ..models import (
    AssignmentDocument,
    AssignmentEntry,
    ContentSet,
    DocumentAction,
    DocumentEvent,
    DocumentVersion,
)
from ..validation import ENTRY_FIELDS
from .plan import DocumentPlan, EntryPlan

BATCH = 2000
CANONICAL = tuple(f for f in ENTRY_FIELDS if f != "dimension_values")


@dataclass
class DocumentState:
    """The locked (or, for a dry run, plainly read) state of one existing document."""

    document: AssignmentDocument | None
    own: tuple | None = None  # canonical content of the draft (else published) set
    published: tuple | None = None
    own_rows: list[dict] = field(default_factory=list)
    published_rows: list[dict] = field(default_factory=list)
    own_matrix: tuple[str, ...] = ()


def _entry_rows(plan: DocumentPlan) -> list[dict]:
    """The plan's entries as model field dicts, positions numbered per entity and slot:
    primary by MediaDisplayOrder (rows without one after, in file order), the rest in file
    order."""
    grouped: dict[tuple, list[EntryPlan]] = {}
    for entry in plan.entries:
        grouped.setdefault((entry.entity_key(), entry.slot), []).append(entry)
    rows = []
    for (_, slot), entries in grouped.items():
        if slot == "primary":
            entries = sorted(entries, key=lambda e: (e.order is None, e.order or 0, e.line))
        for position, entry in enumerate(entries):
            media = entry.media
            rows.append(
                {
                    "scope": entry.scope,
                    "dimension_values": entry.dimension_values,
                    "combination": entry.combination,
                    "variant_id": entry.variant_id,
                    "slot": slot,
                    "position": position,
                    "media_id": (media.item_id or media.existing_id) if media else None,
                    "purpose_id": entry.purpose_id,
                    "swatch_dimension": entry.swatch_dimension,
                    "swatch_value": entry.swatch_value,
                    "swatch_hex": entry.swatch_hex if media is None else "",
                    "crop_x": None,
                    "crop_y": None,
                    "crop_width": None,
                    "crop_height": None,
                }
            )
    return rows


def _canonical(rows: Iterable[dict], matrix: Iterable[str]) -> tuple:
    """Comparable content: entries are unique by (entity, slot, position), so a set of
    their field tuples is exact, and needs no sorting of mixed None/int values."""
    return (tuple(matrix), frozenset(tuple(r[f] for f in CANONICAL) for r in rows))


def _identity(row: dict) -> tuple:
    """What a removal row matches: the entity, the slot and the media (or swatch value)."""
    if row["slot"] == "swatch":
        return (
            row["scope"],
            row["combination"],
            row["variant_id"],
            "swatch",
            row["swatch_dimension"],
            row["swatch_value"],
        )
    return (row["scope"], row["combination"], row["variant_id"], row["slot"], row["media_id"])


def _renumber(rows: list[dict]) -> list[dict]:
    counters: dict[tuple, int] = {}
    out = []
    for row in sorted(
        rows,
        key=lambda r: (
            r["scope"],
            r["combination"],
            str(r["variant_id"]),
            r["slot"],
            r["position"],
        ),
    ):
        group = (row["scope"], row["combination"], row["variant_id"], row["slot"])
        out.append({**row, "position": counters.get(group, 0)})
        counters[group] = counters.get(group, 0) + 1
    return out


def document_states_load(
    *, tenant: Tenant, plans: Iterable[DocumentPlan], lock: bool
) -> dict[tuple, DocumentState]:
    """Existing documents of the plans with their current content, in a few queries."""
    plans = list(plans)
    wanted = {p.key for p in plans}
    product_ids = sorted({p.product_id for p in plans})
    documents: dict[tuple, AssignmentDocument] = {}
    for start in range(0, len(product_ids), BATCH):
        queryset = AssignmentDocument.objects.filter(
            tenant=tenant, product_id__in=product_ids[start : start + BATCH]
        ).order_by("pk")
        if lock:
            queryset = queryset.select_for_update(of=("self",))
        for document in queryset.select_related("checked_out_by"):
            key = (document.product_id, document.channel_id, document.locale_id)
            if key in wanted:
                documents[key] = document
    set_ids = {
        pk
        for d in documents.values()
        for pk in (d.draft_id if d.draft_id is not None else d.published_id, d.published_id)
        if pk is not None
    }
    rows_by_set: dict[int, list[dict]] = {pk: [] for pk in set_ids}
    matrices: dict[int, tuple] = {}
    ordered = sorted(set_ids)
    for start in range(0, len(ordered), BATCH):
        chunk = ordered[start : start + BATCH]
        for pk, matrix in ContentSet.objects.filter(pk__in=chunk).values_list("pk", "matrix"):
            matrices[pk] = tuple(matrix)
        for row in (
            AssignmentEntry.objects.filter(content_set_id__in=chunk)
            .values("content_set_id", *ENTRY_FIELDS)
            .order_by()
        ):
            rows_by_set[row.pop("content_set_id")].append(row)
    states = {}
    for key, document in documents.items():
        own_id = document.draft_id if document.draft_id is not None else document.published_id
        own_rows = rows_by_set.get(own_id, [])
        published_rows = rows_by_set.get(document.published_id, [])
        states[key] = DocumentState(
            document=document,
            own=_canonical(own_rows, matrices.get(own_id, ())) if own_id else None,
            published=_canonical(published_rows, matrices.get(document.published_id, ()))
            if document.published_id
            else None,
            own_rows=own_rows,
            published_rows=published_rows,
            own_matrix=matrices.get(own_id, ()),
        )
    return states


@dataclass
class Decision:
    """What happens to one document: a new draft set and/or a new published set."""

    plan: DocumentPlan
    state: DocumentState | None
    skip_code: str = ""
    skip_reason: str = ""
    discard: bool = False
    draft_rows: list[dict] | None = None  # a new checked-in version with these entries
    published_rows: list[dict] | None = None  # a published set differing from the draft
    publish_draft: bool = False  # publish the (new or existing) draft
    matrix: tuple[str, ...] = ()
    removed: int = 0
    new_version: int = 1  # the number a check-in gets, decided before anything is written


def document_decide(plan: DocumentPlan, state: DocumentState | None) -> Decision:
    """Compare the plan with the document's state: skip, check in, publish or remove."""
    from .columns import ErrorCode

    decision = Decision(plan=plan, state=state)
    document = state.document if state else None
    decision.new_version = (document.version if document is not None else 0) + 1
    if document is not None and document.checked_out_by_id is not None:
        holder = document.checked_out_by.get_username() if document.checked_out_by else "someone"
        if plan.checked_out_action != "Overwrite":
            decision.skip_code = ErrorCode.CHECKED_OUT
            decision.skip_reason = (
                f"{plan.label} is checked out by {holder}; kept (EntityCheckedOutAction "
                "UseExisting)."
            )
            return decision
        decision.discard = True
    if (
        plan.expected_version is not None
        and document is not None
        and document.version != plan.expected_version
        and plan.version_mismatch_action != "Overwrite"
    ):
        decision.skip_code = ErrorCode.VERSION_MISMATCH
        decision.skip_reason = (
            f"{plan.label} is at version {document.version}, the manifest was made from "
            f"version {plan.expected_version}; kept (EntityVersionMismatchAction UseExisting)."
        )
        return decision
    current_matrix = state.own_matrix if state else ()
    decision.matrix = plan.matrix if plan.matrix is not None else current_matrix
    if plan.removes:
        return _removal_decide(decision, state)
    rows = _entry_rows(plan)
    pending = document is not None and document.draft_id != document.published_id
    if state is None or state.own != _canonical(rows, decision.matrix):
        decision.draft_rows = rows
        decision.publish_draft = plan.action == "PublishNow"
    elif plan.action == "PublishNow" and pending:
        decision.publish_draft = True
    return decision


def _removal_decide(decision: Decision, state: DocumentState | None) -> Decision:
    plan = decision.plan
    targets = {_identity(r) for r in _entry_rows(plan)}
    if plan.action == "UnpublishAndDelete":
        base = state.own_rows if state else []
        kept = [r for r in base if _identity(r) not in targets]
        decision.removed = len(base) - len(kept)
        if decision.removed:
            decision.draft_rows = _renumber(kept)
            decision.publish_draft = True
    else:
        base = state.published_rows if state else []
        kept = [r for r in base if _identity(r) not in targets]
        decision.removed = len(base) - len(kept)
        if decision.removed:
            decision.published_rows = _renumber(kept)
    return decision


def decision_describe(decision: Decision, *, dry_run: bool) -> tuple[bool, str]:
    """(changes anything, a sentence for the result manifest)."""
    plan, would = decision.plan, ("would be " if dry_run else "")
    if decision.skip_reason:
        return False, decision.skip_reason
    parts = []
    if decision.discard:
        parts.append(f"the working copy of {plan.label} {would or 'was '}discarded")
    if decision.draft_rows is not None:
        parts.append(
            f"{plan.label} {would or ''}checked in as version {decision.new_version} "
            f"({len(decision.draft_rows)} entries)"
        )
    if decision.publish_draft:
        parts.append(f"{plan.label} {would or ''}published")
    if decision.published_rows is not None:
        parts.append(f"{decision.removed} entr(ies) of {plan.label} {would or ''}unpublished")
    if not parts:
        return False, f"{plan.label} unchanged."
    return True, "; ".join(parts) + "."


def decisions_apply(
    *, tenant: Tenant, decisions: list[Decision], user: AbstractBaseUser | None, note: str
) -> dict:
    """Write every decision with bulk statements. Must run inside the import's transaction."""
    now = timezone.now()
    user_id = user.pk if user is not None and user.is_authenticated else None
    active = [d for d in decisions if not d.skip_reason]
    # 1. documents that do not exist yet
    missing = [d for d in active if d.state is None or d.state.document is None]
    if missing:
        created = AssignmentDocument.objects.bulk_create(
            [
                AssignmentDocument(
                    tenant=tenant,
                    product_id=d.plan.product_id,
                    channel_id=d.plan.channel_id,
                    locale_id=d.plan.locale_id,
                )
                for d in missing
            ],
            batch_size=BATCH,
        )
        for decision, document in zip(missing, created, strict=True):
            decision.state = DocumentState(document=document)
    # 2. content sets, in one insert; then their entries
    new_sets: list[tuple[Decision, str, ContentSet]] = []
    for decision in active:
        document = decision.state.document
        if decision.draft_rows is not None:
            new_sets.append(
                (
                    decision,
                    "draft",
                    ContentSet(
                        tenant=tenant,
                        document=document,
                        matrix=list(decision.matrix),
                        created_by_id=user_id,
                    ),
                )
            )
        if decision.published_rows is not None:
            new_sets.append(
                (
                    decision,
                    "published",
                    ContentSet(
                        tenant=tenant,
                        document=document,
                        matrix=list(decision.matrix),
                        created_by_id=user_id,
                    ),
                )
            )
    ContentSet.objects.bulk_create([s for _, _, s in new_sets], batch_size=BATCH)
    entry_count = entries_insert(
        tenant=tenant,
        rows=(
            (content_set.pk, row)
            for decision, which, content_set in new_sets
            for row in (decision.draft_rows if which == "draft" else decision.published_rows)
        ),
    )
    # 3. versions, document pointers, audit events
    versions, events, discarded_sets, changed_docs = [], [], [], []
    published_products: set[int] = set()
    sets_by_decision = {(id(d), w): s for d, w, s in new_sets}
    for decision in active:
        document = decision.state.document
        changed = False
        if decision.discard:
            holder = document.checked_out_by.get_username() if document.checked_out_by else None
            if document.working_id is not None:
                discarded_sets.append(document.working_id)
            document.working_id = None
            document.checked_out_by_id = document.checked_out_at = document.saved_at = None
            events.append(
                _event(
                    tenant, document, DocumentAction.DISCARD, user_id, holder=holder, source=note
                )
            )
            changed = True
        draft_set = sets_by_decision.get((id(decision), "draft"))
        if draft_set is not None:
            document.version += 1
            document.draft_id = draft_set.pk
            versions.append(
                DocumentVersion(
                    tenant=tenant,
                    document=document,
                    number=document.version,
                    content_id=draft_set.pk,
                    note=note[:200],
                    created_by_id=user_id,
                )
            )
            events.append(
                _event(
                    tenant,
                    document,
                    DocumentAction.CHECKIN,
                    user_id,
                    source=note,
                    entries=len(decision.draft_rows),
                )
            )
            changed = True
        published_set = sets_by_decision.get((id(decision), "published"))
        if decision.publish_draft or published_set is not None:
            document.published_id = published_set.pk if published_set else document.draft_id
            if published_set is None:
                document.published_version = document.version
            document.published_at = now
            document.published_by_id = user_id
            events.append(
                _event(
                    tenant,
                    document,
                    DocumentAction.PUBLISH,
                    user_id,
                    source=note,
                    **({"unpublished": decision.removed} if decision.removed else {}),
                )
            )
            published_products.add(document.product_id)
            changed = True
        if changed:
            document.updated_at = now
            changed_docs.append(document)
    DocumentVersion.objects.bulk_create(versions, batch_size=BATCH)
    documents_update(changed_docs)
    DocumentEvent.objects.bulk_create(events, batch_size=BATCH)
    if discarded_sets:
        ContentSet.objects.filter(pk__in=discarded_sets).delete()
    media_published = _published_dependencies(tenant, changed_docs, user)
    if published_products:  # the read model re-projects exactly these on commit (R21)
        outbox_record(tenant=tenant, kind=OutboxKind.PRODUCT, ids=sorted(published_products))
    return {
        "versions": len(versions),
        "entries": entry_count,
        "documents_published": sum(1 for e in events if e.action == DocumentAction.PUBLISH),
        "media_published_as_dependencies": media_published,
        "products_published": len(published_products),
    }


ENTRY_COLUMNS = ("tenant_id", "content_set_id", *ENTRY_FIELDS)
DIMENSION_VALUES_AT = ENTRY_FIELDS.index("dimension_values")
DOCUMENT_UPDATE = (
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


def entries_insert(*, tenant: Tenant, rows: Iterable[tuple[int, dict]]) -> int:
    """Insert entries: PostgreSQL's COPY (the ORM's bulk_create spends most of a large
    import building model instances and SQL), else bulk_create."""
    if connection.vendor != "postgresql":
        entries = [
            AssignmentEntry(tenant=tenant, content_set_id=set_id, **row) for set_id, row in rows
        ]
        AssignmentEntry.objects.bulk_create(entries, batch_size=BATCH)
        return len(entries)
    table = AssignmentEntry._meta.db_table
    count = 0
    dumped: dict[str, str] = {"": "{}"}  # dimension values by combination key
    set_ids: set[int] = set()
    with connection.cursor() as cursor:
        copy_sql = f"COPY {table} ({', '.join(ENTRY_COLUMNS)}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for set_id, row in rows:
                combination = row["combination"]
                if combination not in dumped:
                    dumped[combination] = json.dumps(row["dimension_values"])
                values = [tenant.pk, set_id]
                values.extend(row[name] for name in ENTRY_FIELDS)
                values[2 + DIMENSION_VALUES_AT] = dumped[combination]
                copy.write_row(values)
                count += 1
                set_ids.add(set_id)
        # COPY leaves variant_number at its default: fill it from the variant, in one UPDATE.
        cursor.execute(
            f"UPDATE {table} e SET variant_number = v.number FROM {Variant._meta.db_table} v "
            "WHERE e.variant_id = v.id AND e.variant_number = '' AND e.tenant_id = %s "
            "AND e.content_set_id = ANY(%s)",
            [tenant.pk, list(set_ids)],
        )
    return count


def documents_update(documents: list[AssignmentDocument]) -> None:
    """Write the changed pointers of many documents in one UPDATE ... FROM (VALUES ...) on
    PostgreSQL (bulk_update's CASE per field and row is slow at thousands of rows)."""
    if not documents:
        return
    if connection.vendor != "postgresql":
        AssignmentDocument.objects.bulk_update(
            documents, [name.removesuffix("_id") for name, _ in DOCUMENT_UPDATE], batch_size=500
        )
        return
    # One array parameter per column (unnest), not one placeholder per value: a query with
    # tens of thousands of placeholders costs more to build than to run.
    table = AssignmentDocument._meta.db_table
    names = ", ".join(name for name, _ in DOCUMENT_UPDATE)
    arrays = ", ".join(["%s::bigint[]"] + [f"%s::{t}[]" for _, t in DOCUMENT_UPDATE])
    assignments = ", ".join(f"{name} = v.{name}" for name, _ in DOCUMENT_UPDATE)
    params = [[d.pk for d in documents]] + [
        [getattr(d, name) for d in documents] for name, _ in DOCUMENT_UPDATE
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS d SET {assignments} "
            f"FROM unnest({arrays}) AS v(id, {names}) WHERE d.id = v.id",
            params,
        )


def _event(tenant, document, action, user_id, **detail) -> DocumentEvent:
    return DocumentEvent(
        tenant=tenant,
        document=document,
        action=action,
        user_id=user_id,
        version=document.version,
        detail=detail,
    )


def _published_dependencies(tenant, documents, user) -> int:
    """PublishNow publishes the media the published content uses (R14 'publish all'):
    a manifest that says publish means it, and the shop must never show a draft."""
    set_ids = [d.published_id for d in documents if d.published_id is not None]
    if not set_ids:
        return 0
    used = AssignmentEntry.objects.filter(content_set_id__in=set_ids, media__isnull=False).values(
        "media_id"
    )
    count = 0
    for item in MediaItem.objects.filter(tenant=tenant, pk__in=used).exclude(
        status=MediaStatus.PUBLISHED
    ):
        with transaction.atomic():
            media_item_publish(item=item, user=user)
        count += 1
    return count
