"""A published player site served with byte ranges, as nginx and a CDN serve it to learners: a
browser seeks in audio and video only when the server answers ``Range`` requests (without them
Chromium treats the file as a stream it cannot seek in)."""
from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class _RangeHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 - the standard library's own class attribute, extended
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript", ".vtt": "text/vtt", ".m4a": "audio/mp4", ".mp4": "video/mp4",
    }

    def send_head(self):
        found = RANGE.match(self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if found is None or not path.is_file() or not any(found.groups()):
            return super().send_head()
        size = path.stat().st_size
        first, last = found.groups()
        start = int(first) if first else max(0, size - int(last))
        end = min(size - 1, int(last)) if first and last else size - 1
        if start >= size or start > end:
            self.send_error(416)
            return None
        handle = path.open("rb")
        handle.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        self._remaining = end - start + 1
        return handle

    def copyfile(self, source, outputfile) -> None:
        remaining = getattr(self, "_remaining", None)
        if remaining is None:
            super().copyfile(source, outputfile)
            return
        while remaining > 0:
            chunk = source.read(min(64 * 1024, remaining))
            if not chunk:
                break
            outputfile.write(chunk)
            remaining -= len(chunk)

    def end_headers(self) -> None:
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """``folder`` served on a free loopback port; yields its base URL."""
    handler = functools.partial(_RangeHandler, directory=os.fspath(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
