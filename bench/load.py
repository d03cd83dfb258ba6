"""A bounded load generator for the delivery benchmark: scripted learner journeys over
asyncio, spread over processes and 127.0.0.x source addresses.

A journey is what a learner's browser asks for: the course's launch URL (the pointer's
redirect), the launch page, the player's assets, 20 page views (each page's HTML and its
images), a quiz (the question scripts) and a video watched by byte ranges. Each learner is one
browser of a realistic mix (user agent, ``Accept-Encoding`` br / gzip / none; iPad Safari asks
for the video in small ranges, starting with ``bytes=0-1``) holding one keep-alive connection,
the way a CDN edge sees a browser.

Two shapes:

- **throughput**: learners run journeys back to back (no think time) for ``duration`` s;
  journeys per second and latencies measure the server.
- **concurrency**: ``learners`` ramp up over ``ramp`` s and think ``think`` s between page
  views. The server closes idle connections sooner than that (the idle timeout), so a learner
  holds a connection only while active and reconnects after each pause, like a browser.

Every process reports a latency histogram (0.1 ms buckets), errors by kind, connections opened,
requests offered and achieved, and its event loop's lag (how late a 100 ms timer fires: a
generator that lags measures itself, not the server). Every loop stops by itself: by journey
count, by duration, and by a hard deadline.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

BUCKET_MS = 0.1


class Browser(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    share: float
    user_agent: str
    accept_encoding: str | None
    small_ranges: bool = False


BROWSERS: tuple[Browser, ...] = (
    Browser(
        name="chrome-windows",
        share=0.42,
        user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
        accept_encoding="gzip, deflate, br, zstd",
    ),
    Browser(
        name="edge-windows",
        share=0.12,
        user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
        accept_encoding="gzip, deflate, br, zstd",
    ),
    Browser(
        name="ipad-safari",
        share=0.16,
        user_agent="Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.6 Mobile/15E148 Safari/604.1",
        accept_encoding="gzip, deflate, br",
        small_ranges=True,
    ),
    Browser(
        name="mac-safari",
        share=0.08,
        user_agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.6 Safari/605.1.15",
        accept_encoding="gzip, deflate, br",
        small_ranges=True,
    ),
    Browser(
        name="firefox",
        share=0.09,
        user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
        accept_encoding="gzip, deflate, br, zstd",
    ),
    Browser(
        name="lms-webview-gzip",
        share=0.10,
        user_agent="Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Version/4.0 Chrome/87.0 Mobile Safari/537.36",
        accept_encoding="gzip, deflate",
    ),
    Browser(
        name="proxy-identity",
        share=0.03,
        user_agent="Mozilla/5.0 (Windows NT 10.0; Trident/7.0; rv:11.0) like Gecko",
        accept_encoding=None,
    ),
)
"""Shares of a corporate-learning audience: mostly Chromium on Windows, a sixth on iPads, a
tenth through an old WebView that only takes gzip, a few through a proxy that strips
Accept-Encoding."""


class Step(BaseModel):
    """One request of a journey: a path and, for video, a byte range."""

    model_config = ConfigDict(frozen=True)

    path: str
    range: tuple[int, int] | None = None
    expect: tuple[int, ...] = (200,)


class JourneyPlan(BaseModel):
    """The journey's requests in groups: one group is what a page view fetches at once."""

    model_config = ConfigDict(frozen=True)

    launch: list[Step]
    pages: list[list[Step]]
    video_path: str | None = Field(None, description="The video watched by ranges at the end, if any.")
    video_size: int = Field(0, ge=0)


