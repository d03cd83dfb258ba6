"""`python -m bench.editor`: the course editor under 50 authors, the weight of its course page,
and that page's load on a tablet.

1. **Block saves**: the editor under gunicorn (``bench.editor_app``: the shipped app plus one
   bare-write route) on a loopback port, on SQLite and on PostgreSQL, data in a temporary folder.
   ``--authors`` accounts with API tokens each save their own text block with the revision they
   last got back, back to back (or ``--pace`` s apart), for ``--seconds``; in two layouts: each
   author in a course of their own (made from the starter template), and one course shared by
   all, a block each (every save then appends a revision of the same course, merged onto the
   others'). The same authors then write the same JSON bodies through the bare route. Figures:
   requests/s, p50/p95/p99, the save p95 / bare p95 ratio (goal <= 1.5), every 409 and 5xx, and
   the lost edits (goal 0): each block's Markdown read back at the end must be the last value
   its author got a 200 for; in the shared course every 200 must have its own revision number.
2. **Asset weight**: signed in, the course page of the sample course (imported through the API);
   every same-origin script and stylesheet it references (and their static imports), each
   compressed with gzip -9 and brotli; goal <= 150 KB (150,000 bytes) in gzip.
3. **Tablet load**: Chromium with the iPad (gen 7) descriptor, the CPU throttled 4x and a Wi-Fi
   tablet's network (``TABLET_NETWORK``); from navigation to DOMContentLoaded, load and usable
   (the page's ``editor-ready`` mark if it sets one, else the first frame after DOMContentLoaded
   with an editable field visible and enabled); medians of ``--loads`` cold and warm loads;
   goal under 2 s.

Figures go to stdout and bench/results/editor-<UTC time>.json, with the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import html.parser
import http.cookiejar
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bench.load import BUCKET_MS, ConnectionClosed, Tally, loop_lag, percentile
from deploy import processes
from deploy.postgres import fresh_database, postgres_server
from deploy.processes import Started

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
SAMPLE = REPO / "courses" / "samples" / "security-basics"
PASSWORD = "bench password, not secret"
GOALS = {"save_vs_bare_p95": 1.5, "lost_edits": 0, "assets_gzip_bytes": 150_000, "tablet_usable_s": 2.0}
TABLET_NETWORK = {"latency_ms": 40, "down_mbit_s": 20, "up_mbit_s": 5}
"""A good tablet on office Wi-Fi: 20 Mbit/s down, 5 Mbit/s up, 40 ms round trip."""
CPU_SLOWDOWN = 4
REQUEST_TIMEOUT = 30.0
LAYOUTS = ("own", "shared")
KINDS = ("bare", "save")
PER_PAGE = 5  # text blocks on each page of the shared course


# ------------------------------------------------------------------------------- HTTP client
async def read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    """A response's status and header fields (names in lower case). ``ConnectionClosed`` when the
    server closed a kept-alive connection before answering, so the caller may reconnect once."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as error:
        if not error.partial:
            raise ConnectionClosed() from None
        raise
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    fields = {}
    for line in header_lines:
        if ":" in line:
            name, value = line.split(":", 1)
            fields[name.strip().lower()] = value.strip()
    return int(status_line.split(" ", 2)[1]), fields


async def read_body(reader: asyncio.StreamReader, fields: dict[str, str]) -> bytes:
    """The response body after ``read_head``: chunked or of its Content-Length."""
    if fields.get("transfer-encoding", "").lower() != "chunked":
        return await reader.readexactly(int(fields.get("content-length", "0")))
    parts = []
    while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
        parts.append((await reader.readexactly(size + 2))[:-2])
    await reader.readuntil(b"\r\n")
    return b"".join(parts)


