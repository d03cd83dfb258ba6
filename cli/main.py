"""The `courseforge` command. Each subcommand lives in its own module and is imported only
when it runs, so `courseforge --help` stays instant and one command's dependencies (ffmpeg
bindings, lxml, a web server) never slow another."""

from __future__ import annotations

import importlib

import click

COMMANDS: dict[str, tuple[str, str]] = {
    "new": ("cli.new", "Create a course folder to start from."),
    "build": ("cli.build", "Build a SCORM 1.2, SCORM 2004 or web package from a course folder or a zip of one."),
    "validate": (
        "cli.validate",
        "Check a course folder, a zipped course folder or a package and report every problem.",
    ),
    "import": ("cli.import_deck", "Make a course folder from a PowerPoint deck (.pptx): a narrated page per slide."),
    "publish": ("cli.publish", "Publish the web form of a course to storage for delivery, or roll back."),
    "schema": ("cli.schema", "Print the JSON Schema of course.yaml."),
    "ids": ("cli.ids", "Add a stable id to every element of course.yaml that lacks one."),
    "serve": ("cli.serve", "Start the course editor (the web app) on this machine."),
    "push": ("cli.push", "Send a course folder to an editor server (a new course, or a new revision of one)."),
    "pull": ("cli.pull", "Fetch a course from an editor server as its source folder."),
    "users": ("cli.users", "Manage editor accounts: add an admin, author or reviewer, issue API tokens."),
    "preview": ("cli.preview", "Build the web form of a course and serve it for preview."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(COMMANDS[name][0])
        return module.command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][1]) for name in sorted(COMMANDS)])


@click.group(cls=LazyGroup)
@click.version_option(package_name="courseforge")
def cli() -> None:
    """courseforge: author e-learning courses as folders, publish them to any LMS."""
