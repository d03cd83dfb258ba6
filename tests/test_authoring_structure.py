"""The editor's structure API on SQLite and PostgreSQL: sections, pages and blocks added,
deleted, restored and moved, each merged onto what others saved since the author's base
revision; a delete undone gives back the same files, byte for byte; two authors' structure
changes both survive unless they touch the same element; every bad request is a 4xx problem
naming its field; blocks are checked alone as the author types; Markdown previews."""
from __future__ import annotations

import io
import re

import pytest
from authoring_app import (  # noqa: F401 - fixtures
    app, imported_sample, postgres_database, postgres_server, quick_argon2, signed_in, zip_bytes,
)

ID = re.compile(r"^[a-z]+(-[a-z0-9]+)*-[a-z2-7]{6}$")


def course_of(browser, course):
    return browser.client.get(f"/api/courses/{course}").get_json()


def outline(browser, course) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """Sections, their pages and the pages' block ids, in order."""
    return [(s["id"], [(p["id"], [b["id"] for b in p["blocks"]]) for p in s["pages"]])
            for s in course_of(browser, course)["course"]["sections"]]


def pages_of(browser, course, section):
    return next(pages for s, pages in outline(browser, course) if s == section)


def blocks_of(browser, course, page):
    return next(blocks for _s, pages in outline(browser, course) for p, blocks in pages if p == page)


def export(browser, course, revision):
    answer = browser.client.get(f"/api/courses/{course}/export?revision={revision}")
    assert answer.status_code == 200
    return answer.data


@pytest.fixture
def sample(app):
    """Ada's sample course (revision 1), shared with Bob."""
    ada = signed_in(app, "ada@example.org")
    course = imported_sample(ada)
    bob = signed_in(app, "bob@example.org")
    assert ada.api("POST", f"/api/courses/{course}/shares", json={"email": "bob@example.org"}).status_code == 201
    return ada, bob, course


def problem(answer, status, field):
    body = answer.get_json()
    assert answer.status_code == status and answer.mimetype == "application/problem+json", (answer.status_code, body)
    assert body["field"] == field, body
    return body


# --------------------------------------------------------------------------- creating
def test_a_new_section_holds_a_page_with_an_empty_text_block_where_asked(sample):
    ada, _bob, course = sample
    url = f"/api/courses/{course}/sections"
    first = ada.api("POST", url, json={"base_revision": 1, "title": "Before everything", "after": None})
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert (body["revision"], body["merged"], body["saved"]) == (2, False, True)
    section = body["section"]
    assert section["title"] == "Before everything" and section["id"].startswith("s-before-everything-")
    [page] = section["pages"]
    assert page["title"] == "New page" and ID.match(page["id"]) and page["id"].startswith("p-new-page-")
    [block] = page["blocks"]
    assert block == {"type": "text", "id": block["id"], "file": f"text/{block['id']}.md"} and ID.match(block["id"])
    assert block["id"].startswith("t-")
    later = ada.api("POST", url, json={"base_revision": 2, "title": "  Extra  ", "after": "s-accounts"}).get_json()
    assert later["section"]["title"] == "Extra"
    assert [s for s, _pages in outline(ada, course)] == [
        section["id"], "s-phishing", "s-accounts", later["section"]["id"], "s-habits", "s-wrap-up"]
    assert course_of(ada, course)["course"]["sections"][0] == section  # stored as answered
    text = ada.client.get(f"/api/courses/{course}/blocks/{block['id']}").get_json()
    assert text["markdown"] == "" and text["html"] == ""


def test_a_new_page_goes_after_the_page_named_in_its_section(sample):
    ada, _bob, course = sample
    url = f"/api/courses/{course}/sections/s-habits/pages"
    made = ada.api("POST", url, json={"base_revision": 1, "title": "Backups", "after": "p-updates"})
    assert made.status_code == 201, made.get_json()
    page = made.get_json()["page"]
    assert page["id"].startswith("p-backups-") and page["title"] == "Backups" and len(page["blocks"]) == 1
    assert [p for p, _blocks in pages_of(ada, course, "s-habits")] == [
        "p-updates", page["id"], "p-public-wifi", "p-reporting"]
    first = ada.api("POST", url, json={"base_revision": 2, "title": "Opening"}).get_json()["page"]
    assert pages_of(ada, course, "s-habits")[0][0] == first["id"]


