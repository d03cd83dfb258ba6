"""The delivery stack as it runs in production, on loopback for the tests: gunicorn workers
(player.delivery) on a unix socket and a real nginx in front of them, configured by
player.delivery.nginx_config from a temporary folder (pid, logs, temp files), in the foreground,
serving a folder storage or an S3 bucket (moto's server on loopback)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from player.delivery import NginxSettings, nginx_config, objects_source
from storage import open_storage

REPO = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DeliveryServer:
    """nginx on 127.0.0.1:<port> serving the storage ``storage_url`` (a folder, or a bucket read
    with the credentials in ``env``) through two gunicorn workers; ``nginx`` adds to its
    ``NginxSettings``."""

    def __init__(
        self,
        storage_url: Path | str,
        work: Path,
        frame_ancestors: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        nginx: Mapping[str, object] | None = None,
    ) -> None:
        self.storage_url, self.work = str(storage_url), work
        self.frame_ancestors = list(frame_ancestors)
        self.env = {**os.environ, **(env or {}), "COURSEFORGE_STORAGE_URL": self.storage_url}
        self.nginx = dict(nginx or {})
        self.port = 0
        self.processes: list[subprocess.Popen] = []

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> DeliveryServer:
        self.work.mkdir(parents=True, exist_ok=True)
        sock = self.work / "workers.sock"
        self.processes.append(
            subprocess.Popen(
                [
                    str(GUNICORN),
                    "--chdir",
                    str(REPO),
                    "--workers",
                    "2",
                    "--bind",
                    f"unix:{sock}",
                    "--log-file",
                    str(self.work / "gunicorn.log"),
                    "player.delivery:create_app()",
                ],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        for _ in range(3):  # the free port may be taken between the probe and nginx's bind
            self.port = free_port()
            settings = NginxSettings.model_validate(
                {
                    "listen": f"127.0.0.1:{self.port}",
                    "upstreams": [f"unix:{sock}"],
                    **objects_source(open_storage(self.storage_url)),
                    "prefix": self.work.resolve(),
                    "frame_ancestors": self.frame_ancestors,
                    "user": "root" if os.geteuid() == 0 else None,
                    **self.nginx,
                }
            )
            (self.work / "nginx.conf").write_text(nginx_config(settings), encoding="utf-8")
            nginx = subprocess.Popen(
                ["nginx", "-p", str(self.work), "-c", str(self.work / "nginx.conf")],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if self._ready(nginx):
                self.processes.append(nginx)
                return self
            nginx.kill()
            nginx.wait()
        self.stop()
        log = (self.work / "error.log").read_text(errors="replace") if (self.work / "error.log").exists() else ""
        raise RuntimeError(f"the delivery stack did not start:\n{log}")

    def _ready(self, nginx: subprocess.Popen, timeout: float = 15.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if nginx.poll() is not None:
                return False
            try:
                if self.get("/healthz").status == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.1)
        return False

    def get(self, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, headers=headers or {})
            answer = connection.getresponse()
            return Response(answer.status, answer.headers, answer.read())
        finally:
            connection.close()

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.send_signal(signal.SIGINT)  # a quick shutdown for both nginx and gunicorn
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
