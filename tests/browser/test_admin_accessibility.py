"""Issue 15 item 8 (admin polish), with item 7's axe check: the Django admin screens a
merchandiser uses (media list and change form, product change form with its inlines,
category media) have no axe violations."""

from catalog.models import Category, Product, Variant
from media_library.models import MediaItem
from tests.browser.axe import axe_violations, format_violations
from tests.browser.session import log_in


def test_admin_screens_have_no_axe_violations(demo, page, axe_required):
    log_in(page, next_path="/workspace/")
    item = MediaItem.objects.get(tenant=demo, original_filename="lamp-chrome.jpg")
    polo = Product.objects.get(tenant=demo, number="POLO-001")
    variant = Variant.objects.filter(product=polo).first()
    category = Category.objects.filter(tenant=demo).first()
    found = {}
    for label, path in [
        ("admin index", "/admin/"),
        ("media list", "/admin/media_library/mediaitem/"),
        ("media change form", f"/admin/media_library/mediaitem/{item.pk}/change/"),
        ("product list", "/admin/catalog/product/"),
        ("product change form with inlines", f"/admin/catalog/product/{polo.pk}/change/"),
        ("category media list", "/admin/assignments/categorymedia/"),
        ("variant change form", f"/admin/catalog/variant/{variant.pk}/change/"),
        ("category change form", f"/admin/catalog/category/{category.pk}/change/"),
        ("purposes", "/admin/assignments/purpose/"),
        ("publish groups", "/admin/publishing/publishgroup/"),
        ("audit log", "/admin/tenants/auditevent/"),
        ("tenant change form", f"/admin/tenants/tenant/{demo.pk}/change/"),
    ]:
        page.goto(path)
        violations = axe_violations(page)
        if violations:
            found[label] = format_violations(violations, label)
    assert not found, "\n\n".join(f"{k}:\n{v}" for k, v in found.items())
