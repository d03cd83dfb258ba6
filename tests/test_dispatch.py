"""Dispatch packages across two loopback origins: the test LMS (scorm-again, tests/lms/harness.html)
on one, the delivery stack (nginx + gunicorn) on another. The few-KB zip imported into the LMS
plays whatever version is published, resume data survives a republish, and a hostile third
origin's messages are ignored by both sides of the bridge."""

from __future__ import annotations

import zipfile

import pytest
from conftest import PACKAGE_COURSE, write_course_folder
from delivery_servers import DeliveryServer
from lms.server import LoopbackServer
from playwright.sync_api import expect

from exporters.dispatch import DispatchError, build_dispatch, dispatch_files
from exporters.publish import publish_course
from storage import LocalStorage

HARNESS = "/tests/lms/harness.html"
STANDARDS = ["scorm12", "scorm2004"]
COURSE = PACKAGE_COURSE["id"]
FORGED = "Mallory"

HOSTILE_PAGE = """<!doctype html><meta charset="utf-8"><title>ad</title><script>
const channel = "courseforge-dispatch";
const forged = [
  {channel, v: 1, kind: "hello"},
  {channel, v: 1, kind: "call", op: "set", args: ["cmi.core.lesson_status", "passed"]},
  {channel, v: 1, kind: "call", op: "set", args: ["cmi.success_status", "passed"]},
  {channel, v: 1, kind: "call", op: "finish"},
  {channel, v: 1, kind: "ready", found: true, standard: "scorm12", init: ["false", "101"],
   methods: ["LMSInitialize", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSFinish", "LMSGetLastError"],
   values: {"cmi.core.entry": ["resume", "0"], "cmi.core.lesson_location": ["p-quiz", "0"],
            "cmi.core.student_name": ["Mallory", "0"]}},
  {channel, v: 1, kind: "ready", found: true, standard: "scorm2004", init: ["false", "101"],
   methods: ["Initialize", "GetValue", "SetValue", "Commit", "Terminate", "GetLastError"],
   values: {"cmi.entry": ["resume", "0"], "cmi.location": ["p-quiz", "0"], "cmi.learner_name": ["Mallory", "0"]}},
];
window.got = [];
window.rounds = 0;
addEventListener("message", (event) => window.got.push(event.origin));
function walk(win, depth) {
  for (let i = 0; i < win.length; i++) {
    if (win[i] === window) continue;
    for (const message of forged) win[i].postMessage(message, "*");
    if (depth < 3) walk(win[i], depth + 1);
  }
}
setInterval(() => { walk(top, 0); window.rounds += 1; }, 20);
</script>"""


# ------------------------------------------------------------------------------ the package
def test_a_dispatch_package_is_a_few_kilobytes_schema_valid_and_names_the_delivery_origin(
    package_course_dir, tmp_path, scorm_validator
):
    zips = [
        build_dispatch(
            package_course_dir, f"dispatch-{standard}", "https://courses.example.org/", tmp_path / f"{standard}.zip"
        ).path
        for standard in STANDARDS
    ]
    for path in zips:
        assert path.stat().st_size < 12_000
        with zipfile.ZipFile(path) as package:
            assert sorted(package.namelist()) == ["bridge.js", "discover.js", "dispatch-lms.js", "imsmanifest.xml", "index.html"]
            page = package.read("index.html").decode()
        assert '"launch":"https://courses.example.org/c/1st-aid/","delivery":"https://courses.example.org"' in page
    code, output = scorm_validator(*zips)
    assert code == 0, output
    assert output.count("VALID") == 2


