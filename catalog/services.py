"""Catalog writes (R2, R3): the one path the API, the admin, imports and commands go through.

Validation collects every problem with a field path (`variants[1].values.color`) before
anything is written, so a caller fixes its input in one round trip.

Every write takes `user`, the requesting user: one given must be an editor of the tenant
(R1a, as the API and the admin require), whatever the door; None is a system action (an
import, the demo loader) recorded as "system". Each write records one audit row
(tenants.audit) in its own transaction, so a refused or rolled-back write leaves none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.utils.module_loading import import_string

from tenants.audit import audit_record, audit_value, changes, snapshot
from tenants.exceptions import Conflict, ValidationFailed
from tenants.models import Channel, OutboxKind, Role, Tenant
from tenants.outbox import outbox_record
from tenants.selectors import actor_role_require, role_require

from .models import (
    DIMENSION_ORDER,
    Category,
    DimensionValue,
    Product,
    ProductDimensionValue,
    ProductKind,
    Variant,
    combination_key,
)
from .selectors import product_dimensions, variant_numbers_using

Errors = list[tuple[str, str]]

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_UNSET: Any = object()
NUMBER_MAX = 100
NAME_MAX = 300
VALUE_MAX = 100
CATEGORY_NAME_MAX = 200
AUDIT_LIST_MAX = 100  # numbers listed in an audit row's detail; counts say the rest


def _editor_require(tenant: Tenant, user: AbstractBaseUser | None, action: str) -> None:
    """The check every catalog write makes itself (R1a): a user must be an editor of the
    tenant; None is a system action (an import, the demo loader) with no role to check."""
    actor_role_require(tenant=tenant, user=user, role=Role.EDITOR, action=action)


def _audit(
    obj, actor: AbstractBaseUser | None, action: str, /, *, label: str = "", **detail
) -> None:
    """The catalog row of the audit log, in the calling service's transaction."""
    audit_record(user=actor, action=action, obj=obj, label=label, detail=detail)


def _listed(values: Iterable) -> list:
    """A sorted list for an audit detail, cut at AUDIT_LIST_MAX (give the count besides)."""
    return audit_value(sorted(values)[:AUDIT_LIST_MAX])


# --- shared checks -----------------------------------------------------------------------


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _text_error(value: Any, *, max_length: int, slash_ok: bool = True) -> str | None:
    """Why a required text input is unusable, or None. Slashes would break URL paths."""
    if not isinstance(value, str) or not value.strip():
        return "This field is required and must be non-empty text."
    if len(value.strip()) > max_length:
        return f"At most {max_length} characters."
    if not slash_ok and "/" in value:
        return "Must not contain '/'."
    return None


def _numbers_taken(
    *, tenant: Tenant, numbers: Iterable[str], except_variant: Variant | None = None
) -> set[str]:
    """Which of `numbers` already name a product or a variant of the tenant.

    Product and variant numbers share one namespace so that `sellable_get` is unambiguous.
    """
    numbers = [n for n in numbers if isinstance(n, str)]
    if not numbers:
        return set()
    variants = Variant.objects.filter(tenant=tenant, number__in=numbers)
    if except_variant is not None:
        variants = variants.exclude(pk=except_variant.pk)
    return set(
        Product.objects.filter(tenant=tenant, number__in=numbers).values_list("number", flat=True)
    ) | set(variants.values_list("number", flat=True))


# --- dimensions --------------------------------------------------------------------------


def _dimensions_clean(dimensions: Any, *, path: str) -> tuple[Errors, dict[str, list[str]]]:
    """Check a `{"color": ["Blue", "Red"], ...}` input; return errors and the cleaned dict.

    The cleaned dict is in canonical dimension order with stripped values in the given order.
    """
    if dimensions in (None, {}):
        return [], {}
    if not isinstance(dimensions, dict):
        return [(path, "Give an object mapping each dimension to a list of values.")], {}
    errors: Errors = []
    cleaned: dict[str, list[str]] = {}
    for dimension, values in dimensions.items():
        field = f"{path}.{dimension}"
        if dimension not in DIMENSION_ORDER:
            errors.append((field, f"Unknown dimension; use one of {', '.join(DIMENSION_ORDER)}."))
            continue
        if not isinstance(values, list) or not values:
            errors.append((field, "Give a non-empty list of values."))
            continue
        seen: set[str] = set()
        for index, value in enumerate(values):
            problem = _text_error(value, max_length=VALUE_MAX)
            if problem is None and value.strip() in seen:
                problem = f"Duplicate value '{value.strip()}'."
            if problem:
                errors.append((f"{field}[{index}]", problem))
            else:
                seen.add(value.strip())
        cleaned[dimension] = [v.strip() for v in values if isinstance(v, str) and v.strip()]
    ordered = {d: list(dict.fromkeys(cleaned[d])) for d in DIMENSION_ORDER if d in cleaned}
    return errors, ordered


