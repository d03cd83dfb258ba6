"""The one interface every package format implements.

The build pipeline renders the player site and gathers the media once; a format only decides
which tracking runtime the player is rendered with and what it adds on top (a manifest, or
nothing). Adding a format is one small module and one line in ``exporters.formats``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import ClassVar

from courses.model import Course
from exporters.zipwriter import Content
from player.render import Tracking


class Exporter(ABC):
    format: ClassVar[str]
    """Name used on the command line and in default file names, e.g. ``scorm12``."""
    label: ClassVar[str]
    """Human name, e.g. ``SCORM 1.2``."""
    tracking: ClassVar[Tracking]
    """The player's tracking runtime for this format: ``scorm12``, ``scorm2004`` or ``web``."""
    framed_by_dispatch: ClassVar[bool] = False
    """Whether dispatch packages frame this form (the published web form): its player then
    carries the dispatch bridge and both SCORM adapters, which only a dispatch frame loads."""

    @abstractmethod
    def package_files(self, course: Course, site_files: Mapping[str, Content]) -> dict[str, Content]:
        """Every file of the package: ``site_files`` (pages, player, media) plus this format's own."""
