"""What both SCORM manifests need from a course: safe identifiers, safe text, file hrefs.

Course titles and file names come from authors and may hold anything; the manifest must still
validate against the official schemas, so every value passes through here on its way in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote

from lxml import etree

from courses.model import CompletionRule, Course

MANIFEST_NAME = "imsmanifest.xml"
LAUNCH_PAGE = "index.html"

_NOT_NCNAME = re.compile(r"[^A-Za-z0-9_.-]")
# Characters XML 1.0 cannot carry at all (C0 controls other than tab/newline/CR, lone surrogates,
# the two non-characters); lxml refuses them, so they are dropped rather than failing a build.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The SCORM 1.2 binding caps the manifest's version attribute (titles are capped by the model).
MAX_VERSION_ATTR = 20


def xml_id(prefix: str, raw: str) -> str:
    """An xs:ID (NCName) from a prefix that starts with a letter and any author-supplied id."""
    return f"{prefix}-{_NOT_NCNAME.sub('_', raw)}"


def xml_text(value: str) -> str:
    """Text an XML document can hold."""
    return _NOT_XML.sub("", value).strip()


def file_href(path: str) -> str:
    """A package path as a URI reference: spaces and non-ASCII percent-encoded (UTF-8)."""
    return quote(path, safe="/-._~")


def quiz_decides(course: Course) -> bool:
    """Whether passing the quizzes is part of the completion rule (so the LMS needs a mastery score)."""
    return course.completion in (CompletionRule.QUIZ_PASSED, CompletionRule.BOTH)


def listed_files(paths: Iterable[str]) -> list[str]:
    """Every package file the SCO resource lists: all of them but the manifest, in a stable order."""
    return sorted(p for p in paths if p != MANIFEST_NAME)


def serialize(root: etree._Element) -> bytes:
    # The declaration in double quotes, as LMSs that find it with a string search expect (lxml writes single).
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8", pretty_print=True)
