"""The media library workspace pages (issue 14, item 1): the library and one item.

Thin like the product workspace: the tenant from the URL (membership checked, another
tenant's ids 404), the item looked up through the media selector, a template rendered.
Search, facets, uploads and every change go through the media JSON API from the page's
JavaScript, so the page and API clients are refused and allowed alike (R1a, R30).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from media_library.models import MediaKind, MediaStatus
from media_library.search import SORTS
from media_library.selectors import media_item_get
from tenants.exceptions import NotFound

from .views import _page_context, _tenant


def _library_context(request: HttpRequest, tenant) -> dict:
    context = _page_context(request, tenant)
    context["page_config"].update(
        {
            "library_url": reverse("workspace:library", kwargs={"tenant": tenant.slug}),
            "item_url": reverse(
                "workspace:library-item", kwargs={"tenant": tenant.slug, "media_id": 0}
            ).replace("/0/", "/__id__/"),
            "kinds": [{"value": v, "label": label} for v, label in MediaKind.choices],
            "statuses": [{"value": v, "label": label} for v, label in MediaStatus.choices],
            "sorts": list(SORTS),
        }
    )
    return context


@login_required
def library(request: HttpRequest, tenant: str) -> HttpResponse:
    """Browse, search, filter by facets, upload and act on a selection."""
    scoped = _tenant(request, tenant)
    return render(request, "workspace/library.html", _library_context(request, scoped))


@login_required
def library_item(request: HttpRequest, tenant: str, media_id: int) -> HttpResponse:
    """One item: preview, metadata, focal point, renditions, publishing, versions, usage."""
    scoped = _tenant(request, tenant)
    try:
        item = media_item_get(tenant=scoped, media_id=media_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    context = _library_context(request, scoped)
    context["item"] = item
    context["page_config"]["media_id"] = item.pk
    return render(request, "workspace/library_item.html", context)
