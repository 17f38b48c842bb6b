"""The product-media workspace pages (SPEC §3, issue 7).

Thin views: each finds the tenant from the URL (membership checked, another tenant's answers
404), reads what the page needs through selectors and renders a template. Everything the
user changes goes through the JSON API, called from the page's JavaScript.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from assignments.selectors import purpose_list
from catalog.selectors import product_get
from tenants.exceptions import NotFound
from tenants.jobs.scheduler import scheduler_status
from tenants.models import JobKind, Role, Tenant
from tenants.selectors import (
    channel_list,
    locale_list,
    tenant_get_for_user,
    tenants_for_user,
    user_preferences,
    user_role,
)

from .permissions import role_flags


def _tenant(request: HttpRequest, slug: str) -> Tenant:
    try:
        return tenant_get_for_user(slug=slug, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _page_context(request: HttpRequest, tenant: Tenant) -> dict:
    role = user_role(tenant=tenant, user=request.user) or Role.VIEWER
    return {
        "tenant": tenant,
        "role": role,
        "tenants": tenants_for_user(user=request.user),
        "page_config": {
            "tenant": tenant.slug,
            "username": request.user.get_username(),
            "role": role,
            "can": role_flags(role),
            "api": f"/api/v1/tenants/{tenant.slug}/",
            "workspace_url": reverse("workspace:home", kwargs={"tenant": tenant.slug}),
            "jobs_url": reverse("workspace:jobs", kwargs={"tenant": tenant.slug}),
            "groups_url": reverse("workspace:publish-groups", kwargs={"tenant": tenant.slug}),
            "admin_product_url": reverse(
                "workspace:product-admin", kwargs={"tenant": tenant.slug, "number": "__number__"}
            ),
            "preferences": user_preferences(user=request.user),
            "preferences_url": "/api/v1/me/preferences/",
        },
    }


@login_required
def tenant_choose(request: HttpRequest) -> HttpResponse:
    """The user's tenants; straight to the workspace when there is only one."""
    tenants = list(tenants_for_user(user=request.user))
    if len(tenants) == 1:
        return redirect("workspace:home", tenant=tenants[0].slug)
    return render(request, "workspace/tenant_list.html", {"tenants": tenants})


@login_required
def workspace(request: HttpRequest, tenant: str, number: str | None = None) -> HttpResponse:
    """The editing workspace; with a product number it opens on that product."""
    scoped = _tenant(request, tenant)
    context = _page_context(request, scoped)
    product = None
    if number is not None:
        try:
            product = product_get(tenant=scoped, number=number)
        except NotFound as exc:
            raise Http404(exc.message) from exc
    context["product"] = product
    context["channels"] = channel_list(tenant=scoped)
    context["locales"] = locale_list(tenant=scoped)
    context["purposes"] = purpose_list(tenant=scoped)
    context["page_config"].update(
        {
            "initial_product": product.number if product else None,
            "purposes": [{"code": p.code, "name": p.name} for p in context["purposes"]],
        }
    )
    return render(request, "workspace/workspace.html", context)


@login_required
def jobs(request: HttpRequest, tenant: str) -> HttpResponse:
    """Publish, import, export and copy jobs; the page polls the jobs API while any run, and
    warns when no scheduler runs (scheduled publish groups would wait silently)."""
    scoped = _tenant(request, tenant)
    context = _page_context(request, scoped)
    context["scheduler"] = scheduler_status()
    context["job_kinds"] = JobKind.choices  # the filter's words are the model's labels
    return render(request, "workspace/jobs.html", context)


@login_required
def publish_groups(request: HttpRequest, tenant: str) -> HttpResponse:
    """Publish groups (R16, issue 15): list, create, add and remove products, validate,
    schedule, publish now, follow the job. Everything goes through the publish-groups API;
    the page warns when no scheduler runs (scheduled groups would wait silently)."""
    scoped = _tenant(request, tenant)
    context = _page_context(request, scoped)
    context["scheduler"] = scheduler_status()
    context["channels"] = channel_list(tenant=scoped)
    context["locales"] = locale_list(tenant=scoped)
    context["page_config"]["workspace_product_url"] = reverse(
        "workspace:product", kwargs={"tenant": scoped.slug, "number": "__number__"}
    )
    return render(request, "workspace/publish_groups.html", context)


@login_required
def product_admin(request: HttpRequest, tenant: str, number: str) -> HttpResponse:
    """From the workspace to the product's admin change page (numbers are what the page knows)."""
    scoped = _tenant(request, tenant)
    try:
        product = product_get(tenant=scoped, number=number)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return redirect("admin:catalog_product_change", object_id=product.pk)
