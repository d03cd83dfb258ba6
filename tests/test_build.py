"""Building packages: same course, same bytes; a broken course, no file; every format of the sample."""
from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cli.main import cli
from conftest import PACKAGE_COURSE, write_course_folder
from courses.errors import CourseLoadError
from courses.loader import load_course
from courses.source import FolderSource
from exporters.build import BuildError, assemble, build_package, build_site
from exporters.check import check_package as package_problems
from exporters.formats import EXPORTERS, FORMATS
from exporters.zipwriter import write_zip
from media.assets import Asset, BlockMedia


def check_package(path, fmt=None) -> list[str]:
    """The package check's problems as the lines the CLI prints."""
    return [str(problem) for problem in package_problems(path, fmt)]

SAMPLE = Path(__file__).resolve().parents[1] / "courses" / "samples" / "security-basics"


def zip_bytes(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def broken_course(folder: Path) -> Path:
    write_course_folder(folder)
    text = (folder / "course.yaml").read_text(encoding="utf-8")
    (folder / "course.yaml").write_text(text.replace("passing_score: 75", "passing_score: 175"), encoding="utf-8")
    return folder


@pytest.mark.parametrize("fmt", FORMATS)
def test_rebuild_is_byte_identical(fmt, tmp_path):
    """Two builds from two copies of the course, with different file times, in two folders."""
    first = write_course_folder(tmp_path / "one" / "course")
    second = tmp_path / "two" / "course"
    shutil.copytree(first, second)
    for path in second.rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    a = build_package(first, fmt, tmp_path / "a" / "out.zip")
    b = build_package(second, fmt, tmp_path / "b" / "out.zip")
    assert a.path.read_bytes() == b.path.read_bytes()
    assert a.size == a.path.stat().st_size and a.files == len(zip_bytes(a.path))


def test_zip_entries_are_sorted_with_fixed_metadata(built_packages):
    with zipfile.ZipFile(built_packages["scorm2004"]) as zf:
        infos = zf.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names) and not any(n.endswith("/") for n in names)
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.external_attr >> 16 == 0o100644
        stored = info.filename.endswith((".png", ".webp", ".jpg", ".mp4", ".m4a", ".woff2"))
        assert info.compress_type == (zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED), info.filename


def test_each_format_renders_the_player_with_its_tracking_and_copies_media(built_packages):
    media_entries = []
    for fmt, package in built_packages.items():
        files = zip_bytes(package)
        assert "index.html" in files
        assert json.loads(files["course.json"])["tracking"] == EXPORTERS[fmt].tracking
        assert ("imsmanifest.xml" in files) == (fmt != "web")
        media_entries.append({name: data for name, data in files.items() if name.startswith("media/")})
    assert media_entries[0] and all(entries == media_entries[0] for entries in media_entries)
    assert any(name.endswith((".png", ".webp", ".jpg")) and data for name, data in media_entries[0].items())


def test_web_package_has_no_manifest_and_launches_at_index(built_packages):
    names = set(zip_bytes(built_packages["web"]))
    assert "imsmanifest.xml" not in names and "index.html" in names
    assert check_package(built_packages["web"], "web") == []


def test_failed_build_writes_nothing_and_keeps_an_earlier_zip(tmp_path):
    course = broken_course(tmp_path / "course")
    fresh = tmp_path / "out" / "fresh.zip"
    with pytest.raises(CourseLoadError) as error:
        build_package(course, "scorm12", fresh)
    assert any("passing_score" in str(p) for p in error.value.problems)
    assert not fresh.exists()
    earlier = tmp_path / "earlier.zip"
    earlier.write_bytes(b"earlier build")
    with pytest.raises(CourseLoadError):
        build_package(course, "scorm12", earlier)
    assert earlier.read_bytes() == b"earlier build"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course", "earlier.zip"]


def test_zip_writer_failing_midway_leaves_no_partial_file(tmp_path):
    out = tmp_path / "pkg.zip"
    with pytest.raises(FileNotFoundError):
        write_zip(out, {"a.html": b"<p>a</p>", "b.mp4": tmp_path / "missing.mp4"})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["../evil.html", "/abs.html", "a/../../b", "C:/x.html", "a\\b.html"])
def test_zip_writer_refuses_unsafe_names(name, tmp_path):
    with pytest.raises(ValueError, match="unsafe package path"):
        write_zip(tmp_path / "pkg.zip", {name: b"x"})
    assert list(tmp_path.iterdir()) == []