def _central_values(
    *, tenant: Tenant, dimensions: dict[str, list[str]]
) -> dict[tuple[str, str], DimensionValue]:
    """The tenant-central DimensionValues for the given values, creating the missing ones in bulk."""
    match = Q()
    for dimension, values in dimensions.items():
        match |= Q(dimension=dimension, value__in=values)
    wanted = {(d, v) for d, values in dimensions.items() for v in values}

    def load() -> dict[tuple[str, str], DimensionValue]:
        rows = DimensionValue.objects.filter(tenant=tenant).filter(match)
        return {(row.dimension, row.value): row for row in rows}

    found = load()
    missing = sorted(wanted - found.keys())
    if missing:
        DimensionValue.objects.bulk_create(
            [DimensionValue(tenant=tenant, dimension=d, value=v) for d, v in missing],
            ignore_conflicts=True,  # a concurrent create of the same value is fine
        )
        found = load()
    return found


def _offer_values(*, product: Product, dimensions: dict[str, list[str]]) -> None:
    """Append values to a master's dimensions, after the values it already offers."""
    if not dimensions:
        return
    central = _central_values(tenant=product.tenant, dimensions=dimensions)
    next_position: dict[str, int] = {}
    for offered in ProductDimensionValue.objects.filter(product=product).select_related(
        "dimension_value"
    ):
        dimension = offered.dimension_value.dimension
        next_position[dimension] = max(next_position.get(dimension, 0), offered.position + 1)
    ProductDimensionValue.objects.bulk_create(
        [
            ProductDimensionValue(
                tenant=product.tenant,
                product=product,
                dimension_value=central[(dimension, value)],
                position=next_position.get(dimension, 0) + index,
            )
            for dimension, values in dimensions.items()
            for index, value in enumerate(values)
        ]
    )


def _dimension_add_errors(
    *, product: Product, offered: dict[str, list[str]], additions: dict[str, list[str]], path: str
) -> tuple[Errors, dict[str, list[str]]]:
    """Check values to add to an existing master; return errors and only the new values."""
    if additions and not product.is_master:
        return [(path, "A simple product has no dimensions.")], {}
    errors: Errors = []
    has_variants = Variant.objects.filter(product=product).exists()
    new: dict[str, list[str]] = {}
    for dimension, values in additions.items():
        if dimension not in offered and has_variants:
            errors.append(
                (
                    f"{path}.{dimension}",
                    f"This master already has variants; they would have no {dimension} value. "
                    "Delete them first or create a new master.",
                )
            )
            continue
        fresh = [v for v in values if v not in offered.get(dimension, [])]
        if fresh:
            new[dimension] = fresh
    return errors, new


def _dimension_remove_errors(
    *, product: Product, offered: dict[str, list[str]], removals: dict[str, list[str]], path: str
) -> Errors:
    """A value may leave a master only if it offers it and no variant uses it (R2)."""
    errors: Errors = []
    for dimension, values in removals.items():
        for index, value in enumerate(values):
            field = f"{path}.{dimension}[{index}]"
            if value not in offered.get(dimension, []):
                errors.append((field, f"This master does not offer {dimension} '{value}'."))
                continue
            users = variant_numbers_using(product=product, dimension=dimension, value=value)
            if users:
                errors.append(
                    (field, f"Used by variants {', '.join(users)}; delete or change them first.")
                )
    return errors


def _value_usages(*, product: Product, removals: dict[str, list[str]]) -> list[str]:
    """Where current content (a working copy, draft or published content) uses these values;
    history never counts (R22)."""
    if not removals:
        return []
    return [
        usage
        for hook in settings.CATALOG_VALUE_USAGE_HOOKS
        for usage in import_string(hook)(product=product, removals=removals)
    ]


def _value_usages_message(usages: list[str]) -> str:
    shown = "; ".join(usages[:10]) + (f" and {len(usages) - 10} more" if len(usages) > 10 else "")
    return f"Still used by media assignments: {shown}. Remove those assignments first."


def _withdraw_values(*, product: Product, removals: dict[str, list[str]]) -> None:
    """R22: a value that current content still uses is refused with a 409 listing where."""
    usages = _value_usages(product=product, removals=removals)
    if usages:
        raise Conflict(
            _value_usages_message(usages),
            field="remove_dimensions",
            extra={"used_by": usages[:100]},
        )
    match = Q()
    for dimension, values in removals.items():
        match |= Q(dimension_value__dimension=dimension, dimension_value__value__in=values)
    if removals:
        ProductDimensionValue.objects.filter(product=product).filter(match).delete()


def product_dimension_changes_errors(
    *,
    product: Product,
    add: dict[str, list[str]] | None = None,
    remove: dict[str, list[str]] | None = None,
) -> Errors:
    """What adding and withdrawing these values on a master would violate; used by admin forms."""
    offered = product_dimensions(product=product)
    errors, additions = _dimensions_clean(add, path="dimensions")
    more, _ = _dimension_add_errors(
        product=product, offered=offered, additions=additions, path="dimensions"
    )
    errors = (
        errors
        + more
        + _dimension_remove_errors(
            product=product, offered=offered, removals=remove or {}, path="remove_dimensions"
        )
    )
    usages = _value_usages(product=product, removals=remove or {})
    if usages:
        errors.append(("remove_dimensions", _value_usages_message(usages)))
    return errors


