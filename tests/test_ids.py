"""`courseforge ids`: new ids go into a hand-written course.yaml without disturbing anything else."""
from __future__ import annotations

import difflib
import os
import re
import shutil
import stat
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from ruamel.yaml import YAML

import courses.ids
from cli.main import cli
from courses.ids import Added, IdsError, fill_missing_ids, plan_ids, slug, write_plan
from courses.loader import MAX_COURSE_YAML_BYTES, load_course
from courses.model import Course

# Comments, uneven indentation, flow lists and mappings, quoted strings, and a missing id at every
# level: section, page, each block type, question, choice, pair and item.
HAND_WRITTEN = """\
# Written by hand: `courseforge ids` adds the ids that are missing.
id: hand-written   # the course keeps its id
title: 'Hand-written: a course'
completion: both
sections:
- title: "Basics"     # a section without an id
  pages:
     -    title: Reading      # five spaces before the dash, four after it
          blocks:
            - type: text
              file: text/intro.md
            - {type: text, markdown: "Inline *text*"}
            - type: image
              id: i-kept         # an id that exists stays
              src: media/plan.png
              alt: 'A plan of the office'
     - id: p-watch
       title: Watch and listen
       blocks:
       - type: video
         src: media/intro.mp4
         title: "Introduction video"
         captions: media/intro.vtt
       - type: narration
         script: >-
           Welcome to the course.
           Lock your screen.
- id: s-check
  title: Check yourself

  pages:
    - title: Quiz
      blocks:
        - type: quiz
          title: Quick check
          questions:
            - type: single_choice
              prompt: When do you lock your screen?
              choices:
                -
                  text: Every time I leave   # the mapping starts on the line after its dash
                  correct: true
                - {id: c-kept, text: Never}
            - type: multiple_response
              prompt: "Which are signs of phishing?"
              choices: [{text: Urgency, correct: true}, {text: A look-alike sender, correct: true}, {text: Your own thread}]
            - type: fill_in
              id: q-Kept
              prompt: One word, length or complexity?
              accepted: [length, "Length!"]
            - type: matching
              prompt: Match each channel
              pairs:
                - source: Smishing
                  target: Text messages
                -   source: Vishing     # three spaces after the dash
                    target: Phone calls
            - type: ordering
              prompt: Put the steps in order
              items:
              - text: Stop
              - text: Check
              - {text: Report}
"""
KEPT = {"id": "hand-written", "sections[0].pages[0].blocks[2].id": "i-kept", "sections[0].pages[1].id": "p-watch",
        "sections[1].id": "s-check", "sections[1].pages[0].blocks[0].questions[0].choices[1].id": "c-kept",
        "sections[1].pages[0].blocks[0].questions[2].id": "q-Kept"}
QUIZ = "sections[1].pages[0].blocks[0]"
MISSING = [
    "sections[0].id", "sections[0].pages[0].id", "sections[0].pages[0].blocks[0].id",
    "sections[0].pages[0].blocks[1].id", "sections[0].pages[1].blocks[0].id", "sections[0].pages[1].blocks[1].id",
    "sections[1].pages[0].id", f"{QUIZ}.id", f"{QUIZ}.questions[0].id", f"{QUIZ}.questions[0].choices[0].id",
    f"{QUIZ}.questions[1].id", f"{QUIZ}.questions[1].choices[0].id", f"{QUIZ}.questions[1].choices[1].id",
    f"{QUIZ}.questions[1].choices[2].id", f"{QUIZ}.questions[3].id", f"{QUIZ}.questions[3].pairs[0].id",
    f"{QUIZ}.questions[3].pairs[1].id", f"{QUIZ}.questions[4].id", f"{QUIZ}.questions[4].items[0].id",
    f"{QUIZ}.questions[4].items[1].id", f"{QUIZ}.questions[4].items[2].id",
]
# The only lines of HAND_WRITTEN that may differ afterwards: where an element without an id starts
# on its dash line ('- key:' is split so that id: comes first) or is a flow mapping.
GAINING_LINES = {
    '- title: "Basics"     # a section without an id\n',
    "     -    title: Reading      # five spaces before the dash, four after it\n",
    "            - type: text\n",
    '            - {type: text, markdown: "Inline *text*"}\n',
    "       - type: video\n",
    "       - type: narration\n",
    "    - title: Quiz\n",
    "        - type: quiz\n",
    "            - type: single_choice\n",
    "            - type: multiple_response\n",
    ("              choices: [{text: Urgency, correct: true}, {text: A look-alike sender, correct: true}, "
     "{text: Your own thread}]\n"),
    "            - type: matching\n",
    "                - source: Smishing\n",
    "                -   source: Vishing     # three spaces after the dash\n",
    "            - type: ordering\n",
    "              - text: Stop\n",
    "              - text: Check\n",
    "              - {text: Report}\n",
}
NEW_ID = re.compile(r"^[a-z]+(-[a-z0-9]+)*-[a-z2-7]{6}$")


