"""End to end in a stand-in LMS: the sample course is built as a SCORM 1.2 and a SCORM 2004
package, launched from tests/lms/harness.html (scorm-again plays the LMS) and played the way a
learner does (buttons, labels, roles). What the LMS ends up holding is checked against the course
model, then the course is relaunched from that stored data to check resume, including after the
course was republished with pages added and removed."""
from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

from courses.loader import load_course
from courses.model import (
    Course,
    FillIn,
    FreeText,
    Hotspot,
    Likert,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    QuizBlock,
    SingleChoice,
    TrueFalse,
)
from exporters.build import build_package
from lms.server import LoopbackServer
from lms.tokens import lms_token
from player.markdown import plain_text

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "courses" / "samples" / "security-basics"
HARNESS = "/tests/lms/harness.html"
STANDARDS = ["scorm12", "scorm2004"]

CMI_TIMESPAN = re.compile(r"^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$")
ISO_DURATION = re.compile(r"^PT(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?$")
LETTERS = "abcdefghijklmnopqrstuvwxyz"


# ------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def server(lms_server):
    return lms_server


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course(SAMPLE)


def publish(course_dir: Path, fmt: str, work: Path, server: LoopbackServer, name: str) -> str:
    """Build the package zip, extract it as an LMS does, serve it; returns its launch path."""
    zip_path = work / f"{name}.zip"
    build_package(course_dir, fmt, zip_path)
    folder = work / name
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(folder)
    server.mount(f"/{name}/", folder)
    return f"/{name}/index.html"


@pytest.fixture(scope="module")
def packages(server, tmp_path_factory) -> dict[str, str]:
    work = tmp_path_factory.mktemp("packages")
    return {fmt: publish(SAMPLE, fmt, work, server, fmt) for fmt in STANDARDS}


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    yield page
    context.close()


# ------------------------------------------------------------------------------- the learner
def launch(page, server, standard: str, url: str, cmi: dict | None = None):
    """Open the LMS and launch the course; a relaunch hands back ``cmi`` with entry "resume".
    The LMS applies the pass mark of the package's manifest, as real ones do."""
    page.goto(server.url(HARNESS))
    page.wait_for_function("() => window.lmsReady === true")
    page.evaluate("(a) => lms.launch(a)", {"standard": standard, "url": url, "cmi": cmi, "manifest": True,
                                           "entry": "resume" if cmi else None})
    page.wait_for_function("() => lms.loaded")
    return page.frame_locator("#sco")


def heading(content):
    return content.get_by_role("heading", level=1)


def answer_correctly(content, quiz: QuizBlock) -> None:
    """Fill in ``quiz`` as a learner who knows the answers, then submit it."""
    form = content.get_by_role("form", name=quiz.title)
    total = len(quiz.questions)
    for number, q in enumerate(quiz.questions, start=1):
        group = form.get_by_role("group", name=f"Question {number} of {total}")
        if isinstance(q, SingleChoice):
            right = next(c for c in q.choices if c.correct)
            group.get_by_role("radio", name=plain_text(right.text), exact=True).check()
        elif isinstance(q, MultipleResponse):
            for c in q.choices:
                if c.correct:
                    group.get_by_role("checkbox", name=plain_text(c.text), exact=True).check()
        elif isinstance(q, TrueFalse):
            group.get_by_role("radio", name="True" if q.answer else "False", exact=True).check()
        elif isinstance(q, FillIn):
            group.get_by_role("textbox").fill(q.accepted[0])
        elif isinstance(q, Numeric):
            group.get_by_role("textbox").fill(number_text(sum(q.bounds()) / 2))
        elif isinstance(q, FreeText):
            group.get_by_role("textbox").fill(written_answer(q))
        elif isinstance(q, Matching):
            for p in q.pairs:
                group.get_by_label(plain_text(p.source), exact=True).select_option(label=plain_text(p.target))
        elif isinstance(q, Hotspot):  # a tap on the middle of the right part of the picture
            x, y, width, height = next(r.coords for r in q.regions if r.correct)
            image = group.locator("[data-hotspot] img")
            box = image.bounding_box()
            image.click(position={"x": box["width"] * (x + width / 2) / 100, "y": box["height"] * (y + height / 2) / 100})
            right = next(r for r in q.regions if r.correct)
            expect(group.get_by_role("radio", name=right.label, exact=True)).to_be_checked()
        elif isinstance(q, Likert):
            for statement in q.statements:
                rating = group.get_by_role("group", name=plain_text(statement.text), exact=True)
                rating.get_by_role("radio", name=AGREE, exact=True).check()
        elif isinstance(q, Ordering):
            wanted = [plain_text(i.text) for i in q.items]
            for position, text in enumerate(wanted):
                shown = [" ".join(t.split()) for t in group.locator("li .order-text").all_inner_texts()]
                for _ in range(shown.index(text) - position):
                    group.get_by_role("button", name=f"Move up: {text}", exact=True).click()
            shown = [" ".join(t.split()) for t in group.locator("li .order-text").all_inner_texts()]
            assert shown == wanted
    form.get_by_role("button", name="Submit answers").click()
    expect(form.get_by_role("status").filter(has_text="Pass mark")).to_contain_text(": passed.")


