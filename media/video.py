"""Video blocks: an H.264/AAC MP4 ladder every tablet plays, a poster frame, optional HLS.

One job makes all of a video's outputs, so the source is probed, decode-checked and hashed once
per build however many files come from it. All rungs come from one ffmpeg process (the source is
decoded once and ``split``), each with ``+faststart`` so playback starts before the download ends,
a fixed GOP so the same files can be remuxed to HLS segments without re-encoding, and ``yuv420p``
because High 10 or 4:2:2 phone footage does not play on tablets. Every output has square pixels at
the source's display aspect ratio (anamorphic DVD or HDV footage is widened to what a TV would
show; a player would otherwise stretch it), keeping the stored height. Nothing gains lines it
never had: a rung above the source's short side (as displayed) is skipped, and a source smaller
than every rung gets one rendition at its own size.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import ffmpeg

from media.errors import MediaError
from media.probe import Limits, Probe, check_decodes, check_video, probe
from media.progress import span
from media.tools import JobContext, ffmpeg_argv

DEFAULTS: dict = {
    "ladder": [
        {"height": 360, "maxrate": "800k", "bufsize": "1600k"},
        {"height": 540, "maxrate": "1600k", "bufsize": "3200k"},
        {"height": 720, "maxrate": "3000k", "bufsize": "6000k"},
    ],
    "crf": 23,
    "preset": "veryfast",
    "gop_seconds": 4,
    "audio_bitrate": "128k",
    "hls": False,
    "poster": {"at": 0.1, "quality": 3},  # None when the author supplies the poster
}


@dataclass(frozen=True)
class Rung:
    label: str
    width: int
    height: int
    maxrate: str
    bufsize: str


def plan_rungs(width: int, height: int, ladder: list[dict]) -> list[Rung]:
    """The renditions for a source shown at ``width`` x ``height``, smallest first.

    A rung's number is the picture's short side, so a portrait phone video gets the same
    quality steps as a landscape one (720p portrait is 720 wide).
    """
    short = min(width, height)
    chosen = [r for r in sorted(ladder, key=lambda r: r["height"]) if r["height"] <= short]
    if not chosen:
        smallest = min(ladder, key=lambda r: r["height"])
        chosen = [{**smallest, "height": short - short % 2}]
    rungs = []
    for r in chosen:
        side = r["height"]
        other = _even(side * max(width, height) / short)
        w, h = (other, side) if width >= height else (side, other)
        rungs.append(Rung(f"{side}p", w, h, r["maxrate"], r["bufsize"]))
    return rungs


def _even(x: float) -> int:
    return max(2, round(x / 2) * 2)


def inspect_video(src: Path, ctx: JobContext, limits: Limits) -> Probe:
    p = probe(src, ctx.name, limits, ctx)
    check_video(p, ctx.name, limits)
    check_decodes(p, ctx)
    return p


def make_renditions(src: Path, settings: dict, limits: Limits, ctx: JobContext) -> dict:
    """Encode every rung in one ffmpeg run; remux to HLS when ``settings['hls']``; take the poster frame."""
    p = inspect_video(src, ctx, limits)
    rungs = plan_rungs(*p.display_size, settings["ladder"])
    fps = p.video.fps if p.video and p.video.fps and p.video.fps <= 120 else 30.0
    gop = max(1, round(fps * settings["gop_seconds"]))
    inp = ffmpeg.input(str(src))
    pictures = inp["v:0"].split() if len(rungs) > 1 else None
    outputs, entries = [], []
    best_first = list(reversed(rungs))
    for i, rung in enumerate(best_first):  # best first
        picture = pictures[i] if pictures is not None else inp["v:0"]
        picture = picture.filter("scale", rung.width, rung.height).filter("setsar", 1)
        streams = [picture]
        options = {
            "vcodec": "libx264",
            "profile:v": "high",
            "preset": settings["preset"],
            "crf": settings["crf"],
            "pix_fmt": "yuv420p",
            "maxrate": rung.maxrate,
            "bufsize": rung.bufsize,
            "g": gop,
            "keyint_min": gop,
            "sc_threshold": 0,
            "movflags": "+faststart",
            "map_metadata": -1,
        }
        if p.audio is not None:
            streams.append(inp["a:0"])
            options.update(
                {"acodec": "aac", "b:a": settings["audio_bitrate"], "ac": min(p.audio.channels or 2, 2), "ar": 48000}
            )
        file = f"{rung.label}.mp4"
        outputs.append(ffmpeg.output(*streams, str(ctx.workdir / file), **options))
        entries.append(
            {
                "role": "rendition",
                "file": file,
                "mime": "video/mp4",
                "width": rung.width,
                "height": rung.height,
                "label": rung.label,
            }
        )
    argv = ffmpeg_argv(ffmpeg.merge_outputs(*outputs).compile())
    more = settings["hls"] or settings["poster"] is not None
    ctx.run(argv, duration=p.duration, progress=span(ctx.progress, 0.0, 0.95 if more else 1.0))
    if settings["hls"]:
        entries += _remux_hls(list(zip(best_first, entries)), ctx, settings)
    if settings["poster"] is not None:
        entries.append(_poster(p, best_first[0], settings["poster"], ctx))
    return {"outputs": entries, "duration": p.duration}


def _remux_hls(renditions: list[tuple[Rung, dict]], ctx: JobContext, settings: dict) -> list[dict]:
    """fMP4 HLS, 4 s segments, from the MP4s without re-encoding, plus a master playlist."""
    entries, variants = [], []
    for rung, r in renditions:
        folder = ctx.workdir / "hls" / r["label"]
        folder.mkdir(parents=True)
        node = ffmpeg.input(str(ctx.workdir / r["file"])).output(
            str(folder / "index.m3u8"),
            c="copy",
            f="hls",
            hls_time=settings["gop_seconds"],
            hls_playlist_type="vod",
            hls_segment_type="fmp4",
            hls_flags="independent_segments",
            hls_fmp4_init_filename="init.mp4",
            hls_segment_filename=str(folder / "seg_%03d.m4s"),
        )
        ctx.run(ffmpeg_argv(node.compile()))
        made = probe(ctx.workdir / r["file"], ctx.name, _OWN_OUTPUT, ctx)
        level = (made.video.level if made.video else None) or 31
        codecs = f"avc1.6400{level:02x}" + (",mp4a.40.2" if made.audio else "")
        bandwidth = _bits(rung.maxrate) + (_bits(settings["audio_bitrate"]) if made.audio else 0)
        variants.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={bandwidth},RESOLUTION={r['width']}x{r['height']},"
            f'CODECS="{codecs}"\n{r["label"]}/index.m3u8\n'
        )
        for f in sorted(folder.iterdir()):
            mime = "application/vnd.apple.mpegurl" if f.suffix == ".m3u8" else "video/mp4"
            entries.append({"role": "hls_part", "file": f.relative_to(ctx.workdir).as_posix(), "mime": mime})
    master = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n" + "".join(variants)
    (ctx.workdir / "hls" / "master.m3u8").write_text(master)
    return [{"role": "hls", "file": "hls/master.m3u8", "mime": "application/vnd.apple.mpegurl"}, *entries]


_OWN_OUTPUT = Limits(max_bytes=1 << 62, max_duration=1e12, max_pixels=1 << 62, timeout=1e12)
"""Our own renditions need no upload limits (the job's time budget still applies through ``ctx``)."""


def _bits(rate: str) -> int:
    rate = rate.lower()
    scale = {"k": 1000, "m": 1000_000}.get(rate[-1], 1)
    return int(float(rate.rstrip("km")) * scale)


def _poster(p: Probe, top: Rung, settings: dict, ctx: JobContext) -> dict:
    """A JPEG still at ~10 % of the video (past fades from black), the size of the top rendition."""
    duration = p.duration or 0.0
    at = min(duration * settings["at"], max(duration - 0.1, 0.0))
    out = ctx.workdir / "poster.jpg"
    for seek in (at, 0.0):  # a seek into a last, partial GOP can yield no frame: fall back to the start
        node = ffmpeg.input(str(p.path), ss=f"{seek:.3f}").output(
            str(out),
            vframes=1,
            vf=f"scale={top.width}:{top.height},setsar=1",
            **{"q:v": settings["quality"]},
            map_metadata=-1,
            update=1,
        )
        ctx.run(ffmpeg_argv(node.compile()))
        if out.exists() and out.stat().st_size > 0:
            break
    if not out.exists() or out.stat().st_size == 0:
        raise MediaError.of(ctx.name, "no frame could be decoded for the poster image")
    return {"role": "poster", "file": "poster.jpg", "mime": "image/jpeg", "width": top.width, "height": top.height}