def test_a_dispatch_package_needs_an_http_delivery_address(package_course_dir, tmp_path):
    from courses.loader import load_course
    from exporters.build import BuildError
    from exporters.dispatch import DispatchScorm12Exporter

    course = load_course(package_course_dir)
    for bad in ("", "courses.example.org", "javascript:alert(1)", "https://x.example/?a=1"):
        with pytest.raises(DispatchError, match=r"is not the http:// or https:// address of the delivery server"):
            dispatch_files(course, "scorm12", bad)
    with pytest.raises(BuildError, match=r"^delivery_url: a dispatch package loads the course from the delivery"):
        DispatchScorm12Exporter().package_files(course, {})
    with pytest.raises(BuildError, match="unknown dispatch format 'scorm12'; choose one of: dispatch-scorm12, "):
        build_dispatch(package_course_dir, "scorm12", "https://courses.example.org", tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


# ------------------------------------------------------------------------- in the browser
@pytest.fixture(scope="module")
def origins(tmp_path_factory):
    """The LMS origin (harness + extracted dispatch packages), the delivery origin (the course
    published there) and a hostile origin; all on 127.0.0.1, each on its own port."""
    root = tmp_path_factory.mktemp("dispatch")
    course = write_course_folder(root / "course")
    lms = LoopbackServer()
    hostile = LoopbackServer()
    hostile.override("/ad.html", body=HOSTILE_PAGE)
    storage = LocalStorage(root / "store")
    publish_course(course, storage)
    delivery = DeliveryServer(root / "store", root / "nginx", frame_ancestors=[lms.url("").rstrip("/")]).start()
    for standard in STANDARDS:
        package = build_dispatch(course, f"dispatch-{standard}", delivery.origin, root / f"{standard}.zip").path
        with zipfile.ZipFile(package) as archive:
            archive.extractall(root / f"lms-{standard}")
        lms.mount(f"/dispatch-{standard}/", root / f"lms-{standard}")
    yield {"lms": lms, "delivery": delivery, "hostile": hostile, "course": course, "storage": storage}
    delivery.stop()
    lms.stop()
    hostile.stop()


def launch(page, origins, standard: str, cmi: dict | None = None, hostile: bool = False, quirks: dict | None = None):
    page.goto(origins["lms"].url(HARNESS))
    page.wait_for_function("() => window.lmsReady === true")
    if hostile:
        page.evaluate(
            "(src) => { const f = document.createElement('iframe'); f.src = src; f.id = 'ad';"
            " document.body.append(f); return new Promise((ok) => { f.onload = ok; }); }",
            origins["hostile"].url("/ad.html"),
        )
    page.evaluate(
        "(a) => lms.launch(a)",
        {"standard": standard, "url": f"/dispatch-{standard}/index.html", "cmi": cmi, "quirks": quirks or {}},
    )
    return page.frame_locator("#sco").frame_locator("#course")


def content_frame(page, origins):
    return next(frame for frame in page.frames if frame.url.startswith(origins["delivery"].origin))


def lms_set_values(page) -> list[tuple[str, str]]:
    calls = page.evaluate("() => lms.calls")
    return [tuple(call["args"]) for call in calls if call["method"] in ("LMSSetValue", "SetValue")]


LOCATION = {"scorm12": ("core", "lesson_location"), "scorm2004": (None, "location")}


def stored_location(page, standard: str) -> str:
    data = page.evaluate("() => lms.stored")
    group, field = LOCATION[standard]
    return (data[group] if group else data)[field]


@pytest.mark.browser
@pytest.mark.services
@pytest.mark.xdist_group("browser")
@pytest.mark.parametrize("standard", STANDARDS)
def test_the_lms_plays_the_published_course_and_a_republish_shows_with_resume_and_no_reupload(page, origins, standard):
    content = launch(page, origins, standard)
    expect(content.locator("#main h1")).to_have_text("Reading")
    expect(content.locator("#main")).to_contain_text("Some text & more.")
    content.get_by_role("button", name="Next").click()
    expect(content.locator("#main h1")).to_have_text("Quiz")
    content.get_by_role("button", name="Exit course").click()
    expect(content.locator("#main")).to_contain_text("Your progress has been saved.")
    page.wait_for_function("() => lms.counts.Terminate === 1")
    assert stored_location(page, standard) == "p-quiz"
    assert page.evaluate("() => lms.errors()") == []
    first_version = content_frame(page, origins).url.split("/")[6]
    stored = page.evaluate("() => lms.stored")

    (origins["course"] / "text" / "intro.md").write_text("# Intro\n\nRevised for version two.\n", encoding="utf-8")
    try:
        publish_course(origins["course"], origins["storage"])
        content = launch(page, origins, standard, cmi=stored)
        expect(content.locator("#main h1")).to_have_text("Quiz")  # resumed where the learner left
        assert content_frame(page, origins).url.split("/")[6] != first_version
        content.get_by_role("button", name="Previous").click()
        expect(content.locator("#main")).to_contain_text("Revised for version two.")
    finally:
        (origins["course"] / "text" / "intro.md").write_text("# Intro\n\nSome *text* & more.\n", encoding="utf-8")
        publish_course(origins["course"], origins["storage"])
    assert page.evaluate("() => lms.errors()") == []


@pytest.mark.browser
@pytest.mark.services
@pytest.mark.xdist_group("browser")
@pytest.mark.parametrize("standard", STANDARDS)
def test_a_hostile_third_origin_is_ignored_by_both_sides_of_the_bridge(page, origins, standard):
    # The LMS creates its API late, so the forged answers reach the content long before the real one.
    content = launch(page, origins, standard, hostile=True, quirks={"lateMs": 2500})
    ad = next(frame for frame in page.frames if frame.url.startswith(origins["hostile"].url("/")))
    # a forged "ready" says the LMS refused the session (and names Mallory): the real one opened it
    expect(content.locator("#main h1")).to_have_text("Reading")
    page.wait_for_function("() => lms.calls.length > 0")
    content.get_by_role("button", name="Next").click()
    expect(content.locator("#main h1")).to_have_text("Quiz")
    ad.wait_for_function("() => window.rounds > 20")
    finishes = [c for c in page.evaluate("() => lms.calls") if c["method"] in ("LMSFinish", "Terminate")]
    assert finishes == []  # the forged finish was not obeyed
    content.get_by_role("button", name="Exit course").click()
    expect(content.locator("#main")).to_contain_text("Your progress has been saved.")
    page.wait_for_function("() => lms.counts.Terminate === 1")

    assert ("cmi.core.lesson_status", "passed") not in lms_set_values(page)
    assert ("cmi.success_status", "passed") not in lms_set_values(page)
    assert stored_location(page, standard) == "p-quiz"
    assert ad.evaluate("() => window.got") == []  # nothing answered the forged hello
    lms_side = page.evaluate("() => document.getElementById('sco').contentWindow.courseforgeDispatch.refused")
    report = content_frame(page, origins).evaluate(
        "async () => (await import('./js/tracking/bridge.js')).bridgeReport()"
    )
    assert lms_side > 0 and report["refused"] > 0
    assert report["connected"] is True and report["standard"] == standard and report["errors"] == []
    assert FORGED not in content_frame(page, origins).content()
    assert page.evaluate("() => lms.errors()") == []


@pytest.mark.browser
@pytest.mark.services
@pytest.mark.xdist_group("browser")
def test_a_learner_who_leaves_without_exiting_still_gets_a_commit_and_finish(page, origins):
    """The LMS page unloads before the content frame, so the LMS side ends the session itself."""
    content = launch(page, origins, "scorm12", quirks={"commitFailures": 1})
    expect(content.locator("#main h1")).to_have_text("Reading")
    content.get_by_role("button", name="Next").click()
    expect(content.locator("#main h1")).to_have_text("Quiz")
    page.wait_for_function("() => lms.calls.some((c) => c.method === 'LMSCommit' && c.result === 'true')", timeout=5000)
    page.evaluate("() => lms.unload()")
    page.wait_for_function("() => lms.counts.Terminate === 1", timeout=5000)
    assert stored_location(page, "scorm12") == "p-quiz"
    commits = [c["result"] for c in page.evaluate("() => lms.calls") if c["method"] == "LMSCommit"]
    assert commits[0] == "false" and "true" in commits  # the refused commit was retried


def test_courseforge_build_makes_a_dispatch_package_from_the_delivery_url_setting(package_course_dir, tmp_path,
                                                                                  monkeypatch):
    from click.testing import CliRunner

    from cli.main import cli

    out = tmp_path / "dispatch.zip"
    args = ["build", str(package_course_dir), "--format", "dispatch-scorm2004", "-o", str(out)]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 1 and "delivery_url" in refused.stderr and not out.exists()
    monkeypatch.setenv("COURSEFORGE_DELIVERY_URL", "http://127.0.0.1:8080")
    built = CliRunner().invoke(cli, args)
    assert built.exit_code == 0, built.output
    assert built.stdout.splitlines()[1].startswith("resume data: at most ") and "SCORM 2004 keeps" in built.stdout
    with zipfile.ZipFile(out) as zf:
        assert "http://127.0.0.1:8080" in zf.read("index.html").decode()
