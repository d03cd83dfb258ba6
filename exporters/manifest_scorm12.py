"""imsmanifest.xml for SCORM 1.2 (IMS Content Packaging 1.1.2 + ADL CP 1.2).

The whole course is one SCO: one organization, one item, one resource launched at index.html
that lists every file of the package (LMSs that copy content file by file rely on that list).
When the course is completed by passing its quizzes, ``adlcp:masteryscore`` carries the passing
score, so the LMS judges passed/failed from the same percent the player reports in
``cmi.core.score.raw``; otherwise no mastery score is given and the LMS keeps the player's
``completed``.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from courses.model import Course
from exporters.manifest_common import (
    LAUNCH_PAGE,
    MAX_VERSION_ATTR,
    file_href,
    listed_files,
    quiz_decides,
    serialize,
    xml_id,
    xml_text,
)

NS_CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
NS_ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
NS_IMSMD = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_XML = "http://www.w3.org/XML/1998/namespace"
NSMAP = {None: NS_CP, "adlcp": NS_ADLCP, "imsmd": NS_IMSMD, "xsi": NS_XSI}
SCHEMA_LOCATION = " ".join(
    [
        NS_CP,
        "imscp_rootv1p1p2.xsd",
        NS_IMSMD,
        "imsmd_rootv1p2p1.xsd",
        NS_ADLCP,
        "adlcp_rootv1p2.xsd",
    ]
)


def _cp(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, f"{{{NS_CP}}}{tag}", attrs)
    el.text = text
    return el


def _md(parent: etree._Element, tag: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{NS_IMSMD}}}{tag}")


def _langstring(parent: etree._Element, tag: str, text: str, language: str) -> None:
    ls = etree.SubElement(_md(parent, tag), f"{{{NS_IMSMD}}}langstring", {f"{{{NS_XML}}}lang": language})
    ls.text = text


def _metadata(manifest: etree._Element, course: Course) -> None:
    """ADL's schema markers, then IMS MD 1.2.1 metadata: title, language, description, version."""
    metadata = _cp(manifest, "metadata")
    _cp(metadata, "schema", "ADL SCORM")
    _cp(metadata, "schemaversion", "1.2")
    lom = _md(metadata, "lom")
    general = _md(lom, "general")
    _langstring(general, "title", xml_text(course.title), course.language)
    _md(general, "language").text = course.language
    description = xml_text(course.description)
    if description:
        _langstring(general, "description", description, course.language)
    _langstring(_md(lom, "lifecycle"), "version", xml_text(course.version), course.language)


def scorm12_manifest(course: Course, package_files: Iterable[str]) -> bytes:
    """The manifest for ``course`` whose package holds ``package_files`` (paths, '/' separated)."""
    title = xml_text(course.title)
    org_id, item_id, res_id = (xml_id(p, course.id) for p in ("ORG", "ITEM", "SCO"))
    attrs = {"identifier": xml_id("MANIFEST", course.id), f"{{{NS_XSI}}}schemaLocation": SCHEMA_LOCATION}
    version = xml_text(course.version)
    if len(version) <= MAX_VERSION_ATTR:
        attrs["version"] = version
    manifest = etree.Element(f"{{{NS_CP}}}manifest", attrs, nsmap=NSMAP)
    _metadata(manifest, course)

    organizations = _cp(manifest, "organizations", default=org_id)
    organization = _cp(organizations, "organization", identifier=org_id)
    _cp(organization, "title", title)
    item = _cp(organization, "item", identifier=item_id, identifierref=res_id, isvisible="true")
    _cp(item, "title", title)
    if quiz_decides(course):
        etree.SubElement(item, f"{{{NS_ADLCP}}}masteryscore").text = str(course.passing_score)

    resources = _cp(manifest, "resources")
    resource = _cp(resources, "resource", identifier=res_id, type="webcontent", href=LAUNCH_PAGE)
    resource.set(f"{{{NS_ADLCP}}}scormtype", "sco")
    for path in listed_files(package_files):
        _cp(resource, "file", href=file_href(path))
    return serialize(manifest)