def play(content, course: Course, until: str | None = None) -> None:
    """Read every page in order with the Next button, answering each quiz on the way; stop on
    page ``until`` (without leaving it) or press Finish on the last page."""
    pages = course.pages()
    for index, p in enumerate(pages):
        expect(heading(content)).to_have_text(p.title)
        for block in p.blocks:
            if isinstance(block, QuizBlock):
                answer_correctly(content, block)
        if p.id == until:
            return
        if index < len(pages) - 1:
            content.get_by_role("button", name="Next", exact=True).click()
    content.get_by_role("button", name="Finish", exact=True).click()
    expect(heading(content)).to_have_text("Your results")
    expect(content.get_by_role("main")).to_contain_text("You answered every question right.")
    content.get_by_role("button", name="Save and exit").click()
    expect(heading(content)).to_have_text("You have left the course")


# ------------------------------------------------------------------------------- expected LMS data
AGREE = "Agree"  # the fourth point of the five-point scale
SCORM_TYPES = {"hotspot": "choice", "single_choice": "choice", "multiple_response": "choice", "true_false": "true-false",
               "fill_in": "fill-in", "free_text": "long-fill-in", "numeric": "numeric", "matching": "matching", "ordering": "sequencing"}


def written_answer(q: FreeText) -> str:
    """A written answer that uses every keyword (and says something when there are none)."""
    return " ".join(["I will report anything suspicious at once", *q.keywords])


def number_text(value: float) -> str:
    """A number as SCORM's decimals (and the player) write it: no exponent, no trailing zeros."""
    return f"{value:.7f}".rstrip("0").rstrip(".")


def expected_interaction(q, standard: str) -> tuple[str, str, list[str]]:
    """(type, learner response, correct patterns) for question ``q`` answered correctly."""
    kind = SCORM_TYPES[q.type]
    if standard == "scorm12":
        if isinstance(q, (SingleChoice, MultipleResponse, Hotspot)):
            options = q.regions if isinstance(q, Hotspot) else q.choices
            letters = [LETTERS[i] for i, c in enumerate(options) if c.correct]
            pattern = ",".join(letters)
            return kind, pattern, [f"{{{pattern}}}" if len(letters) > 1 else pattern]
        if isinstance(q, TrueFalse):
            return kind, "t" if q.answer else "f", ["t" if q.answer else "f"]
        if isinstance(q, FillIn):
            return kind, q.accepted[0], list(q.accepted)
        if isinstance(q, Numeric):
            low, high = q.bounds()
            return kind, number_text((low + high) / 2), [number_text(low)] if low == high else []
        if isinstance(q, FreeText):
            return "fill-in", written_answer(q), []
        if isinstance(q, Matching):
            pattern = ",".join(f"{i + 1}.{LETTERS[i]}" for i in range(len(q.pairs)))
            return kind, pattern, [f"{{{pattern}}}"]
        pattern = ",".join(LETTERS[i] for i in range(len(q.items)))
        return kind, pattern, [pattern]
    if isinstance(q, SingleChoice):
        right = next(lms_token(c.id) for c in q.choices if c.correct)
        return kind, right, [right]
    if isinstance(q, Hotspot):
        right = next(lms_token(r.id) for r in q.regions if r.correct)
        return kind, right, [right]
    if isinstance(q, MultipleResponse):
        ids = "[,]".join(lms_token(c.id) for c in q.choices if c.correct)
        return kind, ids, [ids]
    if isinstance(q, TrueFalse):
        return kind, str(q.answer).lower(), [str(q.answer).lower()]
    if isinstance(q, Numeric):
        low, high = q.bounds()
        return kind, number_text((low + high) / 2), [f"{number_text(low)}[:]{number_text(high)}"]
    if isinstance(q, FreeText):
        return kind, written_answer(q), []
    if isinstance(q, FillIn):
        matters = str(q.case_sensitive).lower()
        return kind, q.accepted[0], [f"{{case_matters={matters}}}{a}" for a in q.accepted]
    if isinstance(q, Matching):
        pairs = "[,]".join(f"{lms_token(p.id)}[.]{lms_token(p.id)}" for p in q.pairs)
        return kind, pairs, [pairs]
    items = "[,]".join(lms_token(i.id) for i in q.items)
    return kind, items, [items]


