"""The architecture's one-way data flow, enforced: courses depends on nothing else here, the core
never imports the web apps, and importing the build pipeline loads no web framework."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("courses", "media", "exporters", "player", "storage", "importers", "cli", "authoring", "deploy")
WEB = {"authoring", "flask", "flask_wtf", "werkzeug", "sqlalchemy", "alembic", "gunicorn"}
# What each core package may import from the project (besides itself and the settings module).
ALLOWED = {
    "courses": set(),
    "storage": {"courses"},  # its errors are Problems
    "media": {"courses", "storage"},  # a worker fetches a stored course's files from storage
    "player": {"courses", "media", "storage"},  # the delivery server reads what publishing stored
    "exporters": {"courses", "media", "player", "storage"},
    "importers": {"courses", "media"},  # a deck becomes a course folder; its media are made by the build
}


def imported_modules(package: str) -> dict[str, set[str]]:
    """file -> top-level names it imports (absolute imports only; the project uses no relative ones)."""
    found: dict[str, set[str]] = {}
    for path in sorted((REPO / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(REPO))] = names
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_core_packages_import_only_what_the_data_flow_allows(package):
    project = set(PACKAGES)
    wrong = {file: sorted((names & project) - ALLOWED[package] - {package})
             for file, names in imported_modules(package).items()}
    assert {f: w for f, w in wrong.items() if w} == {}
    web = {file: sorted(names & WEB) for file, names in imported_modules(package).items()}
    assert {f: w for f, w in web.items() if w} == {}, "the core never imports the web apps"


def test_loading_the_build_pipeline_and_the_cli_loads_no_web_framework():
    code = ("import sys, exporters.build, exporters.check, cli.main, cli.build, cli.validate;"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(WEB)!r}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
