"""Generate every media file of the ``security-basics`` sample course.

The sample ships its media so it builds offline, but none of it is a binary-only source: each
file is made here from code, so the course can be restyled, corrected or translated and the media
re-made in seconds. Images are drawn with Pillow (one is a hand-written SVG, so vector images are
exercised too); the video is a set of ffmpeg text slides with an espeak-ng voice; the narration is
espeak-ng reading the transcript stored in ``course.yaml`` (so the transcript and the recording
cannot drift apart). Speech is synthesised phrase by phrase and the WebVTT cue times are computed
from the sample counts, so captions match the voice exactly.

Run from the repository root::

    .venv/bin/python courses/samples/make_media.py

Output is deterministic for a given Pillow, espeak-ng and ffmpeg build.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
import tempfile
import textwrap
import wave
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml
from PIL import Image, ImageDraw, ImageFont

COURSE_DIR = Path(__file__).resolve().parent / "security-basics"
MEDIA_DIR = COURSE_DIR / "media"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {
    "regular": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "mono": "DejaVuSansMono.ttf",
    "mono-bold": "DejaVuSansMono-Bold.ttf",
}

# One palette for every image and the video, chosen for contrast on white and on navy.
NAVY = "#14243b"
INK = "#1f2933"
MUTED = "#52606d"
LINE = "#cbd2d9"
PAPER = "#f5f7fa"
WHITE = "#ffffff"
RED = "#b3261e"
RED_TINT = "#fdecea"
AMBER = "#8a5a00"
AMBER_TINT = "#fff4dc"
GREEN = "#1b7340"
GREEN_TINT = "#e6f4ea"
BLUE = "#1f5fae"

VOICE = "en-us"
NARRATION_WPM = 160
VIDEO_WPM = 165
SENTENCE_GAP_S = 0.35
PHRASE_GAP_S = 0.12
CUE_MAX_CHARS = 84
CAPTION_LINE_CHARS = 42
FFMPEG_TIMEOUT_S = 180

VIDEO_SIZE = (1280, 720)
VIDEO_FPS = 25
VIDEO_LEAD_S = 0.6
VIDEO_TAIL_S = 1.2
VIDEO_SENTENCES = [
    "A criminal has stolen your password.",
    "They sign in, but the account asks for a second factor.",
    "You didn't start this, so you tap Deny.",
    "The attacker is blocked.",
]

# Brute-force figures for the passphrase chart: a well-equipped attacker against a leaked
# database of fast (weak) password hashes, and the 7,776-word Diceware / EFF list.
GUESSES_PER_SECOND = 1e10
WORDLIST_SIZE = 7776


# --------------------------------------------------------------------------- drawing
class Sketch:
    """A Pillow canvas drawn at twice the size and scaled down, for smooth shapes and text.

    Every coordinate and size is given in final pixels; the scaling stays inside this class.
    """

    SCALE = 2

    def __init__(self, width: int, height: int, background: str) -> None:
        self.size = (width, height)
        self.image = Image.new("RGB", (width * self.SCALE, height * self.SCALE), background)
        self.draw = ImageDraw.Draw(self.image)

    def _s(self, value: float) -> int:
        return round(value * self.SCALE)

    def _pts(self, points: list[tuple[float, float]]) -> list[tuple[int, int]]:
        return [(self._s(x), self._s(y)) for x, y in points]

    @staticmethod
    @cache
    def _font(size: int, style: str) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(FONT_DIR / FONT_FILES[style]), size)

    def font(self, size: float, style: str = "regular") -> ImageFont.FreeTypeFont:
        return self._font(self._s(size), style)

    def box(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        fill: str | None = None,
        outline: str | None = None,
        width: float = 1,
        radius: float = 0,
    ) -> None:
        self.draw.rounded_rectangle(
            self._pts([(x0, y0), (x1, y1)]),
            radius=self._s(radius),
            fill=fill,
            outline=outline,
            width=self._s(width) if outline else 0,
        )

    def circle(self, cx: float, cy: float, r: float, fill: str, outline: str | None = None, width: float = 0) -> None:
        self.draw.ellipse(
            self._pts([(cx - r, cy - r), (cx + r, cy + r)]), fill=fill, outline=outline, width=self._s(width)
        )

    def line(self, points: list[tuple[float, float]], fill: str, width: float) -> None:
        self.draw.line(self._pts(points), fill=fill, width=self._s(width), joint="curve")

    def polygon(self, points: list[tuple[float, float]], fill: str) -> None:
        self.draw.polygon(self._pts(points), fill=fill)

    def text(
        self, x: float, y: float, text: str, size: float, fill: str = INK, style: str = "regular", anchor: str = "la"
    ) -> None:
        self.draw.text((self._s(x), self._s(y)), text, font=self.font(size, style), fill=fill, anchor=anchor)

    def text_width(self, text: str, size: float, style: str = "regular") -> float:
        return self.draw.textlength(text, font=self.font(size, style)) / self.SCALE

    def wrap(self, text: str, size: float, max_width: float, style: str = "regular") -> list[str]:
        """Break text into lines no wider than max_width (final pixels), at spaces."""
        lines: list[str] = []
        for word in text.split():
            if lines and self.text_width(f"{lines[-1]} {word}", size, style) <= max_width:
                lines[-1] = f"{lines[-1]} {word}"
            else:
                lines.append(word)
        return lines

    def paragraph(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        max_width: float,
        fill: str = INK,
        style: str = "regular",
        leading: float = 1.35,
    ) -> float:
        """Draw wrapped text; return the y just below it."""
        for line in self.wrap(text, size, max_width, style):
            self.text(x, y, line, size, fill, style)
            y += size * leading
        return y

    def arrow(
        self, start: tuple[float, float], end: tuple[float, float], color: str, width: float = 4, head: float = 14
    ) -> None:
        (x0, y0), (x1, y1) = start, end
        angle = math.atan2(y1 - y0, x1 - x0)
        base = (x1 - head * math.cos(angle), y1 - head * math.sin(angle))
        self.line([start, base], color, width)
        left = (base[0] + head * 0.6 * math.sin(angle), base[1] - head * 0.6 * math.cos(angle))
        right = (base[0] - head * 0.6 * math.sin(angle), base[1] + head * 0.6 * math.cos(angle))
        self.polygon([end, left, right], color)

    def badge(self, cx: float, cy: float, number: int, color: str = RED) -> None:
        """A numbered circle that ties a spot in a picture to its explanation."""
        self.circle(cx, cy, 17, color, outline=WHITE, width=2.5)
        self.text(cx, cy + 1, str(number), 19, WHITE, "bold", anchor="mm")

    def save(self, path: Path) -> None:
        small = self.image.resize(self.size, Image.Resampling.LANCZOS)
        small.save(path, optimize=True)


def draw_phishing_email(path: Path) -> None:
    """The worked-example email with numbered callouts, and a legend below explaining each sign.

    Portrait-ish and large type: it must stay readable in a tablet's ~700 px content column.
    """
    sk = Sketch(960, 1030, PAPER)
    # The email, as a mail program would show it.
    sk.box(24, 24, 936, 720, fill=WHITE, outline=LINE, width=2, radius=12)
    sk.box(24, 24, 936, 74, fill="#e4e7eb", radius=12)
    sk.box(24, 56, 936, 74, fill="#e4e7eb")
    for i, colour in enumerate(("#e0605a", "#e8b04a", "#5db85c")):
        sk.circle(54 + i * 26, 49, 8, colour)
    sk.text(480, 49, "Inbox - Harbour & Co mail", 19, MUTED, anchor="mm")

    sender = "it-servicedesk@harb0urco.example"
    subject = "URGENT: Your mailbox will be suspended today"
    sk.text(54, 98, "From:", 21, MUTED, "bold")
    sk.text(164, 98, "IT Service Desk", 21, INK, "bold")
    sk.text(164, 128, sender, 20, INK, "mono")
    sk.badge(164 + sk.text_width(sender, 20, "mono") + 28, 140, 1)
    sk.text(54, 166, "To:", 21, MUTED, "bold")
    sk.text(164, 166, "sam.taylor@harbourco.example", 20, INK, "mono")
    sk.text(54, 204, "Subject:", 21, MUTED, "bold")
    sk.text(164, 204, subject, 21, RED, "bold")
    sk.badge(164 + sk.text_width(subject, 21, "bold") + 28, 217, 2)
    sk.line([(54, 250), (906, 250)], LINE, 2)

    sk.box(54, 272, 122, 320, fill=BLUE, radius=6)
    sk.text(88, 296, "H&Co", 17, WHITE, "bold", anchor="mm")
    sk.text(138, 296, "Harbour & Co IT", 22, BLUE, "bold", anchor="lm")
    sk.text(54, 346, "Dear user,", 22)
    sk.badge(54 + sk.text_width("Dear user,", 22) + 28, 360, 3)
    y = sk.paragraph(
        54,
        394,
        "We detected unusual sign-in activity on your account. To avoid "
        "losing access, verify your password within 2 hours using the button below.",
        22,
        850,
    )
    sk.box(54, y + 12, 334, y + 68, fill=BLUE, radius=8)
    sk.text(194, y + 40, "Verify my account", 22, WHITE, "bold", anchor="mm")
    sk.badge(362, y + 40, 4)
    # The link preview a long press (or hover) reveals, with the real owner highlighted.
    tip_y = y + 84
    url_parts = (
        ("https://harbourco.example.", MUTED, "mono"),
        ("mailbox-verify.test", RED, "mono-bold"),
        ("/login", MUTED, "mono"),
    )
    sk.box(54, tip_y, 906, tip_y + 48, fill="#fffbe6", outline="#d9b600", width=1.5, radius=6)
    x = 70.0
    for part, colour, style in url_parts:
        sk.text(x, tip_y + 24, part, 20, colour, style, anchor="lm")
        x += sk.text_width(part, 20, style)
    sk.text(54, tip_y + 74, "IT Service Desk, Harbour & Co", 22, MUTED)

    chip_y = tip_y + 120
    sk.box(54, chip_y, 344, chip_y + 50, fill=PAPER, outline=LINE, width=1.5, radius=8)
    sk.box(66, chip_y + 11, 92, chip_y + 39, fill=WHITE, outline=MUTED, width=1.5, radius=3)
    sk.text(79, chip_y + 25, "<>", 11, MUTED, "bold", anchor="mm")
    sk.text(104, chip_y + 25, "Security_Form.html", 20, INK, "mono", anchor="lm")
    sk.badge(372, chip_y + 25, 5)

    # Legend, two columns in reading order.
    sk.text(40, 748, "Warning signs", 30, NAVY, "bold")
    signs = [
        ("Look-alike sender", '"harb0urco": a zero, not the letter o.'),
        ("Pressure", "A same-day deadline and a threat."),
        ("Generic greeting", "The real service desk knows your name."),
        ("Hidden destination", "The button really goes to mailbox-verify.test."),
        ("Risky attachment", "An HTML file that opens a sign-in form."),
    ]
    for number, (title, text) in enumerate(signs, 1):
        column, row = (number - 1) % 2, (number - 1) // 2
        x, y = 40 + column * 460, 800 + row * 78
        sk.badge(x + 16, y + 14, number)
        sk.text(x + 44, y, title, 22, INK, "bold")
        sk.paragraph(x + 44, y + 30, text, 19, 400, MUTED)
    sk.save(path)


def describe_duration(seconds: float) -> str:
    """Round a brute-force time to two significant figures in the largest sensible unit."""
    units = [("year", 365.25 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)]
    for name, size in units:
        if seconds >= size:
            value = seconds / size
            if value >= 10:
                value = round(value, 1 - math.floor(math.log10(value)))
            count = round(value)
            return f"{count:,} {name}{'' if count == 1 else 's'}"
    return "under a second"


def draw_passphrase_chart(path: Path) -> None:
    """Horizontal bars, log time scale: how long it takes to try every possible password."""
    rows = [
        ("Summer2024!", "on every attacker's list", None),
        ("8 lowercase letters", "kdqzmwro", 26**8),
        ("4 random words", "otter lantern gravel sunday", WORDLIST_SIZE**4),
        ("8 random characters", "T7#qp!2v", 95**8),
        ("5 random words", "... sunday violin", WORDLIST_SIZE**5),
        ("6 random words", "... violin crumb", WORDLIST_SIZE**6),
    ]
    year = 365.25 * 86400
    ticks = [
        (1, "1 second", "la"),
        (3600, "1 hour", "ma"),
        (86400, "1 day", "ma"),
        (year, "1 year", "ma"),
        (100 * year, "100 years", "ma"),
        (1e6 * year, "1 million years", "ra"),
    ]
    sk = Sketch(960, 770, WHITE)
    sk.text(32, 28, "How long to try every possibility?", 32, NAVY, "bold")
    sk.paragraph(
        32,
        76,
        "At 10 billion guesses a second, against a leaked database of weakly protected passwords",
        19,
        880,
        MUTED,
    )
    left, right, top, row_h = 324, 920, 140, 82
    span = math.log10(1e6 * year)

    def x_of(seconds: float) -> float:
        return left + (right - left) * math.log10(max(seconds, 1)) / span

    bottom = top + row_h * len(rows)
    for seconds, label, anchor in ticks:
        x = x_of(seconds)
        sk.line([(x, top - 6), (x, bottom)], "#e4e7eb", 1.5)
        sk.text(x, bottom + 12, label, 17, MUTED, anchor=anchor)
    for i, (name, example, space) in enumerate(rows):
        y = top + i * row_h
        sk.text(32, y + 14, name, 22, INK, "bold")
        sk.text(32, y + 46, example, 17, MUTED, "regular" if space is None else "mono")
        if space is None:
            sk.box(left, y + 14, left + 8, y + 60, fill=RED, radius=3)
            sk.text(left + 20, y + 37, "instantly", 22, RED, "bold", anchor="lm")
            continue
        seconds = space / GUESSES_PER_SECOND
        colour = GREEN if seconds >= 10 * year else (AMBER if seconds >= 86400 else RED)
        x = x_of(seconds)
        sk.box(left, y + 14, x, y + 60, fill=colour, radius=4)
        label = describe_duration(seconds)
        if x + 24 + sk.text_width(label, 22, "bold") < right:
            sk.text(x + 12, y + 37, label, 22, colour, "bold", anchor="lm")
        else:
            sk.text(x - 14, y + 37, label, 22, WHITE, "bold", anchor="rm")
    sk.paragraph(
        32,
        bottom + 52,
        "Random words are drawn from a 7,776-word list: each extra word "
        "multiplies the work by 7,776. Time axis is logarithmic.",
        18,
        890,
        MUTED,
    )
    sk.save(path)


def draw_mfa_flow(path: Path) -> None:
    """Two sign-in attempts side by side: yours succeeds, the attacker's stops at the phone."""
    sk = Sketch(960, 664, WHITE)
    sk.text(32, 28, "Why a stolen password is not enough", 32, NAVY, "bold")
    columns = [
        (
            "You",
            GREEN,
            [("Password", "typed by you", True), ("Phone", "you approve the request", True)],
            ("Signed in", GREEN, GREEN_TINT),
        ),
        (
            "Attacker",
            RED,
            [("Password", "stolen by phishing", True), ("Phone", "never approved by you", False)],
            ("Blocked", RED, RED_TINT),
        ),
    ]
    for c, (who, colour, steps, (result, r_colour, r_tint)) in enumerate(columns):
        x = 40 + c * 460
        sk.box(x, 96, x + 420, 146, fill=colour, radius=25)
        sk.text(x + 210, 121, who, 26, WHITE, "bold", anchor="mm")
        y = 176
        for name, note, ok in steps:
            sk.box(x, y, x + 420, y + 120, fill=PAPER, outline=LINE, width=2, radius=12)
            if name == "Phone":
                sk.box(x + 30, y + 20, x + 72, y + 100, fill=WHITE, outline=INK, width=3, radius=8)
                sk.line([(x + 44, y + 91), (x + 58, y + 91)], INK, 3)
            else:
                sk.box(x + 22, y + 42, x + 80, y + 78, fill=WHITE, outline=INK, width=3, radius=6)
                sk.text(x + 51, y + 60, "***", 19, INK, "bold", anchor="mm")
            sk.text(x + 104, y + 28, name, 26, INK, "bold")
            sk.paragraph(x + 104, y + 66, note, 20, 250, MUTED)
            mark, mark_colour = ("\u2713", GREEN) if ok else ("\u2717", RED)
            sk.circle(x + 390, y + 30, 20, mark_colour, outline=WHITE, width=3)
            sk.text(x + 390, y + 31, mark, 22, WHITE, "bold", anchor="mm")
            sk.arrow((x + 210, y + 126), (x + 210, y + 166), MUTED, 5, 16)
            y += 172
        sk.box(x, y, x + 420, y + 110, fill=r_tint, outline=r_colour, width=3, radius=12)
        sk.text(x + 210, y + 55, result, 34, r_colour, "bold", anchor="mm")
    sk.save(path)


