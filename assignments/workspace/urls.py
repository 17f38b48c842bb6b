"""Workspace pages under /workspace/ (included by config/urls.py)."""

from django.urls import path, re_path

from . import library_views, views

app_name = "workspace"

urlpatterns = [
    path("", views.tenant_choose, name="choose"),
    path("<slug:tenant>/", views.workspace, name="home"),
    path("<slug:tenant>/jobs/", views.jobs, name="jobs"),
    path("<slug:tenant>/library/", library_views.library, name="library"),
    path("<slug:tenant>/library/<int:media_id>/", library_views.library_item, name="library-item"),
    path("<slug:tenant>/publish-groups/", views.publish_groups, name="publish-groups"),
    # Product numbers may contain anything but a slash (as in the API).
    re_path(
        r"^(?P<tenant>[-\w]+)/products/(?P<number>[^/]+)/admin/$",
        views.product_admin,
        name="product-admin",
    ),
    re_path(
        r"^(?P<tenant>[-\w]+)/products/(?P<number>[^/]+)/$",
        views.workspace,
        name="product",
    ),
]