class Client:
    """One author's keep-alive HTTP/1.1 connection (a browser tab's), any method, with a body,
    answers read whole; a kept-alive connection the server had closed is reopened once."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.connections = 0

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def call(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        reused = self.writer is not None
        if not reused:
            await self._open()
        try:
            return await self._exchange(method, path, body)
        except (ConnectionClosed, ConnectionResetError, BrokenPipeError):
            self.close()
            if not reused:
                raise
            await self._open()
            return await self._exchange(method, path, body)

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.connections += 1

    async def _exchange(self, method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: 127.0.0.1:{self.port}",
            f"Authorization: Bearer {self.token}",
            "Accept: application/json",
        ]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b""))
        status, fields = await read_head(self.reader)
        data = await read_body(self.reader, fields)
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, data


# ------------------------------------------------------------------------------- the editor
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def bench_settings(data: Path, database_url: str) -> Any:
    from settings import Settings

    return Settings(
        data_dir=data, storage_url=str(data / "storage"), database_url=database_url, cache_dir=data / "cache"
    )


@dataclass
class Served:
    """An editor under gunicorn on a loopback port."""

    url: str
    port: int
    process: Started
    log: Path


def serve(data: Path, database_url: str, args: argparse.Namespace) -> Served:
    """gunicorn running ``bench.editor_app`` on ``data`` (prepared by ``prepare`` first, so the
    workers find the schema, secret key and bench table made)."""
    port = free_port()
    log = data / "gunicorn.log"
    env = {name: value for name, value in os.environ.items() if not name.startswith("COURSEFORGE_")}
    env |= {
        "COURSEFORGE_DATA_DIR": str(data),
        "COURSEFORGE_STORAGE_URL": str(data / "storage"),
        "COURSEFORGE_DATABASE_URL": database_url,
        "COURSEFORGE_CACHE_DIR": str(data / "cache"),
    }
    argv = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--chdir",
        str(REPO),
        "--name",
        "courseforge-bench-editor",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        *(["--threads", str(args.threads)] if args.worker_class == "gthread" else []),  # threads > 1 means gthread
        "--keep-alive",
        "75",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-file",
        str(log),
        "bench.editor_app:create_bench_app()",
    ]
    served = Served(
        f"http://127.0.0.1:{port}", port, processes.start("bench-editor", argv, data / "gunicorn.out", env), log
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(served.url + "/signin", timeout=5) as answer:
            if answer.status == 200:
                return served
        if not processes.alive(served.process):
            break
        time.sleep(0.2)
    stop(served)
    raise SystemExit(f"bench: the editor did not start; see {data / 'gunicorn.out'} and {log}")


def server_cpu(served: Served) -> float:
    """CPU seconds used so far by the gunicorn master and its workers (user and system)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for process in [served.process, *processes.children(served.process)]:
        with contextlib.suppress(OSError):
            stat = Path(f"/proc/{process.pid}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()  # after the command name, which may hold spaces
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def stop(served: Served) -> None:
    processes.stop(served.process, signal.SIGINT)


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """A fresh database on a PostgreSQL server of its own on loopback (``deploy.postgres``), with
    fsync on, as SQLite has it: both pay for durable commits."""
    with postgres_server(durable=True) as base, fresh_database(base) as url:
        yield url


# ------------------------------------------------------------------------------- part 1: saves
@dataclass
class Author:
    """One author, the block they edit and what they were told about it."""

    number: int
    token: str
    course_id: int
    block_id: str
    base: int
    sent: int = 0
    acked: dict[str, str | None] = field(default_factory=lambda: {kind: None for kind in KINDS})
    unanswered: dict[str, list[str]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    revisions: list[int] = field(default_factory=list)  # revision numbers of the saves that made one

    def key(self, layout: str) -> str:
        return f"{layout}-{self.number}"


def shared_course_folder(folder: Path, blocks: int) -> Path:
    """One course with a text block (Markdown in its own file) for each author, five a page."""
    (folder / "text").mkdir(parents=True)
    pages = []
    for first in range(0, blocks, PER_PAGE):
        page_blocks = []
        for number in range(first, min(blocks, first + PER_PAGE)):
            name = f"text/b-{number:03d}.md"
            (folder / name).write_text(f"## Part {number}\n\nNotes for part {number}.\n", encoding="utf-8")
            page_blocks.append({"type": "text", "id": f"b-{number:03d}", "file": name})
        pages.append({"id": f"p-{first // PER_PAGE:03d}", "title": f"Parts {first}+", "blocks": page_blocks})
    course = {
        "id": "bench-shared",
        "title": "One course shared by every author",
        "sections": [{"id": "s-all", "title": "All parts", "pages": pages}],
    }
    (folder / "course.yaml").write_text(yaml.safe_dump(course, sort_keys=False), encoding="utf-8")
    return folder


def prepare(data: Path, database_url: str, authors: int, layouts: list[str]) -> dict[str, list[Author]]:
    """Migrate the database (through the bench app, which also makes its table), make the
    accounts and courses of each layout, and return the authors of each."""
    from authoring.accounts import add_user, issue_token
    from authoring.context import EXTENSION
    from authoring.course_store import import_course_folder, new_course
    from authoring.models import CourseShare
    from authoring.revisions import head_snapshot
    from bench.editor_app import create_bench_app

    app = create_bench_app(bench_settings(data, database_url))
    state = app.extensions[EXTENSION]
    session = state.database.session()
    made: dict[str, list[Author]] = {}
    try:
        users = [add_user(session, f"author-{n:03d}@bench.example", "author", None) for n in range(authors)]
        tokens = [issue_token(session, user) for user in users]
        session.commit()
        if "own" in layouts:
            made["own"] = []
            for number, (user, token) in enumerate(zip(users, tokens)):
                record = new_course(session, user, f"Course of author {number}", state.blobs)
                pages = head_snapshot(session, record).course().pages()
                text = next(b for p in pages for b in p.blocks if b.type == "text")
                made["own"].append(Author(number, token, record.id, text.id, record.head))
        if "shared" in layouts:
            folder = shared_course_folder(data / "shared-course-source", authors)
            record = import_course_folder(session, users[0], folder, state.blobs)
            session.add_all(CourseShare(course_id=record.id, user_id=user.id, can_edit=True) for user in users[1:])
            session.commit()
            made["shared"] = [
                Author(number, token, record.id, f"b-{number:03d}", record.head) for number, token in enumerate(tokens)
            ]
    finally:
        session.close()
        state.database.engine.dispose()
    return made


FILLER = (
    "Phishing messages try to rush you: a deadline, a locked account, a parcel that cannot be "
    "delivered. Stop, look at the sender's address and hover over the link before you click. "
)


def markdown_for(author: Author) -> str:
    """A text block of about 800 bytes, different at every save."""
    return f"## Notes of author {author.number}\n\nSave {author.sent}.\n\n" + FILLER * 4


async def write_loop(
    author: Author,
    client: Client,
    kind: str,
    layout: str,
    stop_at: float,
    limit: int,
    pace: float,
    tally: Tally,
    merged: Counter[str],
) -> None:
    """One author saving back to back (or ``pace`` s apart) until ``stop_at`` or ``limit`` writes."""
    path = (
        f"/api/courses/{author.course_id}/blocks/{author.block_id}/markdown"
        if kind == "save"
        else f"/bench/bare-write/{author.key(layout)}"
    )
    pacing = random.Random(author.number)
    if pace:  # paced authors start spread over one pause, not all in the same instant
        await asyncio.sleep(pacing.uniform(0, pace))
    done = 0
    while time.monotonic() < stop_at and done < limit:
        done += 1
        author.sent += 1
        text = markdown_for(author)
        body = json.dumps({"base_revision": author.base, "markdown": text}).encode()
        began = time.monotonic()
        tally.offered += 1
        try:
            status, data = await asyncio.wait_for(client.call("PUT", path, body), REQUEST_TIMEOUT)
        except (OSError, asyncio.IncompleteReadError, ConnectionClosed, TimeoutError, ValueError) as error:
            client.close()
            tally.errors[type(error).__name__] += 1
            author.unanswered[kind].append(text)
            continue
        tally.requests += 1
        tally.latency[int((time.monotonic() - began) * 1000 / BUCKET_MS)] += 1
        tally.statuses[str(status)] += 1
        if status == 200:
            author.acked[kind] = text
            if kind == "save":
                answer = json.loads(data)
                author.base = int(answer["revision"])
                merged["merged" if answer["merged"] else "onto its base"] += 1
                if answer["saved"]:
                    author.revisions.append(author.base)
        elif status == 409:
            tally.errors["409 on the author's own block"] += 1
        elif status == 503:
            tally.errors["503 being saved by others"] += 1
        else:
            tally.errors[f"status {status}"] += 1
        if pace:
            await asyncio.sleep(pace * pacing.uniform(0.5, 1.5))


@dataclass
class Run:
    """One timed run of one kind of write by every author: what the generator counted."""

    tally: Tally
    seconds: float
    merged: Counter[str]
    connections: int
    cancelled: int
    server_cpu_s: float = 0.0
    generator_cpu_s: float = 0.0


async def write_run(
    port: int, authors: list[Author], kind: str, layout: str, seconds: float, limit: int, pace: float
) -> Run:
    """Every author writing at once; bounded by ``seconds``, ``limit`` writes each and a deadline."""
    tally = Tally(started=time.time())
    merged: Counter[str] = Counter()
    clients = [Client(port, author.token) for author in authors]
    stop_lag = asyncio.Event()
    lag = asyncio.create_task(loop_lag(tally, stop_lag))
    began = time.monotonic()
    stop_at = began + seconds
    tasks = [
        asyncio.create_task(write_loop(a, c, kind, layout, stop_at, limit, pace, tally, merged))
        for a, c in zip(authors, clients)
    ]
    _, late = await asyncio.wait(tasks, timeout=seconds + REQUEST_TIMEOUT + 30)
    for task in late:
        task.cancel()
    spent = time.monotonic() - began
    stop_lag.set()
    await lag
    for client in clients:
        client.close()
    return Run(tally, spent, merged, sum(c.connections for c in clients), len(late))


def pooled(kind: str, layout: str, authors: int, runs: list[Run]) -> dict[str, Any]:
    """The figures of one kind of write over its rounds: latencies, statuses and CPU pooled."""
    latency: Counter[int] = Counter()
    statuses: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    merged: Counter[str] = Counter()
    for run in runs:
        latency.update(run.tally.latency)
        statuses.update(run.tally.statuses)
        errors.update(run.tally.errors)
        merged.update(run.merged)
    spent = sum(run.seconds for run in runs)
    requests = sum(run.tally.requests for run in runs)
    ok = statuses.get("200", 0)
    return {
        "kind": kind,
        "layout": layout,
        "authors": authors,
        "rounds": len(runs),
        "seconds": round(spent, 2),
        "requests": requests,
        "ok": ok,
        "requests_per_s": round(requests / spent, 1),
        "ok_per_s": round(ok / spent, 1),
        "p50_ms": round(percentile(latency, 0.50), 1),
        "p95_ms": round(percentile(latency, 0.95), 1),
        "p99_ms": round(percentile(latency, 0.99), 1),
        "max_ms": round(max(latency, default=0) * BUCKET_MS, 1),
        "p95_ms_by_round": [round(percentile(run.tally.latency, 0.95), 1) for run in runs],
        "statuses": dict(statuses),
        "failures": dict(errors),
        "merged": dict(merged),
        "connections": sum(run.connections for run in runs),
        "cancelled_at_deadline": sum(run.cancelled for run in runs),
        "loop_lag_max_ms": max((max(run.tally.lag_ms, default=0) for run in runs), default=0),
        "server_cpu_ms_per_request": round(sum(r.server_cpu_s for r in runs) * 1000 / max(1, requests), 2),
        "server_cores_busy": round(sum(r.server_cpu_s for r in runs) / spent, 2),
        "generator_cores_busy": round(sum(r.generator_cpu_s for r in runs) / spent, 2),
    }


async def read_back(port: int, authors: list[Author]) -> dict[str, Any]:
    """Each block's Markdown at the end against the last value its author got a 200 for; in a
    shared course, whether every 200 that made a revision got a number of its own and the head
    counts exactly those revisions."""
    outcome: Counter[str] = Counter()
    lost: list[dict[str, Any]] = []
    heads: dict[int, int] = {}
    for author in authors:
        client = Client(port, author.token)
        status, data = await client.call("GET", f"/api/courses/{author.course_id}/blocks/{author.block_id}")
        if author.course_id not in heads:
            _, course = await client.call("GET", f"/api/courses/{author.course_id}")
            heads[author.course_id] = int(json.loads(course)["head_revision"])
        client.close()
        now = json.loads(data)["markdown"] if status == 200 else None
        verdict = judge(now, author.acked["save"], author.unanswered["save"])
        outcome[verdict] += 1
        if verdict == "lost":
            lost.append({"author": author.number, "block": author.block_id, "status": status})
    return {**dict(outcome), **revision_check(authors, heads), "lost_examples": lost[:5]}


def revision_check(authors: list[Author], heads: dict[int, int]) -> dict[str, Any]:
    numbers: dict[int, list[int]] = {}
    for author in authors:
        numbers.setdefault(author.course_id, []).extend(author.revisions)
    duplicates = sum(len(found) - len(set(found)) for found in numbers.values())
    unanswered = sum(len(a.unanswered["save"]) for a in authors)
    # Revision 1 is the import or creation; every later one must be a save some author got a 200 for.
    uncounted = sum(heads[course] - 1 - len(found) for course, found in numbers.items())
    return {"revision_numbers_given_twice": duplicates, "revisions_without_a_200": uncounted, "unanswered": unanswered}


def judge(now: str | None, acked: str | None, unanswered: list[str]) -> str:
    """What became of an author's edits: the stored value is the last one acknowledged (kept),
    one sent but never answered (the client cannot know, so not counted lost), or neither."""
    if acked is None or now == acked:
        return "kept"
    if now in unanswered:
        return "a write whose answer never came, applied"
    return "lost"


def bare_read_back(data: Path, database_url: str, authors: list[Author], layout: str) -> dict[str, Any]:
    """The bare table's rows against the last body each author got a 200 for."""
    from sqlalchemy import select

    from authoring.database import make_engine
    from bench.editor_app import bare_writes

    engine = make_engine(database_url or f"sqlite:///{data / 'editor.db'}")
    try:
        with engine.connect() as connection:
            rows = {key: body for key, body in connection.execute(select(bare_writes.c.key, bare_writes.c.body))}
    finally:
        engine.dispose()
    outcome: Counter[str] = Counter()
    for author in authors:
        body = rows.get(author.key(layout))
        now = None if body is None else json.loads(body)["markdown"]
        outcome[judge(now, author.acked["bare"], author.unanswered["bare"])] += 1
    return dict(outcome)


def saves_on(database: str, database_url: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    data = work / f"editor-{database}"
    started = time.perf_counter()
    made = prepare(data, database_url, args.authors, args.layouts)
    prepared_s = time.perf_counter() - started
    served = serve(data, database_url, args)
    figures: dict[str, Any] = {"database": database, "prepare_s": round(prepared_s, 1), "layouts": {}}
    try:
        for layout in args.layouts:
            authors = made[layout]
            rounds: dict[str, list[Run]] = {kind: [] for kind in KINDS}
            for kind in KINDS:
                asyncio.run(write_run(served.port, authors, kind, layout, REQUEST_TIMEOUT, 1, 0))  # warm-up: one each
            for number in range(args.rounds):
                # Alternating which goes first, so a change in the machine's load falls on both.
                for kind in KINDS if number % 2 == 0 else KINDS[::-1]:
                    load_before = os.getloadavg()[0]
                    server_before, own_before = server_cpu(served), time.process_time()
                    run = asyncio.run(
                        write_run(served.port, authors, kind, layout, args.seconds / args.rounds, args.saves, args.pace)
                    )
                    run.server_cpu_s = server_cpu(served) - server_before
                    run.generator_cpu_s = time.process_time() - own_before
                    rounds[kind].append(run)
                    print(
                        f"  {database} {layout} {kind} round {number + 1}: {run.tally.statuses.get('200', 0)} ok, "
                        f"p95 {percentile(run.tally.latency, 0.95):.1f} ms (load {load_before:.1f})",
                        flush=True,
                    )
            runs = {kind: pooled(kind, layout, len(authors), rounds[kind]) for kind in KINDS}
            for kind in KINDS:
                print(f"  {database} {layout} {kind}: {brief(runs[kind])}", flush=True)
            check = {
                "save": asyncio.run(read_back(served.port, authors)),
                "bare": bare_read_back(data, database_url, authors, layout),
            }
            print(f"  {database} {layout} read back: {json.dumps(check)}", flush=True)
            bare_p95 = runs["bare"]["p95_ms"]
            figures["layouts"][layout] = {
                **runs,
                "read_back": check,
                "save_vs_bare_p95": round(runs["save"]["p95_ms"] / bare_p95, 2) if bare_p95 else None,
            }
    finally:
        stop(served)
    return figures


def brief(run: dict[str, Any]) -> str:
    return (
        f"{run['ok_per_s']}/s ok of {run['requests_per_s']}/s, p50 {run['p50_ms']} ms, p95 {run['p95_ms']} ms, "
        f"p99 {run['p99_ms']} ms, statuses {run['statuses']}, failures {run['failures'] or 'none'}"
    )


def saves_part(args: argparse.Namespace, work: Path) -> list[dict[str, Any]]:
    figures = []
    for database in args.databases:
        if database == "postgresql":
            with postgres() as url:
                figures.append(saves_on(database, url, args, work))
        else:
            figures.append(saves_on(database, "", args, work))
    return figures


# ------------------------------------------------------------------------------- part 2: assets
def sample_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(SAMPLE.rglob("*")):
            if path.is_file():
                archive.write(path, f"security-basics/{path.relative_to(SAMPLE).as_posix()}")
    return out.getvalue()


@contextlib.contextmanager
def page_editor(work: Path, args: argparse.Namespace) -> Iterator[tuple[Served, str]]:
    """A fresh SQLite editor with one author (password and token) who imported the sample
    course through the API: the served editor and the course page's URL, stopped at the end."""
    from authoring.accounts import add_user, issue_token
    from authoring.context import EXTENSION
    from bench.editor_app import create_bench_app

    data = work / "editor-page"
    app = create_bench_app(bench_settings(data, ""))
    database = app.extensions[EXTENSION].database
    session = database.session()
    try:
        token = issue_token(session, add_user(session, "page@bench.example", "author", PASSWORD))
        session.commit()
    finally:
        session.close()
        database.engine.dispose()
    served = serve(data, "", args)
    boundary = "bench-boundary-7d1f"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="security-basics.zip"\r\n'
            f"Content-Type: application/zip\r\n\r\n"
        ).encode()
        + sample_zip()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    imported = urllib.request.Request(
        served.url + "/api/courses/import",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    try:
        try:
            with urllib.request.urlopen(imported, timeout=120) as answer:
                course_id = json.loads(answer.read())["id"]
        except urllib.error.HTTPError as error:
            raise SystemExit(
                f"bench: importing the sample course failed: {error.code} {error.read()[:500]!r}"
            ) from None
        yield served, f"{served.url}/courses/{course_id}"
    finally:
        stop(served)


def signed_in(url: str) -> urllib.request.OpenerDirector:
    """A cookie-keeping opener signed in through the sign-in form, as a browser is."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(url + "/signin", timeout=30).read().decode()
    found = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', page
    )
    if found is None:
        raise SystemExit("bench: the sign-in page has no CSRF token")
    form = urllib.parse.urlencode({"email": "page@bench.example", "password": PASSWORD, "csrf_token": found.group(1)})
    answer = opener.open(url + "/signin", data=form.encode(), timeout=30)
    if not answer.geturl().endswith("/courses"):
        raise SystemExit(f"bench: signing in failed (ended at {answer.geturl()})")
    return opener


class References(html.parser.HTMLParser):
    """The scripts and stylesheets a page names: script src, stylesheet, preload and
    modulepreload links."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        rel = set(values.get("rel", "").lower().split())
        if tag == "script" and values.get("src"):
            self.found.append(("script", values["src"]))
        elif tag == "link" and values.get("href"):
            if "stylesheet" in rel or (rel & {"preload", "prefetch"} and values.get("as") == "style"):
                self.found.append(("style", values["href"]))
            elif "modulepreload" in rel or (rel & {"preload", "prefetch"} and values.get("as") == "script"):
                self.found.append(("script", values["href"]))


JS_IMPORTS = re.compile(
    r"""(?:\bimport\s*(?:[\w$*{}\s,]+?\s*from\s*)?|\bexport\s*[\w$*{}\s,]*?\s*from\s*|\bimport\s*\(\s*)["']([^"'\s]+)["']"""
)
CSS_IMPORTS = re.compile(r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]+)""")


def nested(kind: str, text: str) -> list[str]:
    """What a script imports (static and literal dynamic imports) or a stylesheet @imports;
    only paths, since a bare module name cannot be loaded by a browser without an import map."""
    pattern = JS_IMPORTS if kind == "script" else CSS_IMPORTS
    return [found for found in pattern.findall(text) if found.startswith(("/", "./", "../", "http"))]


def brotli_size(data: bytes) -> int | None:
    """Size at brotli's best quality, by the module when installed, else the binary, else None."""
    try:
        import brotli
    except ImportError:
        binary = shutil.which("brotli")
        if binary is None:
            return None
        return len(subprocess.run([binary, "-c", "-q", "11"], input=data, capture_output=True, check=True).stdout)
    return len(brotli.compress(data, quality=11))


def assets_part(served: Served, page_url: str) -> dict[str, Any]:
    """Every same-origin script and stylesheet the signed-in course page loads, and its weight."""
    opener = signed_in(served.url)
    page = opener.open(page_url, timeout=30).read()
    parser = References()
    parser.feed(page.decode("utf-8"))
    queue = [(kind, urllib.parse.urljoin(page_url, ref)) for kind, ref in parser.found]
    origin = urllib.parse.urlsplit(page_url).netloc
    files: dict[str, dict[str, Any]] = {}
    others = []
    while queue:
        kind, url = queue.pop(0)
        url = urllib.parse.urldefrag(url).url
        if urllib.parse.urlsplit(url).netloc != origin:
            others.append(url)
            continue
        path = urllib.parse.urlsplit(url).path
        if path in files:
            continue
        asked = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
        try:
            with opener.open(asked, timeout=30) as answer:
                data = answer.read()
        except urllib.error.HTTPError as error:
            files[path] = {"kind": kind, "status": error.code}
            continue
        files[path] = {
            "kind": kind,
            "status": 200,
            "bytes": len(data),
            "gzip9": len(gzip.compress(data, compresslevel=9, mtime=0)),
            "brotli11": brotli_size(data),
            "wire_bytes": wire_size(opener, url),
        }
        queue += [(kind, urllib.parse.urljoin(url, ref)) for ref in nested(kind, data.decode("utf-8", "replace"))]
    fetched = [f for f in files.values() if f["status"] == 200]
    total_gzip = sum(f["gzip9"] for f in fetched)
    brotlis = [f["brotli11"] for f in fetched]
    return {
        "page": urllib.parse.urlsplit(page_url).path,
        "page_bytes": len(page),
        "page_gzip9": len(gzip.compress(page, compresslevel=9, mtime=0)),
        "files": files,
        "other_origins": others,
        "total_bytes": sum(f["bytes"] for f in fetched),
        "total_gzip9": total_gzip,
        "total_brotli11": None if None in brotlis else sum(b for b in brotlis if b is not None),
        "total_wire_bytes": sum(f["wire_bytes"] for f in fetched),
        "failed": [path for path, f in files.items() if f["status"] != 200],
        "goal_bytes": GOALS["assets_gzip_bytes"],
    }


def wire_size(opener: urllib.request.OpenerDirector, url: str) -> int:
    """Bytes the server sends a browser that accepts gzip and brotli (compressed or not)."""
    asked = urllib.request.Request(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    with opener.open(asked, timeout=30) as answer:
        return len(answer.read())


# ------------------------------------------------------------------------------- part 3: tablet
USABLE = """
(() => {
  const FIELDS = "textarea, [contenteditable=''], [contenteditable='true'], [contenteditable='plaintext-only']";
  let parsed = false;
  document.addEventListener("DOMContentLoaded", () => { parsed = true; });
  const usable = (el) => !el.disabled && !el.readOnly && !el.closest("[hidden], [inert]")
    && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const check = () => {
    if (parsed && [...document.querySelectorAll(FIELDS)].some(usable)) {
      window.__benchField = performance.now();
      return;
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();
"""
TIMINGS = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const marks = performance.getEntriesByType("mark").filter((m) => /ready/i.test(m.name));
  return {
    ttfb: nav.responseStart, html: nav.responseEnd, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
    field: window.__benchField ?? null,
    mark: marks.length ? {name: marks[0].name, at: marks[0].startTime} : null,
    resources: performance.getEntriesByType("resource").map((r) => (
      {name: r.name, type: r.initiatorType, transfer: r.transferSize, body: r.encodedBodySize, end: r.responseEnd})),
  };
}
"""


ASSET_TYPES = ("script", "link", "css")  # resource timing's initiator types of scripts and stylesheets


def throttle(cdp: Any) -> None:
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": TABLET_NETWORK["latency_ms"],
            "downloadThroughput": TABLET_NETWORK["down_mbit_s"] * 1_000_000 / 8,
            "uploadThroughput": TABLET_NETWORK["up_mbit_s"] * 1_000_000 / 8,
        },
    )


MAIN_THREAD = {
    "TaskDuration": "tasks",
    "ScriptDuration": "script",
    "RecalcStyleDuration": "style",
    "LayoutDuration": "layout",
}


def main_thread(cdp: Any) -> dict[str, float]:
    """Seconds the page's main thread has spent so far, in all and on scripts, style and layout
    (Chromium's own counters, throttled time included)."""
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {label: float(metrics.get(name, 0.0)) for name, label in MAIN_THREAD.items()}


def one_load(page: Any, url: str) -> dict[str, Any]:
    """A throttled navigation to ``url``; its timings (ms from navigation start). Predicates are
    functions, not strings: Playwright evaluates a string with eval, which the editor's CSP
    refuses (and reports as a page error)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    cdp = page.context.new_cdp_session(page)
    throttle(cdp)
    cdp.send("Performance.enable")
    before = main_thread(cdp)
    page.goto(url, wait_until="load", timeout=60_000)
    page.wait_for_function("() => window.__benchField !== undefined", timeout=30_000)
    # Main-thread time up to the load event and the field being usable, whichever came last.
    busy = {name: round((seconds - before.get(name, 0.0)) * 1000, 1) for name, seconds in main_thread(cdp).items()}
    # A readiness mark set by the page counts over the field; give a late one a moment to come.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            "() => performance.getEntriesByType('mark').some((m) => /ready/i.test(m.name))", timeout=1_000
        )
    page.wait_for_function("() => performance.getEntriesByType('navigation')[0].loadEventEnd > 0", timeout=10_000)
    timings = page.evaluate(TIMINGS)
    cdp.detach()
    usable = timings["mark"]["at"] if timings["mark"] else timings["field"]
    resources = timings["resources"]
    return {
        "first_byte_ms": round(timings["ttfb"], 1),
        "html_ms": round(timings["html"], 1),
        "assets_fetched_ms": round(max((r["end"] for r in resources if r["type"] in ASSET_TYPES), default=0), 1),
        "dcl_ms": round(timings["dcl"], 1),
        "load_ms": round(timings["load"], 1),
        "usable_ms": round(usable, 1),
        "usable_by": f"mark {timings['mark']['name']}" if timings["mark"] else "first editable field",
        "requests": len(resources) + 1,
        "from_cache": sum(1 for r in resources if r["transfer"] == 0 and r["body"] > 0),
        "transfer_bytes": sum(r["transfer"] for r in resources),
        "main_thread_ms": busy,
        "scripts_and_styles": sorted(
            urllib.parse.urlsplit(r["name"]).path for r in resources if r["type"] in ASSET_TYPES
        ),
    }


def tablet_part(served: Served, page_url: str, loads: int) -> dict[str, Any]:
    """``loads`` cold loads (each in a new browser context: an empty cache, signed in by its
    cookie) and ``loads`` warm ones (one context, after a load that filled its cache)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        device = dict(pw.devices["iPad (gen 7)"])
        device.pop("default_browser_type")  # the descriptor says WebKit; this is Blink at the iPad's size
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        try:
            signing = browser.new_context(**device)
            page = signing.new_page()
            page.goto(served.url + "/signin")
            page.get_by_label("Email").fill("page@bench.example")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(served.url + "/courses")
            cookies = signing.storage_state()
            signing.close()
            cold, errors = [], []
            for _ in range(loads):
                context = browser.new_context(**device, storage_state=cookies)
                context.add_init_script(USABLE)
                page = context.new_page()
                page.on("pageerror", lambda error: errors.append(str(error)))
                cold.append(one_load(page, page_url))
                context.close()
            context = browser.new_context(**device, storage_state=cookies)
            context.add_init_script(USABLE)
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            one_load(page, page_url)  # fills the cache
            warm = [one_load(page, page_url) for _ in range(loads)]
            context.close()
        finally:
            browser.close()
    return {
        "page": urllib.parse.urlsplit(page_url).path,
        "device": "iPad (gen 7) descriptor on Chromium",
        "cpu_slowdown": CPU_SLOWDOWN,
        "network": TABLET_NETWORK,
        "cold": {"median": medians(cold), "loads": cold},
        "warm": {"median": medians(warm), "loads": warm},
        "page_errors": errors,
        "goal_s": GOALS["tablet_usable_s"],
    }


def medians(loads: list[dict[str, Any]]) -> dict[str, Any]:
    keys = [*TABLET_COLUMNS, "transfer_bytes"]
    figures: dict[str, Any] = {key: round(statistics.median(load[key] for load in loads), 1) for key in keys}
    figures["main_thread_ms"] = {
        label: round(statistics.median(load["main_thread_ms"][label] for load in loads), 1)
        for label in MAIN_THREAD.values()
    }
    return figures


# ------------------------------------------------------------------------------- report
def table(header: list[str], rows: list[list[Any]]) -> str:
    cells = [header, *[[str(cell) for cell in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [
        "  ".join(cell.rjust(w) if n else cell.ljust(w) for n, (cell, w) in enumerate(zip(row, widths)))
        for row in cells
    ]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


def report_saves(figures: list[dict[str, Any]]) -> str:
    rows = []
    ratios, lost, failures = [], 0, Counter[str]()
    for database in figures:
        for layout, runs in database["layouts"].items():
            ratios.append(runs["save_vs_bare_p95"])
            for kind in KINDS:
                run, check = runs[kind], runs["read_back"][kind]
                lost += check.get("lost", 0)
                failures.update(run["failures"])
                rows.append(
                    [
                        f"{database['database']} / {layout} / {kind}",
                        run["ok_per_s"],
                        run["p50_ms"],
                        run["p95_ms"],
                        run["p99_ms"],
                        run["server_cpu_ms_per_request"],
                        sum(run["failures"].values()),
                        check.get("lost", 0),
                        runs["save_vs_bare_p95"] if kind == "save" else "",
                    ]
                )
    header = ["database / layout / write", "ok/s", "p50 ms", "p95 ms", "p99 ms", "server CPU ms/req"]
    header += ["409/5xx/errors", "lost", "save/bare p95"]
    met = sum(1 for ratio in ratios if ratio is not None and ratio <= GOALS["save_vs_bare_p95"])
    return "\n".join(
        [
            table(header, rows),
            f"save p95 / bare p95 <= {GOALS['save_vs_bare_p95']}: met in {met} of {len(ratios)}; "
            f"lost edits {lost} (goal {GOALS['lost_edits']}); failures {dict(failures) or 'none'}",
        ]
    )


def report_assets(figures: dict[str, Any]) -> str:
    rows = [
        [
            path,
            f["kind"],
            f.get("bytes", f["status"]),
            f.get("gzip9", ""),
            f.get("brotli11", ""),
            f.get("wire_bytes", ""),
        ]
        for path, f in figures["files"].items()
    ]
    rows.append(
        [
            "total",
            "",
            figures["total_bytes"],
            figures["total_gzip9"],
            figures["total_brotli11"],
            figures["total_wire_bytes"],
        ]
    )
    verdict = "met" if figures["total_gzip9"] <= figures["goal_bytes"] else "not met"
    return (
        table(["file", "kind", "bytes", "gzip -9", "brotli 11", "sent"], rows)
        + f"\ngoal <= {figures['goal_bytes']:,} bytes gzip: {verdict}; the page itself {figures['page_bytes']:,} "
        f"bytes ({figures['page_gzip9']:,} gzip)"
    )


TABLET_COLUMNS = {
    "first_byte_ms": "first byte ms",
    "html_ms": "page HTML ms",
    "assets_fetched_ms": "scripts+styles fetched ms",
    "dcl_ms": "DOMContentLoaded ms",
    "load_ms": "load ms",
    "usable_ms": "usable ms",
    "requests": "requests",
    "from_cache": "from cache",
}


def report_tablet(figures: dict[str, Any]) -> str:
    rows = [[cache, *(figures[cache]["median"][key] for key in TABLET_COLUMNS)] for cache in ("cold", "warm")]
    usable_by = sorted({load["usable_by"] for load in figures["cold"]["loads"] + figures["warm"]["loads"]})
    worst = max(figures[cache]["median"]["usable_ms"] for cache in ("cold", "warm"))
    lines = [
        table(["cache", *TABLET_COLUMNS.values()], rows),
        f"usable = {', '.join(usable_by)}; goal under {figures['goal_s']} s: "
        + ("met" if worst < figures["goal_s"] * 1000 else "not met"),
    ]
    for cache in ("cold", "warm"):
        busy = ", ".join(f"{label} {ms:g} ms" for label, ms in figures[cache]["median"]["main_thread_ms"].items())
        lines.append(f"{cache}: main thread busy until usable and loaded: {busy}")
    if missed := figures.get("loaded_but_not_weighed"):
        lines.append(f"loaded by the browser but not weighed: {missed}")
    if figures["page_errors"]:
        lines.append(f"page errors: {figures['page_errors'][:3]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.editor", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="saves,assets,tablet", help="parts to run (default: saves,assets,tablet)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="for the saves (default: sqlite,postgresql)")
    parser.add_argument("--layouts", default="own,shared", help="own courses, one shared course (default: both)")
    parser.add_argument("--authors", type=int, default=50, help="concurrent authors (default: 50)")
    parser.add_argument(
        "--seconds", type=float, default=12, help="seconds of each kind of write, over its rounds (default: 12)"
    )
    parser.add_argument(
        "--rounds", type=int, default=4, help="rounds of saves and bare writes, taking turns (default: 4)"
    )
    parser.add_argument("--saves", type=int, default=100_000, help="at most this many writes per author and run")
    parser.add_argument(
        "--pace", type=float, default=0.0, help="mean seconds between an author's saves (0: back to back)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default: 2)")
    parser.add_argument(
        "--worker-class",
        default="gthread",
        choices=["gthread", "sync"],
        help="gunicorn worker class (default: gthread)",
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker (default: 4)")
    parser.add_argument("--loads", type=int, default=5, help="cold and warm tablet loads each (default: 5)")
    args = parser.parse_args(argv)
    parts = args.only.split(",")
    args.databases = args.databases.split(",")
    args.layouts = args.layouts.split(",")
    for name, chosen, allowed in (
        ("--only", parts, ("saves", "assets", "tablet")),
        ("--databases", args.databases, ("sqlite", "postgresql")),
        ("--layouts", args.layouts, LAYOUTS),
    ):
        if unknown := sorted(set(chosen) - set(allowed)):
            parser.error(f"{name}: {', '.join(unknown)} unknown; choose from {', '.join(allowed)}")
    if args.authors < 1 or args.seconds <= 0 or args.loads < 1 or args.rounds < 1:
        parser.error("--authors, --rounds and --loads must be at least 1 and --seconds more than 0")

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC)
    figures: dict[str, Any] = {
        "date": stamp.isoformat(timespec="seconds"),
        "options": {key: value for key, value in vars(args).items()},
        "cpus": os.cpu_count(),
        "load_avg_start": [round(x, 2) for x in os.getloadavg()],
    }
    print(f"editor benchmarks, {figures['date']}, load average {figures['load_avg_start']}", flush=True)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="courseforge-bench-editor-") as tmp:
        work = Path(tmp)
        if "saves" in parts:
            print(
                f"== block saves: {args.authors} authors, {args.seconds:g} s each, "
                f"{'back to back' if not args.pace else f'{args.pace:g} s apart'}; gunicorn {args.workers} "
                f"{args.worker_class} workers"
                + (f" x {args.threads} threads" if args.worker_class == "gthread" else ""),
                flush=True,
            )
            figures["saves"] = saves_part(args, work)
            print(report_saves(figures["saves"]), flush=True)
        if "assets" in parts or "tablet" in parts:
            with page_editor(work, args) as (served, page_url):
                if "assets" in parts:
                    print("== asset weight of the course page (sample course)", flush=True)
                    figures["assets"] = assets_part(served, page_url)
                    print(report_assets(figures["assets"]), flush=True)
                if "tablet" in parts:
                    print(
                        f"== tablet load: iPad (gen 7), CPU {CPU_SLOWDOWN}x slower, {TABLET_NETWORK['down_mbit_s']}/"
                        f"{TABLET_NETWORK['up_mbit_s']} Mbit/s, {TABLET_NETWORK['latency_ms']} ms; "
                        f"medians of {args.loads}",
                        flush=True,
                    )
                    figures["tablet"] = tablet_part(served, page_url, args.loads)
                    if "assets" in figures:
                        loaded = {
                            path for load in figures["tablet"]["cold"]["loads"] for path in load["scripts_and_styles"]
                        }
                        figures["tablet"]["loaded_but_not_weighed"] = sorted(loaded - set(figures["assets"]["files"]))
                    print(report_tablet(figures["tablet"]), flush=True)
    figures["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    figures["wall_s"] = round(time.perf_counter() - began, 1)
    out = RESULTS / f"editor-{stamp.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(figures, indent=1))
    print(
        f"({figures['wall_s']:.0f} s, load average at the end {figures['load_avg_end']}); figures saved to "
        f"{out.relative_to(REPO)}"
    )


if __name__ == "__main__":
    main()
