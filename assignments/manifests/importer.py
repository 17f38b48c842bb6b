"""Import a manifest (R18): validate everything, then apply, then report every row.

Order of work: validate the whole file (every error with its line number) -> with errors
and `on_error="abort"` write nothing -> otherwise apply media items, then assignment
documents a batch at a time through the bulk services, then category images, all in one
transaction -> write the result manifest. A dry run stops before applying and says, per
row, what would be created, updated or skipped.

Bounded memory (issue 16): the file is read three times (validation, apply needs only the
store, the result manifest), never held whole; what validation learns lives in a
temporary PlanStore, and the result manifest is written row by row as it is made.

With `on_error="skip"`, a document any of whose rows failed is left untouched (its good
rows are reported Skipped): its rows replace the document's content, so applying part of
them would silently drop the assignments on the bad rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from media_library.models import MediaItem
from tenants.models import Role, Tenant
from tenants.selectors import role_require
from tenants.statistics import GrowthAnalyzer

from .categories_apply import (
    category_decisions,
    category_decisions_apply,
    category_describe,
)
from .columns import FAILED, SKIPPED, SUCCEEDED, ErrorCode
from .documents_apply import (
    decision_describe,
    decisions_apply,
    document_decide,
    document_starts_record,
    document_states_load,
)
from .files import FileSource
from .media_apply import media_plans_apply
from .parse import ManifestReader, ManifestUnreadable
from .plan import VERSION_CHANGED, DocumentPlan, ImportPlan, MediaPlan
from .result import ResultWriter
from .store import PlanStore
from .validate import ManifestValidator

ON_ERROR_CHOICES = ("abort", "skip")
ERRORS_LISTED = 100
RESULT_BATCH = 5000
ANALYZE_FIRST = 5000  # new items after which the library's statistics are first refreshed


class ImportRefused(Exception):
    """The import could not run at all (unreadable file); nothing was written."""


@dataclass
class ImportReport:
    rows: int = 0
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0
    dry_run: bool = False
    aborted: bool = False
    counts: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # "line N: message", first 100

    def as_counts(self) -> dict:
        return {
            "rows": self.rows,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "skipped": self.skipped,
            "dry_run": self.dry_run,
            "aborted": self.aborted,
            **self.counts,
        }

    @property
    def ok(self) -> bool:
        return not self.failed and not self.aborted


def manifest_import(
    *,
    tenant: Tenant,
    source: IO[bytes],
    files: FileSource | None,
    user: AbstractBaseUser | None,
    dry_run: bool = False,
    on_error: str = "abort",
    result_out: IO[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportReport:
    """Import one manifest into `tenant`. `user` None is an operator at the shell (no role
    check); otherwise imports need the admin role (R1a). `progress(phase, done, total)`."""
    if user is not None:
        role_require(tenant=tenant, user=user, role=Role.ADMIN, action="import manifests")
    if on_error not in ON_ERROR_CHOICES:
        raise ImportRefused(f"--on-error must be one of {', '.join(ON_ERROR_CHOICES)}.")
    try:
        reader = ManifestReader(source)
    except ManifestUnreadable as exc:
        raise ImportRefused(str(exc)) from None
    with PlanStore() as store:
        counter = _Counter(progress, "validate", reader.rows_estimate())
        try:
            plan = ManifestValidator(
                tenant=tenant, reader=reader, files=files, store=store, progress=counter.advance
            ).run()
        except ManifestUnreadable as exc:
            raise ImportRefused(str(exc)) from None
        counter.finish(plan.rows)
        report = ImportReport(rows=plan.rows, dry_run=dry_run)
        outcome = _Outcome()
        if plan.error_count and on_error == "abort":
            report.aborted = True
            outcome.why = f"{plan.error_count} row(s) have errors and --on-error is abort"
            if plan.header_errors:  # said on every row: the result manifest shows what to fix
                header = " ".join(message for _, message in plan.header_errors)
                outcome.why = f"{header} Nothing was applied: {outcome.why}"
        elif dry_run:
            _starts_record(tenant, plan)
            _dry_run(tenant, plan, report)
        else:
            _starts_record(tenant, plan)
            _apply(tenant, plan, files, user, report, progress, outcome, on_error=on_error)
        _results(plan, reader, report, outcome, result_out)
    return report


class _Counter:
    def __init__(self, progress, phase: str, total: int):
        self.progress, self.phase, self.total, self.done = progress, phase, total, 0

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        if self.progress is not None and self.done % 1000 == 0:
            self.progress(self.phase, self.done, max(self.total, self.done))

    def finish(self, total: int) -> None:
        self.total = total
        if self.progress is not None:
            self.progress(self.phase, total, total)


@dataclass
class _Outcome:
    """How an import ended, for the rows' results: why nothing was applied (abort), and
    whether a failure while applying rolled everything back."""

    why: str = ""
    rolled_back: bool = False


# --- dry run and apply --------------------------------------------------------------


def _starts_record(tenant: Tenant, plan: ImportPlan) -> None:
    """Where each document without content of its own starts, noted before any write."""
    store: PlanStore = plan.store
    for batch in store.documents():
        document_starts_record(tenant=tenant, plans=batch)
        store.documents_save(batch)


def _documents_in_batches(plan: ImportPlan, failed_media: set[int] | None = None):
    """Every document plan, a batch at a time, with its entries and their media plans;
    documents that failed validation come too (to be saved back), with no entries."""
    store: PlanStore = plan.store
    for batch in store.documents():
        active = [d for d in batch if not d.failed]
        entries = store.entries_of([d.idx for d in active])
        # Only items the import creates need their plan: the others' ids are in the entries.
        wanted = {
            e.media_idx
            for es in entries.values()
            for e in es
            if e.media_id is None and e.media_idx >= 0
        }
        media = store.media_by_idx(wanted) if wanted else {}
        for document in active:
            document.entries = entries[document.idx]
            for entry in document.entries:
                entry.media = media.get(entry.media_idx)
            if failed_media and any(e.media_idx in failed_media for e in document.entries):
                document.failed = True
                document.skip_text = f"Not applied: a media item of {document.label} failed."
        yield batch, [d for d in active if not d.failed]


def _decide(tenant: Tenant, documents: list[DocumentPlan], *, lock: bool) -> dict:
    states = document_states_load(tenant=tenant, plans=documents, lock=lock)
    return {d.key: document_decide(d, states.get(d.key)) for d in documents}


def _outcomes_note(documents: list[DocumentPlan], decisions: dict, *, dry_run: bool) -> int:
    """Each decided document's sentence for its rows; returns how many change."""
    changed = 0
    for document in documents:
        decision = decisions[document.key]
        document.changed, document.outcome_text = decision_describe(decision, dry_run=dry_run)
        document.outcome_code = decision.skip_code
        changed += document.changed
    return changed


