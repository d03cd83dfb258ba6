"""`courseforge new` and `courseforge schema`, and the starter course behind `new`."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cli.main import cli
from courses.loader import check_course, load_course
from courses.model import Course, QuizBlock, TextBlock
from courses.scaffold import ScaffoldError, create_course

COURSEFORGE = Path(sys.executable).parent / "courseforge"


def all_ids(course: Course) -> list[str]:
    ids = []
    for section in course.sections:
        ids.append(section.id)
        for page in section.pages:
            ids.append(page.id)
            for block in page.blocks:
                ids.append(block.id)
                for question in getattr(block, "questions", []):
                    ids.append(question.id)
                    ids += [c.id for c in getattr(question, "choices", [])]
    return ids


def test_starter_course_loads_with_a_text_page_and_a_quiz(tmp_path):
    folder = create_course(tmp_path / "safety", "Fire safety: the basics")
    course = load_course(folder)
    assert course.title == "Fire safety: the basics"
    assert course.id.startswith("fire-safety-the-basics-")
    text_page, quiz_page = course.pages()
    [text] = text_page.blocks
    assert isinstance(text, TextBlock) and text.file == "text/welcome.md"
    assert (folder / "text" / "welcome.md").read_text(encoding="utf-8").startswith("# Welcome")
    [quiz] = quiz_page.blocks
    assert isinstance(quiz, QuizBlock) and [q.type for q in quiz.questions] == ["single_choice", "true_false"]
    assert (folder / "media" / "README.md").read_text().startswith("Put the course's images")


def test_starter_ids_are_short_random_and_unique(tmp_path):
    first = all_ids(load_course(create_course(tmp_path / "a", "A")))
    second = all_ids(load_course(create_course(tmp_path / "b", "A")))
    assert len(set(first)) == len(first) == 9
    assert all(len(i) == 8 and i[1] == "-" for i in first)
    assert not set(first) & set(second)


def test_title_needing_quotes_survives_the_yaml(tmp_path):
    title = 'Ünïcode: "quotes" # not a comment'
    course = load_course(create_course(tmp_path / "x", title))
    assert course.title == title and course.id.startswith("unicode-quotes-not-a-comment-")


def test_refuses_a_non_empty_folder_and_leaves_it_alone(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ScaffoldError, match="already exists and is not empty"):
        create_course(tmp_path, "Course")
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    (tmp_path / "empty").mkdir()
    assert check_course(create_course(tmp_path / "empty", "Course")) == []


@pytest.mark.parametrize("title,message", [("   ", "must not be empty"), ("x" * 201, "keep it to 200")])
def test_refuses_titles_the_course_could_not_hold(tmp_path, title, message):
    with pytest.raises(ScaffoldError, match=message):
        create_course(tmp_path / "c", title)
    assert not (tmp_path / "c").exists()


def test_new_command_creates_the_folder_and_prints_next_steps(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["new", "onboarding_2025"])
    assert result.exit_code == 0, result.output
    assert "courseforge validate onboarding_2025" in result.output
    assert load_course(tmp_path / "onboarding_2025").title == "Onboarding 2025"
    again = runner.invoke(cli, ["new", "onboarding_2025", "--title", "Other"])
    assert again.exit_code == 1
    assert "Error: onboarding_2025 already exists and is not empty" in again.output
    assert "Traceback" not in again.output


def test_new_command_takes_a_title(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["new", "c", "--title", "Working at height"])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load((tmp_path / "c" / "course.yaml").read_text())["title"] == "Working at height"


def test_schema_command_prints_the_json_schema():
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "courseforge course.yaml"
    assert schema["required"] == ["id", "title", "sections"]
    assert schema["additionalProperties"] is False
    block_types = sorted(ref["$ref"].rsplit("/", 1)[1] for ref in schema["$defs"]["Page"]["properties"]["blocks"]
                         ["items"]["oneOf"])
    assert block_types == ["ImageBlock", "NarrationBlock", "QuizBlock", "TextBlock", "VideoBlock"]
    assert result.output.startswith('{\n  "$schema"')


def test_installed_command_creates_a_course(tmp_path):
    new = subprocess.run([str(COURSEFORGE), "new", "course", "--title", "Ladders"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    assert new.returncode == 0, new.stderr
    assert "Next steps:" in new.stdout
    assert load_course(tmp_path / "course").title == "Ladders"
