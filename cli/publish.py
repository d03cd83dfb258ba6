"""`courseforge publish COURSE_DIR [--storage URL] [--rollback [VERSION]] [--delivery-url URL]`.

Publishing builds the web form of the course and stores it for the delivery server (see
``exporters.publish``); it prints the version, what was uploaded and what was already stored,
and where learners launch it. ``--rollback`` points the course back at the version published
before the current one (or at VERSION) without building anything.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from exporters.publish import PublishResult
    from storage import Storage


@click.command("publish")
@click.argument("course_dir", type=click.Path(path_type=Path))
@click.option(
    "--storage",
    "storage_url",
    metavar="URL",
    help="Where to publish: a folder or s3://BUCKET/PREFIX?endpoint_url=... "
    "(default: the COURSEFORGE_STORAGE_URL setting).",
)
@click.option(
    "--rollback",
    "rollback_to",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[VERSION]",
    help="Point the course back at the previous version, or at VERSION; builds nothing.",
)
@click.option(
    "--delivery-url",
    metavar="URL",
    help="Origin of the delivery server (e.g. https://courses.example.org), to print full launch URLs.",
)
def command(course_dir: Path, storage_url: str | None, rollback_to: str | None, delivery_url: str | None) -> None:
    """Publish the web form of the course in COURSE_DIR (a folder, or a zip of one) for delivery."""
    from cli.report import fail, reported
    from exporters.publish import PublishError, launch_path, publish_course, rollback
    from settings import Settings
    from storage import StorageError, open_storage

    if not course_dir.exists():
        raise click.ClickException(f"{course_dir}: no such course folder")
    base = (delivery_url or Settings().delivery_url or "").rstrip("/") + "/"
    try:
        storage = open_storage(storage_url or Settings().storage_url)
        with reported(f"{course_dir}: not published"), _course_folder(course_dir) as folder:
            if rollback_to is not None:
                from courses.loader import load_course

                course_id = load_course(folder).id
                pointer = rollback(storage, course_id, rollback_to or None)
                click.echo(
                    f"{course_id}: learners now get version {pointer.version} (published: "
                    f"{', '.join(pointer.versions)})"
                )
                this_version = base + launch_path(course_id, pointer.version)
                click.echo(f"launch: {base}c/{course_id}/  (this version: {this_version})")
                return
            from cli.progress import ProgressBar

            with ProgressBar() as progress:
                result = publish_course(folder, storage, progress)
    except (PublishError, StorageError) as error:
        problems = error.problems if isinstance(error, StorageError) else [error.problem]
        fail(f"{course_dir}: not published", problems)
    _report(result, storage, base)


def _report(result: PublishResult, storage: Storage, base: str) -> None:
    from cli.build import human_size

    if result.previous == result.version:
        click.echo(f"{result.course_id}: version {result.version} is already the current one; nothing changed")
    else:
        was = f"was {result.previous}" if result.previous else "first version"
        click.echo(f"{result.course_id}: published version {result.version} ({was}) to {storage}")
    click.echo(
        f"uploaded {result.uploaded} objects ({human_size(result.uploaded_bytes)}); "
        f"already stored: {result.reused} of {result.files} files ({human_size(result.reused_bytes)})"
    )
    click.echo(f"launch: {base}c/{result.course_id}/  (this version: {base}{result.launch_path})")


def _course_folder(course_dir: Path) -> AbstractContextManager[Path]:
    """The folder to publish: ``course_dir`` itself, or a zip of a course folder unpacked."""
    if course_dir.is_file() and course_dir.suffix.lower() == ".zip":
        from courses.archive import unpacked_course

        return unpacked_course(course_dir)
    return nullcontext(course_dir)
