"""Every package format, by the name used on the command line."""

from __future__ import annotations

from exporters.base import Exporter
from exporters.dispatch import DispatchScorm12Exporter, DispatchScorm2004Exporter
from exporters.scorm12 import Scorm12Exporter
from exporters.scorm2004 import Scorm2004Exporter
from exporters.web import WebExporter

EXPORTERS: dict[str, Exporter] = {e.format: e for e in (Scorm12Exporter(), Scorm2004Exporter(), WebExporter())}
FORMATS = tuple(EXPORTERS)
DISPATCH_FORMATS = (DispatchScorm12Exporter.format, DispatchScorm2004Exporter.format)
"""Built by exporters.dispatch.build_dispatch with the delivery server's address, so not in FORMATS."""
