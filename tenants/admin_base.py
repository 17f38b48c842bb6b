"""The admin's one permission model: the API's role check (R1a), per object's tenant (R1, R30).

Every tenant-owned model admin derives from `TenantScopedAdmin` and names, in
`required_role`, the role each operation needs ("view", "add", "change", "delete"): the
lowest role that may do it in a tenant, `SUPERUSER` for operators only, or None for nobody.
The role comes from `tenants.selectors.user_role`, as in the API; Django's per-model
permissions play no part (a staff user's rights are their roles, one per tenant).

- Lists, search and actions see only the rows of tenants where the user holds the role.
- A change or delete page of another tenant's row answers like a missing row.
- Add forms offer only tenants where the user may add; the form refuses any other tenant,
  and any related row (foreign key, many-to-many, user) outside those tenants.
- List filters offer only the user's tenants and the values of rows the user sees.
- Deletes, single or bulk, go through `service_delete` (the owning service, so its guards
  apply); a refusal shows its reason and deletes nothing.
"""

from __future__ import annotations

import functools

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.utils import NotRelationField, get_fields_from_path, quote
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models, transaction
from django.db.models import ProtectedError
from django.http import HttpResponseRedirect
from django.urls import reverse

from .exceptions import DomainError
from .models import ROLE_RANK, Membership, Role, Tenant
from .selectors import user_role


def widgets_name(fields: dict) -> None:
    """Give each of these form fields' inputs an accessible name (axe:
    label, select-name): the cells of a tabular inline, whose only label is the column
    header, and the date and time inputs of a split date-time field."""
    for name, field in fields.items():
        label = str(field.label or name.replace("_", " ")).capitalize()
        widget = getattr(field.widget, "widget", field.widget)  # related-field wrapper
        parts = getattr(widget, "widgets", None)
        if parts:
            words = ("date", "time") if len(parts) == 2 else range(1, len(parts) + 1)
            for part, word in zip(parts, words, strict=True):
                part.attrs.setdefault("aria-label", f"{label}, {word}")
        else:
            widget.attrs.setdefault("aria-label", label)


SUPERUSER = "superuser"  # an operation only superusers (operators) may do
OPERATIONS = ("view", "add", "change", "delete")


def roles(
    *,
    view: str | None = Role.EDITOR,
    add: str | None = Role.EDITOR,
    change: str | None = Role.EDITOR,
    delete: str | None = Role.EDITOR,
) -> dict[str, str | None]:
    """A `required_role` table. Viewers see nothing in the admin (they use the workspace)."""
    return {"view": view, "add": add, "change": change, "delete": delete}


def role_satisfies(held: str | None, required: str) -> bool:
    """The API's rule (R1a): roles are ranked, a higher one may do what a lower one may."""
    return held is not None and ROLE_RANK[Role(held)] >= ROLE_RANK[Role(required)]


def _roles_at_least(role: str) -> list[str]:
    return [r for r in Role.values if role_satisfies(r, role)]


def admin_tenant_ids(request, role: str = Role.EDITOR) -> list[int] | None:
    """Ids of the tenants where the user holds at least `role`; None means all (superuser)."""
    if request.user.is_superuser:
        return None
    memo = request.__dict__.setdefault("_tenant_admin_ids", {})
    if role not in memo:
        memo[role] = list(
            Membership.objects.filter(user=request.user, role__in=_roles_at_least(role))
            .order_by("tenant_id")
            .values_list("tenant_id", flat=True)
        )
    return memo[role]


def admin_role_held(request, tenant: Tenant) -> str | None:
    """The user's role in `tenant` by the API's own check (user_role), once per request."""
    memo = request.__dict__.setdefault("_tenant_admin_roles", {})
    if tenant.pk not in memo:
        memo[tenant.pk] = user_role(tenant=tenant, user=request.user)
    return memo[tenant.pk]


def _union(*id_lists: list[int] | None) -> list[int] | None:
    if any(ids is None for ids in id_lists):
        return None
    return sorted({i for ids in id_lists for i in ids})


def _is_tenant_owned(model) -> bool:
    try:
        field = model._meta.get_field("tenant")
    except FieldDoesNotExist:
        return False
    return field.is_relation and field.related_model is Tenant


