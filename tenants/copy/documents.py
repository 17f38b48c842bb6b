"""Copy assignment documents (R7-R12, R19): matched by product number, channel and locale
(through the mapping), entries matched by variant number or dimension values.

What a document copies: its published content, and with `published-and-draft` its latest
checked-in draft too; the working copy of a checked-out source document never. Each copied
state is checked in as a numbered version in the destination (history says it came from a
copy) and published content is published there, through the bulk services of
`assignments.services` (the same checks, audit, check-in hooks and outbox rows as a user's
check-in and publish); the read model re-projects those products when the batch commits.

Products are copied in batches, one transaction each, with the destination documents of
the batch locked first: a run that dies midway leaves whole products copied and flattened,
and a re-run finds them identical (nothing written) or decides by the conflict behaviour.

A copy never removes: a source document without a published version leaves the
destination's published version alone, and a destination document someone has checked out
is never overwritten (it is reported as held).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from assignments import services as assignment_services
from assignments.content import matrix_normalize
from assignments.models import AssignmentDocument, AssignmentEntry, ContentSet, Scope, Slot
from assignments.services import ContentItem
from assignments.validation import ENTRY_FIELDS
from catalog.models import Product, ProductDimensionValue, Variant, combination_key
from tenants.models import Tenant

from .mapping import ContextMapping
from .options import CopyOptions
from .report import CREATED, HELD, REPLACED, CopyReport, conflict_outcome

BATCH_PRODUCTS = 25

SOURCE_ENTRY_COLUMNS = (
    "content_set_id",
    "scope",
    "dimension_values",
    "variant_id",
    "variant__number",
    "slot",
    "position",
    "media_id",
    "purpose__code",
    "swatch_dimension",
    "swatch_value",
    "swatch_hex",
    "crop_x",
    "crop_y",
    "crop_width",
    "crop_height",
)


@dataclass(frozen=True)
class Translated:
    """A source content set rewritten with destination ids, ready for bulk insertion."""

    matrix: tuple[str, ...]
    rows: tuple[dict, ...]

    def signature(self) -> tuple:
        return (self.matrix, tuple(sorted(_row_key(row) for row in self.rows)))


def _row_key(row: Mapping) -> tuple:
    """An entry as a comparable tuple; dimension values as sorted pairs."""
    return tuple(
        tuple(sorted(row[name].items())) if name == "dimension_values" else row[name]
        for name in ENTRY_FIELDS
    )


@dataclass
class _Target:
    """What the destination product offers, for matching entries."""

    pk: int
    number: str
    is_master: bool
    offered: dict[str, set[str]] = field(default_factory=dict)
    variants_by_number: dict[str, int] = field(default_factory=dict)
    variants_by_key: dict[str, int] = field(default_factory=dict)


class DocumentCopier:
    def __init__(
        self,
        *,
        source: Tenant,
        destination: Tenant,
        user: AbstractBaseUser | None,
        options: CopyOptions,
        mapping: ContextMapping,
        media_map: Mapping[int, int],
        purpose_map: Mapping[str, int],
        report: CopyReport,
    ):
        self.source = source
        self.destination = destination
        self.user = user if user is not None and user.is_authenticated else None
        self.options = options
        self.mapping = mapping
        self.media_map = media_map
        self.purpose_map = purpose_map
        self.report = report
        self._noted: set[str] = set()

    # --- driving ----------------------------------------------------------------------

    def product_ids(self) -> list[int]:
        """Source products with at least one document in a mapped context."""
        return list(
            AssignmentDocument.objects.filter(
                tenant=self.source,
                channel_id__in=list(self.mapping.channels),
                locale_id__in=list(self.mapping.locales),
            )
            .order_by("product_id")
            .values_list("product_id", flat=True)
            .distinct()
        )

    def run(self, product_ids: list[int]) -> None:
        for start in range(0, len(product_ids), BATCH_PRODUCTS):
            batch = product_ids[start : start + BATCH_PRODUCTS]
            self._batch(batch)
            self.report.advance(len(batch))

    def _note(self, message: str, counter: str | None = None) -> None:
        """Report each unmatched thing once, however many sets and contexts mention it."""
        if message not in self._noted:
            self._noted.add(message)
            self.report.note(message)
            if counter:
                self.report.count(counter)

    # --- loading ----------------------------------------------------------------------

    def _sources(self, product_ids: list[int]) -> list[AssignmentDocument]:
        return list(
            AssignmentDocument.objects.filter(
                tenant=self.source,
                product_id__in=product_ids,
                channel_id__in=list(self.mapping.channels),
                locale_id__in=list(self.mapping.locales),
            )
            .select_related("product", "channel", "locale")
            .order_by("pk")
        )

    def _targets(self, numbers: Iterable[str]) -> dict[str, _Target]:
        targets = {
            number: _Target(pk=pk, number=number, is_master=kind == "master")
            for pk, number, kind in Product.objects.filter(
                tenant=self.destination, number__in=set(numbers)
            ).values_list("pk", "number", "kind")
        }
        by_pk = {t.pk: t for t in targets.values()}
        for product_id, dimension, value in ProductDimensionValue.objects.filter(
            tenant=self.destination, product_id__in=list(by_pk)
        ).values_list("product_id", "dimension_value__dimension", "dimension_value__value"):
            by_pk[product_id].offered.setdefault(dimension, set()).add(value)
        for pk, product_id, number, key in Variant.objects.filter(
            tenant=self.destination, product_id__in=list(by_pk)
        ).values_list("pk", "product_id", "number", "combination_key"):
            by_pk[product_id].variants_by_number[number] = pk
            by_pk[product_id].variants_by_key[key] = pk
        return targets

    def _source_sets(self, set_ids: set[int]) -> dict[int, tuple[list, list[dict]]]:
        """Set id -> (matrix, entry rows with the variant's values for matching by them)."""
        sets = {
            pk: (matrix, [])
            for pk, matrix in ContentSet.objects.filter(
                tenant=self.source, pk__in=set_ids
            ).values_list("pk", "matrix")
        }
        rows = list(
            AssignmentEntry.objects.filter(tenant=self.source, content_set_id__in=set_ids)
            .values(*SOURCE_ENTRY_COLUMNS)
            .order_by("pk")
        )
        keys = dict(
            Variant.objects.filter(
                pk__in={r["variant_id"] for r in rows if r["variant_id"]}
            ).values_list("pk", "combination_key")
        )
        for row in rows:
            row["variant_key"] = keys.get(row["variant_id"])
            sets[row["content_set_id"]][1].append(row)
        return sets

    # --- translation ------------------------------------------------------------------

    def _translate(self, matrix: list, rows: list[dict], target: _Target, where: str) -> Translated:
        """Rewrite one set for `target`; entries without a match are dropped and reported."""
        kept_matrix = matrix_normalize(d for d in matrix if d in target.offered)
        for dimension in sorted(set(matrix) - set(kept_matrix)):
            self._note(
                f"{where}: matrix dimension '{dimension}' is not offered in the destination.",
                "unmatched_dimensions",
            )
        out: list[dict] = []
        groups: dict[tuple, int] = {}
        for row in sorted(rows, key=lambda r: (r["scope"], r["slot"], r["position"])):
            entry = self._entry(row, kept_matrix, target, where)
            if entry is None:
                continue
            group = (entry["scope"], entry["combination"], entry["variant_id"], entry["slot"])
            entry["position"] = groups.get(group, 0)  # dense again after dropped entries
            groups[group] = entry["position"] + 1
            out.append(entry)
        return Translated(matrix=kept_matrix, rows=tuple(out))

    def _entry(
        self, row: dict, matrix: tuple[str, ...], target: _Target, where: str
    ) -> dict | None:
        entry = {name: None for name in ENTRY_FIELDS}
        entry.update(
            scope=row["scope"],
            dimension_values={},
            combination="",
            slot=row["slot"],
            swatch_dimension=row["swatch_dimension"],
            swatch_value=row["swatch_value"],
            swatch_hex=row["swatch_hex"],
            crop_x=row["crop_x"],
            crop_y=row["crop_y"],
            crop_width=row["crop_width"],
            crop_height=row["crop_height"],
        )
        if row["scope"] == Scope.DIMENSION:
            values = dict(row["dimension_values"])
            key = combination_key(values)
            if set(values) != set(matrix) or any(
                v not in target.offered.get(d, ()) for d, v in values.items()
            ):
                self._note(
                    f"{where}: dimension combination {key} has no match in the destination.",
                    "unmatched_combinations",
                )
                return None
            entry.update(dimension_values=values, combination=key)
        elif row["scope"] == Scope.VARIANT:
            number = row["variant__number"]
            variant_id = target.variants_by_number.get(number) or target.variants_by_key.get(
                row["variant_key"] or ""
            )
            if variant_id is None:
                self._note(
                    f"{where}: variant {number} has no match in the destination.",
                    "unmatched_variants",
                )
                return None
            entry["variant_id"] = variant_id
        if row["media_id"] is not None:
            media_id = self.media_map.get(row["media_id"])
            if media_id is None:
                self._note(
                    f"{where}: media {row['media_id']} was not copied.",
                    "unmatched_media",
                )
                return None
            entry["media_id"] = media_id
        if row["slot"] == Slot.ADDITIONAL:
            entry["purpose_id"] = self.purpose_map.get(row["purpose__code"])
            if entry["purpose_id"] is None:
                self._note(
                    f"{where}: purpose '{row['purpose__code']}' is not in the destination.",
                    "unmatched_purposes",
                )
                return None
        if row["slot"] == Slot.SWATCH and row["swatch_value"] not in target.offered.get(
            row["swatch_dimension"], ()
        ):
            self._note(
                f"{where}: swatch {row['swatch_dimension']} '{row['swatch_value']}' "
                "has no match in the destination.",
                "unmatched_swatches",
            )
            return None
        return entry

    # --- one batch --------------------------------------------------------------------

    def _batch(self, product_ids: list[int]) -> None:
        sources = self._sources(product_ids)
        targets = self._targets(d.product.number for d in sources)
        for number in sorted({d.product.number for d in sources} - set(targets)):
            self._note(
                f"product {number}: not in the destination catalog.",
                "unmatched_products",
            )
        sources = [d for d in sources if d.product.number in targets]
        plans = []
        for document in sources:
            published, draft = self._states(document)
            if published is None and draft is None:
                self.report.count("documents_without_versions")
                continue
            plans.append((document, published, draft))
        set_ids = {pk for _, p, d in plans for pk in (p, d) if pk}
        contents = self._source_sets(set_ids)

        work = []
        for document, published, draft in plans:
            target = targets[document.product.number]
            work.append(
                (
                    document,
                    target,
                    self._translated(document, target, published, contents),
                    self._translated(document, target, draft, contents),
                )
            )
        if self.options.dry_run:
            self._decide_all(work, existing=self._existing(work, lock=False))
            return
        with transaction.atomic():  # the publish service notes the products in the outbox
            decided = self._decide_all(work, existing=self._existing(work, lock=True))
            self._write_all(decided)

    def _translated(
        self, document: AssignmentDocument, target: _Target, set_id: int | None, contents
    ) -> Translated | None:
        if set_id is None:
            return None
        where = (
            f"{document.product.number} ({self.mapping.channel_codes[document.channel.code]}"
            f"/{self.mapping.locale_codes[document.locale.code]})"
        )
        matrix, rows = contents[set_id]
        return self._translate(matrix, rows, target, where)

    def _states(self, document: AssignmentDocument) -> tuple[int | None, int | None]:
        """(published set, draft set to copy); the draft only when asked and different."""
        draft = None
        if self.options.with_drafts and document.draft_id not in (None, document.published_id):
            draft = document.draft_id
        return document.published_id, draft

    def _existing(self, work, *, lock: bool) -> dict[tuple[int, int, int], AssignmentDocument]:
        queryset = AssignmentDocument.objects.filter(
            tenant=self.destination, product_id__in={t.pk for _, t, _, _ in work}
        ).order_by("pk")
        if lock:
            queryset = queryset.select_for_update(of=("self",))
        return {(d.product_id, d.channel_id, d.locale_id): d for d in queryset}

    def _dest_signatures(self, set_ids: set[int]) -> dict[int, tuple]:
        matrices = dict(
            ContentSet.objects.filter(tenant=self.destination, pk__in=set_ids).values_list(
                "pk", "matrix"
            )
        )
        rows: dict[int, list[tuple]] = {pk: [] for pk in matrices}
        for row in AssignmentEntry.objects.filter(content_set_id__in=set_ids).values(
            "content_set_id", *ENTRY_FIELDS
        ):
            rows[row["content_set_id"]].append(_row_key(row))
        return {pk: (matrix_normalize(matrices[pk]), tuple(sorted(rows[pk]))) for pk in matrices}

    def _decide_all(self, work, *, existing) -> list:
        """Each document's outcome; the ones to write, with their destination row if any."""
        dest_sets = {
            pk for d in existing.values() for pk in (d.published_id, d.draft_id) if pk is not None
        }
        signatures = self._dest_signatures(dest_sets) if dest_sets else {}
        decided = []
        for document, target, published, draft in work:
            key = (
                target.pk,
                self.mapping.channels[document.channel_id],
                self.mapping.locales[document.locale_id],
            )
            current = existing.get(key)
            outcome = self._outcome(document, current, published, draft, signatures)
            self.report.outcome("documents", outcome)
            if outcome == HELD:
                self._note(
                    f"{target.number} ({self.mapping.channel_codes[document.channel.code]}/"
                    f"{self.mapping.locale_codes[document.locale.code]}): checked out in the "
                    "destination; not replaced."
                )
            if outcome in (CREATED, REPLACED):
                decided.append((document, key, current, published, draft))
        return decided

    def _outcome(self, document, current, published, draft, signatures) -> str:
        if current is None or (current.published_id is None and current.draft_id is None):
            return HELD if current is not None and current.checked_out_by_id else CREATED
        wanted_draft = draft if draft is not None else published
        identical = (
            published is None or signatures.get(current.published_id) == published.signature()
        ) and (wanted_draft is None or signatures.get(current.draft_id) == wanted_draft.signature())
        outcome = conflict_outcome(
            conflict=self.options.conflict,
            identical=identical,
            source_newer=document.updated_at > current.updated_at,
        )
        if outcome == REPLACED and current.checked_out_by_id is not None:
            return HELD
        return outcome

    # --- writing ----------------------------------------------------------------------

    def _write_all(self, decided) -> None:
        """Write every decided document through the bulk services of `assignments.services`
        (versions, audit events, check-in hooks and outbox rows as for a user's check-in and
        publish): the published contents are checked in and published, then the drafts
        (with `published-and-draft`) checked in on top. A fixed number of statements."""
        published_items: list[ContentItem] = []
        draft_items: list[ContentItem] = []
        for document, key, current, published, draft in decided:
            if current is None:  # created by the first check-in below
                product_id, channel_id, locale_id = key
                current = AssignmentDocument(
                    tenant=self.destination,
                    product_id=product_id,
                    channel_id=channel_id,
                    locale_id=locale_id,
                )
            detail = {"copied_from": self.source.slug, "source_document": document.pk}
            for content, items in ((published, published_items), (draft, draft_items)):
                if content is not None:
                    items.append(
                        ContentItem(
                            document=current,
                            rows=content.rows,
                            matrix=content.matrix,
                            detail=detail,
                        )
                    )
        common = dict(tenant=self.destination, user=self.user)
        if published_items:
            assignment_services.documents_checkin_bulk(
                **common, items=published_items, note=f"copy of {self.source.slug} published"
            )
            assignment_services.documents_publish_bulk(
                **common,
                documents=[item.document for item in published_items],
                details={item.document.pk: item.detail for item in published_items},
            )
        if draft_items:
            assignment_services.documents_checkin_bulk(
                **common, items=draft_items, note=f"copy of {self.source.slug} draft"
            )
