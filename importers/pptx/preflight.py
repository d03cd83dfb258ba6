"""Is this file a PowerPoint deck we can read? Decided in-process, before LibreOffice sees it.

LibreOffice "succeeds" on much that is not a deck (an empty file becomes a blank page, a
picture a one-page PDF, broken slide XML a silently truncated slide) and always exits 0, so it
cannot be the judge. Here each kind of bad file gets one message that says what it is and what
to do: an encrypted deck and a 97-2003 .ppt (both OLE2 containers, told apart by their stream
names), anything that is not a zip, a zip that fails the project's archive rules
(``courses.archive``: bombs, unsafe names, encryption), a zip that is another kind of document,
XML that does not parse (named by its part), and finally whatever python-pptx cannot open.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.exc import PackageNotFoundError

from courses.archive import ZIP_DAMAGE, ArchiveError, ArchiveLimits, open_archive
from courses.errors import Problem, byte_size, shorten
from importers.pptx.errors import DeckError

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
LEGACY_STREAM = "PowerPoint Document".encode("utf-16-le")
OLE2_SCAN_BYTES = 64 << 20  # the directory of an encrypted deck or a .ppt is found long before this
CONTENT_TYPES = "[Content_Types].xml"
MAX_XML_PART_BYTES = 64 << 20  # slide XML runs to kilobytes; a part this large is not a slide
DECK_MAIN = {
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
}
OTHER_MAIN = {  # what else an Office zip can be, and how to make a deck of it
    "presentationml.slideshow.main": "a PowerPoint show (.ppsx): open it in PowerPoint and save it as a .pptx",
    "slideshow.macroEnabled.main": "a PowerPoint show (.ppsm): open it in PowerPoint and save it as a .pptx",
    "presentationml.template.main": "a PowerPoint template (.potx): open it in PowerPoint and save it as a .pptx",
    "template.macroEnabled.main": "a PowerPoint template (.potm): open it in PowerPoint and save it as a .pptx",
    "wordprocessingml": "a Word document, not a PowerPoint deck",
    "spreadsheetml": "an Excel workbook, not a PowerPoint deck",
}
ENCRYPTED = (
    "is password-protected: LibreOffice and courseforge cannot read an encrypted deck; in PowerPoint "
    "remove the password (File > Info > Protect Presentation > Encrypt with Password, clear it) and save"
)
LEGACY = (
    "is an old PowerPoint 97-2003 file (.ppt), not a .pptx: open it in PowerPoint or LibreOffice Impress "
    "and save it as a .pptx"
)
DECK_LIMITS = ArchiveLimits()  # the project's zip rules, as for any uploaded zip
DECK_READ_ERRORS = (
    PackageNotFoundError,
    KeyError,
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
    etree.LxmlError,
    zipfile.BadZipFile,
    EOFError,
    OSError,
    zlib.error,
)
_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def open_deck(path: Path):  # -> pptx.presentation.Presentation (python-pptx has no public type for it)
    """The deck at ``path`` opened by python-pptx, or ``DeckError`` with the one reason it is refused."""
    label = path.name
    if not path.exists():
        raise DeckError.of(str(path), "file not found")
    if not path.is_file():
        raise DeckError.of(label, "is a folder, not a PowerPoint .pptx file")
    size = path.stat().st_size
    if size == 0:
        raise DeckError.of(label, "is empty (0 bytes): not a PowerPoint deck; save the deck again and retry")
    with path.open("rb") as stream:
        head = stream.read(len(OLE2_MAGIC))
    if head == OLE2_MAGIC:
        raise DeckError.of(label, _ole2_kind(path))
    if not zipfile.is_zipfile(path):
        raise DeckError.of(
            label,
            "is not a PowerPoint .pptx file: a .pptx is a zip container and this file is not "
            "one (damaged, cut short, or another kind of file renamed .pptx)",
        )
    try:
        archive = open_archive(path, DECK_LIMITS)
    except ArchiveError as error:  # one message: the first reason (a bomb trips several ratio rules at once)
        raise DeckError([_in_deck(label, error.problems[0], len(error.problems) - 1)]) from None
    with archive:
        _check_parts(archive, label)
    try:
        prs = Presentation(str(path))
    except DECK_READ_ERRORS as error:  # whatever python-pptx's parser met; the author needs its gist only
        raise DeckError.of(
            label,
            f"could not be read as a PowerPoint deck ({type(error).__name__}: "
            f"{shorten(str(error), 120)}); open it in PowerPoint and save it again",
        ) from None
    if len(prs.slides) == 0:
        raise DeckError.of(label, "has no slides: there is nothing to import")
    return prs


def _ole2_kind(path: Path) -> str:
    """An OLE2 compound file holds an encrypted deck or a legacy .ppt; its stream names tell which."""
    with path.open("rb") as stream:
        data = stream.read(OLE2_SCAN_BYTES)
    if ENCRYPTED_STREAM in data:
        return ENCRYPTED
    if LEGACY_STREAM in data:
        return LEGACY
    return (
        "is an OLE2 file (an old Office format), not a .pptx: if it is a deck, open it in PowerPoint and save "
        "it as a .pptx"
    )


def _in_deck(label: str, problem: Problem, others: int) -> Problem:
    """An archive problem, said as a problem of the deck (the author knows the deck's name,
    not its parts'), with a count of the other reasons found."""
    more = f" ({others} more problem{'s' if others != 1 else ''} with the zip)" if others else ""
    return Problem(
        label,
        None,
        "" if problem.file == label else problem.file,
        f"{problem.message}: refused before anything was read{more}",
    )


def _check_parts(archive: zipfile.ZipFile, label: str) -> None:
    names = set(archive.namelist())
    if CONTENT_TYPES not in names:
        raise DeckError.of(
            label,
            f"is a zip file but not a PowerPoint deck: it has no {CONTENT_TYPES} (a .pptx "
            "always does; is it a renamed .zip?)",
        )
    types = _parse(archive, CONTENT_TYPES, label)
    main = [
        element.get("ContentType", "")
        for element in types.iter("{*}Override")
        if element.get("ContentType", "").endswith(".main+xml")
    ]
    if not any(kind in DECK_MAIN for kind in main):
        what = next(
            (text for kind in main for key, text in OTHER_MAIN.items() if key in kind),
            "an Office zip without a presentation in it, not a PowerPoint deck",
        )
        raise DeckError.of(label, f"is {what}")
    for name in sorted(names):
        if name.endswith((".xml", ".rels")) and name != CONTENT_TYPES:
            _parse(archive, name, label)


def _parse(archive: zipfile.ZipFile, name: str, label: str) -> etree._Element:
    """One XML part, parsed as python-pptx would (no entities, no network); damage is named by its part."""
    info = archive.getinfo(name)
    if info.file_size > MAX_XML_PART_BYTES:
        raise DeckError.of(
            label,
            f"is {info.file_size} bytes, more than the {byte_size(MAX_XML_PART_BYTES)} an XML part of a deck may hold",
            where=name,
        )
    try:
        return etree.fromstring(archive.read(info), _XML)
    except etree.XMLSyntaxError as error:
        line = f" at line {error.lineno}" if error.lineno else ""
        raise DeckError.of(
            label,
            f"damaged XML{line} ({shorten(error.msg or 'unreadable', 80)}): the deck is "
            "corrupt; open it in PowerPoint, let it repair the file, and save it again",
            where=name,
        ) from None
    except (*ZIP_DAMAGE, OSError) as error:
        raise DeckError.of(
            label, f"damaged entry ({shorten(str(error), 80)}): the deck is corrupt", where=name
        ) from None
