"""Reading a course folder into a ``Course``, or saying precisely what is wrong with it.

``load_course`` is the one door from disk into the model: exporters, preview and validation all
go through it, so they agree on what a valid course is. It never lets a traceback reach an
author: YAML errors, schema errors and problems with referenced files all come back together
as ``Problem`` lines in a single ``CourseLoadError``.
"""
from __future__ import annotations

from itertools import islice
from pathlib import Path

from pydantic import ValidationError

from courses.errors import (
    MAX_PROBLEMS,
    CourseLoadError,
    Problem,
    ProblemList,
    byte_size,
    merged,
)
from courses.model import Course, TextBlock
from courses.schema_messages import describe, schema_problem
from courses.source_checks import (
    MAX_MARKDOWN_BYTES,
    FileTooLarge,
    read_limited,
    source_problems,
)
from courses.yaml_lines import parse_yaml

COURSE_FILE = "course.yaml"
MAX_COURSE_YAML_BYTES = 2 << 20  # a big course's course.yaml is ~200 KB; long texts belong in Markdown files


def load_course(path: Path | str) -> Course:
    """Load the course in folder ``path`` (or from the YAML file ``path`` names).

    On success ``course.root`` is the folder and every text block's ``markdown`` holds the
    content of its file. Otherwise raises ``CourseLoadError`` listing every problem found
    (the first ``MAX_PROBLEMS`` of them, and how many more there were).
    """
    course, problems = _load(Path(path))
    if problems or course is None:
        raise CourseLoadError(problems, path)
    return course


def check_course(path: Path | str) -> ProblemList:
    """Every problem in the course at ``path`` (up to ``MAX_PROBLEMS``, the rest counted in
    ``omitted``); an empty list means it loads cleanly."""
    return _load(Path(path))[1]


def _load(path: Path) -> tuple[Course | None, ProblemList]:
    if not path.exists():
        file = path.name if path.suffix in (".yaml", ".yml") else COURSE_FILE
        return None, ProblemList([Problem(file, None, "", f"{path} does not exist; give a course folder or its "
                                                          "course.yaml")])
    root, source = (path, path / COURSE_FILE) if path.is_dir() else (path.parent, path)
    file = source.name
    raw = _read_source(root, source, file)
    if isinstance(raw, Problem):
        return None, ProblemList([raw])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, ProblemList([Problem(file, line, "", f"not UTF-8 text (byte 0x{raw[error.start]:02x}); "
                                                          "save the file with UTF-8 encoding")])

    doc, parse_problems = parse_yaml(text, file)
    if doc is None:
        return None, parse_problems
    if not isinstance(doc.data, dict):
        return None, merged(parse_problems, [Problem(
            file, doc.root.start_mark.line + 1, "",
            f"the top level should be a mapping of course fields (id:, title:, sections:, ...), "
            f"but is {describe(doc.data)}",
        )])
    checked = source_problems(doc, root, file)
    schema = ProblemList()
    course: Course | None = None
    try:
        course = Course.model_validate(doc.data)
    except ValidationError as error:
        for detail in islice(error.errors(include_url=False), MAX_PROBLEMS):
            schema.add(schema_problem(detail, doc, file))
        schema.skip(error.error_count() - len(schema))
    problems = merged(parse_problems, checked, schema)
    if problems or course is None:
        return None, problems

    course._root = root.resolve()
    for page in course.pages():
        for block in page.blocks:
            if isinstance(block, TextBlock) and block.file is not None:
                block.markdown = read_limited(root / block.file, MAX_MARKDOWN_BYTES).decode("utf-8-sig")
    return course, problems


def _read_source(root: Path, source: Path, file: str) -> bytes | Problem:
    """The bytes of the course.yaml, or why they were not read.

    Nothing outside the course folder is ever read: whatever a link points at (a password file,
    a device), its content could come back quoted in an error message.
    """
    try:
        target = source.resolve()
        if (source.is_symlink() or source.exists()) and not target.is_relative_to(root.resolve()):
            return Problem(file, None, "", f"is a link to {target}, outside the course folder; "
                                           "copy the file into the course folder instead")
        if not source.is_file():
            return Problem(file, None, "", f"no {file} in {root}; every course folder needs one "
                                           "(`courseforge new NAME` creates a course to start from)")
        raw = read_limited(source, MAX_COURSE_YAML_BYTES)
    except FileTooLarge as error:
        return Problem(file, None, "", f"is {error.size} bytes, more than the {byte_size(error.limit)} "
                                       f"limit for a {COURSE_FILE}; move long texts into Markdown files "
                                       "(a text block with file:)")
    except (OSError, RuntimeError) as error:  # unreadable, or a loop of links
        return Problem(file, None, "", f"could not be read: {getattr(error, 'strerror', None) or error}")
    return raw
