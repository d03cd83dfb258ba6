"""`python -m bench.delivery`: the delivery stack under learner load, against references
measured in the same run, and the fault drills.

Servers (all on loopback, started and stopped here):

- **nginx**: plain nginx serving the published version's files directly (the same bytes and
  precompressed variants, laid out under the same URLs, the pointer a fixed redirect);
- **varnish+nginx**: Varnish with the deploy recipe's VCL in front of that nginx;
- **stack**: ``deploy.stack.up`` (Varnish -> nginx -> three gunicorn origin nodes), measured
  through its Varnish and, as **origin**, at its nginx (no CDN).

Phases (each bounded in time):

1. throughput: journeys back to back, after a warm-up, on each server; journeys per second,
   p50/p95/p99, errors, Varnish's hit ratio, ratios to the references. The generator is wrk
   (``bench.wrk_load``: the same journeys, closed loop, ``--threads``/``--connections``) when it
   is installed, else ``--generator python``: ``bench.load`` spread over processes and 127.0.0.x
   source addresses, learners without think time;
2. concurrency: each of ``--levels`` (5,000 to 30,000 learners) arriving at ``--arrival-rate``
   a second (250: a 120 s ramp for 30,000) with a 10 s think time through the stack's Varnish,
   then held ``--hold`` s; server-side open connections sampled, reconnects per learner, the
   generator's loop lag and how late page views started, requests achieved against those
   offered;
3. node kill: pointer requests at the stack's nginx (every one reaches a node) while one node
   is SIGKILLed whole and brought back by ``deploy up``; then a Varnish restart in a run of whole
   journeys: what learners saw. Phases 2 and 3 use ``bench.load``, which models think time,
   reconnects and per-learner failures, as wrk 4 cannot.

Figures go to stdout and bench/results/delivery-<UTC time>.json with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from PIL import Image

from bench import wrk_load
from bench.load import JourneyPlan, LoadConfig, Step, Tally, merge, percentile
from deploy import processes, varnish
from deploy.processes import Started
from deploy.stack import DeploySettings, down, kill_node, read_state, restart_varnish, up
from player.delivery import read_version

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
COURSE = "bench-delivery"
PAGES = 20
VIDEO_BYTES = 3_000_000
GOALS = {
    "stack_vs_varnish": 0.95,
    "hit_ratio": 0.99,
    "journeys_per_s": 500,
    "p99_ms": 100,
    "origin_vs_nginx": 0.5,
    "concurrency_learners": 30_000,
    "concurrency_p99_ms": 200,
}


# ------------------------------------------------------------------------------- the course
def write_course(folder: Path) -> Path:
    """20 reading pages (text and a photo-sized image each), a five-question quiz; the video is
    added to the built site (publishing stores bytes; no encode is needed to serve ranges)."""
    (folder / "media").mkdir(parents=True)
    pages = []
    for number in range(1, PAGES + 1):
        # A photo-like figure: smooth shading with grain, about the weight of a real one.
        grain = Image.effect_noise((960, 540), 16 + number % 5).convert("RGB")
        shade = Image.linear_gradient("L").resize((960, 540)).convert("RGB")
        image = Image.blend(shade, grain, 0.3)
        image.save(folder / "media" / f"figure-{number:02d}.png")
        text = f"## Part {number}\n\n" + " ".join(["Learners read this paragraph about safe work."] * 12)
        pages.append(
            {
                "id": f"p-{number:02d}",
                "title": f"Part {number}",
                "blocks": [
                    {"type": "text", "id": f"t-{number:02d}", "markdown": text},
                    {
                        "type": "image",
                        "id": f"i-{number:02d}",
                        "src": f"media/figure-{number:02d}.png",
                        "alt": "A figure",
                    },
                ],
            }
        )
    questions: list[dict[str, Any]] = [
        {"type": "true_false", "id": f"q-{n}", "prompt": f"Statement {n} holds.", "answer": True} for n in range(1, 4)
    ]
    questions += [
        {
            "type": "single_choice",
            "id": f"q-{n}",
            "prompt": f"Pick the right answer {n}.",
            "choices": [{"id": f"c-{n}-a", "text": "A", "correct": True}, {"id": f"c-{n}-b", "text": "B"}],
        }
        for n in range(4, 6)
    ]
    pages.append(
        {
            "id": "p-quiz",
            "title": "Quiz",
            "blocks": [{"type": "quiz", "id": "quiz", "title": "Check", "questions": questions}],
        }
    )
    course = {"id": COURSE, "title": "Delivery benchmark", "sections": [{"id": "s1", "title": "All", "pages": pages}]}
    (folder / "course.yaml").write_text(yaml.safe_dump(course, sort_keys=False), encoding="utf-8")
    return folder


def publish(work: Path, store: Path) -> str:
    from exporters.build import build_site
    from exporters.publish import publish_site
    from storage import LocalStorage

    site = build_site(write_course(work / "course"), "web", work / "site").path
    (site / "media" / "lecture.mp4").write_bytes(os.urandom(VIDEO_BYTES))
    return publish_site(site, COURSE, LocalStorage(store)).version


def journey_plan(store: Path, version: str) -> JourneyPlan:
    """The requests a browser makes, read from the published version's manifest and pages."""
    from storage import LocalStorage

    files = read_version(LocalStorage(store), COURSE, version).files
    base = f"/c/{COURSE}/v/{version}/"
    assets = sorted(p for p in files if p.startswith(("css/", "js/")) and "/questions/" not in p) + ["course.json"]
    launch = [Step(path=f"/c/{COURSE}/", expect=(302,)), Step(path=base + "index.html")]
    launch += [Step(path=base + path) for path in assets]
    pages: list[list[Step]] = []
    for page in sorted(p for p in files if p.startswith("pages/")):
        html = (store / files[page].key).read_text(encoding="utf-8")
        pictures = list(dict.fromkeys(re.findall(r"media/[^\"' ,?]+\.webp", html)))
        # The widest rendition of the page's figure (srcset lists them narrowest first).
        group = [Step(path=base + page), *[Step(path=base + path) for path in pictures[-1:] if path in files]]
        if "quiz" in page:
            group += [Step(path=base + p) for p in sorted(files) if p.startswith("js/questions/")][:2]
        pages.append(group)
    return JourneyPlan(
        launch=launch, pages=pages, video_path=base + "media/lecture.mp4", video_size=files["media/lecture.mp4"].size
    )


