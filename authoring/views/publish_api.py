"""``/api/courses/<id>/builds``: publish a course revision as a SCORM 1.2, SCORM 2004 or web
package, follow the build's progress, list earlier builds, download a built zip.

Publishing needs the right to change the course (a reviewer reads, never publishes); the builds
are seen by whoever may see the course."""

from __future__ import annotations

import io
import json
from typing import Any, Literal

from flask import Blueprint, request, send_file, url_for
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from authoring.access import course_for
from authoring.api_docs import Number, documented
from authoring.context import blobs, db, editor, signed_in
from authoring.models import Build
from authoring.problems import ApiProblem, parse_body
from authoring.publishing import DONE, FORMATS, package_name, recent_builds, start_build
from authoring.revisions import head_snapshot, load_revision, snapshot_of

blueprint = Blueprint("publish_api", __name__, url_prefix="/api/courses/<int:course_id>/builds")
LIST_LIMIT = 100


class Publish(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal["scorm12", "scorm2004", "web"]
    revision: Number | None = Field(None, description="The revision to build (default: the latest).")


def build_json(build: Build) -> dict[str, Any]:
    course_id = build.course_id
    return {
        "id": build.id,
        "course": course_id,
        "revision": build.revision,
        "format": build.format,
        "format_name": FORMATS.get(build.format, build.format),
        "status": build.status,
        "step": build.step,
        "progress": build.progress,
        "size": build.size,
        "created_at": build.created_at.isoformat() + "Z",
        "finished_at": build.finished_at.isoformat() + "Z" if build.finished_at else None,
        "problems": json.loads(build.problems),
        "url": url_for("publish_api.get_build", course_id=course_id, build_id=build.id),
        "download": (
            url_for("publish_api.download", course_id=course_id, build_id=build.id) if build.status == DONE else None
        ),
    }


def _build_of(course_id: int, build_id: int) -> Build:
    record = course_for(db(), signed_in(), course_id)
    build = db().scalar(select(Build).where(Build.id == build_id, Build.course_id == record.id))
    if build is None:
        raise ApiProblem(404, f"build {build_id} of course {course_id} not found", "build")
    return build


@blueprint.post("")
@documented("Publish: start building a revision as a package", access="write", status=202, body=Publish)
def publish(course_id: int) -> Any:
    user = signed_in()
    record = course_for(db(), user, course_id, write=True)
    body = parse_body(Publish, request.get_json(silent=True))
    if body.revision is None:
        snapshot = head_snapshot(db(), record)
    else:
        snapshot = snapshot_of(load_revision(db(), record, body.revision))
    build = start_build(editor(), db(), record, snapshot, body.format, user)
    return build_json(build), 202


@blueprint.get("")
@documented("The course's builds, newest first")
def list_builds(course_id: int) -> Any:
    record = course_for(db(), signed_in(), course_id)
    return {"builds": [build_json(build) for build in recent_builds(db(), record, LIST_LIMIT)]}


@blueprint.get("/<int:build_id>")
@documented("One build: its status, step and progress fraction, size or problems")
def get_build(course_id: int, build_id: int) -> Any:
    return build_json(_build_of(course_id, build_id))


@blueprint.get("/<int:build_id>/download")
@documented("A finished build's package (zip)", answers="application/zip", errors=(409,))
def download(course_id: int, build_id: int) -> Any:
    build = _build_of(course_id, build_id)
    if build.status != DONE or build.blob_sha256 is None:
        raise ApiProblem(409, f"build {build_id} has no package: it is {build.status}", "build")
    record = course_for(db(), signed_in(), course_id)
    course_key = str(snapshot_of(load_revision(db(), record, build.revision)).document.get("id", "course"))
    return send_file(
        io.BytesIO(blobs().get_blob(build.blob_sha256)),
        mimetype="application/zip",
        as_attachment=True,
        download_name=package_name(build, course_key),
    )
