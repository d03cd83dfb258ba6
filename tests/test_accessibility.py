"""Accessibility checked by a tool: axe-core (tests/node_modules) runs on every page of the sample
course as a learner reaches it through the player's own buttons and menu, on a quiz showing its
feedback after wrong answers, on the results page and the exit screen, and on a tablet and a
phone with the menu drawer open, in Chromium (light and dark); then on every page with its
quizzes answered, the results and the exit screen of the sample course and of its Arabic
version (right to left) in Chromium, Firefox and WebKit. A WCAG 2.1 A/AA violation of any impact
fails the test."""
from __future__ import annotations

from pathlib import Path

import pytest
from learners import Learner, PlaywrightLearner, SeleniumLearner, play
from lms.server import LoopbackServer
from playwright.sync_api import expect
from test_engines import display, firefox, webkit  # noqa: F401  (fixtures: one Firefox, one WebKit per module)
from test_player_languages import translated_course

from courses.loader import load_course
from courses.model import (
    Course,
    FillIn,
    FreeText,
    Matching,
    MultipleResponse,
    Numeric,
    QuizBlock,
    SingleChoice,
    TrueFalse,
)
from exporters.build import build_site
from player.i18n import Translator
from player.markdown import plain_text

pytestmark = [pytest.mark.browser,
              # Selenium's own WebKitGTK driver warns of its own deprecated call.
              pytest.mark.filterwarnings("ignore:setting remote_server_addr:DeprecationWarning")]

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "courses" / "samples" / "security-basics"
AXE = REPO / "tests" / "node_modules" / "axe-core" / "axe.min.js"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 900}

# ------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def course() -> Course:
    return load_course(SAMPLE)


@pytest.fixture(scope="module")
def launch_url(tmp_path_factory) -> str:
    """The sample course's web package, built as `courseforge preview` builds it, served on loopback."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `cd tests && npm ci` (scripts/bootstrap --test does it)")
    site = build_site(SAMPLE, "web", tmp_path_factory.mktemp("a11y") / "site").path
    server = LoopbackServer()
    server.mount("/site/", site)
    yield server.url("/site/index.html")
    server.stop()


@pytest.fixture(params=["light", "dark"])
def page(request, chromium):
    context = chromium.new_context(viewport=DESKTOP, color_scheme=request.param)
    page = context.new_page()
    yield page
    context.close()


# ------------------------------------------------------------------------------- axe
def audit(page, where: str) -> None:
    """Run axe-core on the page as it is now; fail on any WCAG 2.1 A/AA violation, whatever its impact."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG21_AA)
    checked = {rule["id"] for key in ("passes", "violations", "incomplete") for rule in result[key]}
    assert "color-contrast" in checked, f"{where}: axe did not check colour contrast"
    failing = []
    for rule in result["violations"]:
        targets = ", ".join(" ".join(node["target"]) for node in rule["nodes"][:5])
        failing.append(f"{where}: {rule['impact']} {rule['id']} ({rule['help']}) at {targets}")
    assert not failing, "axe-core found:\n" + "\n".join(failing)