def _dry_run(tenant, plan: ImportPlan, report: ImportReport) -> None:
    store: PlanStore = plan.store
    media = store.media_counts()
    counts = {
        "would_create_media": media["new"],
        "would_update_media": media["update"],
        "would_change_documents": 0,
    }
    for batch, active in _documents_in_batches(plan):
        decisions = _decide(tenant, active, lock=False)
        counts["would_change_documents"] += _outcomes_note(active, decisions, dry_run=True)
        store.documents_save(batch)
    counts["would_change_categories"] = _categories_decide(tenant, plan, dry_run=True)[1]
    report.counts.update(counts)


def _categories_decide(tenant, plan: ImportPlan, *, dry_run: bool):
    categories = [c for c in plan.categories.values() if not c.failed]
    if categories:
        fresh = plan.store.media_by_idx({c.media.idx for c in categories if c.media} - {-1})
        for category in categories:
            if category.media is not None and category.media.idx in fresh:
                category.media = fresh[category.media.idx]
    decisions = category_decisions(tenant=tenant, plans=categories)
    changed = 0
    for decision in decisions:
        decision.plan.changed, decision.plan.outcome_text = category_describe(
            decision, dry_run=dry_run
        )
        changed += decision.plan.changed
    return decisions, changed


class _Rollback(Exception):
    """Undo the whole transaction: with on_error abort a late failure writes nothing."""


def _apply(tenant, plan, files, user, report, progress, outcome, *, on_error: str) -> None:
    try:
        _apply_atomic(tenant, plan, files, user, report, progress, on_error)
    except _Rollback:
        report.aborted = True
        outcome.rolled_back = True
        outcome.why = "a row failed while applying and --on-error is abort"


def _apply_atomic(tenant, plan: ImportPlan, files, user, report, progress, on_error) -> None:
    store: PlanStore = plan.store
    failed_media: set[int] = set()
    applied: dict = {
        "versions": 0,
        "entries": 0,
        "documents_published": 0,
        "media_published_as_dependencies": 0,
        "products_published": 0,
    }
    # The library grows by up to a row a line inside this one transaction: its
    # statistics are refreshed as it does, or each batch's lookups scan it (quadratic).
    library = GrowthAnalyzer(MediaItem, first=ANALYZE_FIRST)
    with transaction.atomic():
        done = 0
        for batch in store.media_to_apply():
            media_plans_apply(tenant=tenant, plans=batch, files=files, user=user)
            failed_media.update(media.idx for media in batch if media.failed)
            store.media_save(batch)
            done += len(batch)
            library.grew(sum(media.outcome == "created" for media in batch))
            if progress is not None:
                progress("media", done, done)
        if failed_media and on_error == "abort":
            raise _Rollback
        total, done = store.document_count(), 0
        for batch, active in _documents_in_batches(plan, failed_media):
            decisions = _decide(tenant, active, lock=True)
            counts = decisions_apply(
                tenant=tenant, decisions=list(decisions.values()), user=user, note="manifest import"
            )
            for name, value in counts.items():
                applied[name] += value
            _outcomes_note(active, decisions, dry_run=False)
            store.documents_save(batch)
            done += len(batch)
            if progress is not None:
                progress("documents", done, total)
        for category in plan.categories.values():
            media = category.media
            if not category.failed and media is not None and media.idx in failed_media:
                category.failed = True
                category.skip_text = f"Not applied: the image of {category.label} failed."
        decisions, _ = _categories_decide(tenant, plan, dry_run=False)
        category_counts = category_decisions_apply(tenant=tenant, decisions=decisions, user=user)
        applied["media_published_as_dependencies"] += category_counts.pop(
            "media_published_as_dependencies"
        )
        applied.update(category_counts)
    media = store.media_counts()
    report.counts.update(
        applied,
        media_created=media["created"],
        media_updated=media["updated"],
        media_deleted=media["deleted"],
    )


