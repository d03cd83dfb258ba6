"""Render a course into the learner-facing web player: one shell page plus one fragment per page.

``index.html`` is the only document the learner's browser ever loads: it holds the tracking
session for the whole visit (SCORM's single SCO), and ``js/app.js`` swaps the pre-rendered
``pages/<page-id>.html`` fragments into its ``<main>``, so changing page never unloads it.
The course's data (``course.json``, also inlined in ``index.html``) is what the runtime reads for
navigation, scoring and tracking; its shape is the player data contract.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from courses.model import (
    Course,
    FillIn,
    FreeText,
    Hotspot,
    ImageBlock,
    Likert,
    Matching,
    MultipleResponse,
    NarrationBlock,
    Numeric,
    Ordering,
    Page,
    QuizBlock,
    Section,
    SingleChoice,
    TextBlock,
    TrueFalse,
    VideoBlock,
)
from courses.source import CourseSource
from courses.source_checks import MAX_MARKDOWN_BYTES
from media.assets import LOGO, Asset, BlockMedia, MediaMap
from player.bundle import ENTRY, player_bundle
from player.i18n import RUNTIME_KEYS, Translator, catalogue, direction
from player.markdown import plain_text, render_inline, render_markdown
from player.theme import theme_style
from player.transcript import read_cues

Tracking = Literal["scorm12", "scorm2004", "web"]
TRACKING_KINDS: tuple[str, ...] = ("scorm12", "scorm2004", "web")

PLAYER_DIR = Path(__file__).resolve().parent
TEMPLATE_DIR = PLAYER_DIR / "templates"

_LANGUAGE_NAMES = {
    "en": "English",
    "fr": "Français",
    "de": "Deutsch",
    "es": "Español",
    "it": "Italiano",
    "nl": "Nederlands",
    "pt": "Português",
    "sv": "Svenska",
    "da": "Dansk",
    "nb": "Norsk",
    "fi": "Suomi",
    "pl": "Polski",
    "cs": "Čeština",
    "ja": "日本語",
    "zh": "中文",
    "ko": "한국어",
}


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["markdown"] = lambda text: Markup(render_markdown(text or ""))
    env.filters["inline"] = lambda text: Markup(render_inline(text or ""))
    env.filters["plain"] = plain_text
    env.filters["css_string"] = css_string
    env.globals["block_template"] = lambda block: f"blocks/{block.type}.html"
    env.globals["typed_answer_limit"] = typed_answer_limit
    return env


DEFAULT_LIKERT_KEYS = tuple(f"likert.scale.{n}" for n in range(1, 6))
"""The catalogue's five labels of the default scale, "Strongly disagree" to "Strongly agree"."""


