"""The media library workspace in a real browser (issue 14, item 1): browse in a grid and a
list, search, narrow by facets with counts, page through, upload several files by drag and
drop (one refused, in words), edit an item (metadata, tags, focal point), publish and
unpublish by role (R1a), bulk actions on a selection, and the product workspace's picker
with the same search, facets, paging and the slot's items marked."""

import io
import re

import pytest
from PIL import Image

from media_library.models import MediaItem, MediaStatus
from tests.browser.axe import axe_required  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

from playwright.sync_api import expect  # noqa: E402

from tests.browser import session  # noqa: E402


def log_in(page, username="demo", next_path="/workspace/demo/library/"):
    session.log_in(page, username, next_path)


def png_bytes(colour=(240, 200, 40), size=(640, 480)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def tiles(page):
    return page.locator("#lib-items .lib-tile")


def summary(page):
    return page.locator("#lib-summary")


def settled(page):
    """The list has its answer (the page marks it busy while a search runs)."""
    expect(page.locator("#lib-items")).not_to_have_attribute("aria-busy", "true")
    expect(summary(page)).not_to_have_text("Loading…")


def facet(page, name, value):
    return page.locator(f'.facet-option[data-facet="{name}"][data-value="{value}"]')


def test_browse_search_facets_and_pages(demo, page, shot):
    total = MediaItem.objects.filter(tenant=demo).count()
    log_in(page)
    expect(summary(page)).to_contain_text(f"{total} items")
    expect(tiles(page)).to_have_count(min(total, 48))
    shot(page, "grid")

    # Facets carry counts computed by the server; choosing one narrows the list.
    images = MediaItem.objects.filter(tenant=demo, kind="image").count()
    expect(facet(page, "kind", "image").locator(".facet-count")).to_have_text(str(images))
    facet(page, "kind", "document").click()
    expect(tiles(page)).to_have_count(1)
    expect(tiles(page).first).to_contain_text("Oxford shirt specification sheet")
    # The PDF's tile shows its first page, rendered by the server.
    pdf_thumb = tiles(page).first.locator("img")
    expect(pdf_thumb).to_have_attribute("src", re.compile(r"/media/\d+/preview"))
    page.wait_for_function("() => document.querySelector('#lib-items img').naturalWidth > 0")
    expect(facet(page, "kind", "document")).to_have_attribute("aria-pressed", "true")
    # The re-rendered option keeps the focus (keyboard users stay where they were).
    expect(facet(page, "kind", "document")).to_be_focused()
    # The kind facet still counts the other kinds (each facet ignores its own filter).
    expect(facet(page, "kind", "image").locator(".facet-count")).to_have_text(str(images))
    shot(page, "facet-document")
    facet(page, "kind", "document").click()

    # Tags facet plus a search; the URL keeps the state so a reload shows the same.
    facet(page, "tag", "shirt").click()
    expect(summary(page)).to_contain_text("18 items")
    page.fill("#lib-q", "blue front")
    expect(tiles(page)).to_have_count(2)
    page.reload()
    expect(page.locator("#lib-q")).to_have_value("blue front")
    expect(tiles(page)).to_have_count(2)
    shot(page, "tag-and-search")

    # Unused items: nothing assigns the chrome lamp? The demo assigns most images.
    page.click("#lib-clear")
    expect(summary(page)).to_contain_text(f"{total} items")
    unused = facet(page, "unused", "true")
    unused_count = int(unused.locator(".facet-count").inner_text())
    unused.click()
    expect(tiles(page)).to_have_count(unused_count)
    page.click("#lib-clear")

    # Pages of 24 over the whole library, in the list view.
    page.select_option("#lib-page-size", "24")
    page.click('[data-view="list"]')
    rows = page.locator("#lib-items tbody tr")
    expect(rows).to_have_count(24)
    expect(page.locator("#lib-page")).to_have_text(f"Page 1 of {-(-total // 24)}")
    first_page = rows.locator("td:nth-child(3) a").all_inner_texts()
    page.click("#lib-next")
    expect(page.locator("#lib-page")).to_have_text(f"Page 2 of {-(-total // 24)}")
    expect(rows).to_have_count(total - 24)
    second_page = rows.locator("td:nth-child(3) a").all_inner_texts()
    assert not set(first_page) & set(second_page)
    shot(page, "list-page-2")
    assert page.console_log.errors == []


DROP_FILES = """(files) => {
  const transfer = new DataTransfer();
  for (const f of files) {
    const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], f.name, { type: f.type }));
  }
  return transfer;
}"""


def drop_files(page, files):
    """Drop files on the drop zone as a user dragging them from the desktop would."""
    import base64

    payload = [
        {"name": name, "type": mime, "b64": base64.b64encode(data).decode()}
        for name, mime, data in files
    ]
    transfer = page.evaluate_handle(DROP_FILES, payload)
    page.dispatch_event("#lib-drop", "dragenter", {"dataTransfer": transfer})
    page.dispatch_event("#lib-drop", "drop", {"dataTransfer": transfer})


def test_drag_and_drop_upload_with_per_file_errors(demo, page, shot):
    before = MediaItem.objects.filter(tenant=demo).count()
    log_in(page, username="demo-editor")
    drop_files(
        page,
        [
            ("beach-towel.png", "image/png", png_bytes()),
            ("installer.png", "image/png", b"\x7fELF\x02\x01\x01" + b"\x00" * 64),
            ("sandals.png", "image/png", png_bytes((20, 90, 160))),
        ],
    )
    rows = page.locator("#lib-queue .queue-row")
    expect(rows).to_have_count(3)
    towel = page.locator('.queue-row[data-name="beach-towel.png"]')
    expect(towel.locator('[data-field="title"]')).to_have_value("Beach towel")
    towel.locator('[data-field="alt"]').fill("A striped beach towel")
    # sandals.png is left without alt text: refused in words, like the executable.
    shot(page, "queued")
    page.click("#lib-upload")
    expect(towel.locator(".queue-message")).to_have_text("Uploaded.")
    expect(towel.locator(".progress")).to_have_attribute("aria-valuenow", "100")
    bad = page.locator('.queue-row[data-name="installer.png"]')
    expect(bad.locator(".queue-message")).to_have_text("Executable files are not accepted.")
    sandals = page.locator('.queue-row[data-name="sandals.png"]')
    expect(sandals.locator(".queue-message")).to_contain_text("Alt text is required for images.")
    shot(page, "per-file-results")
    assert MediaItem.objects.filter(tenant=demo).count() == before + 1

    # Fix the refused image and upload again: only what failed is sent.
    sandals.locator('[data-field="alt"]').fill("Blue sandals")
    bad.get_by_role("button", name="Remove installer.png from the list").click()
    page.click("#lib-upload")
    expect(sandals.locator(".queue-message")).to_have_text("Uploaded.")
    assert MediaItem.objects.filter(tenant=demo).count() == before + 2
    item = MediaItem.objects.get(tenant=demo, original_filename="sandals.png")
    assert (item.title, item.alt_text, item.created_by.username) == (
        "Sandals",
        "Blue sandals",
        "demo-editor",
    )
    # The list shows the new items first, and the uploader facet counts them.
    expect(tiles(page).first).to_contain_text("Sandals")
    expect(facet(page, "uploaded_by", "demo-editor").locator(".facet-count")).to_have_text("2")
    shot(page, "uploaded")
    assert page.console_log.errors == []


def test_item_page_edit_focal_point_publish(demo, page, shot):
    item = MediaItem.objects.get(tenant=demo, original_filename="lamp-chrome.jpg")
    log_in(page)
    page.fill("#lib-q", "lamp chrome")
    expect(tiles(page)).to_have_count(1)
    tiles(page).first.locator("a").click()
    page.wait_for_url(re.compile(rf"/workspace/demo/library/{item.pk}/"))
    expect(page.locator("#item-title")).to_have_text("Desk lamp, chrome")
    expect(page.locator("#item-status")).to_have_text("Draft")
    expect(page.locator("#item-renditions .renditions li")).not_to_have_count(0)
    shot(page, "item")

    # Metadata and tags.
    page.fill("#f-title", "Desk lamp, polished chrome")
    page.fill("#f-alt", "Chrome desk lamp with a cream shade")
    page.fill("#f-tags", "lamp, chrome, bestseller")
    page.click("#meta-save")
    expect(page.locator("#meta-state")).to_have_text("Saved.")
    expect(page.locator("#item-title")).to_have_text("Desk lamp, polished chrome")
    item.refresh_from_db()
    assert item.title == "Desk lamp, polished chrome"
    assert sorted(t.name for t in item.tags.all()) == ["bestseller", "chrome", "lamp"]

    # A bad edit is refused in words and changes nothing.
    page.fill("#f-alt", "")
    page.click("#meta-save")
    expect(page.locator("#item-error")).to_contain_text("Alt text is required for images.")
    item.refresh_from_db()
    assert item.alt_text == "Chrome desk lamp with a cream shade"
    page.reload()

    # Focal point: a click near the top left corner of the image.
    old_thumb = page.locator('[data-rendition="thumb"] img').get_attribute("src")
    stage = page.locator("#focal-stage img")
    # Click only once the image has its size: before it loads, its box (and the layout around
    # it) is still moving, and a click at precomputed coordinates can land beside the stage.
    page.wait_for_function(
        "() => { const i = document.querySelector('#focal-stage img');"
        " return i && i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().height > 0; }"
    )
    box = stage.bounding_box()
    stage.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.2})
    # Renditions are re-made in the request (eager jobs): slow on a busy machine.
    expect(page.locator("#item-error")).to_contain_text("Focal point saved", timeout=30_000)
    expect(page.locator("#focal-readout")).to_contain_text("25% from the left, 20% from the top")
    item.refresh_from_db()
    assert abs(item.focal_x - 0.25) < 0.02 and abs(item.focal_y - 0.2) < 0.02
    expect(page.locator('[data-rendition="thumb"] img')).not_to_have_attribute("src", old_thumb)
    shot(page, "focal-point")

    # Keyboard: arrows move the point (accessible without a mouse).
    page.focus("#focal-stage")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#focal-readout")).to_contain_text("30% from the left")
    # Renditions are re-made in the request (eager jobs): slow on a busy machine.
    expect(page.locator("#item-error")).to_contain_text("Focal point saved", timeout=30_000)

    # Publish and unpublish (demo is an admin, so a publisher too).
    page.click("#item-publish")
    expect(page.locator("#item-status")).to_have_text("Published")
    item.refresh_from_db()
    assert item.status == MediaStatus.PUBLISHED
    public = page.request.get(page.locator('[data-fact="Public URL"]').inner_text())
    assert public.ok
    shot(page, "published")
    page.click("#item-unpublish")
    expect(page.locator("#item-status")).to_have_text("Draft")
    item.refresh_from_db()
    assert item.status == MediaStatus.DRAFT
    assert page.console_log.errors == []


