"""Copy the per-tenant purpose list (R7) before any document, so every additional entry
finds its purpose by code in the destination."""

from __future__ import annotations

from django.db import transaction

from assignments.models import Purpose
from tenants.models import Tenant

from .options import ConflictBehaviour, CopyOptions
from .report import CREATED, REPLACED, SKIPPED, UNCHANGED, CopyReport


def purposes_copy(
    *, source: Tenant, destination: Tenant, options: CopyOptions, report: CopyReport
) -> dict[str, int]:
    """Create the purposes the destination lacks (by code); `replace` also renames existing
    ones. Purposes carry no modification time, so `keep-latest` keeps the destination's.
    Returns code -> destination id (a placeholder negative id for one a dry run would add)."""
    source_rows = list(Purpose.objects.filter(tenant=source).order_by("position", "code"))
    existing = {p.code: p for p in Purpose.objects.filter(tenant=destination)}
    position = max((p.position for p in existing.values()), default=-1) + 1
    new: list[Purpose] = []
    renamed: list[Purpose] = []
    for purpose in source_rows:
        target = existing.get(purpose.code)
        if target is None:
            new.append(
                Purpose(tenant=destination, code=purpose.code, name=purpose.name, position=position)
            )
            position += 1
            report.outcome("purposes", CREATED)
        elif target.name == purpose.name:
            report.outcome("purposes", UNCHANGED)
        elif options.conflict == ConflictBehaviour.REPLACE:
            target.name = purpose.name
            renamed.append(target)
            report.outcome("purposes", REPLACED)
        else:
            report.outcome("purposes", SKIPPED)
    codes = {code: p.pk for code, p in existing.items()}
    if options.dry_run:
        codes.update({p.code: -(index + 1) for index, p in enumerate(new)})
        return codes
    with transaction.atomic():
        Purpose.objects.bulk_create(new, ignore_conflicts=True)
        Purpose.objects.bulk_update(renamed, ["name"])
    return dict(Purpose.objects.filter(tenant=destination).values_list("code", "pk"))