def seconds(value: str, standard: str) -> float:
    if standard == "scorm12":
        h, m, s = value.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)
    match = ISO_DURATION.match(value)
    return sum(float(part[:-1]) * f for part, f in ((match.group(1), 3600), (match.group(2), 60), (match.group(3), 1))
               if part)


# ------------------------------------------------------------------------------- tests
@pytest.mark.parametrize("standard", STANDARDS)
def test_learner_completes_the_course_and_the_lms_holds_every_answer(page, server, packages, course, standard):
    content = launch(page, server, standard, packages[standard])
    play(content, course)
    assert page.evaluate("() => lms.counts.Terminate") == 1
    assert page.evaluate("() => lms.errors()") == [], "every call of the journey must leave error code 0"
    cmi = page.evaluate("() => lms.cmi()")
    last_page = course.pages()[-1].id

    if standard == "scorm12":
        core = cmi["core"]
        assert core["lesson_status"] == "passed"
        assert (core["score"]["raw"], core["score"]["min"], core["score"]["max"]) == ("100", "0", "100")
        assert core["lesson_location"] == last_page
        assert core["exit"] == ""
        assert CMI_TIMESPAN.match(core["session_time"]), core["session_time"]
        session_time = core["session_time"]
    else:
        assert (cmi["completion_status"], cmi["success_status"]) == ("completed", "passed")
        assert cmi["score"] == {"raw": "100", "min": "0", "max": "100", "scaled": "1"}
        assert cmi["progress_measure"] == "1"
        assert cmi["location"] == last_page
        assert cmi["exit"] == "normal"
        assert ISO_DURATION.match(cmi["session_time"]), cmi["session_time"]
        session_time = cmi["session_time"]
    assert seconds(session_time, standard) > 0

    questions = [q for quiz in course.quizzes() for q in quiz.questions]
    surveys = [q for q in questions if isinstance(q, Likert)]
    questions = [q for q in questions if not isinstance(q, Likert)]
    recorded = {row["id"]: row for row in cmi["interactions"].values()}
    rated = [(q, s, lms_token(f"{q.id}.{s.id}")) for q in surveys for s in q.statements]
    assert sorted(recorded) == sorted([lms_token(q.id) for q in questions] + [token for _q, _s, token in rated]), \
        "one interaction per question, and one per statement of a survey"
    response_key = "student_response" if standard == "scorm12" else "learner_response"
    for q, statement, token in rated:  # a survey's rating: a point of the scale, no right answer
        row = recorded[token]
        assert (row["type"], row[response_key], row["result"]) == ("likert", "4", "neutral"), token
        assert row["correct_responses"].get("_count", 0) in (0, "0") and float(row["weighting"]) == 0, token
        if standard == "scorm2004":
            assert row["description"] == f"{plain_text(q.prompt)} {plain_text(statement.text)}"[:250], token
    for q in questions:
        row = recorded[lms_token(q.id)]
        kind, response, patterns = expected_interaction(q, standard)
        assert row["type"] == kind, q.id
        assert row[response_key] == response, q.id
        assert [row["correct_responses"][str(i)]["pattern"] for i in range(len(patterns))] == patterns, q.id
        assert row["result"] == ("neutral" if isinstance(q, FreeText) and not q.keywords else "correct"), q.id
        assert float(row["weighting"]) == q.points, q.id
        if standard == "scorm2004":
            assert row["description"] == plain_text(q.prompt)[:250], q.id
            assert ISO_DURATION.match(row["latency"]), row["latency"]

    # Relaunch from what the LMS stored: back on the saved page, with the answers and feedback there.
    content = launch(page, server, standard, packages[standard], cmi=cmi)
    final = course.pages()[-1]
    expect(heading(content)).to_have_text(final.title)
    quiz = next(b for b in final.blocks if isinstance(b, QuizBlock))
    form = content.get_by_role("form", name=quiz.title)
    first_single = next(q for q in quiz.questions if isinstance(q, SingleChoice))
    number = quiz.questions.index(first_single) + 1
    group = form.get_by_role("group", name=f"Question {number} of {len(quiz.questions)}")
    right = next(c for c in first_single.choices if c.correct)
    # After submitting, the label also says "Your answer": match the choice text within it.
    expect(group.get_by_role("radio", name=plain_text(right.text))).to_be_checked()
    expect(group.get_by_role("status")).to_contain_text("Correct.")
    fill = next(q for q in quiz.questions if isinstance(q, FillIn))
    fill_group = form.get_by_role("group", name=f"Question {quiz.questions.index(fill) + 1} of {len(quiz.questions)}")
    expect(fill_group.get_by_role("textbox")).to_have_value(fill.accepted[0])
    expect(content.get_by_role("progressbar", name="Course progress")).to_have_attribute("aria-valuenow", "100")
    assert page.evaluate("() => lms.errors()") == [], "resuming must not read what the LMS does not hold"


