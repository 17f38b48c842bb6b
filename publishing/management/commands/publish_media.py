from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from publishing.groups import group_publish
from publishing.models import PublishGroup
from publishing.services import product_ids_for, publish_plan, publish_plan_require
from tenants.exceptions import DomainError
from tenants.jobs.runner import job_execute
from tenants.jobs.services import job_create
from tenants.models import Job, JobKind, JobStatus, Tenant
from tenants.outbox import outbox_settle
from tenants.selectors import channel_get, locale_get


class Command(BaseCommand):
    help = (
        "Publish product media assignments and flatten them into the read model (R14-R16). "
        "Runs in this process, recorded as a job in the tenant's jobs list."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="tenant slug")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument(
            "--product", action="append", dest="products", metavar="NUMBER", help="repeatable"
        )
        target.add_argument("--group", help="name of a publish group")
        target.add_argument("--all", action="store_true", help="every product of the tenant")
        parser.add_argument("--channel", help="only this channel's drafts (default: every context)")
        parser.add_argument("--locale", help="only this locale's drafts (with --channel)")
        parser.add_argument(
            "--publish-dependencies",
            action="store_true",
            help="also publish unpublished media used",
        )
        parser.add_argument(
            "--user", help="username recorded as publisher (must hold the publisher role)"
        )

    def handle(self, *args, **options):
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"Unknown tenant '{options['tenant']}'.")
        try:
            job = self._run(tenant, options)
        except DomainError as exc:
            extra = exc.extra.get("dependencies") or exc.extra.get("checked_out") or []
            details = "".join(f"\n  - {item}" for item in extra)
            raise CommandError(f"{exc.message}{details}") from exc
        outbox_settle(tenant=tenant)
        job.refresh_from_db()
        if job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
            self.stdout.write(
                f"Publish job #{job.pk} is {job.status} in a worker (it took the job first); "
                "follow it in the jobs list."
            )
            return
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(f"Publish job #{job.pk} failed: {'; '.join(job.errors)}")
        summary = ", ".join(f"{key}: {value}" for key, value in job.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Published (job #{job.pk}). {summary}"))

    def _run(self, tenant, options) -> Job:
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"Unknown user '{options['user']}'.")
        if options["group"]:
            group = PublishGroup.objects.filter(tenant=tenant, name=options["group"]).first()
            if group is None:
                raise CommandError(
                    f"No publish group '{options['group']}' in tenant '{tenant.slug}'."
                )
            job = group_publish(group=group, user=user)
            # With a real broker the job is queued: run it here unless a worker already took
            # it (then its status says how it went when it ends).
            job_execute(job_id=job.pk, listener=self._progress)
            job.refresh_from_db()
            return job
        channel = (
            channel_get(tenant=tenant, code=options["channel"]) if options["channel"] else None
        )
        locale = locale_get(tenant=tenant, code=options["locale"]) if options["locale"] else None
        if locale is not None and channel is None:
            raise CommandError("--locale needs --channel.")
        if channel is not None and locale is None:
            locale = locale_get(tenant=tenant, code="neutral")
        product_ids = product_ids_for(
            tenant=tenant, numbers=options["products"], all_products=options["all"]
        )
        plan = publish_plan(tenant=tenant, product_ids=product_ids, channel=channel, locale=locale)
        publish_plan_require(plan, publish_dependencies=options["publish_dependencies"])
        self.stdout.write(
            f"Publishing {len(product_ids)} product(s): {len(plan.documents)} draft document(s), "
            f"{len(plan.dependencies)} media dependencies."
        )
        job = job_create(
            tenant=tenant,
            kind=JobKind.PUBLISH,
            user=user,
            description=f"manage.py publish_media ({len(product_ids)} products)",
            params={
                "product_ids": product_ids,
                "channel": channel.code if channel else None,
                "locale": locale.code if locale else None,
                "publish_dependencies": options["publish_dependencies"],
            },
        )
        return job_execute(job_id=job.pk, listener=self._progress) or job

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        end = "\n" if done >= total else ""
        self.stdout.write(
            f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total} products", ending=end
        )
        self.stdout.flush()