@transaction.atomic
def product_dimension_values_add(
    *,
    product: Product,
    dimensions: dict[str, list[str]],
    user: AbstractBaseUser | None = None,
) -> dict[str, list[str]]:
    """Offer more values on a master (new values go last); returns its dimensions afterwards.
    Audited as "product.update" with the values added."""
    _editor_require(product.tenant, user, "change products")
    errors, cleaned = _dimensions_clean(dimensions, path="dimensions")
    add_errors, new = _dimension_add_errors(
        product=product,
        offered=product_dimensions(product=product),
        additions=cleaned,
        path="dimensions",
    )
    if errors or add_errors:
        raise ValidationFailed(errors + add_errors)
    _offer_values(product=product, dimensions=new)
    _audit(product, user, "product.update", dimensions_added=new)
    return product_dimensions(product=Product.objects.get(pk=product.pk))


@transaction.atomic
def product_dimension_values_remove(
    *,
    product: Product,
    dimensions: dict[str, list[str]],
    user: AbstractBaseUser | None = None,
) -> dict[str, list[str]]:
    """Withdraw values from a master, refused for any value a variant uses. Audited as
    "product.update" with the values removed."""
    _editor_require(product.tenant, user, "change products")
    errors, cleaned = _dimensions_clean(dimensions, path="remove_dimensions")
    errors += _dimension_remove_errors(
        product=product,
        offered=product_dimensions(product=product),
        removals=cleaned,
        path="remove_dimensions",
    )
    if errors:
        raise ValidationFailed(errors)
    _withdraw_values(product=product, removals=cleaned)
    _audit(product, user, "product.update", dimensions_removed=cleaned)
    return product_dimensions(product=Product.objects.get(pk=product.pk))


@transaction.atomic
def product_offered_values_save(
    *,
    product: Product,
    save: list[ProductDimensionValue],
    delete: list[ProductDimensionValue],
    user: AbstractBaseUser | None = None,
) -> None:
    """The admin's inline of offered values: rows added or moved (`save`) and withdrawn
    (`delete`) as its formset checked them (product_dimension_changes_errors). One
    "product.update" audit row lists the values added, removed and moved; none when
    nothing changed."""
    _editor_require(product.tenant, user, "change products")
    detail: dict = {}

    def note(key: str, row: ProductDimensionValue) -> None:
        value = row.dimension_value
        detail.setdefault(key, {}).setdefault(value.dimension, []).append(value.value)

    removals: dict[str, list[str]] = {}
    for row in delete:
        removals.setdefault(row.dimension_value.dimension, []).append(row.dimension_value.value)
    usages = _value_usages(product=product, removals=removals)
    if usages:  # R22, as the API refuses (the admin's form checks it first)
        raise Conflict(
            _value_usages_message(usages), field="remove_dimensions", extra={"used_by": usages}
        )
    for row in delete:
        note("dimensions_removed", row)
        row.delete()
    for row in save:
        note("dimensions_added" if row.pk is None else "dimensions_moved", row)
        row.tenant_id = product.tenant_id
        row.save()
    if detail:
        _audit(product, user, "product.update", **detail)


# --- variants ----------------------------------------------------------------------------


def _variant_values_clean(
    values: Any, *, dimensions: dict[str, list[str]], path: str
) -> tuple[Errors, dict[str, str] | None]:
    """Check one variant's values against its master's dimensions (R2).

    Every key must be a dimension the master has, every value one the master offers for
    it, and every master dimension must be given.
    """
    if not isinstance(values, dict) or not values:
        return [(path, "Give an object with one value per dimension of the master.")], None
    errors: Errors = []
    for dimension, value in values.items():
        field = f"{path}.{dimension}"
        if dimension not in DIMENSION_ORDER:
            errors.append((field, f"Unknown dimension; use one of {', '.join(DIMENSION_ORDER)}."))
        elif dimension not in dimensions:
            errors.append((field, f"This master has no {dimension} dimension."))
        elif not isinstance(value, str) or value.strip() not in dimensions[dimension]:
            errors.append(
                (
                    field,
                    f"'{value}' is not one of this master's {dimension} values: "
                    f"{', '.join(dimensions[dimension])}.",
                )
            )
    for dimension in dimensions:
        if dimension not in values:
            errors.append(
                (f"{path}.{dimension}", f"Required: this master has a {dimension} dimension.")
            )
    if errors:
        return errors, None
    return [], {d: values[d].strip() for d in DIMENSION_ORDER if d in values}


