"""A text block's Markdown saved in the editor is kept in the database (``text_blobs``), inserted
in the transaction of the revision that names it, and every reader finds it as any other blob:
the block, the history's diff, the export, the search, a restart. A save whose head moved after
it was read is merged again on the head the lock gives. The migration adds the table to a
database in use, its courses untouched."""
from __future__ import annotations

import hashlib
import secrets

import pytest
from authoring_app import (  # noqa: F401 - fixtures
    PASSWORD, SAMPLE, app, editor_settings, imported_sample, postgres_database, postgres_server, quick_argon2,
    signed_in, zip_bytes,
)
from sqlalchemy import event, select, text


def held_rows(flask_app) -> dict[str, bytes]:
    from authoring.text_blobs import TEXT_BLOBS

    with flask_app.extensions["courseforge"].database.engine.connect() as connection:
        return {row.sha256: bytes(row.data) for row in connection.execute(select(TEXT_BLOBS))}


def test_a_saved_text_is_in_the_database_with_its_revision_and_every_reader_finds_it(app, tmp_path):
    from authoring import create_app
    blobs = app.extensions["courseforge"].blobs
    ada = signed_in(app, "ada@example.org")
    course = imported_sample(ada)
    word = f"held{secrets.token_hex(4)}"
    markdown = f"Kept *in* the database: {word}.\n"
    sha = hashlib.sha256(markdown.encode()).hexdigest()
    url = f"/api/courses/{course}/blocks/t-welcome/markdown"
    saved = ada.api("PUT", url, json={"base_revision": 1, "markdown": markdown})
    assert saved.status_code == 200 and saved.get_json()["revision"] == 2, saved.get_json()

    first = ada.client.get(f"/api/courses/{course}/revisions/1").get_json()["files"]
    second = ada.client.get(f"/api/courses/{course}/revisions/2").get_json()["files"]
    assert second == {**first, "pages/welcome.md": sha}
    assert held_rows(app) == {sha: markdown.encode()}
    assert not blobs.storage.exists(blobs.key(sha)), "no file was written for it"
    statements: list[str] = []
    listener = lambda _c, _cur, statement, *_rest: statements.append(statement)  # noqa: E731
    event.listen(app.extensions["courseforge"].database.engine, "before_cursor_execute", listener)
    try:
        assert ada.client.get(f"/api/courses/{course}/blocks/t-welcome").get_json()["markdown"] == markdown
    finally:
        event.remove(app.extensions["courseforge"].database.engine, "before_cursor_execute", listener)
    assert not [s for s in statements if "text_blobs" in s], "the process that saved it keeps it"
    diff = ada.client.get(f"/api/courses/{course}/revisions/2/diff?against=1").get_json()
    assert diff["changed"] == ["pages/welcome.md"] and f"+Kept *in* the database: {word}." in \
        diff["diffs"]["pages/welcome.md"]
    exported = zip_bytes(ada.client.get(f"/api/courses/{course}/export").get_data())
    assert [data for name, data in exported.items() if name.endswith("/pages/welcome.md")] == [markdown.encode()]
    assert [c["id"] for c in ada.client.get(f"/api/courses?q={word}").get_json()["courses"]] == [course]

    # The undo gives back revision 1's file, byte for byte.
    original = (SAMPLE / "pages" / "welcome.md").read_text(encoding="utf-8")
    undone = ada.api("PUT", url, json={"base_revision": 2, "markdown": original})
    assert undone.status_code == 200, undone.get_json()
    assert ada.client.get(f"/api/courses/{course}/revisions/3").get_json()["files"] == first
    assert blobs.get_blob(first["pages/welcome.md"]) == original.encode()

    # Another process, started afresh on the same data, reads what the save committed.
    settings = app.extensions["courseforge"].settings
    again = create_app(settings)
    try:
        other = signed_in(again, "bea@example.org", "admin")
        at_two = other.client.get(f"/api/courses/{course}/revisions/2/diff?against=1").get_json()
        assert f"+Kept *in* the database: {word}." in at_two["diffs"]["pages/welcome.md"]
    finally:
        again.extensions["courseforge"].database.engine.dispose()


def test_a_damaged_text_in_the_database_is_refused_and_a_large_one_goes_to_the_storage(tmp_path):
    from authoring.database import Database
    from authoring.text_blobs import TEXT_BLOB_MAX_BYTES, TEXT_BLOBS, DatabaseBlobs, put_text, store_texts
    from storage.blobs import CorruptBlob
    from storage.errors import NotFound
    from storage.local import LocalStorage

    database = Database(f"sqlite:///{tmp_path / 'editor.db'}")
    database.upgrade()
    blobs = DatabaseBlobs(LocalStorage(tmp_path / "storage"), database.engine)
    texts: dict[str, bytes] = {}
    small = put_text(blobs, b"# Small\n", texts)
    large_data = b"x" * (TEXT_BLOB_MAX_BYTES + 1)
    large = put_text(blobs, large_data, texts)
    assert texts == {small: b"# Small\n"} and blobs.storage.exists(blobs.key(large))
    with database.engine.begin() as connection:
        store_texts(connection, texts)
        store_texts(connection, texts)  # the same text saved again is no new row, and no error
        wrong = hashlib.sha256(b"something else").hexdigest()
        connection.execute(TEXT_BLOBS.insert().values(sha256=wrong, data=b"tampered"))
    assert blobs.get_blob(small) == b"# Small\n" and blobs.blob_size(small) == 8 and blobs.has_blob(small)
    assert blobs.get_blob(large) == large_data
    copy = tmp_path / "out" / "small.md"
    blobs.save_blob(small, copy)
    assert copy.read_bytes() == b"# Small\n"
    with pytest.raises(CorruptBlob):
        blobs.get_blob(wrong)
    never = hashlib.sha256(b"never stored").hexdigest()
    assert not blobs.has_blob(never)
    with pytest.raises(NotFound):
        blobs.get_blob(never)
    database.engine.dispose()