def write_course(folder: Path, text: str = HAND_WRITTEN, newline: str = "\n", bom: bool = False) -> Path:
    (folder / "text").mkdir(parents=True)
    (folder / "media").mkdir()
    (folder / "text" / "intro.md").write_text("# Intro\n", encoding="utf-8")
    for name in ("plan.png", "intro.mp4"):
        (folder / "media" / name).write_bytes(b"placeholder: the loader only checks that it is there")
    (folder / "media" / "intro.vtt").write_text("WEBVTT\n", encoding="utf-8")
    data = (b"\xef\xbb\xbf" if bom else b"") + text.replace("\n", newline).encode("utf-8")
    (folder / "course.yaml").write_bytes(data)
    return folder


def at(data: object, field: str) -> object:
    """The value at a field path such as ``sections[1].pages[0].id``."""
    for part in re.findall(r"[^.\[\]]+", field):
        data = data[int(part)] if part.isdigit() else data[part]  # type: ignore[index]
    return data


def without_added(text: str, added: list[Added]) -> str:
    """``text`` with each reported id taken out again, undoing exactly what was reported."""
    lines = text.splitlines(keepends=True)
    for item in sorted(added, key=lambda a: a.line, reverse=True):
        line = lines[item.line - 1]
        for flow in (f"{{id: {item.id}, ", f"{{id: {item.id},", f"{{id: {item.id}"):
            if flow in line:
                lines[item.line - 1] = line.replace(flow, "{")
                break
        else:
            head, _, tail = line.partition(f"id: {item.id}")
            assert tail in ("\n", "\r\n", "\r", "") and head.strip(" -") == "", line
            if head.strip():  # '- id: X' took the dash: the element's first key follows, indented
                following = lines[item.line]
                assert following.startswith(" " * len(head)), following
                lines[item.line - 1: item.line + 1] = [head + following[len(head):]]
            else:
                del lines[item.line - 1]
    return "".join(lines)


def ids(*args: str) -> object:
    return CliRunner().invoke(cli, ["ids", *args])


def test_missing_ids_are_added_and_nothing_else_changes(tmp_path):
    folder = write_course(tmp_path / "course")
    added = fill_missing_ids(folder)
    after = (folder / "course.yaml").read_text(encoding="utf-8")

    assert [item.field for item in added] == MISSING
    assert all(NEW_ID.match(item.id) for item in added), [item.id for item in added]
    course = load_course(folder)
    data = yaml.safe_load(after)
    for field, value in KEPT.items():
        assert at(data, field) == value
    for item in added:
        assert at(data, item.field) == item.id
        assert next(iter(at(data, item.field.removesuffix(".id")))) == "id"  # type: ignore[call-overload]
        assert f"id: {item.id}" in after.splitlines()[item.line - 1]
    every = [item.id for item in added] + list(KEPT.values())
    assert len({value.casefold() for value in every}) == len(every) == len(all_ids(course))

    assert without_added(after, added) == HAND_WRITTEN
    before_lines, after_lines = HAND_WRITTEN.splitlines(True), after.splitlines(True)
    diff = difflib.SequenceMatcher(None, before_lines, after_lines, autojunk=False).get_opcodes()
    changed = {line for tag, i1, i2, _, _ in diff if tag != "equal" for line in before_lines[i1:i2]}
    assert changed == GAINING_LINES
    assert "# the mapping starts on the line after its dash" in after and after.count("#") == HAND_WRITTEN.count("#")


