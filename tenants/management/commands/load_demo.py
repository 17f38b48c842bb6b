import os

from django.core.management.base import BaseCommand

from tenants.demo.loader import DEMO_PASSWORD, demo_load
from tenants.models import Tenant
from tenants.outbox import outbox_settle


class Command(BaseCommand):
    help = "Load the demo tenants (demo, acme) with users, catalog and drawn media. Safe to re-run."

    def handle(self, *args, **options):
        report = demo_load(progress=lambda message: self.stdout.write(f"  ... {message}"))
        for tenant in Tenant.objects.filter(slug__in={slug for slug, _, _ in report.logins}):
            outbox_settle(tenant=tenant)
        if report.created:
            self.stdout.write(self.style.SUCCESS(f"Created {len(report.created)} objects."))
        else:
            self.stdout.write("Demo data already loaded: nothing changed.")
        self.stdout.write(
            f"Log in at http://127.0.0.1:{os.environ.get('PORT', '8000')}/workspace/"
            " (media library: /workspace/demo/library/, admin: /admin/, API docs: /api/docs/)"
            " with:"
        )
        for tenant, username, role in report.logins:
            self.stdout.write(f"  {username} / {DEMO_PASSWORD}   ({role} of tenant '{tenant}')")
