"""Issue 15 in Debian's Chromium: a preview and badges true to the shop (R11, R17), inherited
media shown with its source and "Override here" (R9, R10, R12), version history, compare and
restore (R12), purposes managed by admins (R7, R1a), variant-number search, editing a swatch
in place and "my open check-outs". Screenshots per step under tests/browser/screenshots/."""

import re

import pytest

from tests.browser.axe import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

from playwright.sync_api import expect  # noqa: E402

from tests.browser import session  # noqa: E402


def log_in(page, username="demo", next_path="/workspace/demo/products/POLO-001/"):
    session.log_in(page, username, next_path)
    if "POLO-001" in next_path:
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
    assert_no_axe_violations(page, "Master tab, default badge")

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
    assert_no_axe_violations(page, "preview: video, documents by purpose, swatches")

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
    assert_no_axe_violations(page, "inherited master with Override here")

    # Variants tab: each variant's effective source.
    page.click("#tab-variants")
    row = page.locator('tr[data-variant-row="POLO-001-BLUE-S"]')
    expect(row.locator(".variant-source")).to_have_text(
        "Inherited from color=Blue · Omnichannel · Neutral"
    )
    expect(row.locator(".assign img")).to_have_count(1)  # its default image, not "+"
    shot(page, "variants-sources")
    assert_no_axe_violations(page, "Variants tab with sources")

    # Dimensions tab: the inherited matrix and each cell's source, read-only.
    page.click("#tab-dimensions")
    expect(page.locator(".matrix-head")).to_contain_text("inherited from omnichannel / neutral")
    blue = page.locator('[data-cell="Blue"]')
    expect(blue.locator(".cell-source")).to_have_text("from color=Blue · Omnichannel · Neutral")
    expect(blue.locator("img")).to_have_count(1)
    shot(page, "dimensions-inherited")
    assert_no_axe_violations(page, "Dimensions tab, inherited matrix")

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
    assert_no_axe_violations(page, "variant inheriting from its colour")
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


def test_version_history_compare_and_restore(demo, page, shot):  # R12
    log_in(page)
    page.click('[data-action="checkout"]')
    expect(page.locator("#doc-holder")).to_have_text("You are editing")
    rows = page.locator('[data-slot="primary"] .media-row')
    expect(rows).to_have_count(3)
    rows.nth(2).get_by_role("button", name=re.compile("^Remove")).click()
    wait_saved(page)
    page.click('[data-action="checkin"]')
    expect(page.locator("#doc-holder")).to_be_hidden()

    page.click('[data-action="versions"]')
    dialog = page.locator("#versions-dialog")
    expect(dialog.locator("tbody tr")).to_have_count(2)
    newest = dialog.locator('tr[data-version="2"]')
    expect(newest.locator(".version-summary")).to_have_text("Master: 1 primary media removed")
    expect(newest).to_contain_text("demo")
    expect(newest).to_contain_text("Draft")
    expect(dialog.locator('tr[data-version="1"]')).to_contain_text("Published")
    shot(page, "history")

    dialog.get_by_label("Compare version 1").check()
    dialog.get_by_label("Compare version 2").check()
    dialog.locator("#versions-compare-btn").click()
    compare = dialog.locator("#versions-compare")
    expect(compare).to_contain_text("Version 1 and version 2 side by side")
    master = compare.locator('tr[data-scope="master"]')
    expect(master).to_contain_text("1 primary media removed")
    expect(master.locator("td").nth(0).locator(".thumb")).to_have_count(3)
    expect(master.locator("td").nth(1).locator(".thumb")).to_have_count(2)
    shot(page, "compare")
    assert_no_axe_violations(page, "versions dialog with compare")

    dialog.get_by_role("button", name="Restore version 1").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#doc-holder")).to_have_text("You are editing")
    expect(page.locator('[data-slot="primary"] .media-row')).to_have_count(3)
    shot(page, "restored-as-working-copy")
    page.click('[data-action="checkin"]')
    expect(page.locator("#save-state")).to_contain_text("Version 3")
    page.click('[data-action="versions"]')
    expect(dialog.locator('tr[data-version="3"] .version-summary')).to_have_text(
        "Master: 1 primary media added"
    )
    shot(page, "history-after-restore")
    assert page.console_log.errors == []


