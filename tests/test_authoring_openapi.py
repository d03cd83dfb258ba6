"""The editor's OpenAPI document: served without signing in, built from the code (every API
route described, every request model's JSON Schema in it), and schemathesis run in-process
against every operation with an author's API token finds no server error and no response
the document does not describe."""
from __future__ import annotations

import io

import pytest
from api_fuzz import fuzz, report
from authoring_app import SAMPLE, add_account, editor_settings, folder_zip

SERVER_ERRORS_EXAMPLES = 15  # per operation: the whole run stays well under a minute


@pytest.fixture
def api(tmp_path):
    """An app (SQLite) with an author who owns the sample course, and the author's token."""
    from authoring import create_app

    app = create_app(editor_settings(tmp_path / "data"))
    token = add_account(app, "author@example.org", token=True)
    answer = app.test_client().post("/api/courses/import", headers={"Authorization": f"Bearer {token}"},
                                    data={"file": (io.BytesIO(folder_zip(SAMPLE, "security-basics")), "s.zip")},
                                    content_type="multipart/form-data")
    assert answer.status_code == 201, answer.get_json()
    yield app, token
    app.extensions["courseforge"].database.engine.dispose()


def test_the_document_is_public_and_describes_every_api_route(api):
    app, _token = api
    answer = app.test_client().get("/api/openapi.json")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    document = answer.get_json()
    assert document["openapi"].startswith("3.1")
    api_rules = {(rule.rule, method) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
                 for method in rule.methods - {"HEAD", "OPTIONS"}}
    described = {(path, method.upper()) for path, methods in document["paths"].items() for method in methods}
    assert len(described) == len(api_rules)
    settings = document["paths"]["/api/courses/{course_id}/settings"]["patch"]
    assert settings["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SettingsChange"}
    from authoring.views.course_api import SettingsChange

    model = SettingsChange.model_json_schema(ref_template="#/components/schemas/{model}")
    assert document["components"]["schemas"]["SettingsChange"]["properties"] == model["properties"]
    assert settings["responses"]["409"]["content"]["application/problem+json"]["schema"]["$ref"].endswith(
        "ProblemDetails")
    assert {"bearer", "session", "csrf"} <= set(document["components"]["securitySchemes"])
    assert settings["security"] == [{"bearer": []}, {"session": [], "csrf": []}]
    assert document["paths"]["/api/openapi.json"]["get"]["security"] == []


def test_an_undocumented_api_route_is_an_error_not_a_silent_gap(api):
    from flask import Blueprint

    from authoring import create_app
    from authoring.openapi import openapi_document

    app, _token = api
    fresh = create_app(app.extensions["courseforge"].settings, migrate=False)
    extra = Blueprint("extra", __name__)
    extra.add_url_rule("/api/undocumented", "undocumented", lambda: {})
    fresh.register_blueprint(extra)
    with pytest.raises(LookupError, match="extra.undocumented"):
        openapi_document(fresh)
    fresh.extensions["courseforge"].database.engine.dispose()


@pytest.mark.parametrize("url", ["/api/courses/99999999999999999999", "/api/courses/1/export?revision=99999999999",
                                 "/api/courses/1/revisions/1/diff?against=99999999999",
                                 "/api/courses/1/export?revision=x", "/api/courses/1/revisions/99999999999"])
def test_numbers_too_large_for_the_database_are_refused_not_a_server_error(api, url):
    app, token = api
    answer = app.test_client().get(url, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code in (404, 422) and answer.mimetype == "application/problem+json", answer.data
    if answer.status_code == 422:
        assert answer.get_json()["field"] in ("revision", "against")


def test_a_base_revision_too_large_for_the_database_is_a_422_naming_it(api):
    app, token = api
    answer = app.test_client().patch("/api/courses/1/settings", headers={"Authorization": f"Bearer {token}"},
                                     json={"base_revision": 2**63, "title": "x"})
    assert answer.status_code == 422 and answer.get_json()["field"] == "base_revision"


@pytest.mark.slow
def test_schemathesis_finds_no_server_error_and_only_documented_responses(api, monkeypatch):
    from authoring import publishing

    monkeypatch.setattr(publishing, "run_build", lambda *args: None)  # the API, not the builds (tested apart)
    app, token = api
    operations, failures = fuzz(app, {"Authorization": f"Bearer {token}"}, examples=SERVER_ERRORS_EXAMPLES)
    assert operations >= 20
    assert not failures, report(failures)


@pytest.mark.parametrize("title", ["\x1b[31mred", "tab\tand\x19"])
def test_a_new_course_title_with_control_characters_is_a_422_naming_the_title(api, title):
    app, token = api
    answer = app.test_client().post("/api/courses", headers={"Authorization": f"Bearer {token}"}, json={"title": title})
    assert answer.status_code == 422 and answer.get_json()["field"] == "title", answer.get_json()