def _variants_clean(
    specs: Any,
    *,
    tenant: Tenant,
    product: Product | None,
    product_number: str,
    dimensions: dict[str, list[str]],
    prefixes: list[str] | None = None,
    except_variant: Variant | None = None,
) -> tuple[Errors, list[tuple[str, dict[str, str]]]]:
    """Check variants to create or change; return errors and cleaned (number, values) pairs.

    Numbers must be new in the tenant (products and variants alike), distinct from the
    master's and from each other; combinations must be new for the master and distinct.
    `prefixes` names each spec's field path (`variants[0]` by default, "" for a lone variant).
    """
    if specs in (None, []):
        return [], []
    if not isinstance(specs, list):
        return [("variants", "Give a list of variants.")], []
    prefixes = prefixes or [f"variants[{i}]" for i in range(len(specs))]
    numbers = [
        spec["number"].strip()
        for spec in specs
        if isinstance(spec, dict) and isinstance(spec.get("number"), str)
    ]
    taken = _numbers_taken(tenant=tenant, numbers=numbers, except_variant=except_variant)
    existing = _existing_combinations(product=product, except_variant=except_variant)
    errors: Errors = []
    cleaned: list[tuple[str, dict[str, str]]] = []
    seen_numbers: dict[str, str] = {}
    seen_combinations: dict[str, str] = {}
    for spec, prefix in zip(specs, prefixes, strict=True):
        if not isinstance(spec, dict):
            errors.append((prefix or "variants", "Give an object with number and values."))
            continue
        number_field, values_field = _join(prefix, "number"), _join(prefix, "values")
        number = spec.get("number")
        problem = _text_error(number, max_length=NUMBER_MAX, slash_ok=False)
        if problem is None:
            number = number.strip()
            if number == product_number:
                problem = "A variant number must differ from its master's number."
            elif number in seen_numbers:
                problem = f"Same number as {seen_numbers[number]}."
            elif number in taken:
                problem = f"'{number}' is already the number of a product or variant."
        if problem:
            errors.append((number_field, problem))
        else:
            seen_numbers[number] = number_field
        value_errors, values = _variant_values_clean(
            spec.get("values"), dimensions=dimensions, path=values_field
        )
        errors.extend(value_errors)
        if values is None:
            continue
        key = combination_key(values)
        if key in existing:
            errors.append(
                (values_field, f"Variant '{existing[key]}' already has this combination.")
            )
        elif key in seen_combinations:
            errors.append((values_field, f"Same combination as {seen_combinations[key]}."))
        else:
            seen_combinations[key] = values_field
            if not problem:
                cleaned.append((number, values))
    return errors, cleaned


def _existing_combinations(
    *, product: Product | None, except_variant: Variant | None
) -> dict[str, str]:
    if product is None or not product.pk:
        return {}
    rows = Variant.objects.filter(product=product)
    if except_variant is not None:
        rows = rows.exclude(pk=except_variant.pk)
    return dict(rows.values_list("combination_key", "number"))


def _product_changed(product_id: int, tenant_id: int) -> None:
    """Its shop answers must be recomputed (a variant came or went, it was created or
    deleted): noted in this transaction, projected after commit (R21)."""
    outbox_record(tenant=tenant_id, kind=OutboxKind.PRODUCT, ids=[product_id])


def _variants_insert(
    *, product: Product, cleaned: list[tuple[str, dict[str, str]]]
) -> list[Variant]:
    created = Variant.objects.bulk_create(
        [
            Variant(
                tenant=product.tenant,
                product=product,
                number=number,
                values=values,
                combination_key=combination_key(values),
            )
            for number, values in cleaned
        ]
    )
    if cleaned:
        _product_changed(product.pk, product.tenant_id)
    return created


def _master_required(product: Product, field: str) -> None:
    if not product.is_master:
        raise ValidationFailed(
            [(field, f"'{product.number}' is a simple product; only masters have variants.")]
        )


@transaction.atomic
def variants_add(
    *, product: Product, variants: list[dict], user: AbstractBaseUser | None = None
) -> list[Variant]:
    """Add several variants to an existing master at once (imports), all or nothing.

    A batch may be large: it writes one summary audit row ("variant.bulk_create" on the
    master, with the count and the first AUDIT_LIST_MAX numbers), not one row per variant."""
    _editor_require(product.tenant, user, "add variants")
    _master_required(product, "variants")
    errors, cleaned = _variants_clean(
        variants,
        tenant=product.tenant,
        product=product,
        product_number=product.number,
        dimensions=product_dimensions(product=product),
    )
    if errors:
        raise ValidationFailed(errors)
    created = _variants_insert(product=product, cleaned=cleaned)
    if created:
        _audit(
            product,
            user,
            "variant.bulk_create",
            count=len(created),
            numbers=_listed(v.number for v in created),
        )
    return created


def variant_values_errors(
    *, product: Product, number: Any, values: Any, variant: Variant | None = None
) -> Errors:
    """The errors a variant (new, or `variant` changed) would have; used by admin forms."""
    if not product.is_master:
        return [("product", f"'{product.number}' is a simple product; only masters have variants.")]
    errors, _ = _variants_clean(
        [{"number": number, "values": values}],
        tenant=product.tenant,
        product=product,
        product_number=product.number,
        dimensions=product_dimensions(product=product),
        prefixes=[""],
        except_variant=variant,
    )
    return errors


@transaction.atomic
def variant_create(
    *,
    product: Product,
    number: str,
    values: dict[str, str],
    user: AbstractBaseUser | None = None,
) -> Variant:
    """Add one variant to a master; its values must be a new combination of offered values."""
    _editor_require(product.tenant, user, "add variants")
    errors = variant_values_errors(product=product, number=number, values=values)
    if errors:
        raise ValidationFailed(errors)
    variant = _variants_insert(product=product, cleaned=[(number.strip(), _canonical(values))])[0]
    _audit(
        variant,
        user,
        "variant.create",
        product=product.number,
        number=variant.number,
        values=variant.values,
    )
    return variant