def pointer_plan() -> JourneyPlan:
    """Pointer lookups only: sent to the stack's nginx (Varnish keeps the answer a second), every
    one is answered by an origin node."""
    pointer = Step(path=f"/c/{COURSE}/", expect=(302,))
    return JourneyPlan(launch=[pointer], pages=[[pointer]] * 20)


# ------------------------------------------------------------------------------- references
REFERENCE_NGINX = """{user}worker_processes 2;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
daemon off;
load_module /usr/lib/nginx/modules/ngx_http_brotli_static_module.so;
worker_rlimit_nofile 20000;
events {{ worker_connections 8192; }}
http {{
    include /etc/nginx/mime.types;
    types {{ text/javascript js; }}
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout {idle}s;
    keepalive_requests 10000;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location = /healthz {{ return 200 "ok\\n"; }}
        location = /c/{course}/ {{
            add_header Cache-Control no-cache;
            return 302 /c/{course}/v/{version}/index.html$is_args$args;
        }}
        location /c/{course}/v/{version}/ {{
            alias {root}/;
            gzip_static on;
            brotli_static on;
            gzip_vary on;
            add_header Cache-Control "public, max-age=31536000, immutable";
        }}
    }}
}}
"""


def reference_tree(store: Path, version: str, root: Path) -> None:
    """The version's files under their package paths, hard-linked to the stored objects (the
    same bytes nginx serves in the stack), their .gz/.br beside them."""
    from storage import LocalStorage

    for path, entry in read_version(LocalStorage(store), COURSE, version).files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(store / entry.key, target)
        for encoding in entry.encodings:
            suffix = {"gzip": ".gz", "br": ".br"}[encoding]
            os.link(store / (entry.key + suffix), target.with_name(target.name + suffix))


