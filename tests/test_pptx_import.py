"""PowerPoint import: decks made here with python-pptx, imported (LibreOffice rendering included),
validated and built to SCORM 2004; re-imports keep ids; bad decks are refused before LibreOffice.

The deck of ``pptx_decks.build_deck`` is imported once per module and built once; the tests
read what those runs wrote.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pptx_decks as decks
import pytest
import yaml
from click.testing import CliRunner
from media_fixtures import make_speech, make_video, process_launches  # noqa: F401 - process_launches is a fixture
from pptx import Presentation
from pptx.util import Inches

from cli.main import cli
from courses.loader import check_course, load_course
from importers.pptx import DeckError, import_deck
from importers.pptx import markdown as md
from importers.pptx.render import render_slides
from media.tts import split_sentences
from player.markdown import render_markdown

SLIDE_IDS = [256, 257, 258, 259, 260, 261]
NOTES = {256: decks.DUTCH_NOTES, 257: decks.OBJECTIVES_NOTES, 258: "Incidents went down on most sites.",
         259: "Look at the diagram. Which hazard do you see first?", 261: "Help is always close by."}


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pptx")


@pytest.fixture(scope="module")
def deck(work) -> Path:
    return decks.build_deck(work / "deck.pptx", video=make_video(work / "clip.mp4", seconds=1),
                            sound=make_speech(work / "sound.m4a", "Listen to the sites."))


@pytest.fixture(scope="module")
def imported(deck, work):
    """(report, course folder) of the test deck's import."""
    folder = work / "course"
    return import_deck(deck, folder), folder


