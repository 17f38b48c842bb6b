"""`manage.py import_manifest`: a thin wrapper around `manifests.importer.manifest_import`."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from assignments.manifests.bundle import zip_check, zip_manifest
from assignments.manifests.cleanup import import_run_journal, import_staging
from assignments.manifests.files import FileSource, FilesUnreadable
from assignments.manifests.importer import ImportRefused, manifest_import
from assignments.manifests.progress import ProgressBar
from tenants.exceptions import DomainError
from tenants.models import Tenant
from tenants.outbox import outbox_settle


class Command(BaseCommand):
    help = (
        "Import a TSV manifest of media items and product media assignments (R18). The whole "
        "file is validated first; a result manifest (Result, ErrorCode, ResultDescription per "
        "row) is always written. Assignment rows REPLACE the content of the documents they name."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help="the .tsv manifest, or a .zip that export_manifest made (manifest + files)"
        )
        parser.add_argument("--tenant", required=True, help="tenant slug")
        parser.add_argument(
            "--files",
            help="folder or .zip holding the files (default: the manifest's folder, or the "
            "zip the manifest came in)",
        )
        parser.add_argument("--dry-run", action="store_true", help="validate and report only")
        parser.add_argument("--on-error", choices=("abort", "skip"), default="abort")
        parser.add_argument(
            "--result", help="where to write the result manifest (default: PATH.result.tsv)"
        )
        parser.add_argument("--user", help="username recorded as author (needs the admin role)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"Unknown tenant '{options['tenant']}'.")
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No manifest at {path}.")
        files = options["files"]
        if files is not None and not Path(files).exists():
            raise CommandError(f"No folder or zip at {files}.")
        with open(path, "rb") as probe:
            try:
                zipped = zip_check(probe)  # before the result file is made
            except ImportRefused as exc:
                raise CommandError(str(exc)) from None
        if zipped and files is None:
            files = str(path)  # an export zip: its files are beside its manifest
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"Unknown user '{options['user']}'.")
        result_path = Path(options["result"] or f"{path.with_suffix('')}.result.tsv")
        bar = ProgressBar(self.stderr._out, enabled=not options["no_progress"])
        try:
            with (
                # New media files are journaled: a rollback's (or a kill's) are removed.
                import_staging(journal=import_run_journal(tenant)),
                FileSource.for_path(files, manifest=path) as source,
                ExitStack() as opened,
                open(result_path, "w", encoding="utf-8", newline="") as result,
            ):
                manifest = opened.enter_context(open(path, "rb"))
                if zipped:
                    manifest = opened.enter_context(zip_manifest(manifest))
                report = manifest_import(
                    tenant=tenant,
                    source=manifest,
                    files=source,
                    user=user,
                    dry_run=options["dry_run"],
                    on_error=options["on_error"],
                    result_out=result,
                    progress=bar,
                )
        except FilesUnreadable as exc:
            raise CommandError(f"--files: {exc}") from None
        except (ImportRefused, DomainError) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from exc
        finally:
            bar.close()
        outbox_settle(tenant=tenant)
        summary = ", ".join(f"{k}: {v}" for k, v in report.as_counts().items())
        self.stdout.write(f"{summary}\nResult manifest: {result_path}")
        if not report.ok:
            details = "\n".join(f"  {line}" for line in report.errors[:20])
            more = f"\n  ... and {report.failed - 20} more" if report.failed > 20 else ""
            verdict = "nothing was applied" if report.aborted else "the other rows were applied"
            raise CommandError(f"{report.failed} row(s) failed; {verdict}:\n{details}{more}")
        self.stdout.write(
            self.style.SUCCESS("Dry run: nothing was written." if report.dry_run else "Imported.")
        )
