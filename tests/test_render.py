"""The rendered player site, read as HTML and JSON (no browser): structure, escaping, media and
quiz markup, and the course data contract the JavaScript runtime reads."""
from __future__ import annotations

import json
import re

import lxml.html
import pytest

from media.assets import Asset, BlockMedia
from player.bundle import player_bundle
from player.markdown import plain_text, render_inline, render_markdown
from player.render import preloaded_modules, render_site


@pytest.fixture(scope="module")
def site(demo_course):
    course, media = demo_course
    return render_site(course, media, "web")


def html(site, name):
    return lxml.html.fromstring(site[name].decode())


def test_site_has_shell_data_every_page_and_the_runtime(site, demo_course):
    course, _ = demo_course
    expected = {"index.html", "course.json", "css/player.css", "js/app.js"}
    expected |= {f"pages/{p.id}.html" for p in course.pages()}
    expected |= {f"js/questions/{t}.js" for t in
                 ("single_choice", "multiple_response", "true_false", "fill_in", "matching", "ordering", "likert")}
    assert expected <= set(site)
    assert not any(name.startswith("media/") for name in site), "media files are the exporter's job"
    for page in course.pages():
        fragment = html(site, f"pages/{page.id}.html")
        assert fragment.tag == "article" and fragment.get("data-page") == page.id
        heading = fragment.get_element_by_id("page-title")
        assert heading.tag == "h1" and heading.get("tabindex") == "-1" and heading.text_content() == page.title


def test_rendering_is_deterministic(demo_course, site):
    course, media = demo_course
    assert render_site(course, media, "web") == site


def test_unknown_tracking_is_refused(demo_course):
    course, media = demo_course
    with pytest.raises(ValueError, match="unknown tracking 'cmi5'"):
        render_site(course, media, "cmi5")


def test_shell_has_menu_progress_pager_and_live_regions(site, demo_course):
    course, _ = demo_course
    doc = html(site, "index.html")
    assert doc.get("lang") == "en"
    assert doc.find(".//title").text == course.title
    nav = doc.get_element_by_id("menu")
    assert nav.tag == "nav" and nav.get("aria-label") == "Course menu"
    links = nav.xpath(".//a[@data-page]")
    assert [a.get("data-page") for a in links] == [p.id for p in course.pages()]
    assert [a.get("aria-current") for a in links][:2] == ["page", None]
    bar = doc.get_element_by_id("progress")
    assert bar.get("role") == "progressbar" and bar.get("aria-valuenow") == "0" and bar.get("aria-label")
    assert doc.get_element_by_id("announce").get("aria-live") == "polite"
    assert doc.get_element_by_id("notice").get("role") == "status"
    assert doc.get_element_by_id("main").tag == "main"
    assert {b.text for b in doc.xpath("//button[@id='prev' or @id='next' or @id='exit']")} == {
        "Previous", "Next", "Exit course"}
    assert doc.xpath("//script[@type='module']/@src") == ["js/app.js"]


def test_hostile_titles_and_markdown_never_become_markup(site):
    for name, data in site.items():
        if name.endswith(".html"):
            text = data.decode()
            assert "<script>alert" not in text, name
            assert "onerror" not in text, name
    index = site["index.html"].decode()
    # The only </script> end tags are those of the two real script elements.
    assert index.count("</script") == 2
    assert "Welcome &lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in index
    welcome = html(site, "pages/welcome.html")
    assert welcome.get_element_by_id("page-title").text_content() == "Welcome <script>alert('title')</script>"
    link = welcome.xpath("//a[text()='Policy']")[0]
    assert link.get("rel") == "noopener noreferrer" and link.get("target") == "_blank"
    # Markdown's "# Hello" sits below the page's h1.
    assert [h.text for h in welcome.xpath("//h2")] == ["Hello"]


def test_inline_course_data_equals_course_json(site):
    doc = html(site, "index.html")
    inline = json.loads(doc.get_element_by_id("course-data").text)
    assert inline == json.loads(site["course.json"])
    assert inline["title"] == "Tips & <b>tricks</b> for safe work"