def test_two_authors_adding_pages_to_one_section_from_one_base_both_keep_theirs(sample):
    ada, bob, course = sample
    url = f"/api/courses/{course}/sections/s-wrap-up/pages"
    by_ada = ada.api("POST", url, json={"base_revision": 1, "title": "Ada's page", "after": "p-summary"})
    by_bob = bob.api("POST", url, json={"base_revision": 1, "title": "Bob's page", "after": "p-summary"})
    assert by_ada.status_code == 201 and by_bob.status_code == 201, by_bob.get_json()
    assert by_bob.get_json()["merged"] is True and by_bob.get_json()["revision"] == 3
    ada_page, bob_page = by_ada.get_json()["page"]["id"], by_bob.get_json()["page"]["id"]
    assert [p for p, _b in pages_of(ada, course, "s-wrap-up")] == ["p-summary", bob_page, ada_page, "p-final"]


def test_a_new_block_gets_ids_in_the_project_style_for_itself_and_its_quiz(sample):
    ada, _bob, course = sample
    quiz = {
        "type": "quiz", "title": "Sorting things out",
        "questions": [
            {"type": "single_choice", "prompt": "Which is a passphrase?",
             "choices": [{"text": "correct horse battery staple", "correct": True}, {"text": "P@ss1"}]},
            {"type": "matching", "prompt": "Match them", "id": "q-kept-as-given",
             "pairs": [{"source": "MFA", "target": "a second factor"}, {"source": "VPN", "target": "a tunnel"}]},
            {"type": "ordering", "prompt": "Order the steps",
             "items": [{"text": "Stop"}, {"text": "Check"}, {"text": "Report"}]},
        ],
    }
    made = ada.api("POST", f"/api/courses/{course}/pages/p-final/blocks",
                   json={"base_revision": 1, "block": quiz, "after": "t-final-intro"})
    assert made.status_code == 201, made.get_json()
    block = made.get_json()["block"]
    assert block["id"].startswith("quiz-sorting-things-") and ID.match(block["id"])
    single, matching, ordering = block["questions"]
    assert single["id"].startswith("q-passphrase-") and matching["id"] == "q-kept-as-given"
    assert [c["id"][:2] for c in single["choices"]] == ["c-", "c-"]
    assert single["choices"][0]["id"].startswith("c-correct-horse-battery-")
    assert [p["id"][:2] for p in matching["pairs"]] == ["m-", "m-"] and matching["pairs"][0]["id"].startswith("m-mfa-")
    assert [i["id"][:2] for i in ordering["items"]] == ["o-", "o-", "o-"]
    assert blocks_of(ada, course, "p-final") == ["t-final-intro", block["id"], "quiz-final"]
    stored = ada.client.get(f"/api/courses/{course}/blocks/{block['id']}").get_json()["block"]
    assert stored == block
    text = ada.api("POST", f"/api/courses/{course}/pages/p-final/blocks",
                   json={"base_revision": 2, "block": {"type": "text", "markdown": "# Recap\n\nWell done."}})
    assert text.get_json()["block"]["id"].startswith("t-recap-well-")
    image = ada.api("POST", f"/api/courses/{course}/pages/p-final/blocks", json={
        "base_revision": 3, "block": {"type": "image", "src": "media/mfa-flow.png", "alt": "The MFA flow"}})
    assert image.status_code == 201 and image.get_json()["block"]["id"].startswith("i-mfa-flow-")


def test_a_replaced_quiz_gets_ids_for_its_new_questions_and_answers_and_keeps_the_others(sample):
    ada, _bob, course = sample
    quiz = ada.client.get(f"/api/courses/{course}/blocks/quiz-final").get_json()["block"]
    kept = [q["id"] for q in quiz["questions"]]
    quiz["questions"].append({"type": "single_choice", "prompt": "Which one locks the screen?",
                              "choices": [{"text": "Win+L", "correct": True}, {"text": "Alt+F4"}]})
    quiz["questions"][0].setdefault("feedback", {})["correct"] = "Well spotted."
    saved = ada.api("PUT", f"/api/courses/{course}/blocks/quiz-final", json={"base_revision": 1, "block": quiz})
    assert saved.status_code == 200, saved.get_json()
    answered = saved.get_json()["block"]
    assert [q["id"] for q in answered["questions"][:-1]] == kept
    added = answered["questions"][-1]
    assert added["id"].startswith("q-one-locks-screen-") and ID.match(added["id"])
    assert [c["id"][:2] for c in added["choices"]] == ["c-", "c-"] and ID.match(added["choices"][0]["id"])
    assert ada.client.get(f"/api/courses/{course}/blocks/quiz-final").get_json()["block"] == answered