def all_ids(course: Course) -> list[str]:
    found = [course.id]
    for section in course.sections:
        found.append(section.id)
        for page in section.pages:
            found.append(page.id)
            for block in page.blocks:
                found.append(block.id)
                for question in getattr(block, "questions", []):
                    found.append(question.id)
                    for key in ("choices", "pairs", "items", "statements", "regions"):
                        found += [element.id for element in getattr(question, key, [])]
    return found


def test_new_ids_read_like_the_element_they_name(tmp_path):
    added = {item.field: item.id for item in fill_missing_ids(write_course(tmp_path / "course"))}
    expected = {
        "sections[0].id": "s-basics-", "sections[0].pages[0].id": "p-reading-",
        "sections[0].pages[0].blocks[0].id": "t-intro-", "sections[0].pages[0].blocks[1].id": "t-inline-text-",
        "sections[0].pages[1].blocks[0].id": "v-intro-", "sections[0].pages[1].blocks[1].id": "n-welcome-course-lock-",
        f"{QUIZ}.id": "quiz-quick-check-", f"{QUIZ}.questions[0].id": "q-lock-screen-",
        f"{QUIZ}.questions[0].choices[0].id": "c-every-time-leave-", f"{QUIZ}.questions[3].pairs[1].id": "m-vishing-",
        f"{QUIZ}.questions[4].items[2].id": "o-report-",
    }
    for field, start in expected.items():
        assert added[field].startswith(start) and len(added[field]) == len(start) + 6, added[field]
    assert slug("Don't click: the “Verify” button!") == "dont-click-verify"
    assert slug("Übung macht den Meister") == "ubung-macht-den"
    assert slug("日本語") == ""


def test_a_new_id_differs_from_every_other_even_in_letter_case(tmp_path, monkeypatch):
    """q-Kept and c-kept exist; new ids equal to them but for case are drawn again."""
    clashes = iter(["Q-KEPT", "C-Kept"])
    calls: list[str] = []
    real = courses.ids.new_id

    def drawn(prefix: str) -> str:
        calls.append(prefix)
        return next(clashes, None) or real(prefix)

    monkeypatch.setattr(courses.ids, "new_id", drawn)
    added = fill_missing_ids(write_course(tmp_path / "course"))
    assert len(calls) == len(MISSING) + 2
    assert not {item.id.casefold() for item in added} & {"q-kept", "c-kept"}
    load_course(tmp_path / "course")


def test_second_run_adds_nothing_and_leaves_the_file_alone(tmp_path):
    folder = write_course(tmp_path / "course")
    fill_missing_ids(folder)
    before = (folder / "course.yaml").read_bytes()
    mtime = (folder / "course.yaml").stat().st_mtime_ns
    assert fill_missing_ids(folder) == []
    result = ids(str(folder))
    assert result.exit_code == 0, result.output
    assert result.output == f"Nothing was missing: every element in {folder / 'course.yaml'} has an id.\n"
    assert (folder / "course.yaml").read_bytes() == before
    assert (folder / "course.yaml").stat().st_mtime_ns == mtime