@transaction.atomic
def variant_update(
    *,
    variant: Variant,
    number: str | None = None,
    values: dict[str, str] | None = None,
    user: AbstractBaseUser | None = None,
) -> Variant:
    """Renumber a variant or change its combination, under the same rules as creating one."""
    _editor_require(variant.tenant, user, "change variants")
    # As stored: the admin hands over the instance its form already changed.
    before = Variant.objects.filter(pk=variant.pk).values("number", "values").first() or {}
    number = variant.number if number is None else number
    values = variant.values if values is None else values
    errors = variant_values_errors(
        product=variant.product, number=number, values=values, variant=variant
    )
    if errors:
        raise ValidationFailed(errors)
    variant.number = number.strip()
    variant.values = _canonical(values)
    variant.combination_key = combination_key(variant.values)
    variant.save(update_fields=["number", "values", "combination_key"])
    _product_changed(variant.product_id, variant.tenant_id)
    _audit(variant, user, "variant.update", **changes(before, snapshot(variant, before)))
    return variant


def _canonical(values: dict[str, str]) -> dict[str, str]:
    return {d: values[d].strip() for d in DIMENSION_ORDER if d in values}


@transaction.atomic
def variant_delete(*, variant: Variant, user: AbstractBaseUser | None = None) -> None:
    """Old versions keep their entries for it (history is immutable, R22); its shop
    answers are reported gone and its siblings' recomputed after commit."""
    _editor_require(variant.tenant, user, "delete variants")
    _audit(
        variant,
        user,
        "variant.delete",
        product=variant.product.number,
        number=variant.number,
        values=variant.values,
    )
    _product_changed(variant.product_id, variant.tenant_id)
    try:
        with transaction.atomic():
            variant.delete()
    except ProtectedError as exc:
        raise Conflict(f"Variant '{variant.number}' is still referenced.", field="number") from exc


# --- products ----------------------------------------------------------------------------


def _product_fields_errors(*, tenant: Tenant, number: Any, name: Any, kind: Any) -> Errors:
    errors: Errors = []
    problem = _text_error(number, max_length=NUMBER_MAX, slash_ok=False)
    if problem is None and _numbers_taken(tenant=tenant, numbers=[number.strip()]):
        problem = f"'{number.strip()}' is already the number of a product or variant."
    if problem:
        errors.append(("number", problem))
    problem = _text_error(name, max_length=NAME_MAX)
    if problem:
        errors.append(("name", problem))
    if kind not in ProductKind.values:
        errors.append(("kind", f"Use one of {', '.join(ProductKind.values)}."))
    return errors


def product_create_errors(
    *,
    tenant: Tenant,
    number: Any,
    name: Any,
    kind: Any,
    dimensions: Any = None,
    variants: Any = None,
) -> tuple[Errors, dict[str, list[str]], list[tuple[str, dict[str, str]]]]:
    """Every problem of a product-creation input, with the cleaned dimensions and variants."""
    errors = _product_fields_errors(tenant=tenant, number=number, name=name, kind=kind)
    if kind == ProductKind.SIMPLE:
        if dimensions:
            errors.append(("dimensions", "A simple product has no dimensions; use kind master."))
        if variants:
            errors.append(("variants", "A simple product has no variants; use kind master."))
        return errors, {}, []
    dimension_errors, cleaned_dimensions = _dimensions_clean(dimensions, path="dimensions")
    errors += dimension_errors
    if variants and not cleaned_dimensions and not dimension_errors:
        errors.append(("dimensions", "Variants need dimensions: give the master's dimensions."))
    variant_errors, cleaned_variants = _variants_clean(
        variants,
        tenant=tenant,
        product=None,
        product_number=number.strip() if isinstance(number, str) else "",
        dimensions=cleaned_dimensions,
    )
    return errors + variant_errors, cleaned_dimensions, cleaned_variants


@transaction.atomic
def product_create(
    *,
    tenant: Tenant,
    number: str,
    name: str,
    kind: str,
    dimensions: dict[str, list[str]] | None = None,
    variants: list[dict] | None = None,
    description: str = "",
    user: AbstractBaseUser | None = None,
) -> Product:
    """Create a simple product, or a master with its dimensions and variants in one go (R2).

    Dimension values are the tenant's central ones (created when new) offered in the given
    order. Nothing is written unless the whole input is valid; every error is reported.
    One audit row ("product.create") covers the variants too: their count and first numbers.
    """
    _editor_require(tenant, user, "create products")
    errors, cleaned_dimensions, cleaned_variants = product_create_errors(
        tenant=tenant, number=number, name=name, kind=kind, dimensions=dimensions, variants=variants
    )
    if errors:
        raise ValidationFailed(errors)
    try:
        with transaction.atomic():
            product = Product.objects.create(
                tenant=tenant,
                number=number.strip(),
                name=name.strip(),
                kind=kind,
                description=description or "",
            )
    except IntegrityError as exc:  # a concurrent create of the same number won the race
        raise Conflict(f"'{number}' is already the number of a product.", field="number") from exc
    _offer_values(product=product, dimensions=cleaned_dimensions)
    _variants_insert(product=product, cleaned=cleaned_variants)
    _product_changed(product.pk, tenant.pk)
    detail = {"number": product.number, "name": product.name, "kind": product.kind}
    if cleaned_dimensions:
        detail["dimensions"] = cleaned_dimensions
    if cleaned_variants:
        detail["variants"] = len(cleaned_variants)
        detail["variant_numbers"] = _listed(number for number, _ in cleaned_variants)
    _audit(product, user, "product.create", **detail)
    return product