class LoadConfig(BaseModel):
    """What one generator process does."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = "127.0.0.1"
    port: int
    source: str = Field("127.0.0.1", description="Local address the process's connections come from.")
    plan: JourneyPlan
    learners: int = Field(ge=1)
    duration: float = Field(gt=0, description="Seconds after which no new journey or page view starts.")
    journeys: int = Field(1_000_000, ge=1, description="Journeys after which the process stops.")
    think: float = Field(0.0, ge=0, description="Seconds between page views.")
    ramp: float = Field(0.0, ge=0, description="Seconds over which learners start.")
    idle_close: float = Field(
        4.0, gt=0, description="Seconds after which an idle connection is taken as closed by the server."
    )
    query: str = Field("", description="Query added to the launch URL (unique per learner when set to 'unique').")
    seed: int = 1


@dataclass
class Tally:
    """What a process measured; merged across processes by ``merge``."""

    latency: Counter[int] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    browsers: Counter[str] = field(default_factory=Counter)
    journeys: int = 0
    requests: int = 0
    offered: int = 0
    connections: int = 0
    learners: int = 0
    learners_failed: int = 0
    bytes: int = 0
    lag_ms: Counter[int] = field(default_factory=Counter)
    active_peak: int = 0
    started: float = 0.0
    ended: float = 0.0
    timeline: Counter[int] = field(default_factory=Counter)
    failures_timeline: Counter[int] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {key: (dict(value) if isinstance(value, Counter) else value) for key, value in self.__dict__.items()}


def merge(parts: list[dict[str, Any]]) -> Tally:
    total = Tally(started=min(p["started"] for p in parts), ended=max(p["ended"] for p in parts))
    for part in parts:
        for key, value in part.items():
            current = getattr(total, key)
            if isinstance(current, Counter):
                current.update({(int(k) if k.lstrip("-").isdigit() else k): v for k, v in value.items()})
            elif key == "active_peak":
                total.active_peak += value
            elif key not in ("started", "ended"):
                setattr(total, key, current + value)
    return total


def percentile(histogram: Counter[int], share: float) -> float:
    """The latency (ms) under which ``share`` of requests fell."""
    count = sum(histogram.values())
    if not count:
        return 0.0
    rank, seen = share * count, 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        if seen >= rank:
            return (bucket + 1) * BUCKET_MS
    return max(histogram) * BUCKET_MS


class ConnectionClosed(Exception):
    """The server closed a kept-alive connection before answering: reconnect and ask again."""


class Connection:
    """One keep-alive HTTP/1.1 connection, opened on demand from the process's source address."""

    def __init__(self, config: LoadConfig, tally: Tally) -> None:
        self.config, self.tally = config, tally
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = 0.0

    async def open(self) -> None:
        self.close()
        self.reader, self.writer = await asyncio.open_connection(
            self.config.host, self.config.port, local_addr=(self.config.source, 0)
        )
        self.tally.connections += 1
        self.used = time.monotonic()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def get(self, path: str, headers: dict[str, str]) -> tuple[int, int, dict[str, str]]:
        """Status, body bytes and headers; a kept-alive connection the server had closed is
        reopened once, as browsers do."""
        idle = time.monotonic() - self.used
        fresh = self.writer is None or idle > self.config.idle_close
        if fresh:
            await self.open()
        try:
            return await self._exchange(path, headers)
        except (ConnectionClosed, ConnectionResetError, BrokenPipeError):
            if fresh:
                raise
            await self.open()
            return await self._exchange(path, headers)

    async def _exchange(self, path: str, headers: dict[str, str]) -> tuple[int, int, dict[str, str]]:
        assert self.reader is not None and self.writer is not None
        lines = [f"GET {path} HTTP/1.1", f"Host: {self.config.host}:{self.config.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        status, fields = await read_head(self.reader)
        size = len(await read_body(self.reader, fields))
        if fields.get("connection", "").lower() == "close":
            self.close()
        self.used = time.monotonic()
        return status, size, fields


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


def pick_browser(random_: random.Random) -> Browser:
    """One browser of the mix, drawn by its share."""
    return random_.choices(BROWSERS, weights=[b.share for b in BROWSERS])[0]


def request_headers(browser: Browser, step: Step) -> dict[str, str]:
    """The header fields ``browser`` sends for ``step`` (besides Host)."""
    headers = {"User-Agent": browser.user_agent, "Accept": "*/*"}
    if browser.accept_encoding is not None:
        headers["Accept-Encoding"] = browser.accept_encoding
    if step.range is not None:
        headers["Range"] = f"bytes={step.range[0]}-{step.range[1]}"
    return headers


def video_steps(plan: JourneyPlan, browser: Browser) -> list[Step]:
    """A learner watching part of the video: Safari probes 0-1, then small ranges; others ask
    for larger ones from where the player seeks."""
    size, path = plan.video_size, plan.video_path
    steps: list[Step] = []
    if path is None:
        return steps
    if browser.small_ranges:
        steps.append(Step(path=path, range=(0, 1), expect=(206,)))
        chunk, count = 64 * 1024, 6
    else:
        chunk, count = 512 * 1024, 3
    start = 0
    for _ in range(count):
        if start >= size:
            break
        end = min(size, start + chunk) - 1
        steps.append(Step(path=path, range=(start, end), expect=(206,)))
        start = end + 1
    return steps


def journey_groups(plan: JourneyPlan, browser: Browser, query: str = "") -> list[list[Step]]:
    """One journey of ``browser`` in page-view groups, in order: the launch (its pointer with
    ``query``), the pages, the video."""
    launch = [Step(path=plan.launch[0].path + query, expect=plan.launch[0].expect), *plan.launch[1:]]
    return [launch, *plan.pages, video_steps(plan, browser)]


class Learner:
    def __init__(self, number: int, config: LoadConfig, tally: Tally, random_: random.Random) -> None:
        self.number, self.config, self.tally = number, config, tally
        self.browser = pick_browser(random_)
        self.random = random_
        self.connection = Connection(config, tally)
        self.failed = False
        tally.browsers[self.browser.name] += 1

    async def run(self, stop_at: float) -> None:
        while time.monotonic() < stop_at and self.tally.journeys < self.config.journeys:
            query = f"?learner={self.config.source}-{self.number}-{self.tally.journeys}" if self.config.query else ""
            groups = journey_groups(self.config.plan, self.browser, query)
            for index, group in enumerate(groups):
                if index and self.config.think:
                    if self.config.think > self.config.idle_close:
                        self.connection.close()  # the server's idle timeout would close it anyway
                    await asyncio.sleep(self.config.think * self.random.uniform(0.5, 1.5))
                if time.monotonic() >= stop_at:
                    break
                self.tally.offered += len(group)
                for step in group:
                    await self.fetch(step)
            else:
                self.tally.journeys += 1
                continue
            break
        self.connection.close()

    async def fetch(self, step: Step) -> None:
        began = time.monotonic()
        try:
            headers = request_headers(self.browser, step)
            status, size, _ = await asyncio.wait_for(self.connection.get(step.path, headers), 30)
        except (OSError, asyncio.IncompleteReadError, ConnectionClosed, TimeoutError, ValueError) as error:
            self.connection.close()
            self.tally.errors[type(error).__name__] += 1
            self.fail()
            return
        spent = time.monotonic() - began
        self.tally.requests += 1
        self.tally.bytes += size
        self.tally.latency[int(spent * 1000 / BUCKET_MS)] += 1
        self.tally.statuses[str(status)] += 1
        self.tally.timeline[int(time.time())] += 1
        if status not in step.expect:
            self.tally.errors[f"status {status}"] += 1
            self.fail()

    def fail(self) -> None:
        self.tally.failures_timeline[int(time.time())] += 1
        if not self.failed:
            self.failed = True
            self.tally.learners_failed += 1


async def loop_lag(tally: Tally, stop: asyncio.Event) -> None:
    while not stop.is_set():
        began = time.monotonic()
        await asyncio.sleep(0.1)
        tally.lag_ms[int((time.monotonic() - began - 0.1) * 1000)] += 1


async def run(config: LoadConfig) -> Tally:
    tally = Tally(started=time.time())
    random_ = random.Random(config.seed)
    stop = asyncio.Event()
    lag = asyncio.create_task(loop_lag(tally, stop))
    stop_at = time.monotonic() + config.duration
    active = 0

    async def one(number: int) -> None:
        nonlocal active
        if config.ramp:
            await asyncio.sleep(config.ramp * number / config.learners)
        active += 1
        tally.active_peak = max(tally.active_peak, active)
        tally.learners += 1
        try:
            await Learner(number, config, tally, random.Random(random_.random())).run(stop_at)
        finally:
            active -= 1

    deadline = config.duration + config.ramp + 60
    tasks = [asyncio.create_task(one(number)) for number in range(config.learners)]
    _, late = await asyncio.wait(tasks, timeout=deadline)
    for task in late:
        task.cancel()
    stop.set()
    await lag
    tally.ended = time.time()
    return tally


def main() -> None:
    """``python -m bench.load CONFIG_JSON``: one generator process; its tally as JSON on stdout."""
    config = LoadConfig.model_validate_json(sys.argv[1])
    tally = asyncio.run(run(config))
    print(json.dumps(tally.as_dict()))


if __name__ == "__main__":
    main()
