"""SCORM 2004 4th Edition package: the player site with the SCORM 2004 runtime, plus its manifest."""

from __future__ import annotations

from collections.abc import Mapping

from courses.model import Course
from exporters.base import Exporter
from exporters.manifest_common import MANIFEST_NAME
from exporters.manifest_scorm2004 import scorm2004_manifest
from exporters.zipwriter import Content


class Scorm2004Exporter(Exporter):
    format = "scorm2004"
    label = "SCORM 2004 4th Edition"
    tracking = "scorm2004"

    def package_files(self, course: Course, site_files: Mapping[str, Content]) -> dict[str, Content]:
        return {**site_files, MANIFEST_NAME: scorm2004_manifest(course, site_files)}
