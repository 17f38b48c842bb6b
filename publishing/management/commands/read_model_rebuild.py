"""manage.py read_model_rebuild: re-project every product (and category) of a tenant.

Normally nothing needs it (every change re-projects what it touched); it is for a new
deployment of the read model, or to be certain after restoring a backup. Commits chunk by
chunk, so it never holds one transaction for the whole catalog, and only writes what differs.
"""

from django.core.management.base import BaseCommand, CommandError

from assignments.models import CategoryMedia
from catalog.models import Product
from publishing.drain import categories_project, outbox_drain
from publishing.projection import ProjectionStats, products_project
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Re-project the shop answers of every product and category of a tenant (or all)."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--tenant", help="tenant slug")
        target.add_argument("--all", action="store_true", help="every tenant")
        parser.add_argument("--chunk", type=int, default=200, help="products per transaction")

    def handle(self, *args, **options):
        if options["chunk"] < 1:
            raise CommandError("--chunk must be at least 1.")
        if options["all"]:
            tenants = list(Tenant.objects.order_by("slug"))
        else:
            tenants = list(Tenant.objects.filter(slug=options["tenant"]))
            if not tenants:
                raise CommandError(f"Unknown tenant '{options['tenant']}'.")
        for tenant in tenants:
            stats = self._rebuild(tenant, options["chunk"])
            self.stdout.write(
                self.style.SUCCESS(
                    f"{tenant.slug}: {stats.products} products, {stats.answers_written} answers "
                    f"written, {stats.answers_removed} removed, {stats.bodies_written} bodies."
                )
            )

    def _rebuild(self, tenant: Tenant, chunk: int) -> ProjectionStats:
        ids = list(
            Product.objects.filter(tenant=tenant).order_by("pk").values_list("pk", flat=True)
        )
        done = 0

        def progress(n: int) -> None:
            nonlocal done
            done += n
            self.stdout.write(f"  {tenant.slug}: {done}/{len(ids)} products", ending="\r")

        stats = products_project(tenant=tenant, product_ids=ids, progress=progress, chunk=chunk)
        self.stdout.write("")
        categories = list(
            CategoryMedia.objects.filter(tenant=tenant).values_list("category_id", flat=True)
        )
        if categories:
            categories_project(tenant_id=tenant.pk, category_ids=sorted(categories))
        stats.add(outbox_drain(tenant_id=tenant.pk))  # whatever was noted meanwhile
        return stats