def scoped_choices(model, tenant_ids: list[int] | None) -> models.QuerySet | None:
    """The rows of `model` a form may offer, or None when the model is not tenant-scoped."""
    manager = model._default_manager
    if tenant_ids is None:
        return None
    if model is Tenant:
        return manager.filter(pk__in=tenant_ids)
    if model is get_user_model():
        # Only people who already belong to one of the user's tenants (nobody else's accounts).
        return manager.filter(memberships__tenant_id__in=tenant_ids).distinct()
    if _is_tenant_owned(model):
        return manager.filter(tenant_id__in=tenant_ids)
    return None


def _tenant_ids_of(value) -> set[int]:
    """The tenants of a form value: a tenant, a tenant-owned row, or a collection of them."""
    if isinstance(value, Tenant):
        return {value.pk}
    if isinstance(value, models.Model):
        tenant_id = getattr(value, "tenant_id", None)
        return {tenant_id} if tenant_id is not None and _is_tenant_owned(type(value)) else set()
    if isinstance(value, models.QuerySet | list | tuple | set):
        return {t for item in value for t in _tenant_ids_of(item)}
    return set()


# --- list filters --------------------------------------------------------------------------


class TenantListFilter(admin.RelatedFieldListFilter):
    """The tenant filter: only the tenants whose rows the user may see."""

    def field_choices(self, field, request, model_admin):
        ids = model_admin.visible_tenant_ids(request)
        tenants = Tenant.objects.order_by("slug")
        if ids is not None:
            tenants = tenants.filter(pk__in=ids)
        return [(t.pk, str(t)) for t in tenants]


class ScopedRelatedFilter(admin.RelatedOnlyFieldListFilter):
    """A related-row filter offering only rows used by the rows the user sees."""


class ScopedValuesFilter(admin.AllValuesFieldListFilter):
    """A values filter over a related field (`channel__code`): only the visible rows' values.

    Django's own reads every row of the related model, so it would list other tenants' codes.
    """

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = (
            model_admin.get_queryset(request)
            .order_by(field_path)
            .values_list(field_path, flat=True)
            .distinct()
        )


# --- the model admin -----------------------------------------------------------------------


