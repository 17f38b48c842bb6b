"""Import a manifest (R18): validate everything, then apply, then report every row.

Order of work: parse -> validate the whole file (every error with its line number) ->
with errors and `on_error="abort"` write nothing -> otherwise apply media items, then all
assignment documents in bulk, in one transaction -> write the result manifest. A dry run
stops before applying and says, per row, what would be created, updated or skipped.

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

from tenants.models import Role, Tenant
from tenants.selectors import role_require

from .categories_apply import (
    CategoryDecision,
    category_decisions,
    category_decisions_apply,
    category_describe,
)
from .columns import FAILED, SKIPPED, SUCCEEDED, ErrorCode
from .documents_apply import (
    Decision,
    decision_describe,
    decisions_apply,
    document_decide,
    document_states_load,
)
from .files import FileSource
from .media_apply import media_plan_apply
from .parse import ManifestUnreadable, manifest_read
from .plan import ImportPlan, MediaPlan, RowPlan
from .result import result_write
from .validate import ManifestValidator

ON_ERROR_CHOICES = ("abort", "skip")


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
        manifest = manifest_read(source)
    except ManifestUnreadable as exc:
        raise ImportRefused(str(exc)) from None
    total = len(manifest.rows)
    counter = _Counter(progress, "validate", total)
    plan = ManifestValidator(
        tenant=tenant, manifest=manifest, files=files, progress=counter.advance
    ).run()
    report = ImportReport(rows=total, dry_run=dry_run)
    _failed_rows_mark(plan)
    if plan.error_count and on_error == "abort":
        report.aborted = True
        _not_applied(plan, f"{plan.error_count} row(s) have errors and --on-error is abort")
    elif dry_run:
        _dry_run(tenant, plan, report)
    else:
        _apply(tenant, plan, files, user, report, progress, on_error=on_error)
    _summarise(plan, report)
    if result_out is not None:
        result_write(out=result_out, manifest=manifest, plan=plan)
    return report


class _Counter:
    def __init__(self, progress, phase: str, total: int):
        self.progress, self.phase, self.total, self.done = progress, phase, total, 0

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        if self.progress is not None and (self.done % 1000 == 0 or self.done == self.total):
            self.progress(self.phase, self.done, self.total)


def _failed_rows_mark(plan: ImportPlan) -> None:
    for row in plan.rows:
        if row.errors:
            row.result, row.code = FAILED, row.errors[0][0]
            row.description = " ".join(f"Line {row.line}: {m}" for _, m in row.errors)
    for group in (*plan.documents.values(), *plan.categories.values()):
        bad = [r.line for r in group.rows if r.errors]
        if bad:
            group.failed = True
            what = "document" if group in plan.documents.values() else "category"
            for row in group.rows:
                if not row.errors:
                    row.result, row.code = SKIPPED, ErrorCode.NOT_APPLIED
                    row.description = (
                        f"Not applied: line(s) {', '.join(map(str, bad[:10]))} of the same "
                        f"{what} {group.label} failed."
                    )


def _not_applied(plan: ImportPlan, why: str) -> None:
    for row in plan.rows:
        if not row.errors and row.result != FAILED:
            row.result, row.code = SKIPPED, ErrorCode.NOT_APPLIED
            row.description = f"Not applied: {why}."


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
    return False, f"Media {media.item_id} unchanged" + (
        f" ({media.keep_note})." if media.keep_note else "."
    )


def _row_report(
    row: RowPlan, decision: Decision | CategoryDecision | None, *, dry_run: bool
) -> None:
    if row.result:
        return
    media_changed, media_text = _media_sentence(row.media, dry_run=dry_run)
    if row.media is not None and row.media.failed and not dry_run:
        row.result, row.code, row.description = FAILED, ErrorCode.APPLY_FAILED, media_text
        return
    doc_changed, doc_text = (False, "")
    if isinstance(decision, CategoryDecision):
        doc_changed, doc_text = category_describe(decision, dry_run=dry_run)
    elif decision is not None:
        doc_changed, doc_text = decision_describe(decision, dry_run=dry_run)
        if decision.skip_code:
            row.code = decision.skip_code
    text = " ".join(t for t in (media_text, doc_text) if t)
    row.description = ("Dry run: " + text) if dry_run else text
    if dry_run:
        row.result = SKIPPED
    else:
        row.result = SUCCEEDED if (media_changed or doc_changed) else SKIPPED


def _decisions(tenant, plan: ImportPlan, *, lock: bool) -> dict[tuple, Decision]:
    documents = [d for d in plan.documents.values() if not d.failed]
    states = document_states_load(tenant=tenant, plans=documents, lock=lock)
    return {d.key: document_decide(d, states.get(d.key)) for d in documents}


def _category_decisions(tenant, plan: ImportPlan) -> dict[int, CategoryDecision]:
    categories = [c for c in plan.categories.values() if not c.failed]
    return {d.plan.category_id: d for d in category_decisions(tenant=tenant, plans=categories)}


def _row_decision(row: RowPlan, decisions: dict, categories: dict):
    if row.document is not None:
        return decisions.get(row.document.key)
    if row.category is not None:
        return categories.get(row.category.category_id)
    return None


def _dry_run(tenant, plan: ImportPlan, report: ImportReport) -> None:
    decisions = _decisions(tenant, plan, lock=False)
    counts = {"would_create_media": 0, "would_update_media": 0, "would_change_documents": 0}
    for media in plan.media.values():
        if media.is_new:
            counts["would_create_media"] += 1
        elif media.update:
            counts["would_update_media"] += 1
    for decision in decisions.values():
        if decision_describe(decision, dry_run=True)[0]:
            counts["would_change_documents"] += 1
    categories = _category_decisions(tenant, plan)
    counts["would_change_categories"] = sum(
        category_describe(d, dry_run=True)[0] for d in categories.values()
    )
    for row in plan.rows:
        _row_report(row, _row_decision(row, decisions, categories), dry_run=True)
    report.counts.update(counts)


class _Rollback(Exception):
    """Undo the whole transaction: with on_error abort a late failure writes nothing."""


def _apply(
    tenant, plan: ImportPlan, files, user, report: ImportReport, progress, *, on_error: str
) -> None:
    failed_media: set[int] = set()
    try:
        _apply_atomic(tenant, plan, files, user, report, progress, on_error, failed_media)
    except _Rollback:
        report.aborted = True
        for row in plan.rows:
            if row.media is not None and row.media.failed and not row.result:
                row.result, row.code = FAILED, ErrorCode.APPLY_FAILED
                row.description = f"Line {row.line}: {row.media.failed}"
        _not_applied(plan, "a row failed while applying and --on-error is abort")


def _apply_atomic(tenant, plan, files, user, report, progress, on_error, failed_media) -> None:
    with transaction.atomic():
        good_media = {
            id(r.media): r.media for r in plan.rows if r.media is not None and not r.errors
        }
        counter = _Counter(progress, "media", len(good_media))
        for media in good_media.values():
            if media.is_new or media.update:
                media_plan_apply(tenant=tenant, plan=media, files=files, user=user)
            else:
                media.item_id, media.outcome = media.existing_id, "unchanged"
            if media.failed:
                failed_media.add(id(media))
            counter.advance()
        if failed_media and on_error == "abort":
            raise _Rollback
        for document in plan.documents.values():
            if not document.failed and any(
                e.media is not None and id(e.media) in failed_media for e in document.entries
            ):
                document.failed = True
                for row in document.rows:
                    if not row.result:
                        row.result, row.code = SKIPPED, ErrorCode.NOT_APPLIED
                        row.description = f"Not applied: a media item of {document.label} failed."
        if progress is not None:
            progress("documents", 0, len(plan.documents))
        decisions = _decisions(tenant, plan, lock=True)
        applied = decisions_apply(
            tenant=tenant,
            decisions=list(decisions.values()),
            user=user,
            note="manifest import",
        )
        for category in plan.categories.values():
            media = category.media
            if not category.failed and media is not None and id(media) in failed_media:
                category.failed = True
                for row in category.rows:
                    if not row.result:
                        row.result, row.code = SKIPPED, ErrorCode.NOT_APPLIED
                        row.description = f"Not applied: the image of {category.label} failed."
        categories = _category_decisions(tenant, plan)
        category_counts = category_decisions_apply(
            tenant=tenant, decisions=list(categories.values()), user=user
        )
        applied["media_published_as_dependencies"] += category_counts.pop(
            "media_published_as_dependencies"
        )
        applied.update(category_counts)
        if progress is not None:
            progress("documents", len(plan.documents), len(plan.documents))
    for row in plan.rows:
        _row_report(row, _row_decision(row, decisions, categories), dry_run=False)
    media_outcomes = [m.outcome for m in good_media.values()]
    report.counts.update(
        applied,
        media_created=media_outcomes.count("created"),
        media_updated=media_outcomes.count("updated"),
        media_deleted=media_outcomes.count("deleted"),
    )


def _summarise(plan: ImportPlan, report: ImportReport) -> None:
    for _, message in plan.header_errors:
        report.errors.append(message)
    for row in plan.rows:
        if row.result == FAILED:
            report.failed += 1
            if len(report.errors) < 100:
                report.errors.append(row.description)
        elif row.result == SUCCEEDED:
            report.succeeded += 1
        else:
            report.skipped += 1
    if plan.header_errors:
        report.failed = max(report.failed, 1)
