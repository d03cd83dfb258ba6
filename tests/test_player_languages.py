"""The player in Dutch and in Arabic, on Chromium, Firefox and WebKit: the sample course with its
language changed and a few titles translated, built and served as `courseforge preview` does,
then read page by page and every quiz (every question type) answered, to the results page.

The interface speaks the course language (plural forms included: Arabic has six, and the score
of a five-point quiz takes the "few" one), numbers are typed the language's way ("6,5" in Dutch,
Arabic-Indic digits in Arabic), and the Arabic course is laid out right to left: dir="rtl", the
menu, the pager and the choices mirrored (measured from where the elements are drawn), and the
stylesheet written with logical properties wherever one applies."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from learners import Learner, PlaywrightLearner, SeleniumLearner, answer_quiz, play, right_answer_text
from lms.server import LoopbackServer
from test_engines import display, firefox, webkit  # noqa: F401  (fixtures: one Firefox, one WebKit per module)

from courses.loader import load_course
from courses.model import Course, Numeric, QuizBlock
from exporters.build import build_site
from player.i18n import Translator
from player.markdown import plain_text

# Selenium's own WebKitGTK driver warns of its own deprecated call.
pytestmark = [pytest.mark.filterwarnings("ignore:setting remote_server_addr:DeprecationWarning")]

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "courses" / "samples" / "security-basics"
CSS = REPO / "player" / "static" / "css" / "player.css"
DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 810, "height": 1080}
ENGINES = ["chromium", "firefox", "webkit"]
PARTIAL = "q-phish-signs"

TRANSLATIONS = {
    "nl": {"title": "Basisbeveiliging: phishing, wachtwoorden en veilige gewoonten",
           "s-phishing": "Phishing herkennen", "p-welcome": "Waarom dit ertoe doet",
           "p-spot-phish": "Kenmerken van een phishingbericht", "p-final": "Eindtoets", "quiz-final": "Eindtoets"},
    "ar": {"title": "أساسيات الأمن: التصيّد وكلمات المرور والعادات الآمنة",
           "s-phishing": "التعرّف على التصيّد", "p-welcome": "لماذا يهمّ هذا",
           "p-spot-phish": "علامات رسالة التصيّد", "p-final": "التقييم النهائي", "quiz-final": "التقييم النهائي"},
}


def translated_course(folder: Path, language: str) -> Path:
    """A copy of the sample course in ``language``, with the titles of TRANSLATIONS put in (and
    partial credit on the two-point multiple-response question, so a partly right answer has a verdict)."""
    shutil.copytree(SAMPLE, folder)
    data = yaml.safe_load((folder / "course.yaml").read_text(encoding="utf-8"))
    names = TRANSLATIONS[language]
    data["language"], data["title"] = language, names["title"]
    for section in data["sections"]:
        section["title"] = names.get(section["id"], section["title"])
        for page in section["pages"]:
            page["title"] = names.get(page["id"], page["title"])
            for block in page["blocks"]:
                if block["type"] == "quiz":
                    block["title"] = names.get(block["id"], block["title"])
                    for question in block["questions"]:
                        if question["id"] == PARTIAL:
                            question["partial_credit"] = True
    (folder / "course.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


# ------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, tuple[Course, str]]:
    """{language: (course, launch URL)} for the Dutch and the Arabic course, both on one server."""
    server = LoopbackServer()
    built = {}
    for language in TRANSLATIONS:
        work = tmp_path_factory.mktemp(f"course-{language}")
        folder = translated_course(work / "course", language)
        server.mount(f"/{language}/", build_site(folder, "web", work / "site").path)
        built[language] = (load_course(folder), server.url(f"/{language}/index.html"))
    yield built
    server.stop()


@pytest.fixture
def learner(request, pw, chromium) -> Learner:
    """A mouse-using learner on the engine the test is parametrized with, on a desktop-sized window."""
    engine = request.param
    if engine == "webkit":
        driver = request.getfixturevalue("webkit")
        driver.delete_all_cookies()
        you = SeleniumLearner(driver, engine, "mouse")
        yield you
        driver.get("about:blank")
        return
    browser = chromium if engine == "chromium" else request.getfixturevalue("firefox")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield PlaywrightLearner(page, engine, "mouse")
    context.close()
    assert errors == []


def start(learner: Learner, url: str, course: Course) -> None:
    """Open the course afresh (nothing kept from an earlier test on the same engine)."""
    learner.goto(url.rsplit("/", 2)[0] + "/")  # a page of the same origin: the player would save on leaving
    learner.js("() => localStorage.clear()")
    learner.goto(url)
    learner.viewport(DESKTOP["width"], DESKTOP["height"])
    learner.wait_for_heading(course.pages()[0].title)


def numeric_quiz(course: Course) -> tuple[QuizBlock, Numeric]:
    quiz = next(b for p in course.pages() for b in p.blocks
                if isinstance(b, QuizBlock) and any(isinstance(q, Numeric) for q in b.questions))
    return quiz, next(q for q in quiz.questions if isinstance(q, Numeric))


def check_interface_strings(learner: Learner, language: str, expected: dict[str, str]) -> None:
    """The page's own words (not the course's) in ``language``, as rendered and as the runtime writes them."""
    assert learner.js("() => [document.documentElement.lang, document.documentElement.dir]") == [
        language, "rtl" if language == "ar" else "ltr"]
    for css, text in expected.items():
        learner.wait("([css, text]) => (document.querySelector(css)?.getAttribute('aria-label') "
                     "|| document.querySelector(css)?.textContent || '').replace(/\\s+/g, ' ').trim() === text"
                     " || (document.querySelector(css)?.getAttribute('aria-valuetext') === text)", [css, text])


# ------------------------------------------------------------------------------- Dutch
@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("learner", ENGINES, indirect=True)
def test_the_dutch_course_in_dutch_from_the_first_page_to_the_results(learner, sites):
    course, url = sites["nl"]
    t = Translator("nl")
    start(learner, url, course)
    total = len(course.pages())
    check_interface_strings(learner, "nl", {
        "#next": "Volgende", "#prev": "Vorige", "#menu": "Cursusmenu", "#exit": "Cursus verlaten",
        "#position": f"Pagina 1 van {total}",
        "#progress": f"1 van {total} pagina's bekeken",  # the plural form, set by the runtime
    })
    quiz, numeric = numeric_quiz(course)
    assert right_answer_text(numeric, "nl") == "6,5"
    play(learner, course, t, "nl")
    # After the journey: what the quizzes said, in Dutch with its plurals, and the number typed with a comma.
    assert learner.text("#main h1") == "Je resultaat"
    page = next(p for p in course.pages() if quiz in p.blocks)
    learner.press(f"#menu a[data-page='{page.id}']")
    learner.wait_for_heading(page.title)
    intro = learner.text(f"#b-{quiz.id} .quiz-intro")
    assert intro.startswith(f"{len(quiz.questions)} vragen. Cesuur {course.passing_score}%."), intro
    points = f"{sum(q.points for q in quiz.questions):g}"
    assert learner.text(f"form[data-quiz='{quiz.id}'] [data-result]").startswith(
        f"Je score is {points} van {points} punten (100%). Cesuur {course.passing_score}%: geslaagd."), \
        learner.text(f"form[data-quiz='{quiz.id}'] [data-result]")
    assert learner.text(f"#fb-{numeric.id}").startswith("Goed."), learner.text(f"#fb-{numeric.id}")
    assert learner.js("(css) => document.querySelector(css).value", f"#q-{numeric.id}-answer") == "6,5"
    assert learner.text(f"[data-question='{numeric.id}'] .question-number").startswith("Vraag ")


# ------------------------------------------------------------------------------- Arabic
def mirrored_layout(learner: Learner) -> None:
    """Where the parts of the page are drawn in the Arabic course: each on the side opposite to
    where an English course draws it."""
    box = learner.find
    width = learner.js("() => document.documentElement.clientWidth")  # the scrollbar, if drawn, is not the page's
    menu, main = box("#menu"), box("#main")
    assert abs(menu["left"] + menu["width"] - width) < 2, "the menu runs down the right edge"
    assert main["left"] + main["width"] <= menu["left"] + 1, "the page is to the left of the menu"
    previous, nxt, position = box("#prev"), box("#next"), box("#position")
    assert previous["left"] > position["left"] > nxt["left"], "Previous on the right, Next on the left"
    title, leave = box(".course-title"), box("#exit")
    assert title["left"] > leave["left"], "the course title at the right of the top bar, Exit at the left"
    heading = box("#main h1")
    right_edge = main["left"] + main["width"]
    assert abs(heading["left"] + heading["width"] - right_edge) < 40, "the title starts at the right"


def mirrored_questions(learner: Learner, course: Course) -> None:
    """A choice's button is right of its text, an ordering item's number and padding are on the right."""
    final = course.pages()[-1]
    learner.press(f"#menu a[data-page='{final.id}']")
    learner.wait_for_heading(final.title)
    sides = learner.js("""() => {
      const choice = document.querySelector('label.choice');
      const input = choice.querySelector('input').getBoundingClientRect();
      const text = choice.querySelector('.choice-text').getBoundingClientRect();
      const item = document.querySelector('.order-item');
      const style = getComputedStyle(item);
      const itemText = item.querySelector('.order-text').getBoundingClientRect();
      const buttons = item.querySelector('.order-buttons').getBoundingClientRect();
      return {inputRightOfText: input.left > text.left, buttonsLeftOfText: buttons.left < itemText.left,
              paddingStart: style.paddingRight, paddingEnd: style.paddingLeft};
    }""")
    assert sides["inputRightOfText"] and sides["buttonsLeftOfText"], sides
    assert (sides["paddingStart"], sides["paddingEnd"]) == ("12px", "4px"), sides


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("learner", ENGINES, indirect=True)
def test_the_arabic_course_right_to_left_from_the_first_page_to_the_results(learner, sites):
    course, url = sites["ar"]
    t = Translator("ar")
    start(learner, url, course)
    total = len(course.pages())
    check_interface_strings(learner, "ar", {
        "#next": "التالي", "#prev": "السابق", "#menu": "قائمة الدورة", "#exit": "الخروج من الدورة",
        "#position": f"الصفحة 1 من {total}",
        "#progress": f"تمت مشاهدة 1 من {total} صفحة",  # 13 pages: the "many" form
    })
    mirrored_layout(learner)
    quiz, numeric = numeric_quiz(course)
    assert right_answer_text(numeric, "ar") == "٦٫٥"
    play(learner, course, t, "ar")
    assert learner.text("#main h1") == "نتائجك"
    page = next(p for p in course.pages() if quiz in p.blocks)
    learner.press(f"#menu a[data-page='{page.id}']")
    learner.wait_for_heading(page.title)
    asked = quiz.draw or len(quiz.questions)  # the page itself says it, in the plural form of the count
    intro = learner.text(f"#b-{quiz.id} .quiz-intro")
    assert intro.startswith(t("quiz.intro", asked, mark=0).split(".")[0] + "."), intro
    if 3 <= asked <= 10:
        assert intro.startswith(f"{asked} أسئلة."), intro
    points = f"{sum(q.points for q in quiz.questions):g}"
    assert 3 <= float(points) <= 10, "a quiz whose points take Arabic's 'few' form"
    result = learner.text(f"form[data-quiz='{quiz.id}'] [data-result]")
    mark = course.passing_score
    assert result.startswith(f"حصلت على {points} من {points} نقاط (100%). درجة النجاح {mark}%: ناجح."), result
    feedback = learner.text(f"#fb-{numeric.id}")
    assert feedback.startswith("إجابة صحيحة."), f"the number typed in Arabic-Indic digits is read: {feedback}"
    mirrored_questions(learner, course)
    drawer_from_the_right(learner)


def drawer_from_the_right(learner: Learner) -> None:
    """On a tablet the menu is a drawer: closed beyond the right edge, opened against it."""
    learner.viewport(TABLET["width"], TABLET["height"])
    width = learner.js("() => document.documentElement.clientWidth")
    # (From the desktop's side column, the drawer first slides out of sight.)
    learner.wait("(width) => document.getElementById('menu').getBoundingClientRect().left >= width", width)
    learner.press("#menu-toggle")
    learner.wait("() => getComputedStyle(document.getElementById('menu')).transform === 'none'")
    opened = learner.js("() => document.getElementById('menu').getBoundingClientRect().toJSON()")
    assert abs(opened["right"] - width) < 2 and opened["left"] > width / 2, opened


@pytest.mark.browser
@pytest.mark.slow
def test_a_partly_right_arabic_quiz_is_told_in_arabic(chromium, sites):
    """A partly right answer's verdict and a failed quiz's score, both with plural forms, by the runtime."""
    course, url = sites["ar"]
    t = Translator("ar")
    context = chromium.new_context(viewport=DESKTOP)
    try:
        learner = PlaywrightLearner(context.new_page(), "chromium", "mouse")
        start(learner, url, course)
        page = next(p for p in course.pages() if any(isinstance(b, QuizBlock) for b in p.blocks))
        quiz = next(b for b in page.blocks if isinstance(b, QuizBlock))
        learner.press(f"#menu a[data-page='{page.id}']")
        learner.wait_for_heading(page.title)
        two_points = next(q for q in quiz.questions if q.id == PARTIAL)
        assert two_points.points == 2
        learner.press(f"[data-question='{two_points.id}'] label.choice",
                      next(plain_text(c.text) for c in two_points.choices if c.correct))
        others = [q for q in quiz.questions if q is not two_points]
        answer_quiz_partly(learner, quiz, others, t)
        assert learner.text(f"#fb-{two_points.id}").startswith("صحيحة جزئيًا:"), learner.text(f"#fb-{two_points.id}")
        assert re.search(r"نقطتين", learner.text(f"#fb-{two_points.id}")), "two points: the 'two' form"
        assert "غير ناجح" in learner.text(f"form[data-quiz='{quiz.id}'] [data-result]")
    finally:
        context.close()


def answer_quiz_partly(learner: Learner, quiz: QuizBlock, answered, t: Translator) -> None:
    """Answer the questions ``answered`` of ``quiz`` rightly, then submit (the rest stays as it is)."""
    answer_quiz(learner, quiz.model_copy(update={"questions": answered}), t, "ar")


# ------------------------------------------------------------------------------- the stylesheet
# Physical sides player.css may name, each for a reason a logical property would get wrong.
PHYSICAL_ALLOWED = {
    # The safe-area insets are the device's own left and right: they do not swap with the language.
    ".topbar": "padding: .5rem max(.75rem, env(safe-area-inset-right)) .5rem max(.75rem, env(safe-area-inset-left))",
}
PHYSICAL = re.compile(r"(?<![-\w])(margin|padding|border|inset)-(left|right)\b|(?<![-\w])(left|right)\s*:"
                      r"|\b(text-align|float|clear)\s*:\s*(left|right)\b|border-(top|bottom)-(left|right)-radius")


def _rules(css: str):
    """(selector, declaration) for every declaration of the stylesheet (comments dropped)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        for declaration in body.split(";"):
            if declaration.strip():
                yield " ".join(selector.split()), " ".join(declaration.split())


def _sides(value: str) -> list[str]:
    """A box shorthand's values, split at spaces outside brackets."""
    parts, depth, word = [], 0, ""
    for ch in value:
        depth += (ch == "(") - (ch == ")")
        if ch == " " and depth == 0:
            parts.append(word)
            word = ""
        else:
            word += ch
    return [*parts, word]


def test_the_stylesheet_names_no_physical_side_where_a_logical_one_applies():
    found = []
    for selector, declaration in _rules(CSS.read_text(encoding="utf-8")):
        if PHYSICAL_ALLOWED.get(selector) == declaration:
            continue
        name, _, value = declaration.partition(":")
        sides = _sides(value.strip())
        four_sided = name.strip() in ("margin", "padding", "inset", "border-width", "border-color", "border-style")
        if PHYSICAL.search(declaration) or (four_sided and len(sides) == 4 and sides[1] != sides[3]):
            found.append(f"{selector} {{ {declaration} }}")
    assert found == [], "use logical properties (inline-start/end):\n" + "\n".join(found)
