"""The sample course by touch alone and by keyboard alone, every page and every question type
(single and multiple choice, true/false, fill-in, numeric, written answer, hotspot, matching,
ordering, rating scale) answered rightly, to the results page: nothing needs a drag, a hover or
a mouse.

Touch: on Chromium, a tablet (the iPad's size, touch emulation: has_touch, taps at points) whose
page events are recorded, so a tap is shown to arrive as touch; on WebKit (WebKitGTK through
WebKitWebDriver), the same taps sent as W3C touch pointer actions, which WebKitGTK, having no
touch emulation, delivers as mouse events at the same points. A <select>'s list is the
browser's own, drawn outside the page: the test chooses in that list directly.
Keyboard: Tab, the arrow keys, Space and Enter only, on Chromium, Firefox and WebKit."""
from __future__ import annotations

from pathlib import Path

import pytest
from learners import Learner, PlaywrightLearner, SeleniumLearner, play
from lms.server import LoopbackServer
from test_engines import display, firefox, webkit  # noqa: F401  (fixtures: one Firefox, one WebKit per module)

from courses.loader import load_course
from courses.model import Course
from exporters.build import build_site
from player.i18n import Translator

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.filterwarnings("ignore:setting remote_server_addr:DeprecationWarning")]

SAMPLE = Path(__file__).resolve().parents[1] / "courses" / "samples" / "security-basics"
DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 810, "height": 1080}  # the iPad (gen 7), upright
ENGLISH = Translator("en")

# Every pointer and touch event the page gets, by kind, from the start.
RECORD = """() => {
  window.inputs = {};
  for (const kind of ['pointerdown', 'touchstart', 'mousedown', 'click', 'dragstart', 'keydown']) {
    document.addEventListener(kind, (event) => {
      const key = event.pointerType ? `${kind}:${event.pointerType}` : kind;
      window.inputs[key] = (window.inputs[key] || 0) + 1;
    }, {capture: true});
  }
}"""
SMALL_TARGETS = """() => [...document.querySelectorAll('#main button, #main .choice, #main .likert-point, #main select,'
    + ' #main input[type=text], #main textarea, .pager button')]
  .filter((el) => el.offsetParent !== null && !el.closest('.is-collapsed'))
  .map((el) => [el.textContent.trim() || el.getAttribute('aria-label'), el.getBoundingClientRect()])
  .filter(([, r]) => r.width < 44 || r.height < 44).map(([name]) => name)"""


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Course, str]:
    """The sample course's web package, built as `courseforge preview` builds it, served on loopback."""
    server = LoopbackServer()
    server.mount("/site/", build_site(SAMPLE, "web", tmp_path_factory.mktemp("input") / "site").path)
    yield load_course(SAMPLE), server.url("/site/index.html")
    server.stop()


def start(learner: Learner, url: str, course: Course, size: dict[str, int]) -> None:
    learner.goto(url.rsplit("/", 2)[0] + "/")  # a page of the same origin: the player would save on leaving
    learner.js("() => localStorage.clear()")
    learner.goto(url)
    learner.viewport(size["width"], size["height"])
    learner.wait_for_heading(course.pages()[0].title)
    learner.js(RECORD)


def targets_of_44_px(learner: Learner):
    """A check for play(): every control of the page is a 44 px target at least (WCAG 2.5.5)."""
    def check(page_id: str) -> None:
        assert learner.js(SMALL_TARGETS) == [], f"{learner.engine}: touch targets under 44 px on {page_id}"
    return check


# ------------------------------------------------------------------------------- touch
def test_every_question_type_by_touch_alone_on_a_chromium_tablet(pw, chromium, sample):
    course, url = sample
    device = dict(pw.devices["iPad (gen 7)"])
    device.pop("default_browser_type")  # the descriptor names WebKit; this is Blink with the iPad's size and touch
    context = chromium.new_context(**device)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        learner = PlaywrightLearner(page, "chromium", "touch")
        start(learner, url, course, device["viewport"])
        play(learner, course, ENGLISH, "en", targets_of_44_px(learner))
        inputs = learner.js("() => window.inputs")
        taps = inputs.get("pointerdown:touch", 0)
        assert taps > 20 and inputs.get("touchstart", 0) == taps, inputs
        # Keys come only from the on-screen keyboard, for the typed answers; nothing is dragged.
        assert not any(kind.startswith(("pointerdown:mouse", "dragstart")) for kind in inputs), inputs
        assert errors == []
    finally:
        context.close()


def test_every_question_type_by_taps_on_webkit(request, sample):
    course, url = sample
    learner = SeleniumLearner(request.getfixturevalue("webkit"), "webkit", "touch")
    start(learner, url, course, TABLET)
    play(learner, course, ENGLISH, "en", targets_of_44_px(learner))
    inputs = learner.js("() => window.inputs")
    assert inputs.get("click:mouse", inputs.get("click", 0)) > 20 and "dragstart" not in inputs, inputs


# ------------------------------------------------------------------------------- keyboard
@pytest.fixture(params=["chromium", "firefox", "webkit"])
def keyboard_learner(request, chromium) -> Learner:
    if request.param == "webkit":
        yield SeleniumLearner(request.getfixturevalue("webkit"), "webkit", "keyboard")
        return
    browser = chromium if request.param == "chromium" else request.getfixturevalue("firefox")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield PlaywrightLearner(page, request.param, "keyboard")
    context.close()
    assert errors == []


def test_every_question_type_by_keyboard_alone(keyboard_learner, sample):
    course, url = sample
    learner = keyboard_learner
    start(learner, url, course, DESKTOP)
    play(learner, course, ENGLISH, "en")
    inputs = learner.js("() => window.inputs")
    assert not any(kind.startswith(("pointerdown", "mousedown", "touchstart")) for kind in inputs), inputs
    assert inputs.get("keydown", 0) > 50, inputs
    # Focus is shown where the keyboard is: on the results page's first link or button.
    learner.tab_to(lambda f: f["tag"] in ("a", "button") and f["id"] != "menu-toggle")
    assert learner.js("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
