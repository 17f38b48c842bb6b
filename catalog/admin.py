"""Catalog admin: tenant-scoped (R1), and every write checked by the same rules as the API (R2, R3).

Forms call the services' validation in `clean()` so a bad row shows as a form error, never
a 500; `save_model`/`save_formset` then write through the services.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect

from tenants.admin_base import TenantScopedAdmin, TenantScopedInline

from . import services
from .admin_widgets import VariantValuesField, dimension_label, dimensions_with_values
from .models import (
    Category,
    DimensionValue,
    Product,
    ProductDimensionValue,
    ProductKind,
    Variant,
)
from .selectors import product_dimensions

# Editors manage the catalog, as in the API (R1a); TenantScopedAdmin's default roles.
TENANT_FILTER = "tenant"  # TenantScopedAdmin offers only the user's tenants


def _add_errors(form: forms.BaseForm, errors: list[tuple[str, str]]) -> None:
    """Attach service errors to the form's fields (`values.color` to the values field, as
    "Color: …"), or to the form when no field matches."""
    for field, reason in errors:
        head, _, rest = (field or "").partition(".")
        if field in form.fields:
            form.add_error(field, reason)
        elif head in form.fields:
            form.add_error(head, f"{dimension_label(rest)}: {reason}" if rest else reason)
        else:
            form.add_error(None, f"{field}: {reason}" if field else reason)


# --- products ----------------------------------------------------------------------------


class OfferedValuesFormSet(forms.BaseInlineFormSet):
    """Offered values may change only as the API allows: no value a variant uses is withdrawn."""

    def clean(self):
        super().clean()
        product = self.instance
        if any(form.errors for form in self.forms):
            return
        add: dict[str, list[str]] = {}
        remove: dict[str, list[str]] = {}
        for form in self.forms:
            value = form.cleaned_data.get("dimension_value")
            if value is None:
                continue
            if value.tenant_id != product.tenant_id:
                form.add_error("dimension_value", "Pick a value of the product's tenant.")
            elif not product.is_master:
                form.add_error("dimension_value", "A simple product has no dimensions.")
            elif self._should_delete_form(form) and form.instance.pk:
                remove.setdefault(value.dimension, []).append(value.value)
            elif form.instance.pk is None:
                add.setdefault(value.dimension, []).append(value.value)
        if product.pk is None:
            return  # a new master: nothing it offers can be in use yet
        errors = services.product_dimension_changes_errors(product=product, add=add, remove=remove)
        if errors:
            raise forms.ValidationError([reason for _, reason in errors])


class ProductDimensionValueInline(TenantScopedInline, admin.TabularInline):
    model = ProductDimensionValue
    formset = OfferedValuesFormSet
    fields = ["dimension_value", "position"]
    extra = 0
    verbose_name = "offered dimension value"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("dimension_value")


class VariantInlineFormSet(forms.BaseInlineFormSet):
    """Each variant row is checked against the master's saved dimensions (R2)."""

    def clean(self):
        super().clean()
        product = self.instance
        rows = [f for f in self.forms if f.has_changed() and not self._should_delete_form(f)]
        if rows and product.pk is None:
            raise forms.ValidationError(
                "Save the master with its dimension values first, then add variants."
            )
        seen: dict[tuple[str, str], str] = {}
        for form in rows:
            if "number" not in form.cleaned_data or "values" not in form.cleaned_data:
                continue  # the field's own error already shows
            number, values = form.cleaned_data["number"], form.cleaned_data["values"]
            variant = form.instance if form.instance.pk else None
            _add_errors(
                form,
                services.variant_values_errors(
                    product=product, number=number, values=values, variant=variant
                ),
            )
            self._refuse_duplicates(form, seen, number, values)

    def _refuse_duplicates(self, form, seen: dict, number, values) -> None:
        """Two rows of one submit may not share a number or a combination."""
        keys = [("number", str(number))]
        if isinstance(values, dict):
            keys.append(("values", "|".join(f"{k}={v}" for k, v in sorted(values.items()))))
        for key in keys:
            if key in seen:
                form.add_error(key[0], f"Same {key[0]} as another row.")
            seen[key] = key[0]


class VariantValuesForm(forms.ModelForm):
    """A variant's values as one select per dimension of its master (not JSON). `product` is
    the master, set on a subclass by the admin (inline rows get their product only after
    they are built)."""

    product: Product | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        product = self.product or (self.instance.product if self.instance.pk else None)
        if product is None or not product.is_master or "values" not in self.fields:
            return
        held = self.instance.values if self.instance.pk else None
        self.fields["values"] = VariantValuesField(
            dimensions_with_values(product_dimensions(product=product), held),
            help_text="One value per dimension the master offers.",
        )


class VariantInline(TenantScopedInline, admin.TabularInline):
    model = Variant
    formset = VariantInlineFormSet
    form = VariantValuesForm
    fields = ["number", "values"]
    extra = 0
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = type("VariantRowForm", (VariantValuesForm,), {"product": obj})
        return super().get_formset(request, obj, **kwargs)


class ProductAdminForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["tenant", "number", "name", "kind", "description"]

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and data.get("tenant") is not None:
            errors, _, _ = services.product_create_errors(
                tenant=data["tenant"],
                number=data.get("number"),
                name=data.get("name"),
                kind=data.get("kind"),
            )
            _add_errors(self, [e for e in errors if e[0] not in self.errors])
        return data


@admin.register(Product)
class ProductAdmin(TenantScopedAdmin):
    form = ProductAdminForm
    list_display = ["number", "name", "kind", "tenant", "updated_at"]
    list_filter = ["kind", TENANT_FILTER]
    search_fields = ["number", "name"]
    inlines = [ProductDimensionValueInline, VariantInline]

    def get_readonly_fields(self, request, obj=None):
        # Numbers are how assignments, manifests and shops refer to products.
        return ["tenant", "number", "kind"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            services.product_update(
                product=obj, name=obj.name, description=obj.description, user=request.user
            )
            return
        created = services.product_create(
            tenant=obj.tenant,
            number=obj.number,
            name=obj.name,
            kind=obj.kind,
            description=obj.description,
            user=request.user,
        )
        obj.pk, obj.created_at, obj.updated_at = created.pk, created.created_at, created.updated_at

    def service_delete(self, request, obj):
        services.product_delete(product=obj, user=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is Variant:
            self._save_variants(request, formset)
            return
        offered = formset.save(commit=False)
        services.product_offered_values_save(
            product=form.instance,
            save=offered,
            delete=list(formset.deleted_objects),
            user=request.user,
        )

    def _save_variants(self, request, formset) -> None:
        """Variant rows were validated in the formset; write them through the services.

        The new/changed/deleted lists feed the admin's change message, as formset.save() would.
        """
        product = formset.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for form in formset.forms:
            if formset._should_delete_form(form):
                if form.instance.pk:
                    services.variant_delete(variant=form.instance, user=request.user)
                    formset.deleted_objects.append(form.instance)
            elif form.instance.pk is None and form.has_changed():
                formset.new_objects.append(
                    services.variant_create(
                        product=product,
                        number=form.cleaned_data["number"],
                        values=form.cleaned_data["values"],
                        user=request.user,
                    )
                )
            elif form.instance.pk and form.has_changed():
                services.variant_update(
                    variant=form.instance,
                    number=form.cleaned_data["number"],
                    values=form.cleaned_data["values"],
                    user=request.user,
                )
                formset.changed_objects.append((form.instance, form.changed_data))


# --- variants ----------------------------------------------------------------------------


class VariantAdminForm(VariantValuesForm):
    """Changing a variant: selects for its master's dimensions, checked by the services."""

    class Meta:
        model = Variant
        fields = ["product", "number", "values"]

    def clean(self):
        data = super().clean()
        product = self.product or data.get("product")
        if product is None and self.instance.pk:
            product = self.instance.product
        if product is not None and "number" in data and "values" in data:
            errors = services.variant_values_errors(
                product=product,
                number=data["number"],
                values=data["values"],
                variant=self.instance if self.instance.pk else None,
            )
            _add_errors(self, errors)
        return data


class VariantMasterForm(forms.ModelForm):
    """Adding a variant, step 1 (like Django's user add form): choose its master. Step 2 is
    the same page with ?master=<id>: one select per dimension that master offers."""

    class Meta:
        model = Variant
        fields = ["product"]
        labels = {"product": "Product master"}
        help_texts = {
            "product": "The master the variant belongs to. Next, choose one value per "
            "dimension it offers."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["product"]
        field.queryset = field.queryset.filter(kind=ProductKind.MASTER)


class VariantAddForm(VariantAdminForm):
    """Adding a variant, step 2: the master is fixed (from ?master=), the values are selects."""

    class Meta:
        model = Variant
        fields = ["number", "values"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The instance belongs to the master's tenant before validation, so the tenant
        # check (TenantScopedAdmin) and the services see where the row would go.
        self.instance.product, self.instance.tenant = self.product, self.product.tenant


@admin.register(Variant)
class VariantAdmin(TenantScopedAdmin):
    form = VariantAdminForm
    list_display = ["number", "product", "combination_key", "tenant"]
    list_filter = [TENANT_FILTER]
    search_fields = ["number", "product__number", "product__name"]
    list_select_related = ["product", "tenant"]

    def get_readonly_fields(self, request, obj=None):
        return ["product"] if obj is not None else []

    def master_from_query(self, request) -> Product | None:
        """The master named by ?master=, if the user may add to its tenant; else None."""
        raw = request.GET.get("master", "")
        if not (raw.isascii() and raw.isdigit()) or int(raw) >= 2**63:
            return None
        masters = Product.objects.filter(kind=ProductKind.MASTER).select_related("tenant")
        ids = self.tenant_ids(request, "add")
        if ids is not None:
            masters = masters.filter(tenant_id__in=ids)
        return masters.filter(pk=int(raw)).first()

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            master = self.master_from_query(request)
            if master is None:
                kwargs["form"] = VariantMasterForm
            else:
                kwargs["form"] = type("VariantAddForm", (VariantAddForm,), {"product": master})
        return super().get_form(request, obj, change=change, **kwargs)

    def add_view(self, request, form_url="", extra_context=None):
        master = self.master_from_query(request)
        if master is None:
            if "master" in request.GET:
                messages.error(
                    request, "That product is not a master you may add variants to; choose one."
                )
            if request.method == "POST":
                chooser = self.get_form(request)(request.POST)
                if chooser.is_valid():  # step 1 done: show the master's selects
                    return redirect(f"{request.path}?master={chooser.cleaned_data['product'].pk}")
        else:
            subtitle = f"Variant of {master.number} · {master.name}"
            extra_context = {**(extra_context or {}), "subtitle": subtitle}
        return super().add_view(request, form_url, extra_context)

    def response_add(self, request, obj, post_url_continue=None):
        if "_addanother" in request.POST:  # another variant of the same master
            self.message_user(request, f"The variant “{obj}” was added.", messages.SUCCESS)
            return redirect(f"{request.path}?master={obj.product_id}")
        return super().response_add(request, obj, post_url_continue)

    def save_model(self, request, obj, form, change):
        if change:
            services.variant_update(
                variant=obj, number=obj.number, values=obj.values, user=request.user
            )
            return
        created = services.variant_create(
            product=obj.product, number=obj.number, values=obj.values, user=request.user
        )
        obj.pk, obj.tenant_id, obj.created_at = created.pk, created.tenant_id, created.created_at

    def service_delete(self, request, obj):
        services.variant_delete(variant=obj, user=request.user)


# --- central dimension values ------------------------------------------------------------


class DimensionValueAdminForm(forms.ModelForm):
    class Meta:
        model = DimensionValue
        fields = ["tenant", "dimension", "value", "swatch_hex", "swatch_media"]

    def clean(self):
        data = super().clean()
        tenant = data.get("tenant") or (self.instance.tenant if self.instance.pk else None)
        if tenant is not None:
            media = data.get("swatch_media")
            errors, _ = services.dimension_value_swatch_errors(
                dimension_value=DimensionValue(tenant=tenant),
                swatch_hex=data.get("swatch_hex") or "",
                swatch_media_id=media.pk if media else None,
            )
            _add_errors(self, errors)
        return data


@admin.register(DimensionValue)
class DimensionValueAdmin(TenantScopedAdmin):
    form = DimensionValueAdminForm
    list_display = ["dimension", "value", "swatch_hex", "swatch_media", "tenant"]
    list_filter = ["dimension", TENANT_FILTER]
    search_fields = ["value"]

    def get_readonly_fields(self, request, obj=None):
        # Variants hold their values as text: renaming a central value would orphan them.
        return ["tenant", "dimension", "value"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.dimension_value_create(
                tenant=obj.tenant,
                dimension=obj.dimension,
                value=obj.value,
                swatch_hex=obj.swatch_hex,
                swatch_media_id=obj.swatch_media_id,
                user=request.user,
            )
            obj.pk, obj.value = created.pk, created.value
            return
        services.dimension_value_set_swatch(
            dimension_value=obj,
            swatch_hex=obj.swatch_hex,
            swatch_media_id=obj.swatch_media_id,
            user=request.user,
        )


# --- categories --------------------------------------------------------------------------


class CategoryAdminForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["tenant", "channel", "parent", "name", "position", "products"]

    def clean(self):
        data = super().clean()
        tenant = data.get("tenant") or (self.instance.tenant if self.instance.pk else None)
        channel = data.get("channel") or (self.instance.channel if self.instance.pk else None)
        if tenant is None or channel is None or "name" not in data:
            return data
        errors, _ = services.category_place_errors(
            tenant=tenant,
            channel=channel,
            parent=data.get("parent"),
            name=data["name"],
            category=self.instance if self.instance.pk else None,
        )
        if any(p.tenant_id != tenant.pk for p in data.get("products") or []):
            errors.append(("products", "Pick products of the category's tenant."))
        _add_errors(self, errors)
        return data


@admin.register(Category)
class CategoryAdmin(TenantScopedAdmin):
    form = CategoryAdminForm
    list_display = ["path", "channel", "position", "tenant"]
    list_filter = [TENANT_FILTER, ("channel", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "path"]
    readonly_fields = ["path"]
    list_select_related = ["channel", "tenant"]

    def get_readonly_fields(self, request, obj=None):
        return ["tenant", "channel", "path"] if obj is not None else ["path"]

    def save_model(self, request, obj, form, change):
        numbers = [p.number for p in form.cleaned_data.get("products") or []]
        if change:
            services.category_update(
                category=obj,
                name=obj.name,
                parent=obj.parent,
                position=obj.position,
                product_numbers=numbers,
                user=request.user,
            )
            return
        created = services.category_create(
            tenant=obj.tenant,
            channel=obj.channel,
            name=obj.name,
            parent=obj.parent,
            position=obj.position,
            product_numbers=numbers,
            user=request.user,
        )
        obj.pk, obj.path = created.pk, created.path

    def service_delete(self, request, obj):
        services.category_delete(category=obj, user=request.user)