@pytest.fixture(scope="module")
def course_yaml(imported) -> dict:
    return yaml.safe_load((imported[1] / "course.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def package(imported, work):
    """The imported course built to SCORM 2004, with a cache of its own."""
    from exporters.build import build_package
    from settings import get_settings

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSEFORGE_CACHE_DIR", str(work / "cache"))
        get_settings.cache_clear()
        try:
            build_package(imported[1], "scorm2004", work / "course-scorm2004.zip")
        finally:
            get_settings.cache_clear()
    return zipfile.ZipFile(work / "course-scorm2004.zip")


def pages(course: dict) -> list[dict]:
    return course["sections"][0]["pages"]


def blocks_of(course: dict, slide_id: int) -> dict[str, dict]:
    page = next(p for p in pages(course) if p["id"] == f"p-slide-{slide_id}")
    return {block["id"]: block for block in page["blocks"]}


def snapshot(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


# --------------------------------------------------------------------------- Markdown (no LibreOffice)
def _frame(texts: list[tuple[int, str]], body: bool = True):
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[decks.TITLE_AND_CONTENT])
    if body:
        frame = slide.placeholders[1].text_frame
    else:
        frame = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(4), Inches(1)).text_frame
    decks._bullets(frame, texts)
    return frame


def test_bullet_levels_become_nested_lists_and_text_boxes_paragraphs():
    frame = _frame([(0, "One"), (1, "Two"), (2, "Three"), (0, "Back")])
    text = md.blocks(md.paragraphs(frame, bullets=True))
    assert text == "- One\n  - Two\n    - Three\n- Back"
    html = render_markdown(text)
    assert html.count("<ul>") == 3 and "<li>Three</li>" in html
    plain = md.blocks(md.paragraphs(_frame([(0, "First line"), (0, "Second line")], body=False), bullets=False))
    assert plain == "First line\n\nSecond line"


def test_slide_text_that_looks_like_markup_stays_text():
    frame = _frame([(0, "*not bold* <b>tag</b> & [x](y)"), (0, "# not a heading"), (0, "1. not a number")],
                   body=False)
    html = render_markdown(md.blocks(md.paragraphs(frame, bullets=False)))
    assert "<p>*not bold* &lt;b&gt;tag&lt;/b&gt; &amp; [x](y)</p>" in html
    assert "<p># not a heading</p>" in html and "<p>1. not a number</p>" in html
    assert "<strong>" not in html and "<h" not in html and "<ol>" not in html


def test_a_skipped_level_is_one_level_deeper_and_a_line_break_stays_in_its_item():
    frame = _frame([(0, "Top"), (2, "Deep")])
    frame.paragraphs[0].text = "Top\vnext line"  # python-pptx writes a paragraph's \v as <a:br/>
    text = md.blocks(md.paragraphs(frame, bullets=True))
    assert text == "- Top\\\n  next line\n  - Deep"
    assert "<li>Top<br>\nnext line\n<ul>\n<li>Deep</li>" in render_markdown(text)


# --------------------------------------------------------------------------- the imported course
@pytest.mark.slow
def test_every_slide_becomes_a_page_with_an_id_from_its_slide_id(imported, course_yaml):
    report, folder = imported
    assert [p["id"] for p in pages(course_yaml)] == [f"p-slide-{i}" for i in SLIDE_IDS]
    assert [p["title"] for p in pages(course_yaml)] == [decks.DUTCH_TITLE, "Learning objectives",
                                                        "Incident statistics", "Hazard diagram",
                                                        "Incidents per quarter", "Where to find help"]
    assert course_yaml["title"] == decks.DUTCH_TITLE and course_yaml["language"] == "en-US"
    assert [s.number for s in report.slides] == [1, 2, 3, 4, 5, 6]
    assert check_course(folder).total == 0
    course = load_course(folder)
    assert len(course.pages()) == 6


@pytest.mark.slow
def test_each_page_starts_with_the_rendered_slide_and_its_text_as_alt(imported, course_yaml):
    from PIL import Image

    folder = imported[1]
    for slide_id in SLIDE_IDS:
        first = pages(course_yaml)[SLIDE_IDS.index(slide_id)]["blocks"][0]
        assert first["id"] == f"i-slide-{slide_id}" and first["src"] == f"media/slides/slide-{slide_id}.png"
        with Image.open(folder / first["src"]) as image:
            assert image.size == (1280, 960)  # python-pptx's default deck is 4:3
    alt = blocks_of(course_yaml, 257)["i-slide-257"]["alt"]
    assert alt == ("Slide 2: Learning objectives. Identify the three main hazards. Slips, trips and falls. "
                   "Level-3 detail: within 24 hours. Know where to find help. Bold part then italic and a link.")
    alt = blocks_of(course_yaml, 256)["i-slide-256"]["alt"]
    assert alt.startswith(f"Slide 1: {decks.DUTCH_TITLE}. Veilig werken: ç ü ß €")


@pytest.mark.slow
def test_text_tables_and_chart_data_are_markdown(imported):
    folder = imported[1]
    assert (folder / "text/slide-257.md").read_text(encoding="utf-8") == (
        "- Identify the three main hazards\n  - Slips, trips and falls\n    - Level-3 detail: within 24 hours\n"
        "- Know where to find help\n  - **Bold part** then *italic* and [a link](<https://example.org/help>)\n")
    assert (folder / "text/slide-258.md").read_text(encoding="utf-8") == (
        "| Site | 2024 | 2025 |\n|---|---|---|\n| Amsterdam | 12 | 7 |\n| Rotterdam | 9 | 4 |\n"
        "| Utrecht \\| centre | 3 | 5 |\n")
    chart = (folder / "text/slide-260.md").read_text(encoding="utf-8")
    assert chart.startswith("Chart: Incidents (column clustered)\n\n| Category | 2024 | 2025 |")
    assert "| Q3 | 6 | 9 |" in chart
    assert (folder / "text/slide-256.md").read_text(encoding="utf-8") == "Veilig werken: ç ü ß € “quotes” — ‘één’\n"
    assert "Ask your supervisor" in (folder / "text/slide-261.md").read_text(encoding="utf-8")  # inside the group
    assert not (folder / "text/slide-259.md").exists()  # pictures only


@pytest.mark.slow
def test_notes_become_narration_scripts(course_yaml):
    for slide_id in SLIDE_IDS:
        narration = blocks_of(course_yaml, slide_id).get(f"n-slide-{slide_id}")
        if slide_id in NOTES:
            assert narration == {"type": "narration", "id": f"n-slide-{slide_id}", "script": NOTES[slide_id]}
        else:
            assert narration is None  # the hidden chart slide has no notes


@pytest.mark.slow
def test_pictures_keep_their_alt_text_and_one_without_is_flagged_not_invented(imported, course_yaml):
    report, folder = imported
    blocks = blocks_of(course_yaml, 259)
    pictures = [b for b in blocks.values() if b["type"] == "image" and b["id"] != "i-slide-259"]
    assert [p["alt"] for p in pictures] == [decks.PICTURE_ALT]  # the red square has none: no block
    text = (folder / "course.yaml").read_text(encoding="utf-8")
    commented = re.search(r"# picture 'Red square' has no alt text.*\n((?: *# (?:- |  ).*\n)+)", text)
    assert commented is not None
    block = yaml.safe_load("\n".join(line.strip()[2:] for line in commented.group(1).splitlines()))
    assert block[0]["alt"] == "" and (folder / block[0]["src"]).is_file()
    slide4 = report.slides[3]
    assert [f.kind for f in slide4.missing_alt] == ["missing alt text"]
    assert "'Red square'" in slide4.missing_alt[0].detail
    group = blocks_of(course_yaml, 261)
    assert group["i-slide-261-5"]["alt"] == decks.GROUP_PICTURE_ALT


@pytest.mark.slow
def test_what_cannot_be_mapped_is_listed_on_the_page_and_in_the_report(imported):
    report, folder = imported
    kinds = {s.number: [f.kind for f in s.findings] for s in report.slides}
    assert kinds == {1: [], 2: [], 3: ["audio"], 4: ["missing alt text"], 5: ["hidden slide", "chart"],
                     6: ["group", "video", "animation"]}
    assert report.slides[4].hidden and not report.slides[3].hidden
    text = (folder / "course.yaml").read_text(encoding="utf-8")
    page5 = text[text.index("# slide 5 "):text.index("- id: p-slide-260")]
    assert "# hidden slide: hidden in the deck" in page5 and "# chart: chart 'Incidents'" in page5
    page6 = text[text.index("# slide 6 "):text.index("- id: p-slide-261")]
    assert "# group: group 'Group 2' of 2 shapes" in page6 and "# animation: 1 animation effect(s)" in page6
    written = (folder / "import-report.md").read_text(encoding="utf-8")
    assert "### Slide 5: Incidents per quarter (hidden in the deck)" in written
    assert "- 1 x missing alt text" in written and "- 1 x chart" in written


@pytest.mark.slow
def test_an_embedded_video_becomes_a_video_block_with_its_poster(imported, course_yaml, deck):
    folder = imported[1]
    video = blocks_of(course_yaml, 261)["v-slide-261-7"]
    assert video["title"] == "Short test-pattern clip"
    assert (folder / video["src"]).read_bytes() == (deck.parent / "clip.mp4").read_bytes()
    assert (folder / video["poster"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "video" in imported[0].slides[5].mapped


@pytest.mark.slow
def test_an_embedded_sound_becomes_a_recorded_narration(imported, course_yaml, deck):
    folder = imported[1]
    sound = blocks_of(course_yaml, 258)["n-slide-258-4"]
    assert sound["src"].startswith("media/audio/") and sound["src"].endswith(".m4a")
    assert (folder / sound["src"]).read_bytes() == (deck.parent / "sound.m4a").read_bytes()
    assert imported[0].slides[2].mapped == ["slide image", "narration from the notes", "text", "audio"]


@pytest.mark.slow
def test_the_scorm_2004_package_has_every_page_narration_with_exact_captions_and_the_video(package, course_yaml):
    names = package.namelist()
    assert "imsmanifest.xml" in names
    assert [n for n in names if n.startswith("pages/")] == [f"pages/p-slide-{i}.html" for i in SLIDE_IDS]
    for slide_id, notes in NOTES.items():
        vtt = next(n for n in names if n.endswith(f"-n-slide-{slide_id}.vtt"))
        cues = [block.splitlines()[2] for block in package.read(vtt).decode().split("\n\n")[1:] if block.strip()]
        assert cues == split_sentences(notes)
        assert any(n.endswith(f"-n-slide-{slide_id}.m4a") for n in names)
    assert any(re.fullmatch(r"media/\w+-55d799d84e1f-\d+p\.mp4", n) for n in names)  # the deck's video, transcoded
    sound = blocks_of(course_yaml, 258)["n-slide-258-4"]["src"]
    assert any(n.endswith(f"-{Path(sound).stem}.m4a") for n in names)  # the deck's sound, loudness-normalised
    page = package.read("pages/p-slide-257.html").decode()
    assert "<li><strong>Bold part</strong> then <em>italic</em> and <a href=\"https://example.org/help\"" in page
    assert "<table>" in package.read("pages/p-slide-258.html").decode()
    page6 = package.read("pages/p-slide-261.html").decode()
    assert "<video" in page6 and 'alt="A small green square"' in page6


@pytest.mark.slow
def test_calibri_is_drawn_with_carlito_and_a_missing_font_is_named(imported, deck, tmp_path):
    fonts = render_slides(deck, [None] * 6, tmp_path, deck.name).fonts
    assert any(name.endswith("+Carlito") for name in fonts) and not any("Calibri" in name for name in fonts)
    report = imported[0]
    assert [(f.kind, f.detail.split(" is not", 1)[0]) for f in report.findings] == [
        ("font substituted", f"'{decks.MISSING_FONT}'")]  # Calibri, the theme's font, has its metric twin
    assert f"# font substituted: '{decks.MISSING_FONT}' is not installed here" in (
        imported[1] / "course.yaml").read_text(encoding="utf-8")


@pytest.mark.slow
def test_libreoffice_writing_no_pdf_is_caught_although_it_exits_0(tmp_path):
    text = tmp_path / "notes.pptx"
    text.write_text("not a deck: LibreOffice cannot load this")
    with pytest.raises(DeckError) as failed:
        render_slides(text, ["One"], tmp_path / "work", text.name)
    assert str(failed.value).startswith("notes.pptx: slide 1: LibreOffice wrote no PDF of the deck, so no slide "
                                        "could be rendered")


def test_content_without_a_block_is_listed_with_what_was_kept_of_it(tmp_path):
    from PIL import Image

    from importers.pptx.course_folder import write_course
    from importers.pptx.preflight import open_deck
    from importers.pptx.slides import read_deck

    deck = read_deck(open_deck(decks.build_odd_shapes_deck(tmp_path / "odd.pptx")), "odd")
    image = tmp_path / "slide-1.png"
    Image.new("RGB", (64, 48), (255, 255, 255)).save(image)
    folder = tmp_path / "course"
    folder.mkdir()
    report = write_course(deck, [image], folder, label="odd.pptx", course_id="odd", language="en",
                          course_dir=str(folder), replaced=False)
    assert (folder / "text/slide-256.md").read_text(encoding="utf-8") == (
        "Three steps to take\n\n- Stop\n- Check\n- Report\n\nE = mc2\n")  # SmartArt and fallback text kept
    findings = {f.kind: f.detail for f in report.slides[0].findings}
    assert set(findings) == {"alt text to check", "embedded object", "missing alt text", "missing title",
                             "newer PowerPoint content", "picture format", "SmartArt"}
    assert findings["missing title"].startswith("the slide has no title, so the page is called 'Three steps to take'")
    assert "'Logo' has no alt text in the deck (its alt text was only the file name 'logo.png')" in findings[
        "missing alt text"]
    assert findings["picture format"].startswith("picture 'Vector drawing' is in EMF format")
    assert "(Excel.Sheet.12)" in findings["embedded object"]
    course = yaml.safe_load((folder / "course.yaml").read_text(encoding="utf-8"))
    blocks = course["sections"][0]["pages"][0]["blocks"]
    assert [b["alt"] for b in blocks if b["type"] == "image"][1:] == [
        "A group of people standing, description automatically generated"]  # the divider is decorative
    assert "1 decorative picture(s) in the slide image only" in report.slides[0].mapped
    assert check_course(folder).total == 0


def test_two_slides_with_one_slide_id_are_refused_by_name(tmp_path):
    from importers.pptx.content import Deck, Slide
    from importers.pptx.course_folder import write_course

    deck = Deck("Twins", "en", [Slide(1, 300, False, "One"), Slide(2, 300, False, "Two")])
    with pytest.raises(DeckError) as refused:
        write_course(deck, [tmp_path / "1.png", tmp_path / "2.png"], tmp_path, label="twins.pptx", course_id="t",
                     language="en", course_dir="t", replaced=False)
    assert str(refused.value) == ("twins.pptx: slide 2: slides 1 and 2 have the same slide id 300, so their pages "
                                  "could not keep ids of their own; open the deck in PowerPoint and save it again")


# --------------------------------------------------------------------------- re-import and --force
@pytest.mark.slow
def test_reimporting_a_revised_deck_keeps_the_ids_of_the_surviving_slides(imported, deck, work):
    report, folder = imported
    copy = work / "reimported"
    shutil.copytree(folder, copy)
    revised = decks.revise_deck(deck, work / "revised.pptx")
    result = CliRunner().invoke(cli, ["import", str(revised), "-o", str(copy), "--force", "--language", "nl"])
    assert result.exit_code == 0, result.output
    assert f"Replaced the course folder {copy}" in result.output
    assert 'slide 1 -> p-slide-261 "Where to find help"' in result.output
    course = yaml.safe_load((copy / "course.yaml").read_text(encoding="utf-8"))
    assert [p["id"] for p in pages(course)] == ["p-slide-261", "p-slide-256", "p-slide-257", "p-slide-259",
                                                "p-slide-260", "p-slide-262"]
    assert pages(course)[2]["title"] == "Learning objectives (revised)"
    assert course["id"] == report.course_id  # the same course to the LMS
    assert course["language"] == "nl"
    assert not (copy / "media/slides/slide-258.png").exists()  # the deleted slide's files are gone
    old = {b["id"] for p in pages(yaml.safe_load((folder / "course.yaml").read_text())) for b in p["blocks"]}
    new = {b["id"] for p in pages(course) for b in p["blocks"]}
    assert {i for i in old if "-258" not in i} <= new
    assert list(work.glob(".reimported.*")) == []


def test_an_existing_folder_is_not_overwritten_without_force(deck_file, tmp_path):
    target = tmp_path / "course"
    target.mkdir()
    (target / "mine.md").write_text("keep me")
    with pytest.raises(DeckError) as refused:
        import_deck(deck_file, target)
    assert str(refused.value) == (f"{target}: already exists and is not empty; add --force to replace it with "
                                  "the imported course (nothing was changed)")
    with pytest.raises(DeckError, match=r"holds no course\.yaml: --force replaces only a course folder"):
        import_deck(deck_file, target, force=True)
    assert snapshot(target) == {"mine.md": hashlib.sha256(b"keep me").hexdigest()}
    (target / "course.yaml").write_text("id: mine\n")
    inside = shutil.copyfile(deck_file, target / "deck.pptx")
    with pytest.raises(DeckError, match=r"holds the deck deck\.pptx, which replacing the folder would delete"):
        import_deck(inside, target, force=True)
    assert sorted(snapshot(target)) == ["course.yaml", "deck.pptx", "mine.md"]


@pytest.mark.slow
def test_a_failed_forced_import_leaves_the_old_course_as_it_was(imported, deck, work,
                                                                process_launches):  # noqa: F811 - a fixture
    target = work / "kept"
    shutil.copytree(imported[1], target)
    before = snapshot(target)
    with pytest.raises(DeckError) as failed:
        import_deck(deck, target, force=True, render_timeout=0.5)
    assert str(failed.value) == ("deck.pptx: slides 1-6: LibreOffice (soffice) did not finish within 0.5 s and was "
                                 "stopped; nothing was imported")
    assert snapshot(target) == before
    assert [p.name for p in work.iterdir() if p.name.startswith(".kept")] == []
    profile = next(arg for argv in process_launches for arg in argv if arg.startswith("-env:UserInstallation="))
    left = subprocess.run(["pgrep", "-f", profile.split("file://", 1)[1]], capture_output=True, text=True).stdout
    assert left == ""  # the whole process group was stopped, soffice.bin included


@pytest.mark.slow
def test_a_pdf_that_lost_a_slide_is_reported_with_that_slide(deck, tmp_path):
    titles = [decks.DUTCH_TITLE, "Learning objectives", "A slide LibreOffice lost", "Incident statistics",
              "Hazard diagram", "Incidents per quarter", "Where to find help"]
    with pytest.raises(DeckError) as lost:
        render_slides(deck, titles, tmp_path, deck.name)
    assert str(lost.value) == ("deck.pptx: slide 3: LibreOffice's PDF has 6 page(s) for 7 slides, so its pages "
                               "cannot be matched to the slides; the first slide it lost or garbled is this one")


# --------------------------------------------------------------------------- bad decks
@pytest.fixture(scope="module")
def deck_file(tmp_path_factory) -> Path:
    """The test deck without a video (for tests that never get as far as LibreOffice)."""
    return decks.build_deck(tmp_path_factory.mktemp("plain") / "deck.pptx")


def _written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


BAD_DECKS = {
    "empty.pptx": (lambda p, d: _written(p, b""),
                   "empty.pptx: is empty (0 bytes): not a PowerPoint deck; save the deck again and retry"),
    "text.pptx": (lambda p, d: _written(p, b"just some text"),
                  "text.pptx: is not a PowerPoint .pptx file: a .pptx is a zip container and this file is not one "
                  "(damaged, cut short, or another kind of file renamed .pptx)"),
    "picture.pptx": (lambda p, d: _written(p, decks.png_bytes((10, 10), (0, 0, 0))),
                     "picture.pptx: is not a PowerPoint .pptx file: a .pptx is a zip container and this file is not "
                     "one (damaged, cut short, or another kind of file renamed .pptx)"),
    "half.pptx": (lambda p, d: decks.truncated(d, p),
                  "half.pptx: is not a PowerPoint .pptx file: a .pptx is a zip container and this file is not one "
                  "(damaged, cut short, or another kind of file renamed .pptx)"),
    "renamed.pptx": (lambda p, d: decks.renamed_zip(p),
                     "renamed.pptx: is a zip file but not a PowerPoint deck: it has no [Content_Types].xml (a .pptx "
                     "always does; is it a renamed .zip?)"),
    "bomb.pptx": (lambda p, d: decks.zip_bomb(p),
                  re.compile(r"bomb\.pptx: ppt/slides/slide1\.xml: expands \d+ times \(\d+ -> 67108864 bytes; limit "
                             r"100\): looks like a zip bomb: refused before anything was read \(1 more problem with "
                             r"the zip\)")),
    "locked.pptx": (lambda p, d: decks.ole2_file(p, "EncryptedPackage"),
                    "locked.pptx: is password-protected: LibreOffice and courseforge cannot read an encrypted deck; "
                    "in PowerPoint remove the password (File > Info > Protect Presentation > Encrypt with Password, "
                    "clear it) and save"),
    "old.pptx": (lambda p, d: decks.ole2_file(p, "PowerPoint Document"),
                 "old.pptx: is an old PowerPoint 97-2003 file (.ppt), not a .pptx: open it in PowerPoint or "
                 "LibreOffice Impress and save it as a .pptx"),
    "broken.pptx": (lambda p, d: decks.broken_slide_xml(d, p),
                    re.compile(r"broken\.pptx: ppt/slides/slide3\.xml: damaged XML at line \d+ \(.+\): the deck is "
                               r"corrupt; open it in PowerPoint, let it repair the file, and save it again")),
    "letter.pptx": (lambda p, d: decks.word_document(p), "letter.pptx: is a Word document, not a PowerPoint deck"),
    "blank.pptx": (lambda p, d: decks.empty_deck(p), "blank.pptx: has no slides: there is nothing to import"),
}


@pytest.mark.parametrize("name", sorted(BAD_DECKS))
def test_a_bad_deck_is_refused_with_one_message_before_libreoffice_runs(name, deck_file, tmp_path,
                                                                       process_launches):  # noqa: F811 - a fixture
    make, expected = BAD_DECKS[name]
    bad = make(tmp_path / name, deck_file)
    with pytest.raises(DeckError) as refused:
        import_deck(bad, tmp_path / "out")
    assert len(refused.value.problems) == 1
    if isinstance(expected, re.Pattern):  # the message quotes sizes or a parser's words
        assert expected.fullmatch(str(refused.value)), str(refused.value)
    else:
        assert str(refused.value) == expected
    assert process_launches == []  # LibreOffice never saw it
    assert not (tmp_path / "out").exists()


def test_the_command_prints_every_reason_and_exits_1(tmp_path):
    bad = decks.renamed_zip(tmp_path / "deck.pptx")
    result = CliRunner().invoke(cli, ["import", str(bad), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "deck.pptx: is a zip file but not a PowerPoint deck" in result.output
    assert f"{bad}: not imported; nothing was written" in result.output


def test_the_deck_language_is_the_one_most_of_its_text_is_marked_with(tmp_path):
    from importers.pptx.slides import read_deck

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[decks.TITLE_ONLY])
    slide.shapes.title.text = "Een lange Nederlandse titel over veilig werken"
    decks.add_title_slide(prs)  # Dutch runs
    prs.save(tmp_path / "nl.pptx")
    assert read_deck(Presentation(str(tmp_path / "nl.pptx")), "nl").language == "nl-NL"
    with pytest.raises(DeckError, match="'x y' is not a language tag"):
        import_deck(tmp_path / "nl.pptx", tmp_path / "out", language="x y")
