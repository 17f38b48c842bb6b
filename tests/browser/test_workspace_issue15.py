"""Issue 15 in Debian's Chromium: a preview and badges true to the shop (R11, R17), inherited
media shown with its source and "Override here" (R9, R10, R12), version history, compare and
restore (R12), purposes managed by admins (R7, R1a), variant-number search, editing a swatch
in place and "my open check-outs". Screenshots per step under tests/browser/screenshots/."""

import re

import pytest

from tenants.demo.loader import DEMO_PASSWORD, demo_load
from tenants.models import Tenant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

from playwright.sync_api import expect  # noqa: E402


@pytest.fixture
def demo(transactional_db):
    demo_load()
    return Tenant.objects.get(slug="demo")


def log_in(page, username="demo", next_path="/workspace/demo/products/POLO-001/"):
    page.goto(next_path)
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/workspace/demo/"))
    expect(page.locator("#product-title")).to_have_text("Piqué polo")


def shop_answer(page, number: str, channel: str = "web", locale: str = "en-us") -> dict:
    """What the shop API answers (read model), fetched with the page's session."""
    response = page.request.get(
        f"/api/v1/tenants/demo/channels/{channel}/products/{number}/media?locale={locale}"
    )
    assert response.ok, response.text()
    return response.json()


def wait_saved(page):
    expect(page.locator("#save-state")).to_have_text("All changes saved")


def test_preview_and_default_badge_match_the_shop(demo, page, shot):  # R11, R17
    log_in(page)
    shop = shop_answer(page, "POLO-001", "omnichannel", "neutral")
    default_id = shop["default_image"]["id"]
    first_id = shop["primary"][0]["id"]
    assert shop["primary"][0]["kind"] == "video" and default_id != first_id

    # The Master tab marks the item the shop returns as default, not position 1 (a video).
    rows = page.locator('[data-slot="primary"] .media-row')
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).not_to_contain_text("Default image")
    badge_rows = page.locator('[data-slot="primary"] .media-row', has_text="Default image")
    expect(badge_rows).to_have_count(1)
    assert badge_rows.get_attribute("data-media") == str(default_id)
    shot(page, "master-default-badge")

    # The preview plays the video, marks the shop's default, shows documents by purpose
    # and the swatches.
    page.click('[data-action="preview"]')
    stage = page.locator("#preview-gallery .gallery-main")
    expect(stage).to_have_count(1)
    assert stage.evaluate("el => el.tagName") == "VIDEO"
    assert stage.get_attribute("src").endswith(".mp4") or "mp4" in stage.get_attribute("src")
    defaults = page.locator("#preview-gallery .gallery-cell", has_text="Default image")
    expect(defaults).to_have_count(1)
    assert defaults.locator("button").get_attribute("data-media") == str(default_id)
    spec = page.locator('.preview-purpose[data-purpose="specification-sheet"]')
    expect(spec).to_contain_text("Specification sheet")
    expect(spec.locator(".doc-card")).to_contain_text("Document")
    expect(spec.locator(".doc-card a")).to_have_attribute("href", re.compile(r".+"))
    expect(page.locator("#preview-gallery .preview-swatches li")).to_have_count(3)
    shot(page, "preview-video-first")

    # Showing the image swaps the stage to an <img>; a variant's gallery has its own default.
    page.locator(f'#preview-gallery .gallery-thumb[data-media="{default_id}"]').click()
    expect(page.locator("#preview-gallery img.gallery-main")).to_have_count(1)
    page.select_option('#preview-selectors select[name="color"]', "Red")
    page.select_option('#preview-selectors select[name="size"]', "M")
    expect(page.locator("#preview-provenance")).to_contain_text("POLO-001-RED-M")
    red = shop_answer(page, "POLO-001-RED-M", "omnichannel", "neutral")
    red_default = page.locator("#preview-gallery .gallery-cell", has_text="Default image")
    expect(red_default.locator("button")).to_have_attribute(
        "data-media", str(red["default_image"]["id"])
    )
    shot(page, "preview-variant")
    assert page.console_log.errors == []


def test_inherited_media_shown_with_source_and_override(demo, page, shot):  # R9, R10, R12
    log_in(page, next_path="/workspace/demo/products/POLO-001/?channel=web&locale=en-us")
    banner = page.locator(".inherit-banner")
    expect(banner).to_contain_text("from Omnichannel · Neutral")
    inherited = page.locator('[data-slot="primary-inherited"] .media-row')
    expect(inherited).to_have_count(3)
    expect(page.locator('[data-slot="primary-inherited"]')).to_contain_text("Default image")
    expect(page.locator('[data-slot="additional-inherited"]')).to_contain_text(
        "Specification sheet"
    )
    expect(page.get_by_text("No primary media here.")).to_have_count(0)
    shot(page, "inherited-master")

    # Variants tab: each variant's effective source.
    page.click("#tab-variants")
    row = page.locator('tr[data-variant-row="POLO-001-BLUE-S"]')
    expect(row.locator(".variant-source")).to_have_text(
        "Inherited from color=Blue · Omnichannel · Neutral"
    )
    expect(row.locator(".assign img")).to_have_count(1)  # its default image, not "+"
    shot(page, "variants-sources")

    # Override here: the check-out starts from the inherited content (the API's checkout).
    page.click("#tab-master")
    page.click("[data-override]")
    expect(page.locator("#doc-holder")).to_have_text("You are editing")
    expect(page.locator(".inherit-banner")).to_have_count(0)
    expect(page.locator('[data-slot="primary"] .media-row')).to_have_count(3)
    shot(page, "overridden")

    # A variant inheriting from its colour in the same document: shown, then overridden.
    page.click("#tab-variants")
    page.click('[data-variant="POLO-001-RED-M"]')
    expect(page.locator(".inherit-banner")).to_contain_text("from color=Red")
    expect(page.locator('[data-slot="primary-inherited"] .media-row')).to_have_count(2)
    shot(page, "variant-inherits")
    page.click("[data-override]")
    wait_saved(page)
    expect(page.locator('[data-slot="primary"] .media-row')).to_have_count(2)
    expect(page.locator('[data-slot="primary"]')).to_contain_text("Default image")
    page.click("text=← All variants")
    expect(page.locator('tr[data-variant-row="POLO-001-RED-M"] .variant-source')).to_have_text(
        "Own media"
    )
    shot(page, "variant-overridden")
    assert page.console_log.errors == []
