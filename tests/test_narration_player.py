"""The narration block as a learner hears it, in Chromium: its transcript is the captions'
sentences rendered into the page, the sentence being spoken is marked as the audio plays and
moves on at each cue's time, a sentence pressed plays from there, the speed is a labelled control
kept for the session, everything works by keyboard, and one gesture unlocks the narration."""
from __future__ import annotations

import lxml.html
import pytest
from lms.site import publish_site
from media_fixtures import ffmpeg
from media_site import serving

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CUES = [(0.0, 1.5, "Lock your screen."), (1.5, 3.0, "Report <odd> mail & links."),
        (3.0, 4.5, "Use the VPN on public Wi-Fi."), (4.5, 6.0, "Ask when unsure.")]

COURSE = {
    "id": "narrated", "title": "Narrated", "language": "en",
    "sections": [{"id": "s", "title": "Only", "pages": [
        {"id": "listen", "title": "Listen", "blocks": [
            {"type": "narration", "id": "n-tips", "src": "media/tips.m4a", "captions": "media/tips.vtt"}]},
        {"id": "read", "title": "Read", "blocks": [{"type": "text", "id": "t-read", "markdown": "Nothing to hear."}]},
    ]}],
}


def _stamp(seconds: float) -> str:
    return f"00:00:{int(seconds):02d}.{round(seconds % 1 * 1000):03d}"


@pytest.fixture(scope="module")
def narrated(tmp_path_factory):
    """(course, media) of COURSE: a 6-second tone with the four CUES as its captions."""
    from courses.model import Course
    from media.assets import Asset, BlockMedia

    root = tmp_path_factory.mktemp("narrated")
    audio = root / "tips.m4a"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000:duration=6", "-c:a", "aac", str(audio))
    vtt = root / "tips.vtt"
    escaped = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
    vtt.write_text("WEBVTT\n\n" + "".join(f"{i}\n{_stamp(a)} --> {_stamp(b)}\n<v Narrator>{text.translate(str.maketrans(escaped))}\n\n"
                                          for i, (a, b, text) in enumerate(CUES, 1)), encoding="utf-8")
    media = {"n-tips": BlockMedia("n-tips", sources=[Asset(audio, "media/tips.m4a", "audio/mp4")],
                                  captions=Asset(vtt, "media/tips.vtt", "text/vtt"), duration=6.0)}
    return Course.model_validate(COURSE), media


@pytest.fixture(scope="module")
def server(narrated, tmp_path_factory):
    course, media = narrated
    root = tmp_path_factory.mktemp("narrated-site")
    publish_site(course, media, root / "en")
    publish_site(course.model_copy(update={"language": "nl"}), media, root / "nl")
    with serving(root) as url:
        yield url


@pytest.fixture
def player(chromium, server):
    from playwright.sync_api import expect

    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/en/index.html")
    expect(page.get_by_role("button", name="Play narration")).to_be_visible()
    yield page
    context.close()
    assert errors == []


def _current(page):
    return page.locator(".cues [aria-current='true']")


def _player_time(page) -> float:
    return page.evaluate("window.__narration.currentTime")


def _expose_player(page):
    """The session's audio element, for the test to read its time (it is not in the document)."""
    page.evaluate("""() => {
        const original = HTMLMediaElement.prototype.play;
        HTMLMediaElement.prototype.play = function () { window.__narration = this; return original.call(this); };
    }""")


def test_the_transcript_is_the_cues_rendered_into_the_page(narrated):
    from player.render import render_site

    course, media = narrated
    page = lxml.html.fromstring(render_site(course, media, "web")["pages/listen.html"].decode())
    items = page.xpath("//ol[@data-cues]/li")
    assert [(float(li.get("data-start")), float(li.get("data-end")), li.text_content()) for li in items] == CUES
    assert page.xpath("//details[contains(@class, 'transcript')]")[0].get("open") is not None
    # Without JavaScript the browser's own audio controls remain.
    assert "controls" in page.xpath("//audio")[0].attrib
    assert page.xpath("//select[@data-speed]/option/text()") == ["0.75×", "1×", "1.25×", "1.5×", "2×"]


def test_the_highlight_follows_the_audio(player):
    from playwright.sync_api import expect

    page = player
    _expose_player(page)
    assert page.locator("audio").first.is_hidden()  # the page's own element gives way to the controls
    expect(_current(page)).to_have_count(0)
    page.get_by_label("Speed").select_option("2")
    page.get_by_role("button", name="Play narration").click()
    expect(page.get_by_role("button", name="Pause narration")).to_be_visible()
    seen: list[tuple[float, str]] = []
    for _ in range(400):
        time, text = page.evaluate("""() => [window.__narration?.currentTime ?? 0,
            document.querySelector(".cues [aria-current='true']")?.textContent ?? null]""")
        if text is not None and (not seen or seen[-1][1] != text):
            seen.append((time, text))
        if page.evaluate("window.__narration?.ended"):
            break
        page.wait_for_timeout(25)
    assert [text for _, text in seen] == [text for _, _, text in CUES]
    for (time, text), (start, end, cue) in zip(seen, CUES):
        assert text == cue
        assert start <= time < end, f"{cue!r} marked at {time:.2f} s, outside {start}-{end}"
    assert page.evaluate("window.__narration.playbackRate") == 2
    expect(page.get_by_role("button", name="Play narration")).to_be_visible()  # ended: the button says so again
    # Only one sentence is marked, and the mark is not announced: no live region holds the transcript.
    expect(_current(page)).to_have_count(1)
    assert page.evaluate("document.querySelector('.cues').closest('[aria-live]')") is None


