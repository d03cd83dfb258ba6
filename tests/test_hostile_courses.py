"""Course folders built to hurt the loader: each one is refused with one exact message, in
bounded memory, and nothing from outside the folder ever appears in a report.

The alias bombs run in a child process whose address space is capped (``RLIMIT_AS``), so a
regression shows up as a failed child, not as a test machine out of memory.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_loader import HEAD, TEXT_BLOCK, write_course

import courses.yaml_lines
from cli.main import cli
from courses.errors import CourseLoadError
from courses.loader import check_course, load_course

REPO = Path(__file__).resolve().parents[1]
MEMORY_LIMIT = 512 << 20
B = "sections[0].pages[0].blocks"

# The peak is the child's own VmHWM: ru_maxrss would also count the pages a fork copied from the
# test process (a large one, late in a run), which are not the loader's.
CHILD = """\
import json, re, sys
from courses.loader import check_course
report = check_course(sys.argv[1])
status = open("/proc/self/status").read()
print(json.dumps({"lines": report.lines(), "peak_kb": int(re.search(r"VmHWM:\\s+(\\d+)", status).group(1))}))
"""


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def check_in_bounded_child(folder: Path) -> tuple[list[str], int]:
    """The problem lines of ``folder`` as a child process limited to 512 MB reports them, and
    that child's peak resident memory in KB (VmHWM)."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(folder)], cwd=REPO, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, preexec_fn=_cap_memory)
    assert child.stdout is not None
    output = child.stdout.read()
    child.wait()
    assert child.returncode == 0, output[-3000:]
    result = json.loads(output.splitlines()[-1])
    return result["lines"], result["peak_kb"]


def aliases(name: str, count: int) -> str:
    return "[" + ", ".join([f"*{name}"] * count) + "]"


BILLION_BLOCKS = "\n".join([  # 1000 sections x 1000 pages x 1000 blocks, in 14 KB
    "id: c", "title: t",
    "x-block: &k {type: text, id: b, markdown: hi}",
    f"x-blocks: &bl {aliases('k', 1000)}",
    "x-page: &pg {id: p, title: t, blocks: *bl}",
    f"x-pages: &pl {aliases('pg', 1000)}",
    "x-section: &sc {id: s, title: t, pages: *pl}",
    f"sections: {aliases('sc', 1000)}", ""])
BIG_ANCHOR = "\n".join([  # few aliases, each of a big list
    "x: &a [" + ", ".join(["0"] * 5000) + "]",
    f"sections: {aliases('a', 30)}", ""])
MERGES = "\n".join([  # merge keys copy every pair of the merged mapping
    "m: &m {" + ", ".join(f"k{i}: v" for i in range(1000)) + "}",
    "n: {<<: " + aliases("m", 60) + "}", ""])
DEEP_ALIAS = "a: &a " + "[" * 35 + "x" + "]" * 35 + "\nb: " + "[" * 10 + "*a" + "]" * 10 + "\n"
MILLION_PROBLEMS = "\n".join([  # 100 x 100 x 100 empty blocks in 2 KB: a million problems
    "id: c", "title: t",
    "x-block: &k {}",
    f"x-blocks: &bl {aliases('k', 100)}",
    "x-page: &pg {id: p, title: t, blocks: *bl}",
    f"x-pages: &pl {aliases('pg', 100)}",
    "x-section: &sc {id: s, title: t, pages: *pl}",
    f"sections: {aliases('sc', 100)}", ""])


