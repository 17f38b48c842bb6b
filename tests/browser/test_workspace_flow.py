"""The whole editing flow in a real browser (issue 7): log in, pick the context, search,
edit, add from the picker with an upload, drag to reorder, add a cropped image swatch,
build a matrix and assign a cell, finish, preview a variant, publish with dependencies
("Publish all") — then the shop read API serves what the page showed."""

import io
import re

import pytest
from PIL import Image

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

from playwright.sync_api import expect  # noqa: E402  (after the skip-able conftest import)

from tests.browser.session import log_in  # noqa: E402


@pytest.fixture
def upload_file(tmp_path):
    path = tmp_path / "studio-shot.png"
    image = Image.new("RGB", (800, 600), (240, 200, 40))
    for x in range(200, 600):
        for y in range(150, 450, 7):
            image.putpixel((x, y), (20, 60, 160))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def primary_titles(page):
    return page.locator('[data-slot="primary"] .media-title').all_inner_texts()


def wait_saved(page):
    expect(page.locator("#save-state")).to_have_text("All changes saved")


def pick(page, query, names):
    """In the open picker: search and tick each item by its title."""
    page.fill("#picker-q", query)
    for name in names:
        page.locator(".picker-item", has_text=name).locator("input").check()


def test_edit_preview_publish_flow(demo, page, shot, upload_file, live_server):
    log_in(page)
    expect(page.locator("#search-results .result").first).to_be_visible()
    shot(page, "workspace-empty")

    # Context: the web store in en-us (the first edit starts from what it inherits).
    page.select_option("#ctx-channel", "web")
    page.select_option("#ctx-locale", "en-us")
    page.fill("#search-q", "shirt")
    result = page.locator("#search-results .result", has_text="Oxford shirt")
    expect(result).to_contain_text("Product master")
    page.fill("#search-q", "shirts")
    categories = page.locator('#search-results .result[data-key^="category:"]')
    expect(categories).to_have_count(1)
    expect(categories).to_contain_text("Category · Apparel/Shirts")
    page.fill("#search-q", "oxford")
    shot(page, "search")
    page.locator("#search-results .result", has_text="Oxford shirt").click()
    expect(page.locator("#product-title")).to_have_text("Oxford shirt")
    expect(page.locator("#product-number")).to_contain_text("web / en-us")
    expect(page.locator('[data-action="publish"]')).to_be_disabled()
    expect(page.locator('[data-action="checkin"]')).to_be_hidden()

    # Edit: check out.
    page.click('[data-action="checkout"]')
    expect(page.locator("#doc-holder")).to_have_text("You are editing")
    expect(page.locator('[data-action="checkin"]')).to_be_enabled()
    expect(page.locator('[data-action="publish"]')).to_be_disabled()

    # Picker: two library items plus an upload with title and alt text.
    page.click('[data-add="primary"]')
    expect(page.locator("#picker-dialog")).to_be_visible()
    pick(page, "blue slim", ["blue, slim fit (front)", "blue, slim fit (back)"])
    expect(page.locator("#picker-count")).to_have_text("2 selected")
    page.click("#picker-upload-toggle")
    page.set_input_files("#upload-file", str(upload_file))
    page.click("#upload-submit")
    expect(page.locator("#upload-error")).to_contain_text("title")  # images need title + alt
    page.fill("#upload-title", "Studio shot")
    page.fill("#upload-alt", "Yellow studio backdrop with blue stripes")
    page.click("#upload-submit")
    expect(page.locator("#picker-count")).to_have_text("3 selected")
    expect(page.locator(".picker-item.selected", has_text="Studio shot")).to_be_visible()
    shot(page, "picker-upload")
    page.click("#picker-apply")
    wait_saved(page)
    assert primary_titles(page) == [
        "Oxford shirt, blue, slim fit (front)",
        "Oxford shirt, blue, slim fit (back)",
        "Studio shot",
    ]

    # Reorder: drag the upload to the top, then one arrow click.
    rows = page.locator('[data-slot="primary"] .media-row')
    rows.nth(2).drag_to(rows.nth(0))
    wait_saved(page)
    assert primary_titles(page)[0] == "Studio shot"
    page.get_by_role("button", name="Move Oxford shirt, blue, slim fit (back) up").click()
    wait_saved(page)
    assert primary_titles(page) == [
        "Studio shot",
        "Oxford shirt, blue, slim fit (back)",
        "Oxford shirt, blue, slim fit (front)",
    ]
    expect(rows.nth(0)).to_contain_text("Default image")
    shot(page, "primary-reordered")

    # A swatch: color Blue from an image, cropped by dragging and resizing the rectangle.
    page.click('[data-add="swatch"]')
    page.select_option("#swatch-dimension", "color")
    page.select_option("#swatch-value", "Blue")
    page.select_option("#swatch-type", "image")
    page.click("#swatch-choose")
    pick(page, "blue swatch", ["Blue swatch"])
    page.click("#picker-apply")
    expect(page.locator("#crop-image")).to_be_visible()
    page.check("#swatch-crop-on")
    rect = page.locator("#crop-rect")
    expect(rect).to_be_visible()
    before = page.locator("#crop-readout").inner_text()
    box = rect.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 - 15, box["y"] + box["height"] / 2 - 10, steps=5)
    page.mouse.up()
    handle = page.locator('.crop-handle[data-handle="se"]').bounding_box()
    page.mouse.move(handle["x"] + 5, handle["y"] + 5)
    page.mouse.down()
    page.mouse.move(handle["x"] + 35, handle["y"] + 25, steps=5)
    page.mouse.up()
    after = page.locator("#crop-readout").inner_text()
    assert after != before and after.startswith("Crop:")
    shot(page, "swatch-crop")
    page.click("#swatch-add")
    wait_saved(page)
    swatch_row = page.locator('tr[data-swatch="color:Blue"]')
    expect(swatch_row).to_contain_text("Image, cropped")

    # Dimensions: a color x style matrix, then the Blue/Slim cell gets its own media.
    page.click('[data-tab="dimensions"]')
    page.click('[data-matrix="create"]')
    page.locator("#matrix-dims input[value=color]").check()
    page.locator("#matrix-dims input[value=style]").check()
    page.click("#matrix-apply")
    wait_saved(page)
    expect(page.locator(".grid-table .cell")).to_have_count(6)
    shot(page, "matrix")
    page.locator('.cell[data-cell="Blue|Slim"]').click()
    expect(page.locator(".crumb-current")).to_have_text("color: Blue, style: Slim")
    page.click('[data-add="primary"]')
    pick(page, "blue slim detail", ["blue, slim fit (detail)"])
    page.click("#picker-apply")
    wait_saved(page)
    assert primary_titles(page) == ["Oxford shirt, blue, slim fit (detail)"]
    page.get_by_role("button", name="← All combinations").click()
    expect(page.locator('.cell[data-cell="Blue|Slim"]')).to_have_class(re.compile("cell-own"))

    # Variants list: the Assign media column offers + for every variant (none has its own).
    page.click('[data-tab="variants"]')
    expect(page.locator(".variants-table tbody tr")).to_have_count(18)
    shot(page, "variants")

    # Finish editing: a checked-in draft others see.
    page.click('[data-action="checkin"]')
    expect(page.locator("#doc-state")).to_have_text("Draft (not published)")
    expect(page.locator("#doc-holder")).to_be_hidden()
    expect(page.locator('[data-action="publish"]')).to_be_enabled()

    # Preview: master gallery, then the Blue/M/Slim variant's gallery from its dimension row.
    page.click('[data-action="preview"]')
    expect(page.locator("#preview-provenance")).to_contain_text("Master")
    expect(page.locator("#preview-gallery .gallery-thumb")).to_have_count(3)
    page.select_option('#preview-selectors select[name="color"]', "Blue")
    page.select_option('#preview-selectors select[name="size"]', "M")
    page.select_option('#preview-selectors select[name="style"]', "Slim")
    expect(page.locator("#preview-provenance")).to_contain_text("Variant SHIRT-001-BLUE-M-SLIM")
    expect(page.locator("#preview-provenance")).to_contain_text("dimension color Blue, style Slim")
    expect(page.locator("#preview-gallery .gallery-thumb")).to_have_count(1)
    blue_slim = page.locator("#coverage-grid tr", has_text="SHIRT-001-BLUE-M-SLIM")
    expect(blue_slim.locator("td.cov-inherited")).to_have_attribute(
        "aria-label", "web/en-us: inherited from dimension color Blue, style Slim (web / en-us)"
    )
    expect(page.locator("#coverage-grid td.cov-none").first).to_be_visible()
    shot(page, "preview-variant")
    page.click("#preview-close")

    # Publish: the explanation (don't show again), the dependencies, Publish all, progress.
    page.click('[data-action="publish"]')
    expect(page.locator("#publish-intro-dialog")).to_be_visible()
    shot(page, "publish-intro")
    page.check("#publish-intro-skip")
    page.click("#publish-intro-ok")
    expect(page.locator("#deps-dialog")).to_be_visible()
    expect(page.locator("#deps-list li")).to_have_count(5)
    expect(page.locator("#deps-list")).to_contain_text("studio-shot.png")
    expect(page.locator("#deps-list")).to_contain_text("Image · Draft")  # item 7: words
    shot(page, "publish-dependencies")
    page.click("#deps-publish-all")
    expect(page.locator("#job-title")).to_have_text("Published")
    expect(page.locator("#job-status")).to_contain_text("Finished · 100%")
    shot(page, "publish-job")
    page.click("#job-close")
    expect(page.locator("#doc-state")).to_have_text("Published")
    # "Don't show again" is remembered for the user on the server, so a new page skips it.
    from tenants.models import UserPreference

    assert UserPreference.objects.get(user__username="demo", key="publish-intro-skip").value is True
    page.reload()
    remembered = page.evaluate(
        "JSON.parse(document.getElementById('ws-config').textContent).preferences['publish-intro-skip']"
    )
    assert remembered is True

    # The shop read API serves the flattened result.
    shop = "/api/v1/tenants/demo/channels/web/products/{}/media?locale=en-us"
    variant = page.request.get(shop.format("SHIRT-001-BLUE-M-SLIM")).json()
    assert [m["title"] for m in variant["primary"]] == ["Oxford shirt, blue, slim fit (detail)"]
    assert variant["provenance"]["primary"]["scope"] == "dimension"
    other = page.request.get(shop.format("SHIRT-001-RED-S-REGULAR")).json()
    assert [m["title"] for m in other["primary"]] == [
        "Studio shot",
        "Oxford shirt, blue, slim fit (back)",
        "Oxford shirt, blue, slim fit (front)",
    ]
    assert other["default_image"]["alt_text"] == "Yellow studio backdrop with blue stripes"
    swatch = next(s for s in other["swatches"] if s["value"] == "Blue")
    assert swatch["dimension"] == "color" and set(swatch["crop"]) == {"x", "y", "width", "height"}

    # The jobs page lists the publish job as succeeded.
    page.click("text=Jobs")
    expect(page.locator("#job-rows tr").first).to_contain_text("Publishing")
    expect(page.locator("#job-rows tr").first).to_contain_text("Finished")
    expect(page.locator("#job-rows tr").first).to_contain_text("Publish SHIRT-001 (web/en-us)")
    shot(page, "jobs")

    assert page.console_log.errors == []
