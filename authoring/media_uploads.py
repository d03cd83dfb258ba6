"""A media file put into a block from the editor: sent in chunks, resumed after a dropped
connection, then checked by the media pipeline's own checks before anything in the course
changes.

An upload is a ``MediaUpload`` row (what has arrived, what became of it) and a file under the
data folder holding the bytes so far, to which ``authoring.upload_chunks`` appends each chunk.

Once the last byte is in, the file is checked as a build would check it for the block it is for
(a cut-off MP4, a renamed text file, an SVG with a script, a PNG bomb...). A file that fails is
refused with the pipeline's message, kept on the upload for the page to show, and the course is
left as it was. A good file becomes a course file (``media/<name>``, renamed when other bytes hold
that name) in a new revision merged onto the latest by ``authoring.revisions.save``, and the block
points at it; then its media job starts (``authoring.upload_jobs``).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from authoring.context import Editor
from authoring.models import CourseRecord, MediaUpload, User, utcnow
from authoring.problems import ApiProblem
from authoring.revisions import Edit, State, head_snapshot, save
from authoring.structure import add_block, check_block, course_ids, files_in_use, fresh_id, locate, require
from courses.errors import Problem, byte_size, shorten
from courses.ids import BLOCK_PREFIXES
from courses.model import Course
from courses.source_checks import FILE_KINDS, MAX_FILE_BYTES
from media.checks import media_files
from media.errors import MediaError, media_problem
from media.probe import media_limits

RECEIVING, REFUSED, QUEUED, RUNNING, DONE, FAILED = "receiving", "refused", "queued", "running", "done", "failed"
CANCELLED = "cancelled"
CHUNK_BYTES = 8 << 20  # what a client is asked to send at a time (at most the editor's request limit)
ABANDONED_DAYS = 7  # an upload that took no byte for this long is given up, its bytes thrown away
COPY_BYTES = 1 << 20  # how much of a chunk is in memory at once
MEDIA_FOLDER = "media"
NAME_CHARS = 80

FIELDS: dict[tuple[str, str], str] = {
    ("video", "video"): "src",
    ("video", "image"): "poster",
    ("video", "captions"): "captions",
    ("narration", "audio"): "src",
    ("narration", "captions"): "captions",
    ("image", "image"): "src",
}
"""(block type, media kind) -> the block's field that names the file."""
NEW_BLOCKS = {"video": "video", "audio": "narration", "image": "image"}
"""The block a file of each kind becomes when it is for no block yet (captions go with one)."""


# --------------------------------------------------------------------------- starting an upload
@dataclass(frozen=True)
class Wanted:
    """What an author asks for when an upload begins."""

    name: str
    size: int
    kind: str
    block_id: str | None = None
    page_id: str | None = None
    after: str | None = None
    alt: str | None = None
    title: str | None = None


def safe_name(name: str, kind: str) -> str:
    """The file name a course keeps: the sent name's last part, letters, digits, '.', '_' and
    '-' only (a URL, a zip and every disk take it as it is), its extension one the kind takes."""
    base = PurePosixPath(name.replace("\\", "/")).name
    suffix = PurePosixPath(base).suffix.lower()
    what, extensions = FILE_KINDS[kind]
    if suffix not in extensions:
        shown = shorten(base or name, 100)
        raise ApiProblem(422, f"name: {shown} is not {what} file; use one of: {', '.join(extensions)}", "name")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", PurePosixPath(base).stem).strip("-.")[:NAME_CHARS]
    return f"{stem or kind}{suffix}"