def test_course_json_follows_the_player_data_contract(site, demo_course):
    course, _ = demo_course
    data = json.loads(site["course.json"])
    assert set(data) == {"id", "title", "version", "language", "completion", "passingScore", "navigation",
                         "tracking", "pages", "quizzes", "messages"}
    assert (data["id"], data["completion"], data["passingScore"], data["navigation"], data["tracking"]) == (
        "demo", "both", 60, "free", "web")
    assert data["pages"][2] == {"id": "quick-check", "title": "Quick check", "section": "Check yourself",
                                "href": "pages/quick-check.html", "quizzes": ["quiz-quick"]}
    assert data["pages"][0]["section"] == "Getting <started>"
    quick, final, survey = data["quizzes"]
    assert (quick["passMark"], quick["attempts"], quick["shuffle"]) == (60, 2, False)
    assert final["shuffle"] is True
    assert survey["questions"][0]["statements"] == [{"id": "l-clear", "text": "The examples were clear"},
                                                    {"id": "l-use", "text": "I will use what I learned"}]
    assert survey["questions"][0]["scale"][0] == "Strongly disagree" and len(survey["questions"][0]["scale"]) == 5
    questions = {q["id"]: q for quiz in data["quizzes"] for q in quiz["questions"]}
    assert questions["q-lock"]["correct"] == "c-always"
    assert questions["q-lock"]["choices"][0] == {"id": "c-lunch", "text": "Only at lunch"}
    assert questions["q-share"]["correct"] is False
    assert questions["q-signs"]["correct"] == ["c-urgent", "c-sender"]
    assert questions["q-report"]["correct"] == ["security", "security team"]
    assert questions["q-report"]["caseSensitive"] is False
    # A typed answer may be twice the longest accepted one ("security team"), and at least 40 characters.
    assert questions["q-report"]["maxLength"] == 40
    assert questions["q-match"]["correct"] == [["m-phish", "m-phish"], ["m-wifi", "m-wifi"], ["m-pass", "m-pass"]]
    assert questions["q-order"]["correct"] == ["o-stop", "o-report", "o-wait"]
    for q in questions.values():
        assert q["points"] == 1 and q["text"] and {"id", "type", "points", "text", "correct"} <= set(q)


def test_images_have_alt_size_and_lazy_loading_after_the_first(site):
    page = html(site, "pages/welcome.html")
    imgs = page.xpath("//figure//img")
    assert [i.get("alt") for i in imgs] == ["A tidy desk with a locked laptop", "A badge reader on a door"]
    assert [(i.get("width"), i.get("height")) for i in imgs] == [("640", "360"), ("320", "240")]
    assert [i.get("loading") for i in imgs] == [None, "lazy"]
    picture = imgs[0].getparent()
    assert picture.tag == "picture"
    assert [(s.get("type"), s.get("srcset")) for s in picture.xpath("source")] == [("image/webp", "media/desk.webp")]
    assert imgs[0].get("src") == "media/desk.png"
    assert imgs[1].getparent().tag == "figure"
    assert page.xpath("//figcaption")[0].text_content() == "Lock your screen"


def test_video_plays_inline_with_renditions_and_captions(site):
    video = html(site, "pages/watch.html").xpath("//video")[0]
    assert {"controls", "playsinline"} <= set(video.attrib)
    assert video.get("preload") == "metadata" and video.get("poster") == "media/desk.png"
    assert video.get("aria-label") == "Introduction video"
    assert [(s.get("src"), s.get("type")) for s in video.xpath("source")] == [
        ("media/intro.mp4", "video/mp4"), ("media/intro-360.mp4", "video/mp4")]
    track = video.xpath("track")[0]
    assert (track.get("kind"), track.get("src"), track.get("srclang"), track.get("label")) == (
        "captions", "media/intro.vtt", "en", "English")
    assert "default" not in track.attrib  # captions are the learner's choice, off until turned on


def test_video_sources_offer_hls_then_each_rendition_for_the_screen_it_suits(demo_course, tmp_path):
    course, media = demo_course
    ladder = [Asset(tmp_path / f"{h}.mp4", f"media/intro-{h}p.mp4", "video/mp4", w, h) for w, h in
              ((1280, 720), (960, 540), (640, 360))]
    hls = Asset(tmp_path / "master.m3u8", "media/hls/master.m3u8", "application/vnd.apple.mpegurl")
    video_block = next(b for p in course.pages() for b in p.blocks if b.type == "video")
    media = {**media, video_block.id: BlockMedia(video_block.id, sources=ladder, hls=hls)}
    page = next(p for p in course.pages() if video_block in p.blocks)
    video = lxml.html.fromstring(render_site(course, media, "web")[f"pages/{page.id}.html"].decode()).xpath("//video")[0]
    assert [(s.get("src"), s.get("type"), s.get("media")) for s in video.xpath("source")] == [
        ("media/hls/master.m3u8", "application/vnd.apple.mpegurl", None),
        ("media/intro-720p.mp4", "video/mp4", "(min-width: 961px)"),
        ("media/intro-540p.mp4", "video/mp4", "(min-width: 641px)"),
        ("media/intro-360p.mp4", "video/mp4", None)]
    assert (video.get("width"), video.get("height")) == ("1280", "720")