class TenantScopedAdmin(admin.ModelAdmin):
    """Scoping and permissions of a tenant-owned model admin (see the module docstring)."""

    tenant_field = "tenant"  # "pk" for the Tenant admin itself
    required_role: dict[str, str | None] = roles()

    # --- roles

    def role_for(self, operation: str) -> str | None:
        return self.required_role.get(operation)

    def tenant_ids(self, request, operation: str) -> list[int] | None:
        """Tenants where the user may do `operation`; None means every tenant."""
        required = self.role_for(operation)
        if required is None or not request.user.is_active or not request.user.is_staff:
            return []
        if required == SUPERUSER:
            return None if request.user.is_superuser else []
        return admin_tenant_ids(request, required)

    def visible_tenant_ids(self, request) -> list[int] | None:
        return _union(self.tenant_ids(request, "view"), self.tenant_ids(request, "change"))

    def writable_tenant_ids(self, request) -> list[int] | None:
        return _union(self.tenant_ids(request, "add"), self.tenant_ids(request, "change"))

    def object_tenant(self, obj) -> Tenant:
        return obj if self.tenant_field == "pk" else getattr(obj, self.tenant_field)

    def role_allows(self, request, operation: str, obj=None) -> bool:
        """Whether the user may do `operation` on `obj` (None: in at least one tenant)."""
        required = self.role_for(operation)
        user = request.user
        if required is None or not user.is_active or not user.is_staff:
            return False
        if required == SUPERUSER or user.is_superuser:
            return user.is_superuser
        if obj is None:
            return bool(self.tenant_ids(request, operation))
        return role_satisfies(admin_role_held(request, self.object_tenant(obj)), required)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.role_allows(request, "view", obj) or self.role_allows(request, "change", obj)

    def has_add_permission(self, request):
        return self.role_allows(request, "add")

    def has_change_permission(self, request, obj=None):
        return self.role_allows(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self.role_allows(request, "delete", obj)

    # --- scoping

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = self.visible_tenant_ids(request)
        if ids is None:
            return queryset
        return queryset.filter(**{f"{self.tenant_field}__in": ids})

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and self.tenant_field != "pk" and self.tenant_field not in fields:
            fields.append(self.tenant_field)  # a saved row never moves to another tenant
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        # The tenant is chosen on add forms only (read-only once saved).
        if related is Tenant:
            ids = self.tenant_ids(request, "add")
        else:
            ids = self.writable_tenant_ids(request)
        choices = scoped_choices(related, ids)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        choices = scoped_choices(db_field.related_model, self.writable_tenant_ids(request))
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = kwargs.get("form") or self.form
        kwargs["form"] = self._tenant_checked_form(base, request, obj)
        return super().get_form(request, obj, change=change, **kwargs)

    def _tenant_checked_form(self, base, request, obj):
        """`base` with a clean() refusing tenants (and rows of tenants) the user may not write."""
        operation = "add" if obj is None else "change"
        allowed = self.tenant_ids(request, operation)
        role = self.role_for(operation)
        tenant_field = self.tenant_field
        verbose_name = self.opts.verbose_name

        def clean(form):
            data = super(checked, form).clean()
            refusal = getattr(request, "_tenant_admin_refusal", None)
            if refusal is not None:
                pairs = getattr(refusal, "errors", None) or [(refusal.field, refusal.message)]
                for name, reason in pairs:
                    form.add_error(name if name in form.fields else None, reason)
            if tenant_field != "pk" and obj is not None and tenant_field in form.changed_data:
                form.add_error(None, "A saved row cannot move to another tenant.")
            if allowed is None:
                return data
            outside = [
                name for name, value in (data or {}).items() if _tenant_ids_of(value) - set(allowed)
            ]
            instance_tenant = getattr(form.instance, "tenant_id", None)
            if tenant_field == "pk":
                instance_tenant = form.instance.pk
            if instance_tenant is not None and instance_tenant not in allowed:
                outside.append(None)
            for name in outside:
                form.add_error(
                    name if name in form.fields else None,
                    f"You need the {role} role in that tenant to {operation} {verbose_name}.",
                )
            return data

        def init(form, *args, **kwargs):
            super(checked, form).__init__(*args, **kwargs)
            widgets_name(
                {n: f for n, f in form.fields.items() if getattr(f.widget, "widgets", None)}
            )

        checked = type(
            base.__name__,
            (base,),
            {"clean": clean, "__init__": init, "__module__": base.__module__},
        )
        return checked

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A service refusing the save (DomainError) shows as a form error, nothing written.

        Django runs the view in a transaction, so the refused attempt is rolled back; the
        form is then shown again with the posted data and the service's reason."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            if request.method != "POST" or hasattr(request, "_tenant_admin_refusal"):
                raise
            request._tenant_admin_refusal = exc
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_list_filter(self, request):
        return [self._scoped_filter(spec) for spec in super().get_list_filter(request)]

    def _scoped_filter(self, spec):
        """Replace filters that read other tenants' rows with scoped ones (R1)."""
        name = spec[0] if isinstance(spec, list | tuple) else spec
        if not isinstance(name, str):
            return spec  # a SimpleListFilter: written against get_queryset
        if name == self.tenant_field or name == "tenant":
            return (name, TenantListFilter)
        try:
            field = get_fields_from_path(self.model, name)[-1]
        except (FieldDoesNotExist, NotRelationField):
            return spec
        if field.is_relation:
            return (name, ScopedRelatedFilter)
        if "__" in name:
            return (name, ScopedValuesFilter)
        return spec

    # --- actions: each sees only the selected rows the user may act on

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (tenant_delete_selected, name, description)
        return {
            key: (self._scoped_action(func), name, description)
            for key, (func, name, description) in actions.items()
        }

    def _scoped_action(self, func):
        """Run `func` on the selected rows of tenants where the user holds the action's role:
        the `required_role` of its first `allowed_permissions` entry (default "change")."""
        operation = (getattr(func, "allowed_permissions", None) or ("change",))[0]
        tenant_field = self.tenant_field

        @functools.wraps(func)
        def run(modeladmin, request, queryset):
            operation_key = operation if operation in OPERATIONS else "change"
            ids = modeladmin.tenant_ids(request, operation_key)
            if ids is not None:
                refused = queryset.exclude(**{f"{tenant_field}__in": ids}).count()
                if refused:
                    modeladmin.message_user(
                        request,
                        f"{refused} selected row(s) skipped: you need the "
                        f"{modeladmin.role_for(operation_key)} role in their tenant.",
                        messages.ERROR,
                    )
                queryset = queryset.filter(**{f"{tenant_field}__in": ids})
                if not queryset.exists():
                    return None
            return func(modeladmin, request, queryset)

        return run

    # --- deletes go through the owning service

    def service_delete(self, request, obj) -> None:
        """Delete one row through its owning service; raise DomainError to refuse.

        The default, for rows no service owns, lets Django delete (PROTECT still refuses)."""
        obj.delete()

    def delete_one(self, request, obj) -> bool:
        """Delete `obj` and log it in one transaction; a refusal is shown and logs nothing."""
        try:
            with transaction.atomic():
                super().log_deletions(request, [obj])
                self.service_delete(request, obj)
        except DomainError as exc:
            self.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
            return False
        except ProtectedError as exc:
            used_by = ", ".join(sorted({str(row) for row in exc.protected_objects})[:5])
            self.message_user(request, f"{obj} is still used by {used_by}.", messages.ERROR)
            return False
        return True

    def log_deletions(self, request, queryset):
        """Logged by delete_one, inside the deletion's transaction."""

    def delete_model(self, request, obj):
        if not self.delete_one(request, obj):
            request._tenant_admin_delete_refused = True

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            if self.has_delete_permission(request, obj):
                self.delete_one(request, obj)

    def response_delete(self, request, obj_display, obj_id):
        if getattr(request, "_tenant_admin_delete_refused", False):
            opts = self.opts
            return HttpResponseRedirect(
                reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change",
                    args=(quote(obj_id),),
                    current_app=self.admin_site.name,
                )
            )
        return super().response_delete(request, obj_display, obj_id)


