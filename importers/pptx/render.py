"""An image of every slide as LibreOffice draws it: ``soffice --headless`` to PDF, ``pdftoppm`` to PNG.

LibreOffice is started through ``media.tools`` (its own process group, a hard deadline, stderr
to a file), with a fresh profile per job: a shared profile serialises or silently fails
concurrent conversions, and an unwritable one hangs. Hidden slides are exported too
(``ExportHiddenSlides``), so page N is slide N. soffice exits 0 whatever happens, so the
result is checked instead: the PDF must exist and have one page per slide, and when it has not,
the page texts say which slide went missing. Rasterising dominates big decks, so the pages are
split into ranges, one ``pdftoppm`` per core. Calibri and Cambria are drawn with their metric
clones Carlito and Caladea (LibreOffice substitutes them itself once the fonts are installed),
which keeps the deck's line breaks.
"""

from __future__ import annotations

import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from courses.errors import Problem, shorten
from importers.pptx.errors import DeckError
from media.errors import MediaError
from media.tools import Completed, Deadline, ToolFailed, run

PDF_FILTER = 'pdf:impress_pdf_Export:{"ExportHiddenSlides":{"type":"boolean","value":"true"}}'
IMAGE_WIDTH = 1280  # pixels across: 1280x720 for 16:9, 1280x960 for 4:3
BASE_TIMEOUT_S = 120.0  # LibreOffice starts in ~2 s here; a cold machine and a big deck take far longer
PER_SLIDE_TIMEOUT_S = 1.0
MAX_RASTER_JOBS = 4


@dataclass(frozen=True)
class Rendering:
    images: list[Path]  # slide N at index N-1
    fonts: list[str]  # the fonts in the PDF, as pdffonts names them (``BAAAAA+Carlito-Bold``)


def render_timeout(slides: int) -> float:
    """The whole render's time budget for a deck of ``slides`` slides."""
    return BASE_TIMEOUT_S + PER_SLIDE_TIMEOUT_S * slides


def render_slides(
    deck: Path, titles: list[str | None], workdir: Path, label: str, timeout: float | None = None
) -> Rendering:
    """PNG files of the deck's slides, made under ``workdir``, and the fonts they were drawn with.

    ``titles`` are the slides' titles as python-pptx read them (None for none): their count is
    the page count the PDF must have, and their text finds the slide a short PDF lost.
    ``label`` names the deck in problems. Raises ``DeckError`` naming the slide concerned.
    """
    count = len(titles)
    deadline = Deadline(timeout if timeout is not None else render_timeout(count))
    every = f"slides 1-{count}" if count > 1 else "slide 1"
    profile, out = workdir / "profile", workdir / "pdf"
    profile.mkdir(parents=True)
    out.mkdir()
    source = workdir / "deck.pptx"  # a plain name: the PDF is named after it, and no name reads as an option
    try:
        os.link(deck, source)
    except OSError:
        shutil.copyfile(deck, source)
    argv = [
        "soffice",
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--invisible",
        "--norestore",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        "--convert-to",
        PDF_FILTER,
        "--outdir",
        str(out),
        str(source),
    ]
    said = _tool(argv, "LibreOffice (soffice)", deadline, label, every).stderr
    pdf = out / "deck.pdf"
    if not pdf.is_file() or pdf.stat().st_size == 0:
        complaint = _complaint(said)
        raise DeckError.of(
            label,
            "LibreOffice wrote no PDF of the deck, so no slide could be rendered"
            + (f" (it said: {complaint})" if complaint else ""),
            where=every,
        )
    pages = _page_count(pdf, deadline, label, every)
    if pages != count:
        raise DeckError.of(
            label,
            f"LibreOffice's PDF has {pages} page(s) for {count} slides, so its pages cannot be "
            "matched to the slides; the first slide it lost or garbled is this one",
            where=f"slide {_lost_slide(pdf, titles, deadline, label, every)}",
        )
    fonts = _tool(["pdffonts", str(pdf)], "pdffonts", deadline, label, every).stdout.decode("utf-8", "replace")
    names = [line.split()[0] for line in fonts.splitlines()[2:] if line.strip()]
    return Rendering(_rasterise(pdf, pages, out, deadline, label), names)


