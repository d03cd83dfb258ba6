"""``python -m bench.budgets``: the learner's player against its budgets, on the sample course,
with the previous version measured the same way in the same run so that a regression shows.

For each version (this tree, and ``--previous REF``, by default the last commit that changed
``player/``, checked out into a temporary worktree) the sample course of that version is built
as a web package (its media from one shared cache) and served by nginx from a loopback port, as
a web server sends files: gzip for text, no compression for media. Then:

- **weight**: every JavaScript and CSS file the player ships, raw and gzipped as nginx sends it
  (level 6), and their total (budget: 30 KB);
- **pages**: each page opened in Chromium (unthrottled): the bytes it transferred, video and
  audio left out (budget for the first page: 50 KB), and the question modules it loaded, so a
  page that loads modules it does not use shows;
- **tablet**: the first page on Playwright's iPad (gen 7) descriptor, 1.6 Mbit/s down, 750 kbit/s
  up, 150 ms round trip, the CPU slowed 4x, in a new context each time: milliseconds from
  navigation to interactive (its heading drawn and the Next button enabled), median of
  ``--loads`` (budget: 1,000 ms);
- **lighthouse**: Lighthouse (npm, ``bench/package.json``) in its mobile mode on the first page
  and on a quiz page (the same course built with the first quiz's page first), performance and
  accessibility scores (budgets: 95 and 100).

Figures go to stdout and ``bench/results/budgets-<UTC time>.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.editor import free_port
from deploy import processes

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
LIGHTHOUSE = REPO / "bench" / "node_modules" / ".bin" / "lighthouse"
SAMPLE = Path("courses") / "samples" / "security-basics"
BUDGETS = {
    "player_gzip_bytes": 30_000,
    "first_page_bytes": 50_000,
    "tablet_ms": 1_000,
    "performance": 95,
    "accessibility": 100,
}
TABLET = {"latency_ms": 150, "down_bit_s": 1_600_000, "up_bit_s": 750_000, "cpu_slowdown": 4}
GZIP_LEVEL = 6
MEDIA_TYPES = ("video/", "audio/")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]

NGINX = """{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
daemon off;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    types {{ text/javascript js mjs; }}
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    gzip on;
    gzip_comp_level {level};
    gzip_min_length 1;
    gzip_types text/css text/javascript application/javascript application/json image/svg+xml text/vtt;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        add_header Cache-Control no-cache;
    }}
}}
"""

BUILD = """
import sys
from pathlib import Path
from courses.loader import load_course
from courses.source import FolderSource
from exporters.build import build_course

folder, out, first = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
course = load_course(folder)
if first:  # the page ``first`` moved to the front, so that a fresh learner lands on it
    sections = [s.model_copy(update={"pages": [p for p in s.pages if p.id != first]}) for s in course.sections]
    page = next(p for s in course.sections for p in s.pages if p.id == first)
    sections[0] = sections[0].model_copy(update={"pages": [page, *sections[0].pages]})
    course = course.model_copy(update={"sections": sections})
build_course(course, FolderSource(folder), "web", out)
"""

INTERACTIVE = """() => {
  const heading = document.querySelector('#main h1');
  const next = document.querySelector('#next');
  return !!(heading && heading.textContent.trim() && getComputedStyle(heading).visibility === 'visible'
    && next && !next.disabled);
}"""
"""The first page usable: its heading drawn (a launch page holding it unseen does not count) and
Next enabled (the launch page has it disabled until the player has wired it)."""

STEPS = """() => {
  const [nav] = performance.getEntriesByType('navigation');
  const code = performance.getEntriesByType('resource').filter((r) => /\\.(js|css)$/.test(new URL(r.name).pathname));
  return {
    launch_page: nav.responseEnd,
    scripts_and_styles: Math.max(0, ...code.map((r) => r.responseEnd)),
    dom_content_loaded: nav.domContentLoadedEventEnd,
    interactive: performance.now(),
  };
}"""
"""Where a tablet load's time went: the launch page received, its scripts and styles received,
DOMContentLoaded (the module scripts have run their top level), and the first page usable."""


# --------------------------------------------------------------------------- versions and serving
def previous_ref() -> str:
    """The commit before the last one that changed the player."""
    last = subprocess.run(
        ["git", "log", "-1", "--format=%H", "--", "player"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    return f"{last}~1"


def checkout(ref: str, work: Path) -> Path:
    tree = work / "previous-tree"
    subprocess.run(
        ["git", "worktree", "add", "--detach", "--force", str(tree), ref], cwd=REPO, check=True, capture_output=True
    )
    # A version whose player is built by esbuild uses this checkout's installed copy (a worktree
    # has no node_modules): the same tool when the lock files agree.
    if (tree / "player" / "package.json").exists() and (REPO / "player" / "node_modules").is_dir():
        (tree / "player" / "node_modules").symlink_to(REPO / "player" / "node_modules")
    return tree


def build(tree: Path, out: Path, cache: Path, first: str = "") -> Path:
    """The sample course of ``tree`` built by ``tree``'s code as a web package, unpacked in ``out``."""
    package = out.with_suffix(".zip")
    env = {**os.environ, "PYTHONPATH": str(tree), "COURSEFORGE_CACHE_DIR": str(cache)}
    env.pop("COURSEFORGE_BROKER_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", BUILD, str(tree / SAMPLE), str(package), first],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: building the sample course of {tree} failed:\n{done.stderr[-3000:]}")
    with zipfile.ZipFile(package) as archive:
        archive.extractall(out)
    return out


