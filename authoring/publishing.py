"""Publishing from the editor: a course revision built into a SCORM 1.2, SCORM 2004 or web
package by ``exporters.build.build_course`` (the very build the command line runs, media made by
the configured runner), in a background thread so the request answers at once.

Each build is a ``Build`` row: the page polls it for the step and fraction the build reports,
then downloads the zip, kept as a blob in the editor's storage. A build that fails keeps its
problems, so the author sees the same ``file:line: field: message`` lines the CLI prints.
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from authoring.context import Editor
from authoring.models import Build, CourseRecord, User, utcnow
from authoring.problems import ApiProblem
from authoring.revisions import Snapshot
from courses.errors import CourseLoadError, Problem
from courses.source import BlobSource
from exporters.build import BuildError, build_course, default_package_name
from media.errors import MediaError

FORMATS = {"scorm12": "SCORM 1.2", "scorm2004": "SCORM 2004", "web": "Web"}
RUNNING, DONE, FAILED = "running", "done", "failed"
BUILD_HOURS = 2  # a build "running" for longer died with its process; it no longer blocks a new one
WRITE_EVERY_SECONDS = 0.5  # progress reaches the database this often at most (and at every new step)
log = logging.getLogger(__name__)


def start_build(
    state: Editor, session: Session, course: CourseRecord, snapshot: Snapshot, fmt: str, user: User
) -> Build:
    """Record a build of ``snapshot`` and start it; refused (409) while another build of the
    course runs, so an impatient click does not start a second copy of a long build."""
    since = utcnow() - timedelta(hours=BUILD_HOURS)
    running = session.scalar(
        select(Build).where(Build.course_id == course.id, Build.status == RUNNING, Build.created_at > since)
    )
    if running is not None:
        raise ApiProblem(
            409,
            f"build {running.id} of this course is still running; wait for it to finish",
            "format",
            build=running.id,
        )
    build = Build(
        course_id=course.id,
        revision=snapshot.number,
        format=fmt,
        status=RUNNING,
        step="starting",
        progress=0.0,
        problems="[]",
        author_id=user.id,
    )
    session.add(build)
    session.commit()
    threading.Thread(target=run_build, args=(state, build.id, snapshot), name=f"build-{build.id}", daemon=True).start()
    return build


class _Progress:
    """The build's ``progress`` callback, written to the build's row (not too often)."""

    def __init__(self, session: Session, build_id: int) -> None:
        self.session = session
        self.build_id = build_id
        self.step = ""
        self.written = 0.0

    def __call__(self, step: str, fraction: float) -> None:
        now = time.monotonic()
        if step == self.step and fraction < 1.0 and now - self.written < WRITE_EVERY_SECONDS:
            return
        self.step, self.written = step, now
        build = self.session.get(Build, self.build_id)
        if build is not None:
            build.step, build.progress = step[:200], max(0.0, min(1.0, fraction))
            self.session.commit()


def run_build(state: Editor, build_id: int, snapshot: Snapshot) -> None:
    """Build, store the zip, record the outcome; every failure ends the build as failed."""
    session = state.database.session()
    try:
        build = session.get(Build, build_id)
        if build is None:
            return
        fmt = build.format
        problems: list[Problem] = []
        try:
            course = snapshot.course()
            source = BlobSource(snapshot.files, state.blobs, state.scratch / "blobs")
            with tempfile.TemporaryDirectory(dir=state.scratch, prefix="build-") as work:
                out = Path(work) / default_package_name(course, fmt)
                result = build_course(
                    course, source, fmt, out, settings=state.settings, progress=_Progress(session, build_id)
                )
                with out.open("rb") as stream:
                    sha = state.blobs.put_blob(stream)
        except (CourseLoadError, MediaError, BuildError) as error:
            problems = list(error.problems)
        except Exception as error:  # a fault in the build itself: ended, so the page stops waiting
            log.exception("build %s failed", build_id)
            problems = [Problem("course", None, "", f"the build stopped unexpectedly: {error}")]
        build = session.get(Build, build_id)
        if build is None:  # the course was deleted meanwhile
            return
        build.finished_at = utcnow()
        if problems:
            build.status, build.problems = FAILED, json.dumps([_problem(p) for p in problems])
        else:
            build.status, build.size, build.blob_sha256 = DONE, result.size, sha
            build.step, build.progress = "done", 1.0
        session.commit()
    finally:
        session.close()


def _problem(problem: Problem) -> dict[str, Any]:
    return {
        "file": problem.file,
        "line": problem.line,
        "field": problem.field,
        "message": problem.message,
        "text": str(problem),
    }


def recent_builds(session: Session, course: CourseRecord, limit: int = 100) -> list[Build]:
    """The course's builds, newest first."""
    statement = select(Build).where(Build.course_id == course.id).order_by(Build.id.desc()).limit(limit)
    return list(session.scalars(statement))


def file_size(count: int) -> str:
    """``2.3 MB``: a package's size as the page shows it (publish.js formats it the same way)."""
    value, unit = float(count), "bytes"
    for bigger in ("KB", "MB", "GB"):
        if value < 1000:
            break
        value, unit = value / 1000, bigger
    return f"{count} bytes" if unit == "bytes" else f"{value:.1f} {unit}"


def package_name(build: Build, course_key: str) -> str:
    return f"{course_key}-{build.format}-r{build.revision}.zip"
