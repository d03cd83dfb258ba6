"""`courseforge build COURSE_DIR --format scorm12|scorm2004|web [-o OUT.zip]`."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from exporters.formats import FORMATS


def human_size(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    for unit in ("KB", "MB", "GB"):
        size /= 1000
        if size < 1000 or unit == "GB":
            break
    return f"{size:.1f} {unit}"


def _fail(lines: list[str]) -> None:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(1)


@click.command("build")
@click.argument("course_dir", type=click.Path(path_type=Path))
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="scorm12", show_default=True,
              help="Package format: SCORM 1.2, SCORM 2004 4th Edition, or a plain web site.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Zip to write (default: <course-id>-<format>.zip in the current folder).")
def command(course_dir: Path, fmt: str, output: Path | None) -> None:
    """Build a package from the course in COURSE_DIR."""
    from cli.progress import ProgressBar
    from courses.errors import CourseLoadError
    from exporters.build import BuildError, build_package
    from media.errors import MediaError

    if not course_dir.exists():
        raise click.ClickException(f"{course_dir}: no such course folder")
    try:
        with ProgressBar() as progress:
            result = build_package(course_dir, fmt, output, progress=progress)
    except CourseLoadError as error:
        _fail([f"{course_dir}: {len(error.problems)} problem(s), nothing was built:"]
              + [str(p) for p in error.problems])
    except MediaError as error:
        _fail([f"{course_dir}: media problems, nothing was built:"] + [str(p) for p in error.problems])
    except BuildError as error:
        raise click.ClickException(f"{course_dir}: {error}") from None
    except OSError as error:
        raise click.ClickException(f"could not write the package: {error}") from None
    click.echo(f"{result.path} ({human_size(result.size)}, {result.files} files, {fmt})")
