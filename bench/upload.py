"""`python -m bench.upload`: a 500 MB video sent through the editor's resumable upload API, against
curl sending the same file to nginx, on the same machine in the same run.

1. **Editor**: under gunicorn (``bench.editor.serve``: the shipped app, gthread workers, SQLite,
   data in a temporary folder), an author with an API token and a course from the starter
   template. The upload begins with a ``POST`` and goes on in ``PUT`` s of the chunk size the
   answer gives (8 MiB) with ``Content-Range``, each body sent with ``sendfile`` on one kept-alive
   connection (a client as lean as curl). The last byte goes in a chunk of its own: every ``PUT``
   before it is the **receive path** (the bytes written and synced to disk), the one ``PUT`` of a
   byte is the **finish** (the pipeline's checks of the whole file, hashing, storing the blob, the
   new course revision), timed apart. The media job that follows (in the editor process) is timed
   too, until the upload says done.
2. **nginx** (Debian's) on a loopback port with a temporary configuration: the dav module's
   ``PUT`` into a temporary folder (the body spooled to a temporary file, then renamed), one
   worker, no access log; ``curl -T`` sends the file.

The file is a 1 s clip followed by a ``free`` box up to ``--megabytes``: a good MP4 whose checks
and transcode cost what a 1 s clip costs, so the figures are of moving bytes, not of ffmpeg. Each
round changes the file's last bytes (the editor then stores a new blob). The ratio is nginx's
MB/s over the editor receive path's (1.0: as fast as nginx). MB = 10^6 bytes; medians of
``--rounds``. Figures go to stdout and bench/results/upload-<UTC time>.json, with the load average.
"""

from __future__ import annotations

import argparse
import getpass
import http.client
import json
import os
import shutil
import signal
import statistics
import struct
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.editor import free_port, prepare, serve, stop
from deploy import processes

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
MB = 1_000_000
JOB_WAIT_S = 300.0
NGINX_CONF = """\
{user}worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    client_max_body_size 0;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            root {root}/put;
            dav_methods PUT DELETE;
            create_full_put_path on;
        }}
    }}
}}
"""


# ------------------------------------------------------------------------------- the file
def make_file(path: Path, size: int) -> Path:
    """A 1 s 320x240 clip (moov first) and a ``free`` box of zeros filling it to ``size`` bytes."""
    clip = path.with_suffix(".clip.mp4")
    subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
        + ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=30:duration=1", "-f", "lavfi", "-i", "sine=duration=1"]
        + ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", "-movflags", "+faststart", str(clip)],
        check=True,
    )
    head = clip.read_bytes()
    clip.unlink()
    padding = size - len(head)
    if padding < 16:
        raise SystemExit(f"bench: --megabytes is too small for the {len(head)}-byte clip")
    block = bytes(1 << 20)
    with path.open("wb") as out:
        out.write(head)
        out.write(struct.pack(">I4s", padding, b"free"))
        left = padding - 8
        while left:
            left -= out.write(block[: min(left, len(block))])
    return path


def mark_round(path: Path, number: int) -> None:
    """Other bytes for each round (the last 8 of the free box), so each upload is a new blob."""
    with path.open("r+b") as out:
        out.seek(-8, os.SEEK_END)
        out.write(struct.pack(">Q", number))


