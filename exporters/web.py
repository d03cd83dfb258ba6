"""Plain web package: the player site as is, for any web server or an LMS's "web page" activity.

The player is rendered with its ``web`` tracking runtime (progress kept in the browser), and the
launch page is ``index.html`` at the root, so unzipping into any folder of a site just works.
"""

from __future__ import annotations

from collections.abc import Mapping

from courses.model import Course
from exporters.base import Exporter
from exporters.zipwriter import Content


class WebExporter(Exporter):
    format = "web"
    label = "web"
    tracking = "web"

    def package_files(self, course: Course, site_files: Mapping[str, Content]) -> dict[str, Content]:
        return dict(site_files)


class PublishedWebExporter(WebExporter):
    """The web form ``courseforge publish`` stores for the delivery server: the same files, and the
    player able to track for an LMS when a dispatch package frames it."""

    label = "published web"
    framed_by_dispatch = True