def test_a_sentence_pressed_plays_from_there_and_keeps_in_step_when_seeking(player):
    from playwright.sync_api import expect

    page = player
    _expose_player(page)
    page.get_by_role("button", name="Use the VPN on public Wi-Fi.").click()
    expect(_current(page)).to_have_text("Use the VPN on public Wi-Fi.")
    expect(page.get_by_role("button", name="Pause narration")).to_be_visible()
    page.wait_for_function("window.__narration.currentTime >= 3")
    assert _player_time(page) < 4.5
    page.get_by_role("button", name="Pause narration").click()
    expect(page.get_by_role("button", name="Play narration")).to_be_visible()
    page.evaluate("window.__narration.currentTime = 1.6")
    expect(_current(page)).to_have_text("Report <odd> mail & links.")
    page.evaluate("window.__narration.currentTime = 0.2")
    expect(_current(page)).to_have_text("Lock your screen.")


def test_keyboard_only_speed_kept_for_the_session_and_narration_stops_on_leaving(player, server):
    from playwright.sync_api import expect

    page = player
    _expose_player(page)
    page.locator("#main h1").focus()
    page.keyboard.press("Tab")
    play = page.get_by_role("button", name="Play narration")
    expect(play).to_be_focused()
    page.keyboard.press("Tab")
    speed = page.get_by_role("combobox", name="Speed")
    expect(speed).to_be_focused()
    speed.select_option("1.5")
    page.keyboard.press("Tab")
    expect(page.get_by_text("Transcript")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Lock your screen.")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the second sentence
    expect(page.get_by_role("button", name="Pause narration")).to_be_visible()
    assert page.evaluate("window.__narration.playbackRate") == 1.5
    sizes = page.evaluate("""() => [...document.querySelectorAll('.narration-controls button, .narration-controls select, .cue')]
        .map((el) => el.getBoundingClientRect()).map((r) => Math.min(r.width, r.height))""")
    assert min(sizes) >= 44
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#main h1")).to_have_text("Read")
    assert page.evaluate("window.__narration.paused")
    page.reload()
    page.get_by_role("link", name="Listen").click()
    expect(page.get_by_role("combobox", name="Speed")).to_have_value("1.5")


def test_one_gesture_unlocks_the_narration_and_nothing_plays_by_itself(player):
    page = player
    _expose_player(page)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__narration === undefined"), "nothing plays before the learner does something"
    page.locator("#main h1").click()  # a tap anywhere, not on the narration
    page.wait_for_function("window.__narration !== undefined")
    page.wait_for_function("window.__narration.paused && !window.__narration.getAttribute('src')")
    # The unlocked element is the one that plays the narration: started later, outside any gesture.
    page.evaluate("""() => new Promise((resolve) => setTimeout(() => {
        document.querySelector('.cues li:nth-child(2) .cue').click(); resolve();
    }, 50))""")
    page.wait_for_function("!window.__narration.paused && window.__narration.src.endsWith('media/tips.m4a')")


def test_dutch_controls(chromium, server):
    from playwright.sync_api import expect

    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(f"{server}/nl/index.html")
        expect(page.get_by_role("button", name="Toelichting afspelen")).to_be_visible()
        expect(page.get_by_role("combobox", name="Snelheid").locator("option")).to_have_text(
            ["0,75×", "1×", "1,25×", "1,5×", "2×"])
        page.get_by_role("button", name="Toelichting afspelen").click()
        expect(page.get_by_role("button", name="Toelichting pauzeren")).to_be_visible()
    finally:
        context.close()


def test_which_sentence_is_spoken_at_a_time():
    from node_js import run_js

    cues = [{"start": a, "end": b} for a, b, _ in CUES[:2]] + [{"start": 3.2, "end": 4.0}]
    times = [0, 0.5, 1.5, 2.99, 3.1, 3.2, 9]
    assert run_js({"narration.js": "cueAt"}, "result = data.times.map((t) => cueAt(data.cues, t));",
                  {"cues": cues, "times": times}) == [0, 0, 1, 1, 1, 2, 2]
    assert run_js({"narration.js": "cueAt"}, "result = cueAt(data, 1);", [{"start": 2, "end": 3}]) == -1
