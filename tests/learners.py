"""One learner, three engines: the player driven the same way on Chromium and Firefox (Playwright)
and on WebKitGTK (Selenium and WebKitWebDriver), by mouse, by touch or by keyboard alone.

A ``Learner`` knows only what a person at the screen does: look at the page (a script that reads
the DOM), point at a spot and press (a click, or a tap of a finger), press a key, type. Every
journey in tests/test_player_languages.py, tests/test_player_input.py and
tests/test_accessibility.py is written once against it, so each engine gets the same journey
rather than a look-alike, and a journey by touch or keyboard can only use those (by pointer, a
choice in a <select> is made in the list itself, which the browser draws outside the page)."""
from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

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
    Question,
    QuizBlock,
    SingleChoice,
    TrueFalse,
)
from player.i18n import Translator
from player.markdown import plain_text

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# The centre of the one element that matches a CSS selector and (if given) reads ``text`` (its
# text or aria-label, spaces collapsed), scrolled to the middle of the window first as a learner
# scrolls what they want to touch clear of the sticky top bar and pager.
FIND = """(css, text) => {
  const norm = (s) => (s || '').replace(/\\s+/g, ' ').trim();
  const found = [...document.querySelectorAll(css)].filter((el) => text === null
    || norm(el.getAttribute('aria-label')) === text || norm(el.textContent) === text);
  if (found.length !== 1) return {error: `${found.length} elements match ${css} ${text ?? ''}`};
  found[0].scrollIntoView({block: 'center', inline: 'center'});
  const r = found[0].getBoundingClientRect();
  return {x: r.left + r.width / 2, y: r.top + r.height / 2, left: r.left, top: r.top, width: r.width, height: r.height};
}"""

# The viewport point at fractions (fx, fy) of the width and height of the element at ``css``,
# scrolled to the middle of the window first (a tall picture may not fit in it).
POINT = """(css, fx, fy) => {
  const el = document.querySelector(css);
  let r = el.getBoundingClientRect();
  scrollBy(0, r.top + r.height * fy - innerHeight / 2);
  r = el.getBoundingClientRect();
  return {x: r.left + r.width * fx, y: r.top + r.height * fy};
}"""

# The focused element, as the keyboard journey needs to know it: what it is, and its label.
FOCUSED = """() => {
  const el = document.activeElement;
  const norm = (s) => (s || '').replace(/\\s+/g, ' ').trim();
  const label = el.labels?.[0] ? norm(el.labels[0].textContent) : norm(el.getAttribute('aria-label') || el.textContent);
  return {tag: el.tagName.toLowerCase(), type: el.type || '', id: el.id, name: el.name || '', label,
          question: el.closest('[data-question]')?.dataset.question || '',
          statement: el.closest('[data-statement]')?.dataset.statement || '',
          action: el.dataset.action || '', checked: !!el.checked,
          selected: el.tagName === 'SELECT' ? norm(el.selectedOptions[0]?.textContent) : ''};
}"""


