"""The job machinery is on the ground floor (STYLE.md floors, issue 13): tenants imports no
app above it, and the apps that run jobs (manifests, tenant copy) reach it without
importing publishing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ABOVE_THE_GROUND = ("catalog", "media_library", "assignments", "publishing")
# tenants' own operations apps (they import the domain apps, as operations do) and the
# commands that run them
OPERATIONS_IN_TENANTS = ("tenants/copy", "tenants/demo", "tenants/management", "tenants/migrations")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _modules(folder: str, *, skip: tuple[str, ...] = ()) -> list[Path]:
    return [
        path
        for path in sorted((ROOT / folder).rglob("*.py"))
        if not str(path.relative_to(ROOT)).startswith(skip)
    ]


def _importing(paths: list[Path], packages: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in paths
        for name in sorted(_imports(path))
        if name.split(".")[0] in packages
    ]


def test_the_ground_floor_imports_nothing_above_it():
    assert _importing(_modules("tenants", skip=OPERATIONS_IN_TENANTS), ABOVE_THE_GROUND) == []


@pytest.mark.parametrize("folder", ["assignments/manifests", "tenants/copy"])
def test_apps_that_run_jobs_do_not_import_publishing_for_them(folder):
    assert _importing(_modules(folder), ("publishing",)) == []
