""".env.example lists every environment variable the settings and entry points read."""

import ast
import re

from tests.deploy.helpers import ROOT

# env("NAME" / env.bool("NAME" / os.environ.get("NAME" / os.environ["NAME"] /
# os.environ.setdefault("NAME" / os.getenv("NAME", across line breaks.
READS = re.compile(
    r"""(?:\benv(?:\.\w+)?|os\.environ(?:\.get|\.setdefault)?|os\.getenv)\s*[\[(]\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def variables_read() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "config").rglob("*.py"):
        names |= set(READS.findall(path.read_text()))
    # The required ones are checked in a loop over REQUIRED_VARIABLES (importing the module
    # would refuse here: they are not set).
    tree = ast.parse((ROOT / "config/settings/production.py").read_text())
    required = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and node.targets[0].id == "REQUIRED_VARIABLES"
    )
    return names | {key.value for key in required.keys}


def variables_listed() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#?\s?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_every_variable_read_is_listed():
    read = variables_read()
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "S3_BUCKET", "LOG_FORMAT"} <= read  # sanity
    missing = sorted(read - variables_listed())
    assert not missing, f"add to .env.example: {', '.join(missing)}"
