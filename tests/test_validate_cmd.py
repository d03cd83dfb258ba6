"""`courseforge validate`: hostile and broken packages are named for what they are."""
from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_course_folder

import exporters.check
from cli.main import cli
from exporters.check import check_package as package_problems


def check_package(path, fmt=None) -> list[str]:
    """The package check's problems as the lines the CLI prints."""
    return [str(problem) for problem in package_problems(path, fmt)]


def rezip(source: Path, target: Path, drop: tuple[str, ...] = (), replace: dict[str, bytes] | None = None,
          extra: list[tuple[zipfile.ZipInfo | str, bytes]] = ()) -> Path:
    """A copy of the package ``source`` with entries dropped, replaced or added."""
    replace = replace or {}
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename not in drop:
                dst.writestr(info, replace.get(info.filename, src.read(info)))
        for info, data in extra:
            dst.writestr(info, data)
    return target


def validate(path: Path, *options: str):
    return CliRunner().invoke(cli, ["validate", str(path), *options])


def test_built_packages_are_ok(built_packages):
    for fmt, package in built_packages.items():
        assert check_package(package) == []
        result = validate(package, "--format", fmt)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("OK: ")


@pytest.mark.parametrize("name", ["../evil.sh", "pages/../../evil.sh", "/etc/evil.sh", "C:/evil.sh"])
def test_zip_slip_and_absolute_paths(name, built_packages, tmp_path):
    package = rezip(built_packages["scorm12"], tmp_path / "slip.zip", extra=[(name, b"#!/bin/sh\n")])
    result = validate(package)
    assert result.exit_code == 1
    assert f"{name}: unsafe path: it would be written outside the folder it is unpacked into" in result.stderr


def test_symlink_entry(built_packages, tmp_path):
    link = zipfile.ZipInfo("media/passwd")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    package = rezip(built_packages["scorm12"], tmp_path / "link.zip", extra=[(link, b"/etc/passwd")])
    assert check_package(package) == [
        "media/passwd: symbolic link entry: a zip may only hold files and folders"]


def test_zip_bomb_ratio(built_packages, tmp_path):
    package = rezip(built_packages["web"], tmp_path / "bomb.zip", extra=[("media/zeros.bin", bytes(30 << 20))])
    entry, whole = check_package(package)
    assert entry.startswith("media/zeros.bin: expands ") and entry.endswith("looks like a zip bomb")
    assert whole.startswith("bomb.zip: unpacks to ") and whole.endswith("(limit 20): looks like a zip bomb")


def test_compressible_small_files_are_not_bombs(built_packages, tmp_path):
    package = rezip(built_packages["web"], tmp_path / "spaces.zip", extra=[("notes.txt", b" " * 500_000)])
    assert check_package(package) == []


def test_not_a_zip(tmp_path):
    fake = tmp_path / "course.zip"
    fake.write_bytes(b"<html>definitely not a zip</html>")
    result = validate(fake)
    assert result.exit_code == 1
    assert "course.zip: not a zip file" in result.stderr


def test_manifest_missing(built_packages, tmp_path):
    package = rezip(built_packages["scorm2004"], tmp_path / "nomanifest.zip", drop=("imsmanifest.xml",))
    assert check_package(package, "scorm2004") == [
        "imsmanifest.xml: missing at the zip root: not a SCORM 2004 package"]
    bare = rezip(built_packages["scorm2004"], tmp_path / "bare.zip", drop=("imsmanifest.xml", "index.html"))
    assert check_package(bare) == [
        "imsmanifest.xml: missing, and no index.html either at the zip root: neither a SCORM nor a web package"]


def test_manifest_in_a_subfolder(built_packages, tmp_path):
    with zipfile.ZipFile(built_packages["scorm12"]) as zf:
        manifest = zf.read("imsmanifest.xml")
    package = rezip(built_packages["scorm12"], tmp_path / "nested.zip", drop=("imsmanifest.xml",),
                    extra=[("course/imsmanifest.xml", manifest)])
    assert check_package(package) == ["imsmanifest.xml: missing at the zip root (found course/imsmanifest.xml): "
                                      "zip the folder's contents, not the folder"]


def test_manifest_invalid_against_the_schemas(built_packages, tmp_path):
    with zipfile.ZipFile(built_packages["scorm12"]) as zf:
        manifest = zf.read("imsmanifest.xml")
    broken = manifest.replace(b'adlcp:scormtype="sco"', b'adlcp:scormtype="lesson"')
    assert broken != manifest
    package = rezip(built_packages["scorm12"], tmp_path / "invalid.zip", replace={"imsmanifest.xml": broken})
    result = validate(package)
    assert result.exit_code == 1
    problems = result.stderr.splitlines()[1:]
    assert problems and all(p.startswith("imsmanifest.xml:") for p in problems)
    assert any("[XSD]" in p and "scormtype" in p and "lesson" in p for p in problems), result.stderr


def test_manifest_not_well_formed(built_packages, tmp_path):
    package = rezip(built_packages["scorm2004"], tmp_path / "bad.zip",
                    replace={"imsmanifest.xml": b"<?xml version='1.0'?>\n<manifest><organizations>"})
    [problem] = check_package(package)
    assert problem.startswith("imsmanifest.xml:2: not well-formed XML")


