"""The player in LMSs that bend the standard: the demo course, published for SCORM 1.2 and 2004,
launched from the test LMS (tests/lms/harness.html) with the quirks real LMSs have, and judged on
the LMS-side call log and on what the LMS made permanent (lms.stored), as an LMS administrator
would judge it."""
from __future__ import annotations

import pytest
from lms.site import publish_site
from lms.tokens import lms_token
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

HARNESS = "/tests/lms/harness.html"
STANDARDS = ["scorm12", "scorm2004"]
FINISH = {"scorm12": "LMSFinish", "scorm2004": "Terminate"}
COMMIT = {"scorm12": "LMSCommit", "scorm2004": "Commit"}
INITIALIZE = {"scorm12": "LMSInitialize", "scorm2004": "Initialize"}


@pytest.fixture(scope="module")
def sites(demo_course, lms_server, tmp_path_factory) -> dict[str, str]:
    """standard -> path of the demo course's launch page on the test LMS's server."""
    course, media = demo_course
    root = tmp_path_factory.mktemp("quirk-sites")
    for standard in STANDARDS:
        lms_server.mount(f"/quirks-{standard}/", publish_site(course, media, root / standard, standard))
    return {standard: f"/quirks-{standard}/index.html" for standard in STANDARDS}


def open_lms(page, server, standard: str, url: str, quirks: dict | None = None, cmi: dict | None = None):
    page.goto(server.url(HARNESS))
    page.wait_for_function("() => window.lmsReady === true")
    page.evaluate("(a) => lms.launch(a)", {"standard": standard, "url": url, "cmi": cmi, "quirks": quirks or {}})
    return page.frame_locator("#sco")


def stored(page, standard: str) -> dict:
    """What the LMS made permanent: location, status, exit and interaction ids."""
    data = page.evaluate("() => lms.stored")
    core = data["core"] if standard == "scorm12" else data
    return {
        "location": core["lesson_location"] if standard == "scorm12" else core["location"],
        "exit": core["exit"],
        "suspend": bool(data["suspend_data"]),
        "interactions": sorted(row["id"] for row in data["interactions"].values()),
    }


def methods(page) -> list[str]:
    return page.evaluate("() => lms.calls.map((c) => c.method)")


def answer_quick_check(content) -> None:
    content.get_by_role("link", name="Quick check").click()
    expect(content.locator("#main h1")).to_have_text("Quick check")
    content.get_by_label("Whenever I leave my desk").check()
    content.get_by_label("False", exact=True).check()
    content.get_by_role("button", name="Submit answers").click()
    expect(content.locator("[data-result]")).to_contain_text("2 of 2 points")


# ------------------------------------------------------------------------------- the quirks
@pytest.mark.parametrize("standard", STANDARDS)
def test_an_api_that_appears_late_is_found_and_gets_what_the_learner_did_meanwhile(page, lms_server, sites,
                                                                                   standard):
    """Open edX's SCORM XBlock and Moodle create the API after their own page loaded: the course
    starts without it, keeps looking, and hands over everything once it appears."""
    content = open_lms(page, lms_server, standard, sites[standard], quirks={"lateMs": 6000})
    expect(content.locator("#main h1")).to_be_visible()
    answer_quick_check(content)
    acted = page.evaluate("() => performance.now()")
    page.wait_for_function("() => lms.counts.Commit > 0", timeout=15000)
    calls = page.evaluate("() => lms.calls")
    assert calls[0]["method"] == INITIALIZE[standard] and calls[0]["at"] > acted, "the learner acted before the API"
    assert [c["method"] for c in calls].count(INITIALIZE[standard]) == 1
    assert stored(page, standard) == {"location": "quick-check", "exit": "suspend", "suspend": True,
                                      "interactions": [lms_token("q-lock"), lms_token("q-share")]}
    expect(content.locator("#notice")).to_be_hidden()
    assert page.evaluate("() => lms.errors()") == []


