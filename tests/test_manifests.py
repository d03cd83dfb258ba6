"""SCORM manifests: valid against the official schemas, and saying what an LMS needs to hear."""
from __future__ import annotations

import re
import zipfile
from urllib.parse import unquote

import pytest
from lxml import etree

from conftest import PACKAGE_COURSE
from courses.model import Course
from exporters.manifest_scorm12 import scorm12_manifest
from exporters.manifest_scorm2004 import scorm2004_manifest

CP12 = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
CP2004 = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"
ADLNAV = "http://www.adlnet.org/xsd/adlnav_v1p3"
LOM = "http://ltsc.ieee.org/xsd/LOM"
NS = {"cp12": CP12, "adlcp12": ADLCP12, "cp": CP2004, "adlcp": ADLCP2004, "imsss": IMSSS,
      "adlnav": ADLNAV, "lom": LOM}
SCORM = {"scorm12": ("cp12", "adlcp12", "scormtype", "1.2"),
         "scorm2004": ("cp", "adlcp", "scormType", "2004 4th Edition")}


def manifest_of(zip_path) -> etree._Element:
    with zipfile.ZipFile(zip_path) as zf:
        return etree.fromstring(zf.read("imsmanifest.xml"))


def course_with(**changes) -> Course:
    return Course.model_validate({**PACKAGE_COURSE, **changes})


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_manifest_and_package_validate_with_official_schemas(fmt, built_packages, scorm_validator, tmp_path):
    package = built_packages[fmt]
    manifest = tmp_path / "imsmanifest.xml"
    with zipfile.ZipFile(package) as zf:
        manifest.write_bytes(zf.read("imsmanifest.xml"))
    code, output = scorm_validator(manifest, package)
    assert code == 0, output
    assert output.count("VALID ") == 2 and "INVALID" not in output and "ERROR" not in output


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_single_sco_structure_and_file_list(fmt, built_packages):
    cp, adlcp, scorm_type, schemaversion = SCORM[fmt]
    root = manifest_of(built_packages[fmt])
    assert root.findtext(f"{cp}:metadata/{cp}:schema", namespaces=NS) == "ADL SCORM"
    assert root.findtext(f"{cp}:metadata/{cp}:schemaversion", namespaces=NS) == schemaversion
    organizations = root.find(f"{cp}:organizations", NS)
    [organization] = organizations.findall(f"{cp}:organization", NS)
    assert organizations.get("default") == organization.get("identifier")
    [item] = organization.findall(f".//{cp}:item", NS)
    [resource] = root.findall(f"{cp}:resources/{cp}:resource", NS)
    assert item.get("identifierref") == resource.get("identifier")
    assert resource.get(f"{{{NS[adlcp]}}}{scorm_type}") == "sco"
    assert resource.get("href") == "index.html"
    for identifier in (root.get("identifier"), organization.get("identifier"), item.get("identifier")):
        assert identifier[0].isalpha() and " " not in identifier
    listed = {unquote(f.get("href")) for f in resource.findall(f"{cp}:file", NS)}
    with zipfile.ZipFile(built_packages[fmt]) as zf:
        assert listed == set(zf.namelist()) - {"imsmanifest.xml"}
    assert any(name.startswith("media/") for name in listed)


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_title_with_markup_characters_and_unicode_round_trips(fmt, built_packages):
    cp = SCORM[fmt][0]
    root = manifest_of(built_packages[fmt])
    titles = [t.text for t in root.iter(f"{{{NS[cp]}}}title")]
    assert titles == [PACKAGE_COURSE["title"]] * 2
    with zipfile.ZipFile(built_packages[fmt]) as zf:
        raw = zf.read("imsmanifest.xml")
    assert "&amp; chips &lt;safety&gt;".encode() in raw


def test_scorm12_mastery_score_only_when_quizzes_decide():
    files = ["index.html"]
    for completion, expected in (("both", "75"), ("quiz_passed", "75"), ("all_pages_viewed", None)):
        root = etree.fromstring(scorm12_manifest(course_with(completion=completion), files))
        assert root.findtext(".//adlcp12:masteryscore", namespaces=NS) == expected, completion


def test_scorm2004_sequencing_suits_a_single_sco():
    root = etree.fromstring(scorm2004_manifest(course_with(completion="quiz_passed"), ["index.html"]))
    organization = root.find("cp:organizations/cp:organization", NS)
    control = organization.find("imsss:sequencing/imsss:controlMode", NS)
    assert (control.get("choice"), control.get("flow")) == ("true", "true")
    item = organization.find("cp:item", NS)
    delivery = item.find("imsss:sequencing/imsss:deliveryControls", NS)
    assert delivery.get("completionSetByContent") == delivery.get("objectiveSetByContent") == "true"
    primary = item.find("imsss:sequencing/imsss:objectives/imsss:primaryObjective", NS)
    assert primary.get("satisfiedByMeasure") == "true"
    assert float(primary.findtext("imsss:minNormalizedMeasure", namespaces=NS)) == 0.75
    hidden = {h.text for h in item.iterfind("adlnav:presentation/adlnav:navigationInterface/adlnav:hideLMSUI", NS)}
    assert hidden == {"previous", "continue"}  # exit and suspendAll stay: how learners leave and resume