def test_cli_prints_one_line_per_added_id_and_a_summary(tmp_path):
    folder = write_course(tmp_path / "course")
    (folder / "course.yaml").chmod(0o640)
    result = ids(str(folder))
    assert result.exit_code == 0, result.output
    *lines, summary = result.output.splitlines()
    assert summary == f"Added {len(MISSING)} ids to {folder / 'course.yaml'}."
    after = (folder / "course.yaml").read_text(encoding="utf-8").splitlines()
    fields = []
    for line in lines:
        match = re.fullmatch(r"course\.yaml:(\d+): (\S+): added (\S+)", line)
        assert match, line
        number, field, new = match.groups()
        assert f"id: {new}" in after[int(number) - 1]
        fields.append(field)
    assert fields == MISSING
    assert stat.S_IMODE((folder / "course.yaml").stat().st_mode) == 0o640
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_dry_run_lists_the_ids_and_writes_nothing(tmp_path):
    folder = write_course(tmp_path / "course")
    result = ids(str(folder), "--dry-run")
    assert result.exit_code == 0, result.output
    *lines, summary = result.output.splitlines()
    assert [re.fullmatch(r"course\.yaml:\d+: (\S+): would add \S+", line).group(1) for line in lines] == MISSING
    assert summary == f"{len(MISSING)} ids would be added to {folder / 'course.yaml'}; nothing was written (--dry-run)."
    assert (folder / "course.yaml").read_text(encoding="utf-8") == HAND_WRITTEN


def test_windows_line_endings_and_a_byte_order_mark_are_kept(tmp_path):
    folder = write_course(tmp_path / "course", newline="\r\n", bom=True)
    added = fill_missing_ids(folder)
    raw = (folder / "course.yaml").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\n") == raw.count(b"\r\n")
    text = raw.decode("utf-8-sig")
    assert without_added(text, added) == HAND_WRITTEN.replace("\n", "\r\n")
    assert len(all_ids(load_course(folder))) == len(MISSING) + len(KEPT)


def line_with(text: str, words: str) -> int:
    [number] = [n for n, line in enumerate(text.splitlines(), 1) if words in line]
    return number


def test_present_but_invalid_ids_are_reported_and_left_as_they_are(tmp_path):
    text = (HAND_WRITTEN.replace("id: p-watch", 'id: "watch this"')
            .replace("id: i-kept ", "id:       ")
            .replace("id: q-Kept", "id: 42"))
    folder = write_course(tmp_path / "course", text)
    result = ids(str(folder))
    assert result.exit_code == 1
    after = (folder / "course.yaml").read_text(encoding="utf-8")
    rule = ("(letters, digits, '-' and '_', starting with a letter or digit, at most 64 characters); "
            "existing ids are never changed automatically, so fix it by hand")
    watch = line_with(after, 'id: "watch this"')
    assert result.stderr.splitlines() == [  # lines of the file as written, with the new ids
        f"course.yaml:{line_with(after, 'id:       ')}: sections[0].pages[0].blocks[2].id: is empty {rule}",
        f"course.yaml:{watch}: sections[0].pages[1].id: the text 'watch this' is not a valid id {rule}",
        f"course.yaml:{line_with(after, 'id: 42')}: {QUIZ}.questions[2].id: the number 42 is not a valid id {rule}",
        "3 id problem(s) above need fixing by hand.",
    ]
    assert without_added(after, plan_ids_added(result.stdout)) == text
    assert result.stdout.splitlines()[-1] == f"Added {len(MISSING)} ids to {folder / 'course.yaml'}."

    again = ids(str(folder))
    assert again.exit_code == 1 and again.stderr == result.stderr
    assert again.stdout == f"No ids were added to {folder / 'course.yaml'}.\n"
    assert (folder / "course.yaml").read_text(encoding="utf-8") == after


def plan_ids_added(output: str) -> list[Added]:
    """The ``Added`` lines the command printed, read back."""
    found = []
    for line in output.splitlines()[:-1]:
        number, field, new = re.fullmatch(r"course\.yaml:(\d+): (\S+): added (\S+)", line).groups()
        found.append(Added("course.yaml", int(number), field, new))
    return found


