"""``/vendor/<name>``: the editor's front-end packages, installed from npm (``authoring/frontend``,
locked by its ``package-lock.json``) by the set-up and served as they come, never copied into the
repository. Only the files named here are reachable; their URLs carry a content hash and are
cached like the static files (``authoring.app``).

scorm-again's ES modules (one per standard, each standing alone) play the LMS in the live
preview's simulator page (``authoring.views.live_preview``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, send_file

from authoring.problems import ApiProblem

blueprint = Blueprint("vendor", __name__, url_prefix="/vendor")
PACKAGES = Path(__file__).resolve().parents[1] / "frontend" / "node_modules"
SCORM_AGAIN = PACKAGES / "scorm-again" / "dist" / "esm"
FILES = {
    "sortable.js": PACKAGES / "sortablejs" / "Sortable.min.js",
    "scorm-again-scorm12.js": SCORM_AGAIN / "scorm12.min.js",
    "scorm-again-scorm2004.js": SCORM_AGAIN / "scorm2004.min.js",
}


@blueprint.get("/<name>")
def package_file(name: str) -> Any:
    path = FILES.get(name)
    if path is None:
        raise ApiProblem(404, f"no front-end file {name}")
    if not path.is_file():
        raise ApiProblem(503, f"{name} is not installed: run ./scripts/bootstrap (npm ci in authoring/frontend)")
    return send_file(path, mimetype="text/javascript")