def test_roles_decide_what_the_item_page_offers_R1a(demo, page, shot):
    item = MediaItem.objects.get(tenant=demo, original_filename="lamp-brass.jpg")
    log_in(page, username="demo-editor", next_path=f"/workspace/demo/library/{item.pk}/")
    expect(page.locator("#item-title")).to_have_text("Desk lamp, brass")
    expect(page.locator("#item-publish")).to_have_count(0)  # editors do not publish
    expect(page.locator("#meta-save")).to_be_visible()
    # The API refuses a publish from an editor whatever the page offers.
    token = page.context.cookies()
    csrf = next(c["value"] for c in token if c["name"] == "csrftoken")
    refused = page.request.post(
        f"/api/v1/tenants/demo/media/{item.pk}/publish", headers={"X-CSRFToken": csrf}
    )
    assert refused.status == 403
    page.context.clear_cookies()
    log_in(page, username="demo-viewer", next_path=f"/workspace/demo/library/{item.pk}/")
    expect(page.locator("#item-title")).to_have_text("Desk lamp, brass")
    expect(page.locator("#meta-save")).to_have_count(0)
    expect(page.locator("#f-title")).to_be_disabled()
    expect(page.locator("#item-delete")).to_have_count(0)
    page.goto("/workspace/demo/library/")
    expect(page.locator("#lib-drop")).to_have_count(0)
    expect(page.locator("#lib-bulk-action")).to_have_count(0)
    shot(page, "viewer-library")
    assert page.console_log.errors == []


