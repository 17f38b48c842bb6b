"""manage.py media_public_sync: put every file where it belongs, private or public storage.

Run once after the upgrade that split media storage in two (every file was in one storage
then): each published item gets its public, content-hashed copies (its original stays
private), and the shop answers are re-projected to carry the new URLs. Safe to run again
at any time; `--verify` also re-makes copies missing from public storage, `--prune` deletes
public files no published item names (left by a process that died before its clean-up).
Until it has run, published items keep answering through their `/p/` links.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from media_library.models import MediaStatus
from media_library.public_files import public_files_prune
from media_library.selectors import media_public_sync_candidates
from media_library.services import media_item_public_sync
from tenants.exceptions import DomainError
from tenants.models import Tenant

PRUNE_GRACE = timedelta(hours=1)
LISTED_FAILURES = 20


class Command(BaseCommand):
    help = (
        "Copy published media into public storage and remove public copies of drafts "
        "(after upgrading to split storage, or to repair); --prune deletes stray public files."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="only this tenant (slug); default: every tenant")
        parser.add_argument(
            "--verify",
            action="store_true",
            help="also check every published item's public files exist, copying missing ones",
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="delete public files no published item names (older than an hour)",
        )
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        tenant = None
        if options["tenant"]:
            tenant = Tenant.objects.filter(slug=options["tenant"]).first()
            if tenant is None:
                raise CommandError(f"Unknown tenant '{options['tenant']}'.")
        if options["prune"] and tenant is not None:
            raise CommandError("--prune looks at all of public storage: leave out --tenant.")
        items = media_public_sync_candidates(tenant=tenant, verify=options["verify"])
        total = items.count()
        published = copied = removed = 0
        failures: list[str] = []
        for done, item in enumerate(items.iterator(chunk_size=200), start=1):
            if not options["no_progress"]:
                self.stdout.write(f"  {done}/{total} items", ending="\r")
            if options["dry_run"]:
                published += item.status == MediaStatus.PUBLISHED
                continue
            try:
                names = media_item_public_sync(item=item, verify=options["verify"])
            except (OSError, DomainError) as exc:  # e.g. the private file itself is missing
                failures.append(f"media item {item.pk} ({item.display_name}): {exc}")
                continue
            if item.status == MediaStatus.PUBLISHED:
                published += 1
                copied += len(names)
            else:
                removed += len(names)
        if not options["no_progress"]:
            self.stdout.write("")
        verb = "would be" if options["dry_run"] else "were"
        self.stdout.write(
            f"{total} item(s) out of line {verb} synced: {published} published item(s) "
            f"({copied} public file(s) copied), {total - published} draft(s) "
            f"({removed} public file(s) removed)."
        )
        if options["prune"]:
            pruned = public_files_prune(older_than=PRUNE_GRACE, dry_run=options["dry_run"])
            self.stdout.write(f"{len(pruned)} stray public file(s) {verb} deleted.")
        if failures:
            listed = "\n  ".join(failures[:LISTED_FAILURES])
            more = len(failures) - LISTED_FAILURES
            raise CommandError(
                f"{len(failures)} item(s) could not be synced:\n  {listed}"
                + (f"\n  and {more} more" if more > 0 else "")
            )
