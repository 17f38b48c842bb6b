"""`manage.py export_manifest`: a thin wrapper around `manifests.export.export_to_path`."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assignments.manifests.export import ExportSelection, export_to_path, selection_check
from tenants.exceptions import DomainError
from tenants.models import Tenant


class Command(BaseCommand):
    help = (
        "Export the media library or product media assignments as a TSV manifest (R18), with "
        "the files alongside: OUT is a .zip, a folder (manifest.tsv + media/), or a bare .tsv."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", help="OUT.zip, a folder, or OUT.tsv (manifest only)")
        parser.add_argument("--tenant", required=True, help="tenant slug")
        parser.add_argument("--kind", choices=("media", "assignments"), default="media")
        parser.add_argument("--products", nargs="+", metavar="NUMBER", help="only these products")
        parser.add_argument(
            "--media-ids", nargs="+", type=int, metavar="ID", help="only these items"
        )
        parser.add_argument(
            "--base-url",
            default="",
            help="site origin (https://media.example.com) for MediaPublishedURL and "
            "MediaPreviewURL when MEDIA_PUBLIC_BASE_URL is not set",
        )
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--locale", help="only this locale's documents (e.g. neutral, en-us)")
        scope.add_argument("--all-locales", action="store_true", help="every locale (the default)")

    def handle(self, *args, **options):
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"Unknown tenant '{options['tenant']}'.")
        selection = ExportSelection(
            kind=options["kind"],
            media_ids=options["media_ids"],
            product_numbers=options["products"],
            locale=None if options["all_locales"] else options["locale"],
            base_url=options["base_url"],
        )
        try:
            selection_check(tenant=tenant, selection=selection)
            self.stderr.write(f"Exporting {selection.kind} of {tenant.slug}...")
            summary = export_to_path(
                tenant=tenant, selection=selection, target=Path(options["out"])
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        except OSError as exc:
            raise CommandError(f"Cannot write {options['out']}: {exc}") from exc
        if not (options["base_url"] or settings.MEDIA_PUBLIC_BASE_URL):
            self.stderr.write(
                self.style.WARNING(
                    "MediaPublishedURL and MediaPreviewURL are site-relative (/p/...): give "
                    "--base-url https://your-site (or set MEDIA_PUBLIC_BASE_URL) for absolute "
                    "URLs."
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported to {summary['path']}: "
                + (f"{summary['rows']} row(s), " if summary["rows"] >= 0 else "")
                + f"{summary['files']} media item(s) with files."
            )
        )
