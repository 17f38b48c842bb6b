"""Accessibility of the workspace in Debian's Chromium (issue 15, item 7): axe-core finds no
violation on any screen or state, hovered buttons keep AA contrast, everything works from the
keyboard, and the pages are usable at 390 px."""

import io
import json
import re

import pytest
from PIL import Image

from tenants.demo.loader import DEMO_PASSWORD
from tenants.models import Tenant
from tests.browser.axe import assert_no_axe_violations, axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

from playwright.sync_api import expect  # noqa: E402

from tests.browser.session import log_in  # noqa: E402


@pytest.fixture
def upload_file(tmp_path):
    path = tmp_path / "studio-shot.png"
    Image.new("RGB", (400, 300), (240, 200, 40)).save(path, "PNG")
    return path


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


class Audit:
    """axe on each screen and state of a flow; one failure at the end lists them all, so a
    run shows every screen's violations at once."""

    def __init__(self, page, shot):
        self.page, self.shot, self.failures, self.checked = page, shot, [], []

    def __call__(self, label: str, name: str, **kwargs) -> None:
        self.shot(self.page, name)
        self.checked.append(label)
        violations = axe_violations(self.page, **kwargs)
        if violations:
            self.failures.append(format_violations(violations, label))

    def assert_clean(self) -> None:
        assert not self.failures, "\n\n".join(self.failures)