def audit_whole_page(page, where: str) -> None:
    """Audit with the viewport as tall as the page: nothing is then hidden under the sticky top bar
    or pager, so axe can measure the contrast of every text instead of giving up on covered ones."""
    size = page.viewport_size
    height = page.evaluate("() => document.documentElement.scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    try:
        audit(page, where)
    finally:
        page.set_viewport_size(size)


def heading(page):
    return page.locator("#main").get_by_role("heading", level=1)


def answer_wrongly(form, quiz: QuizBlock) -> None:
    """Give a wrong answer to every question of ``quiz`` by label, as a learner would, and submit."""
    total = len(quiz.questions)
    for number, q in enumerate(quiz.questions, start=1):
        group = form.get_by_role("group", name=f"Question {number} of {total}")
        if isinstance(q, SingleChoice):
            wrong = next(c for c in q.choices if not c.correct)
            group.get_by_role("radio", name=plain_text(wrong.text), exact=True).check()
        elif isinstance(q, MultipleResponse):
            wrong = next(c for c in q.choices if not c.correct)
            group.get_by_role("checkbox", name=plain_text(wrong.text), exact=True).check()
        elif isinstance(q, TrueFalse):
            group.get_by_role("radio", name="False" if q.answer else "True", exact=True).check()
        elif isinstance(q, FillIn):
            group.get_by_role("textbox").fill("no idea")
        elif isinstance(q, FreeText):  # unscored unless it has keywords: it is thanked, not judged
            group.get_by_role("textbox").fill("no idea")
        elif isinstance(q, Numeric):
            group.get_by_role("textbox").fill(str(q.bounds()[1] + 1))
        elif isinstance(q, Matching):
            for pair, other in zip(q.pairs, q.pairs[1:] + q.pairs[:1]):
                group.get_by_label(plain_text(pair.source), exact=True).select_option(label=plain_text(other.target))
        # Ordering: the items are shown out of order, so leaving them as they are is wrong.
    form.get_by_role("button", name="Submit answers").click()


# ------------------------------------------------------------------------------- tests
@pytest.mark.slow
def test_every_page_and_the_exit_screen(page, launch_url, course):
    page.goto(launch_url)
    pages = course.pages()
    for index, p in enumerate(pages):
        expect(heading(page)).to_have_text(p.title)
        audit_whole_page(page, f"page {p.id}")
        if index < len(pages) - 1:
            page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_role("button", name="Finish", exact=True).click()
    expect(heading(page)).to_have_text("Your results")
    audit_whole_page(page, "results")
    page.get_by_role("button", name="Save and exit").click()
    expect(heading(page)).to_have_text("You have left the course")
    audit_whole_page(page, "exit screen")


def test_quiz_feedback_after_wrong_answers(page, launch_url, course):
    """The final assessment has every question type; after a wrong attempt each shows its feedback."""
    target = next(p for p in reversed(course.pages()) if any(isinstance(b, QuizBlock) for b in p.blocks))
    quiz = next(b for b in target.blocks if isinstance(b, QuizBlock))
    page.goto(launch_url)
    page.get_by_role("navigation", name="Course menu").get_by_role("link", name=target.title).click()
    expect(heading(page)).to_have_text(target.title)
    form = page.get_by_role("form", name=quiz.title)
    answer_wrongly(form, quiz)
    expect(form.get_by_role("status").filter(has_text="Pass mark")).to_contain_text("not passed")
    for number in range(1, len(quiz.questions) + 1):
        group = form.get_by_role("group", name=f"Question {number} of {len(quiz.questions)}")
        expect(group.locator(".feedback")).to_be_visible()
        unscored = isinstance(quiz.questions[number - 1], FreeText) and not quiz.questions[number - 1].keywords
        expect(group.locator(".feedback")).to_contain_text("Thank you" if unscored else "Not quite.")
    expect(form.get_by_role("button", name="Try again")).to_be_visible()
    audit_whole_page(page, f"{target.id} after wrong answers")


@pytest.mark.parametrize("device", ["iPad (gen 7)", "iPhone 13"])
def test_menu_drawer_open_on_tablet_and_phone(pw, chromium, launch_url, course, device):
    descriptor = dict(pw.devices[device])
    descriptor.pop("default_browser_type")  # an Apple descriptor names WebKit; the layout is what is tested
    context = chromium.new_context(**descriptor)
    try:
        page = context.new_page()
        page.goto(launch_url)
        expect(heading(page)).to_have_text(course.pages()[0].title)
        toggle = page.get_by_role("button", name="Menu")
        toggle.tap()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        menu = page.get_by_role("navigation", name="Course menu")
        expect(menu).to_be_in_viewport()
        expect(menu.get_by_role("link", name=course.pages()[0].title)).to_be_focused()
        page.wait_for_function("() => getComputedStyle(document.getElementById('menu')).transform === 'none'")
        audit(page, f"{device}, menu open")
    finally:
        context.close()


# ------------------------------------------------------------------------------- every engine
@pytest.fixture(scope="module")
def courses(launch_url, tmp_path_factory) -> dict[str, tuple[Course, str]]:
    """{name: (course, launch URL)}: the sample course, and its Arabic version served beside it."""
    folder = translated_course(tmp_path_factory.mktemp("a11y-ar") / "course", "ar")
    site = build_site(folder, "web", tmp_path_factory.mktemp("a11y-ar-site") / "site").path
    server = LoopbackServer()
    server.mount("/ar/", site)
    yield {"sample": (load_course(SAMPLE), launch_url), "arabic": (load_course(folder), server.url("/ar/index.html"))}
    server.stop()


@pytest.fixture
def learner(request, chromium) -> Learner:
    engine = request.param
    if engine == "webkit":
        yield SeleniumLearner(request.getfixturevalue("webkit"), engine, "mouse")
        return
    browser = chromium if engine == "chromium" else request.getfixturevalue("firefox")
    context = browser.new_context(viewport=DESKTOP)
    yield PlaywrightLearner(context.new_page(), engine, "mouse")
    context.close()


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sample", "arabic"])
@pytest.mark.parametrize("learner", ["chromium", "firefox", "webkit"], indirect=True)
def test_every_answered_page_the_results_and_the_exit_screen_on_every_engine(learner, courses, name):
    course, url = courses[name]
    t = Translator(course.language)
    learner.goto(url.rsplit("/", 2)[0] + "/")  # a page of the same origin: the player would save on leaving
    learner.js("() => localStorage.clear()")
    learner.goto(url)
    learner.viewport(DESKTOP["width"], DESKTOP["height"])
    found: list[str] = []
    play(learner, course, t, course.language, lambda where: found.extend(learner.audit(where)))
    learner.press("button", t("results.exit"))
    learner.wait_for_heading(t("exit.title"))
    found += learner.audit("exit screen")
    assert found == [], "axe-core found:\n" + "\n".join(found)