def test_admin_manages_purposes_in_the_workspace(demo, page, shot):  # R7, R1a
    log_in(page)
    page.click("[data-manage-purposes]")
    dialog = page.locator("#purposes-dialog")
    expect(dialog.locator(".purpose-row")).to_have_count(5)
    dialog.locator("#purpose-new-code").fill("brochure")
    dialog.locator("#purpose-new-name").fill("Brochure")
    dialog.locator("#purpose-add").click()
    expect(dialog.locator('.purpose-row[data-purpose="brochure"]')).to_be_visible()
    shot(page, "added")

    row = dialog.locator('.purpose-row[data-purpose="brochure"]')
    row.get_by_label("Name of brochure").fill("Sales brochure")
    row.get_by_role("button", name="Rename brochure").click()
    expect(row.get_by_label("Name of brochure")).to_have_value("Sales brochure")

    # A bad code and a purpose in use are refused by the server, in words.
    dialog.locator("#purpose-new-code").fill("Not a slug!")
    dialog.locator("#purpose-add").click()
    # (The name is empty too: both reasons, each with its label.)
    expect(dialog.locator("#purpose-error li")).to_have_text(
        ["Code: Use only letters, numbers, hyphens and underscores.", "Name: Enter a name."]
    )
    dialog.get_by_role("button", name="Delete specification-sheet").click()
    page.click("#confirm-ok")  # deleting asks first
    expect(dialog.locator("#purpose-error")).to_contain_text("POLO-001")
    shot(page, "refusals")
    assert_no_axe_violations(page, "purposes dialog with refusals")

    dialog.get_by_role("button", name="Delete brochure").click()
    page.click("#confirm-ok")
    expect(dialog.locator('.purpose-row[data-purpose="brochure"]')).to_have_count(0)
    expect(dialog.locator(".purpose-row")).to_have_count(5)
    shot(page, "deleted")
    dialog.locator("#purposes-close").click()
    assert page.console_log.errors == []


def test_editor_is_not_offered_purposes(demo, page):  # R1a
    log_in(page, username="demo-editor")
    expect(page.locator('section[aria-label="Additional media"]')).to_be_visible()
    expect(page.locator("[data-manage-purposes]")).to_have_count(0)


def test_variant_search_swatch_edit_and_my_checkouts(demo, page, shot):  # R7, R12
    log_in(page, next_path="/workspace/demo/")
    page.fill("#search-q", "POLO-001-RED-M")
    result = page.locator("#search-results .result", has_text="Piqué polo")
    expect(result).to_contain_text("variant POLO-001-RED-M")
    expect(page.locator("#search-results .result")).to_have_count(1)
    shot(page, "variant-search")
    assert_no_axe_violations(page, "variant-number search results")
    result.click()
    expect(page.locator("#tab-variants")).to_have_attribute("aria-selected", "true")
    expect(page.locator(".crumb-current")).to_have_text("POLO-001-RED-M")
    shot(page, "variant-opened")

    # Edit an existing swatch in place.
    page.click("#tab-master")
    page.click('[data-action="checkout"]')
    expect(page.locator("#doc-holder")).to_have_text("You are editing")
    page.click('[data-edit-swatch="color:Red"]')
    dialog = page.locator("#swatch-dialog")
    expect(dialog.locator("#swatch-title")).to_have_text("Edit swatch color: Red")
    expect(dialog.locator("#swatch-value")).to_have_value("Red")
    expect(dialog.locator("#swatch-hex")).to_have_value("#b42832")
    dialog.locator("#swatch-hex").fill("#aa0011")
    shot(page, "swatch-editor-prefilled")
    assert_no_axe_violations(page, "swatch editor prefilled")
    dialog.locator("#swatch-add").click()
    wait_saved(page)
    swatches = page.locator(".swatch-table tbody tr")
    expect(swatches).to_have_count(3)
    expect(page.locator('tr[data-swatch="color:Red"]')).to_contain_text("#aa0011")
    shot(page, "swatch-edited")

    # My open check-outs lists it, with a link that opens it in its context.
    mine = page.locator("#my-checkouts li")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("Piqué polo (POLO-001)")
    expect(mine).to_contain_text("omnichannel / neutral")
    page.select_option("#ctx-channel", "web")
    expect(page.locator("#product-number")).to_contain_text("web /")
    shot(page, "my-checkouts")
    assert_no_axe_violations(page, "my open check-outs")
    mine.locator("a").click()
    expect(page.locator("#product-number")).to_have_text("POLO-001 · omnichannel / neutral")
    expect(page.locator("#doc-holder")).to_have_text("You are editing")
    page.click('[data-action="checkin"]')
    expect(page.locator("#my-checkouts")).to_contain_text("You are not editing anything.")
    shot(page, "checked-in")
    assert page.console_log.errors == []
