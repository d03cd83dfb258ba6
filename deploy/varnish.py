"""Varnish for the loopback stack: the VCL (rendered from ``varnish.vcl.j2``) and the varnishd
command line."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).parent


def vcl(host: str, port: int, launch_ttl: int, pointer_ttl: int = 1) -> str:
    """The VCL for an origin at ``host:port`` (nginx, health-checked on /healthz): launch pages
    revalidated every ``launch_ttl`` s, pointer answers kept ``pointer_ttl`` s (0: passed to the
    origin every time)."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False
    )
    return environment.get_template("varnish.vcl.j2").render(
        host=host, port=port, launch_ttl=launch_ttl, pointer_ttl=pointer_ttl
    )


def command(work: Path, port: int, vcl_file: Path, memory: str, idle_timeout: int) -> list[str]:
    """varnishd in the foreground (its pid is the manager's), listening on 127.0.0.1:``port``,
    its working folder ``work``.

    ``http_gzip_support=off``: Varnish stores what the origin sends per normalised
    Accept-Encoding (br, gzip, none) instead of keeping gzip only, so brotli reaches browsers.
    ``timeout_idle`` is the learner connection's idle timeout (shorter than a think time: an
    idle learner holds no connection). ``-j none``: no privilege separation, so Varnish reads
    its VCL and working folder as whoever runs the stack (as nginx's workers do here), whatever
    the state folder's permissions.
    """
    return [
        "varnishd",
        "-F",
        "-j",
        "none",
        "-n",
        str(work),
        "-a",
        f"127.0.0.1:{port}",
        "-f",
        str(vcl_file),
        "-s",
        f"malloc,{memory}",
        "-p",
        "http_gzip_support=off",
        "-p",
        f"timeout_idle={idle_timeout}",
        "-p",
        "thread_pool_min=50",
        "-p",
        "thread_pool_max=2000",
        "-T",
        "none",
    ]
