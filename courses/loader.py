"""Reading a course into a ``Course``, or saying precisely what is wrong with it.

``load_source`` is the one door from a course's files into the model: exporters, preview,
validation and the editor's import all go through it, so they agree on what a valid course is.
The files come from a course source (``courses.source``: a folder, or stored blobs), and
``load_course`` is the folder case. It never lets a traceback reach an author: YAML errors,
schema errors and problems with referenced files all come back together as ``Problem`` lines in
a single ``CourseLoadError``.

The model it returns is exactly what the course.yaml says (a text block keeps its ``file``; the
Markdown is read from the source when the page is rendered), so it round-trips: dumped and
validated again, it is the same course.
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
from courses.model import Course
from courses.schema_messages import not_a_mapping, schema_problem
from courses.source import CourseSource, FileMissing, FileTooLarge, FolderSource, SourceError
from courses.source_checks import source_problems
from courses.yaml_lines import parse_yaml

COURSE_FILE = "course.yaml"
MAX_COURSE_YAML_BYTES = 2 << 20  # a big course's course.yaml is ~200 KB; long texts belong in Markdown files


def load_course(path: Path | str) -> Course:
    """Load the course in folder ``path`` (or from the YAML file ``path`` names).

    Raises ``CourseLoadError`` listing every problem found (the first ``MAX_PROBLEMS`` of them,
    and how many more there were).
    """
    course, problems = _load_path(Path(path))
    if problems or course is None:
        raise CourseLoadError(problems, path)
    return course


def load_source(source: CourseSource, file: str = COURSE_FILE) -> Course:
    """Load the course whose ``file`` (course.yaml) and other files are in ``source``."""
    course, problems = _load(source, file)
    if problems or course is None:
        raise CourseLoadError(problems, source.describe())
    return course


def check_course(path: Path | str) -> ProblemList:
    """Every problem in the course at ``path`` (up to ``MAX_PROBLEMS``, the rest counted in
    ``omitted``); an empty list means it loads cleanly."""
    return read_course(path)[1]


def read_course(path: Path | str) -> tuple[Course | None, ProblemList]:
    """The course at ``path`` and its problems in one reading: the course when there are none,
    for a caller that reports the problems and then goes on with the course."""
    return _load_path(Path(path))


def folder_source(path: Path | str) -> tuple[FolderSource, str]:
    """The course folder of ``path`` (a folder, or its course.yaml) and the course file's name."""
    path = Path(path)
    return (FolderSource(path), COURSE_FILE) if path.is_dir() else (FolderSource(path.parent), path.name)


def _load_path(path: Path) -> tuple[Course | None, ProblemList]:
    if not path.exists() and not path.is_symlink():
        file = path.name if path.suffix in (".yaml", ".yml") else COURSE_FILE
        return None, ProblemList(
            [Problem(file, None, "", f"{path} does not exist; give a course folder or its course.yaml")]
        )
    return _load(*folder_source(path))


def _load(source: CourseSource, file: str) -> tuple[Course | None, ProblemList]:
    raw = _read_course_file(source, file)
    if isinstance(raw, Problem):
        return None, ProblemList([raw])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, ProblemList(
            [
                Problem(
                    file, line, "", f"not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file with UTF-8 encoding"
                )
            ]
        )

    doc, parse_problems = parse_yaml(text, file)
    if doc is None:
        return None, parse_problems
    if not isinstance(doc.data, dict):
        return None, merged(parse_problems, [not_a_mapping(doc, file)])
    checked = source_problems(doc, source, file)
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
    return course, problems


def _read_course_file(source: CourseSource, file: str) -> bytes | Problem:
    """The bytes of the course.yaml, or why they were not read.

    Nothing outside the course is ever read: whatever a link points at (a password file, a
    device), its content could come back quoted in an error message.
    """
    try:
        return source.read(file, MAX_COURSE_YAML_BYTES)
    except FileMissing:
        return Problem(
            file,
            None,
            "",
            f"no {file} in {source.describe()}; every course folder needs one "
            "(`courseforge new NAME` creates a course to start from)",
        )
    except FileTooLarge as error:
        return Problem(
            file,
            None,
            "",
            f"is {error.size} bytes, more than the {byte_size(error.limit)} "
            f"limit for a {COURSE_FILE}; move long texts into Markdown files "
            "(a text block with file:)",
        )
    except SourceError as error:
        return Problem(file, None, "", str(error).removeprefix(f"{file} "))