def start_upload(state: Editor, session: Session, course: CourseRecord, wanted: Wanted, user: User) -> MediaUpload:
    """Record a new upload, refusing at once (before any byte is sent) a size over the limit, a
    name its kind cannot have, and a block or page that cannot take it."""
    limit = state.settings.media_max_bytes
    if wanted.size > limit:
        raise ApiProblem(
            413, f"size: the file is {byte_size(wanted.size)}, over the {byte_size(limit)} limit", "size", limit=limit
        )
    name = safe_name(wanted.name, wanted.kind)
    kind_limit = MAX_FILE_BYTES.get(wanted.kind)
    if kind_limit is not None and wanted.size > kind_limit:
        what = FILE_KINDS[wanted.kind][0]
        raise ApiProblem(
            413,
            f"size: {name} is {wanted.size} bytes, more than the {byte_size(kind_limit)} limit for {what} file",
            "size",
            limit=kind_limit,
        )
    give_up_abandoned(state, session)
    head = head_snapshot(session, course)
    new_block: dict[str, Any] | None = None
    if wanted.block_id is not None:
        block = require(head.document, "block", wanted.block_id).element
        field_for(str(block.get("type")), wanted.kind, wanted.block_id)
    else:
        new_block = _new_block(head.document, wanted, name)
    upload = MediaUpload(
        course_id=course.id,
        author_id=user.id,
        name=name,
        kind=wanted.kind,
        size=wanted.size,
        received=0,
        base_revision=head.number,
        block_id=wanted.block_id,
        page_id=wanted.page_id if wanted.block_id is None else None,
        new_block=None if new_block is None else json.dumps({"block": new_block, "after": wanted.after}),
        status=RECEIVING,
        progress=0.0,
        problems="[]",
    )
    session.add(upload)
    session.commit()
    folder = upload_folder(state, upload)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).touch()
    return upload


def give_up_abandoned(state: Editor, session: Session) -> None:
    """Throw away the bytes of uploads that took none for ``ABANDONED_DAYS`` (a closed laptop, a
    file no one picks again), in any course: done as uploads begin, by whichever process. The
    rows stay, cancelled, so an upload's number is never given to another."""
    since = utcnow() - timedelta(days=ABANDONED_DAYS)
    stale = select(MediaUpload).where(MediaUpload.status == RECEIVING, MediaUpload.updated_at < since)
    for upload in session.scalars(stale.limit(100)):
        cancel(state, upload, f"no byte arrived for {ABANDONED_DAYS} days; begin the upload again")
    session.commit()


def cancel(state: Editor, upload: MediaUpload, why: str) -> None:
    """End an upload still receiving (the caller commits): its bytes are thrown away."""
    discard(state, upload)
    upload.status, upload.updated_at = CANCELLED, utcnow()
    upload.finished_at = upload.updated_at
    upload.problems = json.dumps([problem_json(media_problem(f"{MEDIA_FOLDER}/{upload.name}", why))])


def field_for(block_type: str, kind: str, block_id: str) -> str:
    """The field of a ``block_type`` block that a ``kind`` file goes in, or a 422 saying which
    kinds the block takes."""
    field = FIELDS.get((block_type, kind))
    if field is None:
        takes = [k for (t, k) in FIELDS if t == block_type]
        can = f"it takes {' or '.join(takes)} files" if takes else "it takes no media file"
        raise ApiProblem(422, f"kind: block {block_id} is a {block_type} block, so {can}, not {kind}", "kind")
    return field


def _new_block(document: dict[str, Any], wanted: Wanted, name: str) -> dict[str, Any]:
    """The block (without its file) a file for no block becomes, with a new id."""
    block_type = NEW_BLOCKS.get(wanted.kind)
    if block_type is None:
        raise ApiProblem(422, "block_id: captions go with a video or narration block; say which one", "block_id")
    if wanted.page_id is None:
        raise ApiProblem(422, "page_id: say which block the file is for, or the page a new block goes on", "page_id")
    require(document, "page", wanted.page_id)
    block: dict[str, Any] = {"type": block_type}
    if block_type == "image":
        if not wanted.alt:
            raise ApiProblem(422, "alt: a new image block needs alt text: what the image shows", "alt")
        block["alt"] = wanted.alt
    if block_type == "video":
        block["title"] = wanted.title or PurePosixPath(name).stem
    block["id"] = fresh_id(BLOCK_PREFIXES[block_type], PurePosixPath(name).stem, course_ids(document))
    return block