def test_pdf_and_video_previews(demo, page, shot):
    pdf = MediaItem.objects.get(tenant=demo, kind="document")
    log_in(page, next_path=f"/workspace/demo/library/{pdf.pk}/")
    page.wait_for_function("() => document.querySelector('#pdf-page')?.naturalWidth > 100")
    shot(page, "pdf-first-page")
    video = MediaItem.objects.get(tenant=demo, kind="video")
    page.goto(f"/workspace/demo/library/{video.pk}/")
    player = page.locator("#item-video")
    expect(player).to_be_visible()
    page.wait_for_function("() => document.querySelector('#item-video').readyState >= 1")
    page.evaluate("document.querySelector('#item-video').muted = true")
    page.evaluate("document.querySelector('#item-video').play()")
    page.wait_for_function("() => document.querySelector('#item-video').currentTime > 0")
    shot(page, "video-plays")
    assert page.console_log.errors == []


def test_bulk_actions_on_a_selection(demo, page, shot):
    log_in(page)
    facet(page, "tag", "lamp").click()
    expect(tiles(page)).to_have_count(2)
    page.check("#lib-select-all")
    expect(page.locator("#lib-selected")).to_have_text("2 selected")

    page.select_option("#lib-bulk-action", "tags_add")
    page.fill("#lib-bulk-value", "lighting, sale")
    page.click("#lib-bulk-apply")
    expect(page.locator("#lib-error")).to_contain_text("Add tags to 2 items: done.")
    lamps = MediaItem.objects.filter(tenant=demo, tags__name="lamp")
    for lamp in lamps:
        assert {"lighting", "sale"} <= {t.name for t in lamp.tags.all()}

    page.select_option("#lib-bulk-action", "title")
    page.fill("#lib-bulk-value", "Lamp {n} – {title}")
    page.click("#lib-bulk-apply")
    expect(page.locator("#lib-error")).to_contain_text("Retitle 2 items: done.")
    assert sorted(lamps.values_list("title", flat=True))[0].startswith("Lamp 1 – Desk lamp")

    # A refused bulk edit changes nothing and names each item with its reason.
    page.select_option("#lib-bulk-action", "alt_text")
    page.fill("#lib-bulk-value", "")
    page.click("#lib-bulk-apply")
    expect(page.locator("#lib-error")).to_contain_text("2 of 2 item(s) could not be changed")
    expect(page.locator("#lib-error li")).to_have_count(2)
    expect(page.locator("#lib-error")).to_contain_text("Alt text is required for images.")
    shot(page, "bulk-refused")
    assert all(lamp.alt_text for lamp in lamps)

    page.select_option("#lib-bulk-action", "publish")
    page.click("#lib-bulk-apply")
    page.click("#confirm-ok")
    expect(page.locator("#lib-error")).to_contain_text("Publish 2 items: done.")
    assert set(lamps.values_list("status", flat=True)) == {"published"}
    expect(tiles(page).locator(".badge-published")).to_have_count(2)

    # Delete what current content uses: nothing is deleted, and each item says why (R26).
    page.goto("/workspace/demo/library/?unused=false&page_size=24")
    settled(page)
    used = tiles(page).count()
    assert used > 0
    before = MediaItem.objects.filter(tenant=demo).count()
    page.check("#lib-select-all")
    page.select_option("#lib-bulk-action", "delete")
    page.click("#lib-bulk-apply")
    page.click("#confirm-ok")
    expect(page.locator("#lib-error")).to_contain_text("could not be changed, so none was")
    expect(page.locator("#lib-error li")).to_have_count(used)
    assert MediaItem.objects.filter(tenant=demo).count() == before
    shot(page, "bulk-delete-refused")
    page.uncheck("#lib-select-all")

    # Unused items can go: filter them, select, delete.
    page.click("#lib-clear")
    page.fill("#lib-q", "swatch")
    page.press("#lib-q", "Enter")
    settled(page)
    facet(page, "unused", "true").click()
    settled(page)
    unused = tiles(page).count()
    assert unused > 0
    page.check("#lib-select-all")
    page.select_option("#lib-bulk-action", "delete")
    page.click("#lib-bulk-apply")
    page.click("#confirm-ok")
    expect(page.locator("#lib-error")).to_contain_text(f"Delete {unused} item")
    expect(page.locator("#lib-items .empty-block")).to_be_visible()
    expect(page.locator("#lib-selected")).to_have_text("Select all on this page")
    shot(page, "bulk-deleted")
    assert page.console_log.errors == []


