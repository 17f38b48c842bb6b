"""Manifest import/export in the Django admin, installed from this package.

- Actions on the MediaItem and Product changelists export the selection (media items, or
  the media assignments of the selected products) as a .zip with the files.
- `/admin/manifests/import/` uploads a manifest (+ zip) for one of the user's tenants and
  starts an import job, like the API; the jobs list shows it and serves the result manifest.

`manifest_admin_install()` adds both to the registered ModelAdmins and the admin site; it
is idempotent and runs when this package's URLs are loaded (before the admin's URLs).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.template import engines

from catalog.models import Product
from media_library.models import MediaItem
from tenants.admin_base import admin_tenant_ids
from tenants.exceptions import DomainError
from tenants.models import Role, Tenant

from .export import ExportIncomplete, ExportSelection, zip_stream
from .jobs import import_job_start

IMPORT_TEMPLATE = """{% extends "admin/base_site.html" %}
{% block content %}
<h1>Import a manifest</h1>
<p>Assignment rows replace the content of each document they name (a new checked-in
version). The whole file is validated first; the result manifest is the job's result.</p>
{% if form.no_tenant %}
<p class="errornote">Imports need the admin role in a tenant, and you have it in none: ask
a tenant's admin (or an operator) to import, or to make you an admin.</p>
{% else %}
<form method="post" enctype="multipart/form-data">{% csrf_token %}
<table>{{ form.as_table }}</table>
<input type="submit" value="Start import">
</form>
{% endif %}
{% endblock %}"""


def _single_tenant(modeladmin, request, queryset) -> Tenant | None:
    tenant_ids = set(queryset.values_list("tenant_id", flat=True))
    if len(tenant_ids) != 1:
        modeladmin.message_user(
            request, "Select rows of exactly one tenant to export.", messages.ERROR
        )
        return None
    return Tenant.objects.get(pk=tenant_ids.pop())


def _origin(request) -> str:
    """`https://host` of the request: absolute URLs in the export (MediaPublishedURL)."""
    return request.build_absolute_uri("/").rstrip("/")


def _zip_response(
    modeladmin, request, tenant: Tenant, selection: ExportSelection
) -> StreamingHttpResponse | None:
    try:
        stream = zip_stream(tenant=tenant, selection=selection)
    except ExportIncomplete as exc:
        # Checked before the first byte: the changelist shows why, no truncated download.
        modeladmin.message_user(request, exc.message, messages.ERROR)
        return None
    response = StreamingHttpResponse(stream, content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="{tenant.slug}-{selection.kind}-manifest.zip"'
    )
    return response


@admin.action(description="Export selected media as a manifest (.zip with files)")
def export_media_manifest(modeladmin, request, queryset):
    tenant = _single_tenant(modeladmin, request, queryset)
    if tenant is None:
        return None
    ids = list(queryset.values_list("pk", flat=True))
    selection = ExportSelection(kind="media", media_ids=ids, base_url=_origin(request))
    return _zip_response(modeladmin, request, tenant, selection)


export_media_manifest.allowed_permissions = ("view",)  # what the user sees, they may export


@admin.action(description="Export media assignments of selected products (.zip with files)")
def export_assignment_manifest(modeladmin, request, queryset):
    tenant = _single_tenant(modeladmin, request, queryset)
    if tenant is None:
        return None
    numbers = list(queryset.values_list("number", flat=True))
    selection = ExportSelection(
        kind="assignments", product_numbers=numbers, base_url=_origin(request)
    )
    return _zip_response(modeladmin, request, tenant, selection)


export_assignment_manifest.allowed_permissions = ("view",)


class ManifestImportForm(forms.Form):
    tenant = forms.ModelChoiceField(queryset=Tenant.objects.none())
    manifest = forms.FileField(
        help_text="The .tsv manifest, or a .zip an export made (its manifest and files)."
    )
    files = forms.FileField(
        required=False, help_text="A .zip with the files it names (not with an export's .zip)."
    )
    dry_run = forms.BooleanField(required=False)
    on_error = forms.ChoiceField(choices=[("abort", "abort"), ("skip", "skip")])

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        # Imports need the admin role (R1a): only those tenants are offered.
        ids = admin_tenant_ids(request, Role.ADMIN)
        tenants = Tenant.objects.all()
        self.fields["tenant"].queryset = tenants if ids is None else tenants.filter(pk__in=ids)
        self.no_tenant = not self.fields["tenant"].queryset.exists()


def manifest_import_view(request):
    form = ManifestImportForm(request.POST or None, request.FILES or None, request=request)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            job = import_job_start(
                tenant=values["tenant"],
                user=request.user,
                manifest=values["manifest"],
                archive=values.get("files"),
                dry_run=values["dry_run"],
                on_error=values["on_error"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Import job #{job.pk} started; see the jobs list.")
            return HttpResponseRedirect(request.path)
    template = engines["django"].from_string(IMPORT_TEMPLATE)
    context = {**admin.site.each_context(request), "form": form, "title": "Import a manifest"}
    from django.http import HttpResponse

    return HttpResponse(template.render(context, request))


def manifest_admin_actions_install() -> None:
    """Add the export actions to the media and product changelists (called by assignments/admin.py,
    which the admin loads after catalog and media_library, so both are registered by then)."""
    for model, action in (
        (MediaItem, export_media_manifest),
        (Product, export_assignment_manifest),
    ):
        model_admin = admin.site._registry.get(model)
        if model_admin is not None and action not in (model_admin.actions or ()):
            model_admin.actions = [*(model_admin.actions or ()), action]
