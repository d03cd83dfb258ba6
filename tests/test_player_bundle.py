"""The player's scripts and styles as packages ship them (player/bundle.py, esbuild): minified,
reproducible, each question type and tracking adapter a module of its own, and a clear message
when the build tool is missing or a source is broken."""

from __future__ import annotations

import gzip
import shutil
import threading
import typing

import pytest

import player.bundle as bundle_module
from cli.preview import serve
from courses.model import Question, QuizBlock
from lms.site import publish_site
from player.bundle import BundleError, player_bundle
from player.render import question_module

STATIC = bundle_module.STATIC_DIR


def _question_types() -> list[str]:
    union = typing.get_args(Question)[0]
    return [typing.get_args(member.model_fields["type"].annotation)[0] for member in typing.get_args(union)]


def test_every_question_type_and_adapter_is_a_module_of_its_own_at_its_source_path():
    files = player_bundle().files
    for kind in _question_types():
        assert question_module(kind) in files and (STATIC / question_module(kind)).is_file(), kind
    for adapter in ("scorm12", "scorm2004", "web", "bridge"):
        assert f"js/tracking/{adapter}.js" in files
    assert {"js/app.js", "css/player.css"} <= set(files)
    # Nothing else but the chunks esbuild shares between them.
    named = {name for name in files if not name.startswith("js/shared-")}
    assert named == {"js/app.js", "js/narration.js", "js/video.js", "css/player.css",
                     *(question_module(k) for k in _question_types()),
                     *(f"js/tracking/{a}.js" for a in ("scorm12", "scorm2004", "web", "bridge"))}


def test_the_shipped_files_are_minified_and_smaller_than_the_sources():
    files = player_bundle().files
    app = files["js/app.js"].decode()
    assert "The course player: navigation" in (STATIC / "js/app.js").read_text()
    assert "The course player" not in app and "\n//" not in app and "/**" not in app
    sources = sum(len(gzip.compress(p.read_bytes())) for p in STATIC.rglob("*") if p.suffix in (".js", ".css"))
    shipped = sum(len(gzip.compress(data)) for data in files.values())
    assert shipped < sources * 0.75, (shipped, sources)
    assert b"/*" not in files["css/player.css"]


def test_the_same_sources_make_the_same_bytes():
    first = bundle_module._make(bundle_module._sources())
    second = bundle_module._make(bundle_module._sources())
    assert first == second and first.files == player_bundle().files


def test_a_missing_build_tool_is_named_with_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setattr(bundle_module, "ESBUILD", tmp_path / "node_modules" / ".bin" / "esbuild")
    with pytest.raises(BundleError, match=r"build tool is missing .*run ./scripts/bootstrap"):
        bundle_module._make(bundle_module._sources())


def test_a_broken_source_fails_with_esbuilds_message_naming_the_file(monkeypatch, tmp_path):
    copy = tmp_path / "static"
    shutil.copytree(STATIC, copy)
    (copy / "js" / "questions" / "numeric.js").write_text("export const type = 'numeric';\nexport function (\n")
    monkeypatch.setattr(bundle_module, "STATIC_DIR", copy)
    with pytest.raises(BundleError, match=r"(?s)making the player's scripts failed: .*Expected identifier.*js/questions/numeric.js:2"):
        bundle_module._make(bundle_module._sources())


@pytest.fixture(scope="module")
def site(demo_course, tmp_path_factory):
    course, media = demo_course
    root = tmp_path_factory.mktemp("bundled-site")
    publish_site(course, media, root / "c")
    httpd = serve(root, "127.0.0.1", 0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/c/index.html", course
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.browser
def test_a_learner_downloads_a_question_type_only_with_the_page_that_asks_it_or_the_one_before(chromium, site):
    """Going through the course page by page: after page i, the question modules fetched are those
    of pages 0..i and at most page i+1's (fetched ahead with its fragment), and never an adapter
    of another standard or the dispatch bridge."""
    from playwright.sync_api import expect

    url, course = site
    pages = course.pages()
    kinds = [{question_module(q.type) for b in page.blocks if isinstance(b, QuizBlock) for q in b.questions}
             for page in pages]
    assert any(kinds) and not kinds[0], "the demo course must have quiz pages after a first page without one"
    context = chromium.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        for i, shown in enumerate(pages):
            expect(page.locator(f'#main article[data-page="{shown.id}"]')).to_be_visible()
            upcoming = kinds[i + 1] if i + 1 < len(pages) else set()
            page.wait_for_function("""(wanted) => wanted.every((name) => performance.getEntriesByType('resource')
                .some((r) => r.name.endsWith("/" + name)))""", arg=sorted(upcoming))
            fetched = {entry.split("/c/", 1)[1] for entry in page.evaluate(
                "() => performance.getEntriesByType('resource').map((r) => r.name).filter((n) => n.includes('/js/'))")}
            before = set().union(*kinds[: i + 1])
            questions = {name for name in fetched if name.startswith("js/questions/")}
            assert before <= questions <= before | upcoming, (shown.id, questions)
            assert {name for name in fetched if name.startswith("js/tracking/")} == {"js/tracking/web.js"}
            if i + 1 < len(pages):
                page.get_by_role("button", name="Next").click()
        assert errors == []
    finally:
        context.close()


def test_a_package_ships_only_the_tracking_it_can_run():
    from player.render import static_files

    adapters = {kind: {name for name in static_files(*kind) if name.startswith("js/tracking/")}
                for kind in (("web", False), ("scorm12", False), ("scorm2004", False), ("web", True))}
    assert adapters == {
        ("web", False): {"js/tracking/web.js"},
        ("scorm12", False): {"js/tracking/scorm12.js"},
        ("scorm2004", False): {"js/tracking/scorm2004.js"},
        # The published web form: dispatch packages frame it to track for their LMS in either standard.
        ("web", True): {"js/tracking/web.js", "js/tracking/scorm12.js", "js/tracking/scorm2004.js",
                        "js/tracking/bridge.js"},
    }
    for kind in (("web", False), ("scorm2004", False), ("web", True)):
        files = static_files(*kind)
        for name in files:  # nothing shipped that it cannot reach, and nothing it reaches missing
            assert set(player_bundle().imports[name]) <= set(files), (kind, name)
        assert "js/tracking/dispatch-lms.js" not in files  # the LMS side is the dispatch package's own
