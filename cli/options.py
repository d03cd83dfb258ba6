"""Options more than one subcommand takes, declared once so they read and check alike."""

from __future__ import annotations

import click

port = click.option(
    "--port",
    "-p",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to serve on (0 picks a free one).",
)
