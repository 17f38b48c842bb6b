"""A Content-Security-Policy that the pages keep to: only their own scripts, no inline
script anywhere, styles from the site (style attributes allowed)."""

import json
import re
from html.parser import HTMLParser

import pytest

from tenants.models import Role
from tests.deploy.helpers import ROOT, production_env, run_python

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        directive.split()[0]: directive.split()[1:]
        for directive in (part.strip() for part in header.split(";"))
        if directive
    }


class _Inline(HTMLParser):
    """Collects what a strict script-src / style-src-elem would block."""

    def __init__(self):
        super().__init__()
        self.blocked: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self.blocked.append("inline <script>")
        if tag == "style":
            self.blocked.append("<style> element")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.blocked.append(f"{name}= handler on <{tag}>")
            if value and value.strip().lower().startswith("javascript:"):
                self.blocked.append(f"javascript: URL on <{tag}>")


def blocked(html: str) -> list[str]:
    parser = _Inline()
    parser.feed(html)
    return parser.blocked


def test_pages_send_a_strict_policy(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src-elem"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert blocked(response.content.decode()) == []


def test_the_workspace_pages_keep_to_the_policy(client, tenant, member):
    user = member(Role.ADMIN, username="csp-admin")
    client.force_login(user)
    for path in (f"/workspace/{tenant.slug}/", f"/workspace/{tenant.slug}/jobs/", "/workspace/"):
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        assert policy(response)["script-src"] == ["'self'"], path
        assert blocked(response.content.decode()) == [], path


def test_no_template_has_inline_script_or_style():
    offenders = {}
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]:
        found = blocked(path.read_text())
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}


def test_no_script_evaluates_strings():
    for path in ROOT.glob("*/static/**/*.js"):
        source = path.read_text()
        assert not re.search(r"\beval\(|new Function\(|setTimeout\(\s*[\"'`]", source), path


def test_the_api_docs_load_swagger_ui_without_inline_script(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    csp = policy(response)
    assert "https://cdn.jsdelivr.net" in csp["script-src"]
    assert "'unsafe-inline'" not in csp["script-src"]
    html = response.content.decode()
    assert [b for b in blocked(html) if b != "<style> element"] == []
    script = re.search(r'<script src="([^"]*\?script=[^"]*)"', html)
    assert script, "the docs' own script comes from the docs URL"
    js = client.get(script.group(1).replace("&amp;", "&"))
    assert js.status_code == 200
    assert "SwaggerUIBundle" in js.content.decode()


def test_no_policy_with_debug_on(client, settings):
    settings.DEBUG = True
    assert "Content-Security-Policy" not in client.get("/accounts/login/")


def test_media_may_load_from_where_it_is_stored(tmp_path):
    env = production_env(
        tmp_path,
        MEDIA_STORAGE="s3",
        S3_BUCKET="media",
        S3_ENDPOINT_URL="http://127.0.0.1:9000",
        MEDIA_PUBLIC_BASE_URL="https://cdn.example.com/assets",
        CSP_MEDIA_ORIGINS="https://img.example.net",
    )
    result = run_python(
        "import json, config.settings.production as s; "
        "print(json.dumps(s.CONTENT_SECURITY_POLICY['img-src']))",
        env,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "'self'",
        "data:",
        "blob:",
        "https://cdn.example.com",
        "http://127.0.0.1:9000",
        "https://img.example.net",
    ]


def test_json_answers_carry_no_policy(client):
    response = client.get("/api/v1/health")
    assert response["Content-Type"] == "application/json"
    assert "Content-Security-Policy" not in response
