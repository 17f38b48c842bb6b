"""Accessibility of the workspace in Debian's Chromium (issue 15, item 7): axe-core finds no
violation on any screen or state, hovered buttons keep AA contrast, everything works from the
keyboard, and the pages are usable at 390 px."""

import re

import pytest

from tenants.demo.loader import DEMO_PASSWORD, demo_load
from tests.browser.axe import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

from playwright.sync_api import expect  # noqa: E402


@pytest.fixture
def demo(transactional_db):
    demo_load()


def log_in(page, next_path="/workspace/"):
    page.goto(next_path)
    page.fill("#id_username", "demo")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/workspace/demo/"))


def test_login_page_has_no_axe_violations(demo, page, shot, axe_required):
    page.goto("/workspace/")
    expect(page.locator("#id_username")).to_be_visible()
    shot(page, "login")
    assert_no_axe_violations(page, "login page")


def test_axe_helper_names_rule_impact_selector_and_help(demo, page, axe_required):
    """The helper itself: a button without a name on the (clean) login page is reported with
    its rule id, impact, selector and help, and the page's CSP did not refuse axe-core."""
    page.goto("/workspace/")
    page.evaluate(
        "() => { const b = document.createElement('button'); b.id = 'nameless';"
        " document.querySelector('main').append(b); }"
    )
    with pytest.raises(AssertionError) as failure:
        assert_no_axe_violations(page, "login page with a nameless button")
    message = str(failure.value)
    assert "on login page with a nameless button" in message
    assert "- button-name [critical]: Buttons must have discernible text" in message
    assert "at #nameless" in message
    assert not [e for e in page.console_log.errors if "Content Security Policy" in e]
