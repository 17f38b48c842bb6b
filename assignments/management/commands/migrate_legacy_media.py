"""`manage.py migrate_legacy_media --tenant T SOURCE` (R20): a thin wrapper around
`assignments.legacy` that parses options, shows progress and prints the report."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from assignments.legacy.apply import migration_apply, migration_user_check
from assignments.legacy.manifest import manifest_write
from assignments.legacy.names import (
    DEFAULT_DIMENSION_ORDER,
    DEFAULT_SEPARATOR,
    dimension_order_parse,
)
from assignments.legacy.plan import migration_plan_build
from assignments.legacy.sources import SourceError, legacy_source_open
from tenants.exceptions import DomainError
from tenants.models import Tenant
from tenants.outbox import outbox_settle


class Command(BaseCommand):
    help = (
        "Convert a library laid out by the legacy file-name convention (Products/, "
        "Categories/, Catalogs/) in a folder, a .zip or an s3://bucket/prefix into "
        "Omnichannel+Neutral assignments. Re-running is a no-op."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="folder, .zip or s3://bucket/prefix")
        parser.add_argument("--tenant", required=True, help="tenant slug")
        parser.add_argument(
            "--user", help="username that checks documents out (editor; publisher with --publish)"
        )
        parser.add_argument("--separator", default=DEFAULT_SEPARATOR)
        parser.add_argument(
            "--dimension-order",
            default=",".join(DEFAULT_DIMENSION_ORDER),
            help="order of the dimension values in variant file names (default style,size,color)",
        )
        parser.add_argument("--publish", action="store_true", help="publish what was assigned")
        parser.add_argument("--dry-run", action="store_true", help="report only; write nothing")
        parser.add_argument(
            "--emit-manifest",
            metavar="OUT.tsv",
            help="write the equivalent import manifest instead of importing",
        )

    def handle(self, *args, **options):
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"Unknown tenant '{options['tenant']}'.")
        if not options["separator"].strip():
            raise CommandError("--separator must not be blank.")
        try:
            order = dimension_order_parse(options["dimension_order"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        writes = not (options["dry_run"] or options["emit_manifest"])
        user = self._user(tenant, options, required=writes)
        try:
            source = legacy_source_open(spec=options["source"])
        except SourceError as exc:
            raise CommandError(str(exc)) from None
        try:
            plan = migration_plan_build(
                tenant=tenant,
                source=source,
                separator=options["separator"].strip(),
                dimension_order=order,
                progress=self._progress,
            )
            if options["emit_manifest"]:
                self._manifest(tenant, plan, options)
                return
            report = migration_apply(
                tenant=tenant,
                plan=plan,
                source=source,
                user=user,
                publish=options["publish"],
                dry_run=options["dry_run"],
                progress=self._progress,
            )
        except SourceError as exc:
            raise CommandError(str(exc)) from None
        finally:
            source.close()
        outbox_settle(tenant=tenant)
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(f"{len(report.failures)} entit(ies) could not be migrated.")
        self.stdout.write(self.style.SUCCESS("Done."))

    def _user(self, tenant, options, *, required: bool):
        name = options["user"]
        if not name:
            if required:
                raise CommandError(
                    "--user is required: documents are checked out and in as a user "
                    "(editor role; publisher with --publish)."
                )
            return None
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            raise CommandError(f"Unknown user '{name}'.")
        try:  # a dry run or a manifest says what the run would do: only to whom may run it
            migration_user_check(tenant=tenant, user=user, publish=options["publish"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        return user

    def _manifest(self, tenant, plan, options) -> None:
        target = Path(options["emit_manifest"])
        with open(target, "w", encoding="utf-8", newline="") as out:
            rows = manifest_write(tenant=tenant, plan=plan, out=out, publish=options["publish"])
        self.stdout.write(
            f"Wrote {rows} row(s) for {len(plan.products)} product(s) to {target}; nothing "
            f"was imported. {len(plan.unmatched)} file(s) match no entity."
        )
        if plan.categories:
            self.stdout.write(
                f"{len(plan.categories)} category image(s) are not in the manifest (the "
                "format has no category entity); run without --emit-manifest for those."
            )
        self.stdout.write(
            f"Import it with the files of {options['source']} as the manifest's files "
            "(paths are relative to SOURCE)."
        )

    def _progress(self, phase: str, done: int, total: int) -> None:
        if total and (done == total or done % 50 == 0):
            self.stderr.write(f"{phase}: {done}/{total}")
