"""axe-core in the browser tests (issue 15, item 7): `assert_no_axe_violations(page, label)`
runs axe on the page as it is now and fails listing every violation, its impact, the
selectors of the offending elements and axe's help, so a failure can be fixed from the log.

axe-core comes from the npm registry through `package.json` / `package-lock.json` (installed
by `scripts/install`, never a CDN). The pages run under a Content-Security-Policy of
`script-src 'self'`, which would refuse an inline `<script>`, so the file is served
same-origin: a Playwright route answers `/__test-tools__/axe.min.js` from `node_modules`,
and `page.add_script_tag(url=...)` loads it like any of the page's own scripts. Nothing of
it reaches the application or its static files.

Usage::

    from tests.browser.axe import assert_no_axe_violations, axe_required

    def test_something(page, axe_required):          # skips when axe-core is missing
        ...
        assert_no_axe_violations(page, "product page, Master tab")

Inside a longer flow test without the fixture, a missing axe-core only warns (the flow's own
assertions still run), except under CI (`CI` set), where it fails: CI installs it.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
AXE_SOURCE = REPO / "node_modules" / "axe-core" / "axe.min.js"
AXE_PATH = "/__test-tools__/axe.min.js"

# Every rule axe enables by default: WCAG 2.0/2.1/2.2 A and AA plus its best practices (the
# issue's "empty table header" is one of those). Experimental and AAA rules stay off.
DEFAULT_OPTIONS: dict = {"resultTypes": ["violations"]}


def axe_available() -> bool:
    return AXE_SOURCE.is_file()


MISSING = (
    f"axe-core is not installed ({AXE_SOURCE.relative_to(REPO)} missing): "
    "run scripts/install with npm available"
)


@pytest.fixture
def axe_required():
    """Skips the test, with the reason, when axe-core was not installed (no npm)."""
    if not axe_available():
        if os.environ.get("CI"):
            pytest.fail(MISSING)
        pytest.skip(MISSING)


def _route_axe(page) -> None:
    context = page.context
    if getattr(context, "_axe_routed", False):
        return
    body = AXE_SOURCE.read_bytes()
    context.route(
        f"**{AXE_PATH}",
        lambda route: route.fulfill(
            status=200, body=body, headers={"content-type": "text/javascript; charset=utf-8"}
        ),
    )
    context._axe_routed = True


def inject_axe(page) -> None:
    """Loads axe-core into the current document (once per document)."""
    if page.evaluate("typeof window.axe === 'object'"):
        return
    _route_axe(page)
    parts = urlsplit(page.url)
    page.add_script_tag(url=f"{parts.scheme}://{parts.netloc}{AXE_PATH}")
    page.wait_for_function("typeof window.axe === 'object'")


def axe_violations(
    page,
    *,
    include: str | list[str] | None = None,
    exclude: list[str] | None = None,
    disable_rules: list[str] | tuple[str, ...] = (),
) -> list[dict]:
    """Runs axe on the page (or on `include`, minus `exclude`) and returns its violations."""
    inject_axe(page)
    context: dict | str = "document"
    if include or exclude:
        context = {}
        if include:
            context["include"] = [include] if isinstance(include, str) else list(include)
        if exclude:
            context["exclude"] = list(exclude)
    options = dict(DEFAULT_OPTIONS)
    if disable_rules:
        options["rules"] = {rule: {"enabled": False} for rule in disable_rules}
    result = page.evaluate(
        """async ([context, options]) => {
            const target = context === "document" ? document : context;
            const result = await window.axe.run(target, options);
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({
                    target: n.target, html: n.html, summary: n.failureSummary,
                })),
            }));
        }""",
        [context, options],
    )
    return result


def format_violations(violations: list[dict], context_label: str) -> str:
    """One paragraph per rule: id, impact, help and where; then each element's selector,
    its markup (cut short) and axe's summary of what to fix."""
    nodes = sum(len(v["nodes"]) for v in violations)
    lines = [
        f"axe-core: {nodes} violation(s) of {len(violations)} rule(s) on {context_label}:",
    ]
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation['impact']}]: {violation['help']} "
            f"({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            target = " ".join(
                json.dumps(t) if not isinstance(t, str) else t for t in node["target"]
            )
            html = node["html"] if len(node["html"]) <= 160 else node["html"][:157] + "..."
            lines.append(f"    at {target}")
            lines.append(f"       {html}")
            for summary in (node.get("summary") or "").splitlines():
                if summary.strip():
                    lines.append(f"       {summary.strip()}")
    return "\n".join(lines)


def assert_no_axe_violations(
    page,
    context_label: str,
    *,
    include: str | list[str] | None = None,
    exclude: list[str] | None = None,
    disable_rules: list[str] | tuple[str, ...] = (),
) -> None:
    """Fails, printing every violation (rule id, impact, target selectors, help), when axe
    finds any on the page as it is now. `context_label` names the screen and state in the
    message ("product page, picker open")."""
    if not axe_available():
        if os.environ.get("CI"):
            raise AssertionError(MISSING)
        warnings.warn(f"{MISSING}; not checked: {context_label}", stacklevel=2)
        return
    violations = axe_violations(page, include=include, exclude=exclude, disable_rules=disable_rules)
    if violations:
        message = format_violations(violations, context_label)
        print(message)
        raise AssertionError(message)
