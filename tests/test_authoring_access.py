"""Authors see and change only their own courses and those shared with them, by every URL and API
call; reviewers read what is shared with them and change nothing."""
from __future__ import annotations

import pytest
from authoring_app import (  # noqa: F401 - fixtures
    app, imported_sample, postgres_database, postgres_server, quick_argon2, signed_in,
)

BLOCK = "t-welcome"


def every_request(course: int) -> list[tuple[str, str, dict]]:
    """Every page and API call that names a course, with a body it would accept."""
    base = {"base_revision": 1}
    return [
        ("GET", f"/courses/{course}", {}),
        ("GET", f"/api/courses/{course}", {}),
        ("GET", f"/api/courses/{course}/export", {}),
        ("GET", f"/api/courses/{course}/export?revision=1", {}),
        ("GET", f"/api/courses/{course}/revisions", {}),
        ("GET", f"/api/courses/{course}/revisions/1", {}),
        ("GET", f"/api/courses/{course}/revisions/1/diff", {}),
        ("GET", f"/api/courses/{course}/blocks/{BLOCK}", {}),
        ("GET", f"/api/courses/{course}/shares", {}),
        ("PUT", f"/api/courses/{course}/blocks/{BLOCK}/markdown", {"json": {**base, "markdown": "mine now"}}),
        ("PUT", f"/api/courses/{course}/blocks/{BLOCK}",
         {"json": {**base, "block": {"type": "text", "id": BLOCK, "markdown": "mine"}}}),
        ("PATCH", f"/api/courses/{course}/settings", {"json": {**base, "title": "Taken"}}),
        ("PATCH", f"/api/courses/{course}/sections/s-phishing", {"json": {**base, "title": "Taken"}}),
        ("PATCH", f"/api/courses/{course}/pages/p-welcome", {"json": {**base, "title": "Taken"}}),
        ("POST", f"/api/courses/{course}/sections", {"json": {**base, "title": "Taken", "after": None}}),
        ("POST", f"/api/courses/{course}/sections/s-phishing/pages", {"json": {**base, "title": "Taken"}}),
        ("POST", f"/api/courses/{course}/pages/p-welcome/blocks",
         {"json": {**base, "block": {"type": "text", "markdown": "mine"}, "after": BLOCK}}),
        ("DELETE", f"/api/courses/{course}/sections/s-habits?base_revision=1", {}),
        ("DELETE", f"/api/courses/{course}/pages/p-spot-phish?base_revision=1", {}),
        ("DELETE", f"/api/courses/{course}/blocks/{BLOCK}?base_revision=1", {}),
        ("POST", f"/api/courses/{course}/restore",
         {"json": {**base, "kind": "block", "id": "t-manager-tip", "from_revision": 1}}),
        ("POST", f"/api/courses/{course}/move",
         {"json": {**base, "kind": "block", "id": BLOCK, "parent": "p-welcome", "after": None}}),
        ("POST", f"/api/courses/{course}/revisions/1/restore", {"json": base}),
        ("POST", f"/api/courses/{course}/duplicate", {}),
        ("POST", f"/api/courses/{course}/shares", {"json": {"email": "eve@example.org"}}),
        ("DELETE", f"/api/courses/{course}/shares/ada@example.org", {}),
        ("DELETE", f"/api/courses/{course}", {}),
        ("POST", f"/api/courses/{course}/undelete", {}),
        ("POST", f"/courses/{course}/delete", {"data": {}}),
        ("POST", f"/courses/{course}/duplicate", {"data": {}}),
        ("POST", f"/courses/{course}/undelete", {"data": {}}),
    ]


def test_an_author_reaches_no_other_authors_course_by_any_url(app):
    ada = signed_in(app, "ada@example.org")
    course = imported_sample(ada)
    eve = signed_in(app, "eve@example.org")
    for method, url, kwargs in every_request(course):
        kwargs = dict(kwargs)
        if "data" in kwargs:
            kwargs["data"] = {"csrf_token": eve.csrf}
        answer = eve.api(method, url, **kwargs)
        assert answer.status_code == 404, (method, url, answer.status_code)
        if url.startswith("/api/"):
            assert answer.mimetype == "application/problem+json"
    assert eve.client.get("/api/courses").get_json()["courses"] == []
    assert eve.client.get("/api/courses?q=phishing").get_json()["courses"] == []
    assert "Security basics" not in eve.client.get("/courses").get_data(as_text=True)
    # ... and Ada's course is as it was.
    assert ada.client.get(f"/api/courses/{course}").get_json()["head_revision"] == 1


def test_a_shared_course_can_be_edited_but_not_deleted_or_reshared(app):
    ada = signed_in(app, "ada@example.org")
    course = imported_sample(ada)
    bob = signed_in(app, "bob@example.org")
    assert ada.api("POST", f"/api/courses/{course}/shares", json={"email": "bob@example.org"}).status_code == 201
    assert [c["id"] for c in bob.client.get("/api/courses").get_json()["courses"]] == [course]
    saved = bob.api("PUT", f"/api/courses/{course}/blocks/{BLOCK}/markdown",
                    json={"base_revision": 1, "markdown": "Bob's welcome"})
    assert saved.status_code == 200 and saved.get_json()["revision"] == 2
    assert bob.api("DELETE", f"/api/courses/{course}").status_code == 403
    assert bob.api("POST", f"/api/courses/{course}/shares", json={"email": "ada@example.org"}).status_code == 403
    assert ada.api("DELETE", f"/api/courses/{course}/shares/bob@example.org").status_code == 200
    assert bob.client.get(f"/api/courses/{course}").status_code == 404


@pytest.mark.parametrize("share_to", ["reviewer", "read-only author"])
def test_read_only_access_reads_and_exports_but_changes_nothing(app, share_to):
    ada = signed_in(app, "ada@example.org")
    course = imported_sample(ada)
    role = "reviewer" if share_to == "reviewer" else "author"
    rita = signed_in(app, "rita@example.org", role)
    shared = ada.api("POST", f"/api/courses/{course}/shares",
                     json={"email": "rita@example.org", "can_edit": role == "reviewer"})
    assert shared.status_code == 201
    assert rita.client.get(f"/api/courses/{course}").get_json()["can_edit"] is False
    assert rita.client.get(f"/api/courses/{course}/export").status_code == 200
    page = rita.client.get(f"/courses/{course}").get_data(as_text=True)
    assert "read only" in page and "<textarea" not in page
    for method, url, kwargs in every_request(course):
        if method == "GET" or url.endswith(("/duplicate", "/shares", "/undelete")) or "/shares/" in url:
            continue
        kwargs = dict(kwargs)
        if "data" in kwargs:
            kwargs["data"] = {"csrf_token": rita.csrf}
        answer = rita.api(method, url, **kwargs)
        assert answer.status_code == 403, (method, url, answer.status_code)
    assert ada.client.get(f"/api/courses/{course}").get_json()["head_revision"] == 1


def test_delete_hides_the_course_from_everyone_until_its_owner_undoes_it(app):
    ada = signed_in(app, "ada@example.org")
    course = imported_sample(ada)
    deleted = ada.api("DELETE", f"/api/courses/{course}")
    assert deleted.status_code == 200
    undo = deleted.get_json()["undo"]
    assert ada.client.get(f"/api/courses/{course}").status_code == 404
    assert ada.client.get("/api/courses?q=phishing").get_json()["courses"] == []
    assert ada.api("POST", undo).status_code == 200
    assert [c["id"] for c in ada.client.get("/api/courses?q=phishing").get_json()["courses"]] == [course]
