"""The learner's journey on the engines beyond Chromium: Firefox ESR (Gecko, through Playwright's
WebDriver BiDi) and WebKitGTK (WebKit, the engine of iPad Safari, through Selenium and
WebKitWebDriver, its MiniBrowser in a private Xvfb).

On each engine, one browser launch and one journey: a SCORM 2004 package is launched in the
scorm-again test LMS (tests/lms/harness.html), the learner reads the first page, moves on with
Next, answers a shuffled quiz with one question of every type by label, submits and closes the
course. The data the LMS holds is checked (completion, success, score, every interaction, exit),
then the course is relaunched from it and must resume on the quiz page with the answers shown."""
from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess

import pytest
from playwright.sync_api import expect
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
from selenium.webdriver.webkitgtk.options import Options
from selenium.webdriver.webkitgtk.service import Service

from conftest import PACKAGE_COURSE, write_course_folder
from courses.loader import load_course
from lms.tokens import lms_token
from courses.model import Course, FillIn, Matching, MultipleResponse, Ordering, QuizBlock, SingleChoice, TrueFalse
from player.markdown import plain_text
from test_scorm_e2e import HARNESS, answer_correctly, expected_interaction, heading, launch, publish

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIREFOX = "/usr/bin/firefox-esr"
WEBKIT_DRIVER = "/usr/bin/WebKitWebDriver"
MINIBROWSER = "/usr/lib/*/webkit2gtk-4.1/MiniBrowser"
VIEWPORT = {"width": 1024, "height": 768}

# Two pages: a reading page (a Markdown file, an image whose name has a space and an accent), then
# a shuffled quiz with one question of every type.
QUIZ = {"type": "quiz", "id": "quiz-engines", "title": "Quick check: «engines» & you", "shuffle": True,
        "attempts": 2, "questions": [
    {"type": "single_choice", "id": "q-sender", "prompt": "Which sender address is the *real* one?",
     "choices": [{"id": "c-real", "text": "`it@harbourco.example`", "correct": True},
                 {"id": "c-zero", "text": "`it@harb0urco.example`"},
                 {"id": "c-none", "text": "Neither: don't trust either"}]},
    {"type": "multiple_response", "id": "q-signs", "prompt": "Which are warning signs? Select all that apply.",
     "choices": [{"id": "c-urgent", "text": "An urgent deadline", "correct": True},
                 {"id": "c-lookalike", "text": "A look-alike sender", "correct": True},
                 {"id": "c-thread", "text": "A reply in a thread you started"}]},
    {"type": "true_false", "id": "q-cafe", "prompt": "The café's Wi-Fi is always safe for work.", "answer": False},
    {"type": "fill_in", "id": "q-team", "prompt": "Which team gets phishing reports? One word.",
     "accepted": ["Security"]},
    {"type": "matching", "id": "q-channels", "prompt": "Match each attack to its channel.",
     "pairs": [{"id": "m-sms", "source": "Smishing", "target": "Text messages"},
               {"id": "m-voice", "source": "Vishing", "target": "Phone calls"}]},
    {"type": "ordering", "id": "q-steps", "prompt": "Put the steps in order.",
     "items": [{"id": "o-stop", "text": "Stop"}, {"id": "o-check", "text": "Check"},
               {"id": "o-report", "text": "Report"}]},
]}
JOURNEY_COURSE = {**PACKAGE_COURSE, "id": "engines", "sections": [{"id": "s-only", "title": "Only section", "pages": [
    PACKAGE_COURSE["sections"][0]["pages"][0],
    {"id": "p-check", "title": "Check yourself", "blocks": [QUIZ]}]}]}


# ------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def server(lms_server):
    return lms_server