# --- the result of every row --------------------------------------------------------


def _media_sentence(media: MediaPlan | None, *, dry_run: bool) -> tuple[bool, str]:
    if media is None:
        return False, ""
    label = media.display_name or (f"media {media.existing_id}" if media.existing_id else "")
    if dry_run:
        if media.is_new:
            return True, f"Media '{label}' would be created."
        if media.update:
            return True, f"Media {media.existing_id} would be updated."
        return False, f"Media {media.existing_id} unchanged" + (
            f" ({media.keep_note})." if media.keep_note else "."
        )
    if media.failed:
        return False, media.failed
    if media.outcome == "created":
        return True, f"Media {media.item_id} '{label}' created."
    if media.outcome in ("updated", "deleted"):
        return True, f"Media {media.existing_id or media.item_id} {media.outcome}."
    return False, f"Media {media.id_now} unchanged" + (
        f" ({media.keep_note})." if media.keep_note else "."
    )


def _row_result(
    line: int, errors, media, group, plan: ImportPlan, report: ImportReport, outcome: _Outcome
) -> tuple[str, str, str]:
    """(Result, ErrorCode, ResultDescription) of one row."""
    if errors:
        return FAILED, errors[0][0], " ".join(f"Line {line}: {m}" for _, m in errors)
    if group is not None and group.bad_lines:
        what = "document" if isinstance(group, DocumentPlan) else "category"
        return (
            SKIPPED,
            ErrorCode.NOT_APPLIED,
            f"Not applied: line(s) {', '.join(map(str, group.bad_lines))} of the same "
            f"{what} {group.label} failed.",
        )
    if report.aborted:
        if outcome.rolled_back and media is not None and media.failed:
            return FAILED, ErrorCode.APPLY_FAILED, f"Line {line}: {media.failed}"
        return SKIPPED, ErrorCode.NOT_APPLIED, f"Not applied: {outcome.why}."
    dry_run = report.dry_run
    if media is not None and media.failed and not dry_run:
        return FAILED, ErrorCode.APPLY_FAILED, media.failed
    if group is not None and group.skip_text:
        return SKIPPED, ErrorCode.NOT_APPLIED, group.skip_text
    media_changed, media_text = _media_sentence(media, dry_run=dry_run)
    group_changed, group_text, code = False, "", ""
    if group is not None:
        group_changed, group_text = group.changed, group.outcome_text
        code = getattr(group, "outcome_code", "")
    if not code and media is not None and media.keep_note.startswith(VERSION_CHANGED):
        code = ErrorCode.VERSION_MISMATCH  # kept as the library has it, like a document
    text = " ".join(t for t in (media_text, group_text) if t)
    if dry_run:
        return SKIPPED, code, "Dry run: " + text
    return (SUCCEEDED if (media_changed or group_changed) else SKIPPED), code, text


def _results(
    plan: ImportPlan, reader: ManifestReader, report: ImportReport, outcome, out: IO[str] | None
) -> None:
    """The last pass over the file: every row's result, counted for the report and written
    to the result manifest as it is made (R18)."""
    store: PlanStore = plan.store
    writer = ResultWriter(out, reader.header) if out is not None else None
    for _, message in plan.header_errors:
        report.errors.append(message)
    if plan.header_errors and writer is not None and not plan.rows:
        writer.header_failure(plan.header_errors)
    errors = store.errors_in_line_order()
    pending = next(errors, None)
    rows = reader.rows()
    ordinal = 0
    categories = {c.idx: c for c in plan.categories.values()}
    while batch := [row for _, row in zip(range(RESULT_BATCH), rows, strict=False)]:
        span = range(ordinal, ordinal + len(batch))
        ordinal += len(batch)
        media = store.media_briefs({plan.row_media[i] for i in span} - {-1})
        documents = store.documents_by_idx({plan.row_documents[i] for i in span} - {-1})
        for row, i in zip(batch, span, strict=True):
            row_errors = []
            while pending is not None and pending[0] <= row.line:
                if pending[0] == row.line:
                    row_errors.append(pending[1:])
                pending = next(errors, None)
            group = documents.get(plan.row_documents[i]) or categories.get(plan.row_categories[i])
            result, code, description = _row_result(
                row.line, row_errors, media.get(plan.row_media[i]), group, plan, report, outcome
            )
            if result == FAILED:
                report.failed += 1
                if len(report.errors) < ERRORS_LISTED:
                    report.errors.append(description)
            elif result == SUCCEEDED:
                report.succeeded += 1
            else:
                report.skipped += 1
            if writer is not None:
                writer.row(row.values, result, code, description)
    if plan.header_errors:
        report.failed = max(report.failed, 1)