class Learner(ABC):
    """What every engine's learner can do; ``how`` is "mouse", "touch" or "keyboard"."""

    engine: str
    how: str

    @abstractmethod
    def goto(self, url: str) -> None:
        """Open ``url`` in the learner's window."""

    @abstractmethod
    def js(self, function: str, *args: Any) -> Any:
        """Call the JavaScript ``function`` (an arrow function's text) with ``args``; a promise is awaited."""

    @abstractmethod
    def press_at(self, x: float, y: float) -> None:
        """A click with the mouse, or a tap of a finger, at the viewport point (x, y)."""

    @abstractmethod
    def key(self, name: str) -> None:
        """Press and release a key named as Playwright names them ("Tab", "Enter", "Space", "ArrowDown")."""

    @abstractmethod
    def type(self, text: str) -> None:
        """Type ``text`` into the focused field, key by key."""

    @abstractmethod
    def pick(self, css: str, label: str) -> None:
        """Choose the option reading ``label`` in the <select> at ``css``, as the browser's own list does
        once it is open (that list is drawn by the browser, outside the page)."""

    @abstractmethod
    def viewport(self, width: int, height: int) -> None:
        """Resize the page's viewport to ``width`` x ``height`` CSS pixels."""

    # ------------------------------------------------------------------ built on the above
    def wait(self, function: str, *args: Any, timeout: float = 15) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = self.js(function, *args)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.engine}: timed out waiting for {function} {args}")
            time.sleep(0.05)

    def find(self, css: str, text: str | None = None) -> dict[str, float]:
        box = self.js(FIND, css, text)
        assert "error" not in box, f"{self.engine}: {box['error']}"
        return box

    def press(self, css: str, text: str | None = None) -> None:
        """Click or tap the middle of the element at ``css`` reading ``text``."""
        box = self.find(css, text)
        self.press_at(box["x"], box["y"])

    def text(self, css: str) -> str:
        return self.js("(css) => (document.querySelector(css)?.textContent || '').replace(/\\s+/g, ' ').trim()", css)

    def heading(self) -> str:
        return self.text("#main h1")

    def wait_for_heading(self, title: str) -> None:
        self.wait("(title) => document.querySelector('#main h1')?.textContent.trim() === title", title)

    def focused(self) -> dict[str, Any]:
        return self.js(FOCUSED)

    def tab_to(self, test, limit: int = 400) -> dict[str, Any]:
        """Press Tab until the focused element passes ``test`` (a Python predicate on FOCUSED's answer)."""
        for _ in range(limit):
            now = self.focused()
            if test(now):
                return now
            self.key("Tab")
        raise AssertionError(f"{self.engine}: Tab never reached the element wanted")

    def audit(self, where: str) -> list[str]:
        """axe-core's WCAG 2.1 A/AA violations on the page as it is now, of any impact, with the
        viewport as tall as the page so nothing is hidden under the sticky top bar or pager."""
        if not self.js("() => typeof window.axe === 'object'"):
            self.js("(source) => { const s = document.createElement('script'); s.textContent = source;"
                    " document.head.append(s); }", AXE.read_text(encoding="utf-8"))
        width, height = self.js("() => [innerWidth, innerHeight]")
        self.viewport(width, max(height, self.js("() => document.documentElement.scrollHeight")))
        try:
            result = self.js("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
                             ".then((r) => JSON.stringify({violations: r.violations,"
                             " checked: [...r.passes, ...r.incomplete, ...r.violations].map((x) => x.id)}))",
                             WCAG21_AA)
        finally:
            self.viewport(width, height)
        result = json.loads(result)
        assert "color-contrast" in result["checked"], f"{self.engine} {where}: axe did not check colour contrast"
        return [f"{self.engine} {where}: {rule['impact']} {rule['id']} ({rule['help']}) at "
                + ", ".join(" ".join(node["target"]) for node in rule["nodes"][:5]) for rule in result["violations"]]


class PlaywrightLearner(Learner):
    """Chromium or Firefox through Playwright; "touch" needs a context with has_touch=True."""

    def __init__(self, page, engine: str, how: str) -> None:
        self.page, self.engine, self.how = page, engine, how

    def goto(self, url: str) -> None:
        self.page.goto(url)

    def js(self, function: str, *args: Any) -> Any:
        return self.page.evaluate(f"(args) => ({function})(...args)", list(args))

    def press_at(self, x: float, y: float) -> None:
        if self.how == "touch":
            self.page.touchscreen.tap(x, y)
        else:
            self.page.mouse.click(x, y)

    def key(self, name: str) -> None:
        self.page.keyboard.press(name)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def pick(self, css: str, label: str) -> None:
        self.page.locator(css).select_option(label=label)

    def viewport(self, width: int, height: int) -> None:
        self.page.set_viewport_size({"width": width, "height": height})


class SeleniumLearner(Learner):
    """WebKitGTK through Selenium. A "touch" learner sends W3C touch pointer actions; WebKitGTK
    has no touch emulation and delivers them as mouse events at the same points."""

    KEYS: ClassVar[dict[str, str]] = {  # WebDriver's key codes
        "Tab": "\ue004", "Enter": "\ue007", "Space": "\ue00d",
        "ArrowDown": "\ue015", "ArrowUp": "\ue013", "ArrowRight": "\ue014", "ArrowLeft": "\ue012"}

    def __init__(self, driver, engine: str, how: str) -> None:
        self.driver, self.engine, self.how = driver, engine, how

    def goto(self, url: str) -> None:
        self.driver.get(url)

    def js(self, function: str, *args: Any) -> Any:
        # As JSON text: WebKitWebDriver reorders the keys of objects it hands back.
        text = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            f"Promise.resolve(({function})(...[...arguments].slice(0, -1)))"
            ".then((v) => done(JSON.stringify(v ?? null)), (e) => done(JSON.stringify({jsError: String(e)})))", *args)
        value = json.loads(text)
        assert not (isinstance(value, dict) and "jsError" in value), f"{self.engine}: {value}"
        return value

    def press_at(self, x: float, y: float) -> None:
        from selenium.webdriver.common.actions import interaction
        from selenium.webdriver.common.actions.action_builder import ActionBuilder
        from selenium.webdriver.common.actions.pointer_input import PointerInput

        kind = interaction.POINTER_TOUCH if self.how == "touch" else interaction.POINTER_MOUSE
        actions = ActionBuilder(self.driver, mouse=PointerInput(kind, "finger" if self.how == "touch" else "mouse"))
        actions.pointer_action.move_to_location(int(x), int(y)).pointer_down().pointer_up()
        actions.perform()

    def key(self, name: str) -> None:
        from selenium.webdriver import ActionChains

        ActionChains(self.driver).send_keys(self.KEYS[name]).perform()

    def type(self, text: str) -> None:
        from selenium.webdriver import ActionChains

        ActionChains(self.driver).send_keys(text).perform()

    def pick(self, css: str, label: str) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select

        Select(self.driver.find_element(By.CSS_SELECTOR, css)).select_by_visible_text(label)

    def viewport(self, width: int, height: int) -> None:
        outer_w, outer_h = self.js("() => [outerWidth - innerWidth, outerHeight - innerHeight]")
        self.driver.set_window_size(width + outer_w, height + outer_h)
        # The window manager resizes after set_window_size returns: points measured before then
        # would be of the old viewport. A window taller than the (virtual) screen may be cut to it.
        fits = self.js("(h) => h <= screen.height", height + outer_h)
        try:
            self.wait("([w, h]) => innerWidth === w && innerHeight === h", [width, height], timeout=5)
        except AssertionError:
            if fits:
                raise