@pytest.fixture(scope="module")
def journey(server, tmp_path_factory) -> tuple[Course, str]:
    """(course, launch path) of the journey course's SCORM 2004 package, extracted and served."""
    folder = write_course_folder(tmp_path_factory.mktemp("journey") / "course", JOURNEY_COURSE)
    return load_course(folder), publish(folder, "scorm2004", tmp_path_factory.mktemp("journey-pkg"), server,
                                        "engines")


@pytest.fixture(scope="module")
def firefox(pw):
    if not os.access(FIREFOX, os.X_OK):
        pytest.fail(f"{FIREFOX} not found: install the Debian package firefox-esr (scripts/bootstrap --test does)")
    browser = pw.firefox.launch(channel="moz-firefox", executable_path=FIREFOX)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def display():
    """A private X display (WebKitGTK's MiniBrowser has no headless mode); Xvfb picks a free number."""
    if not shutil.which("Xvfb"):
        pytest.fail("Xvfb not found: install the Debian package xvfb (scripts/bootstrap --test does)")
    read, write = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        xvfb.kill()
        xvfb.wait()
        pytest.fail("Xvfb did not start")
    yield f":{number}"
    xvfb.terminate()
    xvfb.wait(timeout=10)


@pytest.fixture(scope="module")
def webkit(request):
    minibrowser = sorted(glob.glob(MINIBROWSER))
    if not os.access(WEBKIT_DRIVER, os.X_OK) or not minibrowser:
        pytest.fail(f"{WEBKIT_DRIVER} or MiniBrowser not found: install the Debian package webkit2gtk-driver (scripts/bootstrap --test does)")
    display = request.getfixturevalue("display")
    options = Options()
    options.binary_location = minibrowser[0]
    options.add_argument("--automation")
    service = Service(executable_path=WEBKIT_DRIVER, env={**os.environ, "DISPLAY": display})
    driver = webdriver.WebKitGTK(options=options, service=service)
    driver.set_window_size(VIEWPORT["width"], VIEWPORT["height"])
    yield driver
    driver.quit()


# ------------------------------------------------------------------------------- what the LMS holds
SHOWN_ORDER = """(quiz) => [...document.querySelectorAll(`form[data-quiz="${quiz}"] [data-shuffle]`)]
  .map((list) => [...list.children].map((el) => el.dataset.choice).join(" "))"""
"""The order the quiz's choices, pairs and items are shown in (JavaScript, given the quiz id): a
resumed attempt must show its shuffled choices as before, and the items as the learner left them."""


def quiz_of(course: Course) -> tuple[str, QuizBlock]:
    page = course.pages()[-1]
    return page.id, next(b for b in page.blocks if isinstance(b, QuizBlock))


def check_lms_data(cmi: dict, terminated: int, course: Course) -> None:
    page_id, quiz = quiz_of(course)
    assert terminated == 1, "the session ends exactly once, when the course is closed"
    assert (cmi["completion_status"], cmi["success_status"]) == ("completed", "passed")
    assert cmi["score"] == {"raw": "100", "min": "0", "max": "100", "scaled": "1"}
    assert cmi["progress_measure"] == "1"
    assert cmi["location"] == page_id
    assert cmi["exit"] == "normal"
    assert cmi["suspend_data"]
    recorded = {row["id"]: row for row in cmi["interactions"].values()}
    assert sorted(recorded) == sorted(lms_token(q.id) for q in quiz.questions)
    for q in quiz.questions:
        kind, response, patterns = expected_interaction(q, "scorm2004")
        row = recorded[lms_token(q.id)]
        assert (row["type"], row["learner_response"], row["result"]) == (kind, response, "correct"), q.id
        assert [row["correct_responses"][str(i)]["pattern"] for i in range(len(patterns))] == patterns, q.id