@pytest.mark.parametrize("standard", STANDARDS)
def test_the_api_is_found_several_frames_above_the_content(page, lms_server, sites, standard):
    inner = f"/tests/lms/wrapper.html?src={sites[standard]}"
    content = open_lms(page, lms_server, standard, f"/tests/lms/wrapper.html?src={inner.replace('?', '%3F')}")
    content = content.frame_locator("iframe").frame_locator("iframe")
    expect(content.locator("#main h1")).to_be_visible()
    content.get_by_role("button", name="Next").click()
    expect(content.locator("#main h1")).to_have_text("Watch and listen")
    content.get_by_role("button", name="Exit course").click()
    expect(content.locator("#main")).to_contain_text("Your progress has been saved.")
    assert methods(page).count(FINISH[standard]) == 1
    assert stored(page, standard)["location"] == "watch"
    assert page.evaluate("() => lms.errors()") == []


@pytest.mark.parametrize("standard", STANDARDS)
def test_a_popup_launch_finds_the_api_through_its_opener(page, lms_server, sites, standard):
    open_lms(page, lms_server, standard, "about:blank")
    with page.expect_popup() as popup_info:
        page.evaluate("(url) => { window.open(url, 'course'); }", sites[standard])
    popup = popup_info.value
    expect(popup.locator("#main h1")).to_be_visible()
    popup.get_by_role("button", name="Next").click()
    expect(popup.locator("#main h1")).to_have_text("Watch and listen")
    popup.get_by_role("button", name="Exit course").click()
    expect(popup.locator("#main")).to_contain_text("Your progress has been saved.")
    assert methods(page).count(INITIALIZE[standard]) == 1 and methods(page).count(FINISH[standard]) == 1
    assert stored(page, standard)["location"] == "watch"
    assert page.evaluate("() => lms.errors()") == []


@pytest.mark.parametrize("standard", STANDARDS)
def test_an_api_without_a_finish_call_still_tracks_and_ends_with_a_commit(page, lms_server, sites, standard):
    content = open_lms(page, lms_server, standard, sites[standard], quirks={"missing": [FINISH[standard]]})
    expect(content.locator("#main h1")).to_be_visible()
    content.get_by_role("button", name="Next").click()
    expect(content.locator("#main h1")).to_have_text("Watch and listen")
    content.get_by_role("button", name="Exit course").click()
    expect(content.locator("#main")).to_contain_text("Your progress has been saved.")
    calls = methods(page)
    assert FINISH[standard] not in calls and calls[-1] == COMMIT[standard]
    assert stored(page, standard) == {"location": "watch", "exit": "suspend", "suspend": True, "interactions": []}
    assert page.evaluate("() => lms.errors()") == []


def test_a_finish_call_under_another_name_is_used(page, lms_server, sites):
    """wagtail-lms 0.11.1 offers LMSTerminate instead of SCORM 1.2's LMSFinish."""
    content = open_lms(page, lms_server, "scorm12", sites["scorm12"], quirks={"rename": {"LMSFinish": "LMSTerminate"}})
    expect(content.locator("#main h1")).to_be_visible()
    content.get_by_role("button", name="Next").click()
    expect(content.locator("#main h1")).to_have_text("Watch and listen")
    content.get_by_role("button", name="Exit course").click()
    expect(content.locator("#main")).to_contain_text("Your progress has been saved.")
    assert methods(page).count("LMSTerminate") == 1 and page.evaluate("() => lms.counts.Terminate") == 1
    assert stored(page, "scorm12")["location"] == "watch"


@pytest.mark.parametrize("standard", STANDARDS)
def test_commits_that_fail_for_a_while_are_retried_until_the_data_is_kept(page, lms_server, sites, standard):
    content = open_lms(page, lms_server, standard, sites[standard], quirks={"commitFailures": 3})
    expect(content.locator("#main h1")).to_be_visible()
    content.get_by_role("button", name="Next").click()
    expect(content.locator("#main h1")).to_have_text("Watch and listen")
    page.wait_for_function("() => lms.stored && lms.counts.Commit >= 1 && "
                           "lms.calls.some((c) => c.method.endsWith('Commit') && c.result === 'true')", timeout=15000)
    commits = page.evaluate("() => lms.calls.filter((c) => c.method.endsWith('Commit')).map((c) => c.result)")
    assert commits[:3] == ["false"] * 3 and "true" in commits[3:]
    assert stored(page, standard)["location"] == "watch"
    assert {code for _, _, code in page.evaluate("() => lms.errors()")} == {"391"}


