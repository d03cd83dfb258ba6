"""The delivery benchmark's learner journeys driven by wrk, a C HTTP load generator with Lua
hooks, for throughput runs the asyncio generator (``bench.load``) cannot drive: it tops out at a
few thousand requests a second here and its own event-loop lag sits inside every latency it
measures.

The journeys are ``bench.load``'s own: the same plan, browser mix, header fields and video
ranges, written as a Lua table of raw requests (``write_plan``) that ``bench/wrk_journey.lua``
walks in order. wrk 4 is a closed loop: each connection sends its next request when the previous
answer is in, so the rate is what the server (and the generator) sustain, not an offered rate,
and a slow answer delays the requests after it rather than showing in their latency.
"""

from __future__ import annotations

import json
import random
import resource
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bench.load import BROWSERS, JourneyPlan, journey_groups, pick_browser, request_headers

SCRIPT = Path(__file__).with_name("wrk_journey.lua")
RESULT_MARK = "wrk-journey-result "
OK_STATUS = range(200, 400)


class WrkPlan(BaseModel):
    """Every distinct request of the journeys once, each browser's journey as request numbers
    (1-based, as Lua counts) and the sampled journeys' browsers in the order they are walked."""

    model_config = ConfigDict(frozen=True)

    requests: list[str]
    journeys: list[list[int]] = Field(description="One per browser of BROWSERS, in its order.")
    order: list[int] = Field(description="Browser numbers (1-based) of the sampled journeys.")

    @property
    def requests_per_journey(self) -> float:
        """The mean over the sampled journeys (iPad and Mac Safari ask for more ranges)."""
        return sum(len(self.journeys[number - 1]) for number in self.order) / len(self.order)

    def browser_mix(self) -> dict[str, int]:
        return dict(Counter(BROWSERS[number - 1].name for number in self.order))


class WrkRun(BaseModel):
    """How one wrk run is shaped."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    port: int
    host: str = "127.0.0.1"
    seconds: int = Field(ge=1, description="wrk counts its duration in whole seconds.")
    threads: int = Field(ge=1)
    connections: int = Field(ge=1)
    timeout: int = Field(30, ge=1, description="Seconds after which wrk counts an answer as a timeout.")
    statuses: bool = Field(True, description="Count answers by status code (wrk then hands every body to Lua).")


def raw_request(host: str, port: int, path: str, headers: dict[str, str]) -> str:
    """The request as ``bench.load`` writes it: Host first, then the browser's fields."""
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", *(f"{name}: {value}" for name, value in headers.items())]
    return "\r\n".join(lines) + "\r\n\r\n"


def wrk_plan(plan: JourneyPlan, host: str, port: int, journeys: int = 1000, seed: int = 1) -> WrkPlan:
    """``journeys`` journeys sampled with the browser mix's shares, their requests addressed to
    ``host:port``."""
    numbers: dict[str, int] = {}
    per_browser = []
    for browser in BROWSERS:
        steps = [step for group in journey_groups(plan, browser) for step in group]
        per_browser.append(
            [
                numbers.setdefault(raw_request(host, port, step.path, request_headers(browser, step)), len(numbers) + 1)
                for step in steps
            ]
        )
    random_ = random.Random(seed)
    order = [BROWSERS.index(pick_browser(random_)) + 1 for _ in range(journeys)]
    return WrkPlan(requests=list(numbers), journeys=per_browser, order=order)


def lua_string(text: str) -> str:
    """A Lua string literal: JSON's escapes for quotes, backslashes, CR and LF are Lua's too
    (requests are printable ASCII besides CR LF, which this checks)."""
    if not all(" " <= char <= "~" or char in "\r\n" for char in text):
        raise ValueError(f"not printable ASCII: {text!r}")
    return json.dumps(text)


