"""Editor accounts and their protection: argon2 hashes, sign-in and its rate limit, roles, the
session cookie's flags, CSRF on every browser write, API tokens for scripts."""
from __future__ import annotations

from authoring_app import (  # noqa: F401 - fixtures
    PASSWORD, Browser, add_account, app, postgres_database, postgres_server, quick_argon2, signed_in,
)
from sqlalchemy import select


def test_the_password_is_stored_as_an_argon2_hash_and_only_the_right_one_signs_in(app):
    from authoring.models import User

    add_account(app, "Ada@Example.org")
    session = app.extensions["courseforge"].database.session()
    stored = session.scalar(select(User.password_hash).where(User.email == "ada@example.org"))
    session.close()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored

    wrong = Browser(app).sign_in("ada@example.org", "not the password")
    assert wrong.status_code == 401
    assert "do not match an account" in wrong.get_data(as_text=True)
    unknown = Browser(app).sign_in("nobody@example.org")
    assert unknown.status_code == 401

    browser = Browser(app)
    answer = browser.sign_in("ADA@example.org")
    assert answer.status_code == 302
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert browser.client.get("/api/courses").status_code == 200


def test_sign_in_is_refused_after_five_failures_for_that_account_and_address(app):
    add_account(app, "ada@example.org")
    add_account(app, "bob@example.org")
    for _ in range(5):
        assert Browser(app).sign_in("ada@example.org", "guess").status_code == 401
    blocked = Browser(app).sign_in("ada@example.org")  # even the right password now waits
    assert blocked.status_code == 429
    assert "Too many failed sign-ins for ada@example.org. Try again in 15 minutes." in blocked.get_data(as_text=True)
    assert Browser(app).sign_in("bob@example.org").status_code == 302  # other accounts are not locked out


def test_a_write_without_the_csrf_token_is_refused_and_an_api_token_write_works(app):
    browser = signed_in(app, "ada@example.org")
    refused = browser.client.post("/api/courses", json={"title": "No token"})
    assert refused.status_code == 400
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["field"] == "csrf_token"
    forged = browser.client.post("/api/courses", json={"title": "Forged"}, headers={"X-CSRFToken": "forged"})
    assert forged.status_code == 400
    assert browser.client.get("/api/courses").get_json()["courses"] == []

    assert browser.api("POST", "/api/courses", json={"title": "With the page's token"}).status_code == 201

    token = add_account(app, "robot@example.org", password=None, token=True)
    client = app.test_client()  # no cookie, no CSRF token: the bearer token is the credential
    made = client.post("/api/courses", json={"title": "From a script"}, headers={"Authorization": f"Bearer {token}"})
    assert made.status_code == 201, made.get_json()
    bad = client.get("/api/courses", headers={"Authorization": "Bearer cf_wrong"})
    assert bad.status_code == 401 and bad.get_json()["field"] == "Authorization"
    assert client.get("/api/courses").status_code == 401


def test_roles_decide_who_may_create_courses(app):
    reviewer = signed_in(app, "rita@example.org", "reviewer")
    refused = reviewer.api("POST", "/api/courses", json={"title": "Mine"})
    assert refused.status_code == 403 and refused.get_json()["field"] == "role"
    admin = signed_in(app, "root@example.org", "admin")
    author = signed_in(app, "ada@example.org", "author")
    assert author.api("POST", "/api/courses", json={"title": "Ada's"}).status_code == 201
    assert [c["title"] for c in admin.client.get("/api/courses").get_json()["courses"]] == ["Ada's"]


def test_sessions_are_cookies_any_process_with_the_same_data_folder_accepts(app, tmp_path):
    from authoring import create_app
    from authoring_app import editor_settings

    browser = signed_in(app, "ada@example.org")
    state = app.extensions["courseforge"]
    other = create_app(editor_settings(state.settings.data_dir, state.settings.database_url))
    other_client = other.test_client()
    cookie = browser.client.get_cookie("courseforge_session")
    other_client.set_cookie("courseforge_session", cookie.value)
    assert other_client.get("/api/courses").status_code == 200  # same secret key from the data folder
    other.extensions["courseforge"].database.engine.dispose()


def test_wrong_api_calls_get_problem_json_naming_the_field(app):
    browser = signed_in(app, "ada@example.org")
    missing = browser.api("POST", "/api/courses", json={})
    assert missing.status_code == 422 and missing.mimetype == "application/problem+json"
    body = missing.get_json()
    assert body["field"] == "title" and body["status"] == 422 and body["problems"][0]["field"] == "title"
    extra = browser.api("POST", "/api/courses", json={"title": "x", "colour": "red"})
    assert extra.get_json()["field"] == "colour"
    not_json = browser.api("POST", "/api/courses", data="title=x")
    assert not_json.status_code == 415 and not_json.mimetype == "application/problem+json"
    nowhere = browser.client.get("/api/nothing-here")
    assert nowhere.status_code == 404 and nowhere.mimetype == "application/problem+json"