@pytest.mark.parametrize("standard", STANDARDS)
def test_a_frame_unloaded_abruptly_still_leaves_the_last_state_saved(page, lms_server, sites, standard):
    content = open_lms(page, lms_server, standard, sites[standard])
    expect(content.locator("#main h1")).to_be_visible()
    answer_quick_check(content)
    page.evaluate("() => lms.unload()")
    page.wait_for_function("() => lms.counts.Terminate === 1")
    assert stored(page, standard) == {"location": "quick-check", "exit": "suspend", "suspend": True,
                                      "interactions": [lms_token("q-lock"), lms_token("q-share")]}
    assert page.evaluate("() => lms.errors()") == []

    content = open_lms(page, lms_server, standard, sites[standard], cmi=page.evaluate("() => lms.stored"))
    expect(content.locator("#main h1")).to_have_text("Quick check")
    expect(content.get_by_label("Whenever I leave my desk")).to_be_checked()
    assert page.evaluate("() => lms.errors()") == []


# ------------------------------------------------------------------------------- an expired LMS session
SIGN_IN = "<!doctype html><title>Sign in</title><form><label>Password <input type=password></label></form>"


@pytest.mark.parametrize("answer", ["redirect", "sign-in page"])
def test_a_page_answered_with_the_lms_sign_in_page_is_never_shown(page, lms_server, sites, answer):
    """An LMS whose session expired answers the page fetch with its sign-in form (after a redirect,
    or in place): the learner gets a message and a retry, never that form inside the course."""
    standard = "scorm2004"
    fragment = sites[standard].replace("index.html", "pages/watch.html")
    if answer == "redirect":
        lms_server.override(fragment, 302, headers={"Location": "/sign-in"})
        lms_server.override("/sign-in", 200, SIGN_IN)
    else:
        lms_server.override(fragment, 200, SIGN_IN)
    try:
        content = open_lms(page, lms_server, standard, sites[standard])
        expect(content.locator("#main h1")).to_be_visible()
        content.get_by_role("button", name="Next").click()
        expect(content.locator(".load-error")).to_contain_text("could not be loaded")
        expect(content.get_by_label("Password")).to_have_count(0)
        expect(content.get_by_role("button", name="Try loading it again")).to_be_focused()
    finally:
        lms_server.clear_overrides()
    content.get_by_role("button", name="Try loading it again").click()
    expect(content.locator("#main h1")).to_have_text("Watch and listen")
    assert page.evaluate("() => lms.cmi().location") == "watch"
    assert page.evaluate("() => lms.errors()") == []


# ------------------------------------------------------------------------------- learner input is data
TYPED = 'He said "yes" [,] [.] \\ ]\' 🔐 كلمة'


@pytest.mark.parametrize("standard", STANDARDS)
def test_a_typed_answer_with_quotes_delimiters_emoji_and_rtl_text_is_shown_reported_and_resumed(
        page, lms_server, sites, standard):
    """Before, a typed answer became part of a CSS selector: a quote made showing the results
    throw, so no score reached the LMS and the page stayed broken after a reload."""
    content = open_lms(page, lms_server, standard, sites[standard])
    expect(content.locator("#main h1")).to_be_visible()
    content.get_by_role("link", name="Final quiz").click()
    form = content.get_by_role("form", name="Final quiz")
    form.get_by_role("checkbox", name="Urgent tone").check()
    form.get_by_role("textbox").fill(TYPED)
    for select in form.locator("select[data-source]").all():
        select.select_option(index=1)
    form.get_by_role("button", name="Submit answers").click()
    expect(form.get_by_role("status").filter(has_text="Pass mark")).to_contain_text("You scored")
    report = form.get_by_role("group", name="Question 2 of 4")
    expect(report.get_by_role("status")).to_contain_text("Not quite.")
    page.wait_for_function("() => lms.stored.interactions && Object.keys(lms.stored.interactions).length === 4")
    data = page.evaluate("() => lms.stored")
    row = next(r for r in data["interactions"].values() if r["id"] == lms_token("q-report"))
    one_line = " ".join(TYPED.split())
    if standard == "scorm12":
        assert row["student_response"] == one_line
    else:  # the SCORM 2004 delimiters and bare commas never reach the LMS as delimiters
        assert row["learner_response"] == one_line.replace("[,]", "\uff0c").replace("[.]", ".")
    assert page.evaluate("() => lms.errors()") == []

    content = open_lms(page, lms_server, standard, sites[standard], cmi=data)
    expect(content.locator("#main h1")).to_have_text("Final quiz")
    form = content.get_by_role("form", name="Final quiz")
    expect(form.get_by_role("textbox")).to_have_value(TYPED)
    expect(form.get_by_role("group", name="Question 2 of 4").get_by_role("status")).to_contain_text("Not quite.")