def test_script_narration_shows_its_script_as_transcript(site):
    block = html(site, "pages/watch.html").get_element_by_id("b-n-intro")
    assert not block.xpath(".//audio")
    details = block.xpath(".//details")[0]
    assert details.xpath("summary")[0].text == "Transcript"
    assert "Welcome to the course. Lock your screen." in details.text_content()


def test_recorded_narration_has_audio_captions_and_transcript(demo_course, tmp_path):
    from courses.model import Course

    course, _ = demo_course
    data = course.model_dump(mode="json", exclude_none=True)
    data["sections"][0]["pages"][1]["blocks"][1] = {
        "type": "narration", "id": "n-intro", "src": "media/voice.m4a", "captions": "media/voice.vtt",
        "transcript": "Hello <script>x()</script> there."}
    recorded = Course.model_validate(data)
    media = {"n-intro": BlockMedia("n-intro", sources=[Asset(tmp_path / "v.m4a", "media/voice.m4a", "audio/mp4")],
                                   captions=Asset(tmp_path / "v.vtt", "media/voice.vtt", "text/vtt"))}
    page = lxml.html.fromstring(render_site(recorded, media, "scorm12")["pages/watch.html"].decode())
    audio = page.xpath("//audio")[0]
    assert "controls" in audio.attrib and audio.get("preload") == "none"
    assert [(s.get("src"), s.get("type")) for s in audio.xpath("source")] == [("media/voice.m4a", "audio/mp4")]
    assert audio.xpath("track")[0].get("kind") == "captions"
    transcript = page.xpath("//details")[0]
    assert "Hello" in transcript.text_content() and "x()" not in transcript.text_content()


def _accessible_label(doc, control) -> str:
    if control.get("aria-label"):
        return control.get("aria-label")
    if control.get("aria-labelledby"):
        return " ".join(doc.get_element_by_id(i).text_content() for i in control.get("aria-labelledby").split())
    if control.get("id"):
        labels = doc.xpath(f"//label[@for='{control.get('id')}']")
        if labels:
            return labels[0].text_content()
    wrapper = next((a for a in control.iterancestors() if a.tag == "label"), None)
    return wrapper.text_content().strip() if wrapper is not None else ""


@pytest.mark.parametrize("page_id", ["quick-check", "final"])
def test_every_quiz_control_has_a_label_and_every_question_a_legend(site, page_id):
    doc = html(site, f"pages/{page_id}.html")
    form = doc.xpath("//form[@data-quiz]")[0]
    for fieldset in form.xpath(".//fieldset"):
        assert fieldset.xpath("legend")[0].text_content().strip()
        feedback = fieldset.xpath(".//*[contains(@class,'feedback')]")[0]
        assert feedback.get("role") == "status"
    for control in form.xpath(".//input | .//select | .//button"):
        label = _accessible_label(doc, control) or control.text_content().strip()
        assert label, lxml.html.tostring(control)
    assert form.xpath(".//button[@type='submit']")[0].text == "Submit answers"
    assert form.xpath(".//button[@data-action='retry']")[0].text == "Try again"
    assert form.xpath(".//*[@data-result]")[0].get("role") == "status"


def test_question_controls_per_type(site):
    quick = html(site, "pages/quick-check.html")
    assert [i.get("value") for i in quick.xpath("//input[@name='q-q-lock']")] == ["c-lunch", "c-always", "c-never"]
    assert {i.get("type") for i in quick.xpath("//input[@name='q-q-lock']")} == {"radio"}
    assert [_accessible_label(quick, i) for i in quick.xpath("//input[@name='q-q-share']")] == ["True", "False"]
    final = html(site, "pages/final.html")
    assert {i.get("type") for i in final.xpath("//input[@name='q-q-signs']")} == {"checkbox"}
    answer = final.xpath("//input[@name='q-q-report']")[0]
    assert _accessible_label(final, answer) == "Which team do you report phishing to?"
    assert answer.get("maxlength") == "40"
    selects = final.xpath("//select[@data-source]")
    assert [_accessible_label(final, s) for s in selects] == ["Phishing", "Public Wi-Fi", "Password reuse"]
    # Targets listed alphabetically, so the option order never gives the answer away.
    options = [o.text for o in selects[0].xpath("option")][1:]
    assert options == sorted(options, key=str.casefold)
    items = [li.get("data-choice") for li in final.xpath("//ol[@data-order]/li")]
    assert sorted(items) == sorted(["o-stop", "o-report", "o-wait"]) and items != ["o-stop", "o-report", "o-wait"]
    assert [b.get("aria-label") for b in final.xpath("//li[@data-choice='o-stop']//button")] == [
        "Move up: Stop", "Move down: Stop"]


