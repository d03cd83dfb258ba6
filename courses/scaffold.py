"""A new course folder an author can start from (``courseforge new``).

The starter is a working course, not a blank form: it loads without problems, shows each part of
the format once (a section, a Markdown page, a quiz) and explains in its own words where to go
next. Ids are generated short and random, so they stay unique when the author copies and edits
pages, and never need renaming when titles change.
"""

from __future__ import annotations

import json
import re
import secrets
import unicodedata
from pathlib import Path

from courses.model import Course

BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
TITLE_MAX: int = next(rule.max_length for rule in Course.model_fields["title"].metadata if hasattr(rule, "max_length"))


class ScaffoldError(Exception):
    """The course folder cannot be created where asked."""


def new_id(prefix: str) -> str:
    """``p-`` + 6 random base32 characters: short to type, about a billion possibilities."""
    return f"{prefix}-" + "".join(secrets.choice(BASE32) for _ in range(6))


def course_id(title: str) -> str:
    """A readable id from the title (it names the package in the LMS), made unique by a suffix."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:40].strip("-")
    return new_id(slug or "course")


COURSE_YAML = """\
# {title}: a course for courseforge.
# Every element has an id. Keep ids when you edit: learners' saved progress points at them.
# Check your work with `courseforge validate .`; `courseforge schema` prints every field allowed here.
id: {course_id}
title: {title_yaml}
language: en
version: "1.0.0"
completion: all_pages_viewed   # or quiz_passed, or both
passing_score: 80              # percent of all quiz points
navigation: free               # or linear: a page opens once the one before was seen
sections:
  - id: {section_id}
    title: Getting started
    pages:
      - id: {page1_id}
        title: Welcome
        blocks:
          - type: text
            id: {text_id}
            file: text/welcome.md
      - id: {page2_id}
        title: Check your understanding
        blocks:
          - type: quiz
            id: {quiz_id}
            title: Quick check
            questions:
              - type: single_choice
                id: {q1_id}
                prompt: Where do images, video and audio for this course go?
                choices:
                  - id: {c1_id}
                    text: In the media folder of the course
                    correct: true
                  - id: {c2_id}
                    text: Anywhere on my computer
                    feedback: Files outside the course folder are not packaged.
              - type: true_false
                id: {q2_id}
                prompt: Every page, block and question needs an id that is unique in the course.
                answer: true
                feedback:
                  correct: Right. Ids let learners resume where they left off after you republish.
                  incorrect: They do; ids let learners resume where they left off after you republish.
"""

WELCOME_MD = """\
# Welcome

This page is written in **Markdown** in `text/welcome.md`. Replace this text with your own.

## How a course is put together

- `course.yaml` lists the sections, their pages and the blocks on each page, in reading order.
- A page holds blocks: `text` (Markdown, from a file like this one or written inline with
  `markdown:`), `image` (with `alt` text for screen readers), `video` (with `captions` in WebVTT),
  `narration` (a recording, or a `script` read by text-to-speech) and `quiz`.
- Quizzes offer `single_choice`, `multiple_response`, `true_false`, `fill_in`, `matching` and
  `ordering` questions.
- Images, video, audio and captions go in the `media/` folder; refer to them as `media/NAME`.

## Next steps

1. Edit `course.yaml` and this file.
2. Run `courseforge validate .` to list any mistakes, with file, line and field.
3. Run `courseforge preview .` to see the course, then `courseforge build .` to package it.
"""

MEDIA_README = """\
Put the course's images (png, jpg, gif, webp, svg), video (mp4, mov, m4v, webm, mkv), audio
(mp3, m4a, aac, wav, ogg, opus, flac) and WebVTT captions (.vtt) here, and refer to them from
course.yaml as media/NAME.
"""


def create_course(dest: Path, title: str) -> Path:
    """Write a starter course into ``dest`` (created; must be absent or empty) and return it."""
    dest = Path(dest)
    title = " ".join(title.split())
    if not title:
        raise ScaffoldError("the course title must not be empty")
    if len(title) > TITLE_MAX:
        raise ScaffoldError(f"the course title is {len(title)} characters long; keep it to {TITLE_MAX}")
    if dest.exists() and not dest.is_dir():
        raise ScaffoldError(f"{dest} already exists and is a file; choose another name")
    if dest.is_dir() and any(dest.iterdir()):
        raise ScaffoldError(f"{dest} already exists and is not empty; choose another name (nothing was changed)")
    ids = {
        name: new_id(prefix)
        for name, prefix in [
            ("section_id", "s"),
            ("page1_id", "p"),
            ("page2_id", "p"),
            ("text_id", "b"),
            ("quiz_id", "b"),
            ("q1_id", "q"),
            ("q2_id", "q"),
            ("c1_id", "c"),
            ("c2_id", "c"),
        ]
    }
    if len(set(ids.values())) != len(ids):  # one in a billion; try again rather than ship a clash
        return create_course(dest, title)
    try:
        (dest / "text").mkdir(parents=True, exist_ok=True)
        (dest / "media").mkdir()
        (dest / "course.yaml").write_text(
            COURSE_YAML.format(
                title=title, title_yaml=json.dumps(title, ensure_ascii=False), course_id=course_id(title), **ids
            ),
            encoding="utf-8",
        )
        (dest / "text" / "welcome.md").write_text(WELCOME_MD, encoding="utf-8")
        (dest / "media" / "README.md").write_text(MEDIA_README, encoding="utf-8")
    except OSError as error:
        raise ScaffoldError(f"could not create {dest}: {error.strerror or error}") from error
    return dest
