"""A video's completion rule ("watched at least N %") and captions by the learner's choice: in
Chromium against a byte-range server (so seeking is real), the watched share is what was played,
never the position reached, it survives a reload through the resume state, and the course is
complete only once it is reached; in Node, the ranges' arithmetic, the codec and the budget."""
from __future__ import annotations

import json
import re

import pytest
from lms.site import publish_site
from media_fixtures import make_video
from media_site import serving
from node_js import run_js

COURSE = {
    "id": "watched", "title": "Watched", "language": "en", "completion": "all_pages_viewed",
    "sections": [{"id": "s", "title": "Only", "pages": [
        {"id": "watch", "title": "Watch", "blocks": [
            {"type": "video", "id": "v-rule", "src": "media/clip.mp4", "title": "The clip", "complete_at": 80,
             "captions": "media/clip.vtt"},
            {"type": "video", "id": "v-free", "src": "media/clip.mp4", "title": "Another clip",
             "captions": "media/clip.vtt"}]},
        {"id": "end", "title": "End", "blocks": [{"type": "text", "id": "t-end", "markdown": "The end."}]},
    ]}],
}
DURATION = 4


# --------------------------------------------------------------------------- pure logic (Node)
def test_watched_ranges_merge_and_cover_percent_buckets():
    result = run_js({"watched.js": "mergeRanges, coveredBuckets", "state.js": "watchedPercent, unionBuckets"}, """
        result = {
          merged: mergeRanges([[5, 6], [0, 2], [1, 3], [3, 4], [8, 7], [NaN, 9]]),
          half: watchedPercent(coveredBuckets([[0, 50]], 100)),
          split: watchedPercent(coveredBuckets([[0, 20], [19.5, 40], [90, 100]], 100)),
          tiny: watchedPercent(coveredBuckets([[99.9, 100]], 100)),
          none: watchedPercent(coveredBuckets([[0, 10]], NaN)),
          union: watchedPercent(unionBuckets(coveredBuckets([[0, 60]], 10), coveredBuckets([[4, 10]], 10))),
        };""")
    assert result == {"merged": [[0, 4], [5, 6]], "half": 50, "split": 50, "tiny": 0, "none": 0, "union": 100}


def test_buckets_round_trip_in_seventeen_resume_characters():
    data = _course_json()
    result = run_js({"watched.js": "coveredBuckets", "state.js": "encodeState, decodeState, watchedPercent"}, """
        const buckets = coveredBuckets([[0, 13], [70, 100]], 100);
        const state = (watched) => ({ visited: [], answers: {}, attempts: {}, submitted: {}, watched });
        const text = encodeState(state({ 'v-rule': buckets }), data);
        const item = text.split('.')[6];
        const damaged = (payload) => decodeState(text.replace(item, item.slice(0, 4) + payload), data).watched ?? null;
        result = { length: item.length, same: JSON.stringify(decodeState(text, data).watched['v-rule']) === JSON.stringify(buckets),
                   percent: watchedPercent(decodeState(text, data).watched['v-rule']), plain: /^[A-Za-z0-9_-]+$/.test(item),
                   bad: [damaged('short'), damaged('!'.repeat(17))] };""", data)
    assert result == {"length": 1 + 3 + 17, "same": True, "percent": 43, "plain": True, "bad": [None, None]}


def _course_json(tracking: str = "scorm12") -> dict:
    from courses.model import Course
    from player.render import course_data

    return course_data(Course.model_validate(COURSE), tracking)


def test_the_resume_state_keeps_what_was_watched_of_videos_with_a_rule():
    data = _course_json()
    assert data["pages"][0]["videos"] == [{"id": "v-rule", "completeAt": 80}]
    assert "videos" not in data["pages"][1]
    result = run_js({"state.js": "encodeState, decodeState, mergeStates, watchedPercent", "watched.js": "coveredBuckets"}, """
        const state = { current: 'watch', visited: ['watch'], answers: {}, attempts: {}, submitted: {},
                        watched: { 'v-rule': coveredBuckets([[0, 2]], 4), 'v-free': coveredBuckets([[0, 4]], 4) } };
        const text = encodeState(state, data);
        const back = decodeState(text, data);
        const old = encodeState({ ...state, watched: {} }, data);
        const merged = mergeStates(back, { ...back, watched: { 'v-rule': coveredBuckets([[1, 3.4]], 4) } });
        result = { text, back: Object.fromEntries(Object.entries(back.watched).map(([id, b]) => [id, watchedPercent(b)])),
                   old, oldBack: decodeState(old, data).watched ?? null,
                   merged: watchedPercent(merged.watched['v-rule']),
                   gone: decodeState(text, { ...data, pages: [{ id: 'watch' }] }).watched ?? null };""", data)
    assert result["back"] == {"v-rule": 50}  # a video without a rule is not kept
    assert result["text"].split(".")[5:] == ["", result["text"].split(".")[6]]  # empty draws, then watched
    assert result["old"].count(".") == 4 and result["oldBack"] is None  # nothing watched: the string is as before
    assert result["merged"] == 85
    assert result["gone"] is None  # a video removed since (or its rule dropped) is forgotten