def reference_nginx(work: Path, root: Path, version: str, port: int, idle: int) -> Started:
    """nginx on 127.0.0.1:``port`` serving the files under ``root`` as ``version`` of the bench's
    course, its pid, logs and temporary files in ``work``/nginx; started, not yet waited for."""
    prefix = work / "nginx"
    prefix.mkdir(parents=True)
    (prefix / "nginx.conf").write_text(
        REFERENCE_NGINX.format(
            prefix=prefix,
            port=port,
            course=COURSE,
            version=version,
            root=root,
            idle=idle,
            user="user root;\n" if os.geteuid() == 0 else "",
        ),
        encoding="utf-8",
    )
    return processes.start(
        "ref-nginx", ["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf")], work / "nginx.out"
    )


class References:
    """nginx serving the files directly, and Varnish (the recipe's VCL) in front of it."""

    def __init__(
        self, work: Path, store: Path, version: str, nginx_port: int, varnish_port: int, settings: DeploySettings
    ):
        idle = settings.idle_timeout
        self.work, self.nginx_port, self.varnish_port = work, nginx_port, varnish_port
        self.started: list[Started] = []
        root = work / "files"
        reference_tree(store, version, root)
        self.started.append(reference_nginx(work, root, version, nginx_port, idle))
        vcl = work / "reference.vcl"
        # The stack's own VCL settings: the pointer (here nginx's fixed redirect) micro-cached alike.
        vcl.write_text(
            varnish.vcl("127.0.0.1", nginx_port, settings.launch_ttl, settings.pointer_ttl), encoding="utf-8"
        )
        self.varnish_work = work / "varnish"
        self.started.append(
            processes.start(
                "ref-varnish", varnish.command(self.varnish_work, varnish_port, vcl, "256m", idle), work / "varnish.out"
            )
        )
        for port in (nginx_port, varnish_port):
            wait_ok(port)

    def stop(self) -> None:
        for process in reversed(self.started):
            processes.stop(process)


def wait_ok(port: int, timeout: float = 30) -> None:
    import http.client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"bench: nothing healthy on port {port}")


def varnish_counters(work: Path) -> dict[str, int]:
    done = subprocess.run(["varnishstat", "-n", str(work), "-1", "-j"], capture_output=True, text=True, check=True)
    data = json.loads(done.stdout)
    counters = data.get("counters", data)
    wanted = (
        "MAIN.cache_hit",
        "MAIN.cache_miss",
        "MAIN.cache_hitmiss",
        "MAIN.cache_hitpass",
        "MAIN.s_pass",
        "MAIN.sess_conn",
    )
    return {name: int(counters[name]["value"]) for name in wanted if name in counters}


def hit_ratio(before: dict[str, int], after: dict[str, int]) -> dict[str, float | int]:
    delta = {name: after[name] - before.get(name, 0) for name in after}
    looked_up = delta["MAIN.cache_hit"] + delta["MAIN.cache_miss"] + delta.get("MAIN.cache_hitmiss", 0)
    return {
        "hit_ratio": round(delta["MAIN.cache_hit"] / looked_up, 5) if looked_up else 0.0,
        "hits": delta["MAIN.cache_hit"],
        "misses": delta["MAIN.cache_miss"],
        "passes": delta["MAIN.s_pass"],
        "connections": delta.get("MAIN.sess_conn", 0),
    }


