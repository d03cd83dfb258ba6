"""Probing and validation: real files made by ffmpeg and Pillow, including broken and hostile ones.

Each hostile input goes through ``run_job`` as a worker would run it, and must fail with a
message naming the file and the problem, leaving nothing in the job cache.
"""
from __future__ import annotations

import re
from dataclasses import replace

import pytest
from media_fixtures import (
    GENEROUS,
    bomb_png,
    cache_entries,
    fifo,
    garble,
    make_silence,
    make_speech,
    make_video,
    png,
    svg,
    text_file,
    truncate,
)

from media import jobs
from media.errors import MediaError
from media.probe import check_svg, probe
from media.tools import run


def fails(job: jobs.Job, cache) -> str:
    """Run the job, expect a MediaError, check the cache holds nothing; return the message."""
    with pytest.raises(MediaError) as caught:
        jobs.run_job(job.to_dict(), cache_dir=cache)
    assert cache_entries(cache) == ([], []), "a failed job left files in the cache"
    return str(caught.value)


def test_probe_reads_streams_rotation_and_duration(tmp_path):
    clip = make_video(tmp_path / "clip.mp4", size="320x240", seconds=2, rotate=90)
    p = probe(clip, "media/clip.mp4", GENEROUS)
    assert p.container.startswith("mov,mp4")
    assert p.video.codec == "h264" and (p.video.width, p.video.height) == (320, 240)
    assert p.video.rotation in (90, 270)
    assert p.display_size == (240, 320)
    assert p.audio.codec == "aac" and p.audio.channels == 1 and p.audio.sample_rate == 48000
    assert p.duration == pytest.approx(2.0, abs=0.1)
    assert p.size == clip.stat().st_size
    assert p.video.packets_read == p.video.frames == 60


def test_display_size_has_square_pixels_at_the_display_aspect_ratio(tmp_path):
    pal = make_video(tmp_path / "pal.mp4", size="720x576", seconds=0.2, audio=False, sar="16/15")
    wide = make_video(tmp_path / "wide.mp4", size="720x576", seconds=0.2, audio=False, sar="64/45")
    sideways = make_video(tmp_path / "sideways.mp4", size="240x180", seconds=0.2, audio=False, sar="4/3",
                          rotate=90)
    assert probe(pal, "media/pal.mp4", GENEROUS).display_size == (768, 576)  # 4:3
    assert probe(wide, "media/wide.mp4", GENEROUS).display_size == (1024, 576)  # 16:9
    assert probe(sideways, "media/sideways.mp4", GENEROUS).display_size == (180, 320)  # widened, then upright


def test_renamed_text_file_is_not_media(tmp_path):
    bad = text_file(tmp_path / "notes.mp4")
    message = fails(jobs.renditions_job(bad, "media/notes.mp4", GENEROUS), tmp_path / "cache")
    assert message == "media/notes.mp4: is not a media file ffmpeg can read (its content is not audio or video)"


def test_cut_off_mp4_without_index(tmp_path):
    whole = make_video(tmp_path / "whole.mp4", faststart=False)  # moov at the end, like most cameras
    cut = truncate(whole, tmp_path / "cut.mp4", keep=0.6)
    message = fails(jobs.renditions_job(cut, "media/cut.mp4", GENEROUS), tmp_path / "cache")
    assert "media/cut.mp4: is truncated or corrupt: the MP4 index (moov atom) is missing" in message


def test_cut_off_mp4_with_index_first(tmp_path):
    whole = make_video(tmp_path / "whole.mp4", seconds=3, audio=False, faststart=True)
    cut = truncate(whole, tmp_path / "cut.mp4", keep=0.5)
    message = fails(jobs.renditions_job(cut, "media/cut.mp4", GENEROUS), tmp_path / "cache")
    assert re.search(r"media/cut\.mp4: is truncated: its video stream has \d+ of the 90 frames", message)


def test_garbled_picture_data_fails_the_decode_check(tmp_path):
    whole = make_video(tmp_path / "whole.mp4", audio=False, faststart=True)
    bad = garble(whole, tmp_path / "garbled.mp4")
    message = fails(jobs.renditions_job(bad, "media/garbled.mp4", GENEROUS), tmp_path / "cache")
    assert re.fullmatch(r"media/garbled\.mp4: is corrupt: decoding failed \((corrupted macroblock|error while decoding"
                        r"|Invalid NAL unit size).*\)", message)


