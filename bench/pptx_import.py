"""PowerPoint import benchmark: `.venv/bin/python -m bench.pptx_import [--slides 36] [--rounds 3]`.

A deck of 36 slides (title, bullets, a picture and two to three sentences of speaker notes
each; ``tests/pptx_decks.build_long_deck``) is imported end to end, as an author would:

- import: ``courseforge import deck.pptx -o COURSE`` in a fresh process (reading the deck,
  LibreOffice to PDF, pdftoppm to PNG, writing and checking the course folder);
- speech: the narration of the imported course (its notes), made by ``prepare_course`` in a
  fresh process with one job at a time (espeak-ng per sentence, then the loudness and AAC
  passes), on a copy of the course that keeps only its narration blocks, so image sizes made
  by a full build are not counted.

Against the bare commands for the same deck, one after another: ``soffice --headless
--convert-to pdf`` with a fresh profile, one ``pdftoppm`` over the whole PDF, and the speech
step's own espeak-ng and ffmpeg commands replayed (logged by the shims of ``bench.measure``).
Ratio = import + speech wall / bare wall (goal <= 1.2), paired within each round; bare and
built runs alternate so a change in the machine's load hits both. The CPU ratio (user + system
seconds of every process, the same way) is reported beside it: on a shared machine it moves far
less than wall time. Once, in-process, the import's
own steps are timed (extraction, rendering, writing). Figures go to stdout and to
``bench/results/pptx-<UTC time>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from statistics import median

import yaml

from bench.measure import Timed, ToolLog, count, replay, timed

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
RATIO_GOAL = 1.2


def make_deck(path: Path, slides: int) -> Path:
    sys.path.insert(0, str(REPO / "tests"))
    from pptx_decks import build_long_deck

    return build_long_deck(path, slides)


def bare_render(deck: Path, scratch: Path) -> Timed:
    """soffice to PDF (fresh profile, hidden slides exported) and one pdftoppm, as typed by hand."""
    from importers.pptx.render import IMAGE_WIDTH, PDF_FILTER

    scratch.mkdir(parents=True)
    commands = [
        [
            "soffice",
            f"-env:UserInstallation={(scratch / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            PDF_FILTER,
            "--outdir",
            str(scratch),
            str(deck),
        ],
        ["pdftoppm", "-png", "-scale-to", str(IMAGE_WIDTH), str(scratch / f"{deck.stem}.pdf"), str(scratch / "slide")],
    ]

    def play() -> None:
        for argv in commands:
            subprocess.run(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
            )

    spent = timed(play)[1]
    if len(list(scratch.glob("slide-*.png"))) == 0:
        raise SystemExit("bench: the bare soffice + pdftoppm commands made no slide images")
    return spent


def narration_only(course: Path, target: Path) -> Path:
    """A copy of ``course`` whose pages keep only their narration blocks (pages without one go)."""
    shutil.copytree(course, target)
    data = yaml.safe_load((target / "course.yaml").read_text(encoding="utf-8"))
    for section in data["sections"]:
        section["pages"] = [
            {**page, "blocks": [b for b in page["blocks"] if b["type"] == "narration"]} for page in section["pages"]
        ]
        section["pages"] = [page for page in section["pages"] if page["blocks"]]
    (target / "course.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def one_round(deck: Path, work: Path, number: int, tools: ToolLog) -> dict:
    bare = bare_render(deck, work / f"bare-{number}")
    out = work / f"course-{number}"
    done, imported = timed(
        lambda: subprocess.run(
            [sys.executable, "-m", "cli", "import", str(deck), "-o", str(out)], cwd=REPO, capture_output=True, text=True
        )
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: the import failed:\n{done.stdout}\n{done.stderr}")
    narration = narration_only(out, work / f"narration-{number}")
    cache = work / f"cache-{number}"
    env = tools.env(cache, COURSEFORGE_CACHE_DIR=str(cache), COURSEFORGE_JOBS="1")
    env.pop("COURSEFORGE_BROKER_URL", None)
    done, speech = timed(
        lambda: subprocess.run(
            [sys.executable, "-m", "bench.build_once", str(narration)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
        )
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: making the narration failed:\n{done.stderr}")
    runs = tools.take()
    if not any(run.kind == "speak" for run in runs):
        raise SystemExit("bench: the speech step ran no espeak-ng through PATH: the tool log saw nothing")
    bare_speech = replay(runs, cache, work / f"bare-speech-{number}")
    ours = imported.wall + speech.wall
    theirs = bare.wall + bare_speech.wall
    return {
        "import_s": imported.wall,
        "import_cpu_s": imported.cpu,
        "speech_s": speech.wall,
        "speech_cpu_s": speech.cpu,
        "bare_render_s": bare.wall,
        "bare_render_cpu_s": bare.cpu,
        "bare_speech_s": bare_speech.wall,
        "bare_speech_cpu_s": bare_speech.cpu,
        "total_s": ours,
        "bare_total_s": theirs,
        "ratio": ours / theirs,
        "cpu_ratio": (imported.cpu + speech.cpu) / (bare.cpu + bare_speech.cpu),
        "import_ratio": imported.wall / bare.wall,
        "speech_ratio": speech.wall / bare_speech.wall,
        "speech_tool_runs": count(runs),
    }


def steps(deck: Path, work: Path) -> dict:
    """The import's own steps, timed in-process (after a first import warmed the page cache)."""
    from importers.pptx.course_folder import write_course
    from importers.pptx.preflight import open_deck
    from importers.pptx.render import render_slides
    from importers.pptx.slides import read_deck

    start = time.perf_counter()
    content = read_deck(open_deck(deck), deck.stem)
    read = time.perf_counter()
    images = render_slides(deck, [s.title for s in content.slides], work / "steps-render", deck.name).images
    rendered = time.perf_counter()
    (work / "steps-course").mkdir()
    write_course(
        content,
        images,
        work / "steps-course",
        label=deck.name,
        course_id="bench-deck",
        language="en",
        course_dir="steps-course",
        replaced=False,
    )
    written = time.perf_counter()
    return {"preflight_and_read_s": read - start, "render_s": rendered - read, "write_and_check_s": written - rendered}


