"""Turn a course's media blocks into package files.

The course becomes a list of jobs (one per video file: its renditions and, unless the author gave
one, its poster; loudness per recorded narration, speech per narration script, sizes per image),
a runner carries them out (in this process or on workers, each job cached by content), and the
results become the ``MediaMap``
exporters read. Package names carry the first 12 hex digits of the file's SHA-256, so a changed
file gets a new URL and a browser or CDN never serves a stale copy.

Every problem in every file is reported at once, in one ``MediaError``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path, PurePosixPath

from courses.errors import Problem
from courses.model import Block, Course, Hotspot, ImageBlock, NarrationBlock, QuizBlock, VideoBlock
from courses.source import BlobSource, CourseSource, SourceError
from media import jobs as jobmaker
from media.assets import LOGO, Asset, BlockMedia, MediaMap
from media.errors import MediaError, media_problem
from media.probe import Limits, check_captions, check_image, media_limits
from media.runners import JobsFailed, get_runner
from media.tts import voice_for
from settings import Settings

Progress = Callable[[str, float], None]
"""Called with (what is being worked on, fraction done from 0 to 1)."""

Finish = Callable[[list[dict]], BlockMedia]
"""Given every job's result, builds one block's media description."""


def prepare_course(
    course: Course, source: CourseSource, settings: Settings, progress: Progress | None = None
) -> MediaMap:
    """Make (or take from the cache) the package files of every media block of ``course``,
    whose files are in ``source``. Limits, HLS, the cache folder and where jobs run come from
    ``settings``."""
    limits = media_limits(settings)
    runner = get_runner(settings)
    planner = _Planner(course, source, limits, settings.hls, by_content=not runner.in_process)
    finishers: list[Finish] = []
    problems: list[Problem] = []
    for page in course.pages():
        for block in page.blocks:
            for owner in media_owners(block):
                try:
                    finish = planner.plan(owner)
                except MediaError as exc:
                    problems += exc.problems
                    continue
                if finish is not None:
                    finishers.append(finish)
    if course.theme.logo is not None:
        try:
            finishers.append(planner.image(LOGO, course.theme.logo))
        except MediaError as exc:
            problems += exc.problems
    results: list[dict] = []
    if planner.jobs:
        try:
            results = runner.run([job.to_dict() for job in planner.jobs], progress)
        except JobsFailed as failed:
            for failure in failed.failures:
                label = planner.jobs[failure.index].label
                problems += [
                    media_problem(label, line.removeprefix(f"{label}: ")) for line in failure.message.splitlines()
                ]
    if problems:
        raise MediaError(list(dict.fromkeys(problems)))
    media: MediaMap = {}
    for finish in finishers:
        block_media = finish(results)
        media[block_media.block_id] = block_media
    return media


def media_owners(block: Block) -> list[Block | Hotspot]:
    """What in a block has media of its own: the block, or a quiz's hotspot questions (their
    ``BlockMedia`` is keyed by the question's id, unique in the course like a block's)."""
    if isinstance(block, QuizBlock):
        return [q for q in block.questions if isinstance(q, Hotspot)]
    return [block]


class _Planner:
    """Collects the jobs of a course and, per block, how to turn their results into ``BlockMedia``."""

    def __init__(self, course: Course, source: CourseSource, limits: Limits, hls: bool, by_content: bool):
        self.course = course
        self.source = source
        self.limits = limits
        self.hls = hls
        self.by_content = by_content
        self.jobs: list[jobmaker.Job] = []
        self._index: dict[str, int] = {}
        self._videos: dict[jobmaker.Input, jobmaker.Job] = {}

    def add(self, job: jobmaker.Job) -> int:
        """Queue ``job`` once, however many blocks use the same file the same way."""
        key = job.key()
        if key not in self._index:
            self._index[key] = len(self.jobs)
            self.jobs.append(job)
        return self._index[key]

    def add_video(self, rel: str, poster: bool) -> int:
        """Queue one job per video file, hashed once, that makes a poster if any block showing it needs one."""
        path = self._input(rel)
        if path not in self._videos:
            self._videos[path] = jobmaker.renditions_job(path, rel, self.limits, self.hls)
        full = self._videos[path]
        plain = replace(full, settings={**full.settings, "poster": None})
        job = full if poster else plain
        key = plain.key()  # the same for both, so a block with a poster and one without share the job
        if key not in self._index:
            self._index[key] = len(self.jobs)
            self.jobs.append(job)
        index = self._index[key]
        if poster and self.jobs[index].settings["poster"] is None:
            self.jobs[index] = job
        return index

    def plan(self, block: Block | Hotspot) -> Finish | None:
        if isinstance(block, VideoBlock):
            return self._video(block)
        if isinstance(block, NarrationBlock):
            return self._narration(block)
        if isinstance(block, ImageBlock):
            return self.image(block.id, block.src)
        if isinstance(block, Hotspot):
            return self.image(block.id, block.image)
        return None

    def _path(self, rel: str) -> Path:
        """The course file ``rel`` on local disk, for the tools."""
        try:
            return self.source.local_path(rel)
        except SourceError as error:
            raise MediaError.of(rel, str(error)) from None

    def _input(self, rel: str) -> jobmaker.Input:
        """What a job names the course file ``rel`` by: its local path, or, for a job sent to
        workers, a stored course's blob by its content and storage key (not read here at all:
        each worker fetches it from its own storage settings). In this process the source's own
        copy serves, from the source's own store."""
        if not (self.by_content and isinstance(self.source, BlobSource)):
            return self._path(rel)
        try:
            return self.source.stored(rel)
        except SourceError as error:
            raise MediaError.of(rel, str(error)) from None

    def _video(self, block: VideoBlock) -> Finish:
        problems: list[Problem] = []
        renditions: int | None = None
        try:
            renditions = self.add_video(block.src, poster=block.poster is None)
        except MediaError as exc:
            problems += exc.problems
        poster = _collect(problems, self._authored_image, block.poster)
        captions = _collect(problems, self._captions, block.captions)
        if problems or renditions is None:
            raise MediaError(problems)
        stem = _stem(block.src)
        job: int = renditions

        def finish(results: list[dict]) -> BlockMedia:
            made = results[job]
            sources = [
                _asset(o, f"{stem}-{o['label']}{Path(o['file']).suffix}")
                for o in made["outputs"]
                if o["role"] == "rendition"
            ]
            hls, hls_files = _hls(made, stem)
            still = poster or _asset(_one(made, "poster"), f"{stem}-poster.jpg")
            return BlockMedia(
                block.id,
                sources=sources,
                poster=still,
                captions=captions,
                duration=made["duration"],
                hls=hls,
                hls_files=hls_files,
            )

        return finish

    def _narration(self, block: NarrationBlock) -> Finish:
        problems: list[Problem] = []
        index: int | None = None
        try:
            if block.src is not None:
                index = self.add(jobmaker.narration_job(self._input(block.src), block.src, self.limits))
            else:
                voice = voice_for(self.course.language, self.course.voice.voice)
                index = self.add(
                    jobmaker.tts_job(
                        block.script or "",
                        f"narration '{block.id}' (script)",
                        voice,
                        self.course.voice.speed,
                        self.limits,
                        self.course.voice.engine,
                    )
                )
        except MediaError as exc:
            problems += exc.problems
        captions = _collect(problems, self._captions, block.captions)
        if problems or index is None:
            raise MediaError(problems)
        stem = _stem(block.src) if block.src else _stem(block.id)
        job: int = index

        def finish(results: list[dict]) -> BlockMedia:
            made = results[job]
            spoken = next((o for o in made["outputs"] if o["role"] == "captions"), None)
            return BlockMedia(
                block.id,
                sources=[_asset(_one(made, "audio"), f"{stem}.m4a")],
                captions=captions or (_asset(spoken, f"{stem}.vtt") if spoken else None),
                transcript=block.transcript or block.script,
                duration=made["duration"],
            )

        return finish

    def image(self, owner: str, src: str) -> Finish:
        """An image block's file, a hotspot question's or the course's logo (``owner`` is the
        block's or question's id, or ``LOGO``)."""
        index = self.add(jobmaker.image_job(self._input(src), src, self.limits))
        stem = _stem(src)

        def finish(results: list[dict]) -> BlockMedia:
            made = results[index]
            sources = [
                _asset(o, f"{stem}-{o['label'] or o['width']}{Path(o['file']).suffix}")
                if len(made["outputs"]) > 1
                else _asset(o, f"{stem}{Path(o['file']).suffix}")
                for o in made["outputs"]
            ]
            return BlockMedia(owner, sources=sources)

        return finish

    def _authored_image(self, rel: str) -> Asset:
        """A poster the author supplied: checked like any image, used as it is."""
        info = check_image(self._path(rel), rel, self.limits)
        mime = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}[info.format]
        return _copied(self._path(rel), mime, width=info.width, height=info.height)

    def _captions(self, rel: str) -> Asset:
        path = self._path(rel)
        check_captions(path, rel, self.limits)
        return _copied(path, "text/vtt")