# ------------------------------------------------------------------------------- answering
def right_answer_text(q: Question, language: str) -> str:
    """What a learner who knows the answer types, written the way ``language`` writes numbers."""
    if isinstance(q, FillIn):
        return q.accepted[0]
    if isinstance(q, FreeText):
        return " ".join(["I will report anything suspicious at once", *q.keywords])
    assert isinstance(q, Numeric)
    value = f"{sum(q.bounds()) / 2:.7f}".rstrip("0").rstrip(".")
    if language.startswith("nl"):
        return value.replace(".", ",")
    if language.startswith("ar"):  # Arabic-Indic digits and the Arabic decimal separator
        return value.translate(str.maketrans("0123456789.", "٠١٢٣٤٥٦٧٨٩٫"))
    return value


def answer_quiz(learner: Learner, quiz: QuizBlock, t: Translator, language: str) -> None:
    """Answer every question of ``quiz`` rightly, by pointer (mouse or touch) or keyboard alone,
    then submit and wait for the result."""
    form = f"form[data-quiz='{quiz.id}']"
    for q in quiz.questions:
        scope = f"{form} [data-question='{q.id}']"
        if learner.how == "keyboard":
            _keyboard_answer(learner, q, scope, t, language)
        else:
            _pointer_answer(learner, q, scope, t, language)
    if learner.how == "keyboard":
        learner.tab_to(lambda f: f["action"] == "submit" and f["tag"] == "button")
        learner.key("Enter")
    else:
        learner.press(f"{form} [data-action='submit']")
    learner.wait("(css) => document.querySelector(css)?.textContent.length > 0", f"{form} [data-result]")


def _choice_labels(q: Question, t: Translator) -> list[str]:
    """The labels to pick for ``q`` (choices, a true/false answer, hotspot regions)."""
    if isinstance(q, (SingleChoice, MultipleResponse)):
        return [plain_text(c.text) for c in q.choices if c.correct]
    if isinstance(q, TrueFalse):
        return [t("question.true" if q.answer else "question.false")]
    if isinstance(q, Hotspot):
        return [r.label for r in q.regions if r.correct]
    raise TypeError(q)


def _pointer_answer(learner: Learner, q: Question, scope: str, t: Translator, language: str) -> None:
    if isinstance(q, Hotspot):  # a press on the middle of each right part of the picture
        for region in (r for r in q.regions if r.correct):
            x, y, width, height = region.coords
            point = learner.js(POINT, f"{scope} [data-hotspot] img", (x + width / 2) / 100, (y + height / 2) / 100)
            learner.press_at(point["x"], point["y"])
    elif isinstance(q, (SingleChoice, MultipleResponse, TrueFalse)):
        for label in _choice_labels(q, t):
            learner.press(f"{scope} label.choice", label)
    elif isinstance(q, (FillIn, FreeText, Numeric)):
        learner.press(f"{scope} .text-answer")
        learner.type(right_answer_text(q, language))
    elif isinstance(q, Matching):
        for p in q.pairs:
            learner.pick(f"{scope} select[data-source='{p.id}']", plain_text(p.target))
    elif isinstance(q, Likert):
        for s in q.statements:
            learner.press(f"{scope} [data-statement='{s.id}'] label.likert-point", t("likert.scale.4"))
    elif isinstance(q, Ordering):
        for position, item in enumerate(q.items):
            text = plain_text(item.text)
            while _shown_order(learner, scope).index(text) > position:
                learner.press(f"{scope} button[data-move='-1']", t("order.up", item=text))
    else:
        raise TypeError(q)
    _check_answered(learner, q, scope, t)