def report(figures: dict) -> str:
    slides = figures["slides"]
    med = figures["median"]
    verdict = "ok" if med["ratio"] <= RATIO_GOAL else f"over the {RATIO_GOAL} goal"
    step = figures["steps"]
    return "\n".join(
        [
            f"== {slides}-slide deck, medians of {figures['rounds']} rounds (load average before "
            f"{figures['load_avg_before']}, after {figures['load_avg_after']})",
            f"import (fresh process): {med['import_s']:.2f} s = {med['import_s'] / slides:.3f} s a slide; "
            f"bare soffice + pdftoppm {med['bare_render_s']:.2f} s; ratio {med['import_ratio']:.2f}",
            f"speech (notes, 1 job): {med['speech_s']:.2f} s = {med['speech_s'] / slides:.3f} s a slide; "
            f"bare espeak-ng + ffmpeg replay {med['bare_speech_s']:.2f} s; ratio {med['speech_ratio']:.2f}",
            f"end to end: {med['total_s']:.2f} s = {med['total_s'] / slides:.3f} s a slide; bare "
            f"{med['bare_total_s']:.2f} s = {med['bare_total_s'] / slides:.3f} s a slide; ratio {med['ratio']:.2f} "
            f"({verdict})",
            f"CPU seconds (which a busy machine disturbs far less than wall time): import "
            f"{med['import_cpu_s']:.1f} vs bare {med['bare_render_cpu_s']:.1f}, speech {med['speech_cpu_s']:.1f} "
            f"vs bare {med['bare_speech_cpu_s']:.1f}; end-to-end CPU ratio {med['cpu_ratio']:.2f}",
            f"import steps in-process: preflight + read {step['preflight_and_read_s']:.2f} s, LibreOffice + pdftoppm "
            f"{step['render_s']:.2f} s, write + check {step['write_and_check_s']:.2f} s",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pptx_import", description=__doc__.split("\n\n")[0])
    parser.add_argument("--slides", type=int, default=36, help="slides in the deck (default: 36)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of bare and built runs (default: 3)")
    args = parser.parse_args()
    stamp = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="courseforge-bench-pptx-") as tmp:
        work = Path(tmp)
        deck = make_deck(work / "deck.pptx", args.slides)
        tools = ToolLog(work / "tools")
        load_before = os.getloadavg()
        rounds = [one_round(deck, work, number, tools) for number in range(args.rounds)]
        load_after = os.getloadavg()
        figures = {
            "date": stamp.isoformat(timespec="seconds"),
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "slides": args.slides,
            "rounds": args.rounds,
            "deck_bytes": deck.stat().st_size,
            "load_avg_before": [round(x, 2) for x in load_before],
            "load_avg_after": [round(x, 2) for x in load_after],
            "median": {key: median(r[key] for r in rounds) for key in rounds[0] if key != "speech_tool_runs"},
            "speech_tool_runs": rounds[-1]["speech_tool_runs"],
            "per_round": rounds,
            "steps": steps(deck, work),
        }
    print(report(figures))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"pptx-{stamp.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(figures, indent=1))
    print(f"figures saved to {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
