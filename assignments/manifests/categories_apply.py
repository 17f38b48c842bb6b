"""Apply the category rows of a manifest (R10, R18): a category's one default image, per
channel. Decided against the current CategoryMedia rows (identical content is a no-op),
written through the category bulk services of `assignments.services` (role checks, outbox
rows for the read model), a fixed number of statements for all categories together.

EntityAssignmentAction: `Draft` stages the image, `PublishNow` stages and publishes it
(and publishes the image item itself if it is a draft, R14), `Unpublish` takes the
published image down when it is the one named (the staged one stays), and
`UnpublishAndDelete` clears the staged image when it is the one named and publishes that.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from catalog.models import Category
from tenants.models import Tenant

from .. import services as assignment_services
from ..models import CategoryMedia
from .documents_apply import media_dependencies_publish
from .plan import CategoryPlan


@dataclass
class CategoryDecision:
    plan: CategoryPlan
    media_id: int | None  # the image the row names (None: a new item not created yet)
    draft_id: int | None = None  # current staged image
    published_id: int | None = None
    stage: bool = False  # set the staged image to `stage_to`
    stage_to: int | None = None
    publish: bool = False
    unpublish: bool = False


def _media_id(plan: CategoryPlan) -> int | None:
    media = plan.media
    return (media.item_id or media.existing_id) if media is not None else None


def category_decisions(*, tenant: Tenant, plans: list[CategoryPlan]) -> list[CategoryDecision]:
    """What each category row changes; rows naming what is already there change nothing."""
    current = {
        row[0]: row[1:]
        for row in CategoryMedia.objects.filter(
            tenant=tenant, category_id__in=[p.category_id for p in plans]
        ).values_list("category_id", "draft_media_id", "published_media_id")
    }
    decisions = []
    for plan in plans:
        media_id = _media_id(plan)
        draft_id, published_id = current.get(plan.category_id, (None, None))
        decision = CategoryDecision(
            plan=plan, media_id=media_id, draft_id=draft_id, published_id=published_id
        )
        new_item = media_id is None
        if plan.action in ("Draft", "PublishNow"):
            decision.stage, decision.stage_to = new_item or draft_id != media_id, media_id
            decision.publish = plan.action == "PublishNow" and (
                new_item or published_id != media_id
            )
        elif plan.action == "UnpublishAndDelete":
            decision.stage = decision.publish = not new_item and draft_id == media_id
        elif plan.action == "Unpublish":
            decision.unpublish = not new_item and published_id == media_id
        decisions.append(decision)
    return decisions


def category_describe(decision: CategoryDecision, *, dry_run: bool) -> tuple[bool, str]:
    """(changes anything, a sentence for the result manifest)."""
    label, would = decision.plan.label, "would be " if dry_run else ""
    parts = []
    if decision.stage:
        image = f"media {decision.stage_to}" if decision.stage_to else "the new item"
        cleared = decision.plan.action == "UnpublishAndDelete"
        parts.append(
            f"the image of {label} {would or ''}cleared"
            if cleared
            else f"the image of {label} {would or ''}staged: {image}"
        )
    if decision.publish:
        parts.append(f"{label} {would or ''}published")
    if decision.unpublish:
        parts.append(f"the published image of {label} {would or ''}taken down")
    if not parts:
        return False, f"{label} unchanged."
    return True, "; ".join(parts) + "."


def category_decisions_apply(
    *, tenant: Tenant, decisions: list[CategoryDecision], user: AbstractBaseUser | None
) -> dict:
    """Write the decisions through the category bulk services (inside the import's
    transaction); the media ids of new items are known by now."""
    categories = {
        c.pk: c
        for c in Category.objects.filter(
            tenant=tenant, pk__in=[d.plan.category_id for d in decisions]
        )
    }
    stage = [
        (
            categories[d.plan.category_id],
            None if d.plan.action == "UnpublishAndDelete" else _media_id(d.plan),
        )
        for d in decisions
        if d.stage
    ]
    if stage:
        assignment_services.category_media_set_bulk(tenant=tenant, user=user, items=stage)
    publish = [categories[d.plan.category_id] for d in decisions if d.publish]
    if publish:
        assignment_services.category_media_publish_bulk(
            tenant=tenant, user=user, categories=publish
        )
    unpublish = [categories[d.plan.category_id] for d in decisions if d.unpublish]
    if unpublish:
        assignment_services.category_media_unpublish_bulk(
            tenant=tenant, user=user, categories=unpublish
        )
    published_images = {
        _media_id(d.plan) for d in decisions if d.publish and d.plan.action == "PublishNow"
    }
    return {
        "categories_staged": len(stage),
        "categories_published": len(publish) + len(unpublish),
        "media_published_as_dependencies": media_dependencies_publish(
            tenant=tenant, media_ids=published_images - {None}, user=user
        ),
    }
