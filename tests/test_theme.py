"""A course's brand in the player: accent colours and a type family as CSS custom properties, with
their contrast checked when the course is built, so a brand colour never makes text unreadable."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import PACKAGE_COURSE, write_course_folder

from cli.main import cli
from courses.errors import CourseLoadError
from courses.model import Course
from exporters.build import build_package
from player.render import render_site
from player.theme import contrast, theme_problems


def themed(**theme) -> dict:
    return {**PACKAGE_COURSE, "theme": theme}


def inline_course(**theme) -> Course:
    """A one-page course with inline text (renders without a course source)."""
    return Course.model_validate({"id": "brand", "title": "Brand", "theme": theme, "sections": [
        {"id": "s", "title": "S", "pages": [{"id": "p", "title": "P", "blocks": [
            {"type": "text", "id": "t", "markdown": "[A link](https://example.org)"}]}]}]})


def test_contrast_is_wcag_2s_ratio():
    assert round(contrast("#000000", "#ffffff"), 2) == 21
    assert contrast("#b3261e", "#b3261e") == 1
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54  # the lightest grey that passes AA on white


def test_a_faint_accent_is_refused_at_build_naming_the_setting(tmp_path):
    folder = write_course_folder(tmp_path / "course", themed(accent="#7fb2e5", accent_dark="#27313d"))
    with pytest.raises(CourseLoadError) as caught:
        build_package(folder, "scorm2004", tmp_path / "out.zip")
    assert [str(p) for p in caught.value.problems] == [
        "course.yaml: theme.accent: #7fb2e5 has a contrast of 2.2:1 with the page background (#ffffff) on light "
        "screens; WCAG AA needs 4.5:1, so pick a darker shade",
        "course.yaml: theme.accent_dark: #27313d has a contrast of 1.4:1 with the page background (#0f1419) on dark "
        "screens; WCAG AA needs 4.5:1, so pick a lighter shade",
    ]
    assert not (tmp_path / "out.zip").exists()
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 1 and "theme.accent: #7fb2e5 has a contrast of 2.2:1" in result.stderr


def test_a_readable_theme_becomes_the_players_custom_properties():
    course = inline_course(accent="#b3261e", accent_dark="#ffb4ab", font="serif")
    assert theme_problems(course) == []
    html = render_site(course, {}, "web")["index.html"].decode()
    style = html.replace("&#34;", '"').split('style="', 1)[1].split('">', 1)[0]
    assert "--theme-accent: #b3261e" in style and "--theme-accent-dark: #ffb4ab" in style
    assert '--font: Charter, "Bitstream Charter"' in style


def test_a_colour_that_is_not_hex_is_a_schema_problem():
    with pytest.raises(ValueError, match="theme.accent"):
        Course.model_validate(themed(accent="red"))


@pytest.mark.browser
def test_the_accent_colours_links_and_buttons_on_light_and_dark_screens(chromium, lms_server, tmp_path):
    from lms.site import publish_site

    course = inline_course(accent="#b3261e", accent_dark="#ffb4ab", font="serif")
    url = lms_server.mount("/themed/", publish_site(course, {}, tmp_path)) + "index.html"
    for scheme, colour in (("light", "rgb(179, 38, 30)"), ("dark", "rgb(255, 180, 171)")):
        context = chromium.new_context(color_scheme=scheme)
        try:
            page = context.new_page()
            page.goto(url)
            page.wait_for_selector("#main a")
            assert page.evaluate("() => getComputedStyle(document.querySelector('#main a')).color") == colour
            assert "Charter" in page.evaluate("() => getComputedStyle(document.body).fontFamily")
        finally:
            context.close()


def test_a_logo_is_made_like_an_image_and_drawn_before_the_title(tmp_path):
    import zipfile

    import lxml.html

    from conftest import _png

    folder = write_course_folder(tmp_path / "course", themed(logo="media/logo.png"))
    _png(folder / "media" / "logo.png", 240, 80, (20, 40, 160))
    package = tmp_path / "web.zip"
    build_package(folder, "web", package)
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        index = lxml.html.fromstring(archive.read("index.html").decode())
    logo = index.xpath("//header//span[@class='course-logo']//img")
    assert len(logo) == 1 and logo[0].get("alt") == "" and logo[0].get("loading") is None
    assert logo[0].get("src") in names and "logo" in logo[0].get("src")
    title = index.xpath("//header/p[@class='course-title']")[0]
    assert title.getprevious().get("class") == "course-logo", "the logo comes just before the title"


@pytest.mark.parametrize(("logo", "message"), [
    ("media/none.png", "theme.logo: "),
    ("text/intro.md", "theme.logo: "),
])
def test_a_missing_or_wrong_logo_is_a_problem_naming_the_setting(tmp_path, logo, message):
    folder = write_course_folder(tmp_path / "course", themed(logo=logo))
    with pytest.raises(CourseLoadError) as caught:
        build_package(folder, "web", tmp_path / "out.zip")
    assert any(str(p).startswith(f"course.yaml:") and message in str(p) for p in caught.value.problems), \
        [str(p) for p in caught.value.problems]
    assert not (tmp_path / "out.zip").exists()


def test_a_logo_svg_with_a_script_is_refused(tmp_path):
    from media.errors import MediaError

    folder = write_course_folder(tmp_path / "course", themed(logo="media/logo.svg"))
    (folder / "media" / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="20"><script>alert(1)</script></svg>')
    with pytest.raises((CourseLoadError, MediaError)) as caught:
        build_package(folder, "web", tmp_path / "out.zip")
    assert "media/logo.svg" in str(caught.value) and "script" in str(caught.value).lower()
