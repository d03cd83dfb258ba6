"""How long a course's resume data can get, against what each standard lets an LMS keep.

SCORM 1.2 LMSs keep 4,096 characters of ``cmi.suspend_data`` and no more; a longer value is cut
or refused, and the learner's progress is lost without a word (the commonest complaint about
SCORM courses). So the worst case is measured when the course is published, by the player's own
resume codec (``resume_budget.mjs`` runs ``static/js/state.js`` in Node), never by a second
implementation that could drift from what learners' browsers actually send.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from courses.model import Course
from player.render import Tracking, course_data

SCRIPT = Path(__file__).with_name("resume_budget.mjs")
LIMITS = {"scorm12": 4096, "scorm2004": 64000}
"""Characters of suspend data the LMS must keep (SCORM 1.2 RTE 3.4.2; SCORM 2004 RTE 4.2.23, SPM)."""
LABELS = {"scorm12": "SCORM 1.2", "scorm2004": "SCORM 2004"}
TIMEOUT = 60


class BudgetError(Exception):
    """The budget could not be measured (no Node.js, or the codec failed); the message says why."""


@dataclass(frozen=True)
class QuestionShare:
    id: str
    type: str
    chars: int


@dataclass(frozen=True)
class ResumeBudget:
    chars: int
    """Length of the encoded worst-case resume state."""
    questions: tuple[QuestionShare, ...]
    """What each question's longest answer adds, largest first."""
    tracking: str = "scorm12"
    """The standard it was measured for: the limit ``fits`` and ``summary`` speak of by default."""

    def fits(self, tracking: str | None = None) -> bool:
        tracking = tracking or self.tracking
        return tracking not in LIMITS or self.chars <= LIMITS[tracking]

    def summary(self, tracking: str | None = None) -> str:
        """One line: the figure against the standard's limit."""
        tracking = tracking or self.tracking
        if tracking not in LIMITS:
            return f"resume data: at most {self.chars:,} characters (kept by the browser; no LMS limit)"
        limit = LIMITS[tracking]
        return (
            f"resume data: at most {self.chars:,} of the {limit:,} characters {LABELS[tracking]} keeps "
            f"({100 * self.chars / limit:.0f} %)"
        )

    def overflow_message(self, tracking: str) -> str:
        """What an author reads when the worst case does not fit: the figure, the questions that
        take the most, and what to do."""
        limit = LIMITS[tracking]
        top = [q for q in self.questions[:5] if q.chars >= self.chars / 20] or list(self.questions[:1])
        shares = ", ".join(f"{q.id} ({q.type}, {q.chars:,})" for q in top)
        advice = (
            "publish as SCORM 2004 (--format scorm2004 keeps 64,000 characters)"
            if tracking == "scorm12"
            else "split the course into smaller ones"
        )
        return (
            f"{LABELS[tracking]} keeps at most {limit:,} characters of resume data, but this course's can "
            f"reach {self.chars:,} (every page visited, every question a learner can be asked answered "
            f"at full length), so an LMS would lose learners' progress. The questions that take the most: "
            f"{shares}. Typed answers take up to 9 characters per letter typed, and a learner may type twice "
            f"the longest accepted answer; shorten those, use fewer or smaller questions, or {advice}."
        )


def measure(course: Course, tracking: Tracking) -> ResumeBudget:
    """The worst-case resume state of ``course`` as published with ``tracking``."""
    node = shutil.which("node")
    if node is None:
        raise BudgetError(
            "Node.js (the `node` command) is needed to measure the resume data of a SCORM package; "
            "install it (Debian: apt-get install nodejs)"
        )
    data = json.dumps(course_data(course, tracking), ensure_ascii=False)
    try:
        done = subprocess.run([node, str(SCRIPT)], input=data, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise BudgetError(f"measuring the resume data took longer than {TIMEOUT} s") from None
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise BudgetError(f"measuring the resume data failed: {detail}")
    result = json.loads(done.stdout)
    shares = sorted(
        (QuestionShare(q["id"], q["type"], q["chars"]) for q in result["questions"]), key=lambda q: (-q.chars, q.id)
    )
    return ResumeBudget(result["chars"], tuple(shares), tracking)
