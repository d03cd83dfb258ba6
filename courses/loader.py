"""Reading a course folder into a ``Course``, or saying precisely what is wrong with it.

``load_course`` is the one door from disk into the model: exporters, preview and validation all
go through it, so they agree on what a valid course is. It never lets a traceback reach an
author: YAML errors, schema errors and problems with referenced files all come back together
as ``Problem`` lines in a single ``CourseLoadError``.
"""
from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from courses.errors import CourseLoadError, Problem
from courses.model import Course, TextBlock
from courses.schema_messages import describe, schema_problem
from courses.source_checks import source_problems
from courses.yaml_lines import parse_yaml

COURSE_FILE = "course.yaml"


def load_course(path: Path | str) -> Course:
    """Load the course in folder ``path`` (or from the YAML file ``path`` names).

    On success ``course.root`` is the folder and every text block's ``markdown`` holds the
    content of its file. Otherwise raises ``CourseLoadError`` listing every problem found.
    """
    course, problems = _load(Path(path))
    if problems or course is None:
        raise CourseLoadError(problems, path)
    return course


def check_course(path: Path | str) -> list[Problem]:
    """Every problem in the course at ``path``; an empty list means it loads cleanly."""
    return _load(Path(path))[1]


def _load(path: Path) -> tuple[Course | None, list[Problem]]:
    if not path.exists():
        file = path.name if path.suffix in (".yaml", ".yml") else COURSE_FILE
        return None, [Problem(file, None, "", f"{path} does not exist; give a course folder or its course.yaml")]
    root, source = (path, path / COURSE_FILE) if path.is_dir() else (path.parent, path)
    file = source.name
    if not source.is_file():
        return None, [Problem(file, None, "", f"no {file} in {root}; every course folder needs one "
                                              "(`courseforge new NAME` creates a course to start from)")]
    try:
        raw = source.read_bytes()
    except OSError as error:
        return None, [Problem(file, None, "", f"could not be read: {error.strerror or error}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [Problem(file, line, "", f"not UTF-8 text (byte 0x{raw[error.start]:02x}); "
                                              "save the file with UTF-8 encoding")]

    doc, problems = parse_yaml(text, file)
    if doc is None:
        return None, problems
    if not isinstance(doc.data, dict):
        return None, problems + [Problem(
            file, doc.root.start_mark.line + 1, "",
            f"the top level should be a mapping of course fields (id:, title:, sections:, ...), "
            f"but is {describe(doc.data)}",
        )]
    problems += source_problems(doc, root, file)
    course: Course | None = None
    try:
        course = Course.model_validate(doc.data)
    except ValidationError as error:
        problems += [schema_problem(detail, doc, file) for detail in error.errors()]
    if problems or course is None:
        return None, _in_order(problems)

    course._root = root.resolve()
    for page in course.pages():
        for block in page.blocks:
            if isinstance(block, TextBlock) and block.file is not None:
                block.markdown = (root / block.file).read_bytes().decode("utf-8-sig")
    return course, []


def _in_order(problems: list[Problem]) -> list[Problem]:
    """Top to bottom of the file, each problem once."""
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.file, p.line or 0))