@pytest.mark.parametrize("text, expected", [
    (BILLION_BLOCKS, "course.yaml:6: aliases (*name) are used more than 10000 times once expanded (the limit for a "
                     "course.yaml); write the repeated parts out"),
    (MILLION_PROBLEMS, "course.yaml:6: aliases (*name) are used more than 10000 times once expanded (the limit for "
                       "a course.yaml); write the repeated parts out"),
    (BIG_ANCHOR, "course.yaml:2: the file holds more than 100000 values once its aliases are expanded (the limit "
                 "for a course.yaml); split the course"),
    (MERGES, "course.yaml:2: the file holds more than 100000 values once its aliases are expanded (the limit for a "
             "course.yaml); split the course"),
    (DEEP_ALIAS, "course.yaml:2: the alias *a nests lists and mappings more than 40 levels deep (the limit for a "
                 "course.yaml)"),
    ("a: &x [*x]\nsections: *x\n", "course.yaml:1: the alias *x is inside the very list or mapping it names "
                                   "(&x on line 1), so it would repeat forever"),
    ("[" * 600 + "]" * 600, "course.yaml:1: lists and mappings are nested more than 40 levels deep (the limit for "
                            "a course.yaml)"),
], ids=["billion-blocks", "million-problems", "big-anchor", "merge-keys", "deep-alias", "recursive", "deep"])
def test_alias_bombs_are_refused_in_bounded_memory(tmp_path, text, expected):
    (tmp_path / "course.yaml").write_text(text, encoding="utf-8")
    assert len(text.encode()) < 16_000
    lines, peak_kb = check_in_bounded_child(tmp_path)
    assert lines == [expected]
    assert peak_kb < 150_000, f"peak resident memory {peak_kb} KB"


def test_a_large_plain_file_stops_at_the_node_limit(tmp_path, monkeypatch):
    monkeypatch.setattr("courses.yaml_lines.MAX_NODES", 1000)
    write_course(tmp_path, "".join(TEXT_BLOCK.replace("b1", f"b{i}") for i in range(200)))
    assert [str(p) for p in check_course(tmp_path)] == [
        "course.yaml:429: the file holds more than 1000 values (the limit for a course.yaml); split the course"]


# --------------------------------------------------------------------------- how many problems
def many_broken_blocks(folder: Path, count: int) -> Path:
    """``count`` text blocks that all reuse id b1 and lack their text: two problems each but the first."""
    return write_course(folder, "".join("- type: text\n  id: b1\n" for _ in range(count)))


def test_problems_stop_after_200_with_a_count_of_the_rest(tmp_path):
    many_broken_blocks(tmp_path, 300)
    report = check_course(tmp_path)
    assert (len(report), report.total) == (200, 599)
    lines = report.lines()
    assert lines[0] == f"course.yaml:10: {B}[0]: a text block needs exactly one of 'file' or 'markdown'"
    assert lines[1] == f"course.yaml:12: {B}[1]: a text block needs exactly one of 'file' or 'markdown'"
    assert lines[2] == (f"course.yaml:13: {B}[1].id: id 'b1' is already used by {B}[0] (line 10); every id in a "
                        "course must be different")
    assert lines[-1] == "... and 399 more problems (stopped after 200)"
    assert len(lines) == 201

    with pytest.raises(CourseLoadError) as caught:
        load_course(tmp_path)
    text = str(caught.value)
    assert text.startswith(f"599 problems in {tmp_path}:\n")
    assert text.endswith("\n  ... and 399 more problems (stopped after 200)")
    assert text.count("\n") == 201

    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    err = result.stderr.splitlines()
    assert err[0] == f"{tmp_path}: course: 599 problems:"
    assert err[-1] == "... and 399 more problems (stopped after 200)" and len(err) == 202


def test_past_the_cap_problems_are_counted_not_built(tmp_path, monkeypatch):
    many_broken_blocks(tmp_path, 3000)
    calls = 0
    original = courses.yaml_lines.YamlDocument.line_of

    def counting(self, path):
        nonlocal calls
        calls += 1
        return original(self, path)

    monkeypatch.setattr(courses.yaml_lines.YamlDocument, "line_of", counting)
    report = check_course(tmp_path)
    assert report.total == 5999
    assert calls <= 3 * 200  # a line for each kept problem (and the first use of a repeated id), none for the rest


# --------------------------------------------------------------------------- nothing from outside the folder
SECRET = "root:x:0:0:hunter2-secret:/root:/bin/bash\ndaemon: [unclosed\n"


def test_course_yaml_linking_outside_the_folder_is_not_read(tmp_path):
    outside = tmp_path / "passwd"
    outside.write_text(SECRET, encoding="utf-8")
    course = tmp_path / "course"
    course.mkdir()
    os.symlink(outside, course / "course.yaml")
    expected = [f"course.yaml: is a link to {outside}, outside the course folder; copy the file into the course "
                "folder instead"]
    assert [str(p) for p in check_course(course)] == expected
    assert [str(p) for p in check_course(course / "course.yaml")] == expected
    result = CliRunner().invoke(cli, ["validate", str(course)])
    assert result.exit_code == 1 and "hunter2" not in result.output


