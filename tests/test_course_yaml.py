"""course.yaml written back after an edit changes only what the author changed: a changed value
is rewritten in place in its style, a new element comes in its siblings' style, a removed one
goes with its lines, a moved one moves; every other line stays byte for byte, and the result
always loads as the new course (a file that cannot be edited in place is written whole)."""
from __future__ import annotations

import copy
import difflib
import shutil
from collections.abc import Callable
from typing import Any

from authoring_app import (  # noqa: F401 - fixtures
    SAMPLE,
    app,
    imported_sample,
    postgres_database,
    postgres_server,
    quick_argon2,
    signed_in,
    zip_bytes,
)

from authoring import course_yaml as writer
from authoring.course_yaml import HEADER, course_document, course_yaml, dumped_yaml
from courses.loader import load_course
from courses.model import Course
from courses.yaml_lines import parse_yaml

SAMPLE_YAML = (SAMPLE / "course.yaml").read_bytes()

HANDWRITTEN = b"""\
# A hand-written course: comments, uneven indents and every scalar style.
id: handmade   # the course id
title: 'Hand made: a test'
language: en
description: >
    A course written by hand, folded over
    three lines of uneven length, with
    a final line.
passing_score: 75
voice: {engine: espeak-ng, speed: 150}

sections:
- id: s-one        # dashes at the key's column
  title: "One"
  pages:
      - id: p-first
        title: First page
        blocks:
           - id: t-first
             type: text
             markdown: |
               # Heading

               Some *text*.
           - {id: i-first, type: image, src: media/a.png, alt: "An image, in a flow mapping"}
      # the second page
      - id: p-second
        title: Second
        blocks:
          - type: quiz
            id: quiz-one
            title: Check
            questions:
                -   id: q-one
                    type: fill_in
                    prompt: Say "ok"
                    accepted: [ok, 'OK', "k"]   # any of these

                -   id: q-two
                    type: single_choice
                    prompt: >-
                      Pick one of these two
                      choices, please.
                    choices:
                      - {id: c-a, text: A, correct: true}
                      - id: c-b
                        text: B
- id: s-two
  title: Two
  pages:
    - id: p-third
      title: Third
      blocks:
        - type: text
          id: t-third
          markdown: Plain text on one line
"""


def document_of(data: bytes) -> dict[str, Any]:
    """What the loader's parser and the model read from course.yaml's bytes."""
    doc, problems = parse_yaml(data.decode("utf-8-sig"), "course.yaml")
    assert doc is not None and not problems, problems
    return course_document(Course.model_validate(doc.data))


def edited(previous: bytes, change: Callable[[dict[str, Any]], None]) -> tuple[bytes, dict[str, Any]]:
    """course.yaml after ``change`` to its course, and the new course's document; the bytes must
    load as exactly that document."""
    document = copy.deepcopy(document_of(previous))
    change(document)
    course = Course.model_validate(document)
    written = course_yaml(course, previous)
    assert document_of(written) == course_document(course)
    return written, course_document(course)


def changes(before: bytes, after: bytes) -> list[str]:
    """The changed lines, as ``-old`` and ``+new``, without line breaks."""
    return [
        line.rstrip("\r\n")
        for line in difflib.unified_diff(before.decode().splitlines(True), after.decode().splitlines(True), n=0)
        if line[:1] in "-+" and not line.startswith(("---", "+++"))
    ]


def line_of(data: bytes, start: str) -> str:
    return next(line for line in data.decode().splitlines() if line.lstrip().startswith(start))


def element(document: dict[str, Any], element_id: str) -> dict[str, Any]:
    """The section, page, block or question with this id."""
    found = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("id") == element_id:
                found.append(value)
            for child in value.values():
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    walk(document)
    assert len(found) == 1
    return found[0]


def lines_between(data: bytes, first: str, last: str) -> list[str]:
    lines = data.decode().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == first)
    end = next(i for i in range(start, len(lines)) if lines[i].strip() == last)
    return lines[start : end + 1]


