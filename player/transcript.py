"""A narration's transcript as its caption cues: the sentences the text-to-speech pipeline timed
(or a recording's captions), rendered into the page at build time, so the transcript reads
without JavaScript and to a screen reader as the text it is, and the player highlights the
sentence being spoken from the times each sentence carries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from courses.source_checks import MAX_CAPTIONS_BYTES

TIMESTAMP = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})\.(\d{3})$")
TIMING = re.compile(r"^(\S+)[ \t]+-->[ \t]+(\S+)")
TAG = re.compile(r"<[^>]*>")
ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&nbsp;": "\u00a0", "&lrm;": "\u200e", "&rlm;": "\u200f"}


@dataclass(frozen=True)
class TranscriptCue:
    start: float  # seconds
    end: float
    text: str


def _seconds(stamp: str) -> float | None:
    found = TIMESTAMP.match(stamp)
    if found is None:
        return None
    hours, minutes, seconds, millis = (int(part) if part else 0 for part in found.groups())
    return hours * 3600 + minutes * 60 + seconds + millis / 1000


def _plain(text: str) -> str:
    """A cue's payload as the words it shows: WebVTT's voice, class and timestamp tags dropped,
    its few character references read, lines joined (the template escapes what is left)."""
    text = TAG.sub("", text)
    for entity, char in ENTITIES.items():
        text = text.replace(entity, char)
    return " ".join(line.strip() for line in text.split("\n") if line.strip())


def parse_cues(data: bytes) -> list[TranscriptCue]:
    """The cues of a WebVTT file in file order, as a player reads them: NOTE, STYLE and REGION
    blocks and cues whose timing does not parse are skipped, like a browser skips them."""
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.startswith("WEBVTT"):
        return []
    cues: list[TranscriptCue] = []
    for block in re.split(r"\n[ \t]*\n", text)[1:]:  # the first block is the WEBVTT header
        lines = [line for line in block.split("\n") if line.strip()]
        at = next((i for i, line in enumerate(lines[:2]) if "-->" in line), None)
        timing = TIMING.match(lines[at].strip()) if at is not None else None
        if timing is None or at is None:
            continue
        start, end = _seconds(timing.group(1)), _seconds(timing.group(2))
        words = _plain("\n".join(lines[at + 1 :]))
        if start is not None and end is not None and end > start and words:
            cues.append(TranscriptCue(start, end, words))
    return cues


def read_cues(path: Path) -> list[TranscriptCue]:
    """The cues of the captions file at ``path``, or none when it is missing, too large or not WebVTT
    (the transcript then shows the narration's text as written)."""
    try:
        if path.stat().st_size > MAX_CAPTIONS_BYTES:
            return []
        return parse_cues(path.read_bytes())
    except OSError:
        return []
