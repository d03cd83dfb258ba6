"""``python -m deploy up|down|status``: the loopback delivery stack (see ``deploy``)."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from deploy.stack import (
    REPO,
    DeployError,
    DeploySettings,
    describe,
    down,
    dumps,
    launch_url,
    published_courses,
    read_state,
    up,
)

DEFAULT_STATE = REPO / ".deploy"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="deploy", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("up", help="bring the stack up (or what is missing of it)")
    start.add_argument(
        "--storage", metavar="URL", help="folder or s3:// storage to serve (default: COURSEFORGE_STORAGE_URL)"
    )
    start.add_argument("--port", type=int, default=8080, help="learner-facing entry, Varnish (8080)")
    start.add_argument("--balancer-port", type=int, default=8081, help="nginx (8081)")
    start.add_argument("--node-ports", default="8091,8092,8093", help="gunicorn origin nodes (8091,8092,8093)")
    start.add_argument("--workers", type=int, default=2, help="gunicorn workers per node (2)")
    start.add_argument("--frame-ancestor", action="append", default=[], metavar="ORIGIN", help="an LMS origin")
    start.add_argument(
        "--pointer-ttl",
        type=int,
        default=DeploySettings.model_fields["pointer_ttl"].default,
        metavar="SECONDS",
        help="seconds Varnish keeps a course's pointer: a publish or rollback is seen within them (%(default)s; "
        "0: every launch asks the origin)",
    )
    for command in (start, commands.add_parser("down", help="stop what up started"), commands.add_parser("status")):
        command.add_argument("--state", type=Path, default=DEFAULT_STATE, help=f"state folder ({DEFAULT_STATE})")
    args = parser.parse_args(argv)
    state = args.state.resolve()
    try:
        if args.command == "down":
            down(state)
            return 0
        if args.command == "status":
            stack = read_state(state)
            print(dumps(describe(stack)) if stack else f"nothing runs from {state}")
            return 0
        settings = DeploySettings.parse(
            "deploy up",
            {
                "storage_url": args.storage or _storage_setting(),
                "state": state,
                "entry_port": args.port,
                "balancer_port": args.balancer_port,
                "node_ports": _ports(args.node_ports),
                "node_workers": args.workers,
                "frame_ancestors": args.frame_ancestor,
                "pointer_ttl": args.pointer_ttl,
            },
        )
        up(settings)
        courses = published_courses(settings)
    except DeployError as error:
        print(f"deploy {args.command}: failed", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    _print_entry(settings, courses)
    return 0


def _storage_setting() -> str:
    from settings import Settings

    return Settings().storage_url


def _ports(text: str) -> list[object]:
    """Comma-separated ports; what is not a number is left for the settings to name."""
    return [int(part) if part.strip().isdigit() else part for part in text.split(",")]


def _print_entry(settings: DeploySettings, courses: list[str]) -> None:
    print(f"learners: {settings.entry}/  (stop with deploy/down)")
    for course in courses:
        print(f"  {course}: {launch_url(settings, course)}")
    storage = shlex.quote(settings.storage_url)
    print(
        "publish a course to it with:\n"
        f"  .venv/bin/courseforge publish COURSE_DIR --storage {storage} --delivery-url {settings.entry}"
    )


if __name__ == "__main__":
    sys.exit(main())
