"""Captions as an author edits them: WebVTT cues read into rows (start, end, text), the rows an
author typed checked field by field, and written back as WebVTT the players take.

Times are typed as ``mm:ss.mmm`` (``h:mm:ss.mmm`` past the hour) and kept as whole milliseconds,
so a file read and written again keeps every time exactly. A cue must end after it starts and
hold some text; cues that overlap are allowed by WebVTT (two speakers at once), so an overlap is
a warning, not a refusal. The file written is then checked by the media pipeline's own check
(``media.probe.check_captions``), the one a build makes.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from courses.errors import Problem
from courses.source_checks import MAX_FILE_BYTES
from media.errors import MediaError
from media.probe import Limits, check_captions
from media.tts import webvtt
from media.webvtt import Cue, parse_time

MAX_CUES = 10_000
TIME_HINT = "write the time as mm:ss.mmm, e.g. 01:05.250"


def cue_json(cue: Cue) -> dict[str, object]:
    """A cue as the editor's rows show it."""
    return {"start": shown_time(cue.start), "end": shown_time(cue.end), "text": cue.text}


@dataclass(frozen=True)
class Checked:
    """Cues that can be saved, with the warnings an author may still want to look at."""

    cues: list[Cue]
    warnings: list[Problem]


def shown_time(ms: int) -> str:
    """How the editor shows a time: ``mm:ss.mmm``, with hours in front past the first hour."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    clock = f"{minutes:02d}:{seconds:02d}.{millis:03d}"
    return f"{hours}:{clock}" if hours else clock


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
