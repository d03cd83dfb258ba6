"""Narration: every voice-over at the same loudness, as a small AAC file.

Recordings arrive at any level; learners should not reach for the volume between pages. EBU R128
``loudnorm`` in two passes (measure, then apply the measured values linearly) lands on target
where one pass undershoots short clips; ``-ar 48000`` because loudnorm otherwise resamples to
192 kHz. Voice needs no stereo: AAC-LC mono at 96 kbit/s.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import ffmpeg

from media.errors import MediaError
from media.probe import Limits, check_audio, check_decodes, probe
from media.progress import span
from media.tools import JobContext, ffmpeg_argv

DEFAULTS: dict = {"integrated": -16.0, "true_peak": -1.5, "lra": 11.0, "bitrate": "96k", "sample_rate": 48000}
_JSON_BLOCK = re.compile(r"\{[^{}]*\"input_i\"[^{}]*\}", re.S)


def normalise_narration(src: Path, settings: dict, limits: Limits, ctx: JobContext) -> dict:
    """A recorded narration file -> ``narration.m4a`` at the target loudness."""
    p = probe(src, ctx.name, limits, ctx)
    check_audio(p, ctx.name, limits)
    check_decodes(p, ctx)
    out = ctx.workdir / "narration.m4a"
    loudnorm(src, out, p.duration, settings, ctx)
    return {"outputs": [{"role": "audio", "file": out.name, "mime": "audio/mp4"}], "duration": p.duration}


def loudnorm(src: Path, out: Path, duration: float | None, settings: dict, ctx: JobContext) -> dict:
    """Two-pass loudnorm of ``src`` into the AAC file ``out``; returns the pass-1 measurement."""
    target = f"I={settings['integrated']}:TP={settings['true_peak']}:LRA={settings['lra']}"
    pass1 = ffmpeg.input(str(src)).output("-", af=f"loudnorm={target}:print_format=json", f="null").compile()
    # The measurement is printed at info level on stderr, so this one run is not "-loglevel error".
    argv = [pass1[0], "-nostdin", "-hide_banner", "-nostats", "-loglevel", "info", "-progress", "pipe:1", *pass1[1:]]
    done = ctx.run(argv, duration=duration, progress=span(ctx.progress, 0.0, 0.5))
    measured = parse_loudnorm(done.stderr, ctx.name)
    if measured["input_i"] in ("-inf", "inf") or float(measured["input_i"]) < -70:
        raise MediaError.of(ctx.name, "is silent: there is no sound to bring to narration loudness")
    applied = (
        f"loudnorm={target}:measured_I={measured['input_i']}:measured_TP={measured['input_tp']}"
        f":measured_LRA={measured['input_lra']}:measured_thresh={measured['input_thresh']}"
        f":offset={measured['target_offset']}:linear=true"
    )
    node = ffmpeg.input(str(src)).output(
        str(out),
        af=applied,
        ar=settings["sample_rate"],
        ac=1,
        acodec="aac",
        audio_bitrate=settings["bitrate"],
        vn=None,
        map_metadata=-1,
        movflags="+faststart",
    )
    ctx.run(ffmpeg_argv(node.compile()), duration=duration, progress=span(ctx.progress, 0.5, 1.0))
    return measured


def parse_loudnorm(stderr: str, name: str) -> dict[str, str]:
    """The JSON block loudnorm prints after its measuring pass (the last one, if several)."""
    blocks = _JSON_BLOCK.findall(stderr)
    if not blocks:
        raise MediaError.of(name, "loudness could not be measured (no loudnorm report from ffmpeg)")
    return json.loads(blocks[-1])