def _collect(problems: list[Problem], make: Callable[[str], Asset], rel: str | None) -> Asset | None:
    """``make(rel)`` for an optional file: None when there is none, or when it has problems (kept)."""
    if rel is None:
        return None
    try:
        return make(rel)
    except MediaError as exc:
        problems += exc.problems
        return None


def _one(result: dict, role: str) -> dict:
    return next(o for o in result["outputs"] if o["role"] == role)


def _stem(rel: str) -> str:
    """A URL-safe file name stem: letters, digits, '-', '_' and '.' only."""
    stem = PurePosixPath(rel).stem
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "media"


def _asset(output: dict, name: str) -> Asset:
    return Asset(
        source=Path(output["path"]),
        href=f"media/{output['sha256'][:12]}-{name}",
        mime=output["mime"],
        width=output.get("width"),
        height=output.get("height"),
        bytes=output["bytes"],
        label=output.get("label"),
    )


def _copied(path: Path, mime: str, width: int | None = None, height: int | None = None) -> Asset:
    """A course file used as it is; its href still carries its content hash."""
    digest = jobmaker.file_sha256(path)
    name = f"{_stem(path.name)}{path.suffix.lower()}"
    return Asset(
        source=path,
        href=f"media/{digest[:12]}-{name}",
        mime=mime,
        width=width,
        height=height,
        bytes=path.stat().st_size,
    )


def _hls(made: dict, stem: str) -> tuple[Asset | None, list[Asset]]:
    """The master playlist and every file under it, keeping their relative layout in the package."""
    master = next((o for o in made["outputs"] if o["role"] == "hls"), None)
    if master is None:
        return None, []
    folder = f"media/{made['key'][:12]}-{stem}-hls"

    def place(o: dict) -> Asset:
        rel = PurePosixPath(o["file"]).relative_to("hls")
        return Asset(source=Path(o["path"]), href=f"{folder}/{rel}", mime=o["mime"], bytes=o["bytes"])

    return place(master), [place(o) for o in made["outputs"] if o["role"] == "hls_part"]