@pytest.mark.parametrize(("block", "field"), [
    ({"type": "text", "id": "t-welcome", "markdown": "again"}, "block.id"),
    ({"type": "text", "id": "T-WELCOME", "markdown": "same but for case"}, "block.id"),
    ({"type": "text", "id": "s-phishing", "markdown": "a section's id"}, "block.id"),
    ({"type": "quiz", "title": "Q", "questions": [
        {"type": "true_false", "id": "q-spelling", "prompt": "Taken?", "answer": True}]}, "questions[0].id"),
    ({"type": "quiz", "title": "Q", "questions": [
        {"type": "true_false", "id": "q-twice", "prompt": "One?", "answer": True},
        {"type": "true_false", "id": "q-twice", "prompt": "Two?", "answer": False}]}, "questions[1].id"),
])
def test_a_new_block_with_an_id_used_in_the_course_is_refused_naming_it(sample, block, field):
    ada, _bob, course = sample
    answer = ada.api("POST", f"/api/courses/{course}/pages/p-final/blocks", json={"base_revision": 1, "block": block})
    assert "already used" in problem(answer, 422, field)["detail"]
    assert course_of(ada, course)["head_revision"] == 1


# --------------------------------------------------------------------------- deleting and restoring
def test_a_deleted_block_takes_its_own_files_with_it_and_keeps_shared_ones(sample):
    ada, _bob, course = sample
    files = set(course_of(ada, course)["files"])
    deleted = ada.api("DELETE", f"/api/courses/{course}/blocks/t-phish-example?base_revision=1")
    assert deleted.status_code == 200, deleted.get_json()
    answer = deleted.get_json()
    assert answer == {"revision": 2, "merged": False, "saved": True, "deleted": {
        "kind": "block", "id": "t-phish-example", "revision": 2, "title": answer["deleted"]["title"]}}
    assert answer["deleted"]["title"].startswith("text block: Sam works at Harbour & Co")
    assert blocks_of(ada, course, "p-phish-example") == ["i-phishing-email"]
    assert files - set(course_of(ada, course)["files"]) == {"pages/phish-example.md"}
    assert "phish-example.md" not in str(zip_bytes(export(ada, course, 2)).keys())
    # An image shown on two pages stays until neither shows it.
    shared = ada.api("POST", f"/api/courses/{course}/pages/p-summary/blocks", json={"base_revision": 2, "block": {
        "type": "image", "id": "i-again", "src": "media/phishing-email.png", "alt": "The email again"}})
    assert shared.status_code == 201, shared.get_json()
    page = ada.api("DELETE", f"/api/courses/{course}/pages/p-phish-example?base_revision=3").get_json()
    assert page["deleted"]["title"] == "A worked example: the mailbox warning"
    assert "media/phishing-email.png" in course_of(ada, course)["files"]
    page = ada.api("DELETE", f"/api/courses/{course}/pages/p-summary?base_revision=4").get_json()
    assert page["deleted"] == {"kind": "page", "id": "p-summary", "revision": 5, "title": "Summary"}
    assert "pages/summary.md" not in course_of(ada, course)["files"]
    # The hotspot question of p-phish-response shows the email too: a question's file counts as used.
    assert "media/phishing-email.png" in course_of(ada, course)["files"]
    alt = ada.client.get(f"/api/courses/{course}/blocks/i-stop-check-report").get_json()["block"]["alt"]
    image = ada.api("DELETE", f"/api/courses/{course}/blocks/i-stop-check-report?base_revision=5")
    assert image.get_json()["deleted"]["title"] == f"image block: {alt[:57]}..."
    assert "media/stop-check-report.svg" not in course_of(ada, course)["files"]
    section = ada.api("DELETE", f"/api/courses/{course}/sections/s-accounts?base_revision=6").get_json()
    assert section["deleted"]["title"] == "Passwords and sign-in"
    left = set(course_of(ada, course)["files"])
    assert not {"pages/mfa.md", "media/mfa-stolen-password.mp4", "media/mfa-stolen-password.vtt"} & left
    assert {"pages/welcome.md", "media/welcome-narration.m4a", "course.yaml"} <= left


@pytest.mark.parametrize(("url", "field", "hint"), [
    ("blocks/t-spot-phish", "sections[0].pages[1].blocks", "delete the page instead"),
    ("pages/p-summary", "sections[3].pages", "delete the section instead"),
])
def test_deleting_what_would_leave_its_parent_empty_says_what_to_do(sample, url, field, hint):
    ada, _bob, course = sample
    ada.api("DELETE", f"/api/courses/{course}/pages/p-final?base_revision=1")
    answer = ada.api("DELETE", f"/api/courses/{course}/{url}?base_revision=2")
    body = problem(answer, 422, field)
    assert hint in body["detail"] and "needs at least one" in body["detail"]


