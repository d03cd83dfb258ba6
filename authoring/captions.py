"""Captions as an author edits them: WebVTT cues read into rows (start, end, text), the rows an
author typed checked field by field, and written back as WebVTT the players take.

Times are typed as ``mm:ss.mmm`` (``h:mm:ss.mmm`` past the hour) and kept as whole milliseconds,
so a file read and written again keeps every time exactly. A cue must end after it starts and
hold some text; cues that overlap are allowed by WebVTT (two speakers at once), so an overlap is
a warning, not a refusal. The file written is then checked by the media pipeline's own check
(``media.probe.check_captions``), the one a build makes.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from courses.errors import Problem
from courses.source_checks import MAX_FILE_BYTES
from media.errors import MediaError
from media.probe import Limits, check_captions
from media.tts import webvtt

TYPED_TIME = re.compile(r"^(?:(\d{1,3}):)?(\d{1,3}):(\d{2})\.(\d{3})$")
"""``mm:ss.mmm`` or ``h:mm:ss.mmm``, as an author types it (and as WebVTT writes it)."""
TIMING = re.compile(r"^(\S+)[ \t]+-->[ \t]+(\S+)")
MAX_CUES = 10_000
TIME_HINT = "write the time as mm:ss.mmm, e.g. 01:05.250"


@dataclass(frozen=True)
class Cue:
    start: int  # milliseconds
    end: int
    text: str

    def to_json(self) -> dict[str, object]:
        return {"start": shown_time(self.start), "end": shown_time(self.end), "text": self.text}


@dataclass(frozen=True)
class Checked:
    """Cues that can be saved, with the warnings an author may still want to look at."""

    cues: list[Cue]
    warnings: list[Problem]


def parse_time(text: str) -> int | None:
    """Milliseconds of a typed time, or None when it is not ``[h:]mm:ss.mmm`` with seconds (and,
    after hours, minutes) under 60."""
    found = TYPED_TIME.match(text.strip())
    if found is None:
        return None
    hours, minutes, seconds, millis = (int(part) if part else 0 for part in found.groups())
    if seconds > 59 or (found.group(1) is not None and minutes > 59):
        return None
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def shown_time(ms: int) -> str:
    """How the editor shows a time: ``mm:ss.mmm``, with hours in front past the first hour."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    clock = f"{minutes:02d}:{seconds:02d}.{millis:03d}"
    return f"{hours}:{clock}" if hours else clock


def read_cues(data: bytes) -> list[Cue]:
    """The cues of a WebVTT file, in file order; NOTE, STYLE and REGION blocks are skipped, as
    are cue identifiers and settings (the editor rewrites neither). A cue whose timing a player
    would not read is skipped like a player skips it."""
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


def check_rows(rows: list[dict[str, str]]) -> Checked:
    """The rows an author sent (``start``, ``end``, ``text`` strings), or a ``MediaError``-like
    list of problems naming each wrong field (``cues[2].end``)."""
    problems: list[Problem] = []
    cues: list[Cue] = []
    if len(rows) > MAX_CUES:
        raise CaptionsRefused([Problem("captions", None, "cues", f"at most {MAX_CUES} cues, not {len(rows)}")])
    for index, row in enumerate(rows):
        where = f"cues[{index}]"
        start, end = parse_time(row["start"]), parse_time(row["end"])
        if start is None:
            problems.append(Problem("captions", None, f"{where}.start", f"{TIME_HINT} (not {row['start'][:20]!r})"))
        if end is None:
            problems.append(Problem("captions", None, f"{where}.end", f"{TIME_HINT} (not {row['end'][:20]!r})"))
        if start is not None and end is not None and end <= start:
            problems.append(Problem("captions", None, f"{where}.end", f"must be after the start ({shown_time(start)})"))
        text = "\n".join(line.rstrip() for line in row["text"].strip().splitlines())
        if not text:
            problems.append(Problem("captions", None, f"{where}.text", "a cue needs some text"))
        elif "\n\n" in text:
            problems.append(Problem("captions", None, f"{where}.text", "a cue's text cannot hold an empty line"))
        if start is not None and end is not None:
            cues.append(Cue(start, end, text))
    if problems:
        raise CaptionsRefused(problems)
    return Checked(cues, overlaps(cues))


def overlaps(cues: list[Cue]) -> list[Problem]:
    """Each cue that starts before the one above it ends (allowed, but usually a slip)."""
    warnings: list[Problem] = []
    for index in range(1, len(cues)):
        before, cue = cues[index - 1], cues[index]
        if cue.start < before.end:
            warnings.append(
                Problem(
                    "captions",
                    None,
                    f"cues[{index}].start",
                    f"starts before cue {index} ends ({shown_time(before.end)}); both show at once",
                )
            )
    return warnings


def vtt_bytes(cues: list[Cue]) -> bytes:
    return webvtt([(cue.start / 1000, cue.end / 1000, cue.text) for cue in cues]).encode("utf-8")


def checked_file(data: bytes, name: str, limits: Limits) -> None:
    """The file as a build checks it (size, then the pipeline's WebVTT check), or ``CaptionsRefused``."""
    limit = MAX_FILE_BYTES["captions"]
    if len(data) > limit:
        raise CaptionsRefused([Problem(name, None, "cues", f"the file would be {len(data)} bytes; at most {limit}")])
    with tempfile.TemporaryDirectory(prefix="courseforge-captions-") as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(data)
        try:
            check_captions(path, name, limits)
        except MediaError as error:
            raise CaptionsRefused(error.problems) from None


class CaptionsRefused(Exception):
    """Captions that cannot be saved; ``problems`` name the fields."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
