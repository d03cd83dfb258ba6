"""What the media jobs make, checked on the real output files with ffprobe, ebur128 and Pillow.

Inputs are 1-3 s lavfi clips; the ladder is shrunk in some tests (the same code path as the
default 360/540/720 ladder) so that several rungs come from a 320x240 source in a second.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from media_fixtures import (  # noqa: F401 - process_launches is a fixture
    GENEROUS,
    cache_entries,
    ffprobe,
    integrated_loudness,
    keyframe_times,
    make_speech,
    make_video,
    png,
    process_launches,
    svg,
    top_level_boxes,
)
from PIL import Image

from media import jobs, video
from media.images import plan_widths
from media.tts import split_sentences
from media.video import plan_rungs

SMALL_LADDER = [
    {"height": 120, "maxrate": "300k", "bufsize": "600k"},
    {"height": 180, "maxrate": "500k", "bufsize": "1000k"},
    {"height": 360, "maxrate": "800k", "bufsize": "1600k"},
]


def with_settings(job: jobs.Job, **settings) -> jobs.Job:
    return jobs.Job(**{**job.to_dict(), "settings": {**job.settings, **settings}})


def outputs(result: dict, role: str) -> list[dict]:
    return [o for o in result["outputs"] if o["role"] == role]


# --------------------------------------------------------------------------- planning (no ffmpeg)
def test_ladder_never_upscales_and_keeps_even_dimensions():
    ladder = video.DEFAULTS["ladder"]
    assert [(r.label, r.width, r.height) for r in plan_rungs(1920, 1080, ladder)] == [
        ("360p", 640, 360), ("540p", 960, 540), ("720p", 1280, 720)]
    assert [r.label for r in plan_rungs(960, 540, ladder)] == ["360p", "540p"]
    assert [(r.label, r.width, r.height) for r in plan_rungs(1080, 1920, ladder)] == [
        ("360p", 360, 640), ("540p", 540, 960), ("720p", 720, 1280)]  # portrait: the short side counts
    tiny = plan_rungs(177, 99, ladder)
    assert [(r.label, r.width, r.height) for r in tiny] == [("98p", 176, 98)]
    for w, h in [(1918, 1078), (853, 479), (4096, 2160), (1000, 3000)]:
        for r in plan_rungs(w, h, ladder):
            assert r.width % 2 == 0 and r.height % 2 == 0
            assert r.width <= w + 1 and r.height <= h + 1


def test_image_widths_never_upscale():
    assert plan_widths(3000, [480, 960, 1440]) == [480, 960, 1440]
    assert plan_widths(1200, [480, 960, 1440]) == [480, 960, 1200]
    assert plan_widths(960, [480, 960, 1440]) == [480, 960]
    assert plan_widths(300, [480, 960, 1440]) == [300]


def test_sentences_split_on_lines_and_sentence_ends():
    script = "Welcome to the course. Are you ready?\nLet's start!  \n\n\"Quoted.\" Then more"
    assert split_sentences(script) == ["Welcome to the course.", "Are you ready?", "Let's start!",
                                       "\"Quoted.\"", "Then more"]


def test_job_round_trips_and_key_tracks_what_shapes_the_output(tmp_path):
    clip = png(tmp_path / "a.png", 10, 10)
    job = jobs.image_job(clip, "media/a.png", GENEROUS)
    assert jobs.Job.from_dict(job.to_dict()) == job
    assert jobs.Job(**{**job.to_dict(), "label": "other/name.png"}).key() == job.key()  # names do not matter
    assert with_settings(job, webp_quality=50).key() != job.key()
    assert jobs.Job(**{**job.to_dict(), "encoder": {"pillow": "0.0"}}).key() != job.key()
    assert jobs.Job(**{**job.to_dict(), "input_sha256": "0" * 64}).key() != job.key()


# --------------------------------------------------------------------------- video
@pytest.mark.slow
def test_renditions_ladder_faststart_high_profile_aac(tmp_path):
    clip = make_video(tmp_path / "clip.mp4", size="320x240", seconds=2)
    job = with_settings(jobs.renditions_job(clip, "media/clip.mp4", GENEROUS), ladder=SMALL_LADDER)
    seen: list[float] = []
    result = jobs.run_job(job.to_dict(), progress=seen.append, cache_dir=tmp_path / "cache")
    made = outputs(result, "rendition")
    assert [(o["label"], o["width"], o["height"]) for o in made] == [("180p", 240, 180), ("120p", 160, 120)]
    assert result["duration"] == pytest.approx(2.0, abs=0.1)
    for o in made:
        path = Path(o["path"])
        boxes = top_level_boxes(path)
        assert boxes[0] == "ftyp" and boxes.index("moov") < boxes.index("mdat")
        info = ffprobe(path)
        v = next(s for s in info["streams"] if s["codec_type"] == "video")
        a = next(s for s in info["streams"] if s["codec_type"] == "audio")
        assert (v["codec_name"], v["profile"], v["pix_fmt"]) == ("h264", "High", "yuv420p")
        assert (v["width"], v["height"]) == (o["width"], o["height"])
        assert (a["codec_name"], a["profile"], int(a["sample_rate"])) == ("aac", "LC", 48000)
        assert o["bytes"] == path.stat().st_size
    assert seen == sorted(seen) and seen[-1] == 1.0


@pytest.mark.slow
def test_fixed_gop_for_hls_remuxing(tmp_path):
    clip = make_video(tmp_path / "clip.mp4", size="320x240", seconds=3, audio=False)
    job = with_settings(jobs.renditions_job(clip, "media/clip.mp4", GENEROUS), ladder=SMALL_LADDER[:1],
                        gop_seconds=1)
    result = jobs.run_job(job.to_dict(), cache_dir=tmp_path / "cache")
    assert keyframe_times(Path(outputs(result, "rendition")[0]["path"])) == pytest.approx([0.0, 1.0, 2.0], abs=0.01)


@pytest.mark.slow
def test_rotated_phone_video_comes_out_upright(tmp_path):
    clip = make_video(tmp_path / "phone.mp4", size="320x240", seconds=1, rotate=90)
    job = with_settings(jobs.renditions_job(clip, "media/phone.mp4", GENEROUS), ladder=SMALL_LADDER)
    result = jobs.run_job(job.to_dict(), cache_dir=tmp_path / "cache")
    made = outputs(result, "rendition")
    assert [(o["label"], o["width"], o["height"]) for o in made] == [("180p", 180, 240), ("120p", 120, 160)]
    for o in made:
        v = next(s for s in ffprobe(Path(o["path"]))["streams"] if s["codec_type"] == "video")
        rotation = next((d.get("rotation", 0) for d in v.get("side_data_list", [])), 0)
        assert (v["width"], v["height"], rotation) == (o["width"], o["height"], 0)


@pytest.mark.slow
def test_non_square_pixels_come_out_square_at_the_display_aspect_ratio(tmp_path):
    clip = make_video(tmp_path / "hdv.mp4", size="240x180", seconds=1, sar="4/3")  # shown as 320x180, 16:9
    job = with_settings(jobs.renditions_job(clip, "media/hdv.mp4", GENEROUS), ladder=SMALL_LADDER)
    result = jobs.run_job(job.to_dict(), cache_dir=tmp_path / "cache")
    made = outputs(result, "rendition")
    assert [(o["label"], o["width"], o["height"]) for o in made] == [("180p", 320, 180), ("120p", 214, 120)]
    for o in made:
        v = next(s for s in ffprobe(Path(o["path"]))["streams"] if s["codec_type"] == "video")
        assert (v["width"], v["height"], v["sample_aspect_ratio"]) == (o["width"], o["height"], "1:1")
    (still,) = outputs(result, "poster")
    with Image.open(still["path"]) as im:
        assert im.size == (still["width"], still["height"]) == (320, 180)


@pytest.mark.slow
def test_source_without_audio_and_smaller_than_every_rung(tmp_path):
    clip = make_video(tmp_path / "tiny.mp4", size="178x100", seconds=1, audio=False)
    result = jobs.run_job(jobs.renditions_job(clip, "media/tiny.mp4", GENEROUS).to_dict(), cache_dir=tmp_path / "c")
    (only,) = outputs(result, "rendition")
    assert (only["label"], only["width"], only["height"]) == ("100p", 178, 100)
    streams = ffprobe(Path(only["path"]))["streams"]
    assert [s["codec_type"] for s in streams] == ["video"]


@pytest.mark.slow
def test_poster_is_a_jpeg_the_size_of_the_top_rendition_unless_the_author_gave_one(tmp_path):
    clip = make_video(tmp_path / "clip.mp4", size="640x360", seconds=2)
    result = jobs.run_job(jobs.renditions_job(clip, "media/clip.mp4", GENEROUS).to_dict(), cache_dir=tmp_path / "c")
    (poster,) = outputs(result, "poster")
    with Image.open(poster["path"]) as im:
        assert (im.format, im.size) == ("JPEG", (640, 360)) == ("JPEG", (poster["width"], poster["height"]))
    authored = jobs.renditions_job(clip, "media/clip.mp4", GENEROUS, poster=False).to_dict()
    without = jobs.run_job(authored, cache_dir=tmp_path / "c")
    assert outputs(without, "poster") == [] and outputs(without, "rendition")
    assert without["key"] != result["key"]


@pytest.mark.slow
def test_hls_remux_with_master_playlist(tmp_path):
    clip = make_video(tmp_path / "clip.mp4", size="320x240", seconds=3)
    job = with_settings(jobs.renditions_job(clip, "media/clip.mp4", GENEROUS, hls=True), ladder=SMALL_LADDER,
                        gop_seconds=1)
    result = jobs.run_job(job.to_dict(), cache_dir=tmp_path / "cache")
    (master,) = outputs(result, "hls")
    text = Path(master["path"]).read_text()
    assert text.count("#EXT-X-STREAM-INF") == 2
    assert 'RESOLUTION=240x180,CODECS="avc1.6400' in text and "180p/index.m3u8" in text
    parts = {o["file"] for o in outputs(result, "hls_part")}
    assert {"hls/180p/index.m3u8", "hls/180p/init.mp4", "hls/180p/seg_000.m4s", "hls/120p/index.m3u8"} <= parts
    playlist = (Path(result["dir"]) / "hls/180p/index.m3u8").read_text()
    assert '#EXT-X-MAP:URI="init.mp4"' in playlist and playlist.count("#EXTINF:1.0") == 3


# --------------------------------------------------------------------------- audio
@pytest.mark.slow
def test_narration_loudnorm_reaches_minus_16_lufs(tmp_path):
    quiet = make_speech(tmp_path / "quiet.wav", "Welcome to the course on security. Lock your screen whenever "
                        "you leave your desk, and report anything that looks wrong.", gain_db=-22)
    assert integrated_loudness(quiet) < -30
    result = jobs.run_job(jobs.narration_job(quiet, "media/quiet.wav", GENEROUS).to_dict(), cache_dir=tmp_path / "c")
    (audio,) = outputs(result, "audio")
    out = Path(audio["path"])
    assert integrated_loudness(out) == pytest.approx(-16, abs=1)
    (a,) = ffprobe(out)["streams"]
    assert (a["codec_name"], a["profile"], a["channels"], int(a["sample_rate"])) == ("aac", "LC", 1, 48000)


@pytest.mark.slow
def test_tts_cues_match_the_audio_and_output_is_deterministic(tmp_path):
    script = "Welcome to security basics. Phishing emails ask you to act fast!\nWhen in doubt, report it."
    job = jobs.tts_job(script, "narration 'n1' (script)", "en-us", 170, GENEROUS).to_dict()
    first = jobs.run_job(job, cache_dir=tmp_path / "one")
    (audio,) = outputs(first, "audio")
    (captions,) = outputs(first, "captions")
    vtt = Path(captions["path"]).read_text()
    cues = [line for line in vtt.splitlines() if "-->" in line]
    assert vtt.startswith("WEBVTT\n") and len(cues) == 3
    assert "Phishing emails ask you to act fast!" in vtt
    h, m, s = cues[-1].split(" --> ")[1].split(":")
    last_end = int(h) * 3600 + int(m) * 60 + float(s)
    measured = float(ffprobe(Path(audio["path"]))["format"]["duration"])
    assert last_end == pytest.approx(measured, abs=0.05) and last_end == pytest.approx(first["duration"], abs=0.001)
    assert integrated_loudness(Path(audio["path"])) == pytest.approx(-16, abs=1)
    second = jobs.run_job(job, cache_dir=tmp_path / "two")
    assert [o["sha256"] for o in second["outputs"]] == [o["sha256"] for o in first["outputs"]]


# --------------------------------------------------------------------------- images
def test_image_sizes_webp_and_jpeg_fallback(tmp_path):
    photo = tmp_path / "photo.jpg"
    Image.effect_noise((2000, 1000), 40).convert("RGB").save(photo, quality=90)
    result = jobs.run_job(jobs.image_job(photo, "media/photo.jpg", GENEROUS).to_dict(), cache_dir=tmp_path / "c")
    sizes = [(o["role"], o["mime"], o["width"], o["height"]) for o in result["outputs"]]
    assert sizes == [("image", "image/webp", 1440, 720), ("image", "image/webp", 960, 480),
                     ("image", "image/webp", 480, 240), ("fallback", "image/jpeg", 1440, 720)]
    for o in result["outputs"]:
        with Image.open(o["path"]) as im:
            assert im.size == (o["width"], o["height"])


def test_image_with_alpha_falls_back_to_png_and_small_images_stay_small(tmp_path):
    logo = png(tmp_path / "logo.png", 300, 120, mode="RGBA")
    result = jobs.run_job(jobs.image_job(logo, "media/logo.png", GENEROUS).to_dict(), cache_dir=tmp_path / "c")
    assert [(o["mime"], o["width"], o["height"]) for o in result["outputs"]] == [
        ("image/webp", 300, 120), ("image/png", 300, 120)]
    with Image.open(outputs(result, "fallback")[0]["path"]) as im:
        assert im.mode == "RGBA"


def test_exif_orientation_is_applied(tmp_path):
    photo = tmp_path / "sideways.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    Image.new("RGB", (600, 400), (200, 30, 30)).save(photo, exif=exif)
    result = jobs.run_job(jobs.image_job(photo, "media/sideways.jpg", GENEROUS).to_dict(), cache_dir=tmp_path / "c")
    assert (result["outputs"][0]["width"], result["outputs"][0]["height"]) == (400, 600)


def test_safe_svg_passes_through_unchanged(tmp_path):
    drawing = svg(tmp_path / "d.svg", "<circle cx='50' cy='50' r='40' fill='#14243b'/>")
    result = jobs.run_job(jobs.image_job(drawing, "media/d.svg", GENEROUS).to_dict(), cache_dir=tmp_path / "c")
    (only,) = result["outputs"]
    assert (only["mime"], only["width"], only["height"]) == ("image/svg+xml", 200, 100)
    assert Path(only["path"]).read_bytes() == drawing.read_bytes()


# --------------------------------------------------------------------------- cache
@pytest.mark.slow
def test_cache_hit_starts_no_process(tmp_path, request):
    clip = make_video(tmp_path / "clip.mp4", size="320x240", seconds=1)
    job = with_settings(jobs.renditions_job(clip, "media/clip.mp4", GENEROUS), ladder=SMALL_LADDER[:1]).to_dict()
    first = jobs.run_job(job, cache_dir=tmp_path / "cache")
    launches = request.getfixturevalue("process_launches")
    second = jobs.run_job(job, cache_dir=tmp_path / "cache")
    assert launches == []
    assert (first["cached"], second["cached"]) == (False, True)
    assert second["outputs"] == first["outputs"]
    # the counter does see a miss: same video, another poster setting; one probe, one decode
    # check, one encode of the renditions, one poster frame
    jobs.run_job({**job, "settings": {**job["settings"], "poster": {"at": 0.1, "quality": 5}}},
                 cache_dir=tmp_path / "cache")
    assert [Path(argv[0]).name for argv in launches] == ["ffprobe", "ffmpeg", "ffmpeg", "ffmpeg"]


def test_two_workers_on_the_same_job_publish_one_complete_result(tmp_path):
    photo = tmp_path / "photo.jpg"
    Image.effect_noise((800, 500), 40).convert("RGB").save(photo)
    job = jobs.image_job(photo, "media/photo.jpg", GENEROUS).to_dict()
    results: list[dict] = []
    workers = [threading.Thread(target=lambda: results.append(jobs.run_job(job, cache_dir=tmp_path / "cache")))
               for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    published, scratch = cache_entries(tmp_path / "cache")
    assert len(published) == 1 and scratch == []
    assert {r["dir"] for r in results} == {str(published[0])}
    assert len({tuple(o["sha256"] for o in r["outputs"]) for r in results}) == 1


def test_changed_input_is_not_cached_under_the_old_key(tmp_path):
    image = png(tmp_path / "a.png", 40, 30)
    job = jobs.image_job(image, "media/a.png", GENEROUS).to_dict()
    png(image, 41, 30)
    with pytest.raises(jobs.MediaError, match="^media/a.png: the file changed while the course was being built"):
        jobs.run_job(job, cache_dir=tmp_path / "cache")
    assert cache_entries(tmp_path / "cache") == ([], [])


def test_a_settled_file_is_hashed_once_and_a_same_size_rewrite_is_still_seen(tmp_path, monkeypatch):
    image = png(tmp_path / "a.png", 40, 30)
    time.sleep(jobs.RACY_SECONDS)
    job = jobs.image_job(image, "media/a.png", GENEROUS).to_dict()
    assert job["input_stat"] is not None
    hashed: list[Path] = []
    real_sha256 = jobs.file_sha256
    monkeypatch.setattr(jobs, "file_sha256", lambda path: hashed.append(Path(path)) or real_sha256(path))
    made = jobs.run_job(job, cache_dir=tmp_path / "cache")
    assert image not in hashed and len(hashed) == len(made["outputs"])  # only the outputs were hashed

    data = bytearray(image.read_bytes())
    data[-20] ^= 0xFF  # same size; the modification time put back as it was
    mtime = image.stat().st_mtime_ns
    image.write_bytes(bytes(data))
    os.utime(image, ns=(mtime, mtime))
    with pytest.raises(jobs.MediaError, match="^media/a.png: the file changed while the course was being built"):
        jobs.run_job({**job, "settings": {**job["settings"], "webp_quality": 50}}, cache_dir=tmp_path / "cache")
    assert image in hashed