def test_picker_search_facets_pages_and_assigned_marks(demo, page, shot):
    total = MediaItem.objects.filter(tenant=demo).count()
    log_in(page)
    page.goto("/workspace/demo/products/LAMP-001/")
    expect(page.locator("#product-title")).to_have_text("Desk lamp")
    page.click('[data-action="checkout"]')
    expect(page.locator("#doc-holder")).to_have_text("You are editing")
    page.click('[data-add="primary"]')
    expect(page.locator("#picker-page")).to_have_text(
        f"Page 1 of {-(-total // 30)} · {total} items"
    )
    expect(page.locator("#picker-grid .picker-item")).to_have_count(30)
    shot(page, "picker-page-1")
    page.click("#picker-next")
    expect(page.locator("#picker-page")).to_have_text(
        f"Page 2 of {-(-total // 30)} · {total} items"
    )
    expect(page.locator("#picker-grid .picker-item")).to_have_count(total - 30)
    # Facets with counts narrow the picker like the library: the same groups.
    groups = page.locator("#picker-facets [data-facet-group]")
    for name in ("status", "tag", "attention", "uploaded_by", "month"):
        expect(groups.and_(page.locator(f'[data-facet-group="{name}"]'))).to_have_count(1)
    draft = page.locator('#picker-facets .facet-option[data-facet="status"][data-value="draft"]')
    drafts = int(draft.locator(".facet-count").inner_text())
    draft.click()
    expect(page.locator("#picker-page")).to_contain_text(f"{drafts} items")
    page.fill("#picker-q", "chinos navy")
    expect(page.locator("#picker-grid .picker-item")).to_have_count(1)
    page.locator(".picker-item", has_text="Chinos, navy").locator("input").check()
    shot(page, "picker-filtered")
    page.click("#picker-apply")
    expect(page.locator('[data-slot="primary"] .media-title').last).to_have_text("Chinos, navy")
    page.click('[data-add="primary"]')
    page.fill("#picker-q", "chinos navy")
    marked = page.locator(".picker-item.assigned", has_text="Chinos, navy")
    expect(marked).to_contain_text("In this slot")
    shot(page, "picker-assigned")
    assert page.console_log.errors == []