def likert_scale(question: Likert, language: str) -> list[str]:
    """The scale's labels, lowest first: the author's own, or the default five points in the
    course's language (so a Dutch survey says "Helemaal oneens", with no labels to write)."""
    if question.scale is not None:
        return list(question.scale)
    messages = catalogue(language)
    return [str(messages[key]) for key in DEFAULT_LIKERT_KEYS]


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (for a custom property the stylesheet's ``content`` reads)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return f'"{escaped}"'


def _number(value: float) -> int | float:
    """Points as the author wrote them: 1 stays 1 in JSON, 0.5 stays 0.5."""
    return int(value) if float(value).is_integer() else value


TYPED_ANSWER_CHARS = (40, 250)


def typed_answer_limit(question: FillIn) -> int:
    """The longest answer a learner can type: twice the longest accepted answer, within 40 to 250
    characters. Room for any honest wrong answer, and bounded, so that the worst-case resume state
    of a SCORM 1.2 course with several typed answers can be known (and kept under 4,096) at publish."""
    low, high = TYPED_ANSWER_CHARS
    return max(low, min(high, 2 * max(len(a) for a in question.accepted)))


def _question_data(question: Any, language: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": question.id,
        "type": question.type,
        "points": _number(question.points),
        "text": plain_text(question.prompt),
    }
    if isinstance(question, SingleChoice):
        data["choices"] = [{"id": c.id, "text": plain_text(c.text)} for c in question.choices]
        data["correct"] = next(c.id for c in question.choices if c.correct)
    elif isinstance(question, MultipleResponse):
        data["choices"] = [{"id": c.id, "text": plain_text(c.text)} for c in question.choices]
        data["correct"] = [c.id for c in question.choices if c.correct]
    elif isinstance(question, TrueFalse):
        data["correct"] = question.answer
    elif isinstance(question, FillIn):
        data["correct"] = list(question.accepted)
        data["caseSensitive"] = question.case_sensitive
        data["maxLength"] = typed_answer_limit(question)
    elif isinstance(question, FreeText):
        data["correct"] = list(question.keywords)
        data["scored"] = bool(question.keywords)
        data["maxLength"] = question.max_length
    elif isinstance(question, Numeric):
        low, high = question.bounds()
        data["correct"] = {"min": low, "max": high}
    elif isinstance(question, Likert):
        data["correct"] = None  # an opinion has no right answer
        data["scored"] = False
        data["statements"] = [{"id": s.id, "text": plain_text(s.text)} for s in question.statements]
        data["scale"] = likert_scale(question, language)
    elif isinstance(question, Matching):
        data["choices"] = [{"id": p.id, "text": plain_text(f"{p.source} → {p.target}")} for p in question.pairs]
        data["correct"] = [[p.id, p.id] for p in question.pairs]
    elif isinstance(question, Ordering):
        data["choices"] = [{"id": i.id, "text": plain_text(i.text)} for i in question.items]
        data["correct"] = [i.id for i in question.items]
    elif isinstance(question, Hotspot):  # regions are choices; their shapes are in the page
        data["choices"] = [{"id": r.id, "text": plain_text(r.label)} for r in question.regions]
        data["correct"] = [r.id for r in question.regions if r.correct]
    if isinstance(question, MultipleResponse | Matching | Ordering) and question.partial_credit:
        data["partialCredit"] = True
    return data


def course_data(course: Course, tracking: Tracking) -> dict[str, Any]:
    """The player data contract: everything the runtime needs, and nothing it does not."""
    pages = []
    for section in course.sections:
        for page in section.pages:
            entry: dict[str, Any] = {
                "id": page.id,
                "title": page.title,
                "section": section.title,
                "href": f"pages/{page.id}.html",
                "quizzes": [b.id for b in page.blocks if isinstance(b, QuizBlock)],
            }
            videos = _video_rules(page)
            if videos:
                entry["videos"] = videos
            pages.append(entry)
    quizzes = [
        {
            "id": quiz.id,
            "title": quiz.title,
            "passMark": quiz.pass_mark if quiz.pass_mark is not None else course.passing_score,
            "attempts": quiz.attempts,
            "shuffle": quiz.shuffle,
            "draw": quiz.draw,
            "questions": [_question_data(q, course.language) for q in quiz.questions],
        }
        for quiz in course.quizzes()
    ]
    return {
        "id": course.id,
        "title": course.title,
        "version": course.version,
        "language": course.language,
        "completion": course.completion.value,
        "passingScore": course.passing_score,
        "navigation": course.navigation.value,
        "tracking": tracking,
        "pages": pages,
        "quizzes": quizzes,
        "messages": {key: message for key, message in catalogue(course.language).items() if key in RUNTIME_KEYS},
    }


def _video_rules(page: Page) -> list[dict[str, Any]]:
    """The page's videos that hold back its completion until watched enough (percent played)."""
    return [
        {"id": b.id, "completeAt": b.complete_at}
        for b in page.blocks
        if isinstance(b, VideoBlock) and b.complete_at is not None
    ]


def _script_json(data: dict[str, Any]) -> Markup:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' can end or bend it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


# --------------------------------------------------------------------------- media views
def _srcset(assets: Iterable[Asset]) -> str:
    assets = list(assets)
    if len(assets) == 1 or any(a.width is None for a in assets):
        return assets[0].href
    return ", ".join(f"{a.href} {a.width}w" for a in assets)


def _image_view(src: str, media: BlockMedia | None, first: bool) -> dict[str, Any]:
    """Fallback (last asset) becomes the <img>; the others become <source>s grouped by type.
    Without made files (a page rendered alone), the course file ``src`` itself."""
    sources = media.sources if media and media.sources else []
    if not sources:
        return {
            "img": {"src": src, "srcset": None, "width": None, "height": None},
            "sources": [],
            "sizes": None,
            "lazy": not first,
        }
    fallback = sources[-1]
    by_type: dict[str, list[Asset]] = defaultdict(list)
    for asset in sources[:-1]:
        by_type[asset.mime].append(asset)
    fallback_set = [a for a in sources if a.mime == fallback.mime]
    by_type.pop(fallback.mime, None)
    img_srcset = _srcset(fallback_set) if len(fallback_set) > 1 else None
    picture = [{"type": mime, "srcset": _srcset(group)} for mime, group in by_type.items()]
    widths = any(" " in s for s in [img_srcset or "", *(x["srcset"] for x in picture)])
    return {
        "img": {"src": fallback.href, "srcset": img_srcset, "width": fallback.width, "height": fallback.height},
        "sources": picture,
        # Width descriptors need the displayed width: the page column, or the whole screen when narrower.
        "sizes": "(min-width: 50rem) 46rem, 100vw" if widths else None,
        "lazy": not first,
    }


def _language_label(tag: str) -> str:
    return _LANGUAGE_NAMES.get(tag.split("-")[0].lower(), tag)


def _video_sources(media: BlockMedia | None) -> list[dict[str, Any]]:
    """HLS first (Safari and Chrome play it natively, others skip it), then the MP4 renditions,
    best first, each but the last limited by a viewport media query so that a tablet or phone on a
    weak network fetches the rendition its screen can show rather than the largest."""
    if media is None:
        return []
    out: list[dict[str, Any]] = []
    if media.hls is not None:
        out.append({"src": media.hls.href, "type": "application/vnd.apple.mpegurl", "media": None})
    renditions = media.sources
    for i, asset in enumerate(renditions):
        smaller = renditions[i + 1] if i + 1 < len(renditions) else None
        query = f"(min-width: {smaller.width + 1}px)" if smaller is not None and smaller.width else None
        out.append({"src": asset.href, "type": asset.mime, "media": query})
    return out


def _video_view(block: VideoBlock, media: BlockMedia | None) -> dict[str, Any]:
    sources = media.sources if media and media.sources else []
    best = sources[0] if sources else None
    return {
        "sources": _video_sources(media) or [{"src": block.src, "type": None, "media": None}],
        "poster": media.poster.href if media and media.poster else None,
        "captions": media.captions.href if media and media.captions else None,
        "captions_label": (media.captions.label if media and media.captions and media.captions.label else None),
        "width": best.width if best else None,
        "height": best.height if best else None,
        "download": best.href if best else block.src,
        "complete_at": block.complete_at,
    }


NARRATION_RATES = (0.75, 1, 1.25, 1.5, 2)
"""The speeds a learner can listen at (1 is as spoken); kept for the session by the player."""


def _narration_view(block: NarrationBlock, media: BlockMedia | None) -> dict[str, Any]:
    sources = media.sources if media and media.sources else []
    transcript = (media.transcript if media else None) or block.transcript or block.script
    # With audio, the transcript is its timed sentences, so the player can follow along; an
    # author's own transcript of a recording stands when its captions cannot be read.
    cues = read_cues(media.captions.source) if sources and media and media.captions else []
    return {
        "sources": [{"src": a.href, "type": a.mime} for a in sources],
        "captions": media.captions.href if media and media.captions else None,
        "captions_label": (media.captions.label if media and media.captions and media.captions.label else None),
        "transcript": transcript,
        "cues": cues,
        "rates": NARRATION_RATES,
    }


# --------------------------------------------------------------------------- quiz views
def _initial_order(items: list[Any], key) -> list[Any]:
    """A starting order that never gives the answer away: by text, rotated if that is the answer."""
    ordered = sorted(items, key=key)
    if [i.id for i in ordered] == [i.id for i in items]:
        ordered = ordered[1:] + ordered[:1]
    return ordered


def _question_view(question: Any, number: int, total: int, language: str, media: MediaMap) -> dict[str, Any]:
    view: dict[str, Any] = {"q": question, "number": number, "total": total}
    if isinstance(question, Hotspot):
        view["image"] = _image_view(question.image, media.get(question.id), first=False)
    elif isinstance(question, Likert):
        view["scale"] = likert_scale(question, language)
    elif isinstance(question, Matching):
        view["targets"] = sorted(question.pairs, key=lambda p: (p.target.casefold(), p.id))
    elif isinstance(question, Ordering):
        view["order"] = _initial_order(question.items, key=lambda i: (i.text.casefold(), i.id))
    return view


# --------------------------------------------------------------------------- site
def _markdown(block: TextBlock, source: CourseSource | None) -> str:
    """A text block's Markdown: inline, or read from its file in the course source."""
    if block.markdown is not None:
        return block.markdown
    if source is None or block.file is None:
        raise ValueError(f"text block {block.id!r} names {block.file!r}: rendering it needs the course's source")
    return source.read(block.file, MAX_MARKDOWN_BYTES).decode("utf-8-sig")


def _page_blocks(page: Page, media: MediaMap, course: Course, source: CourseSource | None) -> list[dict[str, Any]]:
    views = []
    first_image = True
    for block in page.blocks:
        view: dict[str, Any] = {"block": block}
        if isinstance(block, ImageBlock):
            view.update(_image_view(block.src, media.get(block.id), first_image))
            first_image = False
        elif isinstance(block, VideoBlock):
            view.update(_video_view(block, media.get(block.id)))
        elif isinstance(block, NarrationBlock):
            view.update(_narration_view(block, media.get(block.id)))
        elif isinstance(block, QuizBlock):
            total = len(block.questions)
            view["questions"] = [
                _question_view(q, n, total, course.language, media) for n, q in enumerate(block.questions, 1)
            ]
            view["pass_mark"] = block.pass_mark if block.pass_mark is not None else course.passing_score
        elif isinstance(block, TextBlock):
            view["markdown"] = _markdown(block, source)
        views.append(view)
    return views


def static_files(tracking: Tracking, dispatch: bool = False) -> dict[str, bytes]:
    """The player's CSS and JavaScript as a package for ``tracking`` ships them, at their package
    paths (``css/...``, ``js/...``): minified, each question type and tracking adapter in a file of
    its own, and only its own standard's adapter; with ``dispatch`` (the published web form, which
    dispatch packages frame) also the bridge and both SCORM adapters it tracks through there."""
    kept = {tracking, "scorm12", "scorm2004", "bridge"} if dispatch else {tracking}
    left_out = [f"js/tracking/{kind}.js" for kind in (*TRACKING_KINDS, "bridge") if kind not in kept]
    return player_bundle().reachable(left_out)


def question_module(kind: str) -> str:
    """The package path of a question type's module (what the player's scoring.js loads)."""
    return f"js/questions/{kind}.js"


def preloaded_modules(tracking: Tracking, first_page: Page | None = None) -> tuple[str, ...]:
    """What the launch page names as modulepreloads: every file the player's script imports
    statically, the package's tracking adapter, and the modules ``first_page`` runs (its question
    types, its narration and video controls), each with what it imports. The browser then asks
    for all of them at once instead of one level of imports per round trip (on a tablet's 150 ms
    round trip that wait was most of the first page's), and for nothing the first page does not run."""
    wanted = [ENTRY, f"js/tracking/{tracking}.js", *(page_modules(first_page) if first_page else [])]
    return tuple(name for name in player_bundle().needed(wanted) if name != ENTRY)


def page_modules(page: Page) -> list[str]:
    """The modules the player loads to show ``page`` (see app.js: loadKinds, mediaModules)."""
    kinds = [question.type for block in page.blocks if isinstance(block, QuizBlock) for question in block.questions]
    media = [
        module
        for module, kind in (("js/narration.js", NarrationBlock), ("js/video.js", VideoBlock))
        if any(isinstance(block, kind) for block in page.blocks)
    ]
    return [*(question_module(kind) for kind in dict.fromkeys(kinds)), *media]


def _logo_view(course: Course, media: MediaMap) -> dict[str, Any] | None:
    """The course's logo for the top bar, drawn about 2rem high: its sizes say so, so a phone
    never fetches a page-wide rendition for it."""
    if course.theme.logo is None:
        return None
    view = _image_view(course.theme.logo, media.get(LOGO), first=True)
    return {**view, "sizes": "10rem" if view["sizes"] else None}


def _launch_page(
    env: Environment,
    course: Course,
    data: dict[str, Any],
    t: Translator,
    first_fragment: bytes | None,
    media: MediaMap,
) -> bytes:
    """``index.html``; holding ``first_fragment`` (the first page's, in a template the player takes
    it from), a learner's first page costs no request after the launch page's own."""
    return (
        env.get_template("index.html")
        .render(
            t=t,
            direction=direction(course.language),
            theme_style=theme_style(course),
            course=course,
            data=data,
            data_json=_script_json(data),
            first_page=course.pages()[0],
            caption_language=_language_label(course.language),
            preload=preloaded_modules(data["tracking"], course.pages()[0]),
            first_fragment=None if first_fragment is None else Markup(first_fragment.decode()),
            logo=_logo_view(course, media),
        )
        .encode()
    )


def _page_fragment(
    env: Environment,
    course: Course,
    page: Page,
    section: Section,
    media: MediaMap,
    source: CourseSource | None,
    t: Translator,
) -> bytes:
    return (
        env.get_template("page.html")
        .render(
            t=t,
            page=page,
            section=section,
            blocks=_page_blocks(page, media, course, source),
            language=course.language,
            caption_language=_language_label(course.language),
        )
        .encode()
    )


def render_site(
    course: Course, media: MediaMap, tracking: Tracking, source: CourseSource | None = None, dispatch: bool = False
) -> dict[str, bytes]:
    """Every file of the player for this course (package-relative path -> bytes), media excepted.
    ``source`` holds the course's files (Markdown of text blocks that name a file); ``dispatch``
    makes the published web form, which dispatch packages frame (see ``static_files``)."""
    if tracking not in TRACKING_KINDS:
        raise ValueError(f"unknown tracking {tracking!r}: expected one of {', '.join(TRACKING_KINDS)}")
    env = _environment()
    data = course_data(course, tracking)
    t = Translator(course.language)
    fragments = {
        f"pages/{page.id}.html": _page_fragment(env, course, page, section, media, source, t)
        for section in course.sections
        for page in section.pages
    }
    files: dict[str, bytes] = {}
    files["index.html"] = _launch_page(env, course, data, t, fragments[f"pages/{course.pages()[0].id}.html"], media)
    files["course.json"] = (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode()
    files.update(fragments)
    files.update(static_files(tracking, dispatch))
    return files


_shared_environment = cache(_environment)
"""One environment for the renders of single files below: its templates are compiled once per
process, not once per request."""


def render_launch_page(course: Course, tracking: Tracking) -> bytes:
    """``index.html`` as ``render_site`` writes it, alone and without the first page's fragment
    (the player then fetches it like any page): for the editor's live preview, which serves one
    course's player file by file."""
    if tracking not in TRACKING_KINDS:
        raise ValueError(f"unknown tracking {tracking!r}: expected one of {', '.join(TRACKING_KINDS)}")
    data = course_data(course, tracking)
    return _launch_page(_shared_environment(), course, data, Translator(course.language), None, {})


def render_page(course: Course, page_id: str, media: MediaMap, source: CourseSource | None = None) -> bytes:
    """``pages/<page_id>.html`` exactly as ``render_site`` writes it, alone: the live preview
    renders again only the page an author changed (KeyError for a page the course lacks)."""
    for section in course.sections:
        for page in section.pages:
            if page.id == page_id:
                return _page_fragment(
                    _shared_environment(), course, page, section, media, source, Translator(course.language)
                )
    raise KeyError(page_id)
