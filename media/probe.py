"""What a media file really is, and whether the pipeline can use it.

ffprobe's JSON becomes a typed ``Probe``; the checks then turn everything that can be wrong with
an upload (a renamed text file, a cut-off download, a codec no browser plays, an hour-long
"narration", a 40 000-pixel PNG, an SVG carrying a script) into a ``MediaError`` that names the
file and the problem in words an author understands. Nothing here changes a file.
"""

from __future__ import annotations

import json
import re
import stat
import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from lxml import etree
from PIL import Image

from media.errors import MediaError
from media.tools import JobContext, ToolFailed, first_line, last_line, run
from settings import Settings

# What each file extension may contain (ffprobe format names); a mismatch means the name lies.
FORMATS_BY_EXTENSION = {
    ".mp4": {"mov,mp4,m4a,3gp,3g2,mj2"},
    ".m4v": {"mov,mp4,m4a,3gp,3g2,mj2"},
    ".mov": {"mov,mp4,m4a,3gp,3g2,mj2"},
    ".m4a": {"mov,mp4,m4a,3gp,3g2,mj2"},
    ".webm": {"matroska,webm"},
    ".mkv": {"matroska,webm"},
    ".avi": {"avi"},
    ".mp3": {"mp3"},
    ".wav": {"wav"},
    ".ogg": {"ogg"},
    ".oga": {"ogg"},
    ".opus": {"ogg"},
    ".flac": {"flac"},
    ".aac": {"aac"},
}
VIDEO_CODECS = {
    "h264",
    "hevc",
    "vp8",
    "vp9",
    "av1",
    "mpeg4",
    "mpeg2video",
    "mpeg1video",
    "prores",
    "dnxhd",
    "theora",
    "vc1",
    "wmv3",
    "mjpeg",
}
AUDIO_CODECS = {"aac", "mp3", "mp2", "opus", "vorbis", "flac", "alac", "ac3", "eac3", "wmav2"}
AUDIO_CODEC_PREFIXES = ("pcm_",)
MIN_SIDE = 16  # pixels; smaller is not a picture anyone can see
MAX_SIDE = 8192  # pixels; 8K is the most a browser decodes in hardware


