"""Hotspot questions: regions of an image picked by tap, click or from the list of their labels;
checked by the model and the loader, made and packaged with the course's media, scored, resumed
and reported to the LMS as a choice of region ids."""
from __future__ import annotations

import threading
import zipfile

import pytest
import yaml
from pydantic import ValidationError

from cli.preview import serve
from conftest import _png
from courses.errors import CourseLoadError
from courses.loader import load_course
from courses.model import Course, Hotspot
from courses.source import FolderSource
from exporters.build import build_package
from lms.site import publish_site
from lms.tokens import lms_token
from media.checks import check_media
from node_js import run_js
from player.render import course_data, render_site
from settings import Settings

SCORM12 = "/tests/node_modules/scorm-again/dist/esm/scorm12.js"
SCORM2004 = "/tests/node_modules/scorm-again/dist/esm/scorm2004.js"
# A 400 x 200 picture: the badge reader a rectangle, the handle a circle, the window a triangle.
REGIONS = [
    {"id": "r-reader", "label": "Badge reader", "shape": "rectangle", "coords": [70, 40, 10, 20], "correct": True},
    {"id": "r-handle", "label": "Door handle", "shape": "circle", "coords": [40, 50, 5]},
    {"id": "r-window", "label": "Window", "shape": "polygon", "coords": [10, 10, 30, 10, 20, 30]},
]


def hotspot(**changes) -> dict:
    question = {"type": "hotspot", "id": "q-spot", "prompt": "Where do you show your badge?", "image": "media/door.png",
                "alt": "A door with a handle, a window and a badge reader", "regions": REGIONS}
    return {**question, **changes}


def course_dict(*questions: dict) -> dict:
    return {"id": "spot", "title": "Spot it", "language": "en", "passing_score": 100, "sections": [
        {"id": "s", "title": "Doors", "pages": [
            {"id": "p-door", "title": "The door", "blocks": [
                {"type": "quiz", "id": "quiz-door", "title": "The door", "questions": list(questions or [hotspot()])},
            ]},
        ]},
    ]}


def course_folder(folder, *questions: dict):
    (folder / "media").mkdir(parents=True)
    _png(folder / "media" / "door.png", 400, 200, (90, 60, 30))
    (folder / "course.yaml").write_text(yaml.safe_dump(course_dict(*questions), sort_keys=False), encoding="utf-8")
    return folder


# --------------------------------------------------------------------------- the model and the loader
@pytest.mark.parametrize(("region", "message"), [
    ({"shape": "rectangle", "coords": [95, 10, 10, 10]}, "runs off the image"),
    ({"shape": "rectangle", "coords": [10, 10, 0, 10]}, "width and a height above 0"),
    ({"shape": "rectangle", "coords": [10, 10, 10]}, "a rectangle takes 4 coords (x, y, width, height), not 3"),
    ({"shape": "circle", "coords": [50, 50, 0]}, "a radius above 0"),
    ({"shape": "polygon", "coords": [1, 2, 3, 4, 5]}, "3 corners or more"),
    ({"shape": "polygon", "coords": [1, 2, 3, 4]}, "not 4"),
    ({"shape": "circle", "coords": [50, 120, 5]}, "less than or equal to 100"),
    ({"shape": "star", "coords": [50, 50, 5]}, "'rectangle', 'circle' or 'polygon'"),
])
def test_a_region_that_cannot_be_on_the_image_is_refused_with_what_to_fix(region, message):
    regions = [{**REGIONS[0], **region}, REGIONS[1]]
    with pytest.raises(ValidationError) as error:
        Hotspot.model_validate(hotspot(regions=regions))
    assert message in str(error.value)


def test_a_hotspot_needs_a_correct_region_and_more_than_one_region():
    with pytest.raises(ValidationError, match="at least one region with correct: true"):
        Hotspot.model_validate(hotspot(regions=[{**r, "correct": False} for r in REGIONS]))
    with pytest.raises(ValidationError, match="at least 2 items"):
        Hotspot.model_validate(hotspot(regions=REGIONS[:1]))
    assert not Hotspot.model_validate(hotspot()).multiple()
    assert Hotspot.model_validate(hotspot(regions=[{**r, "correct": True} for r in REGIONS])).multiple()


