"""Issue 15, item 3 in Chromium: two users in two browser contexts. Each page learns within
seconds of the other's check-out, discard and take-over (polling the state endpoint with
ETags); a lost check-out says who did what when, stops editing, and offers Reload or "Copy
my changes into a new check-out". Screenshots of every step under tests/browser/screenshots/."""

import re

import pytest

from assignments.models import AssignmentDocument, DocumentEvent
from tenants.demo.loader import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

from playwright.sync_api import expect  # noqa: E402

from tests.browser.axe import assert_no_axe_violations  # noqa: E402
from tests.browser.session import log_in  # noqa: E402

LIVE = 8_000  # a poll every 3 s: a change shows within one or two polls


@pytest.fixture
def second_page(open_page):
    """A second user's browser: its own context (cookies, storage), its own time zone."""
    return open_page(timezone_id="America/New_York", locale="en-US")


def add_chrome_photo(page):
    page.click('[data-add="primary"]')
    page.fill("#picker-q", "lamp chrome")
    page.locator(".picker-item", has_text="Desk lamp, chrome").locator("input").check()
    page.click("#picker-apply")
    expect(page.locator("#save-state")).to_have_text("All changes saved")


def test_discard_by_a_publisher_reaches_the_editor_who_copies_changes_back(
    demo, page, second_page, shot
):
    editor, publisher = page, second_page
    log_in(editor, "demo-editor", "/workspace/demo/products/LAMP-001/")
    log_in(publisher, "demo", "/workspace/demo/products/LAMP-001/")
    expect(publisher.locator("#doc-holder")).to_be_hidden()
    shot(publisher, "publisher-sees-a-free-document")

    editor.click('[data-action="checkout"]')
    expect(editor.locator("#doc-holder")).to_have_text("You are editing")
    add_chrome_photo(editor)
    shot(editor, "editor-edits")

    # The publisher's page learns of the check-out without a reload.
    expect(publisher.locator("#doc-holder")).to_have_text(
        "Being edited by demo-editor", timeout=LIVE
    )
    expect(publisher.locator(".live-held")).to_contain_text("Checked out by demo-editor since")
    expect(publisher.locator(".live-notice")).to_contain_text("demo-editor started editing at")
    shot(publisher, "publisher-sees-the-checkout-live")
    assert_no_axe_violations(publisher, "publisher sees the checkout live")

    publisher.click('[data-action="discard"]')
    publisher.click("#confirm-ok")
    expect(publisher.locator("#doc-holder")).to_be_hidden()

    # The editor is told who discarded, when, and may no longer edit.
    lost = editor.locator(".live-lost")
    expect(lost).to_contain_text("You are no longer editing.", timeout=LIVE)
    expect(lost).to_contain_text("demo discarded your edits at")
    assert not re.search(r"\d{4}-\d\d-\d\dT", lost.inner_text())  # no raw ISO timestamp
    expect(editor.locator("#doc-holder")).to_be_hidden()
    expect(editor.get_by_role("button", name="Retry save")).to_have_count(0)
    expect(editor.locator('[data-add="primary"]')).to_have_count(0)
    shot(editor, "editor-told-of-the-discard")
    assert_no_axe_violations(editor, "editor told of the discard")

    editor.get_by_role("button", name="Copy my changes into a new check-out").click()
    expect(editor.locator("#doc-holder")).to_have_text("You are editing")
    expect(editor.locator('[data-slot="primary"] .media-title')).to_have_text(["Desk lamp, chrome"])
    expect(editor.locator(".live-lost")).to_have_count(0)
    shot(editor, "editor-changes-copied-into-a-new-checkout")
    assert_no_axe_violations(editor, "editor changes copied into a new checkout")
    expect(publisher.locator("#doc-holder")).to_have_text(
        "Being edited by demo-editor", timeout=LIVE
    )
    shot(publisher, "publisher-sees-the-new-checkout")
    assert editor.console_log.errors == [] and publisher.console_log.errors == []


