"""`courseforge validate` probes a course's media as a build starts with it: a cut-off or garbled
video, a text file named .mp4, a recording that is not audio, a PNG bomb, an image whose name
lies, an SVG with a script and an SVG given as a video's poster are each reported, on their file,
with the pipeline's own message, and a course with sound media passes."""
from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import PACKAGE_COURSE, write_course_folder
from media_fixtures import bomb_png, garble, make_video, svg, text_file, truncate

from cli.main import cli

pytestmark = pytest.mark.slow


def with_media(folder: Path, blocks: list[dict]) -> Path:
    """PACKAGE_COURSE's folder with ``blocks`` added to its first page."""
    course = copy.deepcopy(PACKAGE_COURSE)
    course["sections"][0]["pages"][0]["blocks"] += blocks
    return write_course_folder(folder, course)


def test_sound_media_pass(tmp_path):
    folder = with_media(tmp_path / "course", [{"type": "video", "id": "v-ok", "src": "media/ok.mp4", "title": "Fine"}])
    make_video(folder / "media" / "ok.mp4", seconds=1)
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("OK: ")


def test_every_broken_or_hostile_media_file_is_reported_on_its_file(tmp_path):
    blocks = [
        {"type": "video", "id": "v-cut", "src": "media/cut.mp4", "title": "Cut off"},
        {"type": "video", "id": "v-garbled", "src": "media/garbled.mp4", "title": "Garbled"},
        {"type": "video", "id": "v-notes", "src": "media/notes.mp4", "title": "Notes"},
        {"type": "narration", "id": "n-voice", "src": "media/voice.m4a"},
        {"type": "image", "id": "i-bomb", "src": "media/bomb.png", "alt": "A bomb"},
        {"type": "image", "id": "i-liar", "src": "media/liar.jpg", "alt": "A liar"},
        {"type": "image", "id": "i-script", "src": "media/script.svg", "alt": "A script"},
        {"type": "video", "id": "v-poster", "src": "media/ok.mp4", "title": "With poster", "poster": "media/poster.svg"},
    ]
    folder = with_media(tmp_path / "course", blocks)
    media = folder / "media"
    whole = make_video(tmp_path / "whole.mp4", seconds=2)
    make_video(media / "ok.mp4", seconds=1)
    truncate(whole, media / "cut.mp4")
    garble(whole, media / "garbled.mp4")
    text_file(media / "notes.mp4")
    text_file(media / "voice.m4a")
    bomb_png(media / "bomb.png")
    (media / "liar.jpg").write_bytes((media / "Café plan.png").read_bytes())
    svg(media / "script.svg", "<script>alert(1)</script>")
    svg(media / "poster.svg", "<rect width='10' height='10'/>")

    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 1, result.output
    reported = {line.split(":", 1)[0]: line for line in result.stderr.splitlines() if line.startswith("media/")}
    assert set(reported) == {f"media/{name}" for name in (
        "cut.mp4", "garbled.mp4", "notes.mp4", "voice.m4a", "bomb.png", "liar.jpg", "script.svg", "poster.svg")}
    assert re.search(r"script", reported["media/script.svg"], re.I)
    assert re.search(r"pixels", reported["media/bomb.png"])
    assert "a bitmap image is needed here" in reported["media/poster.svg"]
    assert "media/ok.mp4" not in reported and "media/Café plan.png" not in reported