def test_the_last_section_cannot_be_deleted(app):
    ada = signed_in(app, "ada@example.org")
    course = ada.api("POST", "/api/courses", json={"title": "One section"}).get_json()["id"]
    section = course_of(ada, course)["course"]["sections"][0]["id"]
    body = problem(ada.api("DELETE", f"/api/courses/{course}/sections/{section}?base_revision=1"), 422, "sections")
    assert "a course needs at least one section" in body["detail"]


def test_deleting_a_block_someone_else_edited_since_is_a_conflict_with_both_versions(sample):
    ada, bob, course = sample
    edited = bob.api("PUT", f"/api/courses/{course}/blocks/t-phish-example/markdown",
                     json={"base_revision": 1, "markdown": "Bob's better example"})
    assert edited.status_code == 200
    late = ada.api("DELETE", f"/api/courses/{course}/blocks/t-phish-example?base_revision=1")
    body = problem(late, 409, "block")
    assert body["head_revision"] == 2 and "nothing was overwritten" in body["detail"]
    [conflict] = body["conflicts"]
    assert conflict["element"] == "block t-phish-example" and conflict["yours"] is None
    assert conflict["theirs"]["block"]["id"] == "t-phish-example"
    assert "pages/phish-example.md" in conflict["theirs"]["files"]
    assert "t-phish-example" in blocks_of(ada, course, "p-phish-example")
    # Deleting another block of the same page from the same base merges.
    merged = ada.api("DELETE", f"/api/courses/{course}/blocks/i-phishing-email?base_revision=1")
    assert merged.status_code == 200 and merged.get_json()["merged"] is True
    # And a page whose block was edited conflicts too, as does its section.
    assert ada.api("DELETE", f"/api/courses/{course}/pages/p-phish-example?base_revision=1").status_code == 409
    assert ada.api("DELETE", f"/api/courses/{course}/sections/s-phishing?base_revision=1").status_code == 409
    # Seen the latest, the author may delete it.
    assert ada.api("DELETE", f"/api/courses/{course}/pages/p-phish-example?base_revision=3").status_code == 200


@pytest.mark.parametrize(("kind", "element", "parent"), [
    ("block", "i-phishing-email", "p-phish-example"),
    ("page", "p-phish-example", "s-phishing"),
    ("section", "s-accounts", None),
])
def test_undoing_a_delete_gives_back_the_same_files_byte_for_byte(sample, kind, element, parent):
    ada, _bob, course = sample
    # An edit first, so the revision before the delete has course.yaml as the editor writes it.
    assert ada.api("PATCH", f"/api/courses/{course}/pages/p-welcome",
                   json={"base_revision": 1, "title": "Why it matters"}).status_code == 200
    before = outline(ada, course)
    deleted = ada.api("DELETE", f"/api/courses/{course}/{kind}s/{element}?base_revision=2").get_json()["deleted"]
    assert deleted["revision"] == 3 and export(ada, course, 3) != export(ada, course, 2)
    undo = ada.api("POST", f"/api/courses/{course}/restore", json={
        "base_revision": 3, "kind": kind, "id": element, "from_revision": deleted["revision"] - 1})
    assert undo.status_code == 200, undo.get_json()
    assert undo.get_json()["restored"]["kind"] == kind and undo.get_json()["restored"]["id"] == element
    assert undo.get_json()["restored"]["parent"] == parent and undo.get_json()["revision"] == 4
    assert outline(ada, course) == before
    assert zip_bytes(export(ada, course, 4)) == zip_bytes(export(ada, course, 2))
    assert export(ada, course, 4) == export(ada, course, 2)
    again = ada.api("POST", f"/api/courses/{course}/restore", json={
        "base_revision": 4, "kind": kind, "id": element, "from_revision": 2})
    body = problem(again, 409, "id")
    assert body["head_revision"] == 4 and body["conflicts"][0]["element"] == f"{kind} {element}"


