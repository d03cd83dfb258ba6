"""Checks a schema cannot express: ids unique across the whole course, files that exist, stay
inside the course folder and are what their field says, and questions a learner can answer.

They run on the raw YAML data, next to (not after) schema validation, so an author sees a
missing video and a misspelt field in the same run. Anything of an unexpected shape is skipped
here: the schema reports it.

The files may come from anyone: they are read through the course source (``courses.source``),
which reads nothing through a link that leaves the folder, and no file is read past a size limit
an author would never reach.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from courses.errors import Problem, ProblemList, byte_size, field_path, shorten
from courses.model import describe_character, first_control_character
from courses.source import CourseSource, FileMissing, FileTooLarge, SourceError, check_path
from courses.yaml_lines import YamlDocument

Loc = tuple[str | int, ...]

MAX_MARKDOWN_BYTES = 1 << 20  # some 150,000 words: a book, in one text block
MAX_CAPTIONS_BYTES = 2 << 20  # the captions of a 2-hour video are ~200 KB
MAX_FILE_BYTES = {"markdown": MAX_MARKDOWN_BYTES, "captions": MAX_CAPTIONS_BYTES}

FILE_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "markdown": ("a Markdown", (".md", ".markdown")),
    "image": ("an image", (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")),
    "video": ("a video", (".mp4", ".mov", ".m4v", ".webm", ".mkv")),
    "audio": ("an audio", (".mp3", ".m4a", ".aac", ".wav", ".ogg", ".opus", ".flac")),
    "captions": ("a WebVTT captions", (".vtt",)),
}
# block type -> {field: kind of file it names}
FILE_FIELDS: dict[str, dict[str, str]] = {
    "text": {"file": "markdown"},
    "image": {"src": "image"},
    "video": {"src": "video", "captions": "captions", "poster": "image"},
    "narration": {"src": "audio", "captions": "captions"},
}
# question type -> {field: kind of file it names}
QUESTION_FILE_FIELDS: dict[str, dict[str, str]] = {"hotspot": {"image": "image"}}
# question type -> (list field, text fields that must not repeat within it)
REPEATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "single_choice": ("choices", ("text",)),
    "multiple_response": ("choices", ("text",)),
    "matching": ("pairs", ("source", "target")),
    "ordering": ("items", ("text",)),
    "hotspot": ("regions", ("label",)),
}


def named_files(block: dict) -> Iterator[tuple[Loc, str, str]]:
    """The files a block names, its quiz's questions' included: (field within the block, path,
    kind of file), for what a block uses and what must exist."""
    fields = FILE_FIELDS.get(str(block.get("type")), {})
    for name, kind in fields.items():
        path = _text(block.get(name))
        if path is not None:
            yield (name,), path, kind
    for question, loc in _items(block, "questions", ()):
        for name, kind in QUESTION_FILE_FIELDS.get(str(question.get("type")), {}).items():
            path = _text(question.get(name))
            if path is not None:
                yield loc + (name,), path, kind


def source_problems(doc: YamlDocument, source: CourseSource, file: str) -> ProblemList:
    """Every cross-field and file problem in a parsed course.yaml (the first ``MAX_PROBLEMS``,
    the rest counted), its files looked up in ``source``."""
    checker = _Checker(doc, source, file)
    checker.run()
    return checker.problems


def _items(parent: Any, key: str, loc: Loc) -> Iterator[tuple[dict, Loc]]:
    """The mapping items of list ``parent[key]``, with their locations; nothing if malformed."""
    value = parent.get(key) if isinstance(parent, dict) else None
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield item, loc + (key, index)


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _same(text: str) -> str:
    """What a learner would see as the same words: case and spacing ignored."""
    return " ".join(text.split()).casefold()


class _Checker:
    def __init__(self, doc: YamlDocument, source: CourseSource, file: str) -> None:
        self.doc, self.source, self.file = doc, source, file
        self.problems = ProblemList()
        self.ids: dict[str, tuple[str, Loc]] = {}
        self.files: dict[tuple[str, str], str | None] = {}  # (path, kind) -> problem: many blocks share a file

    def add(self, loc: Loc, message: str) -> None:
        if self.problems.full:  # past the cap, a problem is only counted: no line, no field path
            self.problems.skip()
        else:
            self.problems.add(Problem(self.file, self.doc.line_of(loc), field_path(loc), message))

    def where(self, loc: Loc) -> str:
        return f"{field_path(loc)} (line {self.doc.line_of(loc)})"

    def run(self) -> None:
        course = self.doc.data
        theme = course.get("theme") if isinstance(course, dict) else None
        logo = _text(theme.get("logo")) if isinstance(theme, dict) else None
        if logo is not None:
            message = self.file_problem(logo, "image")
            if message:
                self.add(("theme", "logo"), message)
        for section, s_loc in _items(course, "sections", ()):
            self.check_id(section, s_loc)
            for page, p_loc in _items(section, "pages", s_loc):
                self.check_id(page, p_loc)
                for block, b_loc in _items(page, "blocks", p_loc):
                    self.check_block(block, b_loc)

    def check_block(self, block: dict, loc: Loc) -> None:
        self.check_id(block, loc)
        block_type = block.get("type")
        for field, path, kind in named_files(block):
            if (path, kind) not in self.files:
                self.files[path, kind] = self.file_problem(path, kind)
            message = self.files[path, kind]
            if message:
                self.add(loc + field, message)
        if block_type == "quiz":
            for question, q_loc in _items(block, "questions", loc):
                self.check_question(question, q_loc)

    def check_question(self, question: dict, loc: Loc) -> None:
        self.check_id(question, loc)
        kind = question.get("type")
        for key in ("choices", "pairs", "items", "statements", "regions"):
            for element, e_loc in _items(question, key, loc):
                self.check_id(element, e_loc)
        if isinstance(kind, str) and kind in REPEATS:
            key, fields = REPEATS[kind]
            for name in fields:
                self.check_repeats(list(_items(question, key, loc)), name)
        if kind == "fill_in":
            self.check_accepted(question, loc)

    def check_id(self, element: dict, loc: Loc) -> None:
        value = _text(element.get("id"))
        if value is None:
            return
        key = value.casefold()
        id_loc = loc + ("id",)
        if key not in self.ids:
            self.ids[key] = (value, id_loc)
            return
        first, first_loc = self.ids[key]
        if self.problems.full:
            self.problems.skip()
        elif first == value:
            self.add(
                id_loc,
                f"id '{shorten(value)}' is already used by {self.where(first_loc[:-1])}; "
                "every id in a course must be different",
            )
        else:
            self.add(
                id_loc,
                f"id '{shorten(value)}' differs from '{shorten(first)}' of {self.where(first_loc[:-1])} "
                "only in letter case; ids become file names, so they must differ by more than case",
            )

    def check_repeats(self, elements: list[tuple[dict, Loc]], name: str) -> None:
        seen: dict[str, Loc] = {}
        for element, loc in elements:
            text = _text(element.get(name))
            if text is None:
                continue
            if _same(text) in seen and self.problems.full:
                self.problems.skip()
            elif _same(text) in seen:
                first = seen[_same(text)]
                self.add(
                    loc + (name,),
                    f"'{shorten(text)}' repeats the {name} of {field_path(first[-3:-1])} "
                    f"(line {self.doc.line_of(first)}); learners could not tell them apart",
                )
            else:
                seen[_same(text)] = loc + (name,)

    def check_accepted(self, question: dict, loc: Loc) -> None:
        answers = question.get("accepted")
        if not isinstance(answers, list):
            return
        ignore_case = question.get("case_sensitive") is not True
        seen: dict[str, tuple[str, int]] = {}
        for index, answer in enumerate(answers):
            text = _text(answer)
            if text is None:
                continue
            key = text.casefold() if ignore_case else text
            if key not in seen:
                seen[key] = (text, index)
                continue
            first, first_index = seen[key]
            if first == text:
                message = f"'{shorten(text)}' is already accepted[{first_index}]; list each answer once"
            else:
                message = (
                    f"'{shorten(text)}' is the same answer as accepted[{first_index}] '{shorten(first)}' "
                    "when letter case is ignored (case_sensitive is false); list it once"
                )
            self.add(loc + ("accepted", index), message)

    def file_problem(self, path: str, kind: str) -> str | None:
        """Why ``path`` cannot be used as a ``kind`` file, or None when it can."""
        if first_control_character(path, multiline=False) is not None:
            return None  # the schema's text rule names the character and where it is
        path = shorten(path, 200)  # only ever quoted from here on, and no file name is longer
        problem = check_path(path)
        if problem:
            return problem
        name = FILE_KINDS[kind][0]
        try:
            return self.content_problem(path, kind)
        except FileMissing as error:
            return f"{error}{self.nearby(path)}"
        except FileTooLarge as error:
            return f"{path} is {error.size} bytes, more than the {byte_size(error.limit)} limit for {name} file" + (
                "; split it into several text blocks" if kind == "markdown" else ""
            )
        except SourceError as error:
            return str(error)
        except (OSError, ValueError) as error:  # unreadable, NUL in name
            return f"{path} could not be read: {getattr(error, 'strerror', None) or error}"

    def content_problem(self, path: str, kind: str) -> str | None:
        """The checks that look at the file itself: its kind, size and content."""
        name, extensions = FILE_KINDS[kind]
        if PurePosixPath(path).suffix.lower() not in extensions:
            return f"{path} is not {name} file; use one of: {', '.join(extensions)}"
        size = self.source.size(path)  # missing, a folder or a link out of the course: SourceError
        limit = MAX_FILE_BYTES.get(kind)
        if limit is not None and size > limit:
            raise FileTooLarge(path, size, limit)
        if kind == "captions":
            head = self.source.read(path, MAX_CAPTIONS_BYTES)[:16]
            if not head.removeprefix(b"\xef\xbb\xbf").startswith(b"WEBVTT"):
                return f"{path} is not a WebVTT file: its first line must start with WEBVTT"
        if kind == "markdown":
            return self.markdown_problem(path, self.source.read(path, MAX_MARKDOWN_BYTES))
        return None

    def markdown_problem(self, path: str, data: bytes) -> str | None:
        """UTF-8 text without control characters: a Markdown file becomes page text as it is."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            return (
                f"{path} is not UTF-8 text (byte 0x{data[error.start]:02x} on its line {line}); "
                "save it with UTF-8 encoding"
            )
        index = first_control_character(text, multiline=True)
        if index is not None:
            line = text.count("\n", 0, index) + 1
            return f"{path} contains {describe_character(text[index])} on its line {line}; remove it"
        return None

    def nearby(self, path: str) -> str:
        """' (did you mean media/Intro.mp4?)' when a file with a close name sits in that folder."""
        others = {PurePosixPath(other).name: other for other in self.source.siblings(path)}
        close = difflib.get_close_matches(PurePosixPath(path).name, list(others), n=1, cutoff=0.7)
        return f" (did you mean {others[close[0]]}?)" if close else ""