def test_an_alias_is_reported_instead_of_sharing_one_id(tmp_path):
    text = HAND_WRITTEN.replace("              - text: Stop\n", "              - &stop\n                text: Stop\n"
                                ).replace("              - {text: Report}\n", "              - *stop\n")
    folder = write_course(tmp_path / "course", text)
    plan = plan_ids(folder)
    after = plan.updated.decode("utf-8")
    assert [str(p) for p in plan.problems] == [
        (f"course.yaml:{line_with(after, '- &stop')}: {QUIZ}.questions[4].items[2]: repeats "
         f"{QUIZ}.questions[4].items[0], written here, through the alias *stop; each element needs an id of "
         "its own, so write it out in full")]
    assert f"{QUIZ}.questions[4].items[0].id" not in [item.field for item in plan.added]
    assert len(plan.added) == len(MISSING) - 2
    assert without_added(after, plan.added) == text


@pytest.mark.parametrize("text", [
    pytest.param("{title: T, sections: [{title: S, pages: [{title: P, blocks: [{type: text, markdown: hi}, { }]}]}]}\n",
                 id="all in flow style"),
    pytest.param("defaults: &text\n  type: text\ntitle: T\nsections:\n  - title: S\n    pages:\n      - &page\n"
                 "        title: P\n        blocks:\n          - <<: *text\n            markdown: hi\n"
                 "          - !!map\n            type: text\n            markdown: tagged\n",
                 id="anchor, tag and merge key"),
    pytest.param("--- # one document\ntitle: T\nsections:\n- # the dash alone\n  title: S\n  pages:\n"
                 "  - title: P\n    blocks:\n    - type: text\n      markdown: hi\n...\n", id="markers and comments"),
    pytest.param("title: T\rsections:\r  - title: S\r    pages:\r      - title: P\r        blocks:\r"
                 "          - type: text\r            markdown: hi", id="old Mac line ends, no final line end"),
    pytest.param('title: "line\u2028separator"\ndescription: "next\x85line"\nsections:\n  - title: "S\u2029T"\n    pages:\n'
                 "      - title: P\n        blocks:\n          - type: text\n            markdown: hi\n",
                 id="unicode line breaks"),
])
def test_unusual_layouts_get_ids_first_in_each_mapping(tmp_path, text):
    """Line numbers count line breaks as the loader does, so validate and ids name the same lines."""
    (tmp_path / "course.yaml").write_bytes(text.encode("utf-8"))
    added = fill_missing_ids(tmp_path)
    after = (tmp_path / "course.yaml").read_bytes().decode("utf-8")
    assert without_added(after, added) == text
    written = YAML(typ="rt").load(after)  # keeps the keys in the order they are written
    blocks = at(yaml.safe_load(text), "sections[0].pages[0].blocks")
    assert [item.field for item in added] == [
        "id", "sections[0].id", "sections[0].pages[0].id",
        *[f"sections[0].pages[0].blocks[{index}].id" for index in range(len(blocks))],  # type: ignore[arg-type]
    ]
    for item in added:
        element = at(written, item.field.removesuffix("id").rstrip("."))
        assert next(iter(element)) == "id" and element["id"] == item.id  # type: ignore[call-overload, index]
        assert f"id: {item.id}" in after.splitlines()[item.line - 1]