def test_course_yaml_linking_inside_the_folder_is_read(tmp_path):
    write_course(tmp_path / "versions")
    (tmp_path / "versions" / "course.yaml").rename(tmp_path / "versions" / "v2.yaml")
    os.symlink(tmp_path / "versions" / "v2.yaml", tmp_path / "course.yaml")
    assert check_course(tmp_path) == []


def test_markdown_file_linking_outside_is_not_read(tmp_path):
    (tmp_path / "secret.md").write_text("hunter2 \x00 \xff", encoding="utf-8")
    course = write_course(tmp_path / "course", "- type: text\n  id: b1\n  file: text/a.md\n")
    (course / "text").mkdir()
    os.symlink(tmp_path / "secret.md", course / "text" / "a.md")
    assert [str(p) for p in check_course(course)] == [
        f"course.yaml:12: {B}[0].file: text/a.md is a link to {tmp_path / 'secret.md'}, outside the course folder; "
        "copy the file into the course folder instead"]


@pytest.mark.parametrize("text, expected", [
    ("id: demo\ntitle: x: hunter2-secret-value-on-this-line\n",
     "course.yaml:2: YAML syntax error: mapping values are not allowed here; put text that contains ': ' in quotes"),
    ("id: *" + "hunter2" * 700 + "\n",
     "course.yaml:1: YAML syntax error: found undefined alias 'hunter2hunter2hunter2hunter2hunter2hu...'"),
    ("id: !" + "hunter2" * 700 + " x\n",
     "course.yaml:1: YAML syntax error: could not determine a constructor for the tag '!hunter2hunter2hunter2hunt"
     "er2hunter2h...'"),
    ("a: &" + "hunter2" * 700 + " 1\nb: &" + "hunter2" * 700 + " 2\n",
     "course.yaml:2: YAML syntax error: second occurrence (found duplicate anchor 'hunter2hunter2hunter2hunter2hun"
     "ter2hu...'; first occurrence on line 1)"),
    ("id: " + "1" * 5000 + "\n",
     "course.yaml:1: '1111111111111111111111111111111111111...' cannot be read as a YAML int; put it in quotes if it "
     "is meant as text"),
    ("id: c\ndate: 2024-13-45\n",
     "course.yaml:2: '2024-13-45' cannot be read as a YAML timestamp; put it in quotes if it is meant as text"),
], ids=["snippet", "alias", "tag", "anchor", "huge-int", "bad-date"])
def test_yaml_errors_quote_at_most_a_few_words(tmp_path, text, expected):
    (tmp_path / "course.yaml").write_text(text, encoding="utf-8")
    [problem] = check_course(tmp_path)
    assert str(problem) == expected
    assert len(str(problem)) < 200


def test_long_values_are_quoted_short(tmp_path):
    long_key = "k" * 1000  # YAML allows implicit keys up to 1024 characters
    write_course(tmp_path, head=HEAD.replace("id: demo", f"id: demo\n{long_key}: 1\nlanguage: {'x' * 5000}"))
    assert [str(p) for p in check_course(tmp_path)] == [
        "course.yaml:2: kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...: unknown field 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...'"
        "; the fields allowed here are: completion, description, id, language, navigation, passing_score, sections, "
        "theme, title, version, voice",
        "course.yaml:3: language: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is not a language tag like 'en', 'fr' "
        "or 'pt-BR'",
    ]


# --------------------------------------------------------------------------- sizes
def test_course_yaml_of_50_mb_is_refused_unread(tmp_path):
    with (tmp_path / "course.yaml").open("w", encoding="utf-8") as out:
        out.write(HEAD.replace("title: Demo course", "title: Demo course\ndescription: ") .split("sections:")[0])
        out.write("x" * (50 << 20))
    size = (tmp_path / "course.yaml").stat().st_size
    assert [str(p) for p in check_course(tmp_path)] == [
        f"course.yaml: is {size} bytes, more than the 2 MiB limit for a course.yaml; move long texts into Markdown "
        "files (a text block with file:)"]