def test_every_workspace_screen_and_state_has_no_axe_violations(demo, page, shot, axe_required):
    """R-issue15-7: tenant list, search, a product's Master/Dimensions/Variants tabs read-only
    and checked out, the picker, the swatch editor with a crop, the matrix dialog, a
    destructive confirm, the preview, the publish dialogs and job, the jobs page, a category."""
    from django.contrib.auth import get_user_model

    from tenants.services import membership_set

    acme = Tenant.objects.get(slug="acme")
    membership_set(tenant=acme, user=get_user_model().objects.get(username="demo"), role="viewer")
    audit = Audit(page, shot)

    page.goto("/workspace/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator(".tenant-list a")).to_have_count(2)
    audit("tenant list", "tenants")

    page.locator(".tenant-list a", has_text="Demo Outfitters").click()
    expect(page.locator("#search-results .result").first).to_be_visible()
    audit("workspace, nothing selected", "workspace")
    page.fill("#search-q", "polo")
    expect(page.locator("#search-results .result")).to_have_count(1)
    audit("product search", "search")

    # A published master, read-only: the three tabs.
    page.locator("#search-results .result", has_text="Piqué polo").click()
    expect(page.locator("#doc-state")).to_have_text("Published")
    expect(page.locator('[data-slot="primary"] .media-row')).to_have_count(3)
    audit("product, Master tab (read-only)", "master")
    page.click("#tab-dimensions")
    expect(page.locator(".grid-table .cell").first).to_be_visible()
    audit("product, Dimensions tab (read-only)", "dimensions")
    page.click("#tab-variants")
    expect(page.locator(".variants-table tbody tr").first).to_be_visible()
    audit("product, Variants tab (read-only)", "variants")

    # Preview with a selection and the coverage grid.
    page.click('[data-action="preview"]')
    expect(page.locator("#coverage-grid table")).to_be_visible()
    page.select_option('#preview-selectors select[name="color"]', "Red")
    expect(page.locator("#preview-provenance")).to_contain_text("dimension color Red")
    audit("preview", "preview")
    page.click("#preview-close")

    # Checked out: editing the master, the picker, the swatch editor, the matrix.
    page.click("#tab-master")
    page.click('[data-action="checkout"]')
    expect(page.locator("#doc-holder")).to_have_text("You are editing")
    audit("product, Master tab, checked out", "master-editing")
    page.click('[data-add="primary"]')
    expect(page.locator("#picker-grid .picker-item").first).to_be_visible()
    page.locator("#picker-grid .picker-item input").first.check()
    page.click("#picker-upload-toggle")
    audit("picker open, one selected, upload form", "picker")
    page.click("#picker-cancel")
    page.click('[data-add="swatch"]')
    expect(page.locator("#swatch-dialog")).to_be_visible()
    page.select_option("#swatch-type", "image")
    page.click("#swatch-choose")
    page.fill("#picker-q", "blue swatch")
    page.locator(".picker-item", has_text="Blue swatch").locator("input").check()
    page.click("#picker-apply")
    page.check("#swatch-crop-on")
    expect(page.locator("#crop-rect")).to_be_visible()
    audit("swatch editor, image with a crop", "swatch")
    page.click("#swatch-cancel")
    page.click("#tab-dimensions")
    audit("product, Dimensions tab, checked out", "dimensions-editing")
    page.click('[data-matrix="change"]')
    expect(page.locator("#matrix-dialog")).to_be_visible()
    audit("matrix dialog", "matrix")
    page.click("#matrix-cancel")
    page.locator(".grid-table .cell").first.click()
    expect(page.locator(".crumb-current")).to_be_visible()
    audit("a dimension combination's media, checked out", "cell-editing")
    page.click("#tab-variants")
    audit("product, Variants tab, checked out", "variants-editing")
    page.click('[data-action="discard"]')
    expect(page.locator("#confirm-dialog")).to_be_visible()
    audit("destructive confirm (discard)", "confirm")
    page.click("#confirm-cancel")

    # Finish editing after a change, then publish: intro, dependencies, the job.
    page.click("#tab-master")
    page.get_by_role("button", name=re.compile(r"^Remove ")).first.click()
    expect(page.locator("#save-state")).to_have_text("All changes saved")
    page.click('[data-action="checkin"]')
    expect(page.locator("#doc-state")).to_have_text("Draft (not published)")
    page.click('[data-action="publish"]')
    expect(page.locator("#publish-intro-dialog")).to_be_visible()
    audit("publish explanation dialog", "publish-intro")
    page.click("#publish-intro-ok")
    expect(page.locator("#job-title")).to_have_text("Published")
    audit("publish job dialog", "publish-job")
    page.click("#job-close")

    # The jobs page and a category.
    page.click("text=Jobs")
    expect(page.locator("#job-rows tr").first).to_contain_text("Publishing")
    expect(page.locator("#job-rows tr").first).to_contain_text("Finished")
    audit("jobs page", "jobs")
    page.get_by_role("link", name="Product media").click()
    expect(page.locator("#search-results .result").first).to_be_visible()
    page.select_option("#ctx-channel", "web")
    page.fill("#search-q", "accessories")
    page.locator('#search-results .result[data-key^="category:"]').first.click()
    expect(page.locator("#category-state")).to_have_text("Published")
    page.click('[data-cat-action="edit"]')
    audit("category, editing", "category")

    assert len(audit.checked) == 19
    audit.assert_clean()
    assert page.console_log.errors == []


FOCUSED = """() => { const a = document.activeElement;
  if (!a || a === document.body) return "body";
  return a.dataset.action ? `action:${a.dataset.action}` : a.id || a.dataset.focusKey
    || a.getAttribute("aria-label") || a.tagName; }"""


def focused(page) -> str:
    return page.evaluate(FOCUSED)


def expect_focus(page, expected: str, timeout_ms: int = 5000) -> None:
    """The focus settles after the re-renders that follow a save. (Polled from here: the
    page's CSP forbids the eval that wait_for_function's polling needs.)"""
    now = focused(page)
    for _ in range(timeout_ms // 50):
        if now == expected:
            return
        page.wait_for_timeout(50)
        now = focused(page)
    assert now == expected, f"focus is on {now!r}, expected {expected!r}"


def test_keyboard_focus_escape_and_safe_confirms(demo, page, shot):
    """R-issue15-7: focus is placed after Edit, Apply, reorder, Remove and Finish; Esc closes
    the picker, the swatch editor, the matrix dialog, confirms and the preview; a destructive
    confirm focuses Cancel, so Enter does not destroy; the arrows reorder without a mouse."""
    log_in(page, next_path="/workspace/demo/products/POLO-001/")
    expect(page.locator("#doc-state")).to_have_text("Published")
    edit = page.locator('[data-action="checkout"]')
    edit.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#doc-holder")).to_have_text("You are editing")
    expect_focus(page, "action:checkin")
    shot(page, "edit-focuses-finish")

    # Picker from the keyboard: Esc closes it and the focus is back on Add media.
    page.locator('[data-add="primary"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator("#picker-dialog")).to_be_visible()
    expect_focus(page, "picker-q")
    page.keyboard.press("Escape")
    expect(page.locator("#picker-dialog")).to_be_hidden()
    expect_focus(page, "add-primary")
    # Apply: the added item is saved and the focus stays on Add media (the panel re-rendered).
    page.keyboard.press("Enter")
    # Wait for the search's own results: focusing an item of the list the search is about to
    # replace would lose the focus (and the Space) with it.
    with page.expect_response(lambda r: "/media/" in r.url and "q=polo" in r.url):
        page.fill("#picker-q", "polo red front")
    item = page.locator(".picker-item", has_text="Piqué polo, red (front)").locator("input")
    item.focus()
    page.keyboard.press("Space")
    expect(page.locator("#picker-count")).to_have_text("1 selected")
    page.locator("#picker-apply").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#save-state")).to_have_text("All changes saved")
    expect(page.locator('[data-slot="primary"] .media-row')).to_have_count(4)
    expect_focus(page, "add-primary")
    shot(page, "apply-keeps-focus")

    # Reorder without a mouse: the last row moves up twice; at the top its "up" is disabled,
    # so the focus moves to its "down".
    titles = page.locator('[data-slot="primary"] .media-title')
    last = "Piqué polo, red (front)"
    page.get_by_role("button", name=f"Move {last} up").focus()
    for _ in range(3):
        page.keyboard.press("Enter")
        expect(page.locator("#save-state")).to_have_text("All changes saved")
    expect(titles.first).to_have_text(last)
    expect_focus(page, f"Move {last} down")
    shot(page, "reordered-by-keyboard")
    # Remove: the row goes, the focus lands on Add media.
    page.get_by_role("button", name=f"Remove {last}").focus()
    page.keyboard.press("Enter")
    expect(page.locator('[data-slot="primary"] .media-row')).to_have_count(3)
    expect_focus(page, "add-primary")

    # Esc closes the swatch editor and the matrix dialog.
    page.locator('[data-add="swatch"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator("#swatch-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#swatch-dialog")).to_be_hidden()
    expect_focus(page, "add-swatch")
    # Adding one: the dialog closes, the list re-renders, the focus is on Add swatch again.
    page.keyboard.press("Enter")
    page.select_option("#swatch-dimension", "size")
    page.locator("#swatch-add").focus()
    page.keyboard.press("Enter")
    expect(page.locator('tr[data-swatch="size:S"]')).to_be_visible()
    expect(page.locator("#save-state")).to_have_text("All changes saved")
    expect_focus(page, "add-swatch")
    page.click("#tab-dimensions")
    page.locator('[data-matrix="change"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator("#matrix-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#matrix-dialog")).to_be_hidden()
    expect_focus(page, "matrix")
    # A matrix cell opens with Enter; the focus goes to "All combinations" and back.
    page.locator('.cell[data-cell="Red"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator(".crumb-current")).to_have_text("color: Red")
    expect_focus(page, "back")
    page.keyboard.press("Enter")
    expect_focus(page, "cell:Red")
    page.click("#tab-master")

    # Destructive confirms focus Cancel: Enter and Esc keep the edits.
    for action in ("discard", "reset"):
        page.locator(f'[data-action="{action}"]').focus()
        page.keyboard.press("Enter")
        expect(page.locator("#confirm-dialog")).to_be_visible()
        expect_focus(page, "confirm-cancel")
        shot(page, f"{action}-confirm-focuses-cancel")
        page.keyboard.press("Enter")
        expect(page.locator("#confirm-dialog")).to_be_hidden()
        expect_focus(page, f"action:{action}")
        page.keyboard.press("Enter")
        expect(page.locator("#confirm-dialog")).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.locator("#confirm-dialog")).to_be_hidden()
    expect(page.locator("#doc-holder")).to_have_text("You are editing")
    expect(page.locator('[data-slot="primary"] .media-row')).to_have_count(3)

    # Finish: the focus goes to Edit, which took the place of Finish.
    page.locator('[data-action="checkin"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator("#doc-holder")).to_be_hidden()
    expect_focus(page, "action:checkout")
    shot(page, "finish-focuses-edit")

    # Preview: its Close has the focus; Esc closes it and returns the focus to Preview.
    page.locator('[data-action="preview"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator("#preview-panel")).to_be_visible()
    expect_focus(page, "preview-close")
    page.keyboard.press("Escape")
    expect(page.locator("#preview-panel")).to_be_hidden()
    expect_focus(page, "action:preview")
    assert page.console_log.errors == []


# The contrast of an element's text against what is painted behind it, as the page shows it
# now (axe does not hover). Backgrounds are composited up the ancestors; WCAG's formula.
CONTRAST = """(el) => {
  const parse = (c) => {
    const p = c.match(/rgba?\\(([^)]+)\\)/)[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a), a: 1 });
  const layers = [];
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    const bg = parse(getComputedStyle(node).backgroundColor);
    if (bg.a > 0) layers.push(bg);
    if (bg.a >= 1) break;
  }
  let bg = { r: 255, g: 255, b: 255, a: 1 };
  for (const layer of layers.reverse()) bg = over(layer, bg);
  const style = getComputedStyle(el);
  const fg = over(parse(style.color), bg);
  const lum = (c) => {
    const ch = [c.r, c.g, c.b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
  const size = parseFloat(style.fontSize);
  const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
  const hex = (c) => "#" + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
  return { ratio: (hi + 0.05) / (lo + 0.05), needed: large ? 3 : 4.5,
           text: (el.innerText || el.getAttribute("aria-label") || "").trim().slice(0, 40),
           color: hex(fg), background: hex(bg) };
}"""


def hover_contrast_failures(page, selector: str, label: str) -> list[str]:
    """Hovers every visible, enabled match of `selector` and measures its text contrast."""
    failures = []
    elements = page.locator(selector)
    for i in range(elements.count()):
        element = elements.nth(i)
        if not element.is_visible() or element.is_disabled():
            continue
        element.hover()
        found = element.evaluate(CONTRAST)
        if found["ratio"] < found["needed"]:
            failures.append(
                f"{label} {selector} “{found['text']}” hovered: {found['color']} on "
                f"{found['background']} is {found['ratio']:.2f}:1 (needs {found['needed']}:1)"
            )
    page.mouse.move(0, 0)
    return failures


def test_hovered_buttons_keep_aa_contrast(demo, page, shot):
    """R-issue15-7: WCAG AA contrast in every state, hover included (red buttons kept their
    white label on a light-grey hover before: ≈1.1:1)."""
    log_in(page, next_path="/workspace/demo/products/POLO-001/")
    expect(page.locator("#doc-state")).to_have_text("Published")
    failures = hover_contrast_failures(page, ".topbar a, .topbar button", "top bar")
    failures += hover_contrast_failures(page, "#search-results .result", "search result")
    page.click('[data-action="checkout"]')
    expect(page.locator("#doc-holder")).to_have_text("You are editing")
    for selector in (".action-bar .btn", ".tab", ".slot .btn", ".icon-btn"):
        failures += hover_contrast_failures(page, selector, "Master tab")
    page.click("#tab-dimensions")
    failures += hover_contrast_failures(page, ".cell, .matrix-head .btn", "Dimensions tab")
    page.click("#tab-variants")
    failures += hover_contrast_failures(page, ".assign", "Variants tab")
    page.click('[data-action="discard"]')
    expect(page.locator("#confirm-ok")).to_have_class(re.compile("btn-danger"))
    failures += hover_contrast_failures(page, "#confirm-dialog .btn", "discard confirm")
    page.locator("#confirm-ok").hover()
    shot(page, "danger-button-hovered")
    page.click("#confirm-cancel")
    page.click("#tab-master")
    page.get_by_role("button", name=re.compile(r"^Remove ")).first.click()
    expect(page.locator("#save-state")).to_have_text("All changes saved")
    page.click('[data-action="checkin"]')
    page.click('[data-action="publish"]')
    failures += hover_contrast_failures(page, "#publish-intro-dialog .btn", "publish dialog")
    page.click("#publish-intro-cancel")
    assert not failures, "\n".join(failures)


def in_viewport(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["x"] >= 0
        and box["x"] + box["width"] <= size["width"]
        and box["y"] >= 0
        and box["y"] + box["height"] <= size["height"]
    )


def tiles_fit(page, width: int = 390) -> None:
    """Every tile of the picker's grid lies inside the viewport's width and its grid (none
    clipped at the right edge)."""
    grid = page.locator("#picker-grid").bounding_box()
    assert grid["x"] >= 0 and grid["x"] + grid["width"] <= width, grid
    boxes = page.locator("#picker-grid .picker-item").evaluate_all(
        "(els) => els.map((e) => { const r = e.getBoundingClientRect(); return [r.left, r.right]; })"
    )
    assert boxes
    clipped = [
        box for box in boxes if box[0] < 0 or box[1] > min(width, grid["x"] + grid["width"]) + 0.5
    ]
    assert not clipped, f"tiles clipped at {width} px: {clipped}"


def test_usable_at_390_px(demo, page, shot):
    """R-issue15-7: at 390 px (a phone) the top bar and the picker's Apply stay on screen and
    the page does not scroll sideways."""
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, next_path="/workspace/demo/products/POLO-001/")
    expect(page.locator("#doc-state")).to_have_text("Published")
    shot(page, "product")
    for selector in (".brand", ".topnav", ".topbar-right", ".logout button"):
        assert in_viewport(page, selector), f"{selector} is off-screen at 390 px"
    sideways = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert sideways <= 0, f"the page scrolls {sideways}px sideways"
    page.click('[data-action="checkout"]')
    page.click('[data-add="primary"]')
    expect(page.locator("#picker-grid .picker-item").first).to_be_visible()
    page.locator("#picker-grid .picker-item input").first.check()
    shot(page, "picker")
    for selector in ("#picker-apply", "#picker-cancel", "#picker-q", "#picker-upload-toggle"):
        assert in_viewport(page, selector), f"{selector} is off-screen at 390 px"
    # The facets fold into "Filters" above the grid (closed), and every tile fits the width.
    filters = page.locator("#picker-filters")
    expect(filters).not_to_have_attribute("open", "")
    expect(page.locator("#picker-facets")).to_be_hidden()
    tiles_fit(page)
    assert_no_axe_violations(page, "picker at 390 px, filters folded")
    page.click("#picker-filters-toggle")
    expect(page.locator("#picker-facets .facet").first).to_be_visible()
    facets = page.locator("#picker-facets").bounding_box()
    grid = page.locator("#picker-grid").bounding_box()
    assert grid["y"] >= facets["y"] + facets["height"] - 1, "the facets are not above the grid"
    assert facets["x"] + facets["width"] <= 390 and facets["width"] > 390 * 0.6
    tiles_fit(page)
    shot(page, "picker-filters-open")
    assert_no_axe_violations(page, "picker at 390 px, filters open")
    page.click("#picker-filters-toggle")
    page.click("#picker-apply")
    expect(page.locator("#save-state")).to_have_text("All changes saved")
    page.click("#tab-dimensions")
    shot(page, "dimensions")
    page.goto("/workspace/demo/jobs/")
    expect(page.locator("#job-rows tr").first).not_to_contain_text("Loading")
    shot(page, "jobs")
    wide = page.evaluate(
        "() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect()"
        ".right > window.innerWidth + 1 && !e.closest('.page')).map((e) => e.tagName + '.' +"
        " e.className).slice(0, 5)"
    )
    sideways = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert sideways <= 0, f"the jobs page scrolls {sideways}px sideways: {wide}"
    for selector in (".brand", ".topnav", ".logout button"):
        assert in_viewport(page, selector), f"{selector} is off-screen at 390 px on the jobs page"


ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def test_messages_in_plain_words_and_local_dates(demo, open_page, shot):
    """R-issue15-7: the matrix change asks in words with a "Change matrix anyway" button (not
    the API's `confirm_matrix_change`), refused fields are named by their labels (not
    `alt_text`), and times show in the browser's locale (Intl), never as raw ISO."""
    from django.contrib.auth import get_user_model

    from assignments import services as assignment_services
    from assignments.selectors import context_get
    from catalog.selectors import product_get

    page = open_page(locale="de-DE", timezone_id="Europe/Berlin")
    log_in(page, next_path="/workspace/demo/products/POLO-001/")
    expect(page.locator("#doc-state")).to_have_text("Published")

    # Someone else checks it out meanwhile: the refusal names them and a local time.
    demo_tenant = Tenant.objects.get(slug="demo")
    channel, locale = context_get(tenant=demo_tenant, channel="omnichannel", locale="neutral")
    holder = get_user_model().objects.get(username="demo-editor")
    product = product_get(tenant=demo_tenant, number="POLO-001")
    kwargs = dict(tenant=demo_tenant, product=product, channel=channel, locale=locale)
    held = assignment_services.document_checkout(**kwargs, user=holder)
    page.click('[data-action="checkout"]')
    error = page.locator("#product-error")
    expect(error).to_contain_text("demo-editor is editing this document (checked out")
    expect(error).to_contain_text("You may take it over; they will be told.")
    assert not ISO.search(error.inner_text()), error.inner_text()
    assert "take_over" not in error.inner_text()  # the API's flag is no word for people
    # The live banner says since when, in the browser's locale.
    banner = page.locator(".live-held")
    expect(banner).to_contain_text("Checked out by demo-editor since")
    shot(page, "held-since-local-time")
    held_at = held.checked_out_at.isoformat()
    local = page.evaluate(
        "(iso) => new Intl.DateTimeFormat(undefined, {dateStyle: 'medium', timeStyle:"
        " 'short'}).format(new Date(iso))",
        held_at,
    )
    expected = page.evaluate(
        "(iso) => new Intl.DateTimeFormat('de-DE', {dateStyle: 'medium', timeStyle: 'short',"
        " timeZone: 'Europe/Berlin'}).format(new Date(iso))",
        held_at,
    )
    assert local == expected  # the page's default locale and zone are the user's
    expect(banner).to_contain_text(local)
    assignment_services.document_discard(document=held, user=holder)

    # The matrix change asks in words; its OK button says what it does.
    page.reload()
    page.click('[data-action="checkout"]')
    expect(page.locator("#doc-holder")).to_have_text("You are editing")
    page.click("#tab-dimensions")
    page.click('[data-matrix="change"]')
    page.locator("#matrix-dims input[value=size]").check()
    page.click("#matrix-apply")
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#confirm-body")).to_contain_text(
        "The assignment matrix changes from color to color × size."
    )
    expect(page.locator("#confirm-body")).to_contain_text(
        "These 3 dimension assignments and their media will be removed:"
    )
    expect(page.locator("#confirm-ok")).to_have_text("Change matrix anyway")
    assert "confirm_matrix_change" not in dialog.inner_text()
    expect_focus(page, "confirm-cancel")
    shot(page, "matrix-change-in-words")
    page.click("#confirm-ok")
    expect(page.locator("#save-state")).to_have_text("All changes saved")
    expect(page.locator(".grid-table .cell")).to_have_count(9)

    # An upload without title and alt text: the reasons, in the labels' words.
    page.click("#tab-master")
    page.click('[data-add="primary"]')
    page.click("#picker-upload-toggle")
    image = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(image, "PNG")
    page.set_input_files(
        "#upload-file",
        files=[{"name": "red.png", "mimeType": "image/png", "buffer": image.getvalue()}],
    )
    page.click("#upload-submit")
    upload_error = page.locator("#upload-error")
    expect(upload_error).to_contain_text("A title is required for images.")
    expect(upload_error).to_contain_text("Alt text is required for images.")
    assert "alt_text" not in upload_error.inner_text()
    shot(page, "upload-refused-in-words")
    page.click("#picker-cancel")

    # A refused save names the nested field by its labels.
    refusal = {
        "detail": "Validation failed.",
        "code": "invalid",
        "errors": [
            {"field": "master.additional[0].purpose", "reason": "Unknown purpose x."},
            {"field": "master.swatches[1].hex", "reason": "Use a colour like #1a2b3c."},
        ],
    }
    page.route(
        re.compile(r".*/media/working.*"),
        lambda route: route.fulfill(
            status=400, content_type="application/json", body=json.dumps(refusal)
        ),
    )
    page.get_by_role("button", name=re.compile(r"^Remove ")).first.click()
    expect(page.locator("#product-error")).to_contain_text(
        "Master › additional media #1 › Purpose: Unknown purpose x."
    )
    expect(page.locator("#product-error")).to_contain_text(
        "Master › swatch #2 › Colour: Use a colour like #1a2b3c."
    )
    page.unroute(re.compile(r".*/media/working.*"))
    page.get_by_role("button", name="Retry save").click()
    expect(page.locator("#save-state")).to_have_text("All changes saved")
    page.click('[data-action="checkin"]')
    page.click('[data-action="publish"]')
    page.click("#publish-intro-ok")
    expect(page.locator("#job-title")).to_have_text("Published")
    page.click("#job-close")

    # The jobs page: machine-readable <time>, local words.
    page.goto("/workspace/demo/jobs/")
    stamp = page.locator("#job-rows time").first
    expect(stamp).to_be_visible()
    iso = stamp.get_attribute("datetime")
    assert ISO.match(iso)
    assert not ISO.search(stamp.inner_text())
    expected = page.evaluate(
        "(iso) => new Intl.DateTimeFormat('de-DE', {dateStyle: 'medium', timeStyle: 'short',"
        " timeZone: 'Europe/Berlin'}).format(new Date(iso))",
        iso,
    )
    expect(stamp).to_have_text(expected)
    shot(page, "jobs-local-dates")


def test_alerts_and_warnings_have_no_axe_violations(demo, page, shot, axe_required, upload_file):
    """R-issue15-7, the states the main pass does not reach: held by someone else, a refused
    save (alert, slot error, unsaved, Retry), the unpublished-dependencies dialog, and a
    category's success message."""
    from django.contrib.auth import get_user_model

    from assignments import services as assignment_services
    from assignments.selectors import context_get
    from catalog.selectors import product_get

    tenant = Tenant.objects.get(slug="demo")
    channel, locale = context_get(tenant=tenant, channel="omnichannel", locale="neutral")
    assignment_services.document_checkout(
        tenant=tenant,
        product=product_get(tenant=tenant, number="LAMP-001"),
        channel=channel,
        locale=locale,
        user=get_user_model().objects.get(username="demo-editor"),
    )
    audit = Audit(page, shot)
    log_in(page, next_path="/workspace/demo/products/LAMP-001/")
    expect(page.locator("#doc-holder")).to_have_text("Being edited by demo-editor")
    audit("held by someone else", "held-by-other")

    page.goto("/workspace/demo/products/CHINO-001/")
    page.click('[data-action="checkout"]')
    expect(page.locator("#doc-holder")).to_have_text("You are editing")
    refusal = {
        "detail": "Validation failed.",
        "code": "invalid",
        "errors": [{"field": "master.primary[0]", "reason": "Unknown media 1."}],
    }
    page.route(
        re.compile(r".*/media/working.*"),
        lambda route: route.fulfill(
            status=400, content_type="application/json", body=json.dumps(refusal)
        ),
    )
    page.click('[data-add="primary"]')
    page.fill("#picker-q", "chinos navy")
    page.locator(".picker-item", has_text="Chinos, navy").locator("input").check()
    page.click("#picker-apply")
    expect(page.locator(".slot-error")).to_contain_text("Unknown media 1.")
    expect(page.locator("#save-state")).to_contain_text("Unsaved changes")
    audit("refused save: alert, slot error, unsaved changes", "refused-save")
    page.unroute(re.compile(r".*/media/working.*"))
    page.get_by_role("button", name="Retry save").click()
    expect(page.locator("#save-state")).to_have_text("All changes saved")

    # A fresh upload is a draft: publishing asks about it.
    page.click('[data-add="primary"]')
    page.click("#picker-upload-toggle")
    page.set_input_files("#upload-file", str(upload_file))
    page.fill("#upload-title", "Studio shot")
    page.fill("#upload-alt", "Yellow studio backdrop")
    page.click("#upload-submit")
    expect(page.locator("#picker-count")).to_have_text("1 selected")
    page.click("#picker-apply")
    expect(page.locator("#save-state")).to_have_text("All changes saved")
    page.click('[data-action="checkin"]')
    page.click('[data-action="publish"]')
    page.click("#publish-intro-ok")
    expect(page.locator("#deps-dialog")).to_be_visible()
    audit("unpublished dependencies dialog", "dependencies")
    page.click("#deps-cancel")

    page.select_option("#ctx-channel", "web")
    page.fill("#search-q", "shirts")
    found = page.locator('#search-results .result[data-key^="category:"]')
    expect(found).to_have_count(1)
    # The category mark (CSS ::before) is for the eye: it is not part of the result's name.
    expect(found).to_have_accessible_name(re.compile(r"^Shirts\s+Category · Apparel/Shirts$"))
    found.click()
    page.click('[data-cat-action="edit"]')
    page.get_by_role("button", name="Add media").click()
    page.fill("#picker-q", "apparel banner")
    page.locator(".picker-item", has_text="Apparel banner").locator("input").check()
    page.click("#picker-apply")
    expect(page.locator("#category-state")).to_have_text("Draft (not published)")
    page.click('[data-cat-action="done"]')
    page.click('[data-cat-action="publish"]')
    page.click("#publish-intro-ok")
    page.click("#deps-publish-all")
    expect(page.locator("#category-error")).to_contain_text("Published the default image")
    audit("category published: success message", "category-published")

    audit.assert_clean()
    assert page.console_log.errors == []


def sideways_at_390(page) -> tuple[int, list[str]]:
    """How far the page scrolls sideways, and the first elements that stick out of the screen
    (inside .page too, which scrolls on its own at 390 px; a .table-scroll box is fine)."""
    wide = page.evaluate(
        "() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect()"
        ".right > window.innerWidth + 1 && !e.closest('.table-scroll')).map((e) =>"
        " e.tagName + '#' + e.id + '.' + e.className).slice(0, 5)"
    )
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth"), wide


def test_publish_groups_and_check_out_banners_at_390_px(demo, page, shot, axe_required, settings):
    """R-issue15-7 on the screens issue15-groups added, at 390 px: the publish groups page
    (empty, a group with products, its validation) and the live check-out banners (held by
    someone else with Take over, its confirm, idle past the limit, lost to a discard), with
    0 axe violations, nothing scrolling sideways and the main buttons on screen."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from assignments import services as assignment_services
    from assignments.models import AssignmentDocument
    from assignments.selectors import context_get
    from catalog.selectors import product_get
    from tenants.models import Role
    from tests.factories import make_member

    tenant = Tenant.objects.get(slug="demo")
    users = get_user_model().objects
    channel, locale = context_get(tenant=tenant, channel="omnichannel", locale="neutral")
    assignment_services.document_checkout(
        tenant=tenant,
        product=product_get(tenant=tenant, number="LAMP-001"),
        channel=channel,
        locale=locale,
        user=users.get(username="demo-editor"),
    )
    page.set_viewport_size({"width": 390, "height": 844})
    audit = Audit(page, shot)

    def usable(label: str, *selectors: str) -> None:
        sideways, wide = sideways_at_390(page)
        assert sideways <= 0 and not wide, f"{label} scrolls {sideways}px sideways: {wide}"
        for selector in selectors:
            page.locator(selector).scroll_into_view_if_needed()
            assert in_viewport(page, selector), f"{selector} is off-screen at 390 px ({label})"

    log_in(page, next_path="/workspace/demo/publish-groups/")
    expect(page.locator("#group-list")).to_contain_text("No publish groups yet.")
    audit("publish groups, empty", "groups-390-empty")
    usable("publish groups, empty", "#group-new-name", "#group-new-submit")

    page.fill("#group-new-name", "Spring drop")
    page.click("#group-new-submit")
    expect(page.locator("#group-name")).to_have_text("Spring drop")
    expect(page.locator("#group-status")).to_have_text("Open (collecting products)")
    for query, number in (("lamp", "LAMP-001"), ("chino", "CHINO-001")):
        page.fill("#group-search", query)
        page.locator("#group-search-results label", has_text=number).locator("input").check()
    page.get_by_role("button", name="Add 2 selected").click()
    expect(page.locator("#group-product-rows tr")).to_have_count(2)
    audit("publish groups, a group with products", "groups-390-products")
    usable("publish groups, a group", "#group-validate", "#group-publish", "#group-schedule")
    page.click("#group-validate")
    expect(page.locator("#group-validation-summary")).to_contain_text("Cannot publish yet")
    audit("publish groups, validation per product", "groups-390-validation")
    usable("publish groups, validation", "#group-validation-summary")

    # Held by someone else: the banner with Take over editing, and its confirm.
    page.goto("/workspace/demo/products/LAMP-001/")
    held = page.locator(".live-held")
    expect(held).to_contain_text("Checked out by demo-editor since")
    audit("check-out held by someone else", "live-390-held")
    usable("held banner", ".live-held button")
    held.get_by_role("button", name="Take over editing").click()
    expect(page.locator("#confirm-body")).to_contain_text("demo-editor has been editing")
    audit("take over confirm", "live-390-take-over")
    usable("take over confirm", "#confirm-ok", "#confirm-cancel")
    page.click("#confirm-ok")
    expect(page.locator("#doc-holder")).to_have_text("You are editing")

    # Idle past the limit: the holder is warned.
    past = timezone.now() - timedelta(minutes=settings.CHECKOUT_IDLE_MINUTES + 5)
    AssignmentDocument.objects.filter(checked_out_by__isnull=False).update(
        checked_out_at=past, updated_at=past, saved_at=None
    )
    expect(page.locator(".live-idle")).to_contain_text("may now take it over", timeout=15_000)
    audit("own check-out idle past the limit", "live-390-idle")
    usable("idle banner", ".live-idle")

    # Lost: another publisher discards it.
    pat = make_member(tenant, Role.PUBLISHER, "pat")
    assignment_services.document_discard(
        document=AssignmentDocument.objects.get(checked_out_by__isnull=False), user=pat
    )
    lost = page.locator(".live-lost")
    expect(lost).to_contain_text("You are no longer editing.", timeout=15_000)
    audit("own check-out lost to a discard", "live-390-lost")
    usable("lost banner", ".live-lost")
    for name in ("Reload", "Copy my changes into a new check-out"):
        button = page.get_by_role("button", name=name)
        button.scroll_into_view_if_needed()
        assert in_viewport(page, f'.live-lost button:has-text("{name}")'), name

    assert len(audit.checked) == 7
    audit.assert_clean()
    assert page.console_log.errors == []