def test_a_course_is_complete_only_once_its_videos_are_watched_enough():
    data = _course_json()
    result = run_js({"scoring.js": "courseStatus", "watched.js": "coveredBuckets"}, """
        const base = { current: 'end', visited: ['watch', 'end'], answers: {}, attempts: {}, submitted: {} };
        result = [undefined, [[0, 3.1]], [[0, 3.3]], [[3.9, 4]]].map((ranges) =>
          courseStatus(data, { ...base, watched: ranges && { 'v-rule': coveredBuckets(ranges, 4) } }).completed);""",
                    data)
    assert result == [False, False, True, False]


def test_the_resume_budget_counts_the_watched_videos():
    from courses.model import Course
    from player.resume_budget import measure

    course = Course.model_validate(COURSE)
    without = Course.model_validate({**COURSE, "sections": [{**COURSE["sections"][0], "pages": [
        {**COURSE["sections"][0]["pages"][0], "blocks": [
            {k: v for k, v in b.items() if k != "complete_at"} for b in COURSE["sections"][0]["pages"][0]["blocks"]]},
        COURSE["sections"][0]["pages"][1]]}]})
    # One video with a rule: a section separator, the empty draws, the hash length, a 3-character hash, 17 characters.
    assert measure(course, "scorm12").chars - measure(without, "scorm12").chars == 1 + 1 + 1 + 3 + 17


def test_the_rule_is_a_percent_from_1_to_100(tmp_path):
    from courses.loader import check_course

    for value, ok in ((0, False), (1, True), (100, True), (101, False), ("half", False)):
        folder = tmp_path / f"c{value}"
        (folder / "media").mkdir(parents=True)
        (folder / "media" / "clip.mp4").write_bytes(b"")
        blocks = [{"type": "video", "id": "v", "src": "media/clip.mp4", "title": "Clip", "complete_at": value}]
        (folder / "course.yaml").write_text(json.dumps({"id": "c", "title": "C", "sections": [
            {"id": "s", "title": "S", "pages": [{"id": "p", "title": "P", "blocks": blocks}]}]}))
        problems = [str(p) for p in check_course(folder)]
        assert bool(problems) != ok, (value, problems)
        if not ok:
            assert any("complete_at" in p for p in problems), problems


# --------------------------------------------------------------------------- in the browser
@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from courses.model import Course
    from media.assets import Asset, BlockMedia

    root = tmp_path_factory.mktemp("watched")
    clip = make_video(root / "clip.mp4", size="160x120", seconds=DURATION, audio=False)
    vtt = root / "clip.vtt"
    vtt.write_text("WEBVTT\n\n00:00.000 --> 00:04.000\nA test pattern.\n", encoding="utf-8")
    media = {block: BlockMedia(block, sources=[Asset(clip, "media/clip.mp4", "video/mp4", 160, 120)],
                               captions=Asset(vtt, "media/clip.vtt", "text/vtt")) for block in ("v-rule", "v-free")}
    publish_site(Course.model_validate(COURSE), media, root / "site")
    with serving(root / "site") as url:
        yield url


