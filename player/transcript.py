"""A narration's transcript as its caption cues: the sentences the text-to-speech pipeline timed
(or a recording's captions), rendered into the page at build time, so the transcript reads
without JavaScript and to a screen reader as the text it is, and the player highlights the
sentence being spoken from the times each sentence carries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from courses.source_checks import MAX_CAPTIONS_BYTES
from media import webvtt

TAG = re.compile(r"<[^>]*>")
ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&nbsp;": "\u00a0", "&lrm;": "\u200e", "&rlm;": "\u200f"}


@dataclass(frozen=True)
class TranscriptCue:
    start: float  # seconds
    end: float
    text: str


def _plain(text: str) -> str:
    """A cue's payload as the words it shows: WebVTT's voice, class and timestamp tags dropped,
    its few character references read, lines joined (the template escapes what is left)."""
    text = TAG.sub("", text)
    for entity, char in ENTITIES.items():
        text = text.replace(entity, char)
    return " ".join(line.strip() for line in text.split("\n") if line.strip())


def parse_cues(data: bytes) -> list[TranscriptCue]:
    """The cues of a WebVTT file with words to show, in file order, their times in seconds."""
    if not data.removeprefix(b"\xef\xbb\xbf").startswith(b"WEBVTT"):
        return []
    cues = ((cue, _plain(cue.text)) for cue in webvtt.read_cues(data))
    return [
        TranscriptCue(cue.start / 1000, cue.end / 1000, words) for cue, words in cues if cue.end > cue.start and words
    ]


def read_cues(path: Path) -> list[TranscriptCue]:
    """The cues of the captions file at ``path``, or none when it is missing, too large or not WebVTT
    (the transcript then shows the narration's text as written)."""
    try:
        if path.stat().st_size > MAX_CAPTIONS_BYTES:
            return []
        return parse_cues(path.read_bytes())
    except OSError:
        return []
