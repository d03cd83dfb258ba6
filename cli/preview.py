"""`courseforge preview COURSE_DIR [--port 8000] [--host 127.0.0.1]`: see a course as learners will.

Builds the plain web form of the course (the same files as `courseforge build --format web`) into
a temporary folder and serves it over HTTP; the player fetches its pages, so opening
``index.html`` from disk would not work. Ctrl-C stops the server and removes the folder.
"""

from __future__ import annotations

import functools
import http.server
import signal
import tempfile
from pathlib import Path

import click

from cli import options


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site; no per-request log lines, and no caching so a rebuild shows at once."""

    extensions_map = {  # noqa: RUF012 - the standard library's own class attribute, extended
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".vtt": "text/vtt",
        ".webp": "image/webp",
        ".m4a": "audio/mp4",
    }

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(folder: Path, host: str, port: int) -> http.server.ThreadingHTTPServer:
    """A threaded HTTP server for ``folder`` bound to ``host:port`` (port 0: any free port)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    return http.server.ThreadingHTTPServer((host, port), handler)


def _stop_on_ctrl_c() -> None:
    """Ctrl-C stops the preview even when the program that started it ignored or blocked SIGINT
    (a child inherits both): the prompt says Ctrl-C stops it."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.default_int_handler)


@click.command("preview")
@click.argument("course_dir", type=click.Path(path_type=Path))
@options.port
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 lets a tablet on the same network open the course.",
)
def command(course_dir: Path, port: int, host: str) -> None:
    """Build the web form of the course in COURSE_DIR and serve it for preview."""
    from cli.report import reported
    from exporters.build import build_site
    from settings import Settings

    if not course_dir.is_dir():
        raise click.ClickException(f"{course_dir}: no such course folder")
    with tempfile.TemporaryDirectory(prefix="courseforge-preview-") as tmp:
        with reported(f"{course_dir}: nothing to preview"):
            result = build_site(course_dir, "web", Path(tmp) / "site", settings=Settings())
        try:
            server = serve(result.path, host, port)
        except OSError as error:
            raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
        with server:
            shown_host = "127.0.0.1" if host in ("0.0.0.0", "") else host
            if ":" in shown_host:
                shown_host = f"[{shown_host}]"
            url = f"http://{shown_host}:{server.server_address[1]}/index.html"
            click.echo(f"Previewing {result.course.title!r} at {url}  (Ctrl-C to stop)")
            _stop_on_ctrl_c()
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                click.echo("Stopped.")
