"""What a save costs and that it is never refused for being busy: saves to one course wait for
its lock and each merges once (none lost, none answered 503 while the lock comes in time); a
save reads no revision this process already has and no Markdown file but the one it wrote; a
text block made in the editor keeps its Markdown in ``text/<id>.md``, so typing in it changes
that file alone and never course.yaml."""
from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import Counter

import pytest
from authoring_app import (  # noqa: F401 - fixtures
    add_account, app, editor_settings, imported_sample, postgres_database, postgres_server, quick_argon2,
    signed_in,
)
from sqlalchemy import event, text
from sqlalchemy import inspect as sa_inspect

from storage import BlobStore

AUTHORS = 6
SAVES_EACH = 4


def shared_course(app):
    """Ada's course (one page, a text block in its own file for each author), editable by all."""
    ada = signed_in(app, "ada@example.org")
    course = ada.api("POST", "/api/courses", json={"title": "Shared"}).get_json()["id"]
    page = ada.client.get(f"/api/courses/{course}").get_json()["course"]["sections"][0]["pages"][0]["id"]
    blocks, revision = [], 1
    for _ in range(AUTHORS):
        made = ada.api("POST", f"/api/courses/{course}/pages/{page}/blocks",
                       json={"base_revision": revision, "block": {"type": "text", "markdown": ""}})
        assert made.status_code == 201, made.get_json()
        blocks.append(made.get_json()["block"]["id"])
        revision = made.get_json()["revision"]
    tokens = []
    for number in range(AUTHORS):
        email = f"author-{number}@example.org"
        tokens.append(add_account(app, email, token=True))
        assert ada.api("POST", f"/api/courses/{course}/shares", json={"email": email}).status_code in (200, 201)
    return course, blocks, tokens, revision