@pytest.mark.parametrize("text, message", [
    ("id: x\nsections: [\n  {title: a}\n", "course.yaml:4: YAML syntax error: expected ',' or ']'"),
    ("- title: a\n- title: b\n", ("course.yaml:1: the top level should be a mapping of course fields "
                                  "(id:, title:, sections:, ...), but is a list")),
    ("id: x\nid: y\n", ("course.yaml:2: id: 'id' appears twice here (first on line 1); only the last one "
                        "would count, so keep one")),
])
def test_a_file_that_cannot_be_edited_safely_is_refused_unchanged(tmp_path, text, message):
    folder = write_course(tmp_path / "course", text)
    with pytest.raises(IdsError) as error:
        fill_missing_ids(folder)
    assert str(error.value.problems[0]).startswith(message)
    result = ids(str(folder))
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert result.stderr.endswith(f"{folder}: no ids were added; nothing was changed\n")
    assert (folder / "course.yaml").read_text(encoding="utf-8") == text


def test_a_symlinked_course_yaml_is_refused(tmp_path):
    folder = write_course(tmp_path / "course")
    real = tmp_path / "elsewhere.yaml"
    os.replace(folder / "course.yaml", real)
    (folder / "course.yaml").symlink_to(real)
    result = ids(str(folder))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        (f"course.yaml: is a symbolic link (to {real}); ids are written only into a regular file, so give the "
         "file the link points to"),
        f"{folder}: no ids were added; nothing was changed",
    ]
    assert real.read_text(encoding="utf-8") == HAND_WRITTEN and (folder / "course.yaml").is_symlink()


def test_a_missing_course_yaml_is_named(tmp_path):
    result = ids(str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"course.yaml: {tmp_path / 'nowhere'} does not exist; give a course folder")


def test_a_file_changed_after_planning_is_not_overwritten(tmp_path):
    folder = write_course(tmp_path / "course")
    plan = plan_ids(folder)
    (folder / "course.yaml").write_text(HAND_WRITTEN + "# saved from the editor meanwhile\n", encoding="utf-8")
    with pytest.raises(IdsError, match="was changed by something else while ids were being worked out"):
        write_plan(plan)
    assert (folder / "course.yaml").read_text(encoding="utf-8").endswith("# saved from the editor meanwhile\n")


def test_the_sample_course_without_its_ids_gets_them_all_back(tmp_path):
    sample = Path(__file__).parent.parent / "courses" / "samples" / "security-basics"
    assert plan_ids(sample).added == [] and plan_ids(sample).problems == []
    folder = tmp_path / "sample"
    shutil.copytree(sample, folder)
    original = (folder / "course.yaml").read_text(encoding="utf-8")
    # every element id but the course's: '- id: x' + next line joined back into '- key', lone 'id:' lines dropped
    stripped = re.sub(r"^( *)- id: \S+\n +", r"\1- ", original, flags=re.MULTILINE)
    stripped = re.sub(r"^ +id: \S+\n", "", stripped, flags=re.MULTILINE)
    (folder / "course.yaml").write_text(stripped, encoding="utf-8")
    added = fill_missing_ids(folder)
    assert len(added) == len(all_ids(load_course(sample))) - 1
    assert len(all_ids(load_course(folder))) == len(added) + 1
    assert without_added((folder / "course.yaml").read_text(encoding="utf-8"), added) == stripped


def test_a_course_yaml_past_the_loaders_size_limit_is_not_read(tmp_path):
    (tmp_path / "course.yaml").write_bytes(b"# " + b"x" * MAX_COURSE_YAML_BYTES + b"\n")
    with pytest.raises(IdsError, match=r"course.yaml: is \d+ bytes, more than the 2 MiB limit for a course.yaml"):
        plan_ids(tmp_path)


def test_ids_that_would_land_in_the_wrong_place_are_not_written(tmp_path, monkeypatch):
    """The last check: the new text must read as the old data plus the ids, or nothing is written."""
    folder = write_course(tmp_path / "course")
    monkeypatch.setattr(courses.ids, "_placement", lambda node, lines: courses.ids._Insertion(3, 0, False))
    with pytest.raises(IdsError, match="ids could not be added without changing something else in the file"):
        fill_missing_ids(folder)
    assert (folder / "course.yaml").read_text(encoding="utf-8") == HAND_WRITTEN