def upload_folder(state: Editor, upload: MediaUpload) -> Path:
    """Where an upload's bytes are kept: the data folder, which every editor process shares."""
    return state.scratch / "media" / str(upload.id)


def received_file(state: Editor, upload: MediaUpload) -> Path:
    """The bytes so far, under the upload's file name (the checks read the extension)."""
    return upload_folder(state, upload) / upload.name


def discard(state: Editor, upload: MediaUpload) -> None:
    shutil.rmtree(upload_folder(state, upload), ignore_errors=True)


# --------------------------------------------------------------------------- the whole file
def finish(state: Editor, session: Session, upload: MediaUpload, course: CourseRecord, user: User) -> None:
    """Check the complete file, then store it in a new revision and point the block at it; a
    refusal is recorded on the upload (``REFUSED`` and its problems) and nothing else changes.
    The upload is left ``QUEUED`` for its media job (``authoring.upload_jobs``)."""
    local = received_file(state, upload)
    wanted = f"{MEDIA_FOLDER}/{upload.name}"
    try:
        block_type = _block_type(session, course, upload)
        problems = check_upload(local, wanted, block_type, upload.kind, state)
        if problems:
            raise MediaError(problems)
        sha = store(state, local)
        placement = Placement(upload, wanted, sha)
        saved = save(
            session,
            course,
            upload.base_revision,
            [placement.edit()],
            user,
            f"{upload.kind} {wanted}",
            state.blobs,
        )
    except MediaError as error:
        refuse(state, session, upload, error.problems)
        return
    except ApiProblem as problem:
        if problem.status == 503:  # the course's lock was not free in time: the bytes stay, to finish again
            raise
        refuse(state, session, upload, problem.problems or [media_problem(wanted, problem.detail)])
        return
    upload = session.get(MediaUpload, upload.id) or upload
    upload.path, upload.blob_sha256, upload.block_id = placement.path, sha, placement.block_id
    upload.revision = saved.snapshot.number
    upload.status, upload.updated_at = QUEUED, utcnow()
    session.commit()


def _block_type(session: Session, course: CourseRecord, upload: MediaUpload) -> str:
    """The type of the block the file is for, in the latest revision (of the new block, for none)."""
    if upload.new_block is not None:
        return str(json.loads(upload.new_block)["block"]["type"])
    block = require(head_snapshot(session, course).document, "block", str(upload.block_id)).element
    field_for(str(block.get("type")), upload.kind, str(upload.block_id))
    return str(block.get("type"))


CHECKED_STAND_INS: dict[str, dict[str, Any]] = {
    "video": {"type": "video", "id": "b", "src": "media/video.mp4", "title": "Video"},
    "narration": {"type": "narration", "id": "b", "script": "Narration"},
    "image": {"type": "image", "id": "b", "src": "media/image.png", "alt": "Image"},
}
"""A block of each type that holds nothing but the file under check: ``media_files`` then gives
the check a build makes of a file in that field (a poster is a bitmap, captions are WebVTT)."""


def check_upload(local: Path, path: str, block_type: str, kind: str, state: Editor) -> list[Problem]:
    """The problems a build would find with ``local`` as the course file ``path`` in the field of
    a ``block_type`` block for ``kind`` files: the media pipeline's own checks, nothing else."""
    field = field_for(block_type, kind, "b")
    stand_in = {**CHECKED_STAND_INS[block_type], field: path}
    if block_type == "narration" and field == "src":
        stand_in.pop("script")
    page = {"id": "p", "title": "Upload", "blocks": [stand_in]}
    course = Course.model_validate(
        {"id": "upload", "title": "Upload", "sections": [{"id": "s", "title": "Upload", "pages": [page]}]}
    )
    check = media_files(course)[path]
    scratch = local.parent / "check"
    scratch.mkdir(exist_ok=True)
    try:
        check(local, path, media_limits(state.settings), scratch)
    except MediaError as error:
        return error.problems
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return []