def write_plan(plan: WrkPlan, path: Path, threads: int) -> Path:
    """The Lua file ``wrk_journey.lua`` loads; threads start ``len(order) / threads`` journeys
    apart, so they do not walk the same browsers at the same time."""
    rows = [
        "return {",
        "  requests = {",
        *(f"    {lua_string(request)}," for request in plan.requests),
        "  },",
        "  journeys = {",
        *("    {" + ", ".join(map(str, journey)) + "}," for journey in plan.journeys),
        "  },",
        "  order = {" + ", ".join(map(str, plan.order)) + "},",
        f"  stride = {max(1, len(plan.order) // threads)},",
        "}",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="ascii")
    return path


def available() -> bool:
    return shutil.which("wrk") is not None


def version() -> str:
    """wrk's version line (``wrk --version`` prints it before its usage and exits 1)."""
    done = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return done.stdout.splitlines()[0].split(" Copyright")[0] if done.stdout else "unknown"


def run(config: WrkRun, plan_file: Path) -> dict[str, Any]:
    """One wrk run: what ``wrk_journey.lua``'s ``done()`` reported, and the CPU seconds wrk
    itself spent (on a machine it shares with the servers, what the generator took from them)."""
    argv = [
        "wrk",
        f"--threads={config.threads}",
        f"--connections={config.connections}",
        f"--duration={config.seconds}s",
        f"--timeout={config.timeout}s",
        f"--script={SCRIPT}",
        f"http://{config.host}:{config.port}/",
        "--",
        str(plan_file),
        "statuses" if config.statuses else "plain",
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=config.seconds + config.timeout + 60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_MARK)]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(lines[-1][len(RESULT_MARK) :])
    result["cpu_s"] = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return result


def walked_by(threads: int, connections: int) -> str:
    """Who walks a journey's requests in order: each connection when its thread has only it,
    else each thread, its connections taking the requests in turn."""
    return "connection" if threads == connections else "thread"


def summary(result: dict[str, Any], plan: WrkPlan, config: WrkRun) -> dict[str, Any]:
    """The figures ``bench.delivery`` reports for a run, from wrk's own counts and latency
    histogram. Journeys are requests over the mean requests a journey; 4xx/5xx answers and
    socket errors (connect, read, write, timeout) are errors."""
    seconds = result["duration_us"] / 1e6
    requests = int(result["requests"])
    statuses: Counter[int] = Counter()
    for thread in result["threads"]:
        statuses.update({int(code): int(count) for code, count in (thread["statuses"] or {}).items()})
    errors = {kind: int(count) for kind, count in result["errors"].items() if count and kind != "status"}
    if config.statuses:
        errors.update({f"status {code}": count for code, count in sorted(statuses.items()) if code not in OK_STATUS})
    elif result["errors"]["status"]:
        errors["status > 399"] = int(result["errors"]["status"])
    latency = result["latency_us"]
    percentiles = latency["percentiles"]
    journeys = requests / plan.requests_per_journey
    return {
        "generator": "wrk",
        "journeys_walked_by": walked_by(config.threads, config.connections),
        "seconds": round(seconds, 2),
        "journeys": round(journeys, 1),
        "journeys_per_s": round(journeys / seconds, 1),
        "journeys_begun": sum(int(thread["journeys_begun"]) for thread in result["threads"]),
        "requests_per_journey": round(plan.requests_per_journey, 2),
        "requests": requests,
        "requests_per_s": round(requests / seconds, 1),
        "p50_ms": round(percentiles["50"] / 1000, 2),
        "p90_ms": round(percentiles["90"] / 1000, 2),
        "p95_ms": round(percentiles["95"] / 1000, 2),
        "p99_ms": round(percentiles["99"] / 1000, 2),
        "p99.9_ms": round(percentiles["99.9"] / 1000, 2),
        "max_ms": round(latency["max"] / 1000, 1),
        "errors": errors,
        "statuses": {str(code): count for code, count in sorted(statuses.items())},
        "mbytes_received": round(int(result["bytes"]) / 1e6, 1),
        "mbytes_per_s": round(int(result["bytes"]) / 1e6 / seconds, 1),
        "generator_cpu_s": round(result["cpu_s"], 2),
        "generator_cores": round(result["cpu_s"] / seconds, 2),
        "sampled_journeys_by_browser": plan.browser_mix(),
    }