@dataclass(frozen=True)
class Limits:
    """The ceilings a deployment sets (``settings.py``); carried in each job so a worker applies the same."""

    max_bytes: int
    max_duration: float
    max_pixels: int
    timeout: float

    def to_dict(self) -> dict:
        return {
            "max_bytes": self.max_bytes,
            "max_duration": self.max_duration,
            "max_pixels": self.max_pixels,
            "timeout": self.timeout,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Limits:
        return cls(int(data["max_bytes"]), float(data["max_duration"]), int(data["max_pixels"]), float(data["timeout"]))


@dataclass(frozen=True)
class Stream:
    index: int
    kind: str  # "video", "audio", "subtitle", "data"
    codec: str
    profile: str | None
    level: int | None  # H.264 level x10 (31 = 3.1), for HLS CODECS strings
    width: int | None
    height: int | None
    rotation: int  # degrees the player must turn the picture (from the display matrix)
    fps: float | None
    channels: int | None
    sample_rate: int | None
    frames: int | None  # as the container claims
    packets_read: int | None  # as ffprobe counted by reading the file
    attached_picture: bool  # cover art in an audio file, not a video
    sar: Fraction = Fraction(1)  # sample (pixel) aspect ratio: 16/15 for PAL 4:3 DVD, 4/3 for HDV 1440x1080


@dataclass(frozen=True)
class Probe:
    path: Path
    container: str
    duration: float | None
    size: int
    streams: tuple[Stream, ...]

    @property
    def video(self) -> Stream | None:
        return next((s for s in self.streams if s.kind == "video" and not s.attached_picture), None)

    @property
    def audio(self) -> Stream | None:
        return next((s for s in self.streams if s.kind == "audio"), None)

    @property
    def display_size(self) -> tuple[int, int]:
        """Width and height as seen on screen, in square pixels.

        Non-square pixels (anamorphic DVD or HDV footage) are widened or narrowed to the display
        aspect ratio, keeping the stored height so nothing gains lines it never had; then a
        phone's portrait video, stored sideways, is turned upright.
        """
        v = self.video
        if v is None or v.width is None or v.height is None:
            raise ValueError(f"{self.path} has no video dimensions")
        width = max(1, round(v.width * v.sar))
        return (v.height, width) if v.rotation % 180 == 90 else (width, v.height)


def check_file(path: Path, name: str, limits: Limits) -> int:
    """The checks that need no decoder: it is a regular, non-empty file within the size limit."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise MediaError.of(name, "file not found") from None
    if not stat.S_ISREG(info.st_mode):
        raise MediaError.of(name, "is not a regular file (a folder, pipe or device cannot be used as media)")
    if info.st_size == 0:
        raise MediaError.of(name, "file is empty (0 bytes)")
    if info.st_size > limits.max_bytes:
        raise MediaError.of(name, f"file is {_mb(info.st_size)}, over the {_mb(limits.max_bytes)} limit")
    return info.st_size


def probe(path: Path, name: str, limits: Limits, ctx: JobContext | None = None) -> Probe:
    """ffprobe the file (reading every packet, which finds cut-off files) into a ``Probe``.

    Within a job, pass its ``ctx`` so the probe counts against the job's time budget.
    """
    size = check_file(path, name, limits)
    argv = ["ffprobe", "-v", "error", "-count_packets", "-show_format", "-show_streams", "-of", "json", str(path)]
    try:
        done = ctx.run(argv) if ctx else run(argv, name=name, timeout=limits.timeout)
    except ToolFailed as exc:
        raise MediaError.of(name, _explain_ffprobe_failure(exc.stderr, path)) from None
    data = json.loads(done.stdout or b"{}")
    fmt = data.get("format") or {}
    if not fmt:
        raise MediaError.of(name, "is not a media file (ffprobe found no container)")
    return Probe(
        path=path,
        container=fmt.get("format_name", ""),
        duration=_float(fmt.get("duration")),
        size=size,
        streams=tuple(_stream(s) for s in data.get("streams", [])),
    )


_MP4_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot"}


def _explain_ffprobe_failure(stderr: str, path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(8)
    # ffprobe picks the MP4 reader by extension, so a renamed text file also "lacks a moov atom":
    # only a file that starts like an MP4 is a cut-off MP4.
    if "moov atom not found" in stderr and head[4:8] in _MP4_BOXES:
        return "is truncated or corrupt: the MP4 index (moov atom) is missing, as in a cut-off upload"
    if "Invalid data found when processing input" in stderr:
        return "is not a media file ffmpeg can read (its content is not audio or video)"
    return f"cannot be read: {last_line(stderr)}"


def _stream(s: dict) -> Stream:
    rotation = 0
    for side in s.get("side_data_list") or []:
        if "rotation" in side:
            rotation = round(float(side["rotation"]))
    if not rotation and "rotate" in (s.get("tags") or {}):
        rotation = int(s["tags"]["rotate"])
    return Stream(
        index=int(s.get("index", 0)),
        kind=s.get("codec_type", "unknown"),
        codec=s.get("codec_name", "unknown"),
        profile=s.get("profile"),
        level=_int(s.get("level")),
        width=s.get("width"),
        height=s.get("height"),
        rotation=rotation % 360,
        fps=_rate(s.get("avg_frame_rate")) or _rate(s.get("r_frame_rate")),
        channels=s.get("channels"),
        sample_rate=int(s["sample_rate"]) if s.get("sample_rate") else None,
        frames=_int(s.get("nb_frames")),
        packets_read=_int(s.get("nb_read_packets")),
        attached_picture=bool((s.get("disposition") or {}).get("attached_pic")),
        sar=_ratio(s.get("sample_aspect_ratio")),
    )


def check_video(p: Probe, name: str, limits: Limits) -> None:
    """A usable video: an honest extension, a known video codec, sane size, a duration within limits."""
    _check_container(p, name)
    v = p.video
    if v is None:
        what = "it is audio only" if p.audio else "it holds no audio or video"
        raise MediaError.of(name, f"has no video stream ({what}); a video block needs a video")
    if v.codec not in VIDEO_CODECS:
        raise MediaError.of(name, f"video codec '{v.codec}' is not supported; use H.264, HEVC, VP9 or AV1")
    if p.audio is not None:
        _check_audio_codec(p.audio, name)
    w, h = v.width or 0, v.height or 0
    if min(w, h) < MIN_SIDE:
        raise MediaError.of(name, f"video is {w}x{h} pixels, smaller than {MIN_SIDE} pixels on a side")
    if max(w, h) > MAX_SIDE:
        raise MediaError.of(name, f"video is {w}x{h} pixels, larger than {MAX_SIDE} pixels on a side")
    _check_duration(p, name, limits)
    _check_packets(p, name)


def check_audio(p: Probe, name: str, limits: Limits) -> None:
    """A usable recording: an honest extension, an audio stream in a known codec, a duration within limits."""
    _check_container(p, name)
    if p.audio is None:
        what = "it is a video without sound" if p.video else "it holds no audio"
        raise MediaError.of(name, f"has no audio stream ({what}); narration needs a sound recording")
    _check_audio_codec(p.audio, name)
    _check_duration(p, name, limits)
    _check_packets(p, name)


def _check_container(p: Probe, name: str) -> None:
    expected = FORMATS_BY_EXTENSION.get(p.path.suffix.lower())
    if expected is None:
        raise MediaError.of(
            name,
            f"extension '{p.path.suffix}' is not a supported media type "
            f"(use {', '.join(sorted(FORMATS_BY_EXTENSION))})",
        )
    if p.container not in expected:
        raise MediaError.of(
            name,
            f"extension '{p.path.suffix}' does not match its content, which is "
            f"'{p.container.split(',')[0]}' data; rename or re-export the file",
        )


def _check_audio_codec(a: Stream, name: str) -> None:
    if a.codec not in AUDIO_CODECS and not a.codec.startswith(AUDIO_CODEC_PREFIXES):
        raise MediaError.of(name, f"audio codec '{a.codec}' is not supported; use AAC, MP3, Opus, FLAC or WAV")


def _check_duration(p: Probe, name: str, limits: Limits) -> None:
    if not p.duration or p.duration <= 0:
        raise MediaError.of(name, "has zero duration (no audio or video frames)")
    if p.duration > limits.max_duration:
        raise MediaError.of(name, f"is {_clock(p.duration)} long, over the {_clock(limits.max_duration)} limit")


def _check_packets(p: Probe, name: str) -> None:
    """A container that promises more frames than the file holds was cut off after its index."""
    for s in (p.video, p.audio):
        if s and s.frames and s.packets_read is not None and s.packets_read < s.frames * 0.98:
            raise MediaError.of(
                name, f"is truncated: its {s.kind} stream has {s.packets_read} of the {s.frames} frames its index lists"
            )


def check_decodes(p: Probe, ctx: JobContext, seconds: float = 3.0) -> None:
    """Decode the first seconds: corrupt data that demuxes fine still fails here, before a long encode."""
    argv = [
        "ffmpeg",
        "-nostdin",
        "-hide_banner",
        "-v",
        "error",
        "-xerror",
        "-t",
        f"{seconds:g}",
        "-i",
        str(p.path),
        "-f",
        "null",
        "-",
    ]
    try:
        done = ctx.run(argv)
    except ToolFailed as exc:
        raise MediaError.of(ctx.name, f"is corrupt: decoding failed ({first_line(exc.stderr)})") from None
    if done.stderr.strip():
        raise MediaError.of(ctx.name, f"is corrupt: decoding failed ({first_line(done.stderr)})")


# --------------------------------------------------------------------------- images
IMAGE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "GIF"}


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int
    has_alpha: bool
    frames: int


def check_image(path: Path, name: str, limits: Limits) -> ImageInfo:
    """Open the image with Pillow's header reader and refuse bombs before decoding a single pixel."""
    check_file(path, name, limits)
    expected = IMAGE_FORMATS.get(path.suffix.lower())
    if expected is None:
        kinds = ".jpg, .png, .webp or .gif" if path.suffix.lower() == ".svg" else ".jpg, .png, .webp, .gif or .svg"
        what = "a bitmap image is needed here" if path.suffix.lower() == ".svg" else "not a supported image type"
        raise MediaError.of(name, f"extension '{path.suffix}': {what} (use {kinds})")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as im:
                fmt, (w, h) = im.format, im.size
                if w * h > limits.max_pixels:
                    raise MediaError.of(
                        name,
                        f"image is {w}x{h} pixels ({w * h / 1e6:.0f} megapixels), over "
                        f"the {limits.max_pixels / 1e6:.0f} megapixel limit "
                        f"(a decompression bomb or an unscaled original)",
                    )
                if fmt != expected:
                    raise MediaError.of(
                        name, f"extension '{path.suffix}' does not match its content, which is {fmt} data"
                    )
                if min(w, h) < 1:
                    raise MediaError.of(name, f"image is {w}x{h} pixels")
                has_alpha = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
                frames = getattr(im, "n_frames", 1)
                im.load()
        except MediaError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise MediaError.of(name, f"image is too large to decode safely ({exc})") from None
        except Image.UnidentifiedImageError:
            raise MediaError.of(name, "is not an image Pillow can read (not JPEG, PNG, WebP or GIF data)") from None
        except (OSError, SyntaxError, ValueError) as exc:
            raise MediaError.of(name, f"image is truncated or corrupt ({exc})") from None
    return ImageInfo(fmt, w, h, has_alpha, frames)


SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)([^'\")\s]+)", re.IGNORECASE)
_SAFE_DATA_URI = re.compile(r"^data:image/(png|jpeg|gif|webp);", re.IGNORECASE)


def check_svg(path: Path, name: str, limits: Limits) -> tuple[int | None, int | None]:
    """Refuse an SVG that could run code or fetch anything when a browser shows it.

    Scripts, event handlers, ``<foreignObject>`` (HTML inside), entity declarations (billion
    laughs, XXE), and any reference outside the file (``href``, CSS ``url()``, ``@import``) are
    refused rather than stripped: an author's drawing never needs them, and a silently altered
    picture is worse than a clear error. Returns the width and height when given in pixels.
    """
    check_file(path, name, limits)
    data = path.read_bytes()
    if b"<!ENTITY" in data.upper():
        raise MediaError.of(name, "SVG declares XML entities, which can expand without limit or read local files")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise MediaError.of(name, f"is not well-formed SVG/XML ({exc})") from None
    if etree.QName(root).localname != "svg":
        raise MediaError.of(name, "is not an SVG image (its root element is not <svg>)")
    problems = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = etree.QName(el).localname
        if tag in ("script", "foreignObject", "iframe", "embed", "object"):
            problems.append(f"contains a <{tag}> element")
        for attr, value in el.attrib.items():
            local = etree.QName(attr).localname
            if local.lower().startswith("on"):
                problems.append(f"has an event handler attribute '{local}' on <{tag}>")
            elif local == "href" or attr == XLINK_HREF:
                if not (value.startswith("#") or _SAFE_DATA_URI.match(value)):
                    problems.append(f"references an outside resource '{value[:60]}' from <{tag}>")
            elif local == "style":
                problems.extend(_css_problems(value, tag))
        if tag == "style" and el.text:
            problems.extend(_css_problems(el.text, tag))
    if problems:
        raise MediaError.of(name, "SVG is unsafe to publish: " + "; ".join(dict.fromkeys(problems)))
    return _svg_px(root.get("width")), _svg_px(root.get("height"))


def _css_problems(css: str, tag: str) -> list[str]:
    found = [
        f"loads '{m.group(1)[:60]}' through CSS in <{tag}>"
        for m in _CSS_URL.finditer(css)
        if not _SAFE_DATA_URI.match(m.group(1))
    ]
    if "@import" in css.lower():
        found.append(f"uses CSS @import in <{tag}>")
    if "javascript:" in css.lower():
        found.append(f"uses a javascript: URL in <{tag}>")
    return found


def _svg_px(value: str | None) -> int | None:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(px)?\s*", value or "")
    return round(float(m.group(1))) if m else None


# --------------------------------------------------------------------------- helpers
def _float(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _rate(value: str | None) -> float | None:
    num, _, den = (value or "").partition("/")
    try:
        rate = float(num) / float(den or 1)
    except (ValueError, ZeroDivisionError):
        return None
    return rate if rate > 0 else None


def _ratio(value: str | None) -> Fraction:
    """ffprobe's "16:15"; "0:1", "N/A" or nothing mean unknown, which players show as square."""
    num, _, den = (value or "").partition(":")
    try:
        ratio = Fraction(int(num), int(den))
    except (ValueError, ZeroDivisionError):
        return Fraction(1)
    return ratio if ratio > 0 else Fraction(1)


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1_000_000 else f"{n:,} bytes"


def _clock(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}"


def check_captions(path: Path, name: str, limits: Limits) -> None:
    """A captions file must be WebVTT: the players show nothing else."""
    check_file(path, name, limits)
    with path.open("rb") as handle:
        head = handle.read(16).removeprefix(b"\xef\xbb\xbf")
    if not (head.startswith(b"WEBVTT") and (len(head) == 6 or head[6:7] in b" \t\r\n")):
        raise MediaError.of(name, "captions file is not WebVTT (it must start with the line 'WEBVTT')")


def media_limits(settings: Settings) -> Limits:
    """The limits ``settings`` set on every media file."""
    return Limits(
        settings.media_max_bytes, settings.media_max_duration, settings.image_max_pixels, settings.job_timeout
    )
