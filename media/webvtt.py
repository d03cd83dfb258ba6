"""Reading WebVTT cues, once for everything that reads a captions file: the editor's caption
rows and the player's transcript. Times are whole milliseconds, so a file read and written again
keeps every time exactly; a cue whose timing a player would not read is skipped, as a player
skips it, and NOTE, STYLE and REGION blocks, cue identifiers and settings are passed over."""

from __future__ import annotations

import re
from dataclasses import dataclass

TIMESTAMP = re.compile(r"^(?:(\d{1,3}):)?(\d{1,3}):(\d{2})\.(\d{3})$")
"""``mm:ss.mmm`` or ``h:mm:ss.mmm``, as WebVTT writes a time (and as an author types it)."""
TIMING = re.compile(r"^(\S+)[ \t]+-->[ \t]+(\S+)")


@dataclass(frozen=True)
class Cue:
    start: int  # milliseconds
    end: int
    text: str  # the payload as written: tags and character references kept


def parse_time(text: str) -> int | None:
    """Milliseconds of a time, or None when it is not ``[h:]mm:ss.mmm`` with seconds (and, after
    hours, minutes) under 60."""
    found = TIMESTAMP.match(text.strip())
    if found is None:
        return None
    hours, minutes, seconds, millis = (int(part) if part else 0 for part in found.groups())
    if seconds > 59 or (found.group(1) is not None and minutes > 59):
        return None
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def read_cues(data: bytes) -> list[Cue]:
    """The cues of a WebVTT file, in file order."""
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    cues: list[Cue] = []
    for block in re.split(r"\n[ \t]*\n", text)[1:]:  # the first block is the WEBVTT header
        lines = [line for line in block.split("\n") if line.strip() != ""]
        at = next((i for i, line in enumerate(lines[:2]) if "-->" in line), None)
        if at is None:
            continue
        timing = TIMING.match(lines[at].strip())
        start = parse_time(timing.group(1)) if timing else None
        end = parse_time(timing.group(2)) if timing else None
        if start is None or end is None:
            continue
        cues.append(Cue(start, end, "\n".join(lines[at + 1 :])))
    return cues