def test_the_loader_names_a_missing_image_a_repeated_label_and_a_repeated_region_id(tmp_path):
    regions = [REGIONS[0], {**REGIONS[1], "label": "badge READER"}, {**REGIONS[2], "id": "r-reader"}]
    folder = course_folder(tmp_path / "c", hotspot(image="media/gone.png", regions=regions))
    with pytest.raises(CourseLoadError) as error:
        load_course(folder)
    lines = [str(p) for p in error.value.problems]
    where = "sections[0].pages[0].blocks[0].questions[0]"
    assert any(f"{where}.image" in line and "media/gone.png" in line for line in lines), lines
    assert any(f"{where}.regions[1].label" in line for line in lines), lines
    assert any(f"{where}.regions[2].id" in line and "already used" in line for line in lines), lines


def test_validate_probes_a_hotspot_image_like_an_image_block(tmp_path):
    folder = course_folder(tmp_path / "c")
    (folder / "media" / "door.png").write_bytes(b"not a picture at all")
    problems = check_media(load_course(folder), FolderSource(folder), Settings(cache_dir=tmp_path / "cache"))
    assert [p.file for p in problems] == ["media/door.png"], problems


# --------------------------------------------------------------------------- build and render
def test_the_image_is_made_packaged_and_shown_with_its_regions_listed_by_label(tmp_path):
    folder = course_folder(tmp_path / "c")
    result = build_package(folder, "scorm2004", tmp_path / "spot.zip", settings=Settings(cache_dir=tmp_path / "cache"))
    with zipfile.ZipFile(result.path) as package:
        page = package.read("pages/p-door.html").decode()
        names = set(package.namelist())
    images = [name for name in names if name.startswith("media/") and "door" in name]
    assert images and all(f'"{name}' in page or f" {name}" in page for name in images), (images, page)
    assert 'alt="A door with a handle, a window and a badge reader"' in page
    assert page.count('type="radio" name="q-q-spot"') == 3, "one correct region: one pick"
    assert 'data-shape="circle" data-coords="40.0,50.0,5.0"' in page
    assert "Tab to the list of its parts" in page


def test_the_player_data_holds_regions_as_choices_and_the_correct_ones():
    course = Course.model_validate(course_dict(hotspot(regions=[{**r, "correct": r["id"] != "r-handle"} for r in REGIONS])))
    question = course_data(course, "scorm2004")["quizzes"][0]["questions"][0]
    assert question["choices"] == [{"id": "r-reader", "text": "Badge reader"}, {"id": "r-handle", "text": "Door handle"},
                                   {"id": "r-window", "text": "Window"}]
    assert question["correct"] == ["r-reader", "r-window"]
    page = render_site(course, {}, "web")["pages/p-door.html"].decode()
    assert page.count('type="checkbox" name="q-q-spot"') == 3 and "every part of the image" in page


# --------------------------------------------------------------------------- the runtime
def test_a_point_is_inside_its_region_whatever_the_shape_and_the_pictures_proportions():
    out = run_js({"questions/hotspot.js": "inside, centre"}, """
        const square = [20, 20, 40, 20, 40, 40, 20, 40];
        result = {
          rect: [inside("rectangle", [70, 40, 10, 20], 75, 50), inside("rectangle", [70, 40, 10, 20], 81, 50)],
          // A radius of 5 % of the width: on a picture half as tall as wide, 10 % of its height.
          circleWide: [inside("circle", [40, 50, 5], 40, 59, 0.5), inside("circle", [40, 50, 5], 40, 61, 0.5)],
          circleSquare: [inside("circle", [40, 50, 5], 40, 54, 1), inside("circle", [40, 50, 5], 40, 56, 1)],
          triangle: [inside("polygon", [10, 10, 30, 10, 20, 30], 20, 15), inside("polygon", [10, 10, 30, 10, 20, 30], 12, 25)],
          square: [inside("polygon", square, 30, 30), inside("polygon", square, 41, 30)],
          centres: [centre("rectangle", [70, 40, 10, 20]), centre("circle", [40, 50, 5]), centre("polygon", square)],
        };""")
    assert out["rect"] == [True, False]
    assert out["circleWide"] == [True, False] and out["circleSquare"] == [True, False]
    assert out["triangle"] == [True, False] and out["square"] == [True, False]
    assert out["centres"] == [[75, 50], [40, 50], [30, 30]]