@pytest.mark.usefixtures("axe_required")
def test_library_screens_have_no_axe_violations(demo, page):
    from tests.browser.axe import assert_no_axe_violations

    log_in(page, username="demo")
    settled(page)
    assert_no_axe_violations(page, "library, grid")
    page.click('[data-view="list"]')
    assert_no_axe_violations(page, "library, list")
    drop_files(page, [("bad.png", "image/png", b"\x7fELF\x02\x01\x01" + b"\x00" * 64)])
    page.click("#lib-upload")
    expect(page.locator(".queue-failed .queue-message")).to_contain_text("Executable")
    page.check("#lib-select-all")
    page.select_option("#lib-bulk-action", "title")
    assert_no_axe_violations(page, "library, upload queue and bulk bar")
    for name in ("lamp-chrome.jpg", "oxford-shirt-spec-sheet.pdf", "oxford-shirt-360.mp4"):
        item = MediaItem.objects.get(tenant=demo, original_filename=name)
        page.goto(f"/workspace/demo/library/{item.pk}/")
        expect(page.locator("#item-facts dd").first).to_be_visible()
        expect(page.locator("#item-usage h3").first).to_be_visible()
        assert_no_axe_violations(page, f"library item {name}")
    page.goto("/workspace/demo/products/LAMP-001/")
    page.click('[data-action="checkout"]')
    page.click('[data-add="primary"]')
    expect(page.locator("#picker-grid .picker-item").first).to_be_visible()
    assert_no_axe_violations(page, "picker with facets")


def test_replace_file_versions_usage_and_dates_R25_R26_R27(demo, page, shot, tmp_path):
    from assignments.media_in_use import media_current_use_condition

    item = (
        MediaItem.objects.filter(media_current_use_condition(), tenant=demo, kind="image")
        .order_by("pk")
        .first()
    )
    log_in(page, next_path=f"/workspace/demo/library/{item.pk}/")
    # Where-used (R26): a current document uses it (the same rule as the "unused" facet).
    expect(page.locator("#usage-current li").first).to_be_visible()
    # ...and the versions that used it, by number, when and who, apart.
    expect(page.locator("#usage-history li").first).to_contain_text(
        re.compile(r" version \d+, checked in .+ by ")
    )
    # Replace the bytes (R25): same item, a second file version, the first restorable.
    path = tmp_path / "replacement-v2.png"
    path.write_bytes(png_bytes((10, 40, 160), (500, 600)))
    page.set_input_files("#item-replace", str(path))
    expect(page.locator("#item-error")).to_contain_text("The file was replaced")
    expect(page.locator("#versions-table tbody tr")).to_have_count(2)
    item.refresh_from_db()
    assert item.original_filename == "replacement-v2.png" and item.width == 500
    shot(page, "replaced")
    page.locator("#versions-table [data-restore]").first.click()
    page.click("#confirm-ok")
    expect(page.locator("#item-error")).to_contain_text("restored")
    item.refresh_from_db()
    assert item.width != 500
    # Availability (R27): a past expiry shows as expired, here and in the library's facet.
    page.fill("#f-expires-at", "2020-01-01T10:00")
    page.click("#meta-save")
    expect(page.locator("#meta-state")).to_have_text("Saved.")
    expect(page.locator("#item-availability")).to_contain_text("Expired")
    shot(page, "expired")
    page.goto("/workspace/demo/library/?availability=expired")
    expect(tiles(page)).to_have_count(1)
    expect(tiles(page).first.locator(".badge-expired")).to_have_text("Expired")
    assert page.console_log.errors == []