def test_two_media_files_with_one_package_path_are_refused(package_course_dir, tmp_path):
    course = load_course(package_course_dir)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "plan.png").write_bytes(folder.encode())
    media = {"i-plan": BlockMedia("i-plan", sources=[Asset(tmp_path / "a" / "plan.png", "media/plan.png", "image/png"),
                                                     Asset(tmp_path / "b" / "plan.png", "media/plan.png", "image/png")])}
    with pytest.raises(BuildError, match="media/plan.png would hold both"):
        assemble(course, FolderSource(package_course_dir), media, EXPORTERS["scorm12"])


def test_media_may_not_replace_a_player_file(package_course_dir, tmp_path):
    course = load_course(package_course_dir)
    (tmp_path / "index.html").write_text("not the player")
    media = {"i-plan": BlockMedia("i-plan", sources=[Asset(tmp_path / "index.html", "index.html", "text/html")])}
    with pytest.raises(BuildError, match="would replace the player's own index.html"):
        assemble(course, FolderSource(package_course_dir), media, EXPORTERS["web"])


def test_build_site_writes_the_package_files_to_a_folder(package_course_dir, built_packages, tmp_path):
    site = tmp_path / "site"
    result = build_site(package_course_dir, "web", site)
    on_disk = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert on_disk == zip_bytes(built_packages["web"])
    assert result.files == len(on_disk) and result.size == sum(map(len, on_disk.values()))
    (site / "stale.html").write_text("from an older build")
    build_site(package_course_dir, "web", site)
    assert not (site / "stale.html").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no temporary folders left behind


def test_build_site_refuses_a_folder_that_is_not_a_build(package_course_dir, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(BuildError, match="does not hold an earlier build"):
        build_site(package_course_dir, "web", tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_cli_build_prints_path_and_size_with_default_name(package_course_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["build", str(package_course_dir), "--format", "scorm2004"])
    assert result.exit_code == 0, result.output
    out = tmp_path / f"{PACKAGE_COURSE['id']}-scorm2004.zip"
    assert out.is_file()
    assert str(out) in result.output and "KB" in result.output


def test_cli_build_lists_every_course_problem_and_exits_1(tmp_path):
    course = broken_course(tmp_path / "course")
    data = yaml.safe_load((course / "course.yaml").read_text(encoding="utf-8"))
    data["sections"][0]["pages"][0]["blocks"][1]["src"] = "media/missing.png"
    (course / "course.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(course), "-o", str(tmp_path / "x.zip")])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("course.yaml:")]
    assert len(lines) == 2, result.stderr
    assert any("passing_score" in line for line in lines) and any("media/missing.png" in line for line in lines)
    assert not (tmp_path / "x.zip").exists()


@pytest.mark.slow
@pytest.mark.xdist_group("sample-course-media")  # one worker: the first build fills the media cache
@pytest.mark.parametrize("fmt", FORMATS)
def test_sample_course_builds_in_every_format(fmt, tmp_path, scorm_validator):
    result = build_package(SAMPLE, fmt, tmp_path / f"sample-{fmt}.zip")
    assert check_package(result.path, fmt) == []
    if fmt != "web":
        code, output = scorm_validator(result.path)
        assert code == 0, output
    names = set(zip_bytes(result.path))
    course = load_course(SAMPLE)
    assert {f"pages/{page.id}.html" for page in course.pages()} <= names


def test_progress_reports_each_stage_and_ends_with_the_zip(package_course_dir, tmp_path):
    calls: list[tuple[str, float]] = []
    build_package(package_course_dir, "scorm12", tmp_path / "p.zip", progress=lambda what, done: calls.append((what, done)))
    assert ("rendering the player", 1.0) in calls
    assert calls[-1] == ("writing p.zip", 1.0)
    assert all(0.0 <= done <= 1.0 for _, done in calls)


def test_every_asset_of_a_block_is_packaged(package_course_dir, tmp_path):
    course = load_course(package_course_dir)
    names = ["v.mp4", "poster.jpg", "v.vtt", "master.m3u8", "v-360.m3u8", "v-360-0.ts"]
    for name in names:
        (tmp_path / name).write_bytes(name.encode())
    asset = {name: Asset(tmp_path / name, f"media/{name}", "application/octet-stream") for name in names}
    media = {"i-plan": BlockMedia("i-plan", sources=[asset["v.mp4"]], poster=asset["poster.jpg"],
                                  captions=asset["v.vtt"], hls=asset["master.m3u8"],
                                  hls_files=[asset["v-360.m3u8"], asset["v-360-0.ts"]])}
    files = assemble(course, FolderSource(package_course_dir), media, EXPORTERS["web"])
    assert {f"media/{name}" for name in names} <= set(files)
    assert all(files[f"media/{name}"] == tmp_path / name for name in names)
