"""Media jobs as plain data, and the one function that carries a job out.

A job says what to make (kind), from what (input file and its SHA-256, or a script), how
(settings) and with which tools (encoder versions). That is all the cache key needs: the same
bytes made the same way by the same encoder give the same outputs, wherever and whenever the job
runs. Jobs are JSON dicts so that a runner can ship them to another process or machine;
``run_job`` is what every runner calls.

A job's input is a path on the machine that made the job, or, for a job sent to workers from a
course kept as blobs, the blob named by content alone (its SHA-256 and storage key, no path):
the worker fetches it from its own storage settings into its own cache (``media.stored_inputs``),
so it needs no course files, only the same storage.

Job dict (``Job.to_dict()``)::

    {"schema": 2, "kind": "video_renditions" | "narration_loudnorm" | "tts" | "image_sizes",
     "label": "media/intro.mp4",          # the file as the author names it; messages and progress use it
     "input": "/abs/path/intro.mp4" | None,   # None for tts (the script is in settings) and blobs
     "input_sha256": "<hex>",             # of the input bytes (of the script text for tts)
     "input_key": "blobs/ab/<hex>" | None,   # the input's blob in storage; not part of the key
     "settings": {...},                   # everything that shapes the outputs
     "encoder": {"ffmpeg": "5.1.9-0+deb12u1", ...},
     "limits": {"max_bytes", "max_duration", "max_pixels", "timeout"},   # not part of the key
     "input_stat": [size, mtime_ns, ctime_ns, inode] | None}   # when hashed; not part of the key

Result dict (``run_job``)::

    {"key", "kind", "label", "dir": "<cache folder of this job>", "duration": float | None,
     "cached": bool,
     "outputs": [{"role": "rendition" | "poster" | "audio" | "captions" | "image" | "fallback"
                          | "hls" | "hls_part",
                  "file": "720p.mp4" (relative to dir), "path": "<absolute>", "mime", "bytes",
                  "sha256", "width", "height", "label"}]}
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import PIL

from courses.source import StoredFile
from media import audio, images, tts, video
from media.cache import Cache
from media.errors import MediaError
from media.probe import Limits, check_file
from media.progress import FractionCallback
from media.stored_inputs import stored_input
from media.tools import Deadline, JobContext, version

JOB_SCHEMA = 2
CHANGED = "the file changed while the course was being built; build again"
RACY_SECONDS = 2.0
"""A file written this recently when it was hashed may be written again within the same timestamp
tick (some filesystems keep whole seconds), unseen by its stat: such a job hashes it again."""
Handler = Callable[..., dict]
"""Called as ``handler(src, settings, limits, ctx)``; ``src`` is the input file, None for speech."""


def _speak(src: Path | None, settings: dict, limits: Limits, ctx: JobContext) -> dict:
    return tts.speak(settings["script"], settings, ctx)


HANDLERS: dict[str, Handler] = {
    "video_renditions": video.make_renditions,
    "narration_loudnorm": audio.normalise_narration,
    "tts": _speak,
    "image_sizes": images.make_sizes,
}


@dataclass(frozen=True)
class Job:
    kind: str
    label: str
    input: str | None
    input_sha256: str
    settings: dict = field(default_factory=dict)
    encoder: dict = field(default_factory=dict)
    limits: dict = field(default_factory=dict)
    input_stat: list[int] | None = None
    schema: int = JOB_SCHEMA
    input_key: str | None = None
    """The storage key of the input's blob (whose name is ``input_sha256``), for a job whose
    course keeps its files in storage; ``input`` is then None."""

    def key(self) -> str:
        """SHA-256 of what determines the outputs: input bytes, settings, encoder, schema."""
        identity = {
            "schema": self.schema,
            "kind": self.kind,
            "input_sha256": self.input_sha256,
            "settings": self.settings,
            "encoder": self.encoder,
        }
        return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Job:
        if data.get("schema") != JOB_SCHEMA:
            raise ValueError(
                f"media job schema {data.get('schema')!r} is not {JOB_SCHEMA}; "
                "the worker runs a different courseforge version"
            )
        if data.get("kind") not in HANDLERS:
            raise ValueError(f"unknown media job kind {data.get('kind')!r}")
        return cls(
            **{
                k: data[k]
                for k in (
                    "kind",
                    "label",
                    "input",
                    "input_sha256",
                    "settings",
                    "encoder",
                    "limits",
                    "input_stat",
                    "schema",
                )
            },
            input_key=data.get("input_key"),  # a builder of an earlier version sends none
        )


# --------------------------------------------------------------------------- building jobs
def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(path: Path) -> list[int]:
    """Size, modification and change times, inode: any write changes the change time, which
    nothing can set back, so an equal fingerprint means the bytes that were hashed."""
    info = path.stat()
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


Input = Path | StoredFile
"""A job's input: a file on this machine, or a course's blob (by content, fetched where it runs)."""


def _file_job(kind: str, path: Input, label: str, settings: dict, encoder: dict, limits: Limits) -> Job:
    """A file is hashed here, once per build; the job carries the fingerprint of what was hashed.
    A blob is not read at all: its name is its hash, and the machine running the job fetches it."""
    if isinstance(path, StoredFile):
        return Job(kind, label, None, path.sha256, settings, encoder, limits.to_dict(), input_key=path.key)
    check_file(path, label, limits)  # before hashing: reading a pipe or a device would never end
    before = fingerprint(path)
    digest = file_sha256(path)
    stamp = fingerprint(path)
    if stamp != before:
        raise MediaError.of(label, CHANGED)
    settled = time.time_ns() - max(stamp[1], stamp[2]) >= RACY_SECONDS * 1e9
    return Job(
        kind, label, str(path.resolve()), digest, settings, encoder, limits.to_dict(), stamp if settled else None
    )


def _ffmpeg() -> dict:
    return {"ffmpeg": version("ffmpeg")}


def renditions_job(path: Input, label: str, limits: Limits, hls: bool = False, poster: bool = True) -> Job:
    """Every output of a video; ``poster=False`` when the author supplies the poster image."""
    settings = {**video.DEFAULTS, "hls": hls}
    if not poster:
        settings["poster"] = None
    return _file_job("video_renditions", path, label, settings, _ffmpeg(), limits)


def narration_job(path: Input, label: str, limits: Limits) -> Job:
    return _file_job("narration_loudnorm", path, label, dict(audio.DEFAULTS), _ffmpeg(), limits)


def image_job(path: Input, label: str, limits: Limits) -> Job:
    return _file_job("image_sizes", path, label, dict(images.DEFAULTS), {"pillow": PIL.__version__}, limits)


def tts_job(script: str, label: str, voice: str, speed: int, limits: Limits, engine: str = "espeak-ng") -> Job:
    if engine not in tts.ENGINES:
        raise MediaError.of(label, f"unknown speech engine '{engine}' (known: {', '.join(sorted(tts.ENGINES))})")
    settings = {**tts.DEFAULTS, "engine": engine, "voice": voice, "speed": speed, "script": script}
    encoder = {**_ffmpeg(), settings["engine"]: version(settings["engine"])}
    return Job("tts", label, None, hashlib.sha256(script.encode()).hexdigest(), settings, encoder, limits.to_dict())


# --------------------------------------------------------------------------- running jobs
def run_job(
    job: dict,
    progress: FractionCallback | None = None,
    cache_dir: Path | None = None,
    storage_url: str | None = None,
) -> dict:
    """Make (or find in the cache) the outputs of one job; raise ``MediaError`` naming the file if it cannot.

    A cache hit starts no process (and fetches nothing). A miss builds in a scratch folder under
    the cache and publishes it atomically, so no caller ever sees half a job, whatever happens
    mid-way. ``storage_url`` (the runner passes its settings' COURSEFORGE_STORAGE_URL) is where
    a blob input is fetched from; both default to the environment's settings.
    """
    spec = Job.from_dict(job)
    if cache_dir is None or storage_url is None:
        from settings import get_settings

        cache_dir = cache_dir or get_settings().cache_dir
        storage_url = storage_url or get_settings().storage_url
    cache = Cache(cache_dir)
    key = spec.key()
    found = cache.lookup(key)
    if found is None:
        found = cache.make(key, lambda scratch: _build(spec, key, scratch, progress, cache.root, storage_url))
        found["cached"] = False
    else:
        found["cached"] = True
    if progress:
        progress(1.0)
    for entry in found["outputs"]:
        entry["path"] = str(Path(found["dir"]) / entry["file"])
    return found


def _build(
    spec: Job, key: str, scratch: Path, progress: FractionCallback | None, cache_root: Path, storage_url: str
) -> dict:
    limits = Limits.from_dict(spec.limits)
    src = Path(spec.input) if spec.input else None
    if spec.input_key is not None:
        src = stored_input(spec.label, spec.input_key, spec.input_sha256, storage_url, cache_root, limits)
        check_file(src, spec.label, limits)
    elif src is not None:
        check_file(src, spec.label, limits)
        at_start = _unchanged(src, spec, spec.input_stat)
    ctx = JobContext(spec.label, scratch, Deadline(limits.timeout), progress)
    made = HANDLERS[spec.kind](src, spec.settings, limits, ctx)
    # A file rewritten mid-encode must not be cached under its old bytes either (a fetched blob
    # is the job's own copy, checked as it arrived).
    if spec.input_key is None and src is not None:
        _unchanged(src, spec, at_start)
    outputs = []
    for entry in made["outputs"]:
        path = scratch / entry["file"]
        outputs.append(
            {
                "width": None,
                "height": None,
                "label": None,
                **entry,
                "bytes": path.stat().st_size,
                "sha256": file_sha256(path),
            }
        )
    return {"key": key, "kind": spec.kind, "label": spec.label, "duration": made.get("duration"), "outputs": outputs}


def _unchanged(src: Path, spec: Job, known: list[int] | None) -> list[int]:
    """Raise unless ``src`` still holds the bytes the job's key names; return its fingerprint.

    The file is read again only when its fingerprint is not ``known`` (on a worker that sees it
    through another mount, say), so a settled file is hashed once per build, when its job is made.
    """
    now = fingerprint(src)
    if now != known and file_sha256(src) != spec.input_sha256:
        raise MediaError.of(spec.label, CHANGED)
    return now