@transaction.atomic
def product_update(
    *,
    product: Product,
    name: str | None = None,
    description: str | None = None,
    add_dimensions: dict[str, list[str]] | None = None,
    remove_dimensions: dict[str, list[str]] | None = None,
    user: AbstractBaseUser | None = None,
) -> Product:
    """Rename or describe a product and offer or withdraw dimension values, all or nothing.

    Number and kind are fixed: assignments, manifests and shops refer to products by number.
    Audited as "product.update": the changed fields, old and new, and the values offered or
    withdrawn.
    """
    _editor_require(product.tenant, user, "change products")
    # As stored: the admin hands over the instance its form already changed.
    before = Product.objects.filter(pk=product.pk).values("name", "description").first() or {}
    errors: Errors = []
    if name is not None and (problem := _text_error(name, max_length=NAME_MAX)):
        errors.append(("name", problem))
    offered = product_dimensions(product=product)
    add_errors, additions = _dimensions_clean(add_dimensions, path="dimensions")
    errors += add_errors
    more_errors, new_values = _dimension_add_errors(
        product=product, offered=offered, additions=additions, path="dimensions"
    )
    errors += more_errors
    remove_errors, removals = _dimensions_clean(remove_dimensions, path="remove_dimensions")
    errors += remove_errors + _dimension_remove_errors(
        product=product, offered=offered, removals=removals, path="remove_dimensions"
    )
    if errors:
        raise ValidationFailed(errors)
    if name is not None:
        product.name = name.strip()
    if description is not None:
        product.description = description
    product.save(update_fields=["name", "description", "updated_at"])
    _withdraw_values(product=product, removals=removals)
    _offer_values(product=product, dimensions=new_values)
    detail = changes(before, snapshot(product, before))
    if new_values:
        detail["dimensions_added"] = new_values
    if removals:
        detail["dimensions_removed"] = removals
    _audit(product, user, "product.update", **detail)
    return product


@transaction.atomic
def product_delete(*, product: Product, user: AbstractBaseUser | None = None) -> None:
    """Delete a product with its variants and offered values; central values stay (shared).
    Its shop answers are reported gone after commit (R22). A product that shops are being
    served (published content) takes a publisher to delete (R1a); `user` None is a system
    action."""
    _editor_require(product.tenant, user, "delete products")
    if user is not None and any(
        import_string(hook)(product=product) for hook in settings.CATALOG_PUBLISHED_HOOKS
    ):
        role_require(
            tenant=product.tenant,
            user=user,
            role=Role.PUBLISHER,
            action="delete a product with published media",
        )
    _audit(
        product,
        user,
        "product.delete",
        number=product.number,
        name=product.name,
        kind=product.kind,
        variants=Variant.objects.filter(product=product).count(),
    )
    _product_changed(product.pk, product.tenant_id)
    try:
        with transaction.atomic():
            product.delete()
    except ProtectedError as exc:
        raise Conflict(
            f"Product '{product.number}' is still referenced elsewhere.", field="number"
        ) from exc


# --- central dimension values ------------------------------------------------------------


def dimension_value_swatch_errors(
    *, dimension_value: DimensionValue, swatch_hex: str = "", swatch_media_id: int | None = None
) -> tuple[Errors, Any]:
    """Check a central swatch (R7): `#rrggbb`, or an image of the same tenant; not both."""
    from media_library.models import MediaItem, MediaKind

    errors: Errors = []
    media = None
    if swatch_hex and swatch_media_id is not None:
        errors.append(("swatch_hex", "Give either swatch_hex or swatch_media, not both."))
    if swatch_hex and not _HEX.match(swatch_hex):
        errors.append(("swatch_hex", "Use a colour like #1a2b3c."))
    if swatch_media_id is not None:
        media = MediaItem.objects.filter(
            tenant_id=dimension_value.tenant_id, pk=swatch_media_id
        ).first()
        if media is None:
            errors.append(("swatch_media", f"Media item {swatch_media_id} not found."))
        elif media.kind != MediaKind.IMAGE:
            errors.append(("swatch_media", f"A swatch must be an image, not a {media.kind}."))
    return errors, media


