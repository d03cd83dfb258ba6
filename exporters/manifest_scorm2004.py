"""imsmanifest.xml for SCORM 2004 4th Edition (IMS CP 1.1.4, ADL CP/SEQ/NAV 1.3, IMS SS 1.0).

The whole course is one SCO, and the sequencing says only what a single SCO needs:

* organization ``controlMode choice="true" flow="true"``: the LMS may start the SCO on its own
  (flow) and list it in its table of contents (choice); ``objectivesGlobalToSystem="false"`` and
  ``sharedDataGlobalToSystem="false"`` keep this course's data from leaking into other courses.
* item ``deliveryControls completionSetByContent objectiveSetByContent``: the player reports
  completion and success itself, so the LMS must not mark the SCO completed/passed just because it
  was opened and closed.
* when the completion rule involves the quizzes, a primary objective ``satisfiedByMeasure`` with
  ``minNormalizedMeasure`` = passing score / 100: the LMS hands the SCO the same threshold in
  ``cmi.scaled_passing_score`` and rolls up passed/failed from ``cmi.score.scaled``.
* ``adlnav:presentation`` hides only the LMS's *Previous* and *Continue* buttons: with a single
  SCO they would end the attempt instead of turning a page. Exit and Suspend All stay visible,
  because they are how a learner leaves and later resumes where they stopped.

No completion threshold is declared: completion is the player's call (it knows the course's
rule: pages viewed, quiz passed or both), and two judges could disagree.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from courses.model import Course
from exporters.manifest_common import (
    LAUNCH_PAGE,
    file_href,
    listed_files,
    quiz_decides,
    serialize,
    xml_id,
    xml_text,
)

NS_CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
NS_ADLCP = "http://www.adlnet.org/xsd/adlcp_v1p3"
NS_ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
NS_ADLNAV = "http://www.adlnet.org/xsd/adlnav_v1p3"
NS_IMSSS = "http://www.imsglobal.org/xsd/imsss"
NS_LOM = "http://ltsc.ieee.org/xsd/LOM"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {
    None: NS_CP,
    "adlcp": NS_ADLCP,
    "adlseq": NS_ADLSEQ,
    "adlnav": NS_ADLNAV,
    "imsss": NS_IMSSS,
    "lom": NS_LOM,
    "xsi": NS_XSI,
}
SCHEMA_LOCATION = " ".join(
    [
        NS_CP,
        "imscp_v1p1.xsd",
        NS_ADLCP,
        "adlcp_v1p3.xsd",
        NS_ADLSEQ,
        "adlseq_v1p3.xsd",
        NS_ADLNAV,
        "adlnav_v1p3.xsd",
        NS_IMSSS,
        "imsss_v1p0.xsd",
        NS_LOM,
        "lom.xsd",
    ]
)
HIDDEN_LMS_BUTTONS = ("previous", "continue")
PRIMARY_OBJECTIVE = "urn:courseforge:objective:passed"


def _el(parent: etree._Element, ns: str, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, f"{{{ns}}}{tag}", attrs)
    el.text = text
    return el


def _lom_string(parent: etree._Element, tag: str, text: str, language: str) -> None:
    _el(_el(parent, NS_LOM, tag), NS_LOM, "string", text, language=language)


def _metadata(manifest: etree._Element, course: Course) -> None:
    """Schema markers, then inline IEEE LOM: title, language, description, version."""
    metadata = _el(manifest, NS_CP, "metadata")
    _el(metadata, NS_CP, "schema", "ADL SCORM")
    _el(metadata, NS_CP, "schemaversion", "2004 4th Edition")
    lom = _el(metadata, NS_LOM, "lom")
    general = _el(lom, NS_LOM, "general")
    _lom_string(general, "title", xml_text(course.title), course.language)
    _el(general, NS_LOM, "language", course.language)
    description = xml_text(course.description)
    if description:
        _lom_string(general, "description", description, course.language)
    _lom_string(_el(lom, NS_LOM, "lifeCycle"), "version", xml_text(course.version), course.language)


def _item_sequencing(item: etree._Element, course: Course) -> None:
    sequencing = _el(item, NS_IMSSS, "sequencing")
    if quiz_decides(course):
        objectives = _el(sequencing, NS_IMSSS, "objectives")
        primary = _el(
            objectives, NS_IMSSS, "primaryObjective", objectiveID=PRIMARY_OBJECTIVE, satisfiedByMeasure="true"
        )
        _el(primary, NS_IMSSS, "minNormalizedMeasure", f"{course.passing_score / 100:.4f}")
    _el(
        sequencing,
        NS_IMSSS,
        "deliveryControls",
        tracked="true",
        completionSetByContent="true",
        objectiveSetByContent="true",
    )
    presentation = _el(item, NS_ADLNAV, "presentation")
    interface = _el(presentation, NS_ADLNAV, "navigationInterface")
    for button in HIDDEN_LMS_BUTTONS:
        _el(interface, NS_ADLNAV, "hideLMSUI", button)


def scorm2004_manifest(course: Course, package_files: Iterable[str]) -> bytes:
    """The manifest for ``course`` whose package holds ``package_files`` (paths, '/' separated)."""
    title = xml_text(course.title)
    org_id, item_id, res_id = (xml_id(p, course.id) for p in ("ORG", "ITEM", "SCO"))
    manifest = etree.Element(
        f"{{{NS_CP}}}manifest",
        {
            "identifier": xml_id("MANIFEST", course.id),
            "version": xml_text(course.version),
            f"{{{NS_XSI}}}schemaLocation": SCHEMA_LOCATION,
        },
        nsmap=NSMAP,
    )
    _metadata(manifest, course)

    organizations = _el(manifest, NS_CP, "organizations", default=org_id)
    organization = _el(organizations, NS_CP, "organization", identifier=org_id)
    organization.set(f"{{{NS_ADLSEQ}}}objectivesGlobalToSystem", "false")
    organization.set(f"{{{NS_ADLCP}}}sharedDataGlobalToSystem", "false")
    _el(organization, NS_CP, "title", title)
    item = _el(organization, NS_CP, "item", identifier=item_id, identifierref=res_id, isvisible="true")
    _el(item, NS_CP, "title", title)
    _item_sequencing(item, course)
    org_sequencing = _el(organization, NS_IMSSS, "sequencing")
    _el(org_sequencing, NS_IMSSS, "controlMode", choice="true", flow="true")

    resources = _el(manifest, NS_CP, "resources")
    resource = _el(resources, NS_CP, "resource", identifier=res_id, type="webcontent", href=LAUNCH_PAGE)
    resource.set(f"{{{NS_ADLCP}}}scormType", "sco")
    for path in listed_files(package_files):
        _el(resource, NS_CP, "file", href=file_href(path))
    return serialize(manifest)
