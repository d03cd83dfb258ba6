"""Slides -> an ordinary course folder: course.yaml, one Markdown file per slide, media files.

Every id comes from PowerPoint's own: page ``p-slide-<slide id>``, its blocks ``i-``, ``n-``,
``t-slide-<slide id>``, a picture or a video ``i-``/``v-slide-<slide id>-<shape id>``. A slide
keeps its id when other slides are added, deleted or moved, so re-importing a revised deck keeps
every surviving page's id, and with it learners' progress and review comments. Files are named
by the same ids (pictures by their content, so a picture used twice is stored once).

Per page, in reading order: the slide image as LibreOffice drew it (alt text from the slide's
text), the speaker notes as a narration script (spoken with exact captions by the build), the
slide's text, its pictures, its video and sound. A picture without alt text is written as a
commented-out block for the author to complete: the model requires alt text and the importer
never invents it. Before anything is moved into place the folder is checked with the loader
itself, so what ``validate`` would refuse is never written.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Sequence
from pathlib import Path

from courses.errors import Problem
from courses.loader import check_course
from courses.model import TEXT_MAX_CHARS
from importers.pptx.content import Deck, Media, Picture, Slide
from importers.pptx.errors import DeckError
from importers.pptx.report import REPORT_FILE, Finding, ImportReport, SlideReport
from importers.pptx.text import one_line
from importers.pptx.yaml_text import Commented, document

SECTION_ID = "s-slides"
TITLE_CHARS = 200


def page_id(slide_id: int) -> str:
    return f"p-slide-{slide_id}"


class _Writer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.block_ids: set[str] = set()

    def unique(self, wanted: str) -> str:
        """``wanted``, or with a counter when a damaged deck repeats a shape id on one slide."""
        candidate, counter = wanted, 1
        while candidate.casefold() in self.block_ids:
            counter += 1
            candidate = f"{wanted}-{counter}"
        self.block_ids.add(candidate.casefold())
        return candidate

    def store(self, folder: str, blob: bytes, ext: str) -> str:
        """Write ``blob`` once under ``media/<folder>/`` by its content; the course-relative path."""
        rel = f"media/{folder}/{hashlib.sha1(blob).hexdigest()[:12]}.{ext}"
        path = self.folder / rel
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(blob)
        return rel

    def page(self, slide: Slide, image: Path) -> tuple[Commented, SlideReport]:
        sid = slide.slide_id
        title = slide.title or one_line(next(iter(slide.plain), ""), TITLE_CHARS) or f"Slide {slide.number}"
        findings: list[Finding] = []
        if slide.hidden:
            findings.append(
                Finding(
                    kind="hidden slide",
                    detail="hidden in the deck; imported so that page N stays "
                    "slide N: delete the page here if learners should not see it",
                )
            )
        if slide.title is None:
            findings.append(
                Finding(
                    kind="missing title",
                    detail=f"the slide has no title, so the page is called "
                    f"'{title}'; give the slide a title (screen-reader users find pages by it)",
                )
            )
        rendered = f"media/slides/slide-{sid}.png"
        (self.folder / rendered).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(image, self.folder / rendered)
        blocks: list = [
            {"type": "image", "id": self.unique(f"i-slide-{sid}"), "src": rendered, "alt": self.slide_alt(slide, title)}
        ]
        mapped = ["slide image"]
        if slide.notes:
            script = slide.notes
            if len(script) > TEXT_MAX_CHARS:
                script = script[:TEXT_MAX_CHARS]
                findings.append(Finding(kind="long notes", detail=f"the notes were cut to {TEXT_MAX_CHARS} characters"))
            blocks.append({"type": "narration", "id": self.unique(f"n-slide-{sid}"), "script": script})
            mapped.append("narration from the notes")
        if slide.markdown:
            rel = f"text/slide-{sid}.md"
            (self.folder / "text").mkdir(exist_ok=True)
            (self.folder / rel).write_text(slide.markdown + "\n", encoding="utf-8")
            blocks.append({"type": "text", "id": self.unique(f"t-slide-{sid}"), "file": rel})
            mapped.append("text")
        pictures = [self.picture(picture, sid, findings) for picture in slide.pictures]
        blocks += pictures
        shown = sum(1 for block in pictures if not isinstance(block, Commented))
        if shown:
            mapped.append(f"{shown} picture(s)")
        if slide.decorative:
            mapped.append(f"{slide.decorative} decorative picture(s) in the slide image only")
        for media in slide.media:
            blocks.append(self.media(media, sid))
            mapped.append(media.kind)
        findings += [Finding(kind=item.kind, detail=item.detail) for item in slide.unmapped]
        comments = [f"slide {slide.number} (PowerPoint slide id {sid})"]
        comments += [f"{finding.kind}: {finding.detail}" for finding in findings if finding.kind != "missing alt text"]
        page = {"id": page_id(sid), "title": title, "blocks": blocks}
        report = SlideReport(
            number=slide.number,
            slide_id=sid,
            page_id=page_id(sid),
            title=title,
            hidden=slide.hidden,
            mapped=mapped,
            findings=findings,
        )
        return Commented(comments, page), report

    def slide_alt(self, slide: Slide, title: str) -> str:
        """``Slide 3: <title>. <its text>``: what a sighted learner reads off the slide image."""
        words = [title] + slide.plain
        text = " ".join(part if part[-1:] in ".!?:;" else part + "." for part in words if part)
        return one_line(f"Slide {slide.number}: {text}")

    def picture(self, picture: Picture, sid: int, findings: list[Finding]) -> dict | Commented:
        block = {
            "type": "image",
            "id": self.unique(f"i-slide-{sid}-{picture.shape_id}"),
            "src": self.store("pictures", picture.blob, picture.ext),
            "alt": picture.alt or "",
        }
        if picture.alt is None:
            why = f" ({picture.alt_note})" if picture.alt_note else ""
            findings.append(
                Finding(
                    kind="missing alt text",
                    detail=f"picture '{picture.name}' has no alt text in the "
                    f"deck{why}: it is in the slide image; to add it to the page, write what it "
                    f"shows after alt: in its commented-out block in course.yaml and uncomment it",
                )
            )
            return Commented(
                [
                    f"picture '{picture.name}' has no alt text: write what it shows after alt:, then "
                    "remove the '# ' from the lines below"
                ],
                block,
                hidden=True,
            )
        if picture.alt_note:
            findings.append(Finding(kind="alt text to check", detail=f"picture '{picture.name}': {picture.alt_note}"))
        return block

    def media(self, media: Media, sid: int) -> dict:
        src = self.store("video" if media.kind == "video" else "audio", media.blob, media.ext)
        if media.kind == "audio":
            return {"type": "narration", "id": self.unique(f"n-slide-{sid}-{media.shape_id}"), "src": src}
        block = {
            "type": "video",
            "id": self.unique(f"v-slide-{sid}-{media.shape_id}"),
            "src": src,
            "title": media.title,
        }
        if media.poster is not None:
            block["poster"] = self.store("pictures", media.poster.blob, media.poster.ext)
        return block


def write_course(
    deck: Deck,
    images: list[Path],
    folder: Path,
    *,
    label: str,
    course_id: str,
    language: str,
    course_dir: str,
    replaced: bool,
    findings: Sequence[Finding] = (),
) -> ImportReport:
    """Write the course of ``deck`` into the empty ``folder`` (``images[i]`` is slide i+1's
    rendering, moved in) and return its report, with ``findings`` about the whole deck;
    ``DeckError`` if the loader would refuse the course."""
    seen: dict[int, int] = {}
    for slide in deck.slides:
        first = seen.setdefault(slide.slide_id, slide.number)
        if first != slide.number:
            raise DeckError.of(
                label,
                f"slides {first} and {slide.number} have the same slide id {slide.slide_id}, "
                "so their pages could not keep ids of their own; open the deck in PowerPoint "
                "and save it again",
                where=f"slide {slide.number}",
            )
    writer = _Writer(folder)
    pages, reports = [], []
    for slide, image in zip(deck.slides, images, strict=True):
        page, slide_report = writer.page(slide, image)
        pages.append(page)
        reports.append(slide_report)
    title = one_line(deck.title, TITLE_CHARS)
    course = {
        "id": course_id,
        "title": title,
        "language": language,
        "description": f"Imported from {one_line(label, 200)} ({len(deck.slides)} slides).",
        "version": "1.0.0",
        "completion": "all_pages_viewed",
        "navigation": "free",
        "sections": [{"id": SECTION_ID, "title": title, "pages": pages}],
    }
    header = [
        f"{title}: imported from {one_line(label, 200)} by `courseforge import`.",
        "Page ids come from the slides' own ids: keep them, and learners' progress survives a re-import.",
        "Re-importing with --force replaces this whole folder; import-report.md lists what to check.",
    ]
    header += [f"{finding.kind}: {finding.detail}" for finding in findings]
    (folder / "course.yaml").write_text(document(header, course), encoding="utf-8")
    report = ImportReport(
        deck=label,
        course_dir=course_dir,
        course_id=course_id,
        title=title,
        language=language,
        replaced=replaced,
        findings=list(findings),
        slides=reports,
    )
    (folder / REPORT_FILE).write_text(report.markdown() + "\n", encoding="utf-8")
    problems = check_course(folder)
    if problems.total:
        raise DeckError(
            [Problem(label, None, "", "the imported course would not validate; nothing was written:")] + list(problems)
        )
    return report