def test_saves_to_one_course_at_once_all_land_once_each_merged_onto_the_others(app):
    course, blocks, tokens, first = shared_course(app)
    answers: list[tuple[int, int, str]] = []  # (author, status, markdown)
    revisions: list[int] = []
    start = threading.Barrier(AUTHORS)

    def author(number: int) -> None:
        client, base = app.test_client(), first
        start.wait()
        for save in range(SAVES_EACH):
            markdown = f"Author {number}, save {save}"
            answer = client.put(f"/api/courses/{course}/blocks/{blocks[number]}/markdown",
                                json={"base_revision": base, "markdown": markdown},
                                headers={"Authorization": f"Bearer {tokens[number]}"})
            answers.append((number, answer.status_code, markdown))
            if answer.status_code == 200:
                base = answer.get_json()["revision"]
                revisions.append(base)

    threads = [threading.Thread(target=author, args=(n,)) for n in range(AUTHORS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert Counter(status for _n, status, _m in answers) == {200: AUTHORS * SAVES_EACH}
    # Each save made exactly one revision, one after the other: none was stored twice or lost.
    assert sorted(revisions) == list(range(first + 1, first + 1 + AUTHORS * SAVES_EACH))
    reader = app.test_client()
    for number in range(AUTHORS):
        got = reader.get(f"/api/courses/{course}/blocks/{blocks[number]}",
                         headers={"Authorization": f"Bearer {tokens[number]}"}).get_json()
        assert got["revision"] == first + AUTHORS * SAVES_EACH
        assert got["markdown"] == f"Author {number}, save {SAVES_EACH - 1}"


def test_a_new_text_block_keeps_its_markdown_in_its_own_file_so_typing_leaves_course_yaml_alone(app):
    ada = signed_in(app, "ada@example.org")
    course = imported_sample(ada)
    section = ada.api("POST", f"/api/courses/{course}/sections", json={"base_revision": 1, "title": "Extra"})
    [page] = section.get_json()["section"]["pages"]
    [starter] = page["blocks"]
    assert starter == {"type": "text", "id": starter["id"], "file": f"text/{starter['id']}.md"}
    made = ada.api("POST", f"/api/courses/{course}/pages/{page['id']}/blocks",
                   json={"base_revision": 2, "block": {"type": "text", "markdown": "# Recap\n\nWell done."},
                         "after": starter["id"]})
    block = made.get_json()["block"]
    assert block == {"type": "text", "id": block["id"], "file": f"text/{block['id']}.md"}
    files = ada.client.get(f"/api/courses/{course}/revisions/3").get_json()["files"]
    assert {starter["file"], block["file"]} <= set(files)
    assert ada.client.get(f"/api/courses/{course}/blocks/{block['id']}").get_json()["markdown"] == \
        "# Recap\n\nWell done."
    typed = ada.api("PUT", f"/api/courses/{course}/blocks/{starter['id']}/markdown",
                    json={"base_revision": 3, "markdown": "Typed *here*"})
    assert typed.status_code == 200 and typed.get_json()["revision"] == 4
    changed = ada.client.get(f"/api/courses/{course}/revisions/4/diff").get_json()
    assert (changed["changed"], changed["added"], changed["removed"]) == ([starter["file"]], [], [])
    assert "+Typed *here*" in changed["diffs"][starter["file"]]
    # Deleting the page takes its files along: the course and its course.yaml are revision 1's again.
    deleted = ada.api("DELETE", f"/api/courses/{course}/sections/{section.get_json()['section']['id']}"
                      "?base_revision=4")
    assert deleted.status_code == 200, deleted.get_json()
    assert ada.client.get(f"/api/courses/{course}/revisions/5").get_json()["files"] == \
        ada.client.get(f"/api/courses/{course}/revisions/1").get_json()["files"]


def test_an_inline_text_block_stays_inline(app):
    ada = signed_in(app, "ada@example.org")
    course = imported_sample(ada)
    replaced = ada.api("PUT", f"/api/courses/{course}/blocks/t-phish-example",
                       json={"base_revision": 1, "block": {"type": "text", "id": "t-phish-example", "markdown": "A"}})
    assert replaced.get_json()["block"] == {"type": "text", "id": "t-phish-example", "markdown": "A"}
    typed = ada.api("PUT", f"/api/courses/{course}/blocks/t-phish-example/markdown",
                    json={"base_revision": 2, "markdown": "B"})
    assert typed.status_code == 200
    block = ada.client.get(f"/api/courses/{course}/blocks/t-phish-example").get_json()["block"]
    assert block == {"type": "text", "id": "t-phish-example", "markdown": "B"}


def test_a_save_reads_no_revision_it_has_and_no_file_and_the_next_search_finds_its_words(app, monkeypatch):
    ada = signed_in(app, "ada@example.org")
    course = imported_sample(ada)
    url = f"/api/courses/{course}/blocks/t-phish-example/markdown"
    assert ada.api("PUT", url, json={"base_revision": 1, "markdown": "First"}).status_code == 200
    second = f"Second {secrets.token_hex(8)}"  # bytes no earlier test stored
    statements: list[str] = []
    engine = app.extensions["courseforge"].database.engine
    listener = lambda _c, _cur, statement, *_rest: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    reads: list[str] = []
    get_blob = BlobStore.get_blob
    monkeypatch.setattr(BlobStore, "get_blob", lambda self, sha: reads.append(sha) or get_blob(self, sha))
    try:
        again = ada.api("PUT", url, json={"base_revision": 2, "markdown": second})
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert again.status_code == 200 and again.get_json()["revision"] == 3
    assert not [s for s in statements if "FROM revisions" in s], statements
    assert reads == [], "a save reads no file: the search indexes what was saved when it is next used"
    found = ada.client.get("/api/courses?q=second").get_json()["courses"]
    # The search read the file just written; every other file's words it had already.
    assert reads == [hashlib.sha256(second.encode()).hexdigest()]
    assert [c["id"] for c in found] == [course]
    assert [c["id"] for c in ada.client.get("/api/courses?q=phishing").get_json()["courses"]] == [course]


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def test_a_save_waits_for_the_lock_and_answers_503_only_when_it_does_not_come_in_time(
        database, tmp_path, monkeypatch, request):
    from authoring import create_app, database as databases

    monkeypatch.setattr(databases, "LOCK_WAIT_SECONDS", 1)
    url = request.getfixturevalue("postgres_database") if database == "postgresql" else ""
    flask_app = create_app(editor_settings(tmp_path / "data", url))
    flask_app.testing = True
    try:
        ada = signed_in(flask_app, "ada@example.org")
        course = imported_sample(ada)
        engine = flask_app.extensions["courseforge"].database.engine
        with engine.connect() as holder:
            if database == "sqlite":
                holder.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                holder.execute(text("SELECT id FROM courses WHERE id = :id FOR UPDATE"), {"id": course})
            busy = ada.api("PUT", f"/api/courses/{course}/blocks/t-phish-example/markdown",
                           json={"base_revision": 1, "markdown": "Waited"})
            holder.rollback()
        assert busy.status_code == 503 and busy.mimetype == "application/problem+json"
        assert busy.get_json()["field"] == "base_revision" and "waited 1 s" in busy.get_json()["detail"]
        released = ada.api("PUT", f"/api/courses/{course}/blocks/t-phish-example/markdown",
                           json={"base_revision": 1, "markdown": "Waited"})
        assert released.status_code == 200 and released.get_json()["revision"] == 2
    finally:
        flask_app.extensions["courseforge"].database.engine.dispose()


def test_on_sqlite_a_processs_saves_take_turns_and_one_kept_waiting_too_long_gets_the_503(
        tmp_path, monkeypatch):
    from authoring import create_app, database as databases

    monkeypatch.setattr(databases, "LOCK_WAIT_SECONDS", 1)
    flask_app = create_app(editor_settings(tmp_path / "data", ""))
    flask_app.testing = True
    try:
        ada = signed_in(flask_app, "ada@example.org")
        course = imported_sample(ada)
        state = flask_app.extensions["courseforge"]
        inside, leave, order = threading.Event(), threading.Event(), []

        def hold_the_turn() -> None:
            session = state.database.session()
            try:
                with databases.one_writer(session):
                    order.append("holder in")
                    inside.set()
                    leave.wait(10)
                    session.commit()
                    order.append("holder out")
            finally:
                session.close()

        holder = threading.Thread(target=hold_the_turn)
        holder.start()
        assert inside.wait(10)
        url = f"/api/courses/{course}/blocks/t-phish-example/markdown"
        busy = ada.api("PUT", url, json={"base_revision": 1, "markdown": "Waited"})
        assert busy.status_code == 503 and "waited 1 s" in busy.get_json()["detail"]
        waiter = threading.Thread(target=lambda: order.append(
            ada.api("PUT", url, json={"base_revision": 1, "markdown": "After"}).status_code))
        waiter.start()
        time.sleep(0.3)
        assert waiter.is_alive(), "the second save waits for its turn"
        leave.set()
        holder.join(10)
        waiter.join(10)
        assert order == ["holder in", "holder out", 200]  # the waiting save went in as the turn came free
        assert ada.api("GET", f"/api/courses/{course}/blocks/t-phish-example").get_json()["markdown"] == "After"
    finally:
        flask_app.extensions["courseforge"].database.engine.dispose()


def test_the_caches_of_revisions_and_markdown_words_drop_the_least_recently_used_past_their_limit(tmp_path):
    from authoring.revisions import RevisionCache, Stored
    from authoring.search import BlobTexts
    from storage.local import LocalStorage

    revisions = RevisionCache(limit=12)
    for number in (1, 2, 3):
        revisions.put(7, number, Stored('{"a":1}', "{}"))  # 9 characters each
    assert revisions.get(7, 1) is None and revisions.get(7, 2) is None and revisions.get(7, 3) is not None
    blobs = BlobStore(LocalStorage(tmp_path))
    first, second = blobs.put_blob(b"alpha beta"), blobs.put_blob(b"gamma delta")
    texts = BlobTexts(limit=15)
    assert texts.text(first, blobs) == "alpha beta"
    assert texts.text(second, blobs) == "gamma delta"
    reads: list[str] = []
    get_blob = blobs.get_blob
    blobs.get_blob = lambda sha: reads.append(sha) or get_blob(sha)  # type: ignore[method-assign]
    assert (texts.text(second, blobs), texts.text(first, blobs)) == ("gamma delta", "alpha beta")
    assert reads == [first]  # the first was dropped for the second; the second was still kept


def head_as_kept(app, course: int) -> tuple[str, str, str, str]:
    """The course row's copy of its head (file map, document hash) and the head revision's own."""
    engine = app.extensions["courseforge"].database.engine
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT c.head_files, c.head_document_sha256, r.files, r.document FROM courses c "
                 "JOIN revisions r ON r.course_id = c.id AND r.number = c.head WHERE c.id = :id"),
            {"id": course},
        ).one()


