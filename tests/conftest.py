"""Shared test fixtures: a demo course exercising every block and question type, and one
Chromium (Debian's, driven by Playwright) per test session."""
from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
]

DEMO_COURSE = {
    "id": "demo",
    "title": "Tips & <b>tricks</b> for safe work",
    "language": "en",
    "passing_score": 60,
    "completion": "both",
    "sections": [
        {"id": "s-intro", "title": "Getting <started>", "pages": [
            {"id": "welcome", "title": "Welcome <script>alert('title')</script>", "blocks": [
                {"type": "text", "id": "t-welcome", "markdown":
                    "# Hello\n\nRead **this** first. [Policy](https://example.org/policy)\n\n"
                    "<script>alert('body')</script><img src=x onerror=alert(1)>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"},
                {"type": "image", "id": "i-desk", "src": "media/desk.png", "alt": "A tidy desk with a locked laptop",
                 "caption": "Lock your screen"},
                {"type": "image", "id": "i-door", "src": "media/door.png", "alt": "A badge reader on a door"},
            ]},
            {"id": "watch", "title": "Watch and listen", "blocks": [
                {"type": "video", "id": "v-intro", "src": "media/intro.mp4", "title": "Introduction video",
                 "captions": "media/intro.vtt", "poster": "media/desk.png"},
                {"type": "narration", "id": "n-intro", "script": "Welcome to the course. Lock your screen."},
            ]},
        ]},
        {"id": "s-check", "title": "Check yourself", "pages": [
            {"id": "quick-check", "title": "Quick check", "blocks": [
                {"type": "quiz", "id": "quiz-quick", "title": "Quick check", "attempts": 2, "questions": [
                    {"type": "single_choice", "id": "q-lock", "prompt": "When do you lock your screen?",
                     "feedback": {"correct": "Yes: every time.", "incorrect": "Lock it **every** time you leave."},
                     "choices": [{"id": "c-lunch", "text": "Only at lunch"},
                                 {"id": "c-always", "text": "Whenever I leave my desk", "correct": True},
                                 {"id": "c-never", "text": "Never"}]},
                    {"type": "true_false", "id": "q-share", "prompt": "You may share your password with IT.",
                     "answer": False},
                ]},
            ]},
            {"id": "final", "title": "Final quiz", "blocks": [
                {"type": "quiz", "id": "quiz-final", "title": "Final quiz", "shuffle": True, "questions": [
                    {"type": "multiple_response", "id": "q-signs", "prompt": "Which are signs of phishing?",
                     "choices": [{"id": "c-urgent", "text": "Urgent tone", "correct": True},
                                 {"id": "c-sender", "text": "Odd sender address", "correct": True},
                                 {"id": "c-logo", "text": "A company logo"}]},
                    {"type": "fill_in", "id": "q-report", "prompt": "Which team do you report phishing to?",
                     "accepted": ["security", "security team"]},
                    {"type": "matching", "id": "q-match", "prompt": "Match each threat to its defence.",
                     "pairs": [{"id": "m-phish", "source": "Phishing", "target": "Check the sender"},
                               {"id": "m-wifi", "source": "Public Wi-Fi", "target": "Use the VPN"},
                               {"id": "m-pass", "source": "Password reuse", "target": "A password manager"}]},
                    {"type": "ordering", "id": "q-order", "prompt": "Put the incident steps in order.",
                     "items": [{"id": "o-stop", "text": "Stop"}, {"id": "o-report", "text": "Report"},
                               {"id": "o-wait", "text": "Wait for advice"}]},
                ]},
            ]},
            {"id": "done", "title": "Well done", "blocks": [
                {"type": "text", "id": "t-done", "markdown": "You have reached the end."},
                {"type": "quiz", "id": "quiz-survey", "title": "Your view", "questions": [
                    {"type": "likert", "id": "q-view", "prompt": "How far do you agree?",
                     "statements": [{"id": "l-clear", "text": "The examples were clear"},
                                    {"id": "l-use", "text": "I will <b>use</b> what I learned"}]},
                ]},
            ]},
        ]},
    ],
}


def _png(path: Path, width: int, height: int, colour: tuple[int, int, int]) -> None:
    from PIL import Image

    Image.new("RGB", (width, height), colour).save(path)