class Served:
    """nginx serving ``root`` on a loopback port, gzip on for text."""

    def __init__(self, root: Path, work: Path) -> None:
        self.port = free_port()
        prefix = work / f"nginx-{self.port}"
        prefix.mkdir(parents=True)
        (prefix / "nginx.conf").write_text(
            NGINX.format(
                user="user root;\n" if os.geteuid() == 0 else "",
                prefix=prefix,
                level=GZIP_LEVEL,
                port=self.port,
                root=root,
            ),
            encoding="utf-8",
        )
        self.process = processes.start(
            "budget-nginx", ["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf")], prefix / "nginx.out"
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 10
        while not (prefix / "nginx.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        processes.stop(self.process)


# --------------------------------------------------------------------------- measures
def weight(site: Path) -> dict[str, Any]:
    """The player's JavaScript and CSS, raw and gzipped at nginx's level, file by file."""
    files = sorted(p for p in site.rglob("*") if p.suffix in (".js", ".mjs", ".css") and p.is_file())
    rows = {
        p.relative_to(site).as_posix(): (p.stat().st_size, len(gzip.compress(p.read_bytes(), GZIP_LEVEL, mtime=0)))
        for p in files
    }
    return {
        "files": {name: {"raw": raw, "gzip": packed} for name, (raw, packed) in rows.items()},
        "raw": sum(raw for raw, _ in rows.values()),
        "gzip": sum(packed for _, packed in rows.values()),
    }


def page_loads(browser: Any, url: str, pages: list[str]) -> list[dict[str, Any]]:
    """Each page of the course opened in a fresh context (the first by launching, the others by
    the Next button): bytes transferred (media left out) and the question modules loaded."""
    out = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        seen: list[dict[str, Any]] = []
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        kinds: dict[str, tuple[str, str]] = {}
        cdp.on(
            "Network.responseReceived",
            lambda e: kinds.__setitem__(e["requestId"], (e["response"]["url"], e["response"]["mimeType"])),
        )
        cdp.on(
            "Network.loadingFinished", lambda e: seen.append({"id": e["requestId"], "bytes": e["encodedDataLength"]})
        )
        for index, page_id in enumerate(pages):
            seen.clear()
            if index == 0:
                page.goto(f"{url}/index.html", wait_until="networkidle")
            else:
                page.click("#next")
                page.wait_for_function(f"() => document.querySelector('[data-page=\"{page_id}\"]')")
                page.wait_for_load_state("networkidle")
            requests = [(kinds.get(r["id"], ("", "")), r["bytes"]) for r in seen]
            kept = [(u, m, b) for (u, m), b in requests if not m.startswith(MEDIA_TYPES)]
            code = [b for _u, m, b in kept if m in ("text/javascript", "application/javascript", "text/css")]
            out.append(
                {
                    "page": page_id,
                    "bytes": sum(b for _u, _m, b in kept),
                    "requests": len(kept),
                    "js_css_bytes": sum(code),
                    "question_modules": sorted(u.rsplit("/", 1)[-1] for u, _m, _b in kept if "/js/questions/" in u),
                }
            )
    finally:
        context.close()
    return out


def tablet(pw: Any, browser: Any, url: str, loads: int) -> dict[str, Any]:
    device = pw.devices["iPad (gen 7)"]
    times = []
    steps: list[dict[str, float]] = []
    for _ in range(loads):
        context = browser.new_context(**device)
        try:
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": TABLET["cpu_slowdown"]})
            cdp.send("Network.enable")
            cdp.send(
                "Network.emulateNetworkConditions",
                {
                    "offline": False,
                    "latency": TABLET["latency_ms"],
                    "downloadThroughput": TABLET["down_bit_s"] / 8,
                    "uploadThroughput": TABLET["up_bit_s"] / 8,
                },
            )
            page.goto(f"{url}/index.html", wait_until="commit", timeout=60_000)
            page.wait_for_function(INTERACTIVE, polling="raf", timeout=60_000)
            times.append(page.evaluate("() => performance.now()"))
            steps.append(page.evaluate(STEPS))
        finally:
            context.close()
    return {
        "loads_ms": [round(t) for t in times],
        "median_ms": round(statistics.median(times)),
        "steps_median_ms": {name: round(statistics.median(s[name] for s in steps)) for name in steps[0]},
    }


def lighthouse(url: str, work: Path) -> dict[str, Any]:
    """Lighthouse's mobile run (its default form factor and throttling): performance and
    accessibility scores, and the figures behind the first."""
    if not LIGHTHOUSE.exists():
        raise SystemExit("bench: Lighthouse is not installed: run ./scripts/bootstrap --bench (npm ci in bench/)")
    report = work / f"lighthouse-{time.monotonic_ns()}.json"
    env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--only-categories=performance,accessibility",
            "--output=json",
            f"--output-path={report}",
            "--chrome-flags=--headless=new " + " ".join(CHROMIUM_ARGS),
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    data = json.loads(report.read_text(encoding="utf-8"))
    audits = data["audits"]
    return {
        "performance": round(data["categories"]["performance"]["score"] * 100),
        "accessibility": round(data["categories"]["accessibility"]["score"] * 100),
        "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
        "failed_accessibility": sorted(
            ref["id"]
            for ref in data["categories"]["accessibility"]["auditRefs"]
            if ref.get("weight") and audits[ref["id"]].get("score") not in (None, 1)
        ),
    }


def first_quiz_page(site: Path) -> str:
    course = json.loads((site / "course.json").read_text(encoding="utf-8"))
    return next(p["id"] for p in course["pages"] if p["quizzes"])


def measure(name: str, tree: Path, work: Path, cache: Path, args: argparse.Namespace, pw: Any, browser: Any) -> dict:
    site = build(tree, work / f"{name}-site", cache)
    quiz_page = first_quiz_page(site)
    quiz_site = build(tree, work / f"{name}-quiz-first", cache, quiz_page)
    pages = [p["id"] for p in json.loads((site / "course.json").read_text(encoding="utf-8"))["pages"]]
    served, quiz_served = Served(site, work), Served(quiz_site, work)
    try:
        figures: dict[str, Any] = {
            "weight": weight(site),
            "pages": page_loads(browser, served.url, pages),
            "tablet": tablet(pw, browser, served.url, args.loads),
            "quiz_page": quiz_page,
        }
        if not args.skip_lighthouse:
            figures["lighthouse"] = {
                "first page": lighthouse(f"{served.url}/index.html", work),
                "quiz page": lighthouse(f"{quiz_served.url}/index.html", work),
            }
    finally:
        served.stop()
        quiz_served.stop()
    return figures


# --------------------------------------------------------------------------- report
def report(current: dict, previous: dict | None) -> str:
    """The figures against their budgets, each with the previous version's beside it."""

    def pair(figure: Any) -> str:
        now = figure(current)
        return f"{now:,}" if previous is None else f"{now:,} (before: {figure(previous):,})"

    def heaviest(figures: dict) -> int:
        return max(p["js_css_bytes"] for p in figures["pages"])

    lines = [
        f"player JS + CSS, gzip: {pair(lambda f: f['weight']['gzip'])} bytes shipped, {pair(heaviest)} loaded by "
        f"one page at most; budget {BUDGETS['player_gzip_bytes']:,}",
        f"first page transferred: {pair(lambda f: f['pages'][0]['bytes'])} bytes; "
        f"budget {BUDGETS['first_page_bytes']:,}",
        f"tablet interactive, median: {pair(lambda f: f['tablet']['median_ms'])} ms; budget {BUDGETS['tablet_ms']:,}",
    ]
    steps = current["tablet"].get("steps_median_ms")
    if steps:
        said = ", ".join(f"{name.replace('_', ' ')} {ms:,} ms" for name, ms in steps.items())
        lines.append(f"  tablet steps, medians: {said}")
    if "lighthouse" in current:
        for where in ("first page", "quiz page"):
            scores = [
                f"{score} {pair(lambda f, w=where, k=score: f['lighthouse'][w][k])}"
                for score in ("performance", "accessibility")
            ]
            lines.append(f"lighthouse {where}: " + ", ".join(scores))
    modules = "; ".join(f"{p['page']}: {len(p['question_modules'])}" for p in current["pages"])
    lines.append(f"question modules loaded per page: {modules}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.budgets", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--previous", help="the version to compare with (a git ref; default: before the last player change)"
    )
    parser.add_argument("--no-previous", action="store_true", help="measure this tree only")
    parser.add_argument("--loads", type=int, default=5, help="tablet loads (the median is kept)")
    parser.add_argument("--skip-lighthouse", action="store_true")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="courseforge-budgets-"))
    cache = REPO / ".courseforge-cache"
    figures: dict[str, Any] = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "budgets": BUDGETS,
        "tablet_profile": TABLET,
        "load_average_start": os.getloadavg(),
    }
    ref = None if args.no_previous else (args.previous or previous_ref())
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            try:
                figures["current"] = measure("current", REPO, work, cache, args, pw, browser)
                if ref is not None:
                    figures["previous_ref"] = subprocess.run(
                        ["git", "rev-parse", "--short", ref], cwd=REPO, capture_output=True, text=True
                    ).stdout.strip()
                    figures["previous"] = measure("previous", checkout(ref, work), work, cache, args, pw, browser)
            finally:
                browser.close()
    finally:
        if ref is not None:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(work / "previous-tree")], cwd=REPO, capture_output=True
            )
        shutil.rmtree(work, ignore_errors=True)
    figures["load_average_end"] = os.getloadavg()
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"budgets-{stamp}.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(report(figures["current"], figures.get("previous")))
    print(f"figures saved to bench/results/budgets-{stamp}.json")


if __name__ == "__main__":
    main()
