"""Review links and comments through the API, on SQLite and PostgreSQL: an author makes a link to
a revision (the head, or an older one kept frozen) and a reviewer with no account opens it, sees
that revision's player, comments on a block, a question and a second of a video, and replies;
authors list, filter, answer, resolve and reopen; a comment keeps its block through later edits,
says its revision and is marked when its block is deleted. Expired, revoked and unknown links
open nothing, page or file. Another author cannot reach a course's comments; a reviewer account
may reply but not resolve. Sizes are bounded, writes through a link are rate-limited, hostile
text comes back as data."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from api_fuzz import fuzz, report
from authoring_app import (  # noqa: F401 - fixtures
    Browser,
    add_account,
    app,
    csrf_of,
    folder_zip,
    postgres_database,
    postgres_server,
    quick_argon2,
    signed_in,
    sqlite_app,
)
from conftest import write_course_folder
from media_fixtures import make_video

REVIEW_COURSE = {
    "id": "review-course",
    "title": "Review course",
    "sections": [{"id": "s-one", "title": "One", "pages": [
        {"id": "p-read", "title": "Read", "blocks": [
            {"type": "text", "id": "t-intro", "markdown": "Welcome to **the** course"},
            {"type": "text", "id": "t-gone", "markdown": "A block to delete"},
            {"type": "text", "id": "t-stay", "markdown": "A block that stays"},
        ]},
        {"id": "p-watch", "title": "Watch", "blocks": [
            {"type": "video", "id": "v-clip", "src": "media/clip.mp4", "title": "A short clip"},
        ]},
        {"id": "p-quiz", "title": "Quiz", "blocks": [
            {"type": "quiz", "id": "quiz-1", "title": "Check", "questions": [
                {"type": "true_false", "id": "q-fish", "prompt": "Fish is tasty.", "answer": True},
                {"type": "true_false", "id": "q-sky", "prompt": "The sky is green.", "answer": False},
            ]},
        ]},
    ]}],
}


def review_course_zip(folder) -> bytes:
    write_course_folder(folder, REVIEW_COURSE)
    make_video(folder / "media" / "clip.mp4", size="160x120", seconds=9, audio=False)
    return folder_zip(folder, "course")


@pytest.fixture
def course(app, tmp_path):  # noqa: F811 - the fixture imported above
    return ada_course(app, tmp_path)


def ada_course(app, tmp_path):  # noqa: F811 - the fixture imported above
    """Ada's course with a video and a quiz; her browser; the course's API."""
    ada = signed_in(app, "ada@example.org")
    answer = ada.import_zip(review_course_zip(tmp_path / "course"))
    assert answer.status_code == 201, answer.get_json()
    course_id = answer.get_json()["id"]
    return SimpleNamespace(app=app, ada=ada, id=course_id, api=f"/api/courses/{course_id}")


class Reviewer:
    """Someone with only the link: a browser with no account, the CSRF token of the review page."""

    def __init__(self, app, token: str, address: str = "192.0.2.10") -> None:
        self.client = app.test_client()
        self.token = token
        self.address = address
        page = self.client.get(f"/review/{token}")
        self.page = page
        self.csrf = csrf_of(page.get_data(as_text=True)) if page.status_code == 200 else ""

    def post(self, path: str, body, **kwargs):
        headers = {"X-CSRFToken": self.csrf, **kwargs.pop("headers", {})}
        return self.client.post(f"/api/review/{self.token}{path}", json=body, headers=headers,
                                environ_base={"REMOTE_ADDR": self.address}, **kwargs)

    def get(self, path: str = ""):
        return self.client.get(f"/api/review/{self.token}{path}")


def make_link(course, **body):
    answer = course.ada.api("POST", f"{course.api}/review-links", json=body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def head(course) -> int:
    return course.ada.api("GET", course.api).get_json()["head_revision"]


def set_expiry(app, link_id: int, delta: timedelta) -> None:
    from authoring.models import ReviewLink, utcnow

    session = app.extensions["courseforge"].database.session()
    try:
        session.get(ReviewLink, link_id).expires_at = utcnow() + delta
        session.commit()
    finally:
        session.close()


# --------------------------------------------------------------------------- links
def test_a_link_opens_the_head_for_a_reviewer_with_no_account_and_its_token_is_stored_only_hashed(course):
    from authoring.credentials import token_digest
    from authoring.models import ReviewLink

    made = make_link(course, label="For Rita")
    assert made["revision"] == head(course) and made["state"] == "active" and made["label"] == "For Rita"
    assert made["url"].endswith(f"/review/{made['token']}") and len(made["token"]) >= 43
    days = (_parse(made["expires_at"]) - _parse(made["created_at"])).days
    assert days == 14

    listed = course.ada.api("GET", f"{course.api}/review-links").get_json()["links"]
    assert [link["id"] for link in listed] == [made["id"]]
    assert "token" not in listed[0] and "url" not in listed[0]
    session = course.app.extensions["courseforge"].database.session()
    stored = session.get(ReviewLink, made["id"])
    assert stored.token_sha256 == token_digest(made["token"]) and made["token"] not in stored.token_sha256
    session.close()

    rita = Reviewer(course.app, made["token"])
    assert rita.page.status_code == 200
    html = rita.page.get_data(as_text=True)
    assert "Review course" in html and 'id="review-frame"' in html
    assert rita.page.headers["Cache-Control"] == "private, no-store"
    launch = rita.client.get(f"/review/{made['token']}/player/index.html")
    assert launch.status_code == 200 and launch.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert '"tracking": "web"' in launch.get_data(as_text=True).replace('":"', '": "')
    fragment = rita.client.get(f"/review/{made['token']}/player/pages/p-read.html")
    assert fragment.status_code == 200 and 'id="b-t-intro"' in fragment.get_data(as_text=True)
    video = rita.client.get(f"/review/{made['token']}/player/media/clip.mp4", headers={"Range": "bytes=0-99"})
    assert video.status_code == 206 and video.mimetype == "video/mp4" and len(video.data) == 100
    assert rita.client.get(f"/review/{made['token']}/player/js/app.js").status_code == 200
    outline = rita.get().get_json()
    assert outline["revision"] == made["revision"]
    assert [page["id"] for page in outline["pages"]] == ["p-read", "p-watch", "p-quiz"]
    quiz = outline["pages"][2]["blocks"][0]
    assert quiz["label"] == "Quiz: Check"
    assert quiz["questions"] == [{"id": "q-fish", "label": "Question 1: Fish is tasty."},
                                 {"id": "q-sky", "label": "Question 2: The sky is green."}]


def _parse(text: str):
    from datetime import datetime

    return datetime.fromisoformat(text.removesuffix("Z"))


def test_a_link_to_an_older_revision_shows_that_revision_frozen_while_the_course_moves_on(course):
    first = head(course)
    made = make_link(course, revision=first, expires_in_days=90)
    assert (_parse(made["expires_at"]) - _parse(made["created_at"])).days == 90
    saved = course.ada.api("PUT", f"{course.api}/blocks/t-intro/markdown",
                           json={"base_revision": first, "markdown": "Rewritten since"})
    assert saved.status_code == 200, saved.get_json()
    renamed = course.ada.api("PATCH", f"{course.api}/settings", json={"base_revision": first + 1, "title": "Renamed"})
    assert renamed.status_code == 200, renamed.get_json()
    assert head(course) == first + 2
    rita = Reviewer(course.app, made["token"])
    assert "<h1 id=\"review-title\">Review course</h1>" in rita.page.get_data(as_text=True)
    fragment = rita.client.get(f"/review/{made['token']}/player/pages/p-read.html").get_data(as_text=True)
    assert "Welcome to" in fragment and "Rewritten since" not in fragment
    assert rita.get().get_json()["title"] == "Review course"
    assert make_link(course)["revision"] == first + 2


@pytest.mark.parametrize("body, field", [
    ({"expires_in_days": 0}, "expires_in_days"), ({"expires_in_days": 91}, "expires_in_days"),
    ({"revision": 99}, "revision"), ({"revision": 0}, "revision"), ({"label": "x" * 201}, "label"),
    ({"token": "mine"}, "token"),
])
def test_a_link_outside_the_bounds_is_refused_naming_the_field(course, body, field):
    answer = course.ada.api("POST", f"{course.api}/review-links", json=body)
    assert answer.status_code == 422 and answer.get_json()["field"] == field, answer.get_json()


def test_expired_revoked_and_unknown_links_open_nothing(course):
    expired, revoked = make_link(course), make_link(course)
    set_expiry(course.app, expired["id"], timedelta(seconds=-1))
    revoke = course.ada.api("DELETE", f"{course.api}/review-links/{revoked['id']}")
    assert revoke.status_code == 200 and revoke.get_json()["state"] == "revoked"
    client = course.app.test_client()
    for made, words in ((expired, "expired"), (revoked, "withdrawn")):
        token = made["token"]
        page = client.get(f"/review/{token}")
        assert page.status_code == 410
        text = page.get_data(as_text=True)
        assert "This review link no longer works" in text and words in text and "review-frame" not in text
        for path in ("player/index.html", "player/pages/p-read.html", "player/media/clip.mp4", "player/js/app.js"):
            assert client.get(f"/review/{token}/{path}").status_code == 410, path
        api = client.get(f"/api/review/{token}/comments")
        assert api.status_code == 410 and api.mimetype == "application/problem+json"
        assert api.get_json()["state"] == ("expired" if made is expired else "revoked")
    unknown = client.get("/review/not-a-real-token")
    assert unknown.status_code == 404 and "There is no such review link" in unknown.get_data(as_text=True)
    assert client.get("/review/not-a-real-token/player/index.html").status_code == 404
    states = {link["id"]: link["state"] for link in course.ada.api("GET", f"{course.api}/review-links").get_json()["links"]}
    assert states == {expired["id"]: "expired", revoked["id"]: "revoked"}


def test_a_deleted_course_closes_its_links(course):
    made = make_link(course)
    form = course.ada.client.post(f"/courses/{course.id}/delete", data={"csrf_token": course.ada.csrf})
    assert form.status_code in (302, 303)
    assert course.app.test_client().get(f"/review/{made['token']}").status_code == 410


# --------------------------------------------------------------------------- comments
def test_a_reviewer_comments_on_a_block_a_question_and_a_video_second_and_everyone_replies(course):
    made = make_link(course)
    rita = Reviewer(course.app, made["token"])
    on_block = rita.post("/comments", {"name": "Rita", "block_id": "t-intro", "body": "Say hello first."})
    assert on_block.status_code == 201, on_block.get_json()
    on_question = rita.post("/comments", {"name": "Rita", "block_id": "quiz-1", "question_id": "q-sky",
                                          "body": "Too easy."})
    on_video = rita.post("/comments", {"name": "Rita", "block_id": "v-clip", "video_second": 7,
                                       "body": "The sound drops here."})
    assert on_question.status_code == on_video.status_code == 201
    comments = on_video.get_json()["comments"]
    assert [(c["block_id"], c["question_id"], c["video_second"]) for c in comments] == [
        ("t-intro", None, None), ("quiz-1", "q-sky", None), ("v-clip", None, 7)]
    first = comments[0]
    assert first["author"] == "Rita" and first["author_kind"] == "reviewer" and first["state"] == "open"
    assert first["revision"] == made["revision"] and first["page_id"] == "p-read"
    assert first["block_label"] == "Text: Welcome to the course" and first["block_removed"] is False
    assert comments[1]["question_label"] == "Question 2: The sky is green."

    sam = Reviewer(course.app, made["token"], address="192.0.2.11")
    answer = sam.post(f"/comments/{first['id']}/replies", {"name": "Sam", "body": "Agreed."})
    assert answer.status_code == 201
    author_reply = course.ada.api("POST", f"{course.api}/comments/{first['id']}/replies", json={"body": "Done."})
    assert author_reply.status_code == 201
    thread = rita.get("/comments").get_json()["comments"][0]["replies"]
    assert [(r["author"], r["author_kind"], r["body"]) for r in thread] == [
        ("Sam", "reviewer", "Agreed."), ("ada", "editor", "Done.")]
    listed = course.ada.api("GET", f"{course.api}/comments").get_json()
    assert listed["open"] == 3
    assert [r["author"] for r in listed["comments"][0]["replies"]] == ["Sam", "ada@example.org"]


@pytest.mark.parametrize("pin, field", [
    ({"block_id": "t-nowhere"}, "block_id"),
    ({"block_id": "quiz-1", "question_id": "q-nowhere"}, "question_id"),
    ({"block_id": "t-intro", "question_id": "q-fish"}, "question_id"),
    ({"block_id": "t-intro", "video_second": 3}, "video_second"),
    ({"block_id": "v-clip", "video_second": -1}, "video_second"),
    ({"block_id": "v-clip", "video_second": 86_401}, "video_second"),
    ({"block_id": "bad id!"}, "block_id"),
])
def test_a_pin_must_name_a_block_question_or_video_of_the_revision(course, pin, field):
    rita = Reviewer(course.app, make_link(course)["token"])
    answer = rita.post("/comments", {"name": "Rita", "body": "Here.", **pin})
    assert answer.status_code == 422 and answer.get_json()["field"] == field, answer.get_json()


def test_authors_filter_resolve_and_reopen_and_a_comment_keeps_its_block_through_edits(course):
    made = make_link(course)
    rita = Reviewer(course.app, made["token"])
    ids = [rita.post("/comments", {"name": "Rita", "block_id": block, "body": f"About {block}."}
                     ).get_json()["comment_id"] for block in ("t-intro", "t-intro", "t-gone")]
    resolved = course.ada.api("PATCH", f"{course.api}/comments/{ids[1]}", json={"state": "resolved"})
    assert resolved.status_code == 200
    assert resolved.get_json()["comment"]["state"] == "resolved" and resolved.get_json()["comment"]["resolved_at"]
    open_ = course.ada.api("GET", f"{course.api}/comments?state=open").get_json()
    assert [c["id"] for c in open_["comments"]] == [ids[0], ids[2]] and open_["open"] == 2
    assert [c["id"] for c in course.ada.api("GET", f"{course.api}/comments?state=resolved").get_json()["comments"]] \
        == [ids[1]]
    assert [c["id"] for c in course.ada.api("GET", f"{course.api}/comments?block=t-intro").get_json()["comments"]] \
        == ids[:2]
    assert course.ada.api("GET", f"{course.api}/comments?state=done").status_code == 422
    reopened = course.ada.api("PATCH", f"{course.api}/comments/{ids[1]}", json={"state": "open"})
    assert reopened.get_json()["comment"]["state"] == "open" and reopened.get_json()["comment"]["resolved_at"] is None

    revision = made["revision"]
    edit = course.ada.api("PUT", f"{course.api}/blocks/t-intro/markdown",
                          json={"base_revision": revision, "markdown": "Hello, and welcome"})
    assert edit.status_code == 200
    moved = course.ada.api("POST", f"{course.api}/move", json={"base_revision": revision + 1, "kind": "block",
                                                                "id": "t-intro", "parent": "p-quiz", "after": None})
    assert moved.status_code == 200, moved.get_json()
    gone = course.ada.api("DELETE", f"{course.api}/blocks/t-gone?base_revision={revision + 2}")
    assert gone.status_code == 200, gone.get_json()
    comments = course.ada.api("GET", f"{course.api}/comments").get_json()["comments"]
    kept = comments[0]
    assert kept["block_id"] == "t-intro" and kept["revision"] == revision
    assert kept["block_label"] == "Text: Hello, and welcome" and kept["page_id"] == "p-quiz"
    assert kept["block_removed"] is False
    removed = comments[2]
    assert removed["block_removed"] is True and removed["page_id"] is None and removed["body"] == "About t-gone."
    # the reviewer still sees the revision the link shows, where the block was
    assert rita.get("/comments").get_json()["comments"][2]["block_removed"] is False

    later = course.ada.api("POST", f"{course.api}/comments", json={"block_id": "t-intro", "body": "Mine."})
    assert later.status_code == 201 and later.get_json()["comment"]["revision"] == revision + 3
    assert later.get_json()["comment"]["author"] == "ada@example.org"
    assert [c["id"] for c in rita.get("/comments").get_json()["comments"]] == ids


def test_another_author_cannot_reach_the_comments_and_a_reviewer_account_may_only_reply(course):
    made = make_link(course)
    rita = Reviewer(course.app, made["token"])
    comment = rita.post("/comments", {"name": "Rita", "block_id": "t-intro", "body": "Hm."}).get_json()["comment_id"]
    bob = signed_in(course.app, "bob@example.org")
    for method, path, body in (("GET", "/comments", None), ("PATCH", f"/comments/{comment}", {"state": "resolved"}),
                               ("POST", f"/comments/{comment}/replies", {"body": "Hi"}),
                               ("GET", "/review-links", None), ("POST", "/review-links", {}),
                               ("DELETE", f"/review-links/{made['id']}", None)):
        answer = bob.api(method, f"{course.api}{path}", json=body)
        assert answer.status_code == 404, (method, path, answer.get_json())

    vera = signed_in(course.app, "vera@example.org", role="reviewer")
    share = course.ada.api("POST", f"{course.api}/shares", json={"email": "vera@example.org", "can_edit": False})
    assert share.status_code in (200, 201), share.get_json()
    assert vera.api("GET", f"{course.api}/comments").status_code == 200
    assert vera.api("POST", f"{course.api}/comments/{comment}/replies", json={"body": "Seen."}).status_code == 201
    assert vera.api("PATCH", f"{course.api}/comments/{comment}", json={"state": "resolved"}).status_code == 403
    assert vera.api("POST", f"{course.api}/review-links", json={}).status_code == 403
    assert vera.api("GET", f"{course.api}/review-links").status_code == 403
    other = make_link(course)
    assert course.ada.api("PATCH", f"/api/courses/{course.id}/comments/99999", json={"state": "open"}).status_code == 404
    assert Reviewer(course.app, other["token"]).post(f"/comments/{comment + 1000}/replies",
                                                     {"name": "X", "body": "Y"}).status_code == 404


def test_hostile_text_is_kept_as_typed_and_only_ever_sent_as_data(course):
    made = make_link(course)
    rita = Reviewer(course.app, made["token"])
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    answer = rita.post("/comments", {"name": "<b>Rita</b>", "block_id": "t-intro", "body": hostile})
    assert answer.status_code == 201 and answer.mimetype == "application/json"
    comment = answer.get_json()["comments"][0]
    assert comment["body"] == hostile and comment["author"] == "<b>Rita</b>"
    page = Reviewer(course.app, made["token"]).page.get_data(as_text=True)
    assert "onerror" not in page and "<b>Rita" not in page  # the page holds no comment: the script shows them as text


def test_oversize_bodies_names_and_texts_are_refused(course):
    rita = Reviewer(course.app, make_link(course)["token"])
    big = rita.post("/comments", {"name": "Rita", "block_id": "t-intro", "body": "x" * 20_000})
    assert big.status_code == 413 and big.mimetype == "application/problem+json"
    long_text = rita.post("/comments", {"name": "Rita", "block_id": "t-intro", "body": "x" * 4001})
    assert long_text.status_code == 422 and long_text.get_json()["field"] == "body"
    long_name = rita.post("/comments", {"name": "R" * 81, "block_id": "t-intro", "body": "Hi"})
    assert long_name.status_code == 422 and long_name.get_json()["field"] == "name"
    blank = rita.post("/comments", {"name": "Rita", "block_id": "t-intro", "body": "   "})
    assert blank.status_code == 422 and blank.get_json()["field"] == "body"
    control = rita.post("/comments", {"name": "Ri\x00ta", "block_id": "t-intro", "body": "Hi"})
    assert control.status_code == 422 and control.get_json()["field"] == "name"
    editor_big = course.ada.api("POST", f"{course.api}/comments", json={"block_id": "t-intro", "body": "x" * 4001})
    assert editor_big.status_code == 422
    assert rita.get("/comments").get_json()["comments"] == []


def test_writes_through_a_link_are_rate_limited_per_address_and_need_the_page_csrf_token(course):
    from authoring.review import MAX_WRITES

    made = make_link(course)
    rita = Reviewer(course.app, made["token"])
    first = rita.post("/comments", {"name": "Rita", "block_id": "t-intro", "body": "One."}).get_json()["comment_id"]
    for n in range(MAX_WRITES - 1):
        assert rita.post(f"/comments/{first}/replies", {"name": "Rita", "body": f"Reply {n}."}).status_code == 201
    refused = rita.post("/comments", {"name": "Rita", "block_id": "t-intro", "body": "One more."})
    assert refused.status_code == 429 and 0 < refused.get_json()["retry_after"] <= 15 * 60
    assert "try again in 15 minutes" in refused.get_json()["detail"]
    elsewhere = Reviewer(course.app, made["token"], address="198.51.100.7")
    assert elsewhere.post("/comments", {"name": "Sam", "block_id": "t-intro", "body": "Hi."}).status_code == 201
    no_csrf = rita.client.post(f"/api/review/{made['token']}/comments", json={"name": "R", "block_id": "t-intro",
                                                                              "body": "x"})
    assert no_csrf.status_code == 400 and no_csrf.get_json()["field"] == "csrf_token"


def test_the_review_operations_are_documented_and_schemathesis_finds_no_undocumented_answer(sqlite_app, tmp_path):
    course = ada_course(sqlite_app, tmp_path)
    token = add_account(course.app, "robot@example.org", token=True)
    share = course.ada.api("POST", f"{course.api}/shares", json={"email": "robot@example.org"})
    assert share.status_code in (200, 201)
    bearer = {"Authorization": f"Bearer {token}"}
    document = course.app.test_client().get("/api/openapi.json").get_json()
    operations = {(path, method) for path, methods in document["paths"].items()
                  if "/review" in path or "/comments" in path for method in methods}
    assert operations == {
        ("/api/courses/{course_id}/review-links", "get"), ("/api/courses/{course_id}/review-links", "post"),
        ("/api/courses/{course_id}/review-links/{link_id}", "delete"),
        ("/api/courses/{course_id}/comments", "get"), ("/api/courses/{course_id}/comments", "post"),
        ("/api/courses/{course_id}/comments/{comment_id}", "patch"),
        ("/api/courses/{course_id}/comments/{comment_id}/replies", "post"),
        ("/api/review/{token}", "get"), ("/api/review/{token}/comments", "get"),
        ("/api/review/{token}/comments", "post"), ("/api/review/{token}/comments/{comment_id}/replies", "post")}
    post = document["paths"]["/api/review/{token}/comments"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReviewerComment"}
    assert {"404", "410", "413", "422", "429"} <= set(post["responses"])

    _operations, failures = fuzz(course.app, bearer, lambda path: "/review" in path or "/comments" in path, examples=20)
    assert not failures, report(failures)


@pytest.mark.services
def test_the_migration_creates_exactly_the_review_tables_the_models_describe(tmp_path, postgres_database):  # noqa: F811
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from authoring.database import Database
    from authoring.models import Base

    for url in (f"sqlite:///{tmp_path / 'editor.db'}", postgres_database):
        database = Database(url)
        database.upgrade()
        with database.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_name": lambda name, type_, _p: type_ != "table" or
                                  (name or "").startswith("review_")})
            differences = [d for d in compare_metadata(context, Base.metadata) if "review_" in repr(d)]
        database.engine.dispose()
        assert differences == [], (url.split(":")[0], differences)
