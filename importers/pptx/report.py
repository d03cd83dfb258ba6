"""The import report: per slide, what became which block, what did not, and what the author must do.

An import is judged by what it could not carry over, so the report leads with that: missing
alt text (never invented: a screen-reader user would hear a guess as fact), content that only
the slide image shows, hidden slides, slides without a title. The command prints it, and the
course folder keeps it as ``import-report.md`` next to course.yaml, where the same points are
also written as comments on the pages they concern.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

REPORT_FILE = "import-report.md"


class Finding(BaseModel):
    """Something on a slide the page does not carry (or carries only in part)."""

    model_config = ConfigDict(frozen=True)

    kind: str  # chart, SmartArt, group, animation, picture without alt text, ...
    detail: str


class SlideReport(BaseModel):
    number: int = Field(description="1-based: page N is slide N")
    slide_id: int = Field(description="PowerPoint's id of the slide, the source of the page id")
    page_id: str
    title: str
    hidden: bool = False
    mapped: list[str] = Field(default_factory=list, description="what the page holds: slide image, text, ...")
    findings: list[Finding] = Field(default_factory=list)

    @property
    def missing_alt(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.kind == "missing alt text"]


class ImportReport(BaseModel):
    deck: str
    course_dir: str
    course_id: str
    title: str
    language: str
    replaced: bool = Field(description="an earlier course folder was replaced (--force)")
    findings: list[Finding] = Field(default_factory=list, description="about the whole deck (fonts)")
    slides: list[SlideReport]

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for finding in [*self.findings, *(f for slide in self.slides for f in slide.findings)]:
            found[finding.kind] = found.get(finding.kind, 0) + 1
        return dict(sorted(found.items()))

    def lines(self) -> list[str]:
        """The report as the command prints it: one line per slide, its findings indented below."""
        out = [
            f"Imported {self.deck}: {len(self.slides)} slide(s) -> {len(self.slides)} page(s) "
            f"(course {self.course_id}, language {self.language})"
        ]
        out += [f"  {finding.kind}: {finding.detail}" for finding in self.findings]
        for slide in self.slides:
            hidden = " [hidden in the deck]" if slide.hidden else ""
            mapped = ", ".join(slide.mapped)
            out.append(f'  slide {slide.number} -> {slide.page_id} "{slide.title}"{hidden}: {mapped}')
            out += [f"    {finding.kind}: {finding.detail}" for finding in slide.findings]
        missing = sum(len(slide.missing_alt) for slide in self.slides)
        counts = self.counts()
        if counts:
            out.append(
                "For the author: "
                + "; ".join(f"{count} {kind}" for kind, count in counts.items())
                + " (each one is also a comment on its page in course.yaml)"
            )
        if missing:
            out.append(
                f"{missing} picture(s) have no alt text: they are left out of their pages until it is written "
                "(see the commented-out image blocks in course.yaml)"
            )
        return out

    def markdown(self) -> str:
        """``import-report.md``: the same content for reading in the course folder or in git."""
        out = [
            f"# Import report: {self.deck}",
            "",
            f"{len(self.slides)} slides became {len(self.slides)} pages of course `{self.course_id}` "
            f"(language `{self.language}`). Page N is slide N; page ids come from the slides' own ids, so "
            "re-importing a revised deck keeps the ids (and learners' progress) of the slides that stayed.",
            "",
        ]
        counts = self.counts()
        if counts:
            out += ["## To check", ""] + [f"- {count} x {kind}" for kind, count in counts.items()] + [""]
            out += [f"- **{finding.kind}**: {finding.detail}" for finding in self.findings]
            out += [""] if self.findings else []
        out += ["## Slides", ""]
        for slide in self.slides:
            hidden = " (hidden in the deck)" if slide.hidden else ""
            out.append(f"### Slide {slide.number}: {slide.title}{hidden}")
            out += ["", f"Page `{slide.page_id}`: {', '.join(slide.mapped)}.", ""]
            out += [f"- **{finding.kind}**: {finding.detail}" for finding in slide.findings]
            if slide.findings:
                out.append("")
        return "\n".join(out)
