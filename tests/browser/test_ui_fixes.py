"""A tester's defects, in Chromium: purpose refusals in plain words with the form's label,
deleting a purpose asks first, the focus never drops to <body> after an action (Override
here, every bulk action of the library, Save details, deleting a purpose), the publish job
summary has no empty field, restoring a version names the entries whose media item was
deleted, the login page has no "Log out" and a styled password field, and destructive
confirms are labelled with their verb. Screenshots per step, axe on every changed screen."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from PIL import Image

from assignments.models import AssignmentDocument, AssignmentEntry
from catalog.models import Product
from media_library.models import MediaItem
from media_library.services import media_item_delete, media_item_upload
from tests.browser.axe import assert_no_axe_violations
from tests.publishing import builders as b

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

from playwright.sync_api import expect  # noqa: E402

from tests.browser.session import log_in  # noqa: E402

ACTIVE = "document.activeElement ? document.activeElement.tagName : 'NONE'"
FOCUSED = """() => { const a = document.activeElement;
  if (!a || a === document.body) return "body";
  return a.dataset.action ? `action:${a.dataset.action}` : a.id || a.dataset.focusKey
    || a.getAttribute("aria-label") || a.tagName; }"""


def focus_settled(page, expected: str | None = None, timeout_ms: int = 5000) -> str:
    """Waits until the focus is off <body> (and on `expected` when given); returns where it
    is. Polled from here: the page's CSP forbids wait_for_function's eval."""
    now = page.evaluate(FOCUSED)
    for _ in range(timeout_ms // 50):
        if now != "body" and (expected is None or now == expected):
            break
        page.wait_for_timeout(50)
        now = page.evaluate(FOCUSED)
    assert page.evaluate(ACTIVE) != "BODY", "the focus dropped to <body>"
    if expected is not None:
        assert now == expected, f"focus is on {now!r}, expected {expected!r}"
    return now


def png(colour=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "PNG")
    return out.getvalue()


def test_purpose_refusal_in_words_and_delete_asks_first(demo, page, shot):  # R7, R1a
    log_in(page, next_path="/workspace/demo/products/POLO-001/")
    expect(page.locator("#product-title")).to_have_text("Piqué polo")
    page.click("[data-manage-purposes]")
    dialog = page.locator("#purposes-dialog")
    expect(dialog.locator(".purpose-row")).to_have_count(5)

    # A bad code: one plain line naming the field by its label, no API name, no bullet.
    dialog.locator("#purpose-new-code").fill("Bad Code!")
    dialog.locator("#purpose-new-name").fill("Bad")
    dialog.locator("#purpose-add").click()
    error = dialog.locator("#purpose-error")
    expect(error).to_have_text("Code: Use only letters, numbers, hyphens and underscores.")
    expect(error.locator("li")).to_have_count(0)
    assert "slug" not in error.inner_text() and "code:" not in error.inner_text()
    shot(page, "bad-code-in-words")
    assert_no_axe_violations(page, "purposes dialog, bad code refused")

    dialog.locator("#purpose-new-code").fill("brochure")
    dialog.locator("#purpose-new-name").fill("Brochure")
    dialog.locator("#purpose-add").click()
    row = dialog.locator('.purpose-row[data-purpose="brochure"]')
    expect(row).to_be_visible()
    expect(error).to_be_hidden()

    # Rename rebuilds the list: the focus stays on Rename.
    row.get_by_label("Name of brochure").fill("Sales brochure")
    row.get_by_role("button", name="Rename brochure").click()
    expect(row.get_by_label("Name of brochure")).to_have_value("Sales brochure")
    focus_settled(page, "Rename brochure")

    # Delete asks first; Cancel has the focus, so Enter keeps the purpose.
    row.get_by_role("button", name="Delete brochure").focus()
    page.keyboard.press("Enter")
    confirm = page.locator("#confirm-dialog")
    expect(confirm).to_be_visible()
    expect(page.locator("#confirm-ok")).to_have_text("Delete purpose")
    focus_settled(page, "confirm-cancel")
    shot(page, "delete-asks-first")
    assert_no_axe_violations(page, "purposes dialog, delete confirm")
    page.keyboard.press("Enter")
    expect(confirm).to_be_hidden()
    expect(row).to_be_visible()
    focus_settled(page, "Delete brochure")

    # Confirmed: the row goes, the focus lands on the Code field of "Add purpose".
    page.keyboard.press("Enter")
    page.click("#confirm-ok")
    expect(row).to_have_count(0)
    expect(dialog.locator(".purpose-row")).to_have_count(5)
    focus_settled(page, "purpose-new-code")
    expect(dialog.locator("#purpose-status")).to_have_text("Purpose brochure deleted.")
    shot(page, "deleted-focus-on-code")
    assert_no_axe_violations(page, "purposes dialog after delete")
    assert page.console_log.errors == []


def test_override_here_keeps_the_focus(demo, page, shot):  # R10, R12
    log_in(page, next_path="/workspace/demo/products/POLO-001/?channel=web&locale=en-us")
    override = page.locator("[data-override]")
    expect(override).to_be_visible()
    override.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#doc-holder")).to_have_text("You are editing")
    expect(page.locator(".inherit-banner")).to_have_count(0)
    focus_settled(page, "add-primary")
    shot(page, "overridden-focus-on-add-media")
    assert_no_axe_violations(page, "overridden master")

    # A variant inheriting inside the document: its Override here too.
    page.click("#tab-variants")
    page.click('[data-variant="POLO-001-RED-M"]')
    page.locator("[data-override]").click()
    expect(page.locator("#save-state")).to_have_text("All changes saved")
    expect(page.locator('[data-slot="primary"] .media-row')).to_have_count(2)
    focus_settled(page)
    assert page.console_log.errors == []


def _settled(page):
    expect(page.locator("#lib-items")).not_to_have_attribute("aria-busy", "true")
    expect(page.locator("#lib-summary")).not_to_have_text("Loading…")


def test_library_bulk_actions_and_save_details_keep_the_focus(demo, page, shot):
    lamp = MediaItem.objects.get(tenant=demo, title="Desk lamp, brass")
    log_in(page, next_path="/workspace/demo/library/")
    _settled(page)
    page.locator('.facet-option[data-facet="tag"][data-value="lamp"]').click()
    expect(page.locator("#lib-items .lib-tile")).to_have_count(2)
    page.check("#lib-select-all")
    alert = page.locator("#lib-error")

    steps = [
        ("tags_add", "lighting", "Add tags to 2 items: done."),
        ("tags_remove", "lighting", "Remove tags from 2 items: done."),
        ("alt_text", "A desk lamp", "Set the alt text of 2 items: done."),
        ("title", "Lamp {n}", "Retitle 2 items: done."),
        ("publish", None, "Publish 2 items: done."),
        ("unpublish", None, "Unpublish 2 items: done."),
    ]
    for action, value, done in steps:
        page.select_option("#lib-bulk-action", action)
        if value is not None:
            page.fill("#lib-bulk-value", value)
        page.click("#lib-bulk-apply")
        if action in ("publish", "unpublish"):
            page.click("#confirm-ok")
        expect(alert).to_contain_text(done)
        focus_settled(page, "lib-bulk-apply")
    shot(page, "bulk-apply-keeps-focus")
    assert_no_axe_violations(page, "library after bulk actions")

    # Delete empties the selection (Apply and the action are disabled): the next control.
    page.uncheck("#lib-select-all")
    page.click("#lib-clear")
    _settled(page)
    page.fill("#lib-q", "swatch")
    page.press("#lib-q", "Enter")
    _settled(page)
    page.locator('.facet-option[data-facet="unused"][data-value="true"]').click()
    _settled(page)
    page.check("#lib-select-all")
    page.select_option("#lib-bulk-action", "delete")
    page.click("#lib-bulk-apply")
    expect(page.locator("#confirm-ok")).to_have_text("Delete")
    page.click("#confirm-ok")
    expect(alert).to_contain_text("Delete ")
    where = focus_settled(page)
    assert where in ("lib-select-all", "lib-q"), where
    shot(page, "bulk-delete-focus")

    # Save details on an item page: the focus is back on the button.
    page.goto(f"/workspace/demo/library/{lamp.pk}/")
    expect(page.locator("#f-title")).not_to_have_value("")
    page.fill("#f-caption", "On the desk")
    page.click("#meta-save")
    expect(page.locator("#meta-state")).to_have_text("Saved.")
    focus_settled(page, "meta-save")
    shot(page, "save-details-keeps-focus")
    assert_no_axe_violations(page, "library item after Save details")
    assert page.console_log.errors == []


def test_restore_names_entries_whose_media_was_deleted(demo, page, shot):  # R12, R26
    user = get_user_model().objects.get(username="demo")
    mug = Product.objects.get(tenant=demo, number="MUG-001")
    document = AssignmentDocument.objects.get(
        product=mug, channel__code="omnichannel", locale__code="neutral"
    )
    photo_id = (
        AssignmentEntry.objects.filter(content_set=document.published, slot="primary")
        .values_list("media_id", flat=True)
        .first()
    )
    photo = MediaItem.objects.get(pk=photo_id)
    extra, _ = media_item_upload(
        tenant=demo,
        file=ContentFile(png(), name="mug-side.png"),
        user=user,
        title="Enamel mug, side",
        alt_text="Enamel mug from the side",
    )
    b.checkin(demo, mug, user, {"master": b.slots([photo, extra])})  # version 2
    b.checkin(demo, mug, user, {"master": b.slots([photo])})  # version 3
    gone = extra.pk
    media_item_delete(item=extra, user=user)  # only history used it (R26)

    log_in(page, next_path="/workspace/demo/products/MUG-001/")
    expect(page.locator("#product-title")).to_have_text("Enamel mug")
    page.click('[data-action="versions"]')
    dialog = page.locator("#versions-dialog")
    expect(dialog.locator('tr[data-version="2"]')).to_be_visible()
    dialog.get_by_role("button", name="Restore version 2").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#doc-holder")).to_have_text("You are editing")
    notice = page.locator("#product-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(
        "Version 2 is restored, but 1 entry could not be restored because its media item "
        "was deleted:"
    )
    expect(notice.locator("li")).to_have_text(
        [f"Master › primary media #2: media item {gone} (deleted)"]
    )
    expect(page.locator('[data-slot="primary"] .media-row')).to_have_count(1)
    shot(page, "restore-names-missing-entries")
    assert_no_axe_violations(page, "product page after a restore with missing entries")

    # The next action clears it.
    page.click('[data-action="checkin"]')
    expect(page.locator("#doc-holder")).to_be_hidden()
    expect(notice).to_be_hidden()
    assert page.console_log.errors == []


def test_login_page_has_no_log_out_and_a_styled_password(demo, page, shot, axe_required):
    page.goto("/workspace/")
    expect(page.locator("#id_username")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    expect(page.locator(".topbar .user")).to_have_count(0)
    style = "(el) => { const s = getComputedStyle(el); return [s.borderTopWidth, s.borderTopColor, s.borderRadius, s.paddingLeft]; }"
    assert page.locator("#id_password").evaluate(style) == page.locator("#id_username").evaluate(
        style
    )
    shot(page, "login")
    assert_no_axe_violations(page, "login page")
    # Once logged in, Log out is there.
    log_in(page)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_reset_to_default_confirm_says_what_it_does(demo, page, shot):  # R13
    log_in(page, next_path="/workspace/demo/products/POLO-001/?channel=web&locale=fr-fr")
    expect(page.locator("#product-title")).to_have_text("Piqué polo")
    page.locator('[data-action="reset"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator("#confirm-dialog")).to_be_visible()
    expect(page.locator("#confirm-ok")).to_have_text("Reset to default")
    expect(page.locator("#confirm-ok")).to_have_class(re.compile("btn-danger"))
    focus_settled(page, "confirm-cancel")
    shot(page, "reset-confirm")
    assert_no_axe_violations(page, "reset to default confirm")
    page.keyboard.press("Enter")
    expect(page.locator("#confirm-dialog")).to_be_hidden()
    focus_settled(page, "action:reset")


def test_publish_job_summary_has_no_empty_field(demo, page, shot):  # R16
    user = get_user_model().objects.get(username="demo")
    lamp = Product.objects.get(tenant=demo, number="LAMP-001")
    brass = MediaItem.objects.get(tenant=demo, title="Desk lamp, brass")
    b.checkin(demo, lamp, user, {"master": b.slots([brass])})
    log_in(page, next_path="/workspace/demo/products/LAMP-001/")
    expect(page.locator("#doc-state")).to_have_text("Draft (not published)")
    page.click('[data-action="publish"]')
    page.click("#publish-intro-ok")
    page.click("#deps-publish-all")  # the brass photo is a draft: published with it
    expect(page.locator("#job-title")).to_have_text("Published")
    status = page.locator("#job-status")
    expect(status).to_contain_text("media published: 1 · expired media: 0")
    text = status.inner_text()
    assert not re.search(r":\s*(·|$)", text), text
    shot(page, "job-summary")
    assert_no_axe_violations(page, "publish job dialog")
    page.click("#job-close")
    assert page.console_log.errors == []
