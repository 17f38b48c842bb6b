"""R27 in the workspace: publishing drafts that use media outside their availability window
warns in the dependency dialog, in plain words with a local date ("Expired on … — shops will
not show it"); publishing anyway works and the shop is not shown the item. A category's
publish result says the same. Both screens keep 0 axe violations."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog.models import Product
from media_library.models import MediaItem
from media_library.services import media_item_update
from tests.browser.axe import assert_no_axe_violations
from tests.publishing import builders as b

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

from playwright.sync_api import expect  # noqa: E402

from tests.browser.session import log_in  # noqa: E402


def _expire(title: str) -> MediaItem:
    item = MediaItem.objects.get(tenant__slug="demo", title=title)
    return media_item_update(item=item, user=None, expires_at=timezone.now() - timedelta(days=1))


def test_publishing_a_product_using_an_expired_item_warns(demo, page, shot, axe_required):
    chrome = _expire("Desk lamp, chrome")
    brass = MediaItem.objects.get(tenant=demo, title="Desk lamp, brass")
    lamp = Product.objects.get(tenant=demo, number="LAMP-001")
    editor = get_user_model().objects.get(username="demo")
    b.checkin(demo, lamp, editor, {"master": b.slots([chrome, brass])})
    year = str(chrome.expires_at.year)

    log_in(page, next_path="/workspace/demo/products/LAMP-001/")
    expect(page.locator("#doc-state")).to_have_text("Draft (not published)")
    shot(page, "draft-with-expired-item")
    page.click('[data-action="publish"]')
    page.click("#publish-intro-ok")

    dialog = page.locator("#deps-dialog")
    expect(dialog).to_be_visible()
    warning = page.locator("#deps-expired")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("shops will not show these items")
    item = page.locator("#deps-expired-list li")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(chrome.display_name)
    expect(item).to_contain_text(re.compile(rf"Expired on .*{year}.* — shops will not show it"))
    assert "T" not in item.inner_text().split("Expired on")[1]  # words, not an ISO stamp
    shot(page, "expired-warning")
    assert_no_axe_violations(page, "publish dialog warning about expired media")

    page.click("#deps-publish-all")
    expect(page.locator("#job-title")).to_have_text("Published")
    shot(page, "published-anyway")
    page.click("#job-close")
    expect(page.locator("#doc-state")).to_have_text("Published")
    shop = page.request.get(
        "/api/v1/tenants/demo/channels/omnichannel/products/LAMP-001/media?locale=neutral"
    )
    assert shop.ok, shop.text()
    ids = [m["id"] for m in shop.json()["primary"]]
    assert chrome.pk not in ids and brass.pk in ids

    # A new draft using the (now published) expired item: nothing to publish with it, only
    # the warning, and the button says what it does.
    b.checkin(demo, lamp, editor, {"master": b.slots([brass, chrome])})
    page.reload()
    expect(page.locator("#doc-state")).to_have_text("Draft (not published)")
    page.click('[data-action="publish"]')
    page.click("#publish-intro-ok")
    expect(page.locator("#deps-title")).to_have_text("Media shops will not show")
    expect(page.locator("#deps-list")).to_be_hidden()
    expect(page.locator("#deps-intro")).to_be_hidden()
    expect(page.locator("#deps-expired-list li")).to_contain_text(
        re.compile(rf"Expired on .*{year}.* — shops will not show it")
    )
    expect(page.locator("#deps-publish-all")).to_have_text("Publish anyway")
    shot(page, "expired-only-warning")
    assert_no_axe_violations(page, "publish dialog with only expired media")
    page.click("#deps-publish-all")
    expect(page.locator("#job-title")).to_have_text("Published")
    assert page.console_log.errors == []


def test_category_publish_result_warns_about_an_expired_image(demo, page, shot, axe_required):
    banner = _expire("Apparel banner")
    year = str(banner.expires_at.year)
    log_in(page)
    page.select_option("#ctx-channel", "web")
    page.fill("#search-q", "shirts")
    found = page.locator('#search-results .result[data-key^="category:"]')
    expect(found).to_have_count(1)
    found.click()
    expect(page.locator("#category-title")).to_have_text("Shirts")
    page.click('[data-cat-action="edit"]')
    page.get_by_role("button", name="Add media").click()
    page.fill("#picker-q", "apparel banner")
    page.locator(".picker-item", has_text="Apparel banner").locator("input").check()
    page.click("#picker-apply")
    page.click('[data-cat-action="done"]')
    page.click('[data-cat-action="publish"]')
    page.click("#publish-intro-ok")
    # The unpublished image is a dependency; its entry already says it is expired.
    expect(page.locator("#deps-list")).to_contain_text(re.compile(rf"Expired on .*{year}"))
    shot(page, "category-dependency-expired")
    page.click("#deps-publish-all")
    expect(page.locator("#category-state")).to_have_text("Published")
    alert = page.locator("#category-error")
    expect(alert).to_have_class(re.compile("alert-warning"))
    expect(alert).to_contain_text("Published the default image")
    expect(alert).to_contain_text(re.compile(rf"Expired on .*{year}.* — shops will not show it"))
    shot(page, "category-published-with-warning")
    assert_no_axe_violations(page, "category published with an expired image")
    assert page.console_log.errors == []
