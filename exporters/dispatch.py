"""Dispatch packages: a SCORM 1.2 or 2004 zip of a few kilobytes that plays the published course.

The zip holds the manifest, a launch page, and three of the player's own modules
(``tracking/dispatch-lms.js``, the bridge's LMS side, with ``bridge.js`` and ``discover.js``).
The launch page frames the course's pointer URL on the delivery origin (``/c/<course-id>/``,
always the current version) and lends it the LMS's SCORM API over postMessage (see bridge.js
for the protocol and the origin checks). So the LMS imports the zip once; every later publish or
rollback is what its learners get, and their resume data keeps working because the course's ids
are stable across versions.

A dispatch package needs the delivery origin, which a plain package does not: ``build_dispatch``
takes it (and builds in milliseconds, since no media is made), and an exporter without one
refuses to build. That is why ``exporters.formats`` lists these formats apart from ``FORMATS``,
every one of which builds from a course folder alone.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal
from urllib.parse import urlsplit

from courses.loader import load_course
from courses.model import Course
from exporters.base import Exporter
from exporters.manifest_common import LAUNCH_PAGE, MANIFEST_NAME
from exporters.manifest_scorm12 import scorm12_manifest
from exporters.manifest_scorm2004 import scorm2004_manifest
from exporters.zipwriter import Content, write_zip

if TYPE_CHECKING:
    from exporters.build import BuildResult

Standard = Literal["scorm12", "scorm2004"]
TRACKING_JS = Path(__file__).resolve().parents[1] / "player" / "static" / "js" / "tracking"
SCRIPTS = ("dispatch-lms.js", "bridge.js", "discover.js")
DELIVERY_URL_SETTING = "delivery_url"

LAUNCH_HTML = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>html,body{{margin:0;height:100%;overflow:hidden}}iframe{{border:0;width:100%;height:100%;display:block}}
#dispatch-notice{{font:16px sans-serif;margin:2em}}</style>
</head>
<body>
<iframe id="course" title="{title}" allow="fullscreen; autoplay"></iframe>
<p id="dispatch-notice" role="alert" hidden></p>
<script type="application/json" id="dispatch-config">{config}</script>
<script type="module">
import {{ findAPI }} from "./discover.js";
import {{ serveLMS }} from "./dispatch-lms.js";
serveLMS(document, findAPI);
</script>
</body>
</html>
"""


class DispatchError(ValueError):
    """A dispatch package cannot be made as asked; the message names the setting to fix."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")


def delivery_origin(delivery_url: str) -> tuple[str, str]:
    """(origin, base URL ending in '/') of the delivery server at ``delivery_url``."""
    parts = urlsplit(delivery_url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise DispatchError(
            DELIVERY_URL_SETTING,
            f"{delivery_url!r} is not the http:// or https:// address of "
            "the delivery server (e.g. https://courses.example.org)",
        )
    origin = f"{parts.scheme}://{parts.netloc.lower()}"
    return origin, origin + parts.path.rstrip("/") + "/"


def dispatch_files(course: Course, standard: Standard, delivery_url: str) -> dict[str, Content]:
    """Every file of the dispatch package of ``course`` for ``standard``."""
    origin, base = delivery_origin(delivery_url)
    config = {"standard": standard, "launch": f"{base}c/{course.id}/", "delivery": origin}
    text = json.dumps(config, separators=(",", ":")).replace("<", "\\u003c")
    page = LAUNCH_HTML.format(lang=html.escape(course.language or "en"), title=html.escape(course.title), config=text)
    files: dict[str, Content] = {LAUNCH_PAGE: page.encode()}
    for name in SCRIPTS:
        files[name] = (TRACKING_JS / name).read_bytes()
    manifest = scorm12_manifest if standard == "scorm12" else scorm2004_manifest
    files[MANIFEST_NAME] = manifest(course, files)
    return files


def build_dispatch(course_dir: Path | str, fmt: str, delivery_url: str, out: Path | None = None) -> BuildResult:
    """Write the ``fmt`` (``dispatch-scorm12`` or ``dispatch-scorm2004``) zip of the course in
    ``course_dir`` to ``out`` (default: ``<course-id>-<format>.zip`` in the current folder). Only
    the course is read, no media is made (the package carries none), and the resume data budget
    of the LMS's standard is checked as for a full package."""
    from exporters.build import BuildError, BuildResult, check_resume_budget, default_package_name

    kinds = {kind.format: kind for kind in (DispatchScorm12Exporter, DispatchScorm2004Exporter)}
    if fmt not in kinds:
        raise BuildError(f"unknown dispatch format {fmt!r}; choose one of: {', '.join(kinds)}")
    exporter = kinds[fmt](delivery_url)
    course = load_course(course_dir)
    budget = check_resume_budget(course, exporter)
    files = exporter.package_files(course, {})
    path = Path(out) if out is not None else Path.cwd() / default_package_name(course, fmt)
    size = write_zip(path, files)
    return BuildResult(path, fmt, course, len(files), size, budget)


class DispatchExporter(Exporter):
    """A dispatch format in the build's registry. The build hands it the rendered site, which it
    leaves out: the package is the launch page, the bridge and the manifest only."""

    standard: ClassVar[Standard]

    def __init__(self, delivery_url: str | None = None) -> None:
        self.delivery_url = delivery_url

    def package_files(self, course: Course, site_files: Mapping[str, Content]) -> dict[str, Content]:
        from exporters.build import BuildError  # the build imports the formats, this one among them

        try:
            if not self.delivery_url:
                raise DispatchError(
                    DELIVERY_URL_SETTING,
                    "a dispatch package loads the course from the delivery "
                    "server, so it needs that server's address (the delivery_url setting)",
                )
            return dispatch_files(course, self.standard, self.delivery_url)
        except DispatchError as error:
            raise BuildError(str(error)) from None


class DispatchScorm12Exporter(DispatchExporter):
    format = "dispatch-scorm12"
    label = "SCORM 1.2 dispatch"
    tracking = "scorm12"  # resume data is kept by a SCORM 1.2 LMS: its 4,096-character limit applies
    standard = "scorm12"


class DispatchScorm2004Exporter(DispatchExporter):
    format = "dispatch-scorm2004"
    label = "SCORM 2004 4th Edition dispatch"
    tracking = "scorm2004"
    standard = "scorm2004"
