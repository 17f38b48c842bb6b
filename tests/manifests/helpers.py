"""Helpers for manifest tests: write manifests as text, import them, read results back."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from assignments.manifests.export import ExportSelection, manifest_write
from assignments.manifests.files import FileSource
from assignments.manifests.importer import ImportReport, manifest_import
from assignments.models import AssignmentDocument, AssignmentEntry, DocumentVersion
from media_library.models import MediaItem
from tenants.outbox import outbox_settle


def tsv(header: list[str], *rows: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, dialect="excel-tab", lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def records(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), dialect="excel-tab"))


def run_import(
    tenant,
    text: str | bytes,
    *,
    folder: Path | None = None,
    archive=None,
    user=None,
    dry_run: bool = False,
    on_error: str = "abort",
) -> tuple[ImportReport, list[dict[str, str]]]:
    """Import a manifest given as text; returns the report and the result manifest rows."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    result = io.StringIO()
    with FileSource(folder=folder, archive=archive) as files:
        report = manifest_import(
            tenant=tenant,
            source=io.BytesIO(data),
            files=files,
            user=user,
            dry_run=dry_run,
            on_error=on_error,
            result_out=result,
        )
    # Tests run inside one transaction, so on-commit drains never fire: project now, as
    # the import's commit would have (R21).
    outbox_settle(tenant=tenant)
    return report, records(result.getvalue())


def export_text(tenant, kind: str = "assignments", **selection) -> str:
    out = io.StringIO()
    manifest_write(tenant=tenant, selection=ExportSelection(kind=kind, **selection), out=out)
    return out.getvalue()


def snapshot(tenant) -> dict:
    """Everything an import may write, to prove that a refused one wrote nothing."""
    return {
        "documents": list(
            AssignmentDocument.objects.filter(tenant=tenant)
            .order_by("pk")
            .values_list("pk", "version", "draft_id", "published_id", "checked_out_by_id")
        ),
        "entries": AssignmentEntry.objects.filter(tenant=tenant).count(),
        "versions": DocumentVersion.objects.filter(tenant=tenant).count(),
        "media": list(
            MediaItem.objects.filter(tenant=tenant)
            .order_by("pk")
            .values_list("pk", "version", "status", "display_name", "alt_text")
        ),
    }
