"""The delivery benchmark's wrk generator for one second against the bench's reference nginx on
loopback, serving a small version's files: the journey script's result parses into the figures
the bench reports, and every request of the mix was answered as the journey expects."""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import wrk_load
from bench.delivery import COURSE, reference_nginx, wait_ok
from bench.load import BROWSERS, JourneyPlan, Step
from deploy import processes
from tests.delivery_servers import free_port

pytestmark = pytest.mark.slow

VERSION = "v1test"


def files(root: Path) -> None:
    """A launch page, a script with its gzip variant, two pages and a video to ask by ranges."""
    texts = {
        "index.html": "<!doctype html><title>Course</title>" + "<p>launch</p>" * 200,
        "js/player.js": "export const player = 1;\n" * 400,
        "pages/p-01.html": "<section>one</section>" * 100,
        "pages/p-02.html": "<section>two</section>" * 100,
    }
    for path, text in texts.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    (root / "js" / "player.js.gz").write_bytes(gzip.compress(texts["js/player.js"].encode()))
    (root / "media").mkdir()
    (root / "media" / "lecture.mp4").write_bytes(os.urandom(1_200_000))


BASE = f"/c/{COURSE}/v/{VERSION}/"
PLAN = JourneyPlan(
    launch=[
        Step(path=f"/c/{COURSE}/", expect=(302,)),
        Step(path=BASE + "index.html"),
        Step(path=BASE + "js/player.js"),
    ],
    pages=[[Step(path=BASE + "pages/p-01.html")], [Step(path=BASE + "pages/p-02.html")]],
    video_path=BASE + "media/lecture.mp4",
    video_size=1_200_000,
)


@pytest.fixture(scope="module")
def nginx_port(tmp_path_factory) -> Iterator[int]:
    work = tmp_path_factory.mktemp("wrk-nginx")
    files(work / "files")
    port = free_port()
    nginx = reference_nginx(work, work / "files", VERSION, port, idle=5)
    try:
        wait_ok(port)
        yield port
    finally:
        processes.stop(nginx)


def run_journeys(plan: JourneyPlan, port: int, folder: Path, statuses: bool) -> tuple[dict, wrk_load.WrkPlan]:
    sampled = wrk_load.wrk_plan(plan, "127.0.0.1", port, journeys=50)
    config = wrk_load.WrkRun(port=port, seconds=1, threads=2, connections=2, statuses=statuses)
    plan_file = wrk_load.write_plan(sampled, folder / "plan.lua", config.threads)
    return wrk_load.summary(wrk_load.run(config, plan_file), sampled, config), sampled


def test_the_plan_holds_each_browsers_requests_as_the_python_generator_sends_them(nginx_port):
    sampled = wrk_load.wrk_plan(PLAN, "127.0.0.1", nginx_port, journeys=50)
    by_name = {browser.name: journey for browser, journey in zip(BROWSERS, sampled.journeys, strict=True)}
    ipad = [sampled.requests[number - 1] for number in by_name["ipad-safari"]]
    assert ipad[0].startswith(f"GET /c/{COURSE}/ HTTP/1.1\r\nHost: 127.0.0.1:{nginx_port}\r\nUser-Agent: ")
    assert "Range: bytes=0-1\r\n" in ipad[5] and "Range: bytes=65536-131071\r\n" in ipad[7]
    assert "Accept-Encoding: gzip, deflate, br\r\n" in ipad[1]
    identity = [sampled.requests[number - 1] for number in by_name["proxy-identity"]]
    assert len(identity) == 8 and not any("Accept-Encoding" in request for request in identity)
    assert identity[-1].endswith("Range: bytes=1048576-1199999\r\n\r\n")


def test_wrk_walks_the_journeys_and_reports_parsed_figures(nginx_port, tmp_path):
    figures, _ = run_journeys(PLAN, nginx_port, tmp_path, statuses=True)
    assert figures["requests"] > 50, figures
    assert figures["errors"] == {}, figures
    # The pointer's redirect, whole files, and ranges of the video: 0-1 and 64 KB from Safari,
    # 512 KB from the others: a journey is 5 requests and 7 or 3 ranges.
    assert set(figures["statuses"]) == {"200", "206", "302"}, figures
    assert 8 < figures["requests_per_journey"] < 12
    assert figures["journeys"] == pytest.approx(figures["requests"] / figures["requests_per_journey"], abs=0.1)
    assert figures["journeys_begun"] >= int(figures["journeys"])
    assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"] <= figures["max_ms"]
    assert figures["journeys_walked_by"] == "connection"
    assert sum(figures["sampled_journeys_by_browser"].values()) == 50


def test_missing_files_count_as_errors_with_and_without_status_counting(nginx_port, tmp_path):
    missing = PLAN.model_copy(update={"pages": [*PLAN.pages, [Step(path=BASE + "pages/p-03.html")]]})
    counted, _ = run_journeys(missing, nginx_port, tmp_path, statuses=True)
    assert counted["errors"] == {"status 404": counted["statuses"]["404"]}
    assert counted["statuses"]["404"] == pytest.approx(counted["journeys"], rel=0.05)
    plain, _ = run_journeys(missing, nginx_port, tmp_path, statuses=False)
    assert plain["statuses"] == {} and plain["errors"]["status > 399"] > 0
    assert plain["requests_per_s"] > 0