def store(state: Editor, local: Path) -> str:
    """The file as a blob, hashed and copied in pieces (never whole in memory); its SHA-256."""
    digest = hashlib.sha256()
    with local.open("rb") as stream:
        while piece := stream.read(COPY_BYTES):
            digest.update(piece)
    sha = digest.hexdigest()
    if not state.blobs.has_blob(sha):
        with local.open("rb") as stream:
            state.blobs.storage.put(state.blobs.key(sha), stream, "application/octet-stream")
    return sha


class Placement:
    """The edit putting the file in the course: the file under its name (or the next free one
    when other bytes hold it) and the block's field naming it, or a new block naming it. It is
    applied to the latest revision, so ``path`` and ``block_id`` are read after the save.

    It conflicts only when someone else changed the same field of the block (or deleted the
    block) since the upload began: an edit of the block's title or alt text meanwhile is kept."""

    def __init__(self, upload: MediaUpload, wanted: str, sha: str) -> None:
        self.upload, self.wanted, self.sha = upload, wanted, sha
        self.path = ""
        self.block_id = upload.block_id

    def edit(self) -> Edit:
        if self.upload.new_block is not None:
            return Edit(f"new block for {self.wanted}", lambda state: None, self._add, None, "block")
        block_id, kind = str(self.upload.block_id), self.upload.kind

        def current(state: State) -> Any:
            found = locate(state.document, "block", block_id)
            if found is None:
                return None
            return found.element.get(FIELDS.get((str(found.element.get("type")), kind), "src"))

        return Edit(f"block {block_id}", current, self._point, self.wanted, "src")

    def _add(self, state: State) -> None:
        new = json.loads(str(self.upload.new_block))
        self.path = place_file(state.files, self.wanted, self.sha)
        block = {**new["block"], "src": self.path}
        check_block(block)
        add_block(str(self.upload.page_id), block, new.get("after")).edit.apply(state)
        self.block_id = str(block["id"])

    def _point(self, state: State) -> None:
        block_id = str(self.upload.block_id)
        block = require(state.document, "block", block_id).element
        field = field_for(str(block.get("type")), self.upload.kind, block_id)
        self.path = place_file(state.files, self.wanted, self.sha)
        before = block.get(field)
        block[field] = self.path
        if block.get("type") == "narration" and field == "src" and block.get("script") is not None:
            script = block.pop("script")  # the recording replaces the script; learners still read it
            block.setdefault("transcript", script)
        if isinstance(before, str) and before != self.path and before not in files_in_use(state.document):
            state.files.pop(before, None)


def place_file(files: dict[str, str], wanted: str, sha: str) -> str:
    """Add blob ``sha`` to ``files`` as ``wanted``, or as ``name-2.ext``, ``name-3.ext``... when
    other bytes hold that name (letter case ignored); the same bytes keep their name."""
    folded = {path.casefold(): path for path in files}
    where = PurePosixPath(wanted)
    candidate, number = wanted, 1
    while True:
        existing = folded.get(candidate.casefold())
        if existing is None:
            files[candidate] = sha
            return candidate
        if files[existing] == sha:
            return existing
        number += 1
        candidate = str(where.with_name(f"{where.stem}-{number}{where.suffix}"))


def refuse(state: Editor, session: Session, upload: MediaUpload, problems: list[Problem]) -> None:
    session.rollback()
    upload = session.get(MediaUpload, upload.id) or upload
    upload.status = REFUSED
    upload.problems = json.dumps([problem_json(p) for p in problems])
    upload.updated_at = upload.finished_at = utcnow()
    session.commit()
    discard(state, upload)


def problem_json(problem: Problem) -> dict[str, Any]:
    return {
        "file": problem.file,
        "line": problem.line,
        "field": problem.field,
        "message": problem.message,
        "text": str(problem),
    }


def course_uploads(session: Session, course: CourseRecord, block_id: str | None, limit: int) -> list[MediaUpload]:
    """The course's uploads (of one block, when given), newest first."""
    statement = select(MediaUpload).where(MediaUpload.course_id == course.id)
    if block_id is not None:
        statement = statement.where(MediaUpload.block_id == block_id)
    return list(session.scalars(statement.order_by(MediaUpload.id.desc()).limit(limit)))