def write_stop_check_report_svg(path: Path) -> None:
    """A hand-written SVG: scalable, tiny, and with its own accessible title and description."""
    steps = [
        ("1", "Stop", ["Don't click, reply,", "scan the code or", "open attachments."], RED, RED_TINT),
        ("2", "Check", ["Contact the sender", "through a channel", "you already trust."], AMBER, AMBER_TINT),
        ("3", "Report", ["Use Report phishing,", "then delete the", "message."], GREEN, GREEN_TINT),
    ]
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 960 250" width="960" height="250" '
        'role="img" aria-labelledby="scr-title scr-desc">',
        '  <title id="scr-title">Stop, check, report</title>',
        '  <desc id="scr-desc">Three steps for a suspicious message: stop, check through a trusted '
        "channel, report.</desc>",
        '  <g font-family="DejaVu Sans, Verdana, Arial, sans-serif">',
    ]
    for i, (number, title, lines, colour, tint) in enumerate(steps):
        x = 20 + i * 320
        parts += [
            f'    <rect x="{x}" y="20" width="280" height="210" rx="18" fill="{tint}" '
            f'stroke="{colour}" stroke-width="3"/>',
            f'    <circle cx="{x + 50}" cy="72" r="28" fill="{colour}"/>',
            f'    <text x="{x + 50}" y="82" font-size="28" font-weight="bold" fill="#ffffff" '
            f'text-anchor="middle">{number}</text>',
            f'    <text x="{x + 94}" y="84" font-size="34" font-weight="bold" fill="{colour}">{title}</text>',
            f'    <text x="{x + 28}" y="150" font-size="21" fill="{INK}">',
        ]
        parts += [
            f'      <tspan x="{x + 28}" dy="{0 if k == 0 else 30}">{line}</tspan>' for k, line in enumerate(lines)
        ]
        parts.append("    </text>")
        if i < len(steps) - 1:
            ax = x + 284
            parts.append(
                f'    <path d="M{ax} 125 h22 l-2 -10 l14 10 l-14 10 l2 -10" fill="{MUTED}" '
                f'stroke="{MUTED}" stroke-width="4" stroke-linejoin="round"/>'
            )
    parts += ["  </g>", "</svg>", ""]
    path.write_text("\n".join(parts), encoding="utf-8")