# ------------------------------------------------------------------------------- Firefox
def test_firefox_journey_and_resume(firefox, server, journey):
    course, url = journey
    _, quiz = quiz_of(course)
    context = firefox.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        content = launch(page, server, "scorm2004", url)
        expect(heading(content)).to_have_text(course.pages()[0].title)
        expect(content.get_by_role("img", name="A floor plan")).to_have_js_property("complete", True)
        assert content.get_by_role("img", name="A floor plan").evaluate("img => img.naturalWidth") > 0
        content.get_by_role("button", name="Next", exact=True).click()
        expect(heading(content)).to_have_text(course.pages()[-1].title)
        answer_correctly(content, quiz)
        shown = page.frame("sco").evaluate(SHOWN_ORDER, quiz.id)
        page.evaluate("() => lms.unload()")  # the learner closes the course: pagehide ends the session
        page.wait_for_function("() => lms.counts.Terminate > 0")
        cmi = page.evaluate("() => lms.cmi()")
        check_lms_data(cmi, page.evaluate("() => lms.counts.Terminate"), course)

        content = launch(page, server, "scorm2004", url, cmi=cmi)
        expect(heading(content)).to_have_text(course.pages()[-1].title)
        assert page.frame("sco").evaluate(SHOWN_ORDER, quiz.id) == shown, \
            "the same attempt keeps its shuffled order"
        form = content.get_by_role("form", name=quiz.title)
        expect(form.get_by_role("status").filter(has_text="Pass mark")).to_contain_text(": passed.")
        single = next(q for q in quiz.questions if isinstance(q, SingleChoice))
        right = next(c for c in single.choices if c.correct)
        expect(form.get_by_role("radio", name=plain_text(right.text))).to_be_checked()
        fill = next(q for q in quiz.questions if isinstance(q, FillIn))
        expect(form.locator(f"[data-question='{fill.id}']").get_by_role("textbox")).to_have_value(fill.accepted[0])
        assert errors == []
    finally:
        context.close()


# ------------------------------------------------------------------------------- WebKit
def _text(element) -> str:
    return " ".join(element.text.split())


def _by_text(elements, text: str):
    found = [el for el in elements if _text(el) == text]
    assert len(found) == 1, f"expected one element reading {text!r}, found {[_text(el) for el in elements]}"
    return found[0]


def _centre(element):
    """Scroll ``element`` to the middle of the window, as a learner would before touching it.
    WebKitWebDriver scrolls a target only just into view, ignoring the page's scroll-padding, so
    near the bottom edge the sticky pager would take the click (keyboard focus and scrollIntoView
    in WebKit do keep clear of it)."""
    element.parent.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    return element


def _click(element) -> None:
    _centre(element).click()


def _wait(driver, script: str, timeout: float = 15):
    return WebDriverWait(driver, timeout).until(lambda d: d.execute_script(f"return {script}"))


def webkit_launch(driver, server, url: str, cmi: dict | None = None) -> None:
    """tests/test_scorm_e2e.launch for Selenium: open the LMS, launch, enter the content frame."""
    driver.switch_to.default_content()
    driver.get(server.url(HARNESS))
    _wait(driver, "window.lmsReady === true")
    outcome = driver.execute_async_script(
        "const [options, stored, done] = arguments;"
        "lms.launch({...options, cmi: JSON.parse(stored)})"
        ".then(() => done('launched'), (error) => done(String(error)))",
        {"standard": "scorm2004", "url": url, "manifest": True, "entry": "resume" if cmi else None}, json.dumps(cmi))
    assert outcome == "launched"
    _wait(driver, "lms.loaded")
    driver.switch_to.frame("sco")
    _wait(driver, "!!document.querySelector('#main h1')")


def webkit_wait_for_page(driver, title: str) -> None:
    _wait(driver, f"document.querySelector('#main h1')?.textContent.trim() === {json.dumps(title)}")


