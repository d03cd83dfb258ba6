"""SCORM 1.2 package: the player site with the SCORM 1.2 runtime, plus its manifest."""

from __future__ import annotations

from collections.abc import Mapping

from courses.model import Course
from exporters.base import Exporter
from exporters.manifest_common import MANIFEST_NAME
from exporters.manifest_scorm12 import scorm12_manifest
from exporters.zipwriter import Content


class Scorm12Exporter(Exporter):
    format = "scorm12"
    label = "SCORM 1.2"
    tracking = "scorm12"

    def package_files(self, course: Course, site_files: Mapping[str, Content]) -> dict[str, Content]:
        return {**site_files, MANIFEST_NAME: scorm12_manifest(course, site_files)}