def test_a_hotspot_answer_scores_resumes_and_drops_a_region_removed_since():
    course = Course.model_validate(course_dict(hotspot(regions=[{**r, "correct": r["id"] != "r-handle"} for r in REGIONS])))
    data = course_data(course, "web")
    out = run_js({"scoring.js": "scoreAnswer", "state.js": "encodeState, decodeState"}, """
        const q = data.quizzes[0].questions[0];
        const state = { current: "p-door", visited: ["p-door"], answers: { "q-spot": ["r-reader", "r-window"] },
                        attempts: { "quiz-door": 1 }, submitted: { "quiz-door": true } };
        const encoded = encodeState(state, data);
        const fewer = { ...data, quizzes: [{ ...data.quizzes[0], questions: [{ ...q, choices: q.choices.slice(0, 2) }] }] };
        result = {
          right: scoreAnswer(q, ["r-reader", "r-window"]), part: scoreAnswer(q, ["r-reader"]),
          extra: scoreAnswer(q, ["r-reader", "r-window", "r-handle"]),
          encoded, back: decodeState(encoded, data).answers["q-spot"], fewer: decodeState(encoded, fewer).answers["q-spot"],
        };""", data)
    assert out["right"] == {"correct": True, "earned": 1}
    assert out["part"]["correct"] is False and out["extra"]["correct"] is False
    assert ".h" in out["encoded"] or "~h" in out["encoded"] or "h" in out["encoded"].split(".")[3]
    assert out["back"] == ["r-reader", "r-window"]
    assert out["fewer"] == ["r-reader"], "a region removed since is dropped, the rest kept"


@pytest.mark.parametrize("kind", ["scorm12", "scorm2004"])
def test_a_hotspot_reaches_the_lms_as_a_choice_of_region_ids_under_scorm_again(kind):
    course = Course.model_validate(course_dict(hotspot(regions=[{**r, "correct": r["id"] != "r-handle"} for r in REGIONS])))
    data = course_data(course, kind)
    out = run_js({"scoring.js": "interactionRecords", "tracking/index.js": "createTracker",
                  SCORM12: "Scorm12API", SCORM2004: "Scorm2004API"}, """
        const q = data.course.quizzes[0].questions[0];
        const API = data.kind === "scorm12" ? Scorm12API : Scorm2004API;
        const api = new API({ lmsCommitUrl: false, logLevel: 5, autocommit: false });
        api.loadFromJSON(data.kind === "scorm12" ? { core: { entry: "ab-initio" } } : { entry: "ab-initio" });
        const tracker = await createTracker(data.kind, { course: data.course, api, window: null });
        await tracker.start();
        const records = interactionRecords(q, ["r-window", "r-handle"]);
        const ok = records.map((r) => tracker.recordInteraction({ ...r, latencyMs: 1200 }));
        result = { ok, errors: tracker.errors, cmi: JSON.parse(JSON.stringify(api.renderCMIToJSONObject())).cmi };
    """, {"course": data, "kind": kind})
    assert out["ok"] == [True] and out["errors"] == [], out
    row = out["cmi"]["interactions"]["0"]
    assert row["type"] == "choice" and row["result"] in ("wrong", "incorrect")
    pattern = row["correct_responses"]["0"]["pattern"]
    if kind == "scorm12":
        assert row["student_response"] == "b,c" and pattern == "{a,c}"
    else:
        token = {name: lms_token(name) for name in ("r-handle", "r-window", "r-reader")}
        assert row["learner_response"] == f"{token['r-handle']}[,]{token['r-window']}"
        assert pattern == f"{token['r-reader']}[,]{token['r-window']}"


