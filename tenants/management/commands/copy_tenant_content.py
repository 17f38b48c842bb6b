from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tenants.copy.jobs import copy_job_create
from tenants.copy.options import (
    ConflictBehaviour,
    VersionChoice,
    copy_options_parse,
    pairs_parse,
)
from tenants.copy.report import CopyReport
from tenants.copy.services import CopyPlan, copy_prepare, tenant_content_copy
from tenants.exceptions import DomainError, ValidationFailed
from tenants.jobs.runner import job_execute
from tenants.models import JobStatus, Tenant
from tenants.outbox import outbox_settle


def _reasons(exc: DomainError) -> str:
    if isinstance(exc, ValidationFailed):
        return "\n".join(f"  - {field or 'body'}: {reason}" for field, reason in exc.errors)
    return exc.message


class Command(BaseCommand):
    help = (
        "Copy all omnichannel content (media, purposes, product assignment documents, "
        "category images) from a source tenant into a destination tenant (R19). Runs in "
        "this process, recorded as a copy job in the destination's jobs list."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", required=True, help="source tenant slug")
        parser.add_argument(
            "--to", dest="destination", required=True, help="destination tenant slug"
        )
        parser.add_argument(
            "--conflict",
            choices=ConflictBehaviour.values,
            default=ConflictBehaviour.KEEP_DESTINATION,
            help="what to do with items that already exist in the destination",
        )
        parser.add_argument(
            "--versions",
            choices=VersionChoice.values,
            default=VersionChoice.PUBLISHED,
            help="copy published versions only, or the latest checked-in draft too",
        )
        parser.add_argument("--map-channel", action="append", metavar="SRC=DEST", help="repeatable")
        parser.add_argument("--map-locale", action="append", metavar="SRC=DEST", help="repeatable")
        parser.add_argument("--drop-channel", action="append", metavar="CODE", help="repeatable")
        parser.add_argument("--drop-locale", action="append", metavar="CODE", help="repeatable")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="print what would be created, replaced, skipped and unmatched; write nothing",
        )
        parser.add_argument(
            "--user", help="run as this user (admin of both tenants); default: the operator"
        )

    def handle(self, *args, **options):
        destination = Tenant.objects.filter(slug=options["destination"]).first()
        if destination is None:
            raise CommandError(f"Unknown destination tenant '{options['destination']}'.")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"Unknown user '{options['user']}'.")
        try:
            copy_options = copy_options_parse(
                {
                    "source": options["source"],
                    "conflict": options["conflict"],
                    "versions": options["versions"],
                    "channel_map": pairs_parse(options["map_channel"], "channel_map"),
                    "locale_map": pairs_parse(options["map_locale"], "locale_map"),
                    "drop_channels": options["drop_channel"] or [],
                    "drop_locales": options["drop_locale"] or [],
                    "dry_run": options["dry_run"],
                }
            )
            plan = copy_prepare(destination=destination, user=user, options=copy_options)
        except DomainError as exc:
            raise CommandError(f"Copy refused:\n{_reasons(exc)}") from exc
        self._describe(plan)
        if copy_options.dry_run:
            report = tenant_content_copy(
                plan=plan, user=user, options=copy_options, report=CopyReport()
            )
            self._summary(
                "Dry run, nothing written. Would do:", report.counts_dict(), report.notes_list()
            )
            return
        try:
            job = copy_job_create(destination=destination, user=user, options=copy_options)
        except DomainError as exc:
            raise CommandError(f"Copy refused:\n{_reasons(exc)}") from exc
        job = job_execute(job_id=job.pk, listener=self._progress) or job
        outbox_settle(tenant=destination)
        if job.status != JobStatus.SUCCEEDED:
            self._summary(f"Copy job #{job.pk} failed. Done so far:", job.counts, job.errors[:-1])
            raise CommandError(
                f"Copy job #{job.pk} failed: {job.errors[-1] if job.errors else 'unknown error'}. "
                "Run the same command again to finish it."
            )
        self._summary(f"Copied (job #{job.pk}).", job.counts, job.errors)

    def _describe(self, plan: CopyPlan) -> None:
        mapping = plan.mapping
        self.stdout.write(f"Copying {plan.source.slug} -> {plan.destination.slug}")
        for what, codes, dropped in (
            ("channels", mapping.channel_codes, mapping.dropped_channels),
            ("locales", mapping.locale_codes, mapping.dropped_locales),
        ):
            pairs = ", ".join(f"{s}->{d}" for s, d in sorted(codes.items()))
            line = f"  {what}: {pairs}"
            if dropped:
                line += f" (dropped: {', '.join(dropped)})"
            self.stdout.write(line)
        self.stdout.write(
            f"  {plan.media_total} media item(s), {plan.products_total} product(s) with "
            f"documents, {plan.categories_total} category image(s)"
        )

    def _summary(self, title: str, counts: dict, notes: list[str]) -> None:
        self.stdout.write(self.style.SUCCESS(title) if "failed" not in title else title)
        for key, value in sorted(counts.items()):
            self.stdout.write(f"  {key}: {value}")
        if notes:
            self.stdout.write("Not copied:")
            for note in notes:
                self.stdout.write(f"  - {note}")

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        end = "\n" if done >= total else ""
        self.stdout.write(
            f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total} items", ending=end
        )
        self.stdout.flush()
