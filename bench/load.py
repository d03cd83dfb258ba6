"""A bounded load generator for the delivery benchmark: scripted learner journeys over
asyncio (uvloop when installed), spread over processes and 127.0.0.x source addresses.

A journey is what a learner's browser asks for: the course's launch URL (the pointer's
redirect), the launch page, the player's assets, 20 page views (each page's HTML and its
images), a quiz (the question scripts) and a video watched by byte ranges. Each learner is one
browser of a realistic mix (user agent, ``Accept-Encoding`` br / gzip / none; iPad Safari asks
for the video in small ranges, starting with ``bytes=0-1``) on one keep-alive connection at a
time, the way a CDN edge sees a browser.

Two shapes:

- **throughput**: learners run journeys back to back (no think time) for ``duration`` s;
  journeys per second and latencies measure the server.
- **concurrency**: ``learners`` arrive evenly over ``ramp`` s and think ``think`` s between page
  views. The server closes idle connections sooner than that (the idle timeout), so a learner
  holds a connection only while active: it connects when a page view starts (lazily, so a
  connection is never opened ahead of its request) and closes it when it starts thinking.

The client is lean so that tens of thousands of learners fit in a few processes: one
``asyncio.Protocol`` per connection that sends requests prepared once per browser (bytes) and
parses only the status line, Content-Length / chunked and Connection of an answer, counting the
body's bytes without keeping them; sockets are bound to the process's source address with
``IP_BIND_ADDRESS_NO_PORT``, so the port is chosen at connect time for the server's address
(each source address has the whole ephemeral range towards each server port).

Every process reports a latency histogram (0.1 ms buckets, from sending a page view's first
request, connect included, to its answer's last byte), errors by kind, connections opened,
requests offered (those whose page view was due before the end, on the learners' own schedule)
and achieved, how late page views started against their schedule, and its event loop's lag (how
late a 100 ms timer fires): a generator that lags measures itself, not the server. Every loop
stops by itself: by journey count, by duration, and by a hard deadline.
"""

from __future__ import annotations

import asyncio
import errno
import json
import random
import socket
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field

BUCKET_MS = 0.1
IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)


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
    think: float = Field(0.0, ge=0, description="Mean seconds between page views (each drawn from 0.5x to 1.5x).")
    ramp: float = Field(0.0, ge=0, description="Seconds over which learners arrive, evenly spaced.")
    idle_close: float = Field(
        4.0, gt=0, description="Seconds after which an idle connection is taken as closed by the server."
    )
    query: str = Field("", description="Query added to the launch URL (unique per learner when set to 'unique').")
    timeout: float = Field(30.0, gt=0, description="Seconds after which an unanswered request counts as failed.")
    loop: Literal["auto", "uvloop", "asyncio"] = Field("auto", description="Event loop: uvloop when installed.")
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
    late_ms: Counter[int] = field(default_factory=Counter)
    active_peak: int = 0
    open_peak: int = 0
    started: float = 0.0
    ended: float = 0.0
    timeline: Counter[int] = field(default_factory=Counter)
    failures_timeline: Counter[int] = field(default_factory=Counter)
    loop: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {key: (dict(value) if isinstance(value, Counter) else value) for key, value in self.__dict__.items()}


def merge(parts: list[dict[str, Any]]) -> Tally:
    total = Tally(started=min(p["started"] for p in parts), ended=max(p["ended"] for p in parts))
    for part in parts:
        for key, value in part.items():
            current = getattr(total, key)
            if isinstance(current, Counter):
                current.update({(int(k) if k.lstrip("-").isdigit() else k): v for k, v in value.items()})
            elif isinstance(current, str):
                setattr(total, key, value)
            elif key in ("active_peak", "open_peak"):
                setattr(total, key, current + value)  # peaks of processes, added: at most the true peak
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


class IncompleteAnswer(Exception):
    """The connection ended in the middle of an answer."""


class BadAnswer(Exception):
    """What came back is not an HTTP/1.1 answer this client can read."""


