"""Browser checks beside the main flow: a refused save keeps the user's edits and says why;
someone else's check-out is shown and blocks editing; category media in a real channel."""

import json
import re

import pytest

from assignments import services as assignment_services
from assignments.selectors import context_get
from catalog.selectors import product_get

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

from playwright.sync_api import expect  # noqa: E402

from tests.browser.session import log_in  # noqa: E402


def test_refused_save_keeps_edits_and_retry_saves(demo, page, shot):
    log_in(page, next_path="/workspace/demo/products/LAMP-001/")
    expect(page.locator("#product-title")).to_have_text("Desk lamp")
    page.click('[data-action="checkout"]')
    expect(page.locator("#doc-holder")).to_have_text("You are editing")

    # The next write is refused as the server would refuse a bad entry.
    refusal = {
        "detail": "Validation failed.",
        "code": "invalid",
        "errors": [{"field": "master.primary[0]", "reason": "Unknown media 1."}],
    }
    calls = {"n": 0}

    def refuse_once(route):
        calls["n"] += 1
        if calls["n"] == 1:
            route.fulfill(status=400, content_type="application/json", body=json.dumps(refusal))
        else:
            route.continue_()

    page.route(re.compile(r".*/media/working.*"), refuse_once)
    page.click('[data-add="primary"]')
    page.fill("#picker-q", "lamp chrome")
    page.locator(".picker-item", has_text="Desk lamp, chrome").locator("input").check()
    page.click("#picker-apply")
    expect(page.locator("#product-error")).to_contain_text(
        "Master › primary media #1: Unknown media 1."
    )
    expect(page.locator(".slot-error")).to_contain_text("Unknown media 1.")
    expect(page.locator("#save-state")).to_contain_text("Unsaved changes")
    expect(page.locator('[data-slot="primary"] .media-title')).to_have_text(["Desk lamp, chrome"])
    shot(page, "refused-save")
    page.get_by_role("button", name="Retry save").click()
    expect(page.locator("#save-state")).to_have_text("All changes saved")
    expect(page.locator("#product-error")).to_be_hidden()
    expect(page.locator('[data-slot="primary"] .media-title')).to_have_text(["Desk lamp, chrome"])
    assert page.console_log.errors == []


def test_checkout_by_someone_else_is_shown(demo, page, shot):
    from django.contrib.auth import get_user_model

    editor = get_user_model().objects.get(username="demo-editor")
    channel, locale = context_get(tenant=demo, channel="omnichannel", locale="neutral")
    assignment_services.document_checkout(
        tenant=demo,
        product=product_get(tenant=demo, number="CHINO-001"),
        channel=channel,
        locale=locale,
        user=editor,
    )
    log_in(page, next_path="/workspace/demo/products/CHINO-001/")
    expect(page.locator("#doc-holder")).to_have_text("Being edited by demo-editor")
    expect(page.locator('[data-action="checkout"]')).to_be_disabled()
    expect(page.locator('[data-action="publish"]')).to_be_disabled()
    expect(page.locator('[data-action="reset"]')).to_be_disabled()
    expect(page.locator('[data-action="discard"]')).to_be_enabled()  # demo is an admin
    expect(page.locator('[data-add="primary"]')).to_have_count(0)
    shot(page, "held-by-other")
    page.click('[data-action="discard"]')
    expect(page.locator("#confirm-body")).to_contain_text("demo-editor's edits")
    page.click("#confirm-ok")
    expect(page.locator("#doc-holder")).to_be_hidden()
    expect(page.locator('[data-action="checkout"]')).to_be_enabled()
    assert page.console_log.errors == []


def test_category_default_image_in_a_channel(demo, page, shot):
    log_in(page)
    page.select_option("#ctx-channel", "web")
    page.fill("#search-q", "shirts")
    found = page.locator('#search-results .result[data-key^="category:"]')
    expect(found).to_have_count(1)
    found.click()
    expect(page.locator("#category-title")).to_have_text("Shirts")
    expect(page.locator("#category-state")).to_have_text("No image")
    page.click('[data-cat-action="edit"]')
    page.get_by_role("button", name="Add media").click()
    page.fill("#picker-q", "apparel banner")
    page.locator(".picker-item", has_text="Apparel banner").locator("input").check()
    page.click("#picker-apply")
    expect(page.locator("#category-state")).to_have_text("Draft (not published)")
    page.click('[data-cat-action="done"]')
    page.click('[data-cat-action="publish"]')
    page.click("#publish-intro-ok")
    expect(page.locator("#deps-list")).to_contain_text("category-apparel.jpg")
    page.click("#deps-publish-all")
    expect(page.locator("#category-state")).to_have_text("Published")
    shot(page, "category-published")
    category_id = (
        page.locator("#search-results .result.active").get_attribute("data-key").split(":")[1]
    )
    shop = page.request.get(f"/api/v1/tenants/demo/channels/web/categories/{category_id}/media")
    assert shop.ok, shop.text()
    assert "category-apparel.jpg" in json.dumps(shop.json())
    assert page.console_log.errors == []
