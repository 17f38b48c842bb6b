"""Issue 15, item 5 in Chromium: publish groups in the UI with explicit membership. Create a
group, add products from a search selection, validate (every problem per product), remove
one, schedule in the user's time zone (shown) and unschedule, publish now and follow the
job; an overdue group without a scheduler says so; the product page adds to and removes
from groups, offering the group the user works in. Screenshots of every step."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from assignments import services as assignment_services
from assignments.selectors import context_get
from catalog.selectors import product_get
from media_library.models import MediaItem
from publishing.models import PublishGroup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

from playwright.sync_api import expect  # noqa: E402

from tests.browser.axe import assert_no_axe_violations  # noqa: E402
from tests.browser.session import log_in  # noqa: E402

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def berlin_page(open_page):
    return open_page(
        viewport={"width": 1400, "height": 1000}, timezone_id="Europe/Berlin", locale="en-GB"
    )


def _stage(demo):
    """LAMP-001 checked in with a draft photo (unpublished media); SHIRT-001 checked out by
    the editor; CHINO-001 has nothing checked in."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    editor = users.get(username="demo-editor")
    channel, locale = context_get(tenant=demo, channel="omnichannel", locale="neutral")
    photo = MediaItem.objects.get(tenant=demo, title="Desk lamp, chrome")
    lamp = product_get(tenant=demo, number="LAMP-001")
    document = assignment_services.document_checkout(
        tenant=demo, product=lamp, channel=channel, locale=locale, user=editor
    )
    assignment_services.document_working_replace(
        document=document,
        user=editor,
        content={"matrix": [], "master": {"primary": [photo.pk]}, "dimensions": [], "variants": []},
    )
    assignment_services.document_checkin(document=document, user=editor)
    assignment_services.document_checkout(
        tenant=demo,
        product=product_get(tenant=demo, number="SHIRT-001"),
        channel=channel,
        locale=locale,
        user=editor,
    )
    return photo


def _pick(page, query, number):
    page.fill("#group-search", query)
    page.locator("#group-search-results label", has_text=number).locator("input").check()


def test_a_publish_group_from_creation_to_published(demo, berlin_page, shot):
    page = berlin_page
    photo = _stage(demo)
    log_in(page, "demo", "/workspace/demo/publish-groups/")
    page.wait_for_timeout(1500)
    assert page.console_log.errors == []
    expect(page.locator("#group-list")).to_contain_text("No publish groups yet.")
    expect(page.locator("#scheduler-warning")).to_contain_text("No scheduler")
    shot(page, "empty")
    assert_no_axe_violations(page, "empty")

    page.fill("#group-new-name", "Spring drop")
    page.click("#group-new-submit")
    expect(page.locator("#group-name")).to_have_text("Spring drop")
    expect(page.locator("#group-product-rows")).to_contain_text("No products yet")
    shot(page, "created")

    # A search result selection, kept across searches, added in one request.
    _pick(page, "lamp", "LAMP-001")
    _pick(page, "oxford", "SHIRT-001")
    _pick(page, "chino", "CHINO-001")
    page.get_by_role("button", name="Add 3 selected").click()
    rows = page.locator("#group-product-rows tr")
    expect(rows).to_have_count(3)
    shot(page, "three-products-added")
    assert_no_axe_violations(page, "three products added")

    page.click("#group-validate")
    expect(page.locator("#group-validation-summary")).to_contain_text(
        "Cannot publish yet: 2 products with problems."
    )
    expect(page.locator('tr[data-product="LAMP-001"]')).to_contain_text(
        f"Media '{photo.display_name}'"
    )
    expect(page.locator('tr[data-product="SHIRT-001"]')).to_contain_text(
        "checked out by demo-editor"
    )
    expect(page.locator('tr[data-product="CHINO-001"]')).to_contain_text("Nothing checked in")
    shot(page, "validation-per-product")
    assert_no_axe_violations(page, "validation per product")

    page.get_by_role("button", name="Remove SHIRT-001").click()
    expect(rows).to_have_count(2)
    page.check("#group-deps")
    expect(page.locator("#group-context")).to_contain_text("publishes media dependencies")
    page.click("#group-validate")
    expect(page.locator("#group-validation-summary")).to_contain_text("Ready to publish")
    shot(page, "valid-after-removing-and-allowing-dependencies")

    # Schedule for tomorrow 10:00 in Berlin: the time zone is shown, the server stores UTC.
    tomorrow = (timezone.now().astimezone(BERLIN) + timedelta(days=1)).date()
    expect(page.locator("#group-tz")).to_contain_text("Time zone: Europe/Berlin (GMT+")
    page.fill("#group-when", f"{tomorrow.isoformat()}T10:00")
    page.click("#group-schedule")
    expect(page.locator("#group-status")).to_have_text("Scheduled")
    expect(page.locator("#group-schedule-text")).to_contain_text("10:00")
    expect(page.locator("#group-schedule-text")).to_contain_text("Europe/Berlin")
    expect(page.locator("#group-warning")).to_contain_text("No scheduler")
    group = PublishGroup.objects.get(name="Spring drop")
    expected = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 10, tzinfo=BERLIN)
    assert group.scheduled_at == expected.astimezone(UTC)
    shot(page, "scheduled")
    assert_no_axe_violations(page, "scheduled")

    page.click("#group-unschedule")
    expect(page.locator("#group-status")).to_have_text("Open (collecting products)")
    expect(page.locator("#group-schedule-text")).to_have_text("")
    shot(page, "unscheduled")

    page.click("#group-publish")
    page.click("#confirm-ok")
    expect(page.locator("#group-status")).to_have_text("Published")
    expect(page.locator("#group-job-status")).to_contain_text("Finished · 100%")  # item 7: words
    expect(page.locator("#group-list")).to_contain_text("2 products · Published")
    shot(page, "published")
    assert_no_axe_violations(page, "published")
    shop = page.request.get(
        "/api/v1/tenants/demo/channels/web/products/LAMP-001/media?locale=en-us"
    )
    assert shop.ok and shop.json()["default_image"]["id"] == photo.pk

    # The job's summary has no empty field ("expired: ·" before): every count in words.
    summary = page.locator("#group-job-status").inner_text()
    assert "expired media: 0" in summary and not re.search(r":\s*(·|$)", summary), summary
    # The API publishes a published group again: the button says so, and so does its confirm.
    expect(page.locator("#group-publish")).to_have_text("Publish again")
    page.click("#group-publish")
    expect(page.locator("#confirm-title")).to_have_text("Publish the group again?")
    expect(page.locator("#confirm-ok")).to_have_text("Publish again")
    page.click("#confirm-cancel")

    # Searching in another group, then opening this one from the list: the results mark this
    # group's products (not the other's), which cannot be picked again.
    page.fill("#group-new-name", "Autumn")
    page.click("#group-new-submit")
    expect(page.locator("#group-name")).to_have_text("Autumn")
    page.fill("#group-search", "lamp")
    found = page.locator("#group-search-results li", has_text="LAMP-001")
    expect(found.locator("input")).to_be_enabled()
    expect(found).not_to_contain_text("Already in this group")
    page.locator("#group-list button", has_text="Spring drop").click()
    expect(page.locator("#group-name")).to_have_text("Spring drop")
    lamp = page.locator("#group-search-results li", has_text="LAMP-001")
    expect(lamp).to_contain_text("Already in this group")
    expect(lamp.locator("input")).to_be_disabled()
    shot(page, "already-in-this-group")
    assert_no_axe_violations(page, "published group, search marks its products")
    assert page.console_log.errors == []


