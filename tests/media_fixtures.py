"""Make test media at test time: tiny clips from ffmpeg's lavfi sources, and broken or hostile
files built on purpose (cut-off downloads, lying extensions, bombs, scripted SVGs, pipes).

Nothing is downloaded and nothing binary is checked in: every file is a few kilobytes made in a
fraction of a second, so each test states exactly what its input is.
"""
from __future__ import annotations

import json
import os
import random
import re
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from PIL import Image

from media.probe import Limits

GENEROUS = Limits(max_bytes=1_000_000_000, max_duration=7200, max_pixels=50_000_000, timeout=120)


@pytest.fixture
def media_env(tmp_path, monkeypatch):
    """Point the settings (and so the job cache) at a fresh folder; returns the cache folder."""
    from settings import get_settings

    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSEFORGE_CACHE_DIR", str(cache))
    get_settings.cache_clear()
    yield cache
    get_settings.cache_clear()


@pytest.fixture
def process_launches(monkeypatch) -> list[list[str]]:
    """Every process started from now on in this test (its argv), counted at ``subprocess.Popen``,
    which ``subprocess.run`` and the media tools both go through."""
    launches: list[list[str]] = []
    real_popen = subprocess.Popen

    def counting_popen(argv, *args, **kwargs):
        launches.append(list(argv))
        return real_popen(argv, *args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", counting_popen)
    return launches


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def make_video(path: Path, size: str = "320x240", seconds: float = 2, audio: bool = True, rate: int = 30,
               rotate: int | None = None, faststart: bool = True, codec: str = "libx264",
               sar: str | None = None) -> Path:
    """A test-pattern clip (with a 440 Hz tone unless ``audio=False``); ``sar="16/15"`` stores non-square pixels."""
    args = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
                 "-c:a", "aac", "-shortest"]
    if sar is not None:
        args += ["-vf", f"setsar={sar}"]
    args += ["-c:v", codec, "-pix_fmt", "yuv420p"]
    if codec == "libx264":
        args += ["-preset", "ultrafast"]
    if faststart:
        args += ["-movflags", "+faststart"]
    ffmpeg(*args, str(path))
    if rotate is not None:  # ffmpeg 5.1 takes the rotate tag on a stream copy only (a phone's display matrix)
        upright = path.with_suffix(".upright" + path.suffix)
        path.rename(upright)
        ffmpeg("-i", str(upright), "-c", "copy", "-metadata:s:v:0", f"rotate={rotate}", str(path))
        upright.unlink()
    return path


def make_speech(path: Path, text: str, gain_db: float = -20) -> Path:
    """espeak-ng speech, turned down by ``gain_db``, as 48 kHz mono (WAV or whatever the suffix says)."""
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(raw), text], check=True)
    ffmpeg("-i", str(raw), "-af", f"volume={gain_db}dB", "-ar", "48000", "-ac", "1", str(path))
    raw.unlink()
    return path


def make_silence(path: Path, seconds: float = 2) -> Path:
    ffmpeg("-f", "lavfi", "-i", f"anullsrc=r=48000:cl=mono:d={seconds}", "-c:a", "aac", str(path))
    return path


def truncate(src: Path, dst: Path, keep: float = 0.5) -> Path:
    """The first ``keep`` of ``src``: what an interrupted upload leaves behind."""
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * keep)])
    return dst


def garble(src: Path, dst: Path, start: int = 2000, length: int = 10_000) -> Path:
    """``src`` with random bytes over part of its media data: the index is fine, the pictures are not."""
    data = bytearray(src.read_bytes())
    at = data.index(b"mdat") + start
    data[at: at + length] = random.Random(1).randbytes(length)
    dst.write_bytes(bytes(data))
    return dst


def text_file(path: Path) -> Path:
    path.write_text("Meeting notes\n\nThis is not a video, whatever its name says.\n" * 20)
    return path


def png(path: Path, width: int, height: int, mode: str = "RGB") -> Path:
    colour = (30, 120, 200, 128) if mode == "RGBA" else (30, 120, 200)
    Image.new(mode, (width, height), colour[: len(mode)]).save(path)
    return path


def bomb_png(path: Path, width: int = 60_000, height: int = 60_000) -> Path:
    """A 1x1 PNG whose header claims ``width`` x ``height``: decoding would allocate gigabytes."""
    small = png(path.with_suffix(".small.png"), 1, 1).read_bytes()
    path.with_suffix(".small.png").unlink()
    ihdr_at = small.index(b"IHDR")
    body = b"IHDR" + struct.pack(">II", width, height) + small[ihdr_at + 12: ihdr_at + 17]
    patched = small[: ihdr_at] + body + struct.pack(">I", zlib.crc32(body)) + small[ihdr_at + 21:]
    path.write_bytes(patched)
    return path


def svg(path: Path, inner: str, attrs: str = "") -> Path:
    path.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
                    f'width="200" height="100" {attrs}>{inner}</svg>')
    return path


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def ffprobe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
                         check=True, capture_output=True).stdout
    return json.loads(out)


def keyframe_times(path: Path) -> list[float]:
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-skip_frame", "nokey",
                          "-show_entries", "frame=pts_time", "-of", "default=nw=1:nk=1", str(path)],
                         check=True, capture_output=True, text=True).stdout
    return [float(x) for x in out.split()]


def integrated_loudness(path: Path) -> float:
    """EBU R128 integrated loudness (LUFS) as ffmpeg's ebur128 meter reports it."""
    err = subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path),
                          "-af", "ebur128", "-f", "null", "-"], check=True, capture_output=True, text=True).stderr
    summary = err[err.rindex("Summary:"):]
    return float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))


def top_level_boxes(path: Path) -> list[str]:
    """The MP4 top-level box types in file order (faststart puts moov before mdat)."""
    data, boxes, at = path.read_bytes(), [], 0
    while at + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[at: at + 8])
        if size == 1:
            size = struct.unpack(">Q", data[at + 8: at + 16])[0]
        boxes.append(kind.decode("latin-1"))
        if size < 8:
            break
        at += size
    return boxes


def cache_entries(cache: Path) -> tuple[list[Path], list[Path]]:
    """(published job folders, leftover scratch folders) in a job cache."""
    jobs = sorted((cache / "jobs").glob("*/*")) if (cache / "jobs").exists() else []
    scratch = sorted((cache / "tmp").iterdir()) if (cache / "tmp").exists() else []
    return jobs, scratch
