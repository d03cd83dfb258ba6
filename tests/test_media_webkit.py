"""Narration and video in WebKit (WebKitGTK, the engine of iPad Safari, through Selenium in a
private Xvfb): nothing sounds before the learner's first gesture, the narration started by a
click follows its sentences, and a video dragged to its end is not watched. Debian's WebKitGTK
decodes Opus and VP8 (not AAC or H.264, whose GStreamer decoders it lacks), so the media here are
WebM; the player is the same."""
from __future__ import annotations

import time

import pytest

from lms.site import publish_site
from media_fixtures import ffmpeg
from media_site import serving
from test_engines import display, webkit  # noqa: F401 - the WebKit fixtures: Xvfb and the driver
from test_narration_player import CUES, _stamp

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore:setting remote_server_addr:DeprecationWarning")]

COURSE = {
    "id": "media-webkit", "title": "Media", "language": "en",
    "sections": [{"id": "s", "title": "Only", "pages": [
        {"id": "listen", "title": "Listen", "blocks": [
            {"type": "narration", "id": "n-tips", "src": "media/tips.webm", "captions": "media/tips.vtt"}]},
        {"id": "watch", "title": "Watch", "blocks": [
            {"type": "video", "id": "v-rule", "src": "media/clip.webm", "title": "The clip", "complete_at": 80}]},
    ]}],
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from courses.model import Course
    from media.assets import Asset, BlockMedia

    root = tmp_path_factory.mktemp("media-webkit")
    audio, clip, vtt = root / "tips.webm", root / "clip.webm", root / "tips.vtt"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000:duration=6", "-c:a", "libopus", str(audio))
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=4", "-c:v", "libvpx", "-b:v", "200k", str(clip))
    vtt.write_text("WEBVTT\n\n" + "".join(f"{_stamp(a)} --> {_stamp(b)}\n{text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}\n\n"
                                          for a, b, text in CUES), encoding="utf-8")
    media = {
        "n-tips": BlockMedia("n-tips", sources=[Asset(audio, "media/tips.webm", "audio/webm")],
                             captions=Asset(vtt, "media/tips.vtt", "text/vtt")),
        "v-rule": BlockMedia("v-rule", sources=[Asset(clip, "media/clip.webm", "video/webm", 160, 120)]),
    }
    publish_site(Course.model_validate(COURSE), media, root / "site")
    with serving(root / "site") as url:
        yield url


def _wait(driver, script: str, timeout: float = 10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = driver.execute_script(f"return {script}")
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"still false after {timeout} s: {script}")


RECORD_PLAYS = """HTMLMediaElement.prototype.play = ((original) => function () {
    window.__narration = this;
    return original.call(this);
  })(HTMLMediaElement.prototype.play);"""


def test_narration_in_webkit_waits_for_a_gesture_then_follows_its_sentences(webkit, site):
    driver = webkit
    driver.get(f"{site}/index.html")
    _wait(driver, "document.querySelector('.narration-controls:not([hidden]) [data-action=play]')")
    # WebKit refuses sound before a gesture: a script that tries is refused (the player never tries).
    driver.execute_script("new Audio(document.querySelector('audio source').src).play()"
                          ".catch((error) => { window.__refused = String(error); })")
    assert "NotAllowedError" in _wait(driver, "window.__refused")
    driver.execute_script(RECORD_PLAYS)
    driver.execute_script("document.querySelector('[data-speed]').value = '2';"
                          "document.querySelector('[data-speed]').dispatchEvent(new Event('change'))")
    driver.find_element("css selector", "[data-action=play]").click()
    seen: list[tuple[float, str]] = []
    end = time.monotonic() + 15
    while time.monotonic() < end and not driver.execute_script("return window.__narration.ended"):
        now, text = driver.execute_script("""return [window.__narration.currentTime,
            document.querySelector(".cues [aria-current='true']")?.textContent ?? null]""")
        if text is not None and (not seen or seen[-1][1] != text):
            seen.append((now, text))
        time.sleep(0.03)
    assert [text for _, text in seen] == [text for _, _, text in CUES]
    for (now, text), (start, stop, _) in zip(seen, CUES):
        assert start <= now < stop + 0.1, f"{text!r} marked at {now:.2f} s"  # WebKit reports time a frame late
    assert driver.execute_script("return window.__narration.playbackRate") == 2


def _play(driver, start: float, rate: float) -> None:
    """Play the video from ``start`` seconds (from its end when negative) at speed ``rate``: one
    step per script, which is what WebKitWebDriver reliably runs here while a video plays."""
    video = "document.querySelector('video')"
    driver.execute_script(f"{video}.muted = true; return 1")
    driver.execute_script(f"{video}.currentTime = {start} < 0 ? {video}.duration + {start} : {start}; return 1")
    driver.execute_script(f"{video}.playbackRate = {rate}; return 1")
    driver.execute_script(f"{video}.play(); return 1")


def test_a_video_dragged_to_its_end_in_webkit_is_not_watched(webkit, site):
    driver = webkit
    driver.get(f"{site}/index.html")
    _wait(driver, "document.querySelector('#main h1')?.textContent === 'Listen'")
    driver.find_element("css selector", "#next").click()
    _wait(driver, "document.querySelector('video')?.readyState >= 1")
    _play(driver, -0.2, 1)
    _wait(driver, "document.querySelector('video').ended")
    status = "document.querySelector('[data-watched]').textContent"
    _wait(driver, f"/^Watched [1-9]% of this video; 80% completes it\\.$/.test({status})")
    _play(driver, 0, 4)
    _wait(driver, "document.querySelector('video').ended")
    _wait(driver, f"/^Watched (9[5-9]|100)% of this video: complete\\.$/.test({status})")
    stored = driver.execute_script("return JSON.parse(localStorage.getItem('courseforge:media-webkit'))")
    assert stored["status"]["completed"] is True