def webkit_answer_correctly(driver, quiz: QuizBlock) -> None:
    """answer_correctly for Selenium: every answer is chosen by its visible label, then submitted."""
    form = driver.find_element(By.CSS_SELECTOR, f"form[data-quiz='{quiz.id}']")
    for q in quiz.questions:
        group = form.find_element(By.CSS_SELECTOR, f"fieldset[data-question='{q.id}']")
        labels = lambda: group.find_elements(By.TAG_NAME, "label")  # noqa: E731
        if isinstance(q, (SingleChoice, MultipleResponse)):
            for c in q.choices:
                if c.correct:
                    _click(_by_text(labels(), plain_text(c.text)))
        elif isinstance(q, TrueFalse):
            _click(_by_text(labels(), "True" if q.answer else "False"))
        elif isinstance(q, FillIn):
            group.find_element(By.CSS_SELECTOR, "input[type=text]").send_keys(q.accepted[0])
        elif isinstance(q, Matching):
            for p in q.pairs:
                label = _by_text(labels(), plain_text(p.source))
                Select(_centre(group.find_element(By.ID, label.get_attribute("for")))).select_by_visible_text(
                    plain_text(p.target))
        elif isinstance(q, Ordering):
            wanted = [plain_text(i.text) for i in q.items]
            for position, text in enumerate(wanted):
                shown = [_text(el) for el in group.find_elements(By.CSS_SELECTOR, "li .order-text")]
                for _ in range(shown.index(text) - position):
                    buttons = group.find_elements(By.CSS_SELECTOR, "button[data-move='-1']")
                    _click(next(b for b in buttons if b.get_attribute("aria-label") == f"Move up: {text}"))
            assert [_text(el) for el in group.find_elements(By.CSS_SELECTOR, "li .order-text")] == wanted
    _click(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    _wait(driver, f"document.querySelector(\"form[data-quiz='{quiz.id}'] [data-result]\").textContent"
                  ".includes(': passed.')")


@pytest.mark.filterwarnings("ignore:setting remote_server_addr:DeprecationWarning")  # Selenium's own WebKitGTK driver
def test_webkit_journey_and_resume(webkit, server, journey):
    driver = webkit
    course, url = journey
    _, quiz = quiz_of(course)
    webkit_launch(driver, server, url)
    webkit_wait_for_page(driver, course.pages()[0].title)
    _wait(driver, "document.querySelector('img[alt=\"A floor plan\"]')?.naturalWidth > 0")
    driver.find_element(By.ID, "next").click()
    webkit_wait_for_page(driver, course.pages()[-1].title)
    webkit_answer_correctly(driver, quiz)
    shown = driver.execute_script(f"return ({SHOWN_ORDER})(arguments[0])", quiz.id)
    driver.switch_to.default_content()
    driver.execute_script("lms.unload()")
    _wait(driver, "lms.counts.Terminate > 0")
    # As JSON text: WebKitWebDriver hands objects back with their keys reordered, and scorm-again's
    # loadFromJSON needs each interaction's type before its learner_response.
    cmi = json.loads(driver.execute_script("return JSON.stringify(lms.cmi())"))
    check_lms_data(cmi, driver.execute_script("return lms.counts.Terminate"), course)

    webkit_launch(driver, server, url, cmi=cmi)
    webkit_wait_for_page(driver, course.pages()[-1].title)
    assert driver.execute_script(f"return ({SHOWN_ORDER})(arguments[0])", quiz.id) == shown, "the same attempt keeps its shuffled order"
    form = driver.find_element(By.CSS_SELECTOR, f"form[data-quiz='{quiz.id}']")
    assert ": passed." in _text(form.find_element(By.CSS_SELECTOR, "[data-result]"))
    single = next(q for q in quiz.questions if isinstance(q, SingleChoice))
    right = next(c for c in single.choices if c.correct)
    choice = form.find_element(By.CSS_SELECTOR, f"[data-choice='{right.id}'] input")
    assert choice.is_selected()
    fill = next(q for q in quiz.questions if isinstance(q, FillIn))
    assert form.find_element(By.CSS_SELECTOR, f"[data-question='{fill.id}'] input").get_attribute("value") == \
        fill.accepted[0]