def tenant_delete_selected(modeladmin, request, queryset):
    """Django's bulk delete (same confirmation page), each row through `delete_one`."""
    if request.POST.get("post"):
        _, _, perms_needed, protected = modeladmin.get_deleted_objects(queryset, request)
        if not protected:
            if perms_needed:
                raise PermissionDenied
            deleted = sum(
                1
                for obj in queryset
                if modeladmin.has_delete_permission(request, obj)
                and modeladmin.delete_one(request, obj)
            )
            if deleted:
                modeladmin.message_user(
                    request,
                    f"Deleted {deleted} {modeladmin.opts.verbose_name_plural}.",
                    messages.SUCCESS,
                )
            return None
    return django_delete_selected(modeladmin, request, queryset)


tenant_delete_selected.allowed_permissions = ("delete",)


# --- inlines -------------------------------------------------------------------------------


class TenantScopedInline:
    """Inline rows follow their parent's permission (editing them changes the parent) and
    offer only rows of the tenants where the user may write. Mix in before the inline class."""

    def parent_admin(self) -> TenantScopedAdmin:
        return self.admin_site._registry[self.parent_model]

    def has_view_permission(self, request, obj=None):
        return self.parent_admin().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        parent = self.parent_admin()
        if obj is None:
            return parent.has_add_permission(request)
        return parent.has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        parent = self.parent_admin()
        if obj is None:
            return parent.has_add_permission(request) or parent.has_change_permission(request)
        return parent.has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        def add_fields(self, form, index):
            formset.add_fields(self, form, index)
            widgets_name(form.fields)  # a tabular row's cells are labelled only by their column

        return type(formset.__name__, (formset,), {"add_fields": add_fields})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = scoped_choices(
            db_field.related_model, self.parent_admin().writable_tenant_ids(request)
        )
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        choices = scoped_choices(
            db_field.related_model, self.parent_admin().writable_tenant_ids(request)
        )
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# --- admins of rows that belong to no tenant ------------------------------------------------


class SuperuserOnlyAdminMixin:
    """Accounts and groups span tenants: only operators (superusers) manage them here."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, *args):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


class OwnTokenAdminMixin:
    """API tokens: a staff user sees, creates and deletes only their own; superusers all."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = get_user_model()._default_manager.filter(pk=request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _own(self, request, obj) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        return user.is_superuser or obj is None or obj.user_id == user.pk

    def has_module_permission(self, request):
        return self._own(request, None)

    def has_view_permission(self, request, obj=None):
        return self._own(request, obj)

    def has_add_permission(self, request):
        return self._own(request, None)

    def has_change_permission(self, request, obj=None):
        # A token is never moved to another user: delete it and create a new one.
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return self._own(request, obj)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and obj.user_id != request.user.pk:
            raise PermissionDenied
        super().save_model(request, obj, form, change)