# --------------------------------------------------------------------------- speech
@dataclass
class Speech:
    """Mono 16-bit PCM plus one caption cue (start s, end s, text) per spoken phrase."""

    rate: int = 0
    pcm: bytearray = field(default_factory=bytearray)
    cues: list[tuple[float, float, str]] = field(default_factory=list)

    @property
    def frames(self) -> int:
        return len(self.pcm) // 2

    @property
    def seconds(self) -> float:
        return self.frames / self.rate

    def silence(self, seconds: float) -> None:
        self.pcm += b"\0\0" * round(seconds * self.rate)


def split_sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if s]


def split_phrases(sentence: str) -> list[str]:
    """Cut a long sentence at commas/colons into caption-sized phrases (short ones stay whole)."""
    phrases: list[str] = []
    for clause in re.split(r"(?<=[,:;])\s+", sentence):
        if phrases and len(phrases[-1]) + 1 + len(clause) <= CUE_MAX_CHARS:
            phrases[-1] = f"{phrases[-1]} {clause}"
        else:
            phrases.append(clause)
    return phrases


def synthesise(text: str, wav_path: Path, wpm: int) -> tuple[int, bytes]:
    """One espeak-ng call; returns (sample rate, PCM frames) read back with the wave module."""
    result = subprocess.run(
        ["espeak-ng", "-v", VOICE, "-s", str(wpm), "-w", str(wav_path), text],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode != 0:
        sys.exit(f"espeak-ng failed on {text!r}: {result.stderr.strip()}")
    with wave.open(str(wav_path), "rb") as wav:
        if wav.getnchannels() != 1 or wav.getsampwidth() != 2:
            sys.exit(f"espeak-ng produced unexpected audio in {wav_path}")
        return wav.getframerate(), wav.readframes(wav.getnframes())


def speak(sentences: list[str], wpm: int, workdir: Path, lead_s: float = 0.0) -> Speech:
    """Speak sentence by phrase, with a longer pause between sentences than between phrases."""
    speech = Speech()
    clip_no = 0
    for s_index, sentence in enumerate(sentences):
        for p_index, phrase in enumerate(split_phrases(sentence)):
            rate, pcm = synthesise(phrase, workdir / f"clip{clip_no:03d}.wav", wpm)
            clip_no += 1
            if not speech.rate:
                speech.rate = rate
                speech.silence(lead_s)
            elif p_index:
                speech.silence(PHRASE_GAP_S)
            elif s_index:
                speech.silence(SENTENCE_GAP_S)
            start = speech.seconds
            speech.pcm += pcm
            speech.cues.append((start, speech.seconds, phrase))
    return speech


def write_wav(speech: Speech, path: Path) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(speech.rate)
        wav.writeframes(bytes(speech.pcm))


def vtt_time(seconds: float) -> str:
    ms = round(seconds * 1000)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{ms:03d}"


def write_vtt(cues: list[tuple[float, float, str]], path: Path) -> None:
    out = ["WEBVTT", ""]
    for number, (start, end, text) in enumerate(cues, 1):
        out += [
            str(number),
            f"{vtt_time(start)} --> {vtt_time(end)}",
            *textwrap.wrap(text, CAPTION_LINE_CHARS, break_on_hyphens=False),
            "",
        ]
    path.write_text("\n".join(out), encoding="utf-8")


def run_ffmpeg(args: list[str], what: str) -> None:
    """Run ffmpeg quietly; on failure stop with its own error message, not a traceback."""
    try:
        result = subprocess.run(
            ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args],
            capture_output=True,
            text=True,
            timeout=FFMPEG_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        sys.exit(f"ffmpeg took more than {FFMPEG_TIMEOUT_S} s making {what}")
    if result.returncode != 0:
        sys.exit(f"ffmpeg failed making {what}:\n{result.stderr.strip()}")


BITEXACT = ["-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact"]


# --------------------------------------------------------------------------- narration
def narration_transcript(block_id: str) -> str:
    """The transcript of a narration block in course.yaml: the text the recording must speak."""
    course = yaml.safe_load((COURSE_DIR / "course.yaml").read_text(encoding="utf-8"))
    for section in course["sections"]:
        for page in section["pages"]:
            for block in page["blocks"]:
                if block.get("id") == block_id:
                    return block["transcript"]
    sys.exit(f"course.yaml has no block with id {block_id!r}")


def make_narration(workdir: Path) -> None:
    speech = speak(split_sentences(narration_transcript("n-welcome")), NARRATION_WPM, workdir, 0.2)
    speech.silence(0.3)
    wav = workdir / "welcome-narration.wav"
    write_wav(speech, wav)
    write_vtt(speech.cues, MEDIA_DIR / "welcome-narration.vtt")
    run_ffmpeg(
        [
            "-i",
            str(wav),
            "-ac",
            "1",
            "-ar",
            "44100",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            *BITEXACT,
            "-movflags",
            "+faststart",
            str(MEDIA_DIR / "welcome-narration.m4a"),
        ],
        "the welcome narration",
    )


# --------------------------------------------------------------------------- video
class Slides:
    """Builds an ffmpeg filter chain of drawbox/drawtext steps, each shown for a time window."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.filters: list[str] = []

    def box(
        self, x: int, y: int, w: int, h: int, color: str, start: float, end: float, thickness: str = "fill"
    ) -> None:
        self.filters.append(
            f"drawbox=x={x}:y={y}:w={w}:h={h}:color={color}:t={thickness}:enable='between(t,{start:.3f},{end:.3f})'"
        )

    def text(
        self,
        text: str,
        x: str | int,
        y: str | int,
        size: int,
        color: str,
        start: float,
        end: float,
        style: str = "regular",
        fade: float = 0.3,
        extra: str = "",
    ) -> None:
        # Text goes through a file so quotes, colons and commas need no filter-graph escaping.
        path = self.workdir / f"text{len(self.filters):03d}.txt"
        path.write_text(text, encoding="utf-8")
        alpha = f"clip((t-{start:.3f})/{fade},0,1)" if fade else "1"
        self.filters.append(
            f"drawtext=fontfile={FONT_DIR / FONT_FILES[style]}:textfile={path}:expansion=none:"
            f"fontsize={size}:fontcolor={color}:x={x}:y={y}:alpha='{alpha}':"
            f"enable='between(t,{start:.3f},{end:.3f})'{extra}"
        )


def video_slides(slides: Slides, cues: list[tuple[float, float, str]], duration: float) -> None:
    """Four slides, one per spoken sentence, each appearing just before its sentence."""
    starts = [0.0] + [max(0.0, start - 0.25) for start, _, _ in cues[1:]]
    ends = starts[1:] + [duration]
    center = "(w-text_w)/2"
    slides.text("How MFA stops a stolen password", center, 48, 46, "white", 0.0, duration, "bold", 0.5)
    slides.box(440, 118, 400, 4, "0x3d7fd6", 0.0, duration)

    # 1. A stolen password.
    s, e = starts[0], ends[0]
    slides.box(300, 190, 680, 330, "white", s, e)
    slides.text("Sign in", 340, 220, 38, "0x1f2933", s, e, "bold", 0)
    slides.text("Email", 340, 300, 26, "0x52606d", s, e, fade=0)
    slides.text("sam.taylor@harbourco.example", 490, 300, 26, "0x1f2933", s, e, "mono", 0)
    slides.text("Password", 340, 370, 26, "0x52606d", s, e, fade=0)
    slides.text("\u2022" * 12, 490, 374, 32, "0x1f2933", s, e, fade=0)
    slides.text("STOLEN", 740, 440, 40, "white", s + 0.9, e, "bold", extra=":box=1:boxcolor=0xb3261e:boxborderw=14")

    # 2. The second factor is asked for.
    s, e = starts[1], ends[1]
    slides.box(300, 190, 680, 330, "white", s, e)
    slides.text("Sign in", 340, 220, 38, "0x1f2933", s, e, "bold", 0)
    slides.text("\u2713 Password accepted", 340, 300, 30, "0x1b7340", s, e, "bold", 0)
    slides.text("Second factor needed", 340, 370, 30, "0x8a5a00", s + 0.8, e, "bold")
    slides.text("Waiting for approval on your phone \u2026", 340, 425, 24, "0x52606d", s + 1.2, e)

    # 3. The phone prompt, denied.
    s, e = starts[2], ends[2]
    deny_at = s + (cues[2][1] - cues[2][0]) * 0.75
    slides.box(480, 150, 320, 500, "0x0b1628", s, e)
    slides.box(496, 176, 288, 448, "white", s, e)
    slides.text("Sign-in request", center, 210, 28, "0x1f2933", s, e, "bold", 0)
    slides.text("Harbour & Co account", center, 258, 22, "0x52606d", s, e, fade=0)
    slides.text("Is this you?", center, 320, 30, "0x1f2933", s, e, "bold", 0)
    slides.box(546, 400, 188, 60, "0xb3261e", s, e)
    slides.text("Deny", center, 416, 28, "white", s, e, "bold", 0)
    slides.box(546, 480, 188, 60, "0xe4e7eb", s, e)
    slides.text("Approve", center, 496, 28, "0x52606d", s, e, "bold", 0)
    slides.box(538, 392, 204, 76, "0xffd23f", deny_at, e, thickness="6")
    slides.text("Not me: denied", 830, 418, 30, "0xffd23f", deny_at, e, "bold")

    # 4. Blocked.
    s, e = starts[3], ends[3]
    slides.text(
        "Attacker blocked", center, 260, 64, "white", s, e, "bold", extra=":box=1:boxcolor=0x1b7340:boxborderw=24"
    )
    slides.text("Then report the prompt and change your password.", center, 430, 30, "0xdbe4ee", s + 0.9, e)


def make_video(workdir: Path) -> None:
    speech = speak(VIDEO_SENTENCES, VIDEO_WPM, workdir, VIDEO_LEAD_S)
    frame = 1 / VIDEO_FPS
    duration = math.ceil((speech.seconds + VIDEO_TAIL_S) / frame) * frame
    speech.silence(duration - speech.seconds)
    wav = workdir / "mfa-voice.wav"
    write_wav(speech, wav)
    write_vtt(speech.cues, MEDIA_DIR / "mfa-stolen-password.vtt")

    slides = Slides(workdir)
    video_slides(slides, speech.cues, duration)
    width, height = VIDEO_SIZE
    graph = (
        f"[0:v]{','.join(slides.filters)},"
        f"fade=t=in:st=0:d=0.4,fade=t=out:st={duration - 0.4:.3f}:d=0.4[slides];"
        # A progress bar slides in along the bottom edge over the whole clip.
        f"[slides][1:v]overlay=x='-w+w*t/{duration:.3f}':y=H-h:eval=frame:shortest=1[v]"
    )
    script = workdir / "graph.txt"
    script.write_text(graph, encoding="utf-8")
    run_ffmpeg(
        [
            "-f",
            "lavfi",
            "-i",
            f"color=c={NAVY.replace('#', '0x')}:s={width}x{height}:r={VIDEO_FPS}:d={duration:.3f}",
            "-f",
            "lavfi",
            "-i",
            f"color=c=0x3d7fd6:s={width}x8:r={VIDEO_FPS}:d={duration:.3f}",
            "-i",
            str(wav),
            "-filter_complex_script",
            str(script),
            "-map",
            "[v]",
            "-map",
            "2:a",
            "-c:v",
            "libx264",
            "-preset",
            "slow",
            "-crf",
            "27",
            "-profile:v",
            "high",
            "-pix_fmt",
            "yuv420p",
            "-g",
            str(VIDEO_FPS * 2),
            "-threads",
            "2",
            "-flags:v",
            "+bitexact",
            "-c:a",
            "aac",
            "-b:a",
            "96k",
            "-ac",
            "1",
            "-ar",
            "44100",
            "-t",
            f"{duration:.3f}",
            *BITEXACT,
            "-movflags",
            "+faststart",
            str(MEDIA_DIR / "mfa-stolen-password.mp4"),
        ],
        "the MFA video",
    )


# --------------------------------------------------------------------------- main
def main() -> None:
    MEDIA_DIR.mkdir(exist_ok=True)
    draw_phishing_email(MEDIA_DIR / "phishing-email.png")
    draw_passphrase_chart(MEDIA_DIR / "passphrase-strength.png")
    draw_mfa_flow(MEDIA_DIR / "mfa-flow.png")
    write_stop_check_report_svg(MEDIA_DIR / "stop-check-report.svg")
    with tempfile.TemporaryDirectory(prefix="courseforge-media-") as tmp:
        make_narration(Path(tmp))
        make_video(Path(tmp))
    total = 0
    for path in sorted(MEDIA_DIR.iterdir()):
        total += path.stat().st_size
        print(f"{path.relative_to(COURSE_DIR)}  {path.stat().st_size / 1024:8.1f} KB")
    print(f"total  {total / 1024:.1f} KB")


if __name__ == "__main__":
    main()
