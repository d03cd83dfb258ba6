"""Never losing work: every save names its base revision; saves to different blocks of one page
merge, two saves to one block give the second author a conflict with both versions; history,
diff and restore; search over what the latest revision says; Markdown shown only through nh3."""
from __future__ import annotations

from authoring_app import (  # noqa: F401 - fixtures
    app, imported_sample, postgres_database, postgres_server, quick_argon2, signed_in,
)


def two_authors(app):
    """Ada's new course, its first text block turned into inline Markdown (revision 2), shared with Bob."""
    ada = signed_in(app, "ada@example.org")
    course = ada.api("POST", "/api/courses", json={"title": "Two blocks"}).get_json()["id"]
    document = ada.client.get(f"/api/courses/{course}").get_json()["course"]
    page = document["sections"][0]["pages"][0]
    first = page["blocks"][0]["id"]
    page_id = page["id"]
    saved = ada.api("PUT", f"/api/courses/{course}/blocks/{first}",
                    json={"base_revision": 1, "block": {"type": "text", "id": first, "markdown": "First"}})
    assert saved.status_code == 200, saved.get_json()
    bob = signed_in(app, "bob@example.org")
    ada.api("POST", f"/api/courses/{course}/shares", json={"email": "bob@example.org"})
    return ada, bob, course, page_id, first


def markdown(browser, course, block):
    return browser.client.get(f"/api/courses/{course}/blocks/{block}").get_json()["markdown"]


def test_saves_to_different_blocks_of_one_page_both_survive(app):
    ada = signed_in(app, "ada@example.org")
    course = imported_sample(ada)
    bob = signed_in(app, "bob@example.org")
    ada.api("POST", f"/api/courses/{course}/shares", json={"email": "bob@example.org"})
    # p-phish-example holds the text block t-phish-example and the image i-phishing-email.
    image = ada.client.get(f"/api/courses/{course}/blocks/i-phishing-email").get_json()["block"]
    by_ada = ada.api("PUT", f"/api/courses/{course}/blocks/t-phish-example/markdown",
                     json={"base_revision": 1, "markdown": "Ada's worked example"})
    assert by_ada.get_json() == {**by_ada.get_json(), "revision": 2, "merged": False}
    by_bob = bob.api("PUT", f"/api/courses/{course}/blocks/i-phishing-email",
                     json={"base_revision": 1, "block": {**image, "alt": "Bob's better alt text"}})
    assert by_bob.status_code == 200, by_bob.get_json()
    assert by_bob.get_json()["revision"] == 3 and by_bob.get_json()["merged"] is True
    assert markdown(ada, course, "t-phish-example") == "Ada's worked example"
    assert ada.client.get(f"/api/courses/{course}/blocks/i-phishing-email").get_json()["block"]["alt"] == \
        "Bob's better alt text"


def test_two_saves_to_one_block_give_the_second_a_conflict_with_both_versions(app):
    ada, bob, course, _page, block = two_authors(app)
    base = 2
    assert ada.api("PUT", f"/api/courses/{course}/blocks/{block}/markdown",
                   json={"base_revision": base, "markdown": "Ada's text"}).status_code == 200
    late = bob.api("PUT", f"/api/courses/{course}/blocks/{block}/markdown",
                   json={"base_revision": base, "markdown": "Bob's text"})
    assert late.status_code == 409 and late.mimetype == "application/problem+json"
    body = late.get_json()
    assert body["conflicts"] == [{"element": f"block {block}", "field": "markdown", "yours": "Bob's text",
                                  "theirs": "Ada's text"}]
    assert body["head_revision"] == 3 and "nothing was overwritten" in body["detail"]
    assert markdown(ada, course, block) == "Ada's text"
    # Bob decides to keep his, knowing what he replaces: based on the latest revision it saves.
    kept = bob.api("PUT", f"/api/courses/{course}/blocks/{block}/markdown",
                   json={"base_revision": body["head_revision"], "markdown": "Bob's text"})
    assert kept.status_code == 200 and markdown(ada, course, block) == "Bob's text"
    # Saving what is already there is no conflict and no new revision.
    same = ada.api("PUT", f"/api/courses/{course}/blocks/{block}/markdown",
                   json={"base_revision": 3, "markdown": "Bob's text"})
    assert same.status_code == 200 and same.get_json()["saved"] is False


def test_a_save_must_name_a_revision_that_exists(app):
    ada, _bob, course, page, block = two_authors(app)
    url = f"/api/courses/{course}/blocks/{block}/markdown"
    missing = ada.api("PUT", url, json={"markdown": "no base"})
    assert missing.status_code == 422 and missing.get_json()["field"] == "base_revision"
    future = ada.api("PUT", url, json={"base_revision": 99, "markdown": "from the future"})
    assert future.status_code == 422 and future.get_json()["field"] == "base_revision"
    invalid = ada.api("PATCH", f"/api/courses/{course}/settings", json={"base_revision": 2, "passing_score": 300})
    assert invalid.status_code == 422 and invalid.get_json()["field"] == "passing_score"
    assert ada.api("PATCH", f"/api/courses/{course}/pages/{page}", json={"base_revision": 2, "title": ""}) \
        .get_json()["field"] == "title"
    assert ada.client.get(f"/api/courses/{course}").get_json()["head_revision"] == 2