@pytest.mark.parametrize("standard", STANDARDS)
def test_resume_after_republishing_with_pages_added_and_removed(page, server, course, tmp_path, standard):
    """Leave mid-course, republish with one page added and one removed before the saved page,
    relaunch from the stored data: the learner is on the same page, with earlier answers kept."""
    work = tmp_path / "work"
    work.mkdir()
    first = publish(SAMPLE, standard, work, server, f"{standard}-v1")
    pages = course.pages()
    quiz_page = next(p for p in pages if any(isinstance(b, QuizBlock) for b in p.blocks))
    at = pages.index(quiz_page)
    assert 1 <= at and at + 2 < len(pages), "the sample needs pages before and after its first quiz"
    removed = pages[at - 1]  # read before the quiz; gone in the new version
    stop = pages[at + 2].id  # where the learner leaves; a new page is added just before it

    content = launch(page, server, standard, first)
    play(content, course, until=stop)
    page.evaluate("() => lms.unload()")  # the learner closes the course: pagehide ends the session
    page.wait_for_function("() => lms.counts.Terminate === 1")
    cmi = page.evaluate("() => lms.cmi()")
    assert page.evaluate("() => lms.errors()") == []
    # Left with quizzes still to take: suspended, and not judged failed by the LMS's pass mark
    # from a partial score.
    if standard == "scorm12":
        assert page.evaluate("() => lms.cmi().student_data.mastery_score") == str(course.passing_score)
        assert (cmi["core"]["exit"], cmi["core"]["lesson_status"], cmi["core"]["score"]["raw"]) == (
            "suspend", "incomplete", "")
    else:
        assert float(page.evaluate("() => lms.api.cmi.scaled_passing_score")) == course.passing_score / 100
        assert (cmi["exit"], cmi["completion_status"], cmi["success_status"], cmi["score"]["scaled"]) == (
            "suspend", "incomplete", "unknown", "")

    edited = tmp_path / "course-v2"
    shutil.copytree(SAMPLE, edited)
    data = yaml.safe_load((edited / "course.yaml").read_text(encoding="utf-8"))
    data["version"] = "2.0.0"
    for section in data["sections"]:
        section["pages"] = [p for p in section["pages"] if p["id"] != removed.id]
        ids = [p["id"] for p in section["pages"]]
        if stop in ids:
            section["pages"].insert(ids.index(stop), {
                "id": "p-new-before-stop", "title": "A page added in version 2",
                "blocks": [{"type": "text", "id": "t-new-before-stop", "markdown": "New in this version."}]})
    (edited / "course.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    second = publish(edited, standard, work, server, f"{standard}-v2")

    content = launch(page, server, standard, second, cmi=cmi)
    expect(heading(content)).to_have_text(next(p.title for p in pages if p.id == stop))
    menu = content.get_by_role("navigation", name="Course menu")
    # The menu marks visited pages (their names gain a tick): the new page was never seen, the
    # removed one is gone, the pages read before are still marked.
    link = lambda title: menu.get_by_role("link", name=re.compile("^" + re.escape(title)))  # noqa: E731
    expect(link("A page added in version 2")).not_to_have_class(re.compile(r"\bvisited\b"))
    expect(link(removed.title)).to_have_count(0)
    expect(link(quiz_page.title)).to_have_class(re.compile(r"\bvisited\b"))
    link(quiz_page.title).click()
    expect(heading(content)).to_have_text(quiz_page.title)
    quiz = next(b for b in quiz_page.blocks if isinstance(b, QuizBlock))
    form = content.get_by_role("form", name=quiz.title)
    single = next(q for q in quiz.questions if isinstance(q, SingleChoice))
    group = form.get_by_role("group", name=f"Question {quiz.questions.index(single) + 1} of {len(quiz.questions)}")
    right = next(c for c in single.choices if c.correct)
    # After submitting, the label also says "Your answer": match the choice text within it.
    expect(group.get_by_role("radio", name=plain_text(right.text))).to_be_checked()
    expect(form.get_by_role("status").filter(has_text="Pass mark")).to_contain_text(": passed.")
    assert page.evaluate("() => lms.errors()") == []