def test_a_restore_goes_after_its_old_neighbour_or_first_and_needs_its_parent(sample):
    ada, _bob, course = sample
    restore = f"/api/courses/{course}/restore"
    ada.api("DELETE", f"/api/courses/{course}/blocks/i-stop-check-report?base_revision=1")  # 2
    ada.api("DELETE", f"/api/courses/{course}/blocks/t-phish-response?base_revision=2")  # 3: its old neighbour
    back = ada.api("POST", restore, json={"base_revision": 3, "kind": "block", "id": "i-stop-check-report",
                                          "from_revision": 1})
    assert back.get_json()["restored"] == {"kind": "block", "id": "i-stop-check-report", "parent": "p-phish-response",
                                           "after": None}
    assert blocks_of(ada, course, "p-phish-response") == ["i-stop-check-report", "quiz-phishing"]
    ada.api("DELETE", f"/api/courses/{course}/pages/p-mfa?base_revision=4")  # 5
    ada.api("DELETE", f"/api/courses/{course}/sections/s-accounts?base_revision=5")  # 6
    gone = ada.api("POST", restore, json={"base_revision": 6, "kind": "page", "id": "p-mfa", "from_revision": 4})
    assert "restore the section instead" in problem(gone, 422, "parent")["detail"]
    section = ada.api("POST", restore, json={"base_revision": 6, "kind": "section", "id": "s-accounts",
                                             "from_revision": 5})
    assert section.status_code == 200 and [p for p, _b in pages_of(ada, course, "s-accounts")] == [
        "p-passphrases", "p-password-managers", "p-mfa-fatigue"]
    page = ada.api("POST", restore, json={"base_revision": 7, "kind": "page", "id": "p-mfa", "from_revision": 1})
    assert page.get_json()["restored"]["after"] == "p-password-managers"
    assert "media/mfa-stolen-password.mp4" in course_of(ada, course)["files"]
    missing = ada.api("POST", restore, json={"base_revision": 8, "kind": "page", "id": "p-never", "from_revision": 1})
    assert "no page p-never in revision 1" in problem(missing, 422, "id")["detail"]
    wrong_kind = ada.api("POST", restore, json={"base_revision": 8, "kind": "page", "id": "t-welcome",
                                                "from_revision": 1})
    problem(wrong_kind, 422, "id")
    future = ada.api("POST", restore, json={"base_revision": 8, "kind": "page", "id": "p-mfa", "from_revision": 99})
    problem(future, 422, "from_revision")


def test_restoring_an_older_version_of_an_element_someone_else_deleted_since_the_base_conflicts(sample):
    ada, bob, course = sample
    bob.api("DELETE", f"/api/courses/{course}/blocks/t-manager-tip?base_revision=1")
    late = ada.api("POST", f"/api/courses/{course}/restore", json={
        "base_revision": 1, "kind": "block", "id": "t-manager-tip", "from_revision": 1})
    # Ada saw the block at revision 1, where it is; the latest has it deleted by Bob.
    body = problem(late, 409, "block")
    assert body["conflicts"][0]["theirs"] is None and body["head_revision"] == 2


# --------------------------------------------------------------------------- moving
def move(browser, course, base, kind, element, parent, after):
    return browser.api("POST", f"/api/courses/{course}/move", json={
        "base_revision": base, "kind": kind, "id": element, "parent": parent, "after": after})


def test_moves_within_and_between_parents(sample):
    ada, _bob, course = sample
    moved = move(ada, course, 1, "block", "quiz-phishing", "p-phish-response", None)
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["moved"] == {"kind": "block", "id": "quiz-phishing", "parent": "p-phish-response",
                                         "after": None}
    assert blocks_of(ada, course, "p-phish-response") == ["quiz-phishing", "t-phish-response", "i-stop-check-report"]
    assert move(ada, course, 2, "block", "i-mfa-flow", "p-passphrases", "t-passphrases").status_code == 200
    assert blocks_of(ada, course, "p-passphrases") == ["t-passphrases", "i-mfa-flow", "i-passphrase-strength"]
    assert blocks_of(ada, course, "p-mfa") == ["v-mfa-stolen-password", "t-mfa"]
    assert move(ada, course, 3, "page", "p-final", "s-phishing", "p-welcome").status_code == 200
    assert [p for p, _b in pages_of(ada, course, "s-phishing")][:2] == ["p-welcome", "p-final"]
    assert move(ada, course, 4, "section", "s-wrap-up", None, None).status_code == 200
    assert [s for s, _p in outline(ada, course)] == ["s-wrap-up", "s-phishing", "s-accounts", "s-habits"]
    same = move(ada, course, 5, "section", "s-wrap-up", None, None)
    assert same.status_code == 200 and same.get_json()["saved"] is False
    # Files travel with the document: nothing is added or lost by moving.
    assert zip_bytes(export(ada, course, 5)).keys() == zip_bytes(export(ada, course, 1)).keys()


