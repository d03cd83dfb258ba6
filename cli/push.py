"""`courseforge push COURSE_DIR --server URL --token T [--force]`: a course folder to an editor.

The folder becomes a new course when no course you can change on the server has its course id,
else the next revision of that course. The revision the folder was last pulled at or pushed as
is kept in its ``.courseforge-remote`` file; when the course was changed on the server since,
the push is refused unless ``--force``, so no edit made in the editor is dropped unseen.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from authoring.api_client import EditorClient
    from authoring.remote_folder import Remote


@click.command("push")
@click.argument("course_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--server", required=True, envvar="COURSEFORGE_SERVER", help="The editor's URL, e.g. http://host:8000.")
@click.option("--token", required=True, envvar="COURSEFORGE_TOKEN", help="Your API token (courseforge users token).")
@click.option("--force", is_flag=True, help="Replace the course on the server even if it changed there since.")
def command(course_dir: Path, server: str, token: str, force: bool) -> None:
    """Send COURSE_DIR to the editor at --server."""
    from authoring.api_client import EditorClient, RemoteError
    from authoring.remote_folder import Remote, read_remote, write_remote, zip_folder
    from courses.errors import CourseLoadError
    from courses.loader import load_source
    from courses.source import FolderSource

    try:
        course = load_source(FolderSource(course_dir))
    except CourseLoadError as error:
        raise click.ClickException("the course has problems, nothing was sent:\n" + str(error)) from None
    try:
        client = EditorClient.connect(server, token)
        paired = read_remote(course_dir)
        if paired is not None and paired.server != client.server:
            paired = None  # pulled from another server: here it is a course like any other
        with tempfile.TemporaryDirectory(prefix="courseforge-push-") as scratch:
            upload = Path(scratch) / f"{course.id}.zip"
            zip_folder(course_dir, upload)
            target = paired.course if paired is not None else _existing(client, course.id)
            if target is None:
                made = client.post_file("/api/courses/import", "file", upload)
                click.echo(f"Created course {made['id']} ({made['title']}) on {client.server} at revision 1.")
                write_remote(course_dir, Remote(client.server, int(made["id"]), int(made["head_revision"])))
                return
            answer = _push_revision(client, target, paired, upload, force)
    except RemoteError as error:
        raise click.ClickException(str(error)) from None
    write_remote(course_dir, Remote(client.server, target, int(answer["revision"])))
    _report(answer, course.title)


def _existing(client: EditorClient, course_id: str) -> int | None:
    """The server's course with this course id that you can change; refused when several are."""
    from authoring.api_client import RemoteError

    found = [c for c in client.get_json(f"/api/courses/with-id/{course_id}")["courses"] if c["can_edit"]]
    if len(found) > 1:
        numbers = ", ".join(str(c["id"]) for c in found)
        raise RemoteError(
            f"course id {course_id!r} is held by courses {numbers} on {client.server}; pull the one you mean "
            f"into this folder first (courseforge pull {found[0]['id']} ...), then push"
        )
    return int(found[0]["id"]) if found else None


def _push_revision(client: EditorClient, course: int, paired: Remote | None, upload: Path, force: bool) -> Any:
    from authoring.api_client import RemoteError

    if paired is None and not force:
        base = client.get_json(f"/api/courses/{course}")["head_revision"]  # never pulled: based on the latest
    else:
        base = paired.revision if paired is not None else 0
    fields = {"force": "true"} if force else {"base_revision": str(base)}
    try:
        return client.post_file(f"/api/courses/{course}/revisions/import", "file", upload, fields)
    except RemoteError as error:
        if error.status == 409:
            raise RemoteError(
                f"course {course} changed on {client.server} since this folder's revision {base} (it is now at "
                f"revision {error.body.get('head_revision')}); pull it first, or push with --force to replace it"
            ) from None
        raise


def _report(answer: dict[str, Any], title: str) -> None:
    from authoring.remote_folder import Changes

    if not answer["saved"]:
        click.echo(f"Course {answer['id']} ({title}) is unchanged at revision {answer['revision']}.")
        return
    click.echo(f"Course {answer['id']} ({title}): revision {answer['revision']} (from {answer['from']}).")
    for line in Changes(answer["added"], answer["changed"], answer["removed"]).lines():
        click.echo(line)
