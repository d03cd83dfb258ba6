"""`courseforge build COURSE_DIR|COURSE.zip --format scorm12|scorm2004|web [-o OUT.zip]`.

A zipped course folder is unpacked (by the same safe rules as every zip) into a temporary
folder that is removed once the package is written.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import click

from exporters.formats import DISPATCH_FORMATS, FORMATS


def human_size(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    scaled = float(size)
    for unit in ("KB", "MB", "GB"):
        scaled /= 1000
        if scaled < 1000 or unit == "GB":
            break
    return f"{scaled:.1f} {unit}"


@click.command("build")
@click.argument("course_dir", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMATS + DISPATCH_FORMATS),
    default="scorm12",
    show_default=True,
    help="Package format: SCORM 1.2, SCORM 2004 4th Edition, a plain web site, or a dispatch package that "
    "loads the published course from the delivery server.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Zip to write (default: <course-id>-<format>.zip in the current folder).",
)
@click.option(
    "--delivery-url",
    metavar="URL",
    help="For a dispatch package: the delivery server it loads the course from (default: COURSEFORGE_DELIVERY_URL).",
)
def command(course_dir: Path, fmt: str, output: Path | None, delivery_url: str | None) -> None:
    """Build a package from the course in COURSE_DIR (a course folder, or a zip of one)."""
    from cli.progress import ProgressBar
    from cli.report import reported
    from exporters.build import build_package
    from settings import Settings

    if not course_dir.exists():
        raise click.ClickException(f"{course_dir}: no such course folder")
    settings = Settings()
    try:
        with (
            reported(f"{course_dir}: nothing was built"),
            _course_folder(course_dir) as folder,
            ProgressBar() as progress,
        ):
            if fmt in DISPATCH_FORMATS:
                from exporters.dispatch import build_dispatch

                result = build_dispatch(folder, fmt, delivery_url or settings.delivery_url or "", output)
            else:
                result = build_package(folder, fmt, output, progress=progress, settings=settings)
    except OSError as error:
        raise click.ClickException(f"could not write the package: {error}") from None
    click.echo(f"{result.path} ({human_size(result.size)}, {result.files} files, {fmt})")
    if result.budget is not None:
        click.echo(result.budget.summary())


def _course_folder(course_dir: Path) -> AbstractContextManager[Path]:
    """The folder to build from: ``course_dir`` itself, or a zip of a course folder unpacked."""
    if course_dir.is_file() and course_dir.suffix.lower() == ".zip":
        from courses.archive import unpacked_course

        return unpacked_course(course_dir)
    return nullcontext(course_dir)