def test_two_authors_moving_different_elements_both_keep_their_move(sample):
    ada, bob, course = sample
    # p-phish-response holds t-phish-response, i-stop-check-report, quiz-phishing.
    assert move(ada, course, 1, "block", "quiz-phishing", "p-phish-response", None).status_code == 200
    # Bob, on revision 1, moves the text block after the image: its neighbours moved, it did not.
    by_bob = move(bob, course, 1, "block", "t-phish-response", "p-phish-response", "i-stop-check-report")
    assert by_bob.status_code == 200, by_bob.get_json()
    assert by_bob.get_json()["merged"] is True
    assert blocks_of(ada, course, "p-phish-response") == ["quiz-phishing", "i-stop-check-report", "t-phish-response"]
    # Pages of one section and sections of the course, likewise.
    assert move(ada, course, 3, "page", "p-reporting", "s-habits", None).status_code == 200
    assert move(bob, course, 3, "page", "p-updates", "s-habits", "p-public-wifi").status_code == 200
    assert [p for p, _b in pages_of(ada, course, "s-habits")] == ["p-reporting", "p-public-wifi", "p-updates"]
    assert move(ada, course, 5, "section", "s-wrap-up", None, None).status_code == 200
    assert move(bob, course, 5, "section", "s-phishing", None, "s-habits").status_code == 200
    assert [s for s, _p in outline(ada, course)] == ["s-wrap-up", "s-accounts", "s-habits", "s-phishing"]
    # A move merges with an edit of the moved block, and with a delete of its neighbour.
    assert bob.api("PUT", f"/api/courses/{course}/blocks/t-mfa/markdown",
                   json={"base_revision": 7, "markdown": "Moved and edited"}).status_code == 200
    assert ada.api("DELETE", f"/api/courses/{course}/blocks/v-mfa-stolen-password?base_revision=7").status_code == 200
    assert move(ada, course, 7, "block", "t-mfa", "p-mfa", "i-mfa-flow").status_code == 200
    assert blocks_of(ada, course, "p-mfa") == ["i-mfa-flow", "t-mfa"]
    assert ada.client.get(f"/api/courses/{course}/blocks/t-mfa").get_json()["markdown"] == "Moved and edited"


def test_moving_an_element_someone_else_moved_since_is_a_conflict_with_both_places(sample):
    ada, bob, course = sample
    assert move(ada, course, 1, "block", "i-mfa-flow", "p-passphrases", None).status_code == 200
    late = move(bob, course, 1, "block", "i-mfa-flow", "p-mfa", None)
    body = problem(late, 409, "place")
    assert body["head_revision"] == 2
    assert body["conflicts"] == [{"element": "block i-mfa-flow", "field": "place",
                                  "yours": {"parent": "p-mfa", "after": None},
                                  "theirs": {"parent": "p-passphrases", "after": None}}]
    assert blocks_of(ada, course, "p-passphrases")[0] == "i-mfa-flow"
    # Moving it to where it already went is no conflict; nor is a move once the latest is seen.
    assert move(bob, course, 1, "block", "i-mfa-flow", "p-passphrases", None).get_json()["saved"] is False
    assert move(ada, course, 1, "page", "p-updates", "s-habits", "p-reporting").status_code == 200
    assert move(bob, course, 1, "page", "p-updates", "s-habits", "p-public-wifi").status_code == 409
    assert move(bob, course, 3, "page", "p-updates", "s-habits", "p-public-wifi").status_code == 200
    # A block someone else deleted cannot be moved either.
    bob.api("DELETE", f"/api/courses/{course}/blocks/t-manager-tip?base_revision=4")
    gone = move(ada, course, 4, "block", "t-manager-tip", "p-password-managers", None)
    assert problem(gone, 409, "place")["conflicts"][0]["theirs"] is None


@pytest.mark.parametrize(("kind", "element", "parent", "after", "field", "words"), [
    ("block", "t-mfa", "p-nowhere", None, "parent", "page p-nowhere is not in the latest revision"),
    ("block", "t-mfa", "s-accounts", None, "parent", "page s-accounts is not in the latest revision"),
    ("block", "t-mfa", "p-mfa", "t-welcome", "after", "block t-welcome is in page p-welcome, not in page p-mfa"),
    ("block", "t-mfa", "p-mfa", "t-gone", "after", "is not in the latest revision"),
    ("block", "t-mfa", "p-mfa", "t-mfa", "after", "cannot go after itself"),
    ("block", "t-mfa", None, None, "parent", "a block goes in a page"),
    ("page", "p-mfa", None, None, "parent", "a page goes in a section"),
    ("page", "p-mfa", "s-habits", "p-welcome", "after", "page p-welcome is in section s-phishing"),
    ("section", "s-habits", "s-accounts", None, "parent", "send parent: null"),
    ("section", "s-habits", None, "s-nowhere", "after", "section s-nowhere is not in the latest revision"),
    ("block", "t-spot-phish", "p-welcome", None, "sections[0].pages[1].blocks", "a page needs at least one block"),
    ("page", "p-final", "s-habits", None, "sections[3].pages", None),
])
def test_a_move_to_a_place_that_is_not_there_is_refused_naming_the_field(sample, kind, element, parent, after, field,
                                                                          words):
    ada, _bob, course = sample
    if field == "sections[3].pages":
        ada.api("DELETE", f"/api/courses/{course}/pages/p-summary?base_revision=1")
    base = course_of(ada, course)["head_revision"]
    body = problem(move(ada, course, base, kind, element, parent, after), 422, field)
    assert words is None or words in body["detail"], body["detail"]
    assert course_of(ada, course)["head_revision"] == base