def test_scorm2004_no_measure_objective_when_pages_decide():
    root = etree.fromstring(scorm2004_manifest(course_with(completion="all_pages_viewed"), ["index.html"]))
    assert root.find(".//imsss:primaryObjective", NS) is None
    assert root.find(".//imsss:deliveryControls", NS).get("completionSetByContent") == "true"


def test_metadata_carries_title_description_language_and_version():
    course = course_with(language="fr-CA", version="3.1.4")
    root = etree.fromstring(scorm2004_manifest(course, ["index.html"]))
    general = root.find("cp:metadata/lom:lom/lom:general", NS)
    assert general.findtext("lom:title/lom:string", namespaces=NS) == course.title
    assert general.find("lom:title/lom:string", NS).get("language") == "fr-CA"
    assert general.findtext("lom:language", namespaces=NS) == "fr-CA"
    assert general.findtext("lom:description/lom:string", namespaces=NS) == course.description
    assert root.findtext("cp:metadata/lom:lom/lom:lifeCycle/lom:version/lom:string", namespaces=NS) == "3.1.4"
    root12 = etree.fromstring(scorm12_manifest(course, ["index.html"]))
    assert root12.findtext(".//{*}lifecycle/{*}version/{*}langstring") == "3.1.4"
    assert root12.get("version") == "3.1.4"


def test_awkward_values_still_validate(scorm_validator, tmp_path):
    """Control characters dropped (the model refuses them; the writer does not rely on it), a version
    too long for the 1.2 version attribute left to the metadata, odd file names percent-encoded, a
    200-character title kept whole."""
    course = course_with(title="Bell " + "é" * 194, version="2024.10.01-release-candidate-7",
                         description="", completion="all_pages_viewed")
    course.title = "Bell\x07 " + "é" * 194
    files = ["index.html", "media/a b#c?.png", "media/100%.mp4"]
    (tmp_path / "12.xml").write_bytes(scorm12_manifest(course, files))
    (tmp_path / "2004.xml").write_bytes(scorm2004_manifest(course, files))
    code, output = scorm_validator(tmp_path / "12.xml", tmp_path / "2004.xml")
    assert code == 0, output
    root12 = etree.fromstring((tmp_path / "12.xml").read_bytes())
    assert root12.get("version") is None
    assert root12.findtext("cp12:organizations/cp12:organization/cp12:title", namespaces=NS) == "Bell " + "é" * 194
    hrefs = [unquote(f.get("href")) for f in root12.iter(f"{{{CP12}}}file")]
    assert hrefs == sorted(files)
    assert "\x07" not in (tmp_path / "2004.xml").read_text(encoding="utf-8")


def test_manifest_is_deterministic_whatever_the_file_order():
    course = course_with()
    assert scorm2004_manifest(course, ["b.html", "index.html", "a.css"]) == \
        scorm2004_manifest(course, ["a.css", "b.html", "index.html"])


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_a_manifest_shape_that_naive_lms_parsers_accept(fmt, built_packages):
    """Small LMSs read manifests with string searches or namespace-blind parsers: the manifest sits at
    the zip root, its root element and resources carry no prefix, the SCO resource comes first,
    typed "webcontent", with a plain relative launch href and no xml:base to resolve."""
    cp, adlcp, scorm_type, _ = SCORM[fmt]
    with zipfile.ZipFile(built_packages[fmt]) as zf:
        assert "imsmanifest.xml" in zf.namelist()
        text = zf.read("imsmanifest.xml").decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<manifest ')
    first = re.search(r"<resource\s[^>]*>", text).group(0)
    assert re.search(r'\shref="index\.html"', first) and re.search(r'\stype="webcontent"', first), first
    assert re.search(rf'\sadlcp:{scorm_type}="sco"', first), first
    assert "xml:base" not in text
    root = etree.fromstring(text.encode())
    resources = root.findall(f"{cp}:resources/{cp}:resource", NS)
    assert resources[0].get(f"{{{NS[adlcp]}}}{scorm_type}") == "sco"
    assert all(r.get("type") == "webcontent" for r in resources)
    assert all(re.fullmatch(r"[A-Za-z0-9._/-]+", r.get("href")) for r in resources if r.get("href"))


def test_the_validator_ships_inside_the_package_unchanged():
    """`courseforge validate` finds the official schemas inside the installed package; the copy is
    the standards folder's own, byte for byte."""
    from pathlib import Path

    from exporters.standards import VALIDATOR

    shared = Path(__file__).resolve().parents[2] / "shared" / "standards"
    assert VALIDATOR.is_file() and VALIDATOR.is_relative_to(Path(__file__).resolve().parents[1] / "exporters")
    for copy in sorted(VALIDATOR.parent.rglob("*")):
        relative = copy.relative_to(VALIDATOR.parent)
        if copy.is_file() and relative.name != "__init__.py" and "__pycache__" not in relative.parts:
            assert copy.read_bytes() == (shared / relative).read_bytes(), relative
