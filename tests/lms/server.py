"""A loopback static file server for the browser tests: the repository at "/" (the harness,
scorm-again from tests/node_modules, the player's JS) plus mounted folders (extracted packages),
so the LMS frame and the content frame share one origin, as SCORM's API discovery requires."""
from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

REPO = Path(__file__).resolve().parents[2]


class _Handler(SimpleHTTPRequestHandler):

    def do_GET(self) -> None:  # noqa: N802
        """An answer set with ``override`` (an LMS's sign-in redirect, say) wins over the file."""
        answer = self.server.overrides.get(self.path.split("?", 1)[0])  # type: ignore[attr-defined]
        if answer is None:
            return super().do_GET()
        status, headers, body = answer
        self.send_response(status)
        for name, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None

    def translate_path(self, path: str) -> str:
        for prefix, folder in self.server.mounts.items():  # type: ignore[attr-defined]
            if path.startswith(prefix):
                relative = unquote(path[len(prefix):].split("?", 1)[0].split("#", 1)[0])
                target = (folder / relative.lstrip("/")).resolve()
                return str(target if target.is_relative_to(folder.resolve()) else folder / "missing")
        return super().translate_path(path)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass


class LoopbackServer:
    """Serve REPO on 127.0.0.1 (an ephemeral port) until stop(); mount(prefix, folder) adds folders."""

    def __init__(self, root: Path = REPO) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(root)))
        self.httpd.mounts = {}  # type: ignore[attr-defined]
        self.httpd.overrides = {}  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def mount(self, prefix: str, folder: Path) -> str:
        """Serve ``folder`` under ``prefix`` (e.g. "/pkg/"); returns the prefix's URL."""
        self.httpd.mounts[prefix] = Path(folder)  # type: ignore[attr-defined]
        return self.url(prefix)

    def override(self, path: str, status: int = 200, body: str = "", headers: dict[str, str] | None = None) -> None:
        """Answer GET ``path`` with this status, headers and body instead of the file."""
        self.httpd.overrides[path] = (status, headers or {}, body.encode())  # type: ignore[attr-defined]

    def clear_overrides(self) -> None:
        self.httpd.overrides.clear()  # type: ignore[attr-defined]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