# --------------------------------------------------------------------------- the sample course
def test_one_changed_alt_text_changes_one_line_of_its_folded_block():
    old = "harb0urco.example uses a zero instead of the letter o; 2, the subject threatens to"
    new = old.replace("a zero", "the digit zero")

    def change(document):
        image = element(document, "i-phishing-email")
        image["alt"] = image["alt"].replace("a zero", "the digit zero")

    written, _ = edited(SAMPLE_YAML, change)
    assert changes(SAMPLE_YAML, written) == [f"-              {old}", f"+              {new}"]


def test_the_sample_still_loads_through_the_loader_with_its_files(tmp_path):
    folder = tmp_path / "course"
    shutil.copytree(SAMPLE, folder)
    written, document = edited(SAMPLE_YAML, lambda d: element(d, "i-mfa-flow").update(alt="Two sign-in attempts."))
    (folder / "course.yaml").write_bytes(written)
    assert course_document(load_course(folder)) == document
    assert changes(SAMPLE_YAML, written)[-1] == "+              Two sign-in attempts."  # still folded


def test_renaming_a_page_changes_its_title_line_only():
    written, _ = edited(SAMPLE_YAML, lambda d: element(d, "p-mfa").update(title="Two-step sign-in"))
    assert changes(SAMPLE_YAML, written) == ["-        title: Multi-factor authentication",
                                             "+        title: Two-step sign-in"]


def test_a_title_that_needs_quotes_gets_them():
    written, _ = edited(SAMPLE_YAML, lambda d: element(d, "p-mfa").update(title="MFA: a #1 habit"))
    assert changes(SAMPLE_YAML, written)[1] == "+        title: 'MFA: a #1 habit'"


def test_a_changed_setting_is_one_line_and_a_new_one_is_written_after_its_neighbour():
    written, _ = edited(SAMPLE_YAML, lambda d: d.update(passing_score=70))
    assert changes(SAMPLE_YAML, written) == ["-passing_score: 80", "+passing_score: 70"]
    written, _ = edited(SAMPLE_YAML, lambda d: d.update(theme={"font": "serif"}))
    assert changes(SAMPLE_YAML, written) == ["+theme:", "+  font: serif"]
    assert b"  speed: 160\ntheme:\n  font: serif\n\nsections:\n" in written


def test_a_new_page_comes_in_the_style_of_its_siblings():
    page = {"id": "p-passkeys", "title": "Passkeys",
            "blocks": [{"type": "text", "id": "t-passkeys", "markdown": "Passkeys replace passwords.\n\nTry one."}]}
    written, _ = edited(SAMPLE_YAML, lambda d: element(d, "s-habits")["pages"].insert(1, page))
    assert changes(SAMPLE_YAML, written) == [
        "+      - id: p-passkeys",
        "+        title: Passkeys",
        "+        blocks:",
        "+          - type: text",  # the siblings' key order: type before id
        "+            id: t-passkeys",
        "+            markdown: |-",
        "+              Passkeys replace passwords.",
        "+",
        "+              Try one.",
        "+",  # pages are set apart by a blank line
    ]
    assert lines_between(written, "file: pages/updates.md", "- id: p-public-wifi")[1:-1] == [
        "", "      - id: p-passkeys", "        title: Passkeys", "        blocks:", "          - type: text",
        "            id: t-passkeys", "            markdown: |-", "              Passkeys replace passwords.", "",
        "              Try one.", "",
    ]


def test_a_new_block_and_a_new_question_follow_their_siblings():
    block = {"type": "image", "id": "i-welcome", "src": "media/phishing-email.png", "alt": "The mailbox warning"}
    written, _ = edited(SAMPLE_YAML, lambda d: element(d, "p-welcome")["blocks"].append(block))
    assert changes(SAMPLE_YAML, written) == [
        "+          - type: image", "+            id: i-welcome", "+            src: media/phishing-email.png",
        "+            alt: The mailbox warning",
    ]
    assert b"file: pages/welcome.md\n          - type: image\n" in written  # blocks have no blank line between
    question = {"id": "q-report", "type": "true_false", "points": 2.0, "prompt": "Report phishing at once.",
                "answer": True, "feedback": {"correct": "Yes."}}
    written, _ = edited(SAMPLE_YAML, lambda d: element(d, "quiz-phishing")["questions"].append(question))
    assert changes(SAMPLE_YAML, written) == [  # set apart by a blank line, as the other questions
        "+              - id: q-report", "+                type: true_false", "+                points: 2",
        "+                prompt: Report phishing at once.", "+                answer: true",
        "+                feedback:", "+                  correct: Yes.", "+",
    ]
    assert b"judge the\n                    request, not the presentation.\n\n              - id: q-report\n" in written