def test_referenced_file_missing(built_packages, tmp_path):
    package = rezip(built_packages["scorm2004"], tmp_path / "missing.zip", drop=("pages/p-quiz.html",))
    [problem] = check_package(package)
    assert problem.endswith(": file pages/p-quiz.html (resource SCO-1st-aid) is not in the zip")


def test_launch_page_missing(built_packages, tmp_path):
    package = rezip(built_packages["scorm12"], tmp_path / "nolaunch.zip", drop=("index.html",))
    problems = check_package(package)
    assert any(p.endswith(": launch page index.html (resource SCO-1st-aid) is not in the zip") for p in problems)
    web = rezip(built_packages["web"], tmp_path / "web.zip", drop=("index.html",))
    assert check_package(web, "web") == ["index.html: launch page missing at the zip root"]


def test_format_mismatch(built_packages):
    assert check_package(built_packages["scorm12"], "scorm2004") == [
        "imsmanifest.xml: is a SCORM 1.2 manifest, expected SCORM 2004"]
    assert check_package(built_packages["scorm2004"], "web") == [
        "imsmanifest.xml: at the zip root: this is a SCORM package, not a web package"]


def test_without_the_official_schemas_the_package_is_not_passed(built_packages, tmp_path, monkeypatch):
    monkeypatch.setattr(exporters.check, "VALIDATOR", tmp_path / "validate.py")
    [problem] = check_package(built_packages["scorm12"])
    assert problem.startswith("imsmanifest.xml: not checked against the official SCORM schemas")


def test_course_folders(tmp_path):
    good = write_course_folder(tmp_path / "good")
    result = validate(good)
    assert result.exit_code == 0 and result.stdout.startswith("OK: ")
    bad = write_course_folder(tmp_path / "bad")
    text = (bad / "course.yaml").read_text(encoding="utf-8")
    (bad / "course.yaml").write_text(text.replace("text/intro.md", "text/gone.md"), encoding="utf-8")
    result = validate(bad)
    assert result.exit_code == 1
    assert any(line.startswith("course.yaml:") and "text/gone.md" in line for line in result.stderr.splitlines())


def test_missing_path(tmp_path):
    result = validate(tmp_path / "nothing-here.zip")
    assert result.exit_code == 1
    assert "no such course folder, zipped course folder or package zip" in result.stderr


def test_total_size_limit(built_packages, monkeypatch):
    monkeypatch.setattr(exporters.check, "LIMITS", replace(exporters.check.LIMITS, max_total_bytes=1000))
    [problem] = check_package(built_packages["web"])
    assert problem.startswith(f"{built_packages['web'].name}: unpacks to ")
    assert problem.endswith("more than the 1000 bytes limit: looks like a zip bomb")


def test_duplicate_entries(built_packages, tmp_path):
    with pytest.warns(UserWarning, match="Duplicate name"):
        package = rezip(built_packages["web"], tmp_path / "dup.zip", extra=[("index.html", b"<p>other</p>")])
    assert check_package(package) == ["index.html: appears more than once in the zip"]


def test_encrypted_entry(built_packages, tmp_path):
    package = rezip(built_packages["web"], tmp_path / "enc.zip", extra=[("pages/secret.html", b"\x00" * 40)])
    # zipfile never writes the "encrypted" flag itself: set it in the local and central headers.
    data = bytearray(package.read_bytes())
    name = b"pages/secret.html"
    at = data.find(name)
    while at != -1:
        if data[at - 30:at - 26] == b"PK\x03\x04":
            data[at - 30 + 6] |= 0x1
        elif data[at - 46:at - 42] == b"PK\x01\x02":
            data[at - 46 + 8] |= 0x1
        at = data.find(name, at + 1)
    package.write_bytes(bytes(data))
    assert check_package(package) == ["pages/secret.html: encrypted entry: it cannot be read without its password; "
                                      "zip the files again without encryption"]


def test_validate_prints_the_resume_data_figure_of_a_course(tmp_path):
    good = write_course_folder(tmp_path / "good")
    result = validate(good)
    assert result.exit_code == 0
    ok, figure = result.stdout.splitlines()
    assert ok == f"OK: {good}: course has no problems"
    assert re.fullmatch(r"resume data: at most \d+ characters \(\d+ % of the 4,096 SCORM 1\.2 keeps, "
                        r"\d+ % of the 64,000 SCORM 2004 keeps\)", figure), figure


def test_validate_fix_ids_writes_the_missing_ids_then_checks(tmp_path):
    folder = write_course_folder(tmp_path / "course")
    text = (folder / "course.yaml").read_text(encoding="utf-8")
    (folder / "course.yaml").write_text(re.sub(r"(?m)^ *id: q-2\n", "", text, count=1), encoding="utf-8")
    assert validate(folder).exit_code == 1
    result = CliRunner().invoke(cli, ["validate", "--fix-ids", str(folder)])
    assert result.exit_code == 0, result.output
    added, ok, _ = result.stdout.splitlines()
    assert re.fullmatch(r"course\.yaml:\d+: sections\[0\]\.pages\[1\]\.blocks\[0\]\.questions\[1\]\.id: added q-\S+", added)
    assert ok == f"OK: {folder}: course has no problems"
