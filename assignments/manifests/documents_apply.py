"""Apply the assignment part of a manifest in bulk (R12, R18).

A manifest's rows for one document REPLACE that document's content with what they list,
as a new checked-in version. This module decides (and describes, for the result manifest
and dry runs); the writing goes through the bulk services of `assignments.services`
(`documents_checkin_bulk`, `documents_publish_bulk`, ...), which leave exactly what the
single-document services leave behind (versions, audit events, check-in hooks, outbox
rows) with a handful of statements for all documents together (a 100,000-row manifest
must not cost a query per row). Content identical to the document's current content
makes no version, which is what makes re-importing the same manifest a no-op.

Checked-out documents follow `EntityCheckedOutAction`: UseExisting leaves them to their
holder, Overwrite discards the holder's working copy (audited) and writes anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from media_library.models import MediaItem, MediaStatus
from media_library.services import media_item_publish
from tenants.models import Tenant

from .. import services as assignment_services
from ..content import matrix_normalize
from ..models import AssignmentDocument, AssignmentEntry, ContentSet
from ..services import BATCH, BulkResult, ContentItem, documents_start_sets, start_entries_load
from ..validation import ENTRY_FIELDS
from .plan import DocumentPlan, EntryPlan

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
    # A document with no content of its own starts from what its context inherits (R12):
    # those entries and matrix, with `started_from` ("inherited from web/en-us").
    base_rows: list[dict] | None = None
    base_matrix: tuple[str, ...] = ()
    started_from: str = ""


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
            has_media = entry.media_idx >= 0
            crop = entry.crop if has_media else None
            x, y, width, height = crop if crop is not None else (None, None, None, None)
            rows.append(
                {
                    "scope": entry.scope,
                    "dimension_values": entry.dimension_values,
                    "combination": entry.combination,
                    "variant_id": entry.variant_id,
                    "slot": slot,
                    "position": position,
                    "media_id": entry_media_id(entry) if has_media else None,
                    "purpose_id": entry.purpose_id,
                    "swatch_dimension": entry.swatch_dimension,
                    "swatch_value": entry.swatch_value,
                    "swatch_hex": "" if has_media else entry.swatch_hex,
                    "crop_x": x,
                    "crop_y": y,
                    "crop_width": width,
                    "crop_height": height,
                }
            )
    return rows


def entry_media_id(entry: EntryPlan) -> int | None:
    """The library id of an entry's media: known from validation for existing items, from
    the apply step (its plan, loaded with the batch) for items the import creates."""
    if entry.media_id is not None:
        return entry.media_id
    return entry.media.id_now if entry.media is not None else None


def _crop_fields(crop: tuple[int, int, int, int] | None) -> dict:
    x, y, width, height = crop if crop is not None else (None, None, None, None)
    return {"crop_x": x, "crop_y": y, "crop_width": width, "crop_height": height}


def _overlay(base: list[dict], rows: list[dict], matrix: tuple[str, ...]) -> list[dict]:
    """The inherited content with the manifest's rows in place of the entity slots they
    name (a slot the manifest names is replaced whole, every other one is carried over),
    as if the first edit had changed just those slots (R12). Inherited dimension
    combinations of another matrix are dropped, as a matrix change drops them."""
    named = {(r["scope"], r["combination"], r["variant_id"], r["slot"]) for r in rows}
    kept = [
        r
        for r in base
        if (r["scope"], r["combination"], r["variant_id"], r["slot"]) not in named
        and (r["scope"] != "dimension" or matrix_normalize(r["dimension_values"]) == matrix)
    ]
    return kept + rows


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
    states: dict[tuple, DocumentState] = {}
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
    _inherited_starts_load(plans=plans, states=states)
    return states


def document_starts_record(*, tenant: Tenant, plans: list[DocumentPlan]) -> None:
    """Before anything is written: for each document, the content an edit of it starts
    from when it has none of its own, chosen by `documents_start_sets` (the function the
    check-out uses), so a manifest row edits what the API's first edit would (R12). Noted
    once for the whole import, against the state it began with: a document the same
    manifest changes does not pass its new content on to contexts imported after it."""
    pending = [p for p in plans if not p.removes and not p.failed]
    existing: dict[tuple, AssignmentDocument] = {}
    product_ids = sorted({p.product_id for p in pending})
    for start in range(0, len(product_ids), BATCH):
        for document in AssignmentDocument.objects.filter(
            tenant=tenant, product_id__in=product_ids[start : start + BATCH]
        ):
            existing[(document.product_id, document.channel_id, document.locale_id)] = document
    documents = [
        existing.get(p.key)
        or AssignmentDocument(
            tenant=tenant, product_id=p.product_id, channel_id=p.channel_id, locale_id=p.locale_id
        )
        for p in pending
    ]
    for plan, begin in zip(
        pending, documents_start_sets(tenant=tenant, documents=documents), strict=True
    ):
        if begin.inherited:
            plan.start_set, plan.started_from = begin.set_id, begin.started_from


def _inherited_starts_load(
    *, plans: list[DocumentPlan], states: dict[tuple, DocumentState]
) -> None:
    """The noted start (`document_starts_record`) of documents that, now locked, still
    have no content of their own: its entries and matrix become their `base_rows`."""
    pending = [
        p
        for p in plans
        if p.start_set is not None
        and not p.removes
        and not (states.get(p.key) and states[p.key].own_rows)
    ]
    if not pending:
        return
    sets = {p.start_set for p in pending}
    rows = start_entries_load(set_ids=sets)
    matrices = dict(ContentSet.objects.filter(pk__in=sets).values_list("pk", "matrix"))
    for plan in pending:
        state = states.setdefault(plan.key, DocumentState(document=None))
        state.base_rows = rows.get(plan.start_set, [])
        state.base_matrix = matrix_normalize(matrices.get(plan.start_set, ()))
        state.started_from = plan.started_from


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
    started_from: str = ""  # "inherited from ...": a new context's first edit (R12)


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
    inherits = state is not None and state.base_rows is not None
    current_matrix = (state.base_matrix if inherits else state.own_matrix) if state else ()
    decision.matrix = plan.matrix if plan.matrix is not None else current_matrix
    if plan.removes:
        return _removal_decide(decision, state)
    rows = _entry_rows(plan)
    if inherits:
        rows = _overlay(state.base_rows, rows, decision.matrix)
        decision.started_from = state.started_from
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
        start = f", starting from the content {decision.started_from}" * bool(decision.started_from)
        parts.append(
            f"{plan.label} {would or ''}checked in as version {decision.new_version} "
            f"({len(decision.draft_rows)} entries{start})"
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
    """Write every decision through the bulk services of `assignments.services`, each a
    fixed number of statements: discard the working copies taken over (Overwrite), check
    in the new contents, publish the drafts, take unpublished entries out. They carry the
    role and holder checks, versions, audit events, check-in hooks and outbox rows of
    the single-document services. Must run inside the import's transaction."""
    active = [d for d in decisions if not d.skip_reason]
    for decision in active:  # documents that do not exist yet are created by the check-in
        if decision.state is None or decision.state.document is None:
            decision.state = DocumentState(
                document=AssignmentDocument(
                    tenant=tenant,
                    product_id=decision.plan.product_id,
                    channel_id=decision.plan.channel_id,
                    locale_id=decision.plan.locale_id,
                )
            )
    source = {"source": note}
    discard = [d.state.document for d in active if d.discard]
    if discard:
        assignment_services.documents_discard_bulk(
            tenant=tenant, user=user, documents=discard, detail=source
        )
    checkins = [
        ContentItem(
            document=d.state.document,
            rows=d.draft_rows,
            matrix=d.matrix,
            detail={**source, "started_from": d.started_from} if d.started_from else source,
        )
        for d in active
        if d.draft_rows is not None
    ]
    checked_in = BulkResult()
    if checkins:
        checked_in = assignment_services.documents_checkin_bulk(
            tenant=tenant, user=user, items=checkins, note=note
        )
    publish = [d for d in active if d.publish_draft]
    published = BulkResult()
    if publish:
        published = assignment_services.documents_publish_bulk(
            tenant=tenant,
            user=user,
            documents=[d.state.document for d in publish],
            detail=source,
            details={d.state.document.pk: {"unpublished": d.removed} for d in publish if d.removed},
        )
    removals = [
        ContentItem(
            document=d.state.document,
            rows=d.published_rows,
            matrix=d.matrix,
            detail={**source, "unpublished": d.removed},
        )
        for d in active
        if d.published_rows is not None
    ]
    unpublished = BulkResult()
    if removals:
        unpublished = assignment_services.documents_unpublish_entries_bulk(
            tenant=tenant, user=user, items=removals
        )
    touched = [
        d.state.document
        for d in active
        if d.discard or d.draft_rows is not None or d.publish_draft or d.published_rows is not None
    ]
    published_documents = [*published.documents, *unpublished.documents]
    return {
        "versions": len(checked_in.documents),
        "entries": checked_in.entries + unpublished.entries,
        "documents_published": len(published_documents),
        "media_published_as_dependencies": _published_dependencies(tenant, touched, user),
        "products_published": len({d.product_id for d in published_documents}),
    }


def _published_dependencies(tenant, documents, user) -> int:
    """PublishNow publishes the media the published content uses (R14 'publish all'):
    a manifest that says publish means it, and the shop must never show a draft."""
    set_ids = [d.published_id for d in documents if d.published_id is not None]
    if not set_ids:
        return 0
    used = AssignmentEntry.objects.filter(content_set_id__in=set_ids, media__isnull=False).values(
        "media_id"
    )
    return media_dependencies_publish(tenant=tenant, media_ids=used, user=user)


def media_dependencies_publish(*, tenant: Tenant, media_ids, user) -> int:
    """Publish those of these items (ids, or a subquery of ids) that are still drafts,
    through the media library's service, each in its own savepoint; returns how many."""
    count = 0
    for item in MediaItem.objects.filter(tenant=tenant, pk__in=media_ids).exclude(
        status=MediaStatus.PUBLISHED
    ):
        with transaction.atomic():
            media_item_publish(item=item, user=user)
        count += 1
    return count