def test_a_deleted_block_takes_exactly_its_lines():
    written, _ = edited(SAMPLE_YAML, lambda d: element(d, "p-mfa")["blocks"].pop(1))
    assert changes(SAMPLE_YAML, written) == [
        "-          - type: text", "-            id: t-mfa", "-            file: pages/mfa.md",
    ]


def test_a_page_moved_to_another_section_moves_with_its_lines():
    page_lines = lines_between(SAMPLE_YAML, "- id: p-spot-phish", "file: pages/spot-phish.md")

    def move(document):
        page = element(document, "p-spot-phish")
        element(document, "s-phishing")["pages"].remove(page)
        element(document, "s-wrap-up")["pages"].insert(1, page)

    written, _ = edited(SAMPLE_YAML, move)
    diff = changes(SAMPLE_YAML, written)
    assert [line[1:] for line in diff if line.startswith("-") and line[1:].strip()] == page_lines
    assert [line[1:] for line in diff if line.startswith("+") and line[1:].strip()] == page_lines
    assert lines_between(written, "- id: p-summary", "- id: p-final")[-len(page_lines) - 3 :] == \
        ["", *page_lines, "", "      - id: p-final"]


def test_blocks_reordered_within_a_page_keep_their_text():
    def swap(document):
        blocks = element(document, "p-final")["blocks"]
        blocks.reverse()

    written, document = edited(SAMPLE_YAML, swap)
    assert [b["id"] for b in element(document, "p-final")["blocks"]] == ["quiz-final", "t-final-intro"]
    assert sorted(line[1:] for line in changes(SAMPLE_YAML, written) if line[0] == "-") == \
        sorted(line[1:] for line in changes(SAMPLE_YAML, written) if line[0] == "+")


def test_crlf_line_breaks_and_a_byte_order_mark_are_kept():
    previous = b"\xef\xbb\xbf" + SAMPLE_YAML.replace(b"\n", b"\r\n")
    written, _ = edited(previous, lambda d: element(d, "p-welcome")["blocks"].append(
        {"type": "text", "id": "t-more", "markdown": "More"}))
    assert written.startswith(b"\xef\xbb\xbf# Sample course")
    assert b"\n" not in written.replace(b"\r\n", b"")
    assert changes(previous.replace(b"\r\n", b"\n"), written.replace(b"\r\n", b"\n")) == [
        "+          - type: text", "+            id: t-more", "+            markdown: More",
    ]


# --------------------------------------------------------------------------- a hand-written file
def test_hand_written_styles_are_kept_where_values_change():
    def change(document):
        document["description"] = document["description"].replace("uneven length", "very uneven length")
        element(document, "s-one")["title"] = "Uno"
        element(document, "i-first")["alt"] = "An image, still in a flow mapping"
        text = element(document, "t-first")
        text["markdown"] = text["markdown"].replace("*text*", "**text**")
        element(document, "q-one")["accepted"].append("okay")
        element(document, "q-two")["prompt"] = "Pick one of these two choices, now."
        document["voice"]["speed"] = 170

    written, _ = edited(HANDWRITTEN, change)
    assert changes(HANDWRITTEN, written) == [
        "-    three lines of uneven length, with",
        "+    three lines of very uneven length, with",
        "-voice: {engine: espeak-ng, speed: 150}",
        "+voice: {engine: espeak-ng, speed: 170}",
        '-  title: "One"',
        '+  title: "Uno"',
        "-               Some *text*.",
        '-           - {id: i-first, type: image, src: media/a.png, alt: "An image, in a flow mapping"}',
        "+               Some **text**.",
        '+           - {id: i-first, type: image, src: media/a.png, alt: "An image, still in a flow mapping"}',
        "-                    accepted: [ok, 'OK', \"k\"]   # any of these",
        "+                    accepted: [ok, 'OK', \"k\", okay]   # any of these",
        "-                      choices, please.",
        "+                      choices, now.",
    ]