def test_markdown_is_sanitised_and_headings_shifted():
    out = render_markdown("# T\n\n<script>alert(1)</script><a href='javascript:alert(1)' onclick='x'>j</a>\n\n"
                          "[ok](https://example.org)\n\n<iframe src='https://evil'></iframe><style>*{}</style>")
    assert "<h2>T</h2>" in out
    assert not re.search(r"<script|javascript:|onclick|<iframe|<style", out)
    assert '<a href="https://example.org" target="_blank" rel="noopener noreferrer">ok</a>' in out
    assert re.findall(r"<h\d>", render_markdown("## Signs\n\n### Links\n\n## Next")) == ["<h2>", "<h3>", "<h2>"]
    assert render_inline("**b** <img src=x onerror=y>") == '<strong>b</strong> <img src="x">'
    assert plain_text("Is **2 < 3** & `x`?\n<script>bad()</script>") == "Is 2 < 3 & x?"


def test_image_renditions_become_a_srcset_per_type_with_sizes(demo_course, tmp_path):
    course, media = demo_course
    widths = [Asset(tmp_path / f"d{w}.webp", f"media/desk-{w}w.webp", "image/webp", w, w * 9 // 16) for w in (1200, 480)]
    fallback = Asset(tmp_path / "d.jpg", "media/desk.jpg", "image/jpeg", 1200, 675)
    sized = {**media, "i-desk": BlockMedia("i-desk", sources=[*widths, fallback])}
    page = lxml.html.fromstring(render_site(course, sized, "web")["pages/welcome.html"].decode())
    source = page.xpath("//picture/source")[0]
    assert source.get("srcset") == "media/desk-1200w.webp 1200w, media/desk-480w.webp 480w"
    assert source.get("type") == "image/webp" and source.get("sizes")
    img = page.xpath("//picture/img")[0]
    assert (img.get("src"), img.get("width"), img.get("height"), img.get("sizes")) == (
        "media/desk.jpg", "1200", "675", source.get("sizes"))


SCORING_CASES = """
const dir = process.argv[1];
const load = (name) => import(`${dir}/${name}.js`);
const q = {
  single_choice: { id: 's', points: 2, correct: 'b' },
  multiple_response: { id: 'm', points: 1, correct: ['a', 'c'], choices: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] },
  true_false: { id: 't', points: 1, correct: false },
  fill_in: { id: 'f', points: 3, correct: ['Security team', 'SOC'], caseSensitive: false },
  matching: { id: 'x', points: 1, correct: [['p', 'p'], ['q', 'q']] },
  ordering: { id: 'o', points: 1, correct: ['a', 'b', 'c'] },
};
const cases = [
  ['single_choice', 'b'], ['single_choice', 'a'],
  ['multiple_response', ['a', 'c']], ['multiple_response', ['a']], ['multiple_response', ['a', 'b', 'c']],
  ['true_false', false], ['true_false', true],
  ['fill_in', ['  security   TEAM ']], ['fill_in', ['soc']], ['fill_in', ['security']],
  ['matching', [['p', 'p'], ['q', 'q']]], ['matching', [['p', 'p']]], ['matching', [['p', 'q'], ['q', 'p']]],
  ['ordering', ['a', 'b', 'c']], ['ordering', ['b', 'a', 'c']],
];
const out = [];
for (const [type, response] of cases) {
  const mod = await load(type);
  out.push([type, mod.type, mod.score(q[type], response)]);
}
const sensitive = (await load('fill_in')).score({ ...q.fill_in, caseSensitive: true }, ['soc']);
console.log(JSON.stringify({ out, sensitive }));
"""


def test_question_modules_score_all_or_nothing():
    import shutil
    import subprocess
    from pathlib import Path

    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed (scripts/bootstrap installs nodejs)")
    modules = Path(__file__).resolve().parents[1] / "player" / "static" / "js" / "questions"
    run = subprocess.run([node, "--input-type=module", "-e", SCORING_CASES, modules.as_uri()],
                         capture_output=True, text=True, timeout=60, check=True)
    result = json.loads(run.stdout)
    got = [(t, kind, s["correct"], s["earned"]) for t, kind, s in result["out"]]
    assert got == [
        ("single_choice", "choice", True, 2), ("single_choice", "choice", False, 0),
        ("multiple_response", "choice", True, 1), ("multiple_response", "choice", False, 0),
        ("multiple_response", "choice", False, 0),
        ("true_false", "true-false", True, 1), ("true_false", "true-false", False, 0),
        ("fill_in", "fill-in", True, 3), ("fill_in", "fill-in", True, 3), ("fill_in", "fill-in", False, 0),
        ("matching", "matching", True, 1), ("matching", "matching", False, 0), ("matching", "matching", False, 0),
        ("ordering", "sequencing", True, 1), ("ordering", "sequencing", False, 0),
    ]
    assert result["sensitive"] == {"correct": False, "earned": 0}


def test_preview_command_builds_serves_and_stops_on_ctrl_c(tmp_path):
    import signal
    import subprocess
    import sys
    import urllib.request

    course = tmp_path / "course"
    course.mkdir()
    (course / "course.yaml").write_text(
        "id: tiny\ntitle: Tiny <course>\nsections:\n  - id: s1\n    title: One\n    pages:\n"
        "      - id: p1\n        title: First\n        blocks:\n"
        "          - {type: text, id: t1, markdown: 'Hello **there**'}\n")
    proc = subprocess.Popen([sys.executable, "-m", "cli", "preview", str(course), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/index\.html", line).group(0)
        assert "Tiny <course>" in line
        with urllib.request.urlopen(url, timeout=10) as response:
            assert "Tiny &lt;course&gt;" in response.read().decode()
        with urllib.request.urlopen(url.replace("index.html", "pages/p1.html"), timeout=10) as response:
            assert "<strong>there</strong>" in response.read().decode()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0 and "Stopped." in out and "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_preview_command_reports_a_missing_folder(tmp_path):
    from click.testing import CliRunner

    from cli.main import cli

    result = CliRunner().invoke(cli, ["preview", str(tmp_path / "nope")])
    assert result.exit_code != 0 and "no such course folder" in result.output


@pytest.mark.parametrize(("accepted", "limit"), [(["ok"], 40), (["x" * 30, "y"], 60), (["z" * 200], 250)])
def test_a_typed_answer_may_be_twice_the_longest_accepted_one_within_40_to_250(accepted, limit):
    from courses.model import FillIn
    from player.render import typed_answer_limit

    question = FillIn.model_validate({"type": "fill_in", "id": "q", "prompt": "?", "accepted": accepted})
    assert typed_answer_limit(question) == limit


NUMERIC_COURSE = {
    "id": "getallen", "title": "Getallen", "language": "nl", "completion": "quiz_passed",
    "sections": [{"id": "s", "title": "S", "pages": [{"id": "p", "title": "Vraag", "blocks": [
        {"type": "quiz", "id": "quiz", "title": "Toets", "questions": [
            {"type": "numeric", "id": "q-km", "prompt": "Hoe ver is het?", "answer": 6.5, "tolerance": 0.25,
             "unit": "km"}]}]}]}],
}


def test_a_numeric_question_is_a_decimal_box_labelled_with_its_unit():
    from courses.model import Course

    site = render_site(Course.model_validate(NUMERIC_COURSE), {}, "web")
    page = lxml.html.fromstring(site["pages/p.html"].decode())
    [box] = page.xpath("//input[@name='q-q-km']")
    assert (box.get("type"), box.get("inputmode")) == ("text", "decimal")
    assert _accessible_label(page, box) == "Hoe ver is het? km"
    [question] = json.loads(site["course.json"])["quizzes"][0]["questions"]
    assert question["correct"] == {"min": 6.25, "max": 6.75}


def _likert_course(language: str, scale: list[str] | None = None) -> dict:
    question = {"type": "likert", "id": "q-view", "prompt": "Hoe eens ben je het?",
                "statements": [{"id": "l-clear", "text": "De voorbeelden waren duidelijk"},
                               {"id": "l-use", "text": "Ik ga het gebruiken"}]}
    if scale is not None:
        question["scale"] = scale
    return {"id": "enquete", "title": "Enquête", "language": language, "completion": "quiz_passed",
            "sections": [{"id": "s", "title": "S", "pages": [{"id": "p", "title": "Mening", "blocks": [
                {"type": "quiz", "id": "quiz", "title": "Mening", "questions": [question]}]}]}]}


def test_a_likert_question_is_a_named_radio_group_per_statement_on_the_scale_of_the_course_language():
    from courses.model import Course

    site = render_site(Course.model_validate(_likert_course("nl")), {}, "web")
    page = lxml.html.fromstring(site["pages/p.html"].decode())
    groups = page.xpath("//fieldset[@data-question='q-view']//fieldset[@class='likert-statement']")
    assert [g.xpath("legend")[0].text_content() for g in groups] == [
        "De voorbeelden waren duidelijk", "Ik ga het gebruiken"]
    for group, statement in zip(groups, ["l-clear", "l-use"]):
        radios = group.xpath(".//input[@type='radio']")
        assert {r.get("name") for r in radios} == {f"q-q-view-{statement}"}
        assert [r.get("value") for r in radios] == ["1", "2", "3", "4", "5"]
        assert [r.getparent().text_content() for r in radios] == [
            "Helemaal oneens", "Oneens", "Niet eens, niet oneens", "Eens", "Helemaal eens"]
    assert page.xpath("//div[@class='likert']")[0].get("style") == "--points: 5"
    [question] = json.loads(site["course.json"])["quizzes"][0]["questions"]
    assert (question["scored"], question["correct"], question["scale"][0]) == (False, None, "Helemaal oneens")


def test_a_likert_scale_of_the_authors_own_labels_in_a_right_to_left_course():
    from courses.model import Course

    site = render_site(Course.model_validate(_likert_course("ar", ["لا", "ربما", "نعم"])), {}, "scorm2004")
    assert lxml.html.fromstring(site["index.html"].decode()).get("dir") == "rtl"
    page = lxml.html.fromstring(site["pages/p.html"].decode())
    labels = [label.text_content() for label in page.xpath("//fieldset[@data-statement='l-use']//label")]
    assert labels == ["لا", "ربما", "نعم"]
    assert json.loads(site["course.json"])["quizzes"][0]["questions"][0]["scale"] == ["لا", "ربما", "نعم"]


def _preloaded(site) -> list[str]:
    return re.findall(r'<link rel="modulepreload" href="([^"]+)">', site["index.html"].decode())


def test_the_launch_page_preloads_what_the_first_page_runs_and_nothing_else(site, demo_course):
    course, _ = demo_course
    index = site["index.html"].decode()
    preloaded = _preloaded(site)
    assert preloaded == list(preloaded_modules("web", course.pages()[0])) and "js/tracking/web.js" in preloaded
    first = {block.type for block in course.pages()[0].blocks}
    assert ("js/narration.js" in preloaded) == ("narration" in first)
    assert ("js/video.js" in preloaded) == ("video" in first)
    assert len(set(preloaded)) == len(preloaded) and "js/app.js" not in preloaded
    bundle = player_bundle()
    for module in ["js/app.js", *preloaded]:  # closed: every static import of a preloaded file is preloaded too
        assert module in site, module
        assert set(bundle.imports[module]) <= set(preloaded), module
    # The demo's first page asks no question: no question type, no other standard, no bridge.
    assert not [name for name in preloaded if name.startswith("js/questions/")]
    assert not {"js/tracking/scorm12.js", "js/tracking/scorm2004.js", "js/tracking/bridge.js"} & set(preloaded)
    assert index.index('rel="modulepreload"') < index.index('<script type="module" src="js/app.js">')


def test_the_launch_page_holds_the_first_pages_fragment_as_shipped(site, demo_course):
    course, _ = demo_course
    first = course.pages()[0].id
    box = html(site, "index.html").xpath("//template[@data-fragment]")
    assert [b.get("data-fragment") for b in box] == [first]
    assert site[f"pages/{first}.html"].decode().strip() in site["index.html"].decode()


def test_a_first_page_with_a_quiz_preloads_its_question_types_and_the_packages_standard():
    from courses.model import Course

    site = render_site(Course.model_validate(NUMERIC_COURSE), {}, "scorm2004")
    preloaded = _preloaded(site)
    assert "js/questions/numeric.js" in preloaded and "js/tracking/scorm2004.js" in preloaded
    assert not {"js/questions/hotspot.js", "js/tracking/web.js", "js/tracking/bridge.js"} & set(preloaded)