def test_an_overdue_group_without_a_scheduler_says_so(demo, berlin_page, shot):
    page = berlin_page
    group = PublishGroup.objects.create(
        tenant=demo,
        name="Missed",
        status="scheduled",
        scheduled_at=timezone.now() - timedelta(minutes=10),
    )
    log_in(page, "demo", f"/workspace/demo/publish-groups/#group-{group.pk}")
    page.goto(f"/workspace/demo/publish-groups/#group-{group.pk}")
    expect(page.locator("#group-name")).to_have_text("Missed")
    expect(page.locator("#group-warning")).to_contain_text("The scheduled time has passed")
    expect(page.locator("#group-warning")).to_contain_text("No scheduler")
    shot(page, "overdue-warning")
    assert_no_axe_violations(page, "overdue warning")
    assert page.console_log.errors == []


def test_the_product_page_adds_to_the_group_the_user_works_in(demo, berlin_page, shot):
    page = berlin_page
    PublishGroup.objects.create(tenant=demo, name="Autumn")
    winter = PublishGroup.objects.create(tenant=demo, name="Winter")
    log_in(page, "demo", f"/workspace/demo/publish-groups/#group-{winter.pk}")
    page.goto(f"/workspace/demo/publish-groups/#group-{winter.pk}")
    page.click("#group-work-in")
    expect(page.locator("#group-work-in")).to_have_attribute("aria-pressed", "true")
    shot(page, "working-in-winter")

    page.goto("/workspace/demo/products/LAMP-001/")
    strip = page.locator("#group-strip")
    expect(strip).to_contain_text("Not in any publish group.")
    expect(strip).to_contain_text("Working in “Winter”.")
    expect(page.locator("#group-add-select option:checked")).to_have_text(
        "Winter — Open (collecting products)"
    )
    shot(page, "product-page-offers-the-working-group")
    assert_no_axe_violations(page, "product page offers the working group")
    page.click("#group-add")
    expect(strip.locator(".group-chip")).to_have_text(re.compile("Winter"))
    expect(strip).to_contain_text("Added LAMP-001 to “Winter”.")
    assert list(winter.products.values_list("number", flat=True)) == ["LAMP-001"]
    shot(page, "added-from-the-product-page")
    assert_no_axe_violations(page, "added from the product page")

    strip.get_by_role("button", name="Remove LAMP-001 from Winter").click()
    expect(strip).to_contain_text("Not in any publish group.")
    assert not winter.products.exists()
    shot(page, "removed-from-the-product-page")
    assert page.console_log.errors == []


def test_a_link_to_another_group_of_the_page_opens_it(demo, berlin_page):
    """Only the fragment changes (a link on the page, Back, or a URL typed once the page has
    loaded): the group it names opens. Before, only the fragment at load time was read, so
    a group asked for after the list had loaded never opened."""
    page = berlin_page
    autumn = PublishGroup.objects.create(tenant=demo, name="Autumn")
    winter = PublishGroup.objects.create(tenant=demo, name="Winter")
    log_in(page, "demo", "/workspace/demo/publish-groups/")
    expect(page.locator("#group-list")).to_contain_text("Winter")
    expect(page.locator("#group-detail")).to_be_hidden()

    page.evaluate(f"window.location.hash = '#group-{winter.pk}'")
    expect(page.locator("#group-name")).to_have_text("Winter")
    page.goto(f"/workspace/demo/publish-groups/#group-{autumn.pk}")
    expect(page.locator("#group-name")).to_have_text("Autumn")
    assert page.url.endswith(f"#group-{autumn.pk}")
    assert page.console_log.errors == []