def _tool(argv: list[str], what: str, deadline: Deadline, label: str, where: str) -> Completed:
    """Run one tool within the deadline; what it printed, or ``DeckError`` saying what failed and where."""
    try:
        return run(argv, name=label, timeout=deadline.remaining(), budget=deadline.seconds)
    except ToolFailed as error:
        raise DeckError.of(
            label, f"{what} failed: {shorten(_complaint(error.stderr) or str(error), 200)}", where=where
        ) from None
    except FileNotFoundError:
        raise DeckError.of(
            label, f"{what} is not installed ({argv[0]}; scripts/bootstrap installs it)", where=where
        ) from None
    except MediaError as error:  # the deadline passed: the tool's process group was killed
        message = error.problems[0].message.replace(Path(argv[0]).name, what, 1)
        raise DeckError.of(label, f"{message}; nothing was imported", where=where) from None


def _complaint(stderr: str) -> str:
    """What a tool said that matters: its first error line (soffice adds noise such as javaldx warnings)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip() and "javaldx" not in line]
    errors = [line for line in lines if "error" in line.lower()]
    return shorten((errors or lines or [""])[0], 200)


def _page_count(pdf: Path, deadline: Deadline, label: str, where: str) -> int:
    out = _tool(["pdfinfo", str(pdf)], "pdfinfo", deadline, label, where).stdout
    found = re.search(rb"^Pages:\s+(\d+)", out, re.M)
    if found is None:
        raise DeckError.of(
            label, "LibreOffice's PDF of the deck is unreadable (pdfinfo finds no page count)", where=where
        )
    return int(found.group(1))


def _lost_slide(pdf: Path, titles: list[str | None], deadline: Deadline, label: str, where: str) -> int:
    """The first slide whose title is not on the PDF page of the same number (or the first slide
    past the last page): where the PDF and the deck part ways."""
    done = _tool(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], "pdftotext", deadline, label, where)
    text = done.stdout.decode("utf-8", "replace")
    pages = [_squeezed(page) for page in text.split("\f")]
    for number, title in enumerate(titles, 1):
        if number > len(pages) or (title and _squeezed(title) not in pages[number - 1]):
            return number
    return len(titles)


def _squeezed(text: str) -> str:
    return "".join(text.split()).casefold()


def _rasterise(pdf: Path, pages: int, out: Path, deadline: Deadline, label: str) -> list[Path]:
    jobs = max(1, min(os.cpu_count() or 1, MAX_RASTER_JOBS, pages))
    size = -(-pages // jobs)
    ranges = [(first, min(first + size - 1, pages)) for first in range(1, pages + 1, size)]

    def rasterise(first: int, last: int) -> None:
        where = f"slide {first}" if first == last else f"slides {first}-{last}"
        _tool(
            [
                "pdftoppm",
                "-png",
                "-scale-to",
                str(IMAGE_WIDTH),
                "-f",
                str(first),
                "-l",
                str(last),
                str(pdf),
                str(out / "slide"),
            ],
            "pdftoppm",
            deadline,
            label,
            where,
        )

    with ThreadPoolExecutor(max_workers=len(ranges)) as pool:
        for future in [pool.submit(rasterise, first, last) for first, last in ranges]:
            future.result()
    made = {
        int(m.group(1)): path
        for path in out.glob("slide-*.png")
        if (m := re.fullmatch(r"slide-0*(\d+)\.png", path.name))
    }
    missing = [number for number in range(1, pages + 1) if number not in made or made[number].stat().st_size == 0]
    if missing:
        raise DeckError(
            [
                Problem(label, None, f"slide {number}", "pdftoppm made no image of this slide's PDF page")
                for number in missing
            ]
        )
    return [made[number] for number in range(1, pages + 1)]