class Client(asyncio.Protocol):
    """One HTTP/1.1 connection asking one request at a time. ``ask`` returns a future of the
    answer's status and body size; the body is counted as it arrives, never kept."""

    def __init__(self, loop: asyncio.AbstractEventLoop, received: Callable[[int], None]) -> None:
        self.loop, self.received = loop, received
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[tuple[int, int]] | None = None
        self.buffer = bytearray()
        self.status = 0
        self.left = -1  # body bytes still to come; -1 while the head is read
        self.chunked = False
        self.chunk_left = 0
        self.last_chunk = False
        self.size = 0
        self.closing = False
        self.open = False
        self.sent_at = 0.0
        self.used = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport, self.open = cast(asyncio.Transport, transport), True
        self.used = time.monotonic()

    def ask(self, request: bytes) -> asyncio.Future[tuple[int, int]]:
        assert self.transport is not None and self.waiter is None
        self.waiter = self.loop.create_future()
        self.buffer.clear()
        self.status, self.left, self.size, self.chunked, self.last_chunk = 0, -1, 0, False, False
        self.sent_at = time.monotonic()
        self.transport.write(request)
        return self.waiter

    def data_received(self, data: bytes) -> None:
        self.received(len(data))
        if self.waiter is None:
            return
        buffer = self.buffer
        buffer += data
        if self.left < 0:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            try:
                self._head(bytes(buffer[:end]).lower())
            except (ValueError, IndexError) as error:
                self._fail(BadAnswer(str(error)))
                return
            del buffer[: end + 4]
        if self.chunked:
            if not self._chunks():
                return
        else:
            taken = min(len(buffer), self.left)
            self.size += taken
            self.left -= taken
            buffer.clear()
            if self.left > 0:
                return
        self._done()

    def _head(self, head: bytes) -> None:
        if not head.startswith(b"http/1."):
            raise ValueError(f"not an HTTP/1 answer: {head[:40]!r}")
        self.status = int(head[9:12])
        self.closing = b"\r\nconnection: close" in head
        self.chunked = b"\r\ntransfer-encoding: chunked" in head
        at = head.find(b"\r\ncontent-length:")
        if self.chunked:
            self.left, self.chunk_left = 0, 0
        elif at >= 0:
            end = head.find(b"\r", at + 17)
            self.left = int(head[at + 17 : end if end >= 0 else len(head)])
        else:
            self.left = 0  # 1xx/204/304, or an answer with no body

    def _chunks(self) -> bool:
        """Whether the chunked body is complete (the buffer holds what is not read yet)."""
        buffer = self.buffer
        while True:
            if self.chunk_left:
                taken = min(len(buffer), self.chunk_left)
                del buffer[:taken]
                self.chunk_left -= taken
                if self.chunk_left:
                    return False
                if self.last_chunk:
                    return True
            end = buffer.find(b"\r\n")
            if end < 0:
                return False
            size = int(bytes(buffer[:end]).split(b";")[0], 16)
            del buffer[: end + 2]
            self.size += size
            self.chunk_left = size + 2
            self.last_chunk = size == 0

    def _done(self) -> None:
        waiter, self.waiter = self.waiter, None
        self.used = time.monotonic()
        if self.closing:
            self.close()
        if waiter is not None and not waiter.done():
            waiter.set_result((self.status, self.size))

    def _fail(self, error: Exception) -> None:
        waiter, self.waiter = self.waiter, None
        self.close()
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    def connection_lost(self, exc: Exception | None) -> None:
        self.open = False
        if self.waiter is not None:
            nothing = self.left < 0 and not self.buffer
            self._fail(ConnectionClosed() if nothing else IncompleteAnswer(f"{self.size} bytes, {self.left} to come"))

    def timed_out(self) -> None:
        self._fail(TimeoutError(f"no answer in {time.monotonic() - self.sent_at:.0f} s"))

    def close(self) -> None:
        if self.transport is not None and self.open:
            self.open = False
            self.transport.close()


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


