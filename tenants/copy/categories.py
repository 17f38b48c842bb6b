"""Copy category default images (R10: one per category per channel), matched by the mapped
channel and the category path. Categories themselves are catalog data: one missing in the
destination is reported, never created. Writes go through the category services of
`assignments.services` in bulk (staging, publishing and its outbox rows)."""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from assignments import services as assignment_services
from assignments.models import CategoryMedia
from catalog.models import Category
from tenants.models import Tenant

from .mapping import ContextMapping
from .options import CopyOptions
from .report import CREATED, REPLACED, CopyReport, conflict_outcome

BATCH_SIZE = 100


class CategoryMediaCopier:
    def __init__(
        self,
        *,
        source: Tenant,
        destination: Tenant,
        user: AbstractBaseUser | None,
        options: CopyOptions,
        mapping: ContextMapping,
        media_map: Mapping[int, int],
        report: CopyReport,
    ):
        self.source = source
        self.destination = destination
        self.user = user if user is not None and user.is_authenticated else None
        self.options = options
        self.mapping = mapping
        self.media_map = media_map
        self.report = report

    def source_ids(self) -> list[int]:
        return list(
            CategoryMedia.objects.filter(
                tenant=self.source, category__channel_id__in=list(self.mapping.channels)
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    def run(self, ids: list[int]) -> None:
        for start in range(0, len(ids), BATCH_SIZE):
            batch = ids[start : start + BATCH_SIZE]
            self._batch(batch)
            self.report.advance(len(batch))

    def _wanted(self, row: CategoryMedia) -> tuple[bool, int | None, int | None] | None:
        """(publish?, published media, draft media) in destination ids, or None: nothing to copy.

        Published only: the published image becomes the destination's draft and published.
        With drafts: the staged draft image is copied too.
        """
        published = row.published_at is not None
        if not published and not self.options.with_drafts:
            return None
        pub = self.media_map.get(row.published_media_id) if row.published_media_id else None
        draft_source = row.draft_media_id if self.options.with_drafts else row.published_media_id
        draft = self.media_map.get(draft_source) if draft_source else None
        return published, pub, draft

    def _batch(self, ids: list[int]) -> None:
        rows = list(
            CategoryMedia.objects.filter(pk__in=ids)
            .select_related("category__channel")
            .order_by("pk")
        )
        wanted_keys = {
            (self.mapping.channels[r.category.channel_id], r.category.path) for r in rows
        }
        categories = {
            (c.channel_id, c.path): c
            for c in Category.objects.filter(
                tenant=self.destination,
                channel_id__in={k[0] for k in wanted_keys},
                path__in={k[1] for k in wanted_keys},
            ).select_related("channel")
        }
        with transaction.atomic():
            queryset = CategoryMedia.objects.filter(
                tenant=self.destination, category__in=list(categories.values())
            ).order_by("pk")
            if not self.options.dry_run:
                queryset = queryset.select_for_update()
            existing = {m.category_id: m for m in queryset}
            writes = [w for w in (self._one(row, categories, existing) for row in rows) if w]
            if writes and not self.options.dry_run:
                self._write_all(writes)

    def _write_all(self, writes: list[tuple[Category, bool, int | None, int | None]]) -> None:
        """Through the category services of `assignments.services`, in bulk: stage the
        published image and publish it (which notes the categories in the outbox), then
        stage the draft image where it differs (with `published-and-draft`)."""
        common = dict(tenant=self.destination, user=self.user)
        published = [(category, pub) for category, is_published, pub, _ in writes if is_published]
        staged = [
            (category, draft)
            for category, is_published, pub, draft in writes
            if not is_published or draft != pub
        ]
        if published:
            assignment_services.category_media_set_bulk(**common, items=published)
            assignment_services.category_media_publish_bulk(
                **common, categories=[c for c, _ in published]
            )
        if staged:
            assignment_services.category_media_set_bulk(**common, items=staged)

    def _one(self, row: CategoryMedia, categories, existing):
        """The outcome for one source row, reported; what to write, or None."""
        channel = self.mapping.channel_codes[row.category.channel.code]
        category = categories.get(
            (self.mapping.channels[row.category.channel_id], row.category.path)
        )
        if category is None:
            self.report.note(f"category {channel}:{row.category.path}: not in the destination.")
            self.report.count("unmatched_categories")
            return None
        wanted = self._wanted(row)
        if wanted is None:
            self.report.count("categories_without_versions")
            return None
        published, pub, draft = wanted
        current = existing.get(category.pk)
        if current is None:
            outcome = CREATED
        else:
            identical = current.draft_media_id == draft and (
                not published
                or (current.published_media_id == pub and current.published_at is not None)
            )
            outcome = conflict_outcome(
                conflict=self.options.conflict,
                identical=identical,
                source_newer=row.updated_at > current.updated_at,
            )
        self.report.outcome("categories", outcome)
        if outcome not in (CREATED, REPLACED):
            return None
        return category, published, pub, draft