# --------------------------------------------------------------------------- in the browser
@pytest.fixture(scope="module")
def spot_site(tmp_path_factory):
    """The player of a one-hotspot course (web tracking) and of one with two correct regions."""
    root = tmp_path_factory.mktemp("spot-site")
    folder = course_folder(root / "source")
    for name, regions in (("one", REGIONS), ("all", [{**r, "correct": r["id"] != "r-handle"} for r in REGIONS])):
        (folder / "course.yaml").write_text(yaml.safe_dump(course_dict(hotspot(regions=regions)), sort_keys=False))
        course = load_course(folder)
        publish_site(course, {}, root / name)
        (root / name / "media").mkdir()
        (root / name / "media" / "door.png").write_bytes((folder / "media" / "door.png").read_bytes())
    httpd = serve(root, "127.0.0.1", 0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _tap(page, x: float, y: float) -> None:
    """A click at (x, y) percent of the image as shown."""
    box = page.locator("[data-hotspot] img").bounding_box()
    page.mouse.click(box["x"] + box["width"] * x / 100, box["y"] + box["height"] * y / 100)


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_a_learner_picks_by_clicking_the_image_and_by_keyboard_and_resumes(chromium, spot_site):
    from playwright.sync_api import expect

    context = chromium.new_context(viewport={"width": 1000, "height": 900})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{spot_site}/one/index.html")
        question = page.get_by_role("group", name="Question 1 of 1")
        expect(question).to_be_visible()
        reader = page.get_by_role("radio", name="Badge reader")
        _tap(page, 12, 80)  # the wall: no region there
        expect(page.locator("form [data-live]")).to_have_text("That is not one of the parts to choose; try another spot.")
        assert page.locator(".hotspot-mark").count() == 0
        _tap(page, 40, 52)  # the handle
        expect(page.get_by_role("radio", name="Door handle")).to_be_checked()
        expect(page.locator("form [data-live]")).to_have_text("Door handle: chosen.")
        assert page.locator(".hotspot-mark").count() == 1
        # The list is out of sight until the keyboard reaches it; then it shows, and picks.
        regions = page.locator(".hotspot-regions")
        assert regions.bounding_box()["width"] <= 1
        page.get_by_role("radio", name="Door handle").focus()
        assert regions.bounding_box()["width"] > 100
        page.keyboard.press("ArrowUp")
        expect(reader).to_be_checked()
        mark = page.locator(".hotspot-mark")
        expect(mark).to_have_count(1)
        image = page.locator("[data-hotspot] img").bounding_box()
        dot = mark.bounding_box()
        assert abs(dot["x"] + dot["width"] / 2 - (image["x"] + image["width"] * 0.75)) < 2, "on the reader's centre"
        page.get_by_role("button", name="Submit answers").click()
        assert errors == []
        expect(page.locator("[data-result]")).to_contain_text("1 of 1 point (100%)")
        page.reload()
        expect(page.get_by_role("radio", name="Badge reader")).to_be_checked()
        expect(page.locator(".hotspot-mark")).to_have_count(1)
        assert errors == []
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_with_several_correct_regions_a_second_tap_takes_one_back(chromium, spot_site):
    from playwright.sync_api import expect

    context = chromium.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(f"{spot_site}/all/index.html")
        expect(page.get_by_text("every part of the image that applies")).to_be_visible()
        for x, y in ((75, 50), (20, 15), (40, 50)):
            box = page.locator("[data-hotspot] img").bounding_box()
            page.touchscreen.tap(box["x"] + box["width"] * x / 100, box["y"] + box["height"] * y / 100)
        expect(page.locator(".hotspot-mark")).to_have_count(3)
        box = page.locator("[data-hotspot] img").bounding_box()
        page.touchscreen.tap(box["x"] + box["width"] * 0.40, box["y"] + box["height"] * 0.50)
        expect(page.get_by_role("checkbox", name="Door handle")).not_to_be_checked()
        expect(page.locator("form [data-live]")).to_have_text("Door handle: no longer chosen.")
        expect(page.locator(".hotspot-mark")).to_have_count(2)
        page.get_by_role("button", name="Submit answers").click()
        expect(page.locator("[data-result]")).to_contain_text("1 of 1 point (100%)")
    finally:
        context.close()
