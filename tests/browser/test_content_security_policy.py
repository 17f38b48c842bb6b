"""The workspace under its Content-Security-Policy (config/middleware.py, issue 13) in a
real browser: nothing refused. Lives here for the shared Chromium fixtures; the rest of the
policy's tests are in tests/deploy/test_csp.py."""

import re

import pytest

from tenants.demo.loader import DEMO_PASSWORD, demo_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def csp_refusals(page) -> list[str]:
    return [e for e in page.console_log.errors if "Content Security Policy" in e]


def test_workspace_pages_run_with_nothing_refused(page):
    demo_load()
    responses = []
    page.on(
        "response", lambda r: responses.append(r) if r.request.resource_type == "document" else None
    )
    page.goto("/workspace/demo/products/POLO-001/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/workspace/demo/products/POLO-001/"))
    page.wait_for_selector("#product-title")
    for tab in ("dimensions", "variants", "master"):
        page.click(f"#tab-{tab}")
        page.wait_for_load_state("networkidle")
    page.goto("/workspace/demo/jobs/")
    page.wait_for_load_state("networkidle")
    page.goto("/admin/")
    page.wait_for_load_state("networkidle")
    assert responses and all(
        "script-src 'self'" in (r.headers.get("content-security-policy") or "") for r in responses
    )
    assert csp_refusals(page) == []