def test_a_save_whose_head_moved_after_it_was_read_is_merged_or_refused_on_the_head_the_lock_gives(app):
    from authoring.edits import set_markdown
    from authoring.models import CourseRecord, User
    from authoring.problems import ApiProblem
    from authoring.revisions import save
    editor = app.extensions["courseforge"]
    ada = signed_in(app, "ada@example.org")
    course = imported_sample(ada)
    session = editor.database.session()
    try:
        user = session.scalars(select(User).where(User.email == "ada@example.org")).one()
        stale = session.get(CourseRecord, course)
        assert stale is not None and stale.head == 1
        moved = ada.api("PUT", f"/api/courses/{course}/blocks/t-spot-phish/markdown",
                        json={"base_revision": 1, "markdown": "Theirs\n"})
        assert moved.get_json()["revision"] == 2
        assert stale.head == 1  # what this session read before the other save
        saved = save(session, stale, 1, [set_markdown("t-welcome", "Mine\n")], user, "mine", editor.blobs)
        assert (saved.snapshot.number, saved.created, saved.merged) == (3, True, True)
        for block, markdown in (("t-welcome", "Mine\n"), ("t-spot-phish", "Theirs\n")):
            assert ada.client.get(f"/api/courses/{course}/blocks/{block}").get_json()["markdown"] == markdown
        with pytest.raises(ApiProblem) as refused:
            save(session, session.get(CourseRecord, course), 1, [set_markdown("t-spot-phish", "Mine too\n")], user,
                 "mine", editor.blobs)
        assert refused.value.status == 409 and refused.value.extra["head_revision"] == 3
        assert ada.client.get(f"/api/courses/{course}").get_json()["head_revision"] == 3
    finally:
        session.close()


def only_text_blobs(name, type_, _parents) -> bool:
    return type_ != "table" or name == "text_blobs"


@pytest.mark.services
def test_the_migration_adds_the_table_to_a_database_in_use_and_keeps_its_courses(tmp_path, postgres_database):
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.config import Config
    from alembic.migration import MigrationContext
    from authoring import create_app
    from authoring.accounts import add_user
    from authoring.course_store import import_course_folder
    from authoring.database import ALEMBIC_INI, REPOSITORY, Database
    from authoring.models import Base
    from storage import BlobStore
    from storage.local import LocalStorage

    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(REPOSITORY / "migrations"))
    for kind, url in (("sqlite", f"sqlite:///{tmp_path / 'sqlite' / 'editor.db'}"), ("postgresql", postgres_database)):
        data = tmp_path / kind
        database = Database(url)
        database.upgrade()
        session = database.session()
        owner = add_user(session, "ada@example.org", "author", PASSWORD)
        record = import_course_folder(session, owner, SAMPLE, BlobStore(LocalStorage(data / "storage")))
        course, files = record.id, session.execute(text("SELECT files FROM revisions")).scalar_one()
        session.close()
        with database.engine.begin() as connection:  # the database as the previous release left it
            config.attributes["connection"] = connection
            command.downgrade(config, "0005")

        database.upgrade()
        with database.engine.connect() as connection:
            assert connection.execute(text("SELECT files FROM revisions")).scalar_one() == files
            context = MigrationContext.configure(connection, opts={"include_name": only_text_blobs})
            differences = [d for d in compare_metadata(context, Base.metadata) if "text_blobs" in repr(d)]
        assert differences == [], (kind, differences)

        flask_app = create_app(editor_settings(data, "" if kind == "sqlite" else url))
        flask_app.testing = True
        try:
            ada = signed_in_existing(flask_app, "ada@example.org")
            saved = ada.api("PUT", f"/api/courses/{course}/blocks/t-welcome/markdown",
                            json={"base_revision": 1, "markdown": "After the upgrade\n"})
            assert saved.status_code == 200 and saved.get_json()["revision"] == 2, (kind, saved.get_json())
            spot = ada.client.get(f"/api/courses/{course}/blocks/t-spot-phish").get_json()["markdown"]
            assert spot == (SAMPLE / "pages" / "spot-phish.md").read_text(encoding="utf-8")
            assert ada.client.get(f"/api/courses/{course}/blocks/t-welcome").get_json()["markdown"] == \
                "After the upgrade\n"
            with flask_app.extensions["courseforge"].database.engine.begin() as connection:
                config.attributes["connection"] = connection
                with pytest.raises(RuntimeError, match="text_blobs holds 1 blobs"):
                    command.downgrade(config, "0005")  # the saved text has no other copy
        finally:
            flask_app.extensions["courseforge"].database.engine.dispose()
        database.engine.dispose()


def signed_in_existing(flask_app, email: str):
    from authoring_app import Browser

    browser = Browser(flask_app)
    assert browser.sign_in(email).status_code == 302
    return browser
