"""``prepare_course``: a whole course folder in, the MediaMap exporters read out."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import yaml
from media_fixtures import (  # noqa: F401 - media_env and process_launches are fixtures
    bomb_png,
    cache_entries,
    make_speech,
    make_video,
    media_env,
    process_launches,
    png,
    svg,
    text_file,
    truncate,
)

from courses.loader import load_course
from courses.source import FolderSource
from media import jobs
from media.errors import MediaError
from media.pipeline import prepare_course
from media.tools import _version
from settings import Settings

SAMPLE = Path(__file__).resolve().parents[1] / "courses" / "samples" / "security-basics"
HREF = re.compile(r"^media/[0-9a-f]{12}-[A-Za-z0-9._-]+$")


def prepare(folder: Path, progress=None):
    """The pipeline as a build of the course folder runs it: the folder as source, the environment's settings."""
    return prepare_course(load_course(folder), FolderSource(folder), Settings(), progress)


def write_course(folder: Path, blocks: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    course = {"id": "media-test", "title": "Media test", "language": "en-US",
              "sections": [{"id": "s1", "title": "One", "pages": [{"id": "p1", "title": "Page", "blocks": blocks}]}]}
    (folder / "course.yaml").write_text(yaml.safe_dump(course, sort_keys=False))
    return folder


@pytest.mark.slow
def test_course_media_become_hashed_package_files(tmp_path, media_env, request):
    media = tmp_path / "course" / "media"
    media.mkdir(parents=True)
    make_video(media / "intro clip.mp4", size="640x360", seconds=2)
    (media / "intro.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nHello.\n")
    make_speech(media / "voice.m4a", "Thank you for listening.", gain_db=-25)
    png(media / "chart.png", 1200, 600)
    svg(media / "icon.svg", "<circle cx='5' cy='5' r='4'/>")
    folder = write_course(tmp_path / "course", [
        {"type": "video", "id": "v1", "src": "media/intro clip.mp4", "title": "Intro", "captions": "media/intro.vtt"},
        {"type": "narration", "id": "n-rec", "src": "media/voice.m4a", "transcript": "Thank you for listening."},
        {"type": "narration", "id": "n-tts", "script": "Hello and welcome. Let us begin."},
        {"type": "image", "id": "i-chart", "src": "media/chart.png", "alt": "A chart"},
        {"type": "image", "id": "i-icon", "src": "media/icon.svg", "alt": "An icon"},
    ])
    seen: list[tuple[str, float]] = []
    result = prepare(folder, progress=lambda label, f: seen.append((label, f)))

    assert set(result) == {"v1", "n-rec", "n-tts", "i-chart", "i-icon"}
    every = [a for m in result.values() for a in [*m.sources, m.poster, m.captions] if a is not None]
    for asset in every:
        assert HREF.match(asset.href), asset.href
        assert asset.source.is_file() and asset.bytes == asset.source.stat().st_size
    v1 = result["v1"]
    assert [(a.label, a.mime, a.width, a.height) for a in v1.sources] == [("360p", "video/mp4", 640, 360)]
    assert v1.sources[0].href.endswith("-intro-clip-360p.mp4")
    assert v1.poster.mime == "image/jpeg" and v1.captions.mime == "text/vtt"
    assert v1.captions.source == folder / "media" / "intro.vtt"
    assert v1.duration == pytest.approx(2.0, abs=0.1)
    assert result["n-rec"].sources[0].mime == "audio/mp4" and result["n-rec"].transcript == "Thank you for listening."
    tts = result["n-tts"]
    assert tts.transcript == "Hello and welcome. Let us begin." and tts.captions.mime == "text/vtt"
    assert tts.captions.source.read_text().count("-->") == 2
    assert [(a.mime, a.width) for a in result["i-chart"].sources] == [
        ("image/webp", 1200), ("image/webp", 960), ("image/webp", 480), ("image/jpeg", 1200)]
    assert [(a.mime, a.width, a.height) for a in result["i-icon"].sources] == [("image/svg+xml", 200, 100)]
    assert seen and seen[-1][1] == 1.0

    # Second build, as a fresh process would run it: every job and every tool version come from
    # the cache, so not a single process is started, and the hrefs are the same.
    _version.cache_clear()
    launches = request.getfixturevalue("process_launches")
    again = prepare(folder)
    assert again == result
    assert launches == []


@pytest.mark.slow
def test_every_broken_file_is_reported_at_once_and_nothing_is_cached(tmp_path, media_env):
    media = tmp_path / "course" / "media"
    media.mkdir(parents=True)
    text_file(media / "notes.mp4")
    make_video(media / "mute.m4a", size="160x120", seconds=1, audio=False)
    truncate(make_video(tmp_path / "whole.mp4", faststart=False), media / "cut.mp4", keep=0.5)
    bomb_png(media / "bomb.png")
    svg(media / "evil.svg", "<script>fetch('/steal')</script>")
    folder = write_course(tmp_path / "course", [
        {"type": "video", "id": "v1", "src": "media/notes.mp4", "title": "Notes"},
        {"type": "video", "id": "v2", "src": "media/cut.mp4", "title": "Cut"},
        {"type": "narration", "id": "n1", "src": "media/mute.m4a"},
        {"type": "image", "id": "i1", "src": "media/bomb.png", "alt": "Bomb"},
        {"type": "image", "id": "i2", "src": "media/evil.svg", "alt": "Evil"},
    ])
    with pytest.raises(MediaError) as caught:
        prepare(folder)
    lines = str(caught.value).splitlines()
    assert "media/cut.mp4: is truncated or corrupt: the MP4 index (moov atom) is missing, as in a cut-off upload" in lines
    assert "media/notes.mp4: is not a media file ffmpeg can read (its content is not audio or video)" in lines
    assert ("media/mute.m4a: has no audio stream (it is a video without sound); narration needs a sound "
            "recording") in lines
    assert any(line.startswith("media/bomb.png: image is ") for line in lines)
    assert "media/evil.svg: SVG is unsafe to publish: contains a <script> element" in lines
    assert len(lines) == 5
    assert cache_entries(media_env) == ([], [])


@pytest.mark.slow
def test_a_video_is_probed_checked_and_hashed_once_per_build(tmp_path, media_env, monkeypatch, request):
    media = tmp_path / "course" / "media"
    media.mkdir(parents=True)
    clip = make_video(media / "clip.mp4", size="320x240", seconds=1)
    still = png(media / "still.png", 320, 240)
    folder = write_course(tmp_path / "course", [
        {"type": "video", "id": "v-own", "src": "media/clip.mp4", "title": "A", "poster": "media/still.png"},
        {"type": "video", "id": "v-made", "src": "media/clip.mp4", "title": "B"},
    ])
    time.sleep(jobs.RACY_SECONDS)  # settled files: the job trusts their fingerprint
    hashed: list[Path] = []
    real_sha256 = jobs.file_sha256
    monkeypatch.setattr(jobs, "file_sha256", lambda path: hashed.append(Path(path)) or real_sha256(path))
    launches = request.getfixturevalue("process_launches")
    result = prepare(folder)

    assert hashed.count(clip) == 1 and hashed.count(still) == 1
    tools = [Path(argv[0]).name for argv in launches if "-version" not in argv]
    checks = [argv for argv in launches if argv[-3:] == ["-f", "null", "-"]]
    assert tools.count("ffprobe") == 1 and len(checks) == 1
    assert tools.count("ffmpeg") == 3  # the decode check, the renditions, the poster frame
    own, made = result["v-own"], result["v-made"]
    assert own.sources == made.sources
    assert own.poster.source == still and made.poster.mime == "image/jpeg"
    assert (made.poster.width, made.poster.height) == (320, 240)


@pytest.mark.slow
def test_hls_setting_adds_playlists_with_their_layout(tmp_path, media_env, monkeypatch):
    media = tmp_path / "course" / "media"
    media.mkdir(parents=True)
    make_video(media / "clip.mp4", size="320x240", seconds=2)
    folder = write_course(tmp_path / "course", [{"type": "video", "id": "v1", "src": "media/clip.mp4", "title": "C"}])
    monkeypatch.setenv("COURSEFORGE_HLS", "true")
    from settings import get_settings

    get_settings.cache_clear()
    v1 = prepare(folder)["v1"]
    assert re.fullmatch(r"media/[0-9a-f]{12}-clip-hls/master\.m3u8", v1.hls.href)
    folder_href = v1.hls.href.rsplit("/", 1)[0]
    hrefs = {a.href.removeprefix(folder_href + "/") for a in v1.hls_files}
    assert {"240p/index.m3u8", "240p/init.mp4", "240p/seg_000.m4s"} <= hrefs
    assert "240p/index.m3u8" in v1.hls.source.read_text()


def test_limits_come_from_settings(tmp_path, media_env, monkeypatch):
    media = tmp_path / "course" / "media"
    media.mkdir(parents=True)
    png(media / "wide.png", 800, 600)
    folder = write_course(tmp_path / "course", [{"type": "image", "id": "i1", "src": "media/wide.png", "alt": "W"}])
    monkeypatch.setenv("COURSEFORGE_IMAGE_MAX_PIXELS", "1000")
    from settings import get_settings

    get_settings.cache_clear()
    with pytest.raises(MediaError, match=r"^media/wide\.png: image is 800x600 pixels"):
        prepare(folder)


@pytest.mark.slow
def test_sample_course_media(media_env):
    course = load_course(SAMPLE)
    result = prepare(SAMPLE)
    blocks = {b.id: b for page in course.pages() for b in page.blocks if b.type in ("video", "narration", "image")}
    hotspots = {q.id: q for quiz in course.quizzes() for q in quiz.questions if q.type == "hotspot"}
    assert set(result) == set(blocks) | set(hotspots)  # a hotspot's image is made like an image block's
    for question_id in hotspots:
        assert result.pop(question_id).sources[-1].mime in ("image/png", "image/jpeg")
    for block_id, media in result.items():
        assert media.sources, block_id
        for asset in [*media.sources, media.poster, media.captions]:
            if asset is not None:
                assert HREF.match(asset.href) and asset.source.is_file()
        if blocks[block_id].type == "video":
            heights = [a.height for a in media.sources]
            assert heights == sorted(heights, reverse=True) and media.poster is not None
            assert media.duration and media.duration > 0
        if blocks[block_id].type == "narration":
            assert media.sources[0].mime == "audio/mp4" and media.transcript
