"""Loading course folders: every kind of author mistake comes back as one exact, located line.

Each test writes a small course folder into tmp_path. ``HEAD`` is lines 1-9 of course.yaml, so
the first block a test writes starts on line 10.
"""
from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from courses.errors import CourseLoadError, Problem
from courses.loader import check_course, load_course
from courses.model import TextBlock
from courses.source import FolderSource
from player.render import render_site

HEAD = """\
id: demo
title: Demo course
sections:
  - id: s1
    title: Basics
    pages:
      - id: p1
        title: First page
        blocks:
"""
TEXT_BLOCK = """\
- type: text
  id: b1
  markdown: Hello
"""
ID_RULE = "use only letters, digits, '-' and '_', start with a letter or digit, at most 64 characters"
B = "sections[0].pages[0].blocks"
Q = f"{B}[0].questions"


def write_course(folder: Path, blocks: str = TEXT_BLOCK, head: str = HEAD,
                 files: dict[str, bytes | str] | None = None) -> Path:
    """A course folder: ``head``, then ``blocks`` indented under ``blocks:``, plus extra files."""
    folder.mkdir(parents=True, exist_ok=True)
    text = head + textwrap.indent(textwrap.dedent(blocks), " " * 10)
    (folder / "course.yaml").write_text(text, encoding="utf-8")
    for name, content in (files or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def problems(folder: Path) -> list[str]:
    return [str(problem) for problem in check_course(folder)]


def quiz(questions: str) -> str:
    """A quiz block (lines 10-13) whose questions start on line 14."""
    head = "- type: quiz\n  id: b1\n  title: Check\n  questions:\n"
    return head + textwrap.indent(textwrap.dedent(questions), "    ")


# --------------------------------------------------------------------------- reading the file
def test_yaml_syntax_error_names_the_line(tmp_path):
    write_course(tmp_path, """\
        - type: text
          id: b1
          markdown: Note: colons need quotes
    """)
    assert problems(tmp_path) == [
        "course.yaml:12: YAML syntax error: mapping values are not allowed here; "
        "put text that contains ': ' in quotes"]


def test_tab_indentation_is_explained(tmp_path):
    (tmp_path / "course.yaml").write_text("id: demo\n\ttitle: Demo\n", encoding="utf-8")
    assert problems(tmp_path) == [
        "course.yaml:2: YAML syntax error: found character '\\t' that cannot start any token "
        "(while scanning for the next token); indent with spaces, YAML does not allow tabs"]


def test_missing_course_yaml(tmp_path):
    assert problems(tmp_path) == [
        f"course.yaml: no course.yaml in {tmp_path}; every course folder needs one "
        "(`courseforge new NAME` creates a course to start from)"]


def test_missing_folder(tmp_path):
    assert problems(tmp_path / "nowhere") == [
        f"course.yaml: {tmp_path / 'nowhere'} does not exist; give a course folder or its course.yaml"]


@pytest.mark.parametrize("text", ["", "\n\n", "# just a comment\n"])
def test_empty_file(tmp_path, text):
    (tmp_path / "course.yaml").write_text(text, encoding="utf-8")
    assert problems(tmp_path) == [
        "course.yaml: the file is empty; it should describe a course (`courseforge new NAME` writes one to start from)"]


def test_top_level_must_be_a_mapping(tmp_path):
    (tmp_path / "course.yaml").write_text("# my course\n- id: demo\n- title: Demo\n", encoding="utf-8")
    assert problems(tmp_path) == [
        "course.yaml:2: the top level should be a mapping of course fields (id:, title:, sections:, ...), "
        "but is a list"]


def test_course_yaml_not_utf8(tmp_path):
    (tmp_path / "course.yaml").write_bytes(b"id: demo\ntitle: Caf\xe9\n")
    assert problems(tmp_path) == ["course.yaml:2: not UTF-8 text (byte 0xe9); save the file with UTF-8 encoding"]


def test_duplicate_yaml_key(tmp_path):
    write_course(tmp_path, """\
        - type: text
          id: b1
          markdown: First version
          markdown: Second version
    """)
    assert problems(tmp_path) == [
        f"course.yaml:13: {B}[0].markdown: 'markdown' appears twice here (first on line 12); "
        "only the last one would count, so keep one"]


# --------------------------------------------------------------------------- schema, in plain words
def test_unknown_field_suggests_the_close_one_and_reports_the_missing_one(tmp_path):
    write_course(tmp_path, """\
        - type: image
          id: b1
          src: media/chart.png
          atl: A chart of sales
    """, files={"media/chart.png": b"\x89PNG"})
    assert problems(tmp_path) == [
        f"course.yaml:10: {B}[0].alt: required field is missing",
        f"course.yaml:13: {B}[0].atl: unknown field 'atl' (did you mean 'alt'?)",
    ]


def test_unknown_field_without_a_close_match_lists_the_allowed_ones(tmp_path):
    write_course(tmp_path, head=HEAD.replace("        title: First page\n",
                                             "        title: First page\n        colour: red\n"))
    assert problems(tmp_path) == [
        "course.yaml:9: sections[0].pages[0].colour: unknown field 'colour'; "
        "the fields allowed here are: blocks, id, title"]


def test_wrong_type_says_what_was_found(tmp_path):
    write_course(tmp_path, head=HEAD.replace("title: Demo course\n", "title: Demo course\nversion: 1.0\n"), blocks="""\
        - type: quiz
          id: b1
          title: Check
          questions:
            - type: true_false
              id: q1
              prompt: Is it?
              answer: maybe
    """)
    assert problems(tmp_path) == [
        "course.yaml:3: version: should be text, but is the number 1.0; put it in quotes",
        f"course.yaml:18: {B}[0].questions[0].answer: should be true or false, but is the text 'maybe'",
    ]


def test_value_not_among_the_allowed_ones(tmp_path):
    write_course(tmp_path, head="completion: quiz_passd\n" + HEAD)
    assert problems(tmp_path) == [
        "course.yaml:1: completion: 'quiz_passd' is not one of the allowed values: "
        "all_pages_viewed, quiz_passed, both (did you mean 'quiz_passed'?)"]


def test_unknown_and_missing_block_type(tmp_path):
    write_course(tmp_path, """\
        - type: vidoe
          id: b1
        - id: b2
          markdown: Hello
    """)
    assert problems(tmp_path) == [
        f"course.yaml:10: {B}[0].type: 'vidoe' is not a known type; "
        "use one of: text, image, video, narration, quiz (did you mean 'video'?)",
        f"course.yaml:12: {B}[1].type: required field is missing; "
        "it names the kind, one of: text, image, video, narration, quiz",
    ]


def test_invalid_id(tmp_path):
    write_course(tmp_path, head=HEAD.replace("- id: p1", "- id: first page"))
    assert problems(tmp_path) == [f"course.yaml:7: sections[0].pages[0].id: 'first page' is not a valid id: {ID_RULE}"]


def test_empty_text_and_empty_list(tmp_path):
    write_course(tmp_path, TEXT_BLOCK + "- type: quiz\n  id: b2\n  title: ''\n  questions: []\n")
    assert problems(tmp_path) == [
        f"course.yaml:15: {B}[1].title: must not be empty",
        f"course.yaml:16: {B}[1].questions: needs at least 1 item, has 0",
    ]


def test_number_out_of_range(tmp_path):
    write_course(tmp_path, head="passing_score: 150\n" + HEAD)
    assert problems(tmp_path) == ["course.yaml:1: passing_score: must be at most 100, but is 150"]


def test_rule_of_one_element_points_at_it(tmp_path):
    write_course(tmp_path, quiz("""\
        - type: single_choice
          id: q1
          prompt: Which one?
          choices:
            - {id: c1, text: This}
            - {id: c2, text: That}
    """))
    assert problems(tmp_path) == [
        f"course.yaml:14: {Q}[0]: a single_choice question needs exactly one choice with correct: true"]


def test_completion_by_quiz_without_quiz_points_at_completion(tmp_path):
    write_course(tmp_path, head=HEAD.replace("title: Demo course\n", "title: Demo course\ncompletion: both\n"))
    assert problems(tmp_path) == ["course.yaml:3: completion: completion 'both' needs at least one quiz block"]


# --------------------------------------------------------------------------- ids across the course
def test_duplicate_id_names_both_places(tmp_path):
    write_course(tmp_path, TEXT_BLOCK.replace("id: b1", "id: p1"))
    assert problems(tmp_path) == [
        f"course.yaml:11: {B}[0].id: id 'p1' is already used by sections[0].pages[0] (line 7); "
        "every id in a course must be different"]


def test_ids_differing_only_in_case(tmp_path):
    write_course(tmp_path, quiz("""\
        - type: true_false
          id: B1
          prompt: Is it?
          answer: true
    """))
    assert problems(tmp_path) == [
        f"course.yaml:15: {Q}[0].id: id 'B1' differs from 'b1' of {B}[0] (line 10) only in letter case; "
        "ids become file names, so they must differ by more than case"]


# --------------------------------------------------------------------------- referenced files
def test_missing_files_with_and_without_a_suggestion(tmp_path):
    write_course(tmp_path, """\
        - type: video
          id: b1
          src: media/intro.mp4
          title: Introduction
          captions: media/intro.vtt
    """, files={"media/Intro.mp4": b"\x00\x00\x00\x18ftypmp42"})
    assert problems(tmp_path) == [
        f"course.yaml:12: {B}[0].src: file media/intro.mp4 not found (did you mean media/Intro.mp4?)",
        f"course.yaml:14: {B}[0].captions: file media/intro.vtt not found",
    ]


def test_paths_leaving_the_course_folder(tmp_path):
    outside = tmp_path / "shared"
    (outside / "logo.png").parent.mkdir()
    (outside / "logo.png").write_bytes(b"\x89PNG")
    course = write_course(tmp_path / "course", """\
        - type: image
          id: b1
          src: ../shared/logo.png
          alt: Logo
        - type: image
          id: b2
          src: /etc/logo.png
          alt: Logo
        - type: image
          id: b3
          src: media/logo.png
          alt: Logo
        - type: image
          id: b4
          src: media\\logo.png
          alt: Logo
    """)
    (course / "media").mkdir()
    os.symlink(outside / "logo.png", course / "media" / "logo.png")
    assert problems(course) == [
        f"course.yaml:12: {B}[0].src: '../shared/logo.png' points outside the course folder; keep every file inside it",
        f"course.yaml:16: {B}[1].src: '/etc/logo.png' is an absolute path; give a path inside the course folder, "
        "like media/intro.mp4",
        f"course.yaml:20: {B}[2].src: media/logo.png is a link to {outside / 'logo.png'}, outside the course folder; "
        "copy the file into the course folder instead",
        f"course.yaml:24: {B}[3].src: 'media\\logo.png' uses '\\'; separate folders with '/', like media/intro.mp4",
    ]


def test_wrong_kind_of_file(tmp_path):
    write_course(tmp_path, """\
        - type: image
          id: b1
          src: media/diagram.bmp
          alt: Diagram
        - type: narration
          id: b2
          src: media/voice.mp4
        - type: text
          id: b3
          file: text/intro.docx
    """, files={"media/diagram.bmp": b"BM", "media/voice.mp4": b"", "text/intro.docx": b"PK"})
    assert problems(tmp_path) == [
        f"course.yaml:12: {B}[0].src: media/diagram.bmp is not an image file; use one of: .png, .jpg, .jpeg, .gif, "
        ".webp, .svg",
        f"course.yaml:16: {B}[1].src: media/voice.mp4 is not an audio file; use one of: .mp3, .m4a, .aac, .wav, "
        ".ogg, .opus, .flac",
        f"course.yaml:19: {B}[2].file: text/intro.docx is not a Markdown file; use one of: .md, .markdown",
    ]


def test_captions_must_be_webvtt(tmp_path):
    write_course(tmp_path, """\
        - type: narration
          id: b1
          src: media/voice.mp3
          captions: media/voice.vtt
    """, files={"media/voice.mp3": b"ID3", "media/voice.vtt": "1\n00:00:00,000 --> 00:00:01,000\nHi\n"})
    assert problems(tmp_path) == [
        f"course.yaml:13: {B}[0].captions: media/voice.vtt is not a WebVTT file: its first line must start with WEBVTT"]


def test_markdown_file_not_utf8(tmp_path):
    write_course(tmp_path, """\
        - type: text
          id: b1
          file: text/intro.md
    """, files={"text/intro.md": b"# Intro\n\nCaf\xe9 culture\n"})
    assert problems(tmp_path) == [
        f"course.yaml:12: {B}[0].file: text/intro.md is not UTF-8 text (byte 0xe9 on its line 3); "
        "save it with UTF-8 encoding"]


def test_folder_given_as_a_file(tmp_path):
    write_course(tmp_path, """\
        - type: text
          id: b1
          file: text/intro.md
    """, files={"text/intro.md/readme.txt": "x"})
    assert problems(tmp_path) == [f"course.yaml:12: {B}[0].file: text/intro.md is a folder, not a file"]


# --------------------------------------------------------------------------- questions a learner can answer
def test_matching_sources_and_targets_must_not_repeat(tmp_path):
    write_course(tmp_path, quiz("""\
        - type: matching
          id: q1
          prompt: Match the capitals
          pairs:
            - {id: m1, source: France, target: Paris}
            - {id: m2, source: france, target: Lyon}
            - {id: m3, source: Italy, target: paris}
    """))
    assert problems(tmp_path) == [
        f"course.yaml:19: {Q}[0].pairs[1].source: 'france' repeats the source of pairs[0] (line 18); "
        "learners could not tell them apart",
        f"course.yaml:20: {Q}[0].pairs[2].target: 'paris' repeats the target of pairs[0] (line 18); "
        "learners could not tell them apart",
    ]


def test_choices_must_differ(tmp_path):
    write_course(tmp_path, quiz("""\
        - type: multiple_response
          id: q1
          prompt: Which are fruit?
          choices:
            - {id: c1, text: Apple, correct: true}
            - {id: c2, text: "APPLE", correct: true}
    """))
    assert problems(tmp_path) == [
        f"course.yaml:19: {Q}[0].choices[1].text: 'APPLE' repeats the text of choices[0] (line 18); "
        "learners could not tell them apart"]


def test_ordering_items_must_differ(tmp_path):
    write_course(tmp_path, quiz("""\
        - type: ordering
          id: q1
          prompt: Put in order
          items:
            - id: o1
              text: Plan
            - id: o2
              text: Do
            - id: o3
              text: "plan "
    """))
    assert problems(tmp_path) == [
        f"course.yaml:23: {Q}[0].items[2].text: 'plan' repeats the text of items[0] (line 19); "
        "learners could not tell them apart"]


def test_fill_in_answers_colliding_when_case_is_ignored(tmp_path):
    write_course(tmp_path, quiz("""\
        - type: fill_in
          id: q1
          prompt: Capital of France?
          accepted: [Paris, paris, Paris]
        - type: fill_in
          id: q2
          prompt: Chemical symbol of sodium?
          case_sensitive: true
          accepted: [Na, NA]
    """))
    assert problems(tmp_path) == [
        f"course.yaml:17: {Q}[0].accepted[1]: 'paris' is the same answer as accepted[0] 'Paris' when letter case "
        "is ignored (case_sensitive is false); list it once",
        f"course.yaml:17: {Q}[0].accepted[2]: 'Paris' is already accepted[0]; list each answer once",
    ]


# --------------------------------------------------------------------------- all at once
def test_several_mistakes_are_reported_together_in_file_order(tmp_path):
    head = HEAD.replace("title: Demo course\n", "title: Demo course\nnavigation: linar\n")
    write_course(tmp_path, head=head, blocks="""\
        - type: image
          id: b1
          src: media/missing.png
        - type: text
          id: b1
          file: text/a.md
          markdown: Also inline
    """, files={"text/a.md": "# A\n"})
    with pytest.raises(CourseLoadError) as caught:
        load_course(tmp_path)
    expected = [
        "course.yaml:3: navigation: 'linar' is not one of the allowed values: free, linear (did you mean 'linear'?)",
        f"course.yaml:11: {B}[0].alt: required field is missing",
        f"course.yaml:13: {B}[0].src: file media/missing.png not found",
        f"course.yaml:14: {B}[1]: a text block needs exactly one of 'file' or 'markdown'",
        f"course.yaml:15: {B}[1].id: id 'b1' is already used by {B}[0] (line 11); every id in a course must be "
        "different",
    ]
    assert [str(p) for p in caught.value.problems] == expected
    assert str(caught.value) == f"5 problems in {tmp_path}:\n" + "\n".join("  " + line for line in expected)


@pytest.mark.parametrize("text", [
    "sections: just text\n",
    "id: c\ntitle: t\nsections: [1, [2], {pages: 5, id: [1]}, {id: s, title: t, pages: [{id: p, title: t, "
    "blocks: [{type: [1], id: {a: 1}}, {type: quiz, questions: [{type: [x]}, {type: matching, pairs: [1, "
    "{source: [1]}]}, {type: fill_in, accepted: [1, null, a]}]}]}]}]\n",
    "a: &x [*x]\nsections: *x\n",
    "1: 2\n? [a, b]\n: 3\n",
    "id: x\n\x07\n",
    "[" * 600 + "]" * 600,
    "id: c\n---\nid: d\n",
    "id: !python/object:os.system echo\n",
])
def test_odd_input_never_raises(tmp_path, text):
    (tmp_path / "course.yaml").write_text(text, encoding="utf-8")
    found = check_course(tmp_path)
    assert found and all(isinstance(p, Problem) and str(p).startswith("course.yaml") for p in found)


# --------------------------------------------------------------------------- success
def test_successful_load_keeps_file_references_and_renders_markdown_files(tmp_path):
    write_course(tmp_path, """\
        - type: text
          id: b1
          file: text/intro.md
        - type: image
          id: b2
          src: media/chart.png
          alt: Sales by month
        - type: video
          id: b3
          src: media/intro.mp4
          title: Introduction
          captions: media/intro.vtt
          poster: media/chart.png
    """, files={"text/intro.md": "\ufeff# Intro\n\nCafé ☕\n", "media/chart.png": b"\x89PNG",
                "media/intro.mp4": b"\x00", "media/intro.vtt": "\ufeffWEBVTT\n\n"})
    for source in (tmp_path, tmp_path / "course.yaml", str(tmp_path)):
        course = load_course(source)
        text = course.pages()[0].blocks[0]
        # The model says what the file says; the Markdown is read from the course source when rendered.
        assert isinstance(text, TextBlock) and (text.file, text.markdown) == ("text/intro.md", None)
        page = render_site(course, {}, "web", FolderSource(tmp_path))["pages/p1.html"].decode()
        assert "Café ☕" in page and "\ufeff" not in page
    assert check_course(tmp_path) == []
