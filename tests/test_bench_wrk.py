"""The delivery benchmark's wrk generator for one second against the bench's reference nginx on
loopback, serving a small version's files: the journey script's result parses into the figures
the bench reports, and every request of the mix was answered as the journey expects."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from bench import wrk_load
from bench.delivery import COURSE, reference_nginx, wait_ok
from bench.load import JourneyPlan, Step
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


def test_wrk_walks_the_journeys_and_reports_parsed_figures(tmp_path):
    root = tmp_path / "files"
    files(root)
    base = f"/c/{COURSE}/v/{VERSION}/"
    plan = JourneyPlan(
        launch=[
            Step(path=f"/c/{COURSE}/", expect=(302,)),
            Step(path=base + "index.html"),
            Step(path=base + "js/player.js"),
        ],
        pages=[[Step(path=base + "pages/p-01.html")], [Step(path=base + "pages/p-02.html")]],
        video_path=base + "media/lecture.mp4",
        video_size=1_200_000,
    )
    port = free_port()
    nginx = reference_nginx(tmp_path, root, VERSION, port, idle=5)
    try:
        wait_ok(port)
        sampled = wrk_load.wrk_plan(plan, "127.0.0.1", port, journeys=50)
        config = wrk_load.WrkRun(port=port, seconds=1, threads=2, connections=2)
        plan_file = wrk_load.write_plan(sampled, tmp_path / "plan.lua", config.threads)
        result = wrk_load.run(config, plan_file)
    finally:
        processes.stop(nginx)

    figures = wrk_load.summary(result, sampled, config)
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
    assert sum(figures["browsers"].values()) == 50