def test_history_diff_and_restore(app):
    ada, _bob, course, page, block = two_authors(app)
    ada.api("PATCH", f"/api/courses/{course}/pages/{page}", json={"base_revision": 2, "title": "Renamed page"})
    ada.api("PUT", f"/api/courses/{course}/blocks/{block}/markdown", json={"base_revision": 3, "markdown": "Later"})
    history = ada.client.get(f"/api/courses/{course}/revisions").get_json()
    assert [r["number"] for r in history["revisions"]] == [4, 3, 2, 1]
    assert history["revisions"][0]["author"] == "ada@example.org"
    assert history["revisions"][0]["based_on"] == 3
    changes = ada.client.get(f"/api/courses/{course}/revisions/3/diff").get_json()
    assert changes["changed"] == ["course.yaml"]
    assert "-        title: Welcome\n+        title: Renamed page\n" in changes["diffs"]["course.yaml"]
    stale = ada.api("POST", f"/api/courses/{course}/revisions/2/restore", json={"base_revision": 3})
    assert stale.status_code == 409
    restored = ada.api("POST", f"/api/courses/{course}/revisions/2/restore", json={"base_revision": 4})
    assert restored.get_json() == {"revision": 5, "restored": 2}
    assert markdown(ada, course, block) == "First"
    assert ada.client.get(f"/api/courses/{course}/revisions/5").get_json()["course"] == \
        ada.client.get(f"/api/courses/{course}/revisions/2").get_json()["course"]


def test_search_finds_words_of_the_latest_revision(app):
    ada, _bob, course, _page, block = two_authors(app)
    imported_sample(ada)
    assert [c["title"] for c in ada.client.get("/api/courses?q=phish").get_json()["courses"]] == \
        ["Security basics: phishing, passwords and safe habits"]
    assert ada.client.get("/api/courses?q=zebra").get_json()["courses"] == []
    ada.api("PUT", f"/api/courses/{course}/blocks/{block}/markdown",
            json={"base_revision": 2, "markdown": "Zebras cross here"})
    assert [c["id"] for c in ada.client.get("/api/courses?q=zebra").get_json()["courses"]] == [course]
    assert ada.client.get('/api/courses?q=" OR 1=1 -- *').status_code == 200  # query syntax is not passed on
    page = ada.client.get("/courses?q=zebra").get_data(as_text=True)
    assert "Two blocks" in page and "Security basics" not in page
    # Saves in a row, none searched in between: the search sees only the last one's words.
    for number, words in ((3, "Giraffes only"), (4, "Okapis now")):
        ada.api("PUT", f"/api/courses/{course}/blocks/{block}/markdown",
                json={"base_revision": number, "markdown": words})
    assert ada.client.get("/api/courses?q=zebra").get_json()["courses"] == []
    assert ada.client.get("/api/courses?q=giraffes").get_json()["courses"] == []
    assert [c["id"] for c in ada.client.get("/api/courses?q=okapis").get_json()["courses"]] == [course]
    # A deleted course is not found; brought back, it is found again.
    ada.api("DELETE", f"/api/courses/{course}")
    assert ada.client.get("/api/courses?q=okapis").get_json()["courses"] == []
    ada.api("POST", f"/api/courses/{course}/undelete")
    assert [c["id"] for c in ada.client.get("/api/courses?q=okapis").get_json()["courses"]] == [course]


def test_a_search_never_stores_words_older_than_a_save_made_while_it_indexed(app):
    from authoring.context import EXTENSION
    from authoring.models import CourseRecord
    from authoring.search import STALE, index_if_unsaved

    ada, _bob, course, _page, block = two_authors(app)
    session = app.extensions[EXTENSION].database.session()
    try:
        # The search read head 2 and made its words; a save made head 3 before it stored them.
        ada.api("PUT", f"/api/courses/{course}/blocks/{block}/markdown",
                json={"base_revision": 2, "markdown": "Newer words"})
        index_if_unsaved(session, course, 2, "Two blocks", "Older words")
        session.commit()
        assert session.get_one(CourseRecord, course).search_text == STALE
    finally:
        session.close()
    assert ada.client.get("/api/courses?q=older").get_json()["courses"] == []
    assert [c["id"] for c in ada.client.get("/api/courses?q=newer").get_json()["courses"]] == [course]


def test_markdown_and_titles_reach_html_only_sanitised(app):
    ada, _bob, course, page, block = two_authors(app)
    hostile = "# Hi\n\n<script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3))"
    saved = ada.api("PUT", f"/api/courses/{course}/blocks/{block}/markdown",
                    json={"base_revision": 2, "markdown": hostile})
    assert saved.status_code == 200 and "html" not in saved.get_json()  # a save stores; the preview renders
    rendered = ada.api("POST", "/api/preview/markdown", json={"markdown": hostile}).get_json()["html"]
    assert "<script" not in rendered and "onerror" not in rendered
    ada.api("PATCH", f"/api/courses/{course}/pages/{page}",
            json={"base_revision": 3, "title": "<b onmouseover=alert(4)>Bold</b>"})
    html = ada.client.get(f"/courses/{course}").get_data(as_text=True)
    preview = html.split('<div class="preview">', 1)[1].split("</div>", 1)[0]
    assert "<h2>Hi</h2>" in preview
    assert "<script" not in preview and "onerror" not in preview and "href=\"javascript" not in preview
    assert "<b onmouseover" not in html and "&lt;b onmouseover=alert(4)&gt;Bold&lt;/b&gt;" in html
    assert "alert(1)" in markdown(ada, course, block)  # the author's text itself is kept as typed