def test_a_text_save_is_judged_on_the_course_row_and_any_other_change_since_is_merged_or_conflicts(app):
    """A text save, made on the head or behind it, is judged and stored on the course row (on
    PostgreSQL one statement after the access check, sent with its commit), with no locking read
    and no read of the head revision; a change to the
    same text since is a conflict with both versions, a change to the document since is merged
    the usual way, and a restore moves the row's copy too. On both databases the course row
    keeps the head revision's file map and document hash after every kind of save."""
    ada = signed_in(app, "ada@example.org")
    course = imported_sample(ada)
    postgresql = app.extensions["courseforge"].database.dialect == "postgresql"
    engine = app.extensions["courseforge"].database.engine
    statements: list[str] = []

    def save(block: str, base: int, markdown: str):
        statements.clear()
        event.listen(engine, "before_cursor_execute", listener)
        try:
            return ada.api("PUT", f"/api/courses/{course}/blocks/{block}/markdown",
                           json={"base_revision": base, "markdown": markdown})
        finally:
            event.remove(engine, "before_cursor_execute", listener)

    def kept_as_head() -> None:
        head_files, document_sha256, files, document = head_as_kept(app, course)
        assert (head_files, document_sha256) == (files, hashlib.sha256(document.encode()).hexdigest())

    listener = lambda _c, _cur, statement, *_rest: statements.append(statement)  # noqa: E731
    kept_as_head()
    first = save("t-welcome", 1, "Welcome, on the head")
    assert first.get_json() == {"revision": 2, "merged": False, "saved": True}
    if postgresql:  # sent with its commit on psycopg's connection: SQLAlchemy saw only the reads
        assert not [s for s in statements if "FOR UPDATE" in s or "UPDATE courses" in s or "INSERT" in s]
    else:  # the row judged by its own UPDATE
        assert len([s for s in statements if "instr(courses.head_files" in s]) == 1
    kept_as_head()
    behind = save("t-spot-phish", 1, "Spotting, from revision 1")  # revision 1 is read by now
    assert behind.get_json() == {"revision": 3, "merged": True, "saved": True}
    # Nor the head (revision 2) read, nor the course locked first: the row's copy is what is judged.
    assert not [s for s in statements if "FOR UPDATE" in s or "FROM revisions" in s], statements
    kept_as_head()
    clash = save("t-welcome", 1, "Welcome, from revision 1 too")
    assert clash.status_code == 409
    assert clash.get_json()["conflicts"][0]["theirs"] == "Welcome, on the head"
    assert clash.get_json()["head_revision"] == 3

    page = ada.client.get(f"/api/courses/{course}").get_json()["course"]["sections"][0]["pages"][0]["id"]
    renamed = ada.api("PATCH", f"/api/courses/{course}/pages/{page}", json={"base_revision": 3, "title": "Renamed"})
    assert renamed.get_json()["revision"] == 4
    kept_as_head()
    after_rename = save("t-phish-example", 3, "Example, from before the rename")
    assert after_rename.get_json() == {"revision": 5, "merged": True, "saved": True}
    # The document changed since the author's revision: merged as any other edit (on PostgreSQL
    # after a locking read, on SQLite stored by the merge's own UPDATE of the head).
    merged_the_usual_way = "FOR UPDATE" if postgresql else "AND courses.head = ?"
    assert [s for s in statements if merged_the_usual_way in s], "\n".join(s[:70] for s in statements)
    kept_as_head()
    outline = ada.client.get(f"/api/courses/{course}").get_json()["course"]["sections"][0]["pages"][0]
    assert outline["title"] == "Renamed"
    for block, markdown in (("t-welcome", "Welcome, on the head"), ("t-spot-phish", "Spotting, from revision 1"),
                            ("t-phish-example", "Example, from before the rename")):
        assert ada.client.get(f"/api/courses/{course}/blocks/{block}").get_json()["markdown"] == markdown
    restored = ada.api("POST", f"/api/courses/{course}/revisions/2/restore", json={"base_revision": 5})
    assert restored.get_json()["revision"] == 6
    kept_as_head()
    assert save("t-welcome", 6, "Welcome, after the restore").get_json()["revision"] == 7
    kept_as_head()


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def test_the_migration_fills_in_the_head_of_courses_already_saved_and_the_next_text_save_uses_it(
        database, tmp_path, request):
    from alembic import command
    from alembic.config import Config

    from authoring import create_app
    from authoring.database import ALEMBIC_INI, REPOSITORY

    url = request.getfixturevalue("postgres_database") if database == "postgresql" else ""
    flask_app = create_app(editor_settings(tmp_path / "data", url))
    flask_app.testing = True
    engine = flask_app.extensions["courseforge"].database.engine
    try:
        ada = signed_in(flask_app, "ada@example.org")
        course = imported_sample(ada)
        assert ada.api("PUT", f"/api/courses/{course}/blocks/t-welcome/markdown",
                       json={"base_revision": 1, "markdown": "Before the upgrade"}).get_json()["revision"] == 2
        config = Config(str(ALEMBIC_INI))
        config.set_main_option("script_location", str(REPOSITORY / "migrations"))
        with engine.begin() as connection:  # the database as the previous release left it
            config.attributes["connection"] = connection
            command.downgrade(config, "0006")
            assert "head_files" not in {c["name"] for c in sa_inspect(connection).get_columns("courses")}
            command.upgrade(config, "head")
        head_files, document_sha256, files, document = head_as_kept(flask_app, course)
        assert (head_files, document_sha256) == (files, hashlib.sha256(document.encode()).hexdigest())
        with engine.connect() as connection:  # every revision kept: the table was changed in place
            assert connection.execute(text("SELECT count(*) FROM revisions")).scalar_one() == 2
        after = ada.api("PUT", f"/api/courses/{course}/blocks/t-spot-phish/markdown",
                        json={"base_revision": 1, "markdown": "After the upgrade"})
        assert after.get_json() == {"revision": 3, "merged": True, "saved": True}
        assert ada.client.get(f"/api/courses/{course}/blocks/t-welcome").get_json()["markdown"] == "Before the upgrade"
    finally:
        engine.dispose()