def test_text_fields_have_limits_no_author_reaches(tmp_path):
    head = HEAD.replace("title: Demo course\n", f"title: Demo course\ndescription: {'d' * 100_001}\n")
    head = head.replace("title: First page", f"title: {'p' * 1001}")
    write_course(tmp_path, TEXT_BLOCK.replace("markdown: Hello", f"markdown: {'m' * 100_001}"), head=head)
    assert [str(p) for p in check_course(tmp_path)] == [
        "course.yaml:3: description: is too long: at most 100000 characters (this one has 100001)",
        "course.yaml:9: sections[0].pages[0].title: is too long: at most 1000 characters (this one has 1001)",
        f"course.yaml:13: {B}[0].markdown: is too long: at most 100000 characters (this one has 100001)",
    ]


def test_markdown_and_caption_files_have_size_limits(tmp_path):
    write_course(tmp_path, """\
        - type: text
          id: b1
          file: text/long.md
        - type: narration
          id: b2
          src: media/voice.mp3
          captions: media/voice.vtt
    """, files={"text/long.md": "word " * ((1 << 20) // 5 + 1), "media/voice.mp3": b"ID3",
                "media/voice.vtt": "WEBVTT\n\n" + "x" * (2 << 20)})
    assert [str(p) for p in check_course(tmp_path)] == [
        f"course.yaml:12: {B}[0].file: text/long.md is 1048580 bytes, more than the 1 MiB limit for a Markdown file; "
        "split it into several text blocks",
        f"course.yaml:16: {B}[1].captions: media/voice.vtt is 2097160 bytes, more than the 2 MiB limit for a WebVTT "
        "captions file",
    ]


# --------------------------------------------------------------------------- control characters
def test_control_characters_are_refused_with_the_field_path(tmp_path):
    head = HEAD.replace("title: Demo course", 'title: "Demo\\0course"').replace("title: First page",
                                                                              'title: "First \\e[31mpage"')
    write_course(tmp_path, head=head, blocks="""\
        - type: quiz
          id: b1
          title: "Check\\x7f"
          questions:
            - type: single_choice
              id: q1
              prompt: "Which one?\\n\\tIndented lines are fine in a prompt."
              feedback: {correct: "Right\\x9b2J"}
              choices:
                - {id: c1, text: "Yes\\tno", correct: true}
                - {id: c2, text: "Half \\ud800 a character"}
        - type: image
          id: b2
          src: "media/a\\x01.png"
          alt: "Two\\nlines"
    """)
    assert [str(p) for p in check_course(tmp_path)] == [
        "course.yaml:2: title: contains the control character U+0000 (NUL) at character 5; remove it",
        "course.yaml:8: sections[0].pages[0].title: contains the control character U+001B (ESC) at character 7; "
        "remove it",
        f"course.yaml:12: {B}[0].title: contains the control character U+007F (DEL) at character 6; remove it",
        f"course.yaml:17: {B}[0].questions[0].feedback.correct: contains the control character U+009B at "
        "character 6; remove it",
        f"course.yaml:19: {B}[0].questions[0].choices[0].text: contains a tab (U+0009) at character 4; keep this "
        "text on one line",
        f"course.yaml:20: {B}[0].questions[0].choices[1].text: contains the lone surrogate U+D800 (half of a "
        "character) at character 6; remove it",
        f"course.yaml:23: {B}[1].src: contains the control character U+0001 at character 8; remove it",
        f"course.yaml:24: {B}[1].alt: contains a line break (U+000A) at character 4; keep this text on one line",
    ]


def test_control_characters_in_a_markdown_file(tmp_path):
    write_course(tmp_path, "- type: text\n  id: b1\n  file: text/a.md\n",
                 files={"text/a.md": "# Title\r\n\r\nTabs\tare fine.\n\nNot \x1b[2J this.\n"})
    assert [str(p) for p in check_course(tmp_path)] == [
        f"course.yaml:12: {B}[0].file: text/a.md contains the control character U+001B (ESC) on its line 5; "
        "remove it"]


def test_missing_id_names_the_command_that_adds_ids(tmp_path):
    write_course(tmp_path, "- type: text\n  markdown: Hello\n")
    assert [str(p) for p in check_course(tmp_path)] == [
        f"course.yaml:10: {B}[0].id: required field is missing (run `courseforge ids COURSE_DIR` to add the "
        "missing ids)"]