def test_a_publisher_takes_over_and_the_former_holder_is_told(demo, page, second_page, shot):
    editor, publisher = page, second_page
    log_in(editor, "demo-editor", "/workspace/demo/products/LAMP-001/")
    editor.click('[data-action="checkout"]')
    add_chrome_photo(editor)

    log_in(publisher, "demo", "/workspace/demo/products/LAMP-001/")
    held = publisher.locator(".live-held")
    expect(held).to_contain_text("Checked out by demo-editor since")
    shot(publisher, "publisher-sees-the-holder")
    assert_no_axe_violations(publisher, "publisher sees the holder")
    held.get_by_role("button", name="Take over editing").click()
    expect(publisher.locator("#confirm-body")).to_contain_text("demo-editor has been editing")
    shot(publisher, "take-over-confirmation")
    assert_no_axe_violations(publisher, "take over confirmation")
    publisher.click("#confirm-ok")
    expect(publisher.locator("#doc-holder")).to_have_text("You are editing")
    # The publisher continues from the editor's saved working copy.
    expect(publisher.locator('[data-slot="primary"] .media-title')).to_have_text(
        ["Desk lamp, chrome"]
    )
    shot(publisher, "publisher-took-over")

    lost = editor.locator(".live-lost")
    expect(lost).to_contain_text("demo took over your check-out at", timeout=LIVE)
    expect(editor.locator("#doc-holder")).to_have_text("Being edited by demo")
    copy = editor.get_by_role("button", name="Copy my changes into a new check-out")
    expect(copy).to_be_disabled()  # someone holds it now
    shot(editor, "editor-told-of-the-take-over")
    assert_no_axe_violations(editor, "editor told of the take over")

    event = DocumentEvent.objects.get(action="takeover")
    assert event.user.username == "demo" and event.detail["former_holder"] == "demo-editor"
    assert AssignmentDocument.objects.get(checked_out_by__isnull=False).checked_out_by == event.user
    editor.get_by_role("button", name="Reload").click()
    expect(editor.locator(".live-lost")).to_have_count(0)
    shot(editor, "editor-reloaded")
    assert editor.console_log.errors == [] and publisher.console_log.errors == []


def test_checkin_publish_and_an_expired_checkout_taken_by_an_editor(
    demo, page, second_page, open_page, shot, settings
):
    """Check-in and publish reach the other page; a check-out idle past
    CHECKOUT_IDLE_MINUTES offers any editor "Take over editing"."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tenants.models import Role
    from tests.factories import make_member

    erin = make_member(demo, Role.EDITOR, "erin")
    erin.set_password(DEMO_PASSWORD)
    erin.save()
    editor, publisher = page, second_page
    log_in(editor, "demo-editor", "/workspace/demo/products/LAMP-001/")
    log_in(publisher, "demo", "/workspace/demo/products/LAMP-001/")
    editor.click('[data-action="checkout"]')
    add_chrome_photo(editor)
    editor.click('[data-action="checkin"]')
    expect(publisher.locator(".live-notice")).to_contain_text(
        "demo-editor finished editing at", timeout=LIVE
    )
    expect(publisher.locator("#doc-state")).to_have_text("Draft (not published)")
    shot(publisher, "publisher-sees-the-checkin")
    assert_no_axe_violations(publisher, "publisher sees the checkin")

    publisher.click('[data-action="publish"]')
    publisher.click("#publish-intro-ok")
    publisher.click("#deps-publish-all")
    expect(publisher.locator("#job-title")).to_have_text("Published")
    publisher.click("#job-close")
    expect(editor.locator(".live-notice")).to_contain_text(
        "demo published version 1 at", timeout=LIVE
    )
    expect(editor.locator("#doc-state")).to_have_text("Published")
    shot(editor, "editor-sees-the-publish")

    # demo-editor checks out again and goes idle past the limit (stamps moved back).
    editor.click('[data-action="checkout"]')
    expect(editor.locator("#doc-holder")).to_have_text("You are editing")
    past = timezone.now() - timedelta(minutes=settings.CHECKOUT_IDLE_MINUTES + 5)
    AssignmentDocument.objects.filter(checked_out_by__isnull=False).update(
        checked_out_at=past, updated_at=past, saved_at=None
    )
    expect(editor.locator(".live-idle")).to_contain_text(
        "anyone with edit rights may now take it over", timeout=LIVE
    )
    shot(editor, "holder-warned-that-the-checkout-is-idle")
    assert_no_axe_violations(editor, "holder warned that the checkout is idle")
    erin_page = open_page()
    log_in(erin_page, "erin", "/workspace/demo/products/LAMP-001/")
    held = erin_page.locator(".live-held")
    expect(held).to_contain_text("anyone with edit rights may take it over")
    shot(erin_page, "an-editor-sees-an-expired-checkout")
    assert_no_axe_violations(erin_page, "an editor sees an expired checkout")
    held.get_by_role("button", name="Take over editing").click()
    erin_page.click("#confirm-ok")
    expect(erin_page.locator("#doc-holder")).to_have_text("You are editing")
    expect(editor.locator(".live-lost")).to_contain_text(
        "erin took over your check-out after it had been idle too long", timeout=LIVE
    )
    shot(editor, "former-holder-told-of-the-expiry-take-over")
    event = DocumentEvent.objects.get(action="takeover")
    assert event.detail["reason"] == "expired"
    assert get_user_model().objects.get(pk=event.user_id).username == "erin"
    assert editor.console_log.errors == [] and publisher.console_log.errors == []