def test_hand_written_additions_follow_the_uneven_indents_of_their_siblings():
    def change(document):
        element(document, "s-one")["pages"].append(
            {"id": "p-fourth", "title": "Fourth", "blocks": [{"type": "text", "id": "t-fourth", "markdown": "Four"}]})
        element(document, "p-third")["blocks"].append({"type": "text", "id": "t-more", "markdown": "More"})
        element(document, "q-two")["choices"].append({"id": "c-c", "text": "C"})

    written, _ = edited(HANDWRITTEN, change)
    assert changes(HANDWRITTEN, written) == [
        "+                      - id: c-c",
        "+                        text: C",
        "+      - id: p-fourth",  # like p-second, the page before it: blocks' dashes 2 in, type before id
        "+        title: Fourth",
        "+        blocks:",
        "+          - type: text",
        "+            id: t-fourth",
        "+            markdown: Four",
        "+        - type: text",
        "+          id: t-more",
        "+          markdown: More",
    ]


def test_hand_written_deletions_and_moves():
    def change(document):
        element(document, "quiz-one")["questions"].pop(0)
        page = element(document, "p-third")
        element(document, "s-two")["pages"].append(
            {"id": "p-kept", "title": "Kept", "blocks": [{"type": "text", "id": "t-kept", "markdown": "Kept"}]})
        element(document, "s-two")["pages"].remove(page)
        element(document, "s-one")["pages"].insert(0, page)

    written, _ = edited(HANDWRITTEN, change)
    assert "\n".join(changes(HANDWRITTEN, written)).startswith("\n".join([
        "+      - id: p-third",  # moved two columns in, as its new siblings
        "+        title: Third",
        "+        blocks:",
        "+          - type: text",
        "+            id: t-third",
        "+            markdown: Plain text on one line",
        "-                -   id: q-one",  # the deleted question, with the blank line after it
        "-                    type: fill_in",
        '-                    prompt: Say "ok"',
        "-                    accepted: [ok, 'OK', \"k\"]   # any of these",
        "-",
    ]))
    assert written.endswith(b"""\
                    choices:
                      - {id: c-a, text: A, correct: true}
                      - id: c-b
                        text: B
- id: s-two
  title: Two
  pages:
    - id: p-kept
      title: Kept
      blocks:
        - type: text
          id: t-kept
          markdown: Kept
""")


def test_a_moved_page_takes_the_comment_above_it_along():
    def move(document):
        page = element(document, "p-second")
        element(document, "s-one")["pages"].remove(page)
        element(document, "s-two")["pages"].append(page)

    written, _ = edited(HANDWRITTEN, move)
    assert written.count(b"# the second page") == 1
    assert b"""\
          markdown: Plain text on one line
    # the second page
    - id: p-second
      title: Second
      blocks:
        - type: quiz
""" in written  # two columns out, as its new siblings, its comment with it


def test_a_removed_field_goes_with_its_line_even_first_after_a_dash():
    def change(document):
        del element(document, "c-a")["correct"]
        element(document, "c-b")["correct"] = True
        del document["passing_score"]

    written, _ = edited(HANDWRITTEN, change)
    assert changes(HANDWRITTEN, written) == [
        "-passing_score: 75",
        "-                      - {id: c-a, text: A, correct: true}",
        "+                      - {id: c-a, text: A}",
        "+                        correct: true",
    ]


# --------------------------------------------------------------------------- written whole
ALIASED = b"""\
id: aliased
title: &same Same title
sections:
  - id: s-one
    title: *same
    pages:
      - id: p-one
        title: One
        blocks:
          - {type: text, id: t-one, markdown: One}
"""


def test_a_file_with_aliases_is_written_whole_and_loads_as_the_new_course():
    written, document = edited(ALIASED, lambda d: element(d, "p-one").update(title="Renamed"))
    assert written == dumped_yaml(Course.model_validate(document))
    assert written.startswith(HEADER.encode())


def test_an_edit_that_would_not_load_as_the_new_course_is_written_whole(monkeypatch):
    monkeypatch.setattr(writer._Splice, "document", lambda self, old, new: self.text.replace("One", "Wrong"))
    written, document = edited(ALIASED.replace(b"*same", b"Same title"), lambda d: d.update(title="New"))
    assert written == dumped_yaml(Course.model_validate(document))