def test_zero_byte_file(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(MediaError, match=r"^media/empty\.mp4: file is empty \(0 bytes\)$"):
        jobs.renditions_job(empty, "media/empty.mp4", GENEROUS)


def test_extension_that_lies_about_content(tmp_path):
    wav = make_speech(tmp_path / "voice.wav", "Hello.")
    lying = tmp_path / "voice.mp4"
    wav.rename(lying)
    message = fails(jobs.renditions_job(lying, "media/voice.mp4", GENEROUS), tmp_path / "cache")
    assert message == ("media/voice.mp4: extension '.mp4' does not match its content, which is 'wav' data; "
                       "rename or re-export the file")


def test_unsupported_video_codec(tmp_path):
    old = make_video(tmp_path / "old.avi", size="96x64", seconds=1, rate=5, audio=False, codec="cinepak",
                     faststart=False)
    message = fails(jobs.renditions_job(old, "media/old.avi", GENEROUS), tmp_path / "cache")
    assert message == "media/old.avi: video codec 'cinepak' is not supported; use H.264, HEVC, VP9 or AV1"


def test_video_block_given_audio_only(tmp_path):
    voice = make_speech(tmp_path / "voice.m4a", "Hello there.")
    renamed = tmp_path / "voice.mp4"
    voice.rename(renamed)
    message = fails(jobs.renditions_job(renamed, "media/voice.mp4", GENEROUS), tmp_path / "cache")
    assert message == ("media/voice.mp4: has no video stream (it is audio only); a video block needs a video")


def test_narration_given_silent_video(tmp_path):
    mute = make_video(tmp_path / "mute.mp4", audio=False)
    message = fails(jobs.narration_job(mute, "media/mute.mp4", GENEROUS), tmp_path / "cache")
    assert message == ("media/mute.mp4: has no audio stream (it is a video without sound); "
                       "narration needs a sound recording")


def test_narration_of_pure_silence(tmp_path):
    quiet = make_silence(tmp_path / "quiet.m4a")
    message = fails(jobs.narration_job(quiet, "media/quiet.m4a", GENEROUS), tmp_path / "cache")
    assert message == "media/quiet.m4a: is silent: there is no sound to bring to narration loudness"


def test_decompression_bomb_png(tmp_path):
    bomb = bomb_png(tmp_path / "bomb.png", 60_000, 60_000)
    assert bomb.stat().st_size < 200
    message = fails(jobs.image_job(bomb, "media/bomb.png", GENEROUS), tmp_path / "cache")
    assert message.startswith("media/bomb.png: image is ")
    assert "decompression bomb" in message.lower()


def test_image_over_the_pixel_limit(tmp_path):
    big = png(tmp_path / "big.png", 400, 300)
    message = fails(jobs.image_job(big, "media/big.png", replace(GENEROUS, max_pixels=100_000)), tmp_path / "cache")
    assert message == ("media/big.png: image is 400x300 pixels (0 megapixels), over the 0 megapixel limit "
                       "(a decompression bomb or an unscaled original)")


def test_truncated_png(tmp_path):
    whole = tmp_path / "whole.png"
    from PIL import Image

    Image.effect_noise((300, 200), 64).save(whole)
    cut = truncate(whole, tmp_path / "cut.png", keep=0.5)
    message = fails(jobs.image_job(cut, "media/cut.png", GENEROUS), tmp_path / "cache")
    assert message.startswith("media/cut.png: image is truncated or corrupt")


def test_png_named_jpg(tmp_path):
    image = png(tmp_path / "photo.png", 50, 40)
    lying = tmp_path / "photo.jpg"
    image.rename(lying)
    message = fails(jobs.image_job(lying, "media/photo.jpg", GENEROUS), tmp_path / "cache")
    assert message == "media/photo.jpg: extension '.jpg' does not match its content, which is PNG data"


@pytest.mark.parametrize(
    ("inner", "attrs", "problem"),
    [
        ("<script>alert(1)</script>", "", "contains a <script> element"),
        ("<rect width='10' height='10'/>", "onload=\"alert(1)\"", "has an event handler attribute 'onload' on <svg>"),
        ("<image xlink:href='https://tracker.example/p.png' width='5' height='5'/>", "",
         "references an outside resource 'https://tracker.example/p.png' from <image>"),
        ("<foreignObject><div xmlns='http://www.w3.org/1999/xhtml'>hi</div></foreignObject>", "",
         "contains a <foreignObject> element"),
        ("<style>@import url(https://x.example/a.css);</style>", "",
         "loads 'https://x.example/a.css' through CSS in <style>; uses CSS @import in <style>"),
        ("<a href='javascript:alert(1)'><text>x</text></a>", "",
         "references an outside resource 'javascript:alert(1)' from <a>"),
    ],
)
def test_unsafe_svg_is_refused(tmp_path, inner, attrs, problem):
    drawing = svg(tmp_path / "drawing.svg", inner, attrs)
    message = fails(jobs.image_job(drawing, "media/drawing.svg", GENEROUS), tmp_path / "cache")
    assert message == f"media/drawing.svg: SVG is unsafe to publish: {problem}"


def test_svg_entity_expansion_is_refused(tmp_path):
    laughs = tmp_path / "laughs.svg"
    laughs.write_text('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                      '<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>')
    with pytest.raises(MediaError, match="SVG declares XML entities"):
        check_svg(laughs, "media/laughs.svg", GENEROUS)


def test_clean_svg_passes_with_its_size(tmp_path):
    drawing = svg(tmp_path / "ok.svg", "<defs><linearGradient id='g'/></defs><rect fill='url(#g)' width='9' "
                                       "height='9'/><use href='#g'/>")
    assert check_svg(drawing, "media/ok.svg", GENEROUS) == (200, 100)


def test_too_long_for_the_limit(tmp_path):
    clip = make_video(tmp_path / "long.mp4", seconds=3)
    message = fails(jobs.renditions_job(clip, "media/long.mp4", replace(GENEROUS, max_duration=2)),
                    tmp_path / "cache")
    assert message == "media/long.mp4: is 0:00:03 long, over the 0:00:02 limit"


def test_too_large_for_the_limit(tmp_path):
    clip = make_video(tmp_path / "big.mp4", seconds=1)
    with pytest.raises(MediaError, match=r"^media/big\.mp4: file is [\d,]+ bytes, over the 1,000 bytes limit$"):
        jobs.renditions_job(clip, "media/big.mp4", replace(GENEROUS, max_bytes=1000))


def test_pipe_is_not_a_media_file(tmp_path):
    pipe = fifo(tmp_path / "stream.mp4")
    with pytest.raises(MediaError, match=r"^media/stream\.mp4: is not a regular file"):
        jobs.renditions_job(pipe, "media/stream.mp4", GENEROUS)


def test_hanging_ffmpeg_is_killed_at_the_timeout(tmp_path):
    pipe = fifo(tmp_path / "never.mp4")  # nobody writes: ffmpeg waits forever to open it
    with pytest.raises(MediaError) as caught:
        run(["ffmpeg", "-nostdin", "-i", str(pipe), "-f", "null", "-"], name="media/never.mp4", timeout=1)
    assert str(caught.value) == "media/never.mp4: ffmpeg did not finish within 1 s and was stopped"


def test_job_over_its_time_budget_is_stopped_and_leaves_nothing(tmp_path):
    clip = make_video(tmp_path / "clip.mp4", size="640x360", seconds=3)
    message = fails(jobs.renditions_job(clip, "media/clip.mp4", replace(GENEROUS, timeout=0.3)), tmp_path / "cache")
    assert re.fullmatch(r"media/clip\.mp4: ff(mpeg|probe) did not finish within 0\.3 s and was stopped", message)


def test_unknown_tts_voice(tmp_path):
    job = jobs.tts_job("Hello.", "narration 'n1' (script)", "xx-nowhere", 160, GENEROUS)
    message = fails(job, tmp_path / "cache")
    assert message.startswith("narration 'n1' (script): espeak-ng failed:")
    assert "voice does not exist" in message