# --------------------------------------------------------------------------- hostile and checked input
@pytest.mark.parametrize(("method", "url", "body", "status", "field"), [
    ("POST", "sections", {"base_revision": 1, "title": "x" * 1001}, 422, "title"),
    ("POST", "sections", {"base_revision": 1, "title": "   "}, 422, "title"),
    ("POST", "sections", {"base_revision": 1, "title": "Red\x1b[31m"}, 422, "title"),
    ("POST", "sections", {"base_revision": 1, "title": "A", "after": "s-<script>"}, 422, "after"),
    ("POST", "sections", {"base_revision": 1, "title": "A", "after": "s-unknown"}, 422, "after"),
    ("POST", "sections", {"base_revision": 1, "title": "A", "extra": 1}, 422, "extra"),
    ("POST", "sections", {"base_revision": 99, "title": "A"}, 422, "base_revision"),
    ("POST", "sections", {"base_revision": 2**40, "title": "A"}, 422, "base_revision"),
    ("POST", "sections/s-phishing/pages", {"base_revision": 1, "title": "A", "after": "p-mfa"}, 422, "after"),
    ("POST", "sections/s-nowhere/pages", {"base_revision": 1, "title": "A"}, 404, "section"),
    ("POST", "sections/s%3Cx%3E/pages", {"base_revision": 1, "title": "A"}, 404, "section"),
    ("POST", "pages/p-mfa/blocks", {"base_revision": 1, "block": {"type": "text", "markdown": "x"},
                                    "after": "t-welcome"}, 422, "after"),
    ("POST", "pages/p-mfa/blocks", {"base_revision": 1, "block": {"type": "text", "id": "bad id!",
                                                                  "markdown": "x"}}, 422, "id"),
    ("POST", "pages/p-mfa/blocks", {"base_revision": 1, "block": {"type": "nope"}}, 422, "type"),
    ("POST", "pages/p-mfa/blocks", {"base_revision": 1, "block": {"type": "image", "alt": "A",
                                                                  "src": "../../etc/passwd"}}, 422, "src"),
    ("POST", "pages/p-nowhere/blocks", {"base_revision": 1, "block": {"type": "text", "markdown": "x"}}, 404, "page"),
    ("DELETE", "blocks/t-nowhere?base_revision=1", None, 404, "block"),
    ("DELETE", "blocks/t-welcome", None, 422, "base_revision"),
    ("DELETE", "blocks/t-welcome?base_revision=abc", None, 422, "base_revision"),
    ("DELETE", "pages/%3Cscript%3E?base_revision=1", None, 404, "page"),
    ("DELETE", "sections/s-phishing?base_revision=99999999999", None, 422, "base_revision"),
    ("POST", "restore", {"base_revision": 1, "kind": "chapter", "id": "s-x", "from_revision": 1}, 422, "kind"),
    ("POST", "restore", {"base_revision": 1, "kind": "page", "id": "p x", "from_revision": 1}, 422, "id"),
    ("POST", "move", {"base_revision": 1, "kind": "page", "id": "p-mfa", "parent": "s" * 65}, 422, "parent"),
    ("POST", "move", {"base_revision": 1, "kind": "block", "id": "t-gone", "parent": "p-mfa"}, 404, "block"),
])
def test_hostile_requests_are_problems_naming_the_field_never_server_errors(sample, method, url, body, status, field):
    ada, _bob, course = sample
    kwargs = {} if body is None else {"json": body}
    answer = ada.api(method, f"/api/courses/{course}/{url}", **kwargs)
    problem(answer, status, field)
    assert course_of(ada, course)["head_revision"] == 1