@transaction.atomic
def dimension_value_create(
    *,
    tenant: Tenant,
    dimension: str,
    value: str,
    swatch_hex: str = "",
    swatch_media_id: int | None = None,
    user: AbstractBaseUser | None = None,
) -> DimensionValue:
    """Add a central value by hand (the admin; products create theirs as they offer them),
    with its swatch. Audited as "dimension_value.create"."""
    _editor_require(tenant, user, "add dimension values")
    errors: Errors = []
    if dimension not in DIMENSION_ORDER:
        errors.append(("dimension", f"Use one of {', '.join(DIMENSION_ORDER)}."))
    if problem := _text_error(value, max_length=VALUE_MAX):
        errors.append(("value", problem))
    probe = DimensionValue(tenant=tenant)
    swatch_errors, media = dimension_value_swatch_errors(
        dimension_value=probe, swatch_hex=swatch_hex, swatch_media_id=swatch_media_id
    )
    if errors or swatch_errors:
        raise ValidationFailed(errors + swatch_errors)
    value = value.strip()
    if DimensionValue.objects.filter(tenant=tenant, dimension=dimension, value=value).exists():
        raise Conflict(f"{dimension} '{value}' already exists.", field="value")
    dimension_value = DimensionValue.objects.create(
        tenant=tenant,
        dimension=dimension,
        value=value,
        swatch_hex=swatch_hex.lower() if swatch_hex else "",
        swatch_media=media,
    )
    _audit(
        dimension_value,
        user,
        "dimension_value.create",
        dimension=dimension,
        value=value,
        swatch_hex=dimension_value.swatch_hex,
        swatch_media=dimension_value.swatch_media_id,
    )
    return dimension_value


@transaction.atomic
def dimension_value_set_swatch(
    *,
    dimension_value: DimensionValue,
    swatch_hex: str = "",
    swatch_media_id: int | None = None,
    user: AbstractBaseUser | None = None,
) -> DimensionValue:
    """Set the value's central swatch to a colour or an image (the other is cleared); none
    clears. Audited as "dimension_value.update" with the swatch's old and new values."""
    _editor_require(dimension_value.tenant, user, "change dimension values")
    errors, media = dimension_value_swatch_errors(
        dimension_value=dimension_value, swatch_hex=swatch_hex, swatch_media_id=swatch_media_id
    )
    if errors:
        raise ValidationFailed(errors)
    # As stored: the admin hands over the instance its form already changed.
    before = (
        DimensionValue.objects.filter(pk=dimension_value.pk)
        .values("swatch_hex", "swatch_media")
        .first()
        or {}
    )
    dimension_value.swatch_hex = swatch_hex.lower() if swatch_hex else ""
    dimension_value.swatch_media = media
    dimension_value.save(update_fields=["swatch_hex", "swatch_media"])
    _audit(
        dimension_value,
        user,
        "dimension_value.update",
        **changes(
            before,
            {"swatch_hex": dimension_value.swatch_hex, "swatch_media": media.pk if media else None},
        ),
    )
    return dimension_value


# --- categories --------------------------------------------------------------------------


def _products_by_numbers(
    *, tenant: Tenant, numbers: Any, path: str = "products"
) -> tuple[Errors, list[Product]]:
    """Resolve product numbers of the tenant; a variant number is pointed at its master."""
    if not isinstance(numbers, list):
        return [(path, "Give a list of product numbers.")], []
    found = {p.number: p for p in Product.objects.filter(tenant=tenant, number__in=numbers)}
    variants = dict(
        Variant.objects.filter(tenant=tenant, number__in=numbers).values_list(
            "number", "product__number"
        )
    )
    errors: Errors = []
    for index, number in enumerate(numbers):
        if number in found:
            continue
        if number in variants:
            errors.append(
                (
                    f"{path}[{index}]",
                    f"'{number}' is a variant; assign its master '{variants[number]}'.",
                )
            )
        else:
            errors.append((f"{path}[{index}]", f"Product '{number}' not found."))
    return errors, list(found.values())


def category_place_errors(
    *,
    tenant: Tenant,
    channel: Channel,
    parent: Category | None,
    name: Any,
    category: Category | None = None,
) -> tuple[Errors, str]:
    """Check where a category goes (R3); return errors and its path."""
    errors: Errors = []
    if channel.tenant_id != tenant.pk:
        errors.append(("channel", "Channel not found."))
    elif channel.is_omnichannel:
        errors.append(
            ("channel", "Categories belong to a real channel; Omnichannel has no category tree.")
        )
    if parent is not None:
        if parent.tenant_id != tenant.pk or parent.channel_id != channel.pk:
            errors.append(("parent", "The parent must be a category of the same channel."))
        elif category is not None and (
            parent.pk == category.pk or parent.path.startswith(category.path + "/")
        ):
            errors.append(("parent", "A category cannot move under itself or its descendants."))
    problem = _text_error(name, max_length=CATEGORY_NAME_MAX, slash_ok=False)
    if problem:
        errors.append(("name", problem))
        return errors, ""
    path = f"{parent.path}/{name.strip()}" if parent is not None else name.strip()
    clash = Category.objects.filter(tenant=tenant, channel=channel, path=path)
    if category is not None:
        clash = clash.exclude(pk=category.pk)
    if not errors and clash.exists():
        errors.append(("name", f"Category '{path}' already exists in channel '{channel.code}'."))
    return errors, path