def raw_request(host: str, port: int, path: str, headers: dict[str, str]) -> bytes:
    """The request as sent: Host first, then the browser's fields."""
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


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


Prepared = list[list[tuple[bytes, tuple[int, ...]]]]
"""A browser's journey as page-view groups of (request bytes, statuses expected)."""


def prepared_journey(config: LoadConfig, browser: Browser) -> Prepared:
    return [
        [(raw_request(config.host, config.port, s.path, request_headers(browser, s)), s.expect) for s in group]
        for group in journey_groups(config.plan, browser)
    ]


class Generator:
    """One process's learners: their schedule, connections and tally."""

    def __init__(self, config: LoadConfig, loop: asyncio.AbstractEventLoop) -> None:
        self.config, self.loop = config, loop
        self.tally = Tally(started=time.time())
        self.random = random.Random(config.seed)
        self.journeys = {browser.name: prepared_journey(config, browser) for browser in BROWSERS}
        self.in_flight: set[Client] = set()
        self.open = 0
        self.active = 0
        self.server = (config.host, config.port)

    def count_bytes(self, size: int) -> None:
        self.tally.bytes += size

    async def connect(self) -> Client:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
            sock.bind((self.config.source, 0))
            await self.loop.sock_connect(sock, self.server)
            _, client = await self.loop.create_connection(lambda: Client(self.loop, self.count_bytes), sock=sock)
        except BaseException:
            sock.close()
            raise
        self.tally.connections += 1
        self.open += 1
        self.tally.open_peak = max(self.tally.open_peak, self.open)
        return client

    def release(self, client: Client | None) -> None:
        if client is not None:
            if client.open:
                client.close()
            self.open -= 1

    async def learner(self, number: int, due: float, stop_at: float) -> None:
        """One learner from its arrival (``due``) until the end: journeys of page views, each due
        a think time after the previous one ended."""
        config, tally = self.config, self.tally
        random_ = random.Random(self.random.random())
        browser = pick_browser(random_)
        tally.browsers[browser.name] += 1
        tally.learners += 1
        self.active += 1
        tally.active_peak = max(tally.active_peak, self.active)
        journey = self.journeys[browser.name]
        client: Client | None = None
        failed = False
        try:
            while tally.journeys < config.journeys:
                groups = journey
                if config.query:
                    pointer = config.plan.launch[0]
                    path = f"{pointer.path}?learner={config.source}-{number}-{tally.journeys}"
                    first = (
                        raw_request(config.host, config.port, path, request_headers(browser, pointer)),
                        pointer.expect,
                    )
                    groups = [[first, *journey[0][1:]], *journey[1:]]
                for index, group in enumerate(groups):
                    if index and config.think:
                        if config.think > config.idle_close:
                            self.release(client)  # the server's idle timeout would close it anyway
                            client = None
                        due = time.monotonic() + config.think * random_.uniform(0.5, 1.5)
                    if due >= stop_at:
                        return
                    now = time.monotonic()
                    if due > now:
                        await asyncio.sleep(due - now)
                        now = time.monotonic()
                    tally.offered += len(group)
                    if now >= stop_at:
                        return  # due before the end, started too late: offered, not achieved
                    tally.late_ms[int((now - due) * 1000)] += 1
                    for request, expect in group:
                        client, ok = await self.fetch(client, request, expect)
                        failed = failed or not ok
                    due = time.monotonic()
                tally.journeys += 1
        finally:
            self.release(client)
            self.active -= 1
            if failed:
                tally.learners_failed += 1

    async def fetch(self, client: Client | None, request: bytes, expect: tuple[int, ...]) -> tuple[Client | None, bool]:
        """Send ``request`` on ``client`` (a new connection when there is none, or when it sat
        idle past ``idle_close``; a kept-alive one the server had closed is reopened once, as
        browsers do); the connection to go on with and whether the answer was as expected."""
        tally = self.tally
        began = time.monotonic()
        try:
            fresh = client is None or not client.open or began - client.used > self.config.idle_close
            if fresh:
                self.release(client)
                client = None
                client = await self.connect()
            assert client is not None
            try:
                status, size = await self.exchange(client, request)
            except ConnectionClosed:
                if fresh:
                    raise
                self.release(client)
                client = None
                client = await self.connect()
                status, size = await self.exchange(client, request)
        except (OSError, ConnectionClosed, IncompleteAnswer, BadAnswer, TimeoutError) as error:
            self.release(client)
            name = type(error).__name__
            if isinstance(error, OSError) and error.errno:
                name = errno.errorcode.get(error.errno, name)
            tally.errors[name] += 1
            tally.failures_timeline[int(time.time())] += 1
            return None, False
        spent = time.monotonic() - began
        tally.requests += 1
        tally.latency[int(spent * 1000 / BUCKET_MS)] += 1
        tally.statuses[str(status)] += 1
        tally.timeline[int(time.time())] += 1
        if status not in expect:
            tally.errors[f"status {status}"] += 1
            tally.failures_timeline[int(time.time())] += 1
            return client, False
        del size
        return client, True

    async def exchange(self, client: Client, request: bytes) -> tuple[int, int]:
        self.in_flight.add(client)
        try:
            return await client.ask(request)
        finally:
            self.in_flight.discard(client)

    async def watchdog(self, stop: asyncio.Event) -> None:
        """Requests unanswered after ``timeout`` s fail (one sweep a second, no timer per request)."""
        while not stop.is_set():
            await asyncio.sleep(1)
            limit = time.monotonic() - self.config.timeout
            for client in [c for c in self.in_flight if c.sent_at < limit]:
                client.timed_out()

    async def run(self) -> Tally:
        config = self.config
        stop = asyncio.Event()
        helpers = [asyncio.create_task(loop_lag(self.tally, stop)), asyncio.create_task(self.watchdog(stop))]
        began = time.monotonic()
        stop_at = began + config.duration
        tasks = []
        for number in range(config.learners):
            due = began + config.ramp * number / config.learners
            if due >= stop_at:
                break
            wait = due - time.monotonic()
            if wait > 0.002:
                await asyncio.sleep(wait)
            tasks.append(asyncio.create_task(self.learner(number, due, stop_at)))
        deadline = max(0.0, stop_at + config.timeout + 30 - time.monotonic())
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=deadline)
            for task in late:
                task.cancel()
            if late:
                self.tally.errors["cut at the hard deadline"] += len(late)
                await asyncio.wait(late, timeout=5)
            for task in tasks:
                if task.done() and not task.cancelled() and task.exception() is not None:
                    self.tally.errors[f"generator: {task.exception()!r}"[:200]] += 1
        stop.set()
        await asyncio.wait(helpers, timeout=5)
        self.tally.ended = time.time()
        return self.tally


async def loop_lag(tally: Tally, stop: asyncio.Event) -> None:
    while not stop.is_set():
        began = time.monotonic()
        await asyncio.sleep(0.1)
        tally.lag_ms[int((time.monotonic() - began - 0.1) * 1000)] += 1


def event_loop_factory(choice: str) -> tuple[Callable[[], asyncio.AbstractEventLoop], str]:
    if choice != "asyncio":
        try:
            import uvloop
        except ImportError:
            if choice == "uvloop":
                raise
        else:
            return uvloop.new_event_loop, f"uvloop {uvloop.__version__}"
    return asyncio.new_event_loop, "asyncio"


def run(config: LoadConfig) -> Tally:
    """One generator process's run, on the event loop ``config.loop`` names."""
    factory, name = event_loop_factory(config.loop)
    with asyncio.Runner(loop_factory=factory) as runner:
        tally = runner.run(Generator(config, runner.get_loop()).run())
    tally.loop = name
    return tally


def main() -> None:
    """``python -m bench.load CONFIG_JSON``: one generator process; its tally as JSON on stdout."""
    config = LoadConfig.model_validate_json(sys.argv[1])
    print(json.dumps(run(config).as_dict()))


if __name__ == "__main__":
    main()
