"""Checking a package zip before it goes to an LMS (or after it comes back from somewhere else).

A package is untrusted input: it may be someone else's, or damaged. So the archive is checked
first, by the same rules as every zip courseforge opens (``courses.archive``: entries that would
land outside the unpack folder, links, names that collide, sizes that would fill a disk), and
only then is anything read from it. A manifest may not declare a DTD or entities: nothing it
names is ever fetched or expanded. The manifest is validated against the official
SCORM schemas by ``validate.py`` from the standards folder shipped beside this repository, and
the package-level rules (launch page present, every referenced file present) are checked here.
"""

from __future__ import annotations

import posixpath
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from courses.archive import ZIP_DAMAGE, ArchiveError, ArchiveLimits, open_archive
from courses.errors import Problem
from exporters.manifest_common import LAUNCH_PAGE, MANIFEST_NAME
from exporters.standards import VALIDATOR

LIMITS = ArchiveLimits()
MAX_MANIFEST_BYTES = 16 << 20
VALIDATE_TIMEOUT = 120

NS_CP = {
    "scorm12": "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
    "scorm2004": "http://www.imsglobal.org/xsd/imscp_v1p1",
}
NS_ADLCP = {
    "scorm12": ("http://www.adlnet.org/xsd/adlcp_rootv1p2", "scormtype"),
    "scorm2004": ("http://www.adlnet.org/xsd/adlcp_v1p3", "scormType"),
}
LABELS = {"scorm12": "SCORM 1.2", "scorm2004": "SCORM 2004", "web": "web"}


def _in(file: str, message: str, line: int | None = None) -> list[Problem]:
    return [Problem(file, line, "", message)]


def check_package(zip_path: Path | str, fmt: str | None = None) -> list[Problem]:
    """Every problem found in the package ``zip_path``; an empty list means it is fine to upload.

    ``fmt`` (``scorm12``, ``scorm2004`` or ``web``) is what the package should be; ``None``
    accepts either a SCORM package (manifest at the root) or a web package (``index.html``).
    """
    try:
        archive = open_archive(zip_path, LIMITS)  # never read from an archive that is unsafe to read
    except ArchiveError as error:
        return error.problems
    try:
        with archive as zf:
            corrupt = zf.testzip()
            if corrupt is not None:
                return _in(corrupt, "damaged entry (checksum mismatch)")
            names = {i.filename for i in zf.infolist() if not i.is_dir()}
            return content_problems(zf, names, fmt)
    except (*ZIP_DAMAGE, OSError) as error:
        return _in(Path(zip_path).name, f"unreadable zip ({error})")


def content_problems(zf: zipfile.ZipFile, names: set[str], fmt: str | None) -> list[Problem]:
    """Manifest at the root, valid, and everything it references (launch page included) present."""
    if MANIFEST_NAME not in names:
        nested = sorted(n for n in names if n.endswith("/" + MANIFEST_NAME))
        if nested:
            return _in(
                MANIFEST_NAME, f"missing at the zip root (found {nested[0]}): zip the folder's contents, not the folder"
            )
        if fmt in NS_CP:
            return _in(MANIFEST_NAME, f"missing at the zip root: not a {LABELS[fmt]} package")
        if LAUNCH_PAGE in names:
            return []
        if fmt == "web":
            return _in(LAUNCH_PAGE, "launch page missing at the zip root")
        return _in(
            MANIFEST_NAME, f"missing, and no {LAUNCH_PAGE} either at the zip root: neither a SCORM nor a web package"
        )
    if fmt == "web":
        return _in(MANIFEST_NAME, "at the zip root: this is a SCORM package, not a web package")
    info = zf.getinfo(MANIFEST_NAME)
    if info.file_size > MAX_MANIFEST_BYTES:
        return _in(MANIFEST_NAME, f"{info.file_size} bytes, more than {MAX_MANIFEST_BYTES}: refused")
    data = zf.read(MANIFEST_NAME)
    declaration = _declaration_line(data)
    if declaration is not None:
        return _in(
            MANIFEST_NAME,
            "declares a DOCTYPE or an entity; a manifest needs neither, and what one "
            "names is never fetched: remove the declaration",
            declaration,
        )
    try:
        root = etree.fromstring(
            data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        )
    except etree.XMLSyntaxError as error:
        return _in(MANIFEST_NAME, f"not well-formed XML: {error.msg}", error.lineno)
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # spelled in an encoding the scan above missed
        return _in(
            MANIFEST_NAME,
            "declares a DOCTYPE or an entity; a manifest needs neither, and what one "
            "names is never fetched: remove the declaration",
        )
    kind = next((k for k, ns in NS_CP.items() if root.tag == f"{{{ns}}}manifest"), None)
    if kind is None:
        return _in(MANIFEST_NAME, f"root element {root.tag} is not a SCORM 1.2 or SCORM 2004 manifest", root.sourceline)
    problems: list[Problem] = []
    if fmt is not None and fmt != kind:
        problems += _in(MANIFEST_NAME, f"is a {LABELS[kind]} manifest, expected {LABELS[fmt]}")
    problems += schema_problems(data)
    problems += reference_problems(root, kind, names)
    return problems