@transaction.atomic
def category_create(
    *,
    tenant: Tenant,
    channel: Channel,
    name: str,
    parent: Category | None = None,
    position: int = 0,
    product_numbers: list[str] | None = None,
    user: AbstractBaseUser | None = None,
) -> Category:
    """Add a category to a channel's tree (R3), optionally with its products."""
    _editor_require(tenant, user, "create categories")
    errors, path = category_place_errors(tenant=tenant, channel=channel, parent=parent, name=name)
    product_errors, products = _products_by_numbers(tenant=tenant, numbers=product_numbers or [])
    if errors or product_errors:
        raise ValidationFailed(errors + product_errors)
    category = Category.objects.create(
        tenant=tenant,
        channel=channel,
        parent=parent,
        name=name.strip(),
        path=path,
        position=position,
    )
    if products:
        category.products.set(products)
    _audit(
        category,
        user,
        "category.create",
        channel=channel.code,
        path=category.path,
        parent=category.parent_id,
        position=category.position,
        products=_listed(p.number for p in products),
    )
    return category


@transaction.atomic
def category_update(
    *,
    category: Category,
    name: str | None = None,
    parent: Category | None = _UNSET,
    position: int | None = None,
    product_numbers: list[str] | None = None,
    user: AbstractBaseUser | None = None,
) -> Category:
    """Rename, move (parent None = to the root) or reorder a category; descendants' paths
    follow. Audited as "category.update": changed fields, products added and removed."""
    _editor_require(category.tenant, user, "change categories")
    fields = ("name", "path", "parent", "position")
    # As stored: the admin hands over the instance its form already changed.
    before = Category.objects.filter(pk=category.pk).values(*fields).first() or {}
    new_parent = category.parent if parent is _UNSET else parent
    new_name = category.name if name is None else name
    errors, path = category_place_errors(
        tenant=category.tenant,
        channel=category.channel,
        parent=new_parent,
        name=new_name,
        category=category,
    )
    products: list[Product] = []
    if product_numbers is not None:
        product_errors, products = _products_by_numbers(
            tenant=category.tenant, numbers=product_numbers
        )
        errors += product_errors
    if errors:
        raise ValidationFailed(errors)
    old_path = category.path
    category.parent = new_parent
    category.name = new_name.strip()
    category.path = path
    if position is not None:
        category.position = position
    category.save()
    if path != old_path:
        _descendants_repath(category=category, old_path=old_path)
        outbox_record(
            tenant=category.tenant_id,
            kind=OutboxKind.CATEGORY,
            ids=_subtree_ids(category, category.path),
        )
    detail = changes(
        before,
        {
            "name": category.name,
            "path": category.path,
            "parent": category.parent_id,
            "position": category.position,
        },
    )
    if product_numbers is not None:
        detail.update(_products_replace(category, products))
    _audit(category, user, "category.update", **detail)
    return category


def _products_replace(category: Category, products: list[Product]) -> dict:
    """Make the category hold exactly `products`; the audit detail of what that changed."""
    old = set(category.products.values_list("number", flat=True))
    new = {p.number for p in products}
    category.products.set(products)
    detail: dict = {}
    if new - old:
        detail["products_added"] = _listed(new - old)
    if old - new:
        detail["products_removed"] = _listed(old - new)
    return detail


def _descendants_repath(*, category: Category, old_path: str) -> None:
    """Rewrite the path prefix of every descendant in one bulk update.

    Names cannot contain '/', and the new path was checked free, so no rewritten path can
    collide with an existing one.
    """
    descendants = list(
        Category.objects.filter(
            tenant_id=category.tenant_id,
            channel_id=category.channel_id,
            path__startswith=old_path + "/",
        )
    )
    for descendant in descendants:
        descendant.path = category.path + descendant.path[len(old_path) :]
    Category.objects.bulk_update(descendants, ["path"], batch_size=500)


def _subtree_ids(category: Category, path: str) -> list[int]:
    return [category.pk] + list(
        Category.objects.filter(
            tenant_id=category.tenant_id,
            channel_id=category.channel_id,
            path__startswith=path + "/",
        ).values_list("pk", flat=True)
    )


@transaction.atomic
def category_delete(*, category: Category, user: AbstractBaseUser | None = None) -> None:
    """Delete a category and its subtree; the products themselves stay. Their shop
    answers are reported gone after commit (R22). One audit row ("category.delete") names
    the subtree's size; the descendants get none of their own."""
    _editor_require(category.tenant, user, "delete categories")
    subtree = _subtree_ids(category, category.path)
    _audit(
        category,
        user,
        "category.delete",
        channel=category.channel.code,
        path=category.path,
        subtree=len(subtree),
    )
    outbox_record(tenant=category.tenant_id, kind=OutboxKind.CATEGORY, ids=subtree)
    category.delete()


@transaction.atomic
def category_products_set(
    *, category: Category, product_numbers: list[str], user: AbstractBaseUser | None = None
) -> Category:
    """Make the category hold exactly these products (by number). Audited as
    "category.update" with the products added and removed; a set that changes nothing (the
    demo loader run again) writes no row."""
    _editor_require(category.tenant, user, "change categories")
    errors, products = _products_by_numbers(tenant=category.tenant, numbers=product_numbers)
    if errors:
        raise ValidationFailed(errors)
    detail = _products_replace(category, products)
    if detail:
        _audit(category, user, "category.update", **detail)
    return category