# ------------------------------------------------------------------------------- the editor
class Api:
    """One kept-alive connection to the editor with an author's token."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.token = token

    def json(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        self.connection.request(method, path, body=data, headers=headers)
        return self._answer()

    def chunk(self, path: str, file: Any, offset: int, length: int, total: int) -> tuple[int, dict[str, Any]]:
        """``PUT`` bytes ``offset`` to ``offset + length`` of ``file`` as one chunk, by sendfile."""
        connection = self.connection
        connection.putrequest("PUT", path)
        for name, value in (
            ("Authorization", f"Bearer {self.token}"),
            ("Accept", "application/json"),
            ("Content-Type", "application/octet-stream"),
            ("Content-Length", str(length)),
            ("Content-Range", f"bytes {offset}-{offset + length - 1}/{total}"),
        ):
            connection.putheader(name, value)
        connection.endheaders()
        assert connection.sock is not None
        sent = connection.sock.sendfile(file, offset, length)
        if sent != length:
            raise SystemExit(f"bench: sent {sent} of a chunk's {length} bytes")
        return self._answer()

    def _answer(self) -> tuple[int, dict[str, Any]]:
        response = self.connection.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else {}


def upload_round(api: Api, course: int, page: str, path: Path) -> dict[str, Any]:
    """One upload of ``path`` into a new video block on ``page``: its timings."""
    size = path.stat().st_size
    began = time.perf_counter()
    status, answer = api.json(
        "POST", f"/api/courses/{course}/uploads", {"name": "bench.mp4", "size": size, "kind": "video", "page_id": page}
    )
    if status != 201:
        raise SystemExit(f"bench: beginning the upload answered {status}: {answer}")
    url, chunk = answer["url"], int(answer["chunk_size"])
    receive_began = time.perf_counter()
    with path.open("rb") as file:
        offset, requests = 0, 0
        while offset < size - 1:
            length = min(chunk, size - 1 - offset)
            status, answer = api.chunk(url, file, offset, length, size)
            if status != 200 or answer["offset"] != offset + length:
                raise SystemExit(f"bench: the chunk at {offset} answered {status}: {answer}")
            offset, requests = offset + length, requests + 1
        received = time.perf_counter()
        status, answer = api.chunk(url, file, size - 1, 1, size)
    finished = time.perf_counter()
    if status != 200 or answer["status"] not in ("queued", "running", "done"):
        raise SystemExit(f"bench: the last byte answered {status}: {answer}")
    while answer["status"] in ("queued", "running"):
        if time.perf_counter() - finished > JOB_WAIT_S:
            raise SystemExit(f"bench: the upload's media job did not end in {JOB_WAIT_S:g} s")
        time.sleep(0.05)
        status, answer = api.json("GET", url)
    if answer["status"] != "done":
        raise SystemExit(f"bench: the upload's media job ended {answer['status']}: {answer['message']}")
    done = time.perf_counter()
    receive_s = received - receive_began
    return {
        "bytes": size,
        "chunk_bytes": chunk,
        "chunk_requests": requests + 1,
        "begin_s": round(receive_began - began, 4),
        "receive_s": round(receive_s, 3),
        "receive_mb_s": round((size - 1) / MB / receive_s, 1),
        "finish_s": round(finished - received, 3),
        "upload_mb_s": round(size / MB / (finished - began), 1),
        "media_job_s": round(done - finished, 3),
    }


def editor_rounds(work: Path, path: Path, rounds: int, args: argparse.Namespace) -> list[dict[str, Any]]:
    data = work / "editor"
    data.mkdir()
    author = prepare(data, "", 1, ["own"])["own"][0]
    served = serve(data, "", args)
    try:
        api = Api(served.port, author.token)
        status, answer = api.json("GET", f"/api/courses/{author.course_id}")
        if status != 200:
            raise SystemExit(f"bench: reading the course answered {status}: {answer}")
        page = answer["course"]["sections"][0]["pages"][0]["id"]
        results = []
        for number in range(rounds):
            mark_round(path, number)
            results.append(upload_round(api, author.course_id, page, path))
        return results
    finally:
        stop(served)


# ------------------------------------------------------------------------------- nginx
def nginx_rounds(work: Path, path: Path, rounds: int) -> list[dict[str, Any]]:
    root = work / "nginx"
    (root / "put").mkdir(parents=True)
    (root / "body").mkdir()
    port = free_port()
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""  # as root, its workers would be nobody
    (root / "nginx.conf").write_text(NGINX_CONF.format(user=user, root=root, port=port))
    server = processes.start(
        "bench-nginx",
        ["/usr/sbin/nginx", "-p", str(root), "-c", str(root / "nginx.conf"), "-g", "daemon off;"],
        root / "nginx.out",
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                    break
            except urllib.error.HTTPError:
                break  # it answers (a 403 or 404 for the empty folder)
            except OSError:
                if time.monotonic() > deadline or not processes.alive(server):
                    raise SystemExit(f"bench: nginx did not start; see {root / 'nginx.out'} and error.log") from None
                time.sleep(0.1)
        results = []
        for number in range(rounds):
            mark_round(path, number)
            done = subprocess.run(
                ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", "-T", str(path)]
                + [f"http://127.0.0.1:{port}/bench-{number}.mp4"],
                capture_output=True,
                text=True,
                check=True,
            )
            code, seconds = done.stdout.split()
            if code not in ("201", "204"):
                raise SystemExit(f"bench: nginx answered {code}: see {root / 'error.log'}")
            stored = root / "put" / f"bench-{number}.mp4"
            if stored.stat().st_size != path.stat().st_size:
                raise SystemExit(f"bench: nginx stored {stored.stat().st_size} bytes of {path.stat().st_size}")
            stored.unlink()
            results.append({"seconds": float(seconds), "mb_s": round(path.stat().st_size / MB / float(seconds), 1)})
        return results
    finally:
        processes.stop(server, signal.SIGQUIT)


# ------------------------------------------------------------------------------- report
def median(rows: list[dict[str, Any]], key: str) -> float:
    return round(statistics.median(row[key] for row in rows), 3)


def report(figures: dict[str, Any]) -> str:
    editor, nginx = figures["editor"], figures["nginx"]
    return "\n".join(
        [
            f"editor receive path: {editor['median']['receive_mb_s']:g} MB/s "
            f"({editor['rounds'][0]['chunk_requests']} PUTs of {editor['rounds'][0]['chunk_bytes']:,} bytes, "
            f"{editor['median']['receive_s']:g} s)",
            f"nginx (dav PUT, curl -T): {nginx['median']['mb_s']:g} MB/s ({nginx['median']['seconds']:g} s)",
            f"ratio nginx / editor receive path: {figures['ratio']:g}",
            f"editor finish (checks, hash, blob, revision; the last PUT): {editor['median']['finish_s']:g} s; "
            f"whole upload, begin to finish: {editor['median']['upload_mb_s']:g} MB/s; "
            f"the media job after it: {editor['median']['media_job_s']:g} s",
            "rounds (editor receive MB/s): "
            + ", ".join(f"{r['receive_mb_s']:g}" for r in editor["rounds"])
            + "; (nginx MB/s): "
            + ", ".join(f"{r['mb_s']:g}" for r in nginx["rounds"]),
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.upload", description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=int, default=500, help="size of the file in MB (default: 500)")
    parser.add_argument("--rounds", type=int, default=3, help="uploads to each server (default: 3)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default: 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker (default: 4)")
    args = parser.parse_args(argv)
    if args.megabytes < 1 or args.rounds < 1:
        parser.error("--megabytes and --rounds must be at least 1")
    args.worker_class = "gthread"
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC)
    figures: dict[str, Any] = {
        "date": stamp.isoformat(timespec="seconds"),
        "options": vars(args),
        "cpus": os.cpu_count(),
        "load_avg_start": [round(x, 2) for x in os.getloadavg()],
    }
    print(f"upload benchmark, {figures['date']}, {args.megabytes} MB, load average {figures['load_avg_start']}")
    with tempfile.TemporaryDirectory(prefix="courseforge-bench-upload-") as tmp:
        work = Path(tmp)
        path = make_file(work / "bench.mp4", args.megabytes * MB)
        editor = editor_rounds(work, path, args.rounds, args)
        shutil.rmtree(work / "editor", ignore_errors=True)  # its copies of the file: room for nginx's
        nginx = nginx_rounds(work, path, args.rounds)
    figures["editor"] = {
        "rounds": editor,
        "median": {key: median(editor, key) for key in editor[0] if key.endswith(("_s", "_mb_s"))},
    }
    figures["nginx"] = {"rounds": nginx, "median": {key: median(nginx, key) for key in ("seconds", "mb_s")}}
    figures["ratio"] = round(figures["nginx"]["median"]["mb_s"] / figures["editor"]["median"]["receive_mb_s"], 2)
    figures["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    print(report(figures))
    out = RESULTS / f"upload-{stamp.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(figures, indent=1))
    print(f"(load average at the end {figures['load_avg_end']}); figures saved to {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