@pytest.fixture(scope="session")
def demo_course(tmp_path_factory):
    """(course, media map) for DEMO_COURSE, with real image and caption files on disk."""
    from courses.model import Course
    from media.assets import Asset, BlockMedia

    root = tmp_path_factory.mktemp("demo-course")
    media_dir = root / "media"
    media_dir.mkdir()
    _png(media_dir / "desk.png", 640, 360, (40, 90, 140))
    _png(media_dir / "door.png", 320, 240, (140, 90, 40))
    (media_dir / "desk.webp").write_bytes(b"")
    (media_dir / "intro.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nWelcome.\n")
    (media_dir / "intro.mp4").write_bytes(b"")
    (media_dir / "intro-360.mp4").write_bytes(b"")
    course = Course.model_validate(DEMO_COURSE)


    def asset(name: str, mime: str, width: int | None = None, height: int | None = None, label=None) -> Asset:
        return Asset(source=media_dir / name, href=f"media/{name}", mime=mime, width=width, height=height,
                     label=label)

    media = {
        "i-desk": BlockMedia("i-desk", sources=[asset("desk.webp", "image/webp", 640, 360),
                                                asset("desk.png", "image/png", 640, 360)]),
        "i-door": BlockMedia("i-door", sources=[asset("door.png", "image/png", 320, 240)]),
        "v-intro": BlockMedia("v-intro", sources=[asset("intro.mp4", "video/mp4", 1280, 720, "720p"),
                                                  asset("intro-360.mp4", "video/mp4", 640, 360, "360p")],
                              poster=asset("desk.png", "image/png", 640, 360),
                              captions=asset("intro.vtt", "text/vtt")),
    }
    return course, media


@pytest.fixture(scope="session")
def pw():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def lms_server():
    """A loopback HTTP server holding the test LMS harness (scorm-again); tests mount packages on it."""
    from lms.server import LoopbackServer

    server = LoopbackServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium(pw):
    browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(chromium):
    """A desktop-sized page in its own context that fails the test if a script on it throws
    (modules with a page of another size define their own)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


# --------------------------------------------------------------------------- packages
STANDARDS_VALIDATOR = Path(__file__).resolve().parents[1] / ".." / "shared" / "standards" / "validate.py"

PACKAGE_COURSE = {
    "id": "1st-aid",  # starts with a digit: manifest identifiers must still be valid xs:ID
    "title": 'Fish & chips <safety> "101" – café 日本',
    "description": "Short course used to check packages & manifests.",
    "version": "2.0.0",
    "completion": "both",
    "passing_score": 75,
    "sections": [{"id": "s1", "title": "Only section", "pages": [
        {"id": "p-text", "title": "Reading", "blocks": [
            {"type": "text", "id": "t-file", "file": "text/intro.md"},
            {"type": "image", "id": "i-plan", "src": "media/Café plan.png", "alt": "A floor plan"},
        ]},
        {"id": "p-quiz", "title": "Quiz", "blocks": [
            {"type": "quiz", "id": "quiz-1", "title": "Check", "questions": [
                {"type": "true_false", "id": "q-1", "prompt": "Fish is tasty.", "answer": True},
                {"type": "single_choice", "id": "q-2", "prompt": "Pick one.", "choices": [
                    {"id": "c-a", "text": "A", "correct": True}, {"id": "c-b", "text": "B"}]},
            ]},
        ]},
    ]}],
}


def write_course_folder(folder: Path, course: dict = PACKAGE_COURSE) -> Path:
    """A small course folder on disk (course.yaml, a Markdown file, a PNG with a space and an
    accent in its name): fast to build in every format."""
    import yaml

    (folder / "text").mkdir(parents=True)
    (folder / "media").mkdir()
    (folder / "text" / "intro.md").write_text("# Intro\n\nSome *text* & more.\n", encoding="utf-8")
    _png(folder / "media" / "Café plan.png", 64, 48, (10, 120, 60))
    (folder / "course.yaml").write_text(yaml.safe_dump(course, allow_unicode=True, sort_keys=False),
                                        encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def package_course_dir(tmp_path_factory) -> Path:
    return write_course_folder(tmp_path_factory.mktemp("package-course") / "course")


@pytest.fixture(scope="session")
def built_packages(package_course_dir, tmp_path_factory) -> dict[str, Path]:
    """format -> zip of PACKAGE_COURSE, built once per session."""
    from exporters.build import build_package
    from exporters.formats import FORMATS

    out = tmp_path_factory.mktemp("packages")
    return {fmt: build_package(package_course_dir, fmt, out / f"{fmt}.zip").path for fmt in FORMATS}


@pytest.fixture(scope="session")
def scorm_validator():
    """Run the official-schema validator on some paths: returns (exit code, output)."""
    import subprocess
    import sys

    if not STANDARDS_VALIDATOR.is_file():
        pytest.fail(f"SCORM validator not found at {STANDARDS_VALIDATOR.resolve()}")

    def run(*paths: Path) -> tuple[int, str]:
        done = subprocess.run([sys.executable, str(STANDARDS_VALIDATOR), *map(str, paths)],
                              capture_output=True, text=True, timeout=120)
        return done.returncode, done.stdout + done.stderr

    return run
