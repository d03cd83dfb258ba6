"""`courseforge pull COURSE_ID --server URL --token T -o DIR [--force]`: a course from an editor
as its source folder, the same files byte for byte as were imported or last saved.

DIR may be new, empty, or a folder of the same course (pulled before, or holding the same
course id): then only what changed is written and files the course no longer has are removed.
Any other non-empty folder is refused unless ``--force``. The revision pulled is kept in DIR's
``.courseforge-remote`` for the next ``courseforge push``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import click


@click.command("pull")
@click.argument("course_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--server", required=True, envvar="COURSEFORGE_SERVER", help="The editor's URL, e.g. http://host:8000.")
@click.option("--token", required=True, envvar="COURSEFORGE_TOKEN", help="Your API token (courseforge users token).")
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="The folder to write the course into.",
)
@click.option("--force", is_flag=True, help="Write into a non-empty folder that holds another course.")
def command(course_id: int, server: str, token: str, out: Path, force: bool) -> None:
    """Fetch course COURSE_ID from the editor at --server into the folder -o."""
    from authoring.api_client import EditorClient, RemoteError
    from authoring.remote_folder import Remote, sync_folder, write_remote
    from courses.archive import ArchiveError, unpacked_course

    try:
        client = EditorClient.connect(server, token)
        course = client.get_json(f"/api/courses/{course_id}")
        key, revision = str(course["course"]["id"]), int(course["head_revision"])
        _check_target(out, client.server, course_id, key, force)
        with tempfile.TemporaryDirectory(prefix="courseforge-pull-") as scratch:
            download = Path(scratch) / "course.zip"
            client.download(f"/api/courses/{course_id}/export?revision={revision}", download)
            with unpacked_course(download, scratch) as folder:
                changes = sync_folder(folder, out)
    except RemoteError as error:
        if error.status == 404:
            raise click.ClickException(f"course {course_id} not found on {server} (or not shared with you)") from None
        raise click.ClickException(str(error)) from None
    except ArchiveError as error:
        raise click.ClickException("the server sent a broken course zip:\n" + str(error)) from None
    write_remote(out, Remote(client.server, course_id, revision))
    lines = changes.lines()
    state = f"{len(lines)} file(s) written or removed" if lines else "already up to date"
    click.echo(f"Pulled course {course_id} ({course['title']}) at revision {revision} into {out}: {state}.")
    for line in lines:
        click.echo(line)


def _check_target(out: Path, server: str, course_id: int, key: str, force: bool) -> None:
    """Refuse a non-empty folder of another course, unless forced."""
    from authoring.remote_folder import course_files, read_remote
    from courses.loader import COURSE_FILE

    if force or not out.exists() or not course_files(out):
        return
    paired = read_remote(out)
    if paired is not None and paired.server == server and paired.course == course_id:
        return
    if _course_id_in(out / COURSE_FILE) == key:
        return
    raise click.ClickException(
        f"-o: {out} is not empty and does not hold course {key!r}; choose an empty folder, or --force to replace it"
    )


def _course_id_in(course_file: Path) -> str | None:
    import yaml

    try:
        data = yaml.safe_load(course_file.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return None
    return str(data.get("id")) if isinstance(data, dict) else None