def _declaration_line(data: bytes) -> int | None:
    """Line of the first ``<!DOCTYPE`` or ``<!ENTITY`` in the manifest's bytes, or None."""
    found = [at for at in (data.find(b"<!DOCTYPE"), data.find(b"<!ENTITY")) if at >= 0]
    return data[: min(found)].count(b"\n") + 1 if found else None


ERROR_LINE = re.compile(r"^ERROR (?P<file>[^:]+?)(?::(?P<line>\d+))?: (?P<message>.*)$")


def schema_problems(manifest: bytes) -> list[Problem]:
    """The errors ``validate.py`` (official XSDs + CAM rules) reports for the manifest."""
    if not VALIDATOR.is_file():
        return _in(
            MANIFEST_NAME,
            f"not checked against the official SCORM schemas: {VALIDATOR} is missing "
            "from this installation; reinstall courseforge",
        )
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / MANIFEST_NAME
        target.write_bytes(manifest)
        try:
            run = subprocess.run(
                [sys.executable, str(VALIDATOR), str(target)], capture_output=True, text=True, timeout=VALIDATE_TIMEOUT
            )
        except subprocess.TimeoutExpired:
            return _in(MANIFEST_NAME, f"schema validation took longer than {VALIDATE_TIMEOUT} s")
    errors: list[Problem] = []
    for line in run.stdout.splitlines():
        match = ERROR_LINE.match(line.replace(str(target), MANIFEST_NAME))
        if match:
            number = match["line"]
            errors += _in(MANIFEST_NAME, match["message"], int(number) if number else None)
        elif line.startswith("ERROR "):
            errors += _in(MANIFEST_NAME, line.removeprefix("ERROR ").replace(str(target), MANIFEST_NAME))
    if run.returncode != 0 and not errors:
        detail = (run.stderr.strip().splitlines() or ["no output"])[-1]
        errors = _in(MANIFEST_NAME, f"schema validation failed: {detail}")
    return errors


def reference_problems(root: etree._Element, kind: str, names: set[str]) -> list[Problem]:
    """Every file the manifest references is in the zip, and the SCO's launch page is among them."""
    cp = NS_CP[kind]
    adlcp, attr = NS_ADLCP[kind]
    problems: list[Problem] = []
    launch_pages = []
    for resource in root.iter(f"{{{cp}}}resource"):
        base = resource.get("{http://www.w3.org/XML/1998/namespace}base") or ""
        href = resource.get("href")
        if href and resource.get(f"{{{adlcp}}}{attr}") == "sco":
            launch_pages.append((resource, href))
        refs = [(resource, href)] + [(f, f.get("href")) for f in resource.iter(f"{{{cp}}}file")]
        for el, ref in refs:
            if not ref or urlsplit(ref).scheme:
                continue
            local = posixpath.normpath(posixpath.join(base, unquote(urlsplit(ref).path)))
            if local not in names:
                what = "launch page" if el is resource else "file"
                problems += _in(
                    MANIFEST_NAME,
                    f"{what} {ref} (resource {resource.get('identifier')}) is not in the zip",
                    el.sourceline,
                )
    if not launch_pages:
        problems += _in(MANIFEST_NAME, "no SCO resource with a launch page (href)")
    return problems
