"""`courseforge serve [--port 8000] [--host 127.0.0.1] [--first-course FOLDER]`: the course editor.

The database is upgraded first (every migration, from nothing on a new machine). On the first
start an admin account is made and its password printed this once; ``--first-course`` also
imports a course folder for it (``make run`` passes the sample course).
"""

from __future__ import annotations

from pathlib import Path

import click

from cli import options


@click.command("serve")
@options.port
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--first-course",
    type=click.Path(path_type=Path, file_okay=False),
    help="On the first start, import this course folder for the new admin account.",
)
def command(port: int, host: str, first_course: Path | None) -> None:
    """Start the course editor."""
    from werkzeug.serving import make_server

    from authoring import create_app
    from authoring.context import editor
    from authoring.course_files import ImportRefused
    from authoring.database import DatabaseError
    from authoring.first_run import first_run
    from settings import Settings

    settings = Settings()
    try:
        app = create_app(settings)
    except (DatabaseError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    with app.app_context():
        state = editor()
        session = state.database.session()
        try:
            first = first_run(session, state.blobs, first_course)
        except ImportRefused as error:
            raise click.ClickException(f"{first_course}: not imported:\n{error}") from None
        finally:
            session.close()
    try:
        server = make_server(host, port, app, threaded=True)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "") else host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    url = f"http://{shown_host}:{server.server_port}/"
    if first is not None:
        click.echo("First start: an admin account was made. Its password is shown only this once:")
        click.echo(f"  email:    {first.email}")
        click.echo(f"  password: {first.password}")
        if first.course_title:
            click.echo(f"  imported: {first.course_title}")
    click.echo(f"Course editor at {url}  (Ctrl-C to stop)", nl=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.server_close()