@pytest.fixture
def context(chromium):
    ctx = chromium.new_context(viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


def _open(context, site):
    from playwright.sync_api import expect

    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(f"{site}/index.html")
    expect(page.locator("#main h1")).to_have_text("Watch")
    page.wait_for_function("document.querySelector('video').readyState >= 1")
    return page


def _stored(page) -> dict:
    return page.evaluate("JSON.parse(localStorage.getItem('courseforge:watched'))")


def _play(page, start: float, until: float, rate: float = 4):
    """Play the clip with the rule from ``start`` until ``until`` (or its end), then pause it."""
    page.evaluate("""([start, rate]) => { const v = document.querySelector('video');
        v.currentTime = start; v.playbackRate = rate; return v.play(); }""", [start, rate])
    page.wait_for_function(f"(v => v.ended || v.currentTime >= {until})(document.querySelector('video'))")
    page.evaluate("document.querySelector('video').pause()")


def test_seeking_to_the_end_does_not_complete_watching_does_and_a_reload_keeps_it(context, site):
    from playwright.sync_api import expect

    page = _open(context, site)
    status = page.locator("[data-watched]")
    expect(status).to_have_text("Watched 0% of this video; 80% completes it.")
    page.wait_for_timeout(500)
    assert page.evaluate("[...document.querySelectorAll('video')].every(v => v.paused && !v.autoplay)")
    _play(page, DURATION - 0.2, DURATION)  # dragged to the end: the last few percent played
    expect(status).to_have_text(re.compile(r"^Watched [1-9]% of this video; 80% completes it\.$"))
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#main h1")).to_have_text("End")
    stored = _stored(page)
    assert stored["progress"] == {"visited": 2, "total": 2}
    assert stored["status"]["completed"] is False

    page.get_by_role("button", name="Previous").click()
    expect(status).to_contain_text(" of this video; 80% completes it.")
    _play(page, 0, 2.2)  # the first half (and the end played before)
    expect(status).to_have_text(re.compile(r"^Watched (5[6-9]|6\d|7[0-5])% of this video; 80% completes it\.$"))
    watched = status.text_content()
    assert _stored(page)["status"]["completed"] is False

    page.reload()
    expect(status).to_have_text(watched)  # kept in the resume state
    _play(page, 2.0, DURATION)  # the rest: what was kept and what is played now add up
    expect(status).to_have_text("Watched 100% of this video: complete.")
    assert _stored(page)["status"]["completed"] is True
    assert page.errors == []


def test_captions_are_off_until_the_learner_turns_them_on_and_the_choice_is_kept(context, site):
    from playwright.sync_api import expect

    page = _open(context, site)
    modes = "[...document.querySelectorAll('video')].map(v => v.textTracks[0].mode)"
    assert page.evaluate(modes) == ["disabled", "disabled"]
    first = page.get_by_role("button", name="Captions").first
    expect(first).to_have_attribute("aria-pressed", "false")
    first.click()
    assert page.evaluate(modes) == ["showing", "showing"]  # every video follows the choice
    expect(page.get_by_role("button", name="Captions").last).to_have_attribute("aria-pressed", "true")
    page.reload()
    page.wait_for_function(f"{modes}.every(m => m === 'showing')")
    # A choice made in the browser's own captions menu is the learner's too.
    page.evaluate("document.querySelectorAll('video')[1].textTracks[0].mode = 'disabled'")
    page.wait_for_function(f"{modes}.every(m => m === 'disabled')")
    assert page.evaluate("localStorage.getItem('courseforge.captions')") == "off"
    sizes = page.evaluate("""[...document.querySelectorAll('.captions-toggle')]
        .map((el) => el.getBoundingClientRect()).map((r) => Math.min(r.width, r.height))""")
    assert min(sizes) >= 44
    assert page.errors == []


@pytest.fixture(scope="module")
def linear_site(tmp_path_factory):
    from courses.model import Course
    from media.assets import Asset, BlockMedia

    root = tmp_path_factory.mktemp("watched-linear")
    clip = make_video(root / "clip.mp4", size="160x120", seconds=DURATION, audio=False)
    media = {block: BlockMedia(block, sources=[Asset(clip, "media/clip.mp4", "video/mp4", 160, 120)])
             for block in ("v-rule", "v-free")}
    course = Course.model_validate({**COURSE, "navigation": "linear"})
    publish_site(course, media, root / "site")
    with serving(root / "site") as url:
        yield url


def test_a_linear_course_opens_the_next_page_once_the_video_is_watched_enough(context, linear_site):
    from playwright.sync_api import expect

    page = _open(context, linear_site)
    next_button = page.get_by_role("button", name="Next")
    expect(next_button).to_have_attribute("aria-disabled", "true")
    expect(page.locator('#menu a[data-page="end"]')).to_have_attribute("aria-disabled", "true")
    next_button.click(force=True)  # aria-disabled still takes a press: it explains
    expect(page.locator("#announce")).to_have_text("Watch the video on this page to go on.")
    expect(page.locator("#main h1")).to_have_text("Watch")
    _play(page, 0, DURATION)
    expect(page.locator("[data-watched]")).to_have_text("Watched 100% of this video: complete.")
    expect(next_button).not_to_have_attribute("aria-disabled", "true")
    next_button.click()
    expect(page.locator("#main h1")).to_have_text("End")
    assert page.errors == []