def test_a_previous_file_that_does_not_load_is_replaced_whole():
    course = Course.model_validate(document_of(HANDWRITTEN))
    assert course_yaml(course, b"id: [unclosed") == dumped_yaml(course)
    assert course_yaml(course, b"\xff\xfe") == dumped_yaml(course)
    assert course_yaml(course, HANDWRITTEN) == HANDWRITTEN  # nothing changed: nothing rewritten


# --------------------------------------------------------------------------- through the editor
def test_a_block_saved_in_the_editor_changes_one_line_of_the_exported_course_yaml(app):
    ada = signed_in(app, "ada@example.org")
    course = imported_sample(ada)
    image = ada.client.get(f"/api/courses/{course}/blocks/i-phishing-email").get_json()["block"]
    caption = "The five warning signs in Sam's email. Any one of them is a reason to pause."
    saved = ada.api("PUT", f"/api/courses/{course}/blocks/i-phishing-email",
                    json={"base_revision": 1, "block": {**image, "caption": caption}})
    assert saved.status_code == 200, saved.get_json()
    exported = ada.client.get(f"/api/courses/{course}/export")
    assert exported.status_code == 200
    written = next(data for name, data in zip_bytes(exported.data).items() if name.endswith("/course.yaml"))
    assert changes(SAMPLE_YAML, written) == [
        "-            caption: The five warning signs in Sam's email. Any one is a reason to pause.",
        f"+            caption: {caption}",
    ]
    diff = ada.client.get(f"/api/courses/{course}/revisions/2/diff").get_json()["diffs"]["course.yaml"]
    assert [line[0] for line in diff.splitlines()[2:] if line[0] in "+-"] == ["-", "+"]


def test_a_diff_of_text_without_a_final_line_break_keeps_lines_apart(app):
    ada = signed_in(app, "ada@example.org")
    course = imported_sample(ada)
    for base, text in ((1, "One\nTwo"), (2, "One\nThree")):
        saved = ada.api("PUT", f"/api/courses/{course}/blocks/t-welcome/markdown",
                        json={"base_revision": base, "markdown": text})
        assert saved.status_code == 200, saved.get_json()
    diff = ada.client.get(f"/api/courses/{course}/revisions/3/diff").get_json()["diffs"]["pages/welcome.md"]
    assert diff.endswith(" One\n-Two\n\\ No newline at end of file\n+Three\n\\ No newline at end of file\n")


def test_undoing_the_last_change_gives_back_the_file_byte_for_byte(app):
    ada = signed_in(app, "ada@example.org")
    course = imported_sample(ada)
    image = ada.client.get(f"/api/courses/{course}/blocks/i-phishing-email").get_json()["block"]
    for base, alt in ((1, "Short"), (2, image["alt"])):  # the folded alt would come back wrapped otherwise
        saved = ada.api("PUT", f"/api/courses/{course}/blocks/i-phishing-email",
                        json={"base_revision": base, "block": {**image, "alt": alt}})
        assert saved.status_code == 200 and saved.get_json()["revision"] == base + 1, saved.get_json()
    exported = zip_bytes(ada.client.get(f"/api/courses/{course}/export").data)
    assert next(data for name, data in exported.items() if name.endswith("/course.yaml")) == SAMPLE_YAML


def test_a_duplicated_course_keeps_the_authors_layout_with_a_new_id_and_title(app):
    ada = signed_in(app, "ada@example.org")
    course = imported_sample(ada)
    copy_ = ada.api("POST", f"/api/courses/{course}/duplicate")
    assert copy_.status_code == 201, copy_.get_json()
    exported = ada.client.get(f"/api/courses/{copy_.get_json()['id']}/export")
    written = next(data for name, data in zip_bytes(exported.data).items() if name.endswith("/course.yaml"))
    changed = changes(SAMPLE_YAML, written)
    assert [line.split(":")[0].strip("-+ ") for line in changed] == ["id", "title", "id", "title"], changed
    assert line_of(written, "title:").endswith('(copy)"')
