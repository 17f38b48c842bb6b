"""The migration plan: every file matched to its entity, proved an image, and each product's
primary media collapsed (collapse.py). Building it writes nothing, so a dry run, a manifest
and the real run share it and cannot disagree about what a library means.

Media are keyed by checksum: the same bytes under two names are one media item (R5).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

from catalog.models import Category
from media_library.models import MediaItem, MediaKind
from media_library.validation import UploadRejected, upload_inspect
from tenants.models import Tenant

from .catalog import CHUNK, CatalogIndex, Target, catalog_index_load
from .collapse import Layout, variants_collapse
from .names import (
    CategoryFile,
    ProductFile,
    Reason,
    Unmatched,
    file_name,
    legacy_name_parse,
)
from .sources import LegacySource, SourceFileRefused, is_system_file

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class MediaFile:
    """One distinct image (by checksum), uploaded from the first path that carries it."""

    checksum: str
    path: str
    title: str
    existing_id: int | None


@dataclass
class ProductPlan:
    pk: int
    number: str
    layout: Layout
    has_master_files: bool
    has_variant_files: bool
    variants_with_files: int


@dataclass(frozen=True)
class CategoryPlan:
    category: Category
    checksum: str


@dataclass
class MigrationPlan:
    files_seen: int = 0
    matched: list[str] = field(default_factory=list)
    media: dict[str, MediaFile] = field(default_factory=dict)
    products: list[ProductPlan] = field(default_factory=list)
    categories: list[CategoryPlan] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)


@dataclass(frozen=True)
class _Matched:
    file: ProductFile | CategoryFile
    target: Target | list[Category]


def _match(
    names: Sequence[ProductFile | CategoryFile], index: CatalogIndex, plan: MigrationPlan
) -> list[_Matched]:
    matched: list[_Matched] = []
    for name in names:
        if isinstance(name, CategoryFile):
            categories = index.categories_named(name.name)
            if not categories:
                plan.unmatched.append(
                    Unmatched(name.path, Reason.UNKNOWN_CATEGORY, f"no category '{name.name}'")
                )
            else:
                matched.append(_Matched(name, categories))
            continue
        target = index.product_target(name)
        if isinstance(target, Unmatched):
            plan.unmatched.append(target)
        else:
            matched.append(_Matched(name, target))
    return matched


def _inspect(source: LegacySource, path: str) -> str | Unmatched:
    """The checksum of an image file, or why its bytes are refused (decided by the bytes)."""
    try:
        with source.open(path) as handle:
            inspection = upload_inspect(handle, filename=file_name(path))
    except SourceFileRefused as exc:  # e.g. a link out of the folder (R29)
        return Unmatched(path, Reason.UNREADABLE, str(exc))
    except UploadRejected as exc:
        return Unmatched(path, Reason.NOT_AN_IMAGE, exc.message)
    if inspection.kind != MediaKind.IMAGE:
        return Unmatched(path, Reason.NOT_AN_IMAGE, f"the content is {inspection.mime_type}")
    return inspection.checksum


def _ordered(files: list[tuple[ProductFile, str]]) -> tuple[Hashable, ...]:
    """Sequence order (gaps kept as order), more specific names first, each image once."""
    files = sorted(files, key=lambda p: (p[0].group, p[0].sequence, -len(p[0].values), p[0].path))
    return tuple(dict.fromkeys(checksum for _, checksum in files))


def _product_plans(matched: list[tuple[_Matched, str]]) -> list[ProductPlan]:
    by_product: dict[str, list[tuple[Target, ProductFile, str]]] = {}
    for item, checksum in matched:
        if isinstance(item.target, Target):
            by_product.setdefault(item.target.product.number, []).append(
                (item.target, item.file, checksum)
            )
    plans = []
    for number in sorted(by_product):
        rows = by_product[number]
        product = rows[0][0].product
        master = [(f, c) for t, f, c in rows if not t.variants]
        per_variant: dict[str, list[tuple[ProductFile, str]]] = {}
        named: dict[tuple[tuple[str, str], ...], list[tuple[ProductFile, str]]] = {}
        for target, file, checksum in rows:
            for variant in target.variants:
                per_variant.setdefault(variant, []).append((file, checksum))
            if target.partial:  # a combination of only some dimensions (R20)
                named.setdefault(target.values, []).append((file, checksum))
        layout = variants_collapse(
            dimensions=list(product.dimensions),
            variants=product.variants,
            images={v: _ordered(files) for v, files in per_variant.items()},
            master=_ordered(master),
            named={key: _ordered(files) for key, files in named.items()},
        )
        plans.append(
            ProductPlan(
                pk=product.pk,
                number=number,
                layout=layout,
                has_master_files=bool(master),
                has_variant_files=bool(per_variant),
                variants_with_files=len(per_variant),
            )
        )
    return plans


def _category_plans(matched: list[tuple[_Matched, str]], plan: MigrationPlan) -> None:
    """One default image per category and channel (R10): a second file for it is refused."""
    given: dict[int, str] = {}
    for item, checksum in matched:
        if isinstance(item.target, Target):
            continue
        for category in item.target:
            if category.pk in given:
                plan.unmatched.append(
                    Unmatched(
                        item.file.path,
                        Reason.BAD_NAME,
                        f"'{given[category.pk]}' already gives the image of category "
                        f"'{category.path}' in {category.channel.code}",
                    )
                )
                continue
            given[category.pk] = item.file.path
            plan.categories.append(CategoryPlan(category=category, checksum=checksum))


def migration_plan_build(
    *,
    tenant: Tenant,
    source: LegacySource,
    separator: str,
    dimension_order: Sequence[str],
    progress: Progress | None = None,
) -> MigrationPlan:
    """Read and match the whole source (file bytes included), writing nothing."""
    plan = MigrationPlan()
    names: list[ProductFile | CategoryFile] = []
    for path in source.paths():
        if is_system_file(path):
            continue
        plan.files_seen += 1
        name = legacy_name_parse(path=path, separator=separator, dimension_order=dimension_order)
        (plan.unmatched if isinstance(name, Unmatched) else names).append(name)
    index = catalog_index_load(
        tenant=tenant,
        numbers=[n.number for n in names if isinstance(n, ProductFile)],
        with_categories=any(isinstance(n, CategoryFile) for n in names),
    )
    candidates = _match(names, index, plan)
    inspected: list[tuple[_Matched, str]] = []
    for done, item in enumerate(candidates, start=1):
        checksum = _inspect(source, item.file.path)
        if isinstance(checksum, Unmatched):
            plan.unmatched.append(checksum)
        else:
            inspected.append((item, checksum))
            plan.matched.append(item.file.path)
            if checksum not in plan.media:
                plan.media[checksum] = MediaFile(checksum, item.file.path, item.file.title, None)
        if progress is not None:
            progress("read", done, len(candidates))
    checksums, existing = list(plan.media), {}
    for start in range(0, len(checksums), CHUNK):
        existing.update(
            MediaItem.objects.filter(
                tenant=tenant, checksum__in=checksums[start : start + CHUNK]
            ).values_list("checksum", "pk")
        )
    plan.media = {
        c: MediaFile(m.checksum, m.path, m.title, existing.get(c)) for c, m in plan.media.items()
    }
    plan.products = _product_plans(inspected)
    _category_plans(inspected, plan)
    plan.unmatched.sort(key=lambda u: u.path)
    return plan