def test_a_block_is_checked_alone_with_field_paths_inside_it(sample):
    ada, _bob, course = sample
    quiz = ada.client.get(f"/api/courses/{course}/blocks/quiz-phishing").get_json()["block"]
    quiz["questions"][0]["choices"] = quiz["questions"][0]["choices"][:1]
    quiz["questions"][1]["points"] = -1
    answer = ada.api("PUT", f"/api/courses/{course}/blocks/quiz-phishing", json={"base_revision": 1, "block": quiz})
    body = problem(answer, 422, "questions[0].choices")
    assert [(p["field"], p["message"]) for p in body["problems"]] == [
        ("questions[0].choices", "List should have at least 2 items after validation, not 1"),
        ("questions[1].points", "Input should be greater than 0"),
    ]
    rule = dict(quiz, questions=[dict(quiz["questions"][0], choices=[
        dict(c, correct=False) for c in ada.client.get(f"/api/courses/{course}/blocks/quiz-phishing")
        .get_json()["block"]["questions"][0]["choices"]])])
    answer = ada.api("PUT", f"/api/courses/{course}/blocks/quiz-phishing", json={"base_revision": 1, "block": rule})
    assert problem(answer, 422, "questions[0]")["problems"][0]["message"] == \
        "a single_choice question needs exactly one choice with correct: true"
    image = ada.client.get(f"/api/courses/{course}/blocks/i-mfa-flow").get_json()["block"]
    missing = ada.api("PUT", f"/api/courses/{course}/blocks/i-mfa-flow",
                      json={"base_revision": 1, "block": {**image, "src": "images/x.png"}})
    detail = problem(missing, 422, "src")["detail"]
    assert detail.startswith("src: no file images/x.png in the course; pick one of media/mfa-flow.png,")
    not_an_image = ada.api("PUT", f"/api/courses/{course}/blocks/i-mfa-flow",
                           json={"base_revision": 1, "block": {**image, "src": "pages/mfa.md"}})
    assert "pages/mfa.md is not an image file" in problem(not_an_image, 422, "src")["detail"]
    video = ada.client.get(f"/api/courses/{course}/blocks/v-mfa-stolen-password").get_json()["block"]
    captions = ada.api("PUT", f"/api/courses/{course}/blocks/v-mfa-stolen-password",
                       json={"base_revision": 1, "block": {**video, "captions": "media/none.vtt"}})
    assert "pick one of media/mfa-stolen-password.vtt, media/welcome-narration.vtt" in \
        problem(captions, 422, "captions")["detail"]
    poster = ada.api("PUT", f"/api/courses/{course}/blocks/v-mfa-stolen-password",
                     json={"base_revision": 1, "block": {**video, "poster": "media/none.png"}})
    problem(poster, 422, "poster")
    text = ada.api("PUT", f"/api/courses/{course}/blocks/t-mfa",
                   json={"base_revision": 1, "block": {"type": "text", "id": "t-mfa", "file": "pages/other.md"}})
    problem(text, 422, "file")
    taken = dict(quiz, questions=[dict(q) for q in ada.client.get(
        f"/api/courses/{course}/blocks/quiz-phishing").get_json()["block"]["questions"]])
    taken["questions"][0]["id"] = "q-final-one-x"
    taken["questions"][0]["id"] = "t-welcome"
    answer = ada.api("PUT", f"/api/courses/{course}/blocks/quiz-phishing", json={"base_revision": 1, "block": taken})
    problem(answer, 422, "questions[0].id")
    # The block's own ids are its own: saving it unchanged is fine.
    same = ada.client.get(f"/api/courses/{course}/blocks/quiz-phishing").get_json()["block"]
    answer = ada.api("PUT", f"/api/courses/{course}/blocks/quiz-phishing", json={"base_revision": 1, "block": same})
    assert answer.status_code == 200 and answer.get_json()["saved"] is False
    assert course_of(ada, course)["head_revision"] == 1


# --------------------------------------------------------------------------- preview
def test_markdown_preview_is_the_players_sanitised_html_for_anyone_signed_in(app):
    rita = signed_in(app, "rita@example.org", "reviewer")
    answer = rita.api("POST", "/api/preview/markdown",
                      json={"markdown": "# Hi\n\n<script>alert(1)</script>\n\n[x](javascript:alert(2)) *there*"})
    assert answer.status_code == 200, answer.get_json()
    html = answer.get_json()["html"]
    assert "<h2>Hi</h2>" in html and "<em>there</em>" in html
    assert "<script" not in html and "alert(1)" not in html and "href=\"javascript" not in html
    long = rita.api("POST", "/api/preview/markdown", json={"markdown": "x" * 100_001})
    problem(long, 422, "markdown")
    huge = rita.api("POST", "/api/preview/markdown", data=b'{"markdown": "' + b"y" * (3 << 20) + b'"}',
                    content_type="application/json")
    problem(huge, 413, "markdown")
    chunked = rita.api("POST", "/api/preview/markdown", input_stream=io.BytesIO(b'{"markdown": "' + b"y" * (2 << 20)),
                       content_type="application/json", headers={"Transfer-Encoding": "chunked"},
                       environ_overrides={"wsgi.input_terminated": True})
    problem(chunked, 413, "markdown")
    problem(rita.api("POST", "/api/preview/markdown", json={"markdown": "a", "more": 1}), 422, "more")
    anonymous = app.test_client().post("/api/preview/markdown", json={"markdown": "x"})
    assert anonymous.status_code in (400, 401)  # no session: no CSRF token either