# ------------------------------------------------------------------------------- no redundant calls
PAGE_CHANGE = {"scorm12": ["cmi.core.lesson_location", "cmi.suspend_data"],
               "scorm2004": ["cmi.location", "cmi.progress_measure", "cmi.suspend_data"]}


@pytest.mark.parametrize("standard", STANDARDS)
def test_a_page_change_sends_only_what_changed_and_nothing_twice(page, lms_server, sites, standard):
    """LMSs that store every call as its own request lose updates when calls race: a page change is
    one SetValue per changed element and one commit, and no element is ever sent the value it has."""
    content = open_lms(page, lms_server, standard, sites[standard])
    expect(content.locator("#main h1")).to_be_visible()
    page.wait_for_function("() => lms.counts.Commit >= 1")
    before = page.evaluate("() => lms.calls.length")
    content.get_by_role("button", name="Next").click()
    expect(content.locator("#main h1")).to_have_text("Watch and listen")
    page.wait_for_function("(n) => lms.calls.slice(n).some((c) => c.method.endsWith('Commit'))", arg=before)
    calls = page.evaluate("(n) => lms.calls.slice(n)", before)
    sets = [c["args"][0] for c in calls if c["method"].endswith("SetValue")]
    assert sets == PAGE_CHANGE[standard]
    assert [c["method"] for c in calls if not c["method"].endswith(("SetValue", "GetLastError"))] == [COMMIT[standard]]

    content.get_by_role("button", name="Exit course").click()
    expect(content.locator("#main")).to_contain_text("Your progress has been saved.")
    last: dict[str, str] = {}
    for call in page.evaluate("() => lms.calls"):
        if call["method"].endswith("SetValue"):
            element, value = call["args"]
            assert last.get(element) != value, f"{element} sent {value!r} again"
            last[element] = value


# ------------------------------------------------------------------------------- surveys in the LMS
@pytest.mark.parametrize("standard", STANDARDS)
def test_a_survey_reaches_the_lms_as_one_neutral_likert_interaction_per_statement(page, lms_server, sites, standard):
    content = open_lms(page, lms_server, standard, sites[standard])
    expect(content.locator("#main h1")).to_be_visible()
    content.get_by_role("link", name="Well done").click()
    expect(content.locator("#main h1")).to_have_text("Well done")
    form = content.get_by_role("form", name="Your view")
    form.get_by_role("group", name="The examples were clear").get_by_label("Agree", exact=True).check()
    form.get_by_role("group", name="I will use what I learned").get_by_label("Strongly disagree").check()
    form.get_by_role("button", name="Submit answers").click()
    expect(form.locator("[data-result]")).to_contain_text("passed")
    page.wait_for_function("() => lms.counts.Commit > 0", timeout=15000)
    cmi = page.evaluate("() => lms.cmi()")
    rows = {row["id"]: row for row in cmi["interactions"].values()}
    clear, use = lms_token("q-view.l-clear"), lms_token("q-view.l-use")
    assert sorted(rows) == sorted([clear, use])
    response = "student_response" if standard == "scorm12" else "learner_response"
    assert (rows[clear]["type"], rows[clear][response], rows[clear]["result"]) == ("likert", "4", "neutral")
    assert (rows[use]["type"], rows[use][response], rows[use]["result"]) == ("likert", "1", "neutral")
    assert page.evaluate("() => lms.errors()") == []