# ------------------------------------------------------------------------------- the load
def generate(port: int, plan: JourneyPlan, processes_: int, learners: int, **options: Any) -> Tally:
    """``learners`` spread over ``processes_`` generator processes, each from its own 127.0.0.x."""
    configs = [
        LoadConfig(
            port=port,
            source=f"127.0.0.{2 + index}",
            plan=plan,
            learners=max(1, learners // processes_ + (1 if index < learners % processes_ else 0)),
            seed=index + 1,
            **options,
        )
        for index in range(processes_)
    ]
    # Each child's tally and messages go to files of its own: a pipe read one child after another
    # could fill up and stall, or cut, a child writing while the parent waits on another.
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        children = []
        for index, config in enumerate(configs):
            out, err = Path(folder, f"{index}.json"), Path(folder, f"{index}.err")
            with out.open("wb") as stdout, err.open("wb") as stderr:
                command = [sys.executable, "-m", "bench.load", config.model_dump_json()]
                children.append((subprocess.Popen(command, cwd=REPO, stdout=stdout, stderr=stderr), out, err))
        parts = []
        limit = time.monotonic() + options.get("duration", 10) + options.get("ramp", 0) + 120
        for child, out, err in children:
            child.wait(timeout=max(1.0, limit - time.monotonic()))
            if child.returncode != 0:
                raise SystemExit(f"bench: a load generator failed:\n{err.read_text(errors='replace')[-2000:]}")
            parts.append(json.loads(out.read_text()))
    return merge(parts)


def summary(tally: Tally, seconds: float | None = None) -> dict[str, Any]:
    spent = seconds or max(1e-9, tally.ended - tally.started)
    lag = tally.lag_ms
    return {
        "journeys": tally.journeys,
        "journeys_per_s": round(tally.journeys / spent, 1),
        "requests": tally.requests,
        "requests_per_s": round(tally.requests / spent, 1),
        "offered": tally.offered,
        "p50_ms": round(percentile(tally.latency, 0.50), 2),
        "p95_ms": round(percentile(tally.latency, 0.95), 2),
        "p99_ms": round(percentile(tally.latency, 0.99), 2),
        "max_ms": round(max(tally.latency, default=0) * 0.1, 1),
        "errors": dict(tally.errors),
        "statuses": dict(tally.statuses),
        "connections": tally.connections,
        "learners": tally.learners,
        "learners_who_saw_a_failure": tally.learners_failed,
        "reconnects_per_learner": round(tally.connections / tally.learners, 2) if tally.learners else 0,
        "loop_lag_p99_ms": percentile(Counter({k * 10: v for k, v in lag.items()}), 0.99),
        "loop_lag_max_ms": max(lag, default=0),
        "page_view_start_late_p99_ms": percentile(Counter({k * 10: v for k, v in tally.late_ms.items()}), 0.99),
        "page_view_start_late_max_ms": max(tally.late_ms, default=0),
        "generator_open_connections_peak": tally.open_peak,
        "event_loop": tally.loop,
        "mbytes": round(tally.bytes / 1e6, 1),
        "browsers": dict(tally.browsers),
        # Per second from the start: answers, and failures (where a level broke, if it did).
        "answers_by_second": _by_second(tally.timeline, tally.started),
        "failures_by_second": _by_second(tally.failures_timeline, tally.started),
    }


def _by_second(timeline: Counter[int], started: float) -> dict[int, int]:
    return {second - int(started): count for second, count in sorted(timeline.items())}


class ConnectionSampler(threading.Thread):
    """Established connections on a server port, counted by ``ss`` (the kernel filters them:
    cheap however many connections are in TIME_WAIT) every half second."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port, self.peak = port, 0
        self.samples: list[int] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.5):
            listed = subprocess.run(
                ["ss", "-Htn", "state", "established", f"( sport = :{self.port} )"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            count = listed.count("\n")
            self.samples.append(count)
            self.peak = max(self.peak, count)

    @property
    def median(self) -> int:
        return sorted(self.samples)[len(self.samples) // 2] if self.samples else 0


# ------------------------------------------------------------------------------- phases
def throughput(
    args: argparse.Namespace, targets: dict[str, tuple[int, Path | None]], plan: JourneyPlan, work: Path
) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for name, (port, varnish_work) in targets.items():
        if args.generator == "wrk":
            figures[name] = wrk_throughput(args, port, varnish_work, plan, work / f"wrk-{port}.lua")
        else:
            generate(port, plan, args.processes, args.learners_throughput, duration=args.warmup)
            before = varnish_counters(varnish_work) if varnish_work else None
            tally = generate(port, plan, args.processes, args.learners_throughput, duration=args.seconds)
            figures[name] = {"generator": "python", **summary(tally)}
            if varnish_work and before is not None:
                figures[name].update(hit_ratio(before, varnish_counters(varnish_work)))
        shown = {k: v for k, v in figures[name].items() if k not in ("browsers", "sampled_journeys_by_browser")}
        print(f"  {name}: {json.dumps(shown)}", flush=True)
    ratios = {
        "stack_vs_varnish": figures["stack"]["journeys_per_s"] / figures["varnish+nginx"]["journeys_per_s"],
        "origin_vs_nginx": figures["origin"]["journeys_per_s"] / figures["nginx"]["journeys_per_s"],
        "varnish_vs_nginx": figures["varnish+nginx"]["journeys_per_s"] / figures["nginx"]["journeys_per_s"],
    }
    return {"servers": figures, "ratios": {k: round(v, 3) for k, v in ratios.items()}}


def wrk_throughput(
    args: argparse.Namespace, port: int, varnish_work: Path | None, plan: JourneyPlan, plan_file: Path
) -> dict[str, Any]:
    """A warm-up and a measured wrk run on ``port``. The warm-up counts answers by status code;
    the measured run only with ``--wrk-statuses``, since that hands every body to Lua and makes
    the generator the slower side (4xx/5xx are counted either way, by wrk itself)."""
    sampled = wrk_load.wrk_plan(plan, "127.0.0.1", port, journeys=args.wrk_journeys)
    wrk_load.write_plan(sampled, plan_file, args.threads)
    shape = {"port": port, "threads": args.threads, "connections": args.connections}
    warmup = wrk_load.WrkRun(seconds=max(1, round(args.warmup)), statuses=True, **shape)
    warm = wrk_load.summary(wrk_load.run(warmup, plan_file), sampled, warmup)
    before = varnish_counters(varnish_work) if varnish_work else None
    measured = wrk_load.WrkRun(seconds=max(1, round(args.seconds)), statuses=args.wrk_statuses, **shape)
    figure = wrk_load.summary(wrk_load.run(measured, plan_file), sampled, measured)
    figure["warmup"] = {key: warm[key] for key in ("requests", "requests_per_s", "errors", "statuses")}
    if varnish_work and before is not None:
        figure.update(hit_ratio(before, varnish_counters(varnish_work)))
    return figure


def throughput_table(result: dict[str, Any]) -> str:
    """The throughput figures as the Markdown tables bench/README.md shows."""
    generator = result["generator"]
    shape = (
        f"wrk, {generator['threads']} threads, {generator['connections']} connections, closed loop"
        if generator["name"] == "wrk"
        else f"python, {generator['learners']} learners in {generator['processes']} processes"
    )
    rows = [
        f"generator: {shape}; {generator['measured_s']} s after a {generator['warmup_s']} s warm-up",
        "",
        "| server | journeys/s | requests/s | p50 ms | p95 ms | p99 ms | errors | Varnish hit ratio | wrk cores |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, figure in result["servers"].items():
        ratio = f"{figure['hit_ratio'] * 100:.2f} %" if "hit_ratio" in figure else "-"
        cores = f"{figure['generator_cores']:.2f}" if "generator_cores" in figure else "-"
        rows.append(
            f"| {name} | {figure['journeys_per_s']:,.1f} | {figure['requests_per_s']:,.0f} | {figure['p50_ms']:.1f} "
            f"| {figure['p95_ms']:.1f} | {figure['p99_ms']:.1f} | {sum(figure['errors'].values()):,} | {ratio} "
            f"| {cores} |"
        )
    rows += ["", "| ratio (journeys/s) | goal | measured |", "|---|---:|---:|"]
    for key, label in (
        ("stack_vs_varnish", "stack / varnish+nginx"),
        ("origin_vs_nginx", "origin / nginx"),
        ("varnish_vs_nginx", "varnish+nginx / nginx"),
    ):
        goal = f">= {GOALS[key]}" if key in GOALS else "-"
        rows.append(f"| {label} | {goal} | {result['ratios'][key]:.2f} |")
    return "\n".join(rows)


def rounds_summary(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Several throughput rounds: each round's ratios and their medians (printed as a table)."""
    medians = {
        key: round(statistics.median(result["ratios"][key] for result in rounds), 3) for key in rounds[0]["ratios"]
    }
    rows = [
        "| ratio (journeys/s) | goal | " + " | ".join(f"round {n}" for n in range(1, len(rounds) + 1)) + " | median |"
    ]
    rows.append("|---|---:|" + "---:|" * (len(rounds) + 1))
    for key, value in medians.items():
        goal = f">= {GOALS[key]}" if key in GOALS else "-"
        each = " | ".join(f"{result['ratios'][key]:.2f}" for result in rounds)
        rows.append(f"| {key} | {goal} | {each} | {value:.2f} |")
    print("\n".join(rows), flush=True)
    return {"rounds": rounds, "ratios_median": medians}


def concurrency(args: argparse.Namespace, settings: DeploySettings, plan: JourneyPlan) -> dict[str, Any]:
    """Each level of concurrent learners through the stack's Varnish: arriving evenly over the
    ramp (``--ramp``, else at ``--arrival-rate`` a second), then held ``--hold`` s."""
    figures = {}
    for level in args.levels:
        ramp = args.ramp if args.ramp is not None else max(10.0, level / args.arrival_rate)
        sampler = ConnectionSampler(settings.entry_port)
        sampler.start()
        before = varnish_counters(settings.state / "varnish" / "work")
        load_before = os.getloadavg()
        tally = generate(
            settings.entry_port,
            plan,
            args.processes,
            level,
            duration=ramp + args.hold,
            ramp=ramp,
            think=args.think,
        )
        sampler.done.set()
        sampler.join()
        figure = summary(tally)
        figure.update(hit_ratio(before, varnish_counters(settings.state / "varnish" / "work")))
        figure["ramp_s"], figure["hold_s"], figure["think_s"] = ramp, args.hold, args.think
        figure["processes"] = args.processes
        figure["load_before"], figure["load_after"] = load_before, os.getloadavg()
        figure["server_open_connections_peak"] = sampler.peak
        figure["server_open_connections_median"] = sampler.median
        figure["achieved_vs_offered"] = round(tally.requests / tally.offered, 5) if tally.offered else 0
        figure["active_learners_peak"] = tally.active_peak
        # The busiest second and the hold's mean rate, from the per-second timeline.
        seconds = sorted(tally.timeline)
        figure["requests_per_s_peak"] = max(tally.timeline.values(), default=0)
        hold = [tally.timeline[t] for t in seconds if t >= tally.started + ramp]
        figure["requests_per_s_hold"] = round(sum(hold) / len(hold), 1) if hold else 0
        figure["held"] = (
            not figure["errors"]
            and figure["p99_ms"] < GOALS["concurrency_p99_ms"]
            and figure["achieved_vs_offered"] >= 0.999
        )
        figures[str(level)] = figure
        shown = {k: v for k, v in figure.items() if k not in ("browsers", "answers_by_second", "failures_by_second")}
        print(f"  {level} learners: {json.dumps(shown)}", flush=True)
    print(concurrency_table(figures), flush=True)
    return figures


def concurrency_table(figures: dict[str, dict[str, Any]]) -> str:
    """The concurrency figures as the Markdown table bench/README.md shows."""
    rows = [
        "| learners | ramp s | requests offered | achieved | p50 ms | p99 ms | errors "
        "| server connections peak / median | reconnects per learner | loop lag p99 / max "
        "| page views started late p99 / max | held |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for level, f in figures.items():
        rows.append(
            f"| {int(level):,} | {f['ramp_s']:.0f} | {f['offered']:,} | {f['achieved_vs_offered'] * 100:.2f} % "
            f"| {f['p50_ms']:.1f} | {f['p99_ms']:.1f} | {sum(f['errors'].values()):,} "
            f"| {f['server_open_connections_peak']:,} / {f['server_open_connections_median']:,} "
            f"| {f['reconnects_per_learner']:.1f} | {f['loop_lag_p99_ms']:.0f} / {f['loop_lag_max_ms']} ms "
            f"| {f['page_view_start_late_p99_ms']:.0f} / {f['page_view_start_late_max_ms']} ms "
            f"| {'yes' if f['held'] else 'no'} |"
        )
    return "\n".join(rows)


def node_kill(args: argparse.Namespace, settings: DeploySettings, plan: JourneyPlan) -> dict[str, Any]:
    """Pointer lookups at the stack's nginx (every one served by a node) while node 2 is SIGKILLed
    and restarted; then whole journeys through Varnish while it restarts."""
    result: dict[str, Any] = {}
    box: dict[str, Tally] = {}
    run = threading.Thread(
        target=lambda: box.setdefault(
            "tally",
            generate(
                settings.balancer_port,
                pointer_plan(),
                args.processes,
                args.learners_fault,
                duration=args.fault_seconds,
            ),
        )
    )
    run.start()
    time.sleep(args.fault_seconds / 3)
    stack = read_state(settings.state)
    assert stack is not None
    killed = kill_node(stack, 2)
    result["killed_pids"] = [p.pid for p in killed]
    result["killed_at_s"] = round(args.fault_seconds / 3, 1)
    time.sleep(args.fault_seconds / 3)
    began = time.monotonic()
    up(settings, say=lambda _: None)
    result["node_back_after_s"] = round(time.monotonic() - began, 2)
    run.join()
    result["pointer_load"] = summary(box["tally"])

    box.clear()
    run = threading.Thread(
        target=lambda: box.setdefault(
            "tally",
            generate(settings.entry_port, plan, args.processes, args.learners_fault, duration=args.fault_seconds),
        )
    )
    run.start()
    time.sleep(args.fault_seconds / 2)
    stack = read_state(settings.state)
    assert stack is not None
    began = time.monotonic()
    restart_varnish(stack)
    result["varnish_restart_s"] = round(time.monotonic() - began, 2)
    run.join()
    tally = box["tally"]
    result["varnish_restart_journeys"] = summary(tally)
    failing = sorted(tally.failures_timeline)
    result["varnish_restart_failure_window_s"] = (failing[-1] - failing[0] + 1) if failing else 0
    return result


def generator_figures(args: argparse.Namespace) -> dict[str, Any]:
    """How the throughput runs were driven, saved with their figures."""
    if args.generator == "python":
        return {
            "name": "python",
            "processes": args.processes,
            "learners": args.learners_throughput,
            "warmup_s": args.warmup,
            "measured_s": args.seconds,
        }
    return {
        "name": "wrk",
        "version": wrk_load.version(),
        "threads": args.threads,
        "connections": args.connections,
        "journeys_walked_by": wrk_load.walked_by(args.threads, args.connections),
        "loop": "closed: each connection sends its next request when the previous answer is in",
        "statuses_counted_in_measured_run": args.wrk_statuses,
        "warmup_s": max(1, round(args.warmup)),
        "measured_s": max(1, round(args.seconds)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.delivery", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15, help="measured seconds per throughput run")
    parser.add_argument("--warmup", type=float, default=4)
    parser.add_argument("--processes", type=int, default=4, help="generator processes (one source address each)")
    parser.add_argument("--learners-throughput", type=int, default=64, help="learners without think time (python)")
    parser.add_argument(
        "--generator",
        choices=("wrk", "python"),
        default="wrk" if wrk_load.available() else "python",
        help="throughput runs' load generator (default wrk when installed); concurrency and faults use python",
    )
    parser.add_argument("--connections", type=int, default=64, help="wrk connections, kept alive")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="wrk threads (default: one per core); as many as --connections makes each connection walk journeys of "
        "its own, at about twice wrk's CPU per request",
    )
    parser.add_argument(
        "--wrk-statuses", action="store_true", help="count statuses in the measured wrk runs too (slower generator)"
    )
    parser.add_argument("--wrk-journeys", type=int, default=1000, help="journeys sampled for wrk to walk in turn")
    parser.add_argument("--levels", default="5000,10000,20000,30000", help="concurrent learners, comma-separated")
    parser.add_argument("--think", type=float, default=10.0)
    parser.add_argument("--ramp", type=float, default=None, help="seconds of ramp (default: level / --arrival-rate)")
    parser.add_argument("--arrival-rate", type=float, default=250.0, help="learners arriving per second in the ramp")
    parser.add_argument("--hold", type=float, default=30.0, help="seconds every learner is in, after the ramp")
    parser.add_argument("--learners-fault", type=int, default=32)
    parser.add_argument("--fault-seconds", type=float, default=12.0)
    parser.add_argument(
        "--rounds", type=int, default=1, help="throughput rounds, the servers' order reversed every other round"
    )
    parser.add_argument("--only", default="throughput,concurrency,fault")
    parser.add_argument("--base-port", type=int, default=18300, help="ports base..base+7 on 127.0.0.1")
    args = parser.parse_args()
    args.levels = [int(level) for level in args.levels.split(",") if level]
    args.threads = args.threads or min(args.connections, os.cpu_count() or 1)
    if args.threads > args.connections:
        raise SystemExit("bench: --threads must not exceed --connections (a wrk thread holds connections of its own)")
    if args.generator == "wrk" and not wrk_load.available():
        raise SystemExit("bench: wrk is not installed (./scripts/bootstrap --bench installs it)")
    phases = set(args.only.split(","))
    work = Path(tempfile.mkdtemp(prefix="bench-delivery-"))
    base = args.base_port
    settings = DeploySettings(
        storage_url=str(work / "store"),
        state=work / "stack",
        entry_port=base,
        balancer_port=base + 1,
        node_ports=(base + 2, base + 3, base + 4),
    )
    figures: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "load_before": os.getloadavg()}
    references = None
    try:
        version = publish(work, work / "store")
        plan = journey_plan(work / "store", version)
        figures["journey"] = {
            "requests": len(plan.launch) + sum(len(g) for g in plan.pages) + 4,
            "page_views": len(plan.pages),
            "video_bytes": plan.video_size,
        }
        up(settings, say=lambda _: None)
        references = References(work / "ref", work / "store", version, base + 5, base + 6, settings)
        if "throughput" in phases:
            print("throughput:", flush=True)
            targets = {
                "nginx": (base + 5, None),
                "varnish+nginx": (base + 6, references.varnish_work),
                "stack": (settings.entry_port, settings.state / "varnish" / "work"),
                "origin": (settings.balancer_port, None),
            }
            rounds = []
            for number in range(args.rounds):
                order = list(targets) if number % 2 == 0 else list(reversed(targets))
                print(f" round {number + 1}: {', '.join(order)}", flush=True)
                result = throughput(args, {name: targets[name] for name in order}, plan, work)
                result["generator"] = generator_figures(args)
                print(f"  ratios: {result['ratios']}", flush=True)
                print(throughput_table(result), flush=True)
                rounds.append(result)
            figures["throughput"] = rounds[0] if len(rounds) == 1 else rounds_summary(rounds)
        if "concurrency" in phases:
            print("concurrency:", flush=True)
            figures["concurrency"] = concurrency(args, settings, plan)
        if "fault" in phases:
            print("fault drills:", flush=True)
            figures["fault"] = node_kill(args, settings, plan)
            print(f"  {json.dumps(figures['fault'])}", flush=True)
    finally:
        if references is not None:
            references.stop()
        down(settings.state, say=lambda _: None)
        figures["load_after"] = os.getloadavg()
        shutil.rmtree(work, ignore_errors=True)
    figures["goals"] = GOALS
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"delivery-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print(f"figures: {out}")


if __name__ == "__main__":
    main()