def _keyboard_answer(learner: Learner, q: Question, scope: str, t: Translator, language: str) -> None:
    if isinstance(q, (SingleChoice, TrueFalse, Hotspot)):
        wanted = _choice_labels(q, t)[0]
        learner.tab_to(lambda f: f["question"] == q.id and f["type"] == "radio")
        for _ in range(len(q.regions) if isinstance(q, Hotspot) else 6):
            if learner.focused()["label"] == wanted:
                break
            learner.key("ArrowDown")  # moves to the next radio of the group and selects it
        assert learner.focused()["label"] == wanted
        learner.key("Space")
    elif isinstance(q, MultipleResponse):
        wanted = set(_choice_labels(q, t))
        shown = _texts(learner, f"{scope} label.choice")
        for label in (s for s in shown if s in wanted):
            learner.tab_to(lambda f, label=label: f["question"] == q.id and f["label"] == label)
            learner.key("Space")
    elif isinstance(q, (FillIn, FreeText, Numeric)):
        learner.tab_to(lambda f: f["question"] == q.id and f["tag"] in ("input", "textarea"))
        learner.type(right_answer_text(q, language))
    elif isinstance(q, Matching):
        shown = learner.js("(css) => [...document.querySelectorAll(css)].map((s) => s.dataset.source)",
                           f"{scope} select[data-source]")
        targets = {p.id: plain_text(p.target) for p in q.pairs}
        for source in shown:
            learner.tab_to(lambda f, source=source: f["id"] == f"q-{q.id}-{source}")
            for _ in range(len(q.pairs) + 1):
                if learner.focused()["selected"] == targets[source]:
                    break
                learner.key("ArrowDown")
            assert learner.focused()["selected"] == targets[source]
    elif isinstance(q, Likert):
        wanted = t("likert.scale.4")
        for s in q.statements:
            learner.tab_to(lambda f, s=s: f["statement"] == s.id and f["type"] == "radio")
            for _ in range(5):
                if learner.focused()["label"] == wanted:
                    break
                learner.key("ArrowDown")
            learner.key("Space")
    elif isinstance(q, Ordering):
        for position, item in enumerate(q.items):
            text = plain_text(item.text)
            up = t("order.up", item=text)
            while _shown_order(learner, scope).index(text) > position:
                learner.tab_to(lambda f, up=up: f["question"] == q.id and f["label"] == up)
                learner.key("Enter")
    else:
        raise TypeError(q)
    _check_answered(learner, q, scope, t)


def _shown_order(learner: Learner, scope: str) -> list[str]:
    return _texts(learner, f"{scope} li .order-text")


def _texts(learner: Learner, css: str) -> list[str]:
    """The text of every element at ``css``, spaces collapsed."""
    return learner.js("(css) => [...document.querySelectorAll(css)]"
                      ".map((el) => el.textContent.replace(/\\s+/g, ' ').trim())", css)


def _check_answered(learner: Learner, q: Question, scope: str, t: Translator) -> None:
    """The answer the learner meant is the one the page now holds."""
    if isinstance(q, Ordering):
        assert _shown_order(learner, scope) == [plain_text(i.text) for i in q.items], (learner.engine, q.id)
    elif isinstance(q, (SingleChoice, MultipleResponse, TrueFalse, Hotspot)):
        checked = learner.js("(css) => [...document.querySelectorAll(css)]"
                             ".filter((l) => l.querySelector('input').checked)"
                             ".map((l) => l.textContent.replace(/\\s+/g, ' ').trim())", f"{scope} label.choice")
        assert sorted(checked) == sorted(_choice_labels(q, t)), (learner.engine, q.id, checked)
    elif isinstance(q, Matching):
        chosen = learner.js("(css) => [...document.querySelectorAll(css)].map((s) => [s.dataset.source, s.value])",
                            f"{scope} select[data-source]")
        assert sorted(chosen) == sorted([p.id, p.id] for p in q.pairs), (learner.engine, q.id, chosen)


def play(learner: Learner, course: Course, t: Translator, language: str,
         visit: Callable[[str], None] | None = None) -> None:
    """Read every page in order, answering each quiz rightly on the way, then Finish: the results
    page is shown. ``visit`` is called with each page's id once its quizzes are answered, and with
    "results" on the results page (an audit, a measurement)."""
    pages = course.pages()
    for index, page in enumerate(pages):
        learner.wait_for_heading(page.title)
        for block in page.blocks:
            if isinstance(block, QuizBlock):
                answer_quiz(learner, block, t, language)
                result = learner.text(f"form[data-quiz='{block.id}'] [data-result]")
                mark = block.pass_mark or course.passing_score
                assert t("quiz.passed", mark=mark) in result, (learner.engine, result)
        if visit:
            visit(page.id)
        last = index == len(pages) - 1
        if learner.how == "keyboard":
            learner.tab_to(lambda f: f["id"] == "next")
            learner.key("Enter")
        else:
            learner.press("#next", t("finish" if last else "next"))
    learner.wait_for_heading(t("results.title"))
    if visit:
        visit("results")
