"""Zips built to hurt: packages given to `courseforge validate`, zipped course folders given to
`validate` and `build`. Each is refused with an exact message by the one set of archive rules
(``courses.archive``) and, when unpacking was attempted, nothing is left behind or written
outside the folder it was unpacked into.
"""
from __future__ import annotations

import io
import stat
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_course_folder

import exporters.check
from cli.main import cli
from courses.archive import ArchiveError, ArchiveLimits, extract
from exporters.check import check_package as package_problems


def check_package(path, fmt=None) -> list[str]:
    """The package check's problems as the lines the CLI prints."""
    return [str(problem) for problem in package_problems(path, fmt)]

LAUNCH = ("index.html", b"<!doctype html><title>x</title>")
ZEROS = bytes((1 << 20) - 1)  # just under the size from which each entry's own ratio is checked


def listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def make_zip(path: Path, entries: list[tuple[zipfile.ZipInfo | str, bytes]], level: int | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for info, data in entries:
            zf.writestr(info, data)
    return path


def patch(path: Path, old: bytes, new: bytes) -> Path:
    """Replace ``old`` by ``new`` (same length) everywhere in the file: in both the local header
    and the central directory, as a hand-made hostile zip would have it."""
    assert len(old) == len(new)
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new))
    return path


def set_flag(path: Path, name: bytes, flag: int) -> Path:
    """Set a general-purpose flag bit of entry ``name`` in both of its headers."""
    data = bytearray(path.read_bytes())
    at = data.find(name)
    while at != -1:
        if data[at - 30:at - 26] == b"PK\x03\x04":
            data[at - 30 + 6] |= flag
        elif data[at - 46:at - 42] == b"PK\x01\x02":
            data[at - 46 + 8] |= flag
        at = data.find(name, at + 1)
    path.write_bytes(bytes(data))
    return path


def declare_sizes(path: Path, size: int) -> Path:
    """Make every central-directory record claim ``size`` unpacked bytes (the data stays tiny)."""
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at != -1:
        data[at + 24:at + 28] = size.to_bytes(4, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    return path


def symlink_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def slip(p: Path) -> Path:
    return make_zip(p, [LAUNCH, ("../evil.sh", b"#!/bin/sh\n")])


def absolute(p: Path) -> Path:
    return make_zip(p, [LAUNCH, ("/tmp/evil.sh", b"#!/bin/sh\n")])


def link(p: Path) -> Path:
    return make_zip(p, [LAUNCH, (symlink_info("media/passwd"), b"/etc/passwd")])


def encrypted(p: Path) -> Path:
    return set_flag(make_zip(p, [LAUNCH, ("secret.html", b"x" * 40)]), b"secret.html", 0x1)


def duplicate(p: Path) -> Path:
    with pytest.warns(UserWarning, match="Duplicate name"):
        return make_zip(p, [LAUNCH, ("index.html", b"<p>other</p>")])


def case_collision(p: Path) -> Path:
    return make_zip(p, [("INDEX.html", b"<p>upper</p>"), LAUNCH])


def folder_case_collision(p: Path) -> Path:
    return make_zip(p, [LAUNCH, ("Media/a.png", b"a"), ("media/b.png", b"b")])


def raw_name(p: Path) -> Path:
    # No UTF-8 flag, and a byte that is not ASCII: each tool decodes it in its own code page.
    return patch(make_zip(p, [LAUNCH, ("cafX.html", b"x")]), b"cafX.html", b"caf\xe9.html")


def bad_utf8(p: Path) -> Path:
    # Marked as UTF-8 (zipfile sets the flag for a non-ASCII name), but the bytes are not UTF-8.
    return patch(make_zip(p, [LAUNCH, ("café.html", b"x")]), "café".encode(), b"caf\xff\xfe")


def escape_name(p: Path) -> Path:
    return make_zip(p, [LAUNCH, ("evil\x1b[2J.html", b"x")])


def nul_name(p: Path) -> Path:
    # zipfile would cut the name at the NUL, making it a second index.html
    return patch(make_zip(p, [LAUNCH, ("index.htmlZ.exe", b"MZ")]), b"index.htmlZ.exe", b"index.html\x00.exe")


def file_and_folder(p: Path) -> Path:
    return make_zip(p, [LAUNCH, ("media", b"a file"), ("media/a.png", b"png")])


def file_and_folder_entry(p: Path) -> Path:
    return make_zip(p, [LAUNCH, ("media", b"a file"), ("media/", b"")])


def small_zeros(p: Path) -> Path:
    # 200 entries just under 1 MiB of zeros: each passes the per-entry check, the whole is a bomb
    return make_zip(p, [LAUNCH] + [(f"media/z{i:03}.bin", ZEROS) for i in range(200)], level=9)


def declared_4gb(p: Path) -> Path:
    # 4,200 tiny entries whose headers each declare just under 1 MiB: 4.4 GB declared
    return declare_sizes(make_zip(p, [(f"media/z{i:04}.bin", b"") for i in range(4200)]), len(ZEROS))


def lying_header(p: Path) -> Path:
    # The header declares 1,000 bytes, the entry holds 100,000: only the declared bytes come out
    path = make_zip(p, [LAUNCH, ("notes.txt", b"n" * 100_000)])
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while data[at + 46:at + 55] != b"notes.txt":
        at = data.find(b"PK\x01\x02", at + 4)
    data[at + 24:at + 28] = (1000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


UNSAFE_PATH = "unsafe path: it would be written outside the folder it is unpacked into (absolute, drive or '..' path)"
HOSTILE = {
    slip: [f"../evil.sh: {UNSAFE_PATH}"],
    absolute: [f"/tmp/evil.sh: {UNSAFE_PATH}"],
    link: ["media/passwd: symbolic link entry: a zip may only hold files and folders"],
    encrypted: ["secret.html: encrypted entry: it cannot be read without its password; zip the files again without "
                "encryption"],
    duplicate: ["index.html: appears more than once in the zip"],
    case_collision: ["index.html: 'index.html' and 'INDEX.html' differ only in letter case: unpacked on Windows or "
                     "macOS, one would overwrite the other; rename one"],
    folder_case_collision: ["media/b.png: 'media' and 'Media' differ only in letter case: unpacked on Windows or "
                            "macOS, one would overwrite the other; rename one"],
    raw_name: ["cafΘ.html: the name is neither plain ASCII nor marked as UTF-8, so every system reads it "
               "differently; zip the files again with a tool that writes UTF-8 names"],
    bad_utf8: ["{zip}: an entry name is marked as UTF-8 but is not valid UTF-8; zip the files again"],
    escape_name: ["'evil\\x1b[2J.html': the name holds the control character U+001B; rename the file"],
    nul_name: ["index.html: the name holds the control character U+0000; rename the file"],
    file_and_folder: ["media/a.png: 'media' is a file in the zip, so it cannot also be a folder"],
    file_and_folder_entry: ["media/: 'media' is a file in the zip, so it cannot also be a folder"],
    small_zeros: ["{zip}: unpacks to 209715031 bytes from {size}, {ratio} times its size (limit 20): "
                  "looks like a zip bomb"],
    declared_4gb: ["{zip}: unpacks to 4404015000 bytes, more than the 4 GiB limit: looks like a zip bomb",
                   "{zip}: unpacks to 4404015000 bytes from {size}, {ratio} times its size (limit 20): "
                   "looks like a zip bomb"],
}


def expected(lines: list[str], path: Path) -> list[str]:
    size = path.stat().st_size
    total = sum(i.file_size for i in zipfile.ZipFile(path).infolist()) if "{ratio}" in "".join(lines) else 0
    return [line.format(zip=path.name, size=size, ratio=f"{total / size:.0f}") for line in lines]


@pytest.fixture
def area(tmp_path: Path) -> Path:
    """Where zips are unpacked: ``tmp_path/area``, whose whole parent is compared before and after."""
    (tmp_path / "area").mkdir()
    return tmp_path / "area"


@pytest.mark.parametrize("build", list(HOSTILE), ids=[b.__name__ for b in HOSTILE])
def test_hostile_zip_is_refused_by_the_package_check_and_by_unpacking(build, tmp_path, area):
    path = build(tmp_path / f"{build.__name__}.zip")
    messages = expected(HOSTILE[build], path)
    before = listing(tmp_path)
    assert check_package(path) == messages
    with pytest.raises(ArchiveError) as caught:
        extract(path, area)
    assert [str(p) for p in caught.value.problems] == messages
    assert listing(tmp_path) == before


def test_many_small_bombs_are_one_big_one(tmp_path):
    path = small_zeros(tmp_path / "bomb.zip")
    infos = zipfile.ZipFile(path).infolist()
    assert all(i.file_size < (1 << 20) for i in infos)
    assert sum(i.file_size for i in infos) / path.stat().st_size > 900


def test_entry_count_is_read_before_the_entries(tmp_path, area):
    path = make_zip(tmp_path / "many.zip", [(f"f{i}.txt", b"x") for i in range(11)])
    before = listing(tmp_path)
    with pytest.raises(ArchiveError) as caught:
        extract(path, area, ArchiveLimits(max_entries=10))
    assert [str(p) for p in caught.value.problems] == ["many.zip: 11 entries, more than the limit of 10"]
    assert listing(tmp_path) == before


def test_a_lying_header_gets_no_further_than_its_declared_size(tmp_path, area):
    path = lying_header(tmp_path / "lying.zip")
    before = listing(tmp_path)
    assert check_package(path) == ["notes.txt: damaged entry (checksum mismatch)"]
    with pytest.raises(ArchiveError) as caught:
        extract(path, area)
    assert [str(p) for p in caught.value.problems] == ["notes.txt: damaged entry (Bad CRC-32 for file 'notes.txt')"]
    assert listing(tmp_path) == before


def test_bytes_are_counted_as_they_come_out(tmp_path, area, monkeypatch):
    # zipfile itself stops at the declared size; a reader that trusted the data instead would
    # still be stopped by the running count, before the bytes past the declared size are written.
    path = make_zip(tmp_path / "big.zip", [LAUNCH, ("a.txt", b"a" * 600)])
    opened = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, info, *args, **kwargs: (
        io.BytesIO(b"a" * (10 << 20)) if info.filename == "a.txt" else opened(self, info, *args, **kwargs)))
    before = listing(tmp_path)
    with pytest.raises(ArchiveError) as caught:
        extract(path, area)
    assert [str(p) for p in caught.value.problems] == ["a.txt: holds more than the 600 bytes its header declares: "
                                                       "refused"]
    assert listing(tmp_path) == before


def test_a_name_too_long_for_the_file_system_is_a_problem_not_a_crash(tmp_path, area):
    path = make_zip(tmp_path / "long.zip", [("n" * 300 + ".txt", b"x")])
    with pytest.raises(ArchiveError) as caught:
        extract(path, area)
    assert [str(p) for p in caught.value.problems] == [f"{'n' * 117}...: could not be unpacked: File name too long"]
    assert listing(area) == []


def test_a_safe_zip_unpacks_into_a_fresh_folder_only(tmp_path, area):
    path = make_zip(tmp_path / "ok.zip", [LAUNCH, ("media/", b""), ("media/a.txt", b"a"), ("__MACOSX/._a", b"junk")])
    folder = extract(path, area)
    assert folder.parent == area and folder.name.startswith("courseforge-unpack-")
    assert listing(folder) == ["index.html", "media", "media/a.txt"]
    assert (folder / "media" / "a.txt").read_bytes() == b"a"
    assert listing(area) == [folder.name] + [f"{folder.name}/{name}" for name in listing(folder)]


# --------------------------------------------------------------------------- manifests
MANIFEST = b"""<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<manifest xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" identifier="m">&e;</manifest>
"""


def test_manifest_with_an_external_entity_is_refused(tmp_path):
    path = make_zip(tmp_path / "xxe.zip", [("imsmanifest.xml", MANIFEST), LAUNCH])
    assert check_package(path) == [
        "imsmanifest.xml:2: declares a DOCTYPE or an entity; a manifest needs neither, and what one names is never "
        "fetched: remove the declaration"]


def test_manifest_declaring_a_doctype_in_utf16_is_refused(tmp_path):
    text = MANIFEST.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
    path = make_zip(tmp_path / "xxe16.zip", [("imsmanifest.xml", text.encode("utf-16")), LAUNCH])
    assert check_package(path) == [
        "imsmanifest.xml: declares a DOCTYPE or an entity; a manifest needs neither, and what one names is never "
        "fetched: remove the declaration"]


# --------------------------------------------------------------------------- zipped course folders
def zip_folder(folder: Path, path: Path, top: str | None = None,
               extra: list[tuple[zipfile.ZipInfo | str, bytes]] = ()) -> Path:
    entries: list[tuple[zipfile.ZipInfo | str, bytes]] = []
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = file.relative_to(folder).as_posix()
        entries.append((f"{top}/{name}" if top else name, file.read_bytes()))
    return make_zip(path, entries + list(extra))


def validate(path: Path):
    return CliRunner().invoke(cli, ["validate", str(path)])


@pytest.mark.parametrize("top", [None, "my-course"])
def test_validate_a_zipped_course_folder(tmp_path, top):
    path = zip_folder(write_course_folder(tmp_path / "course"), tmp_path / "course.zip", top)
    result = validate(path)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"OK: {path}: zipped course folder has no problems\n"


def test_validate_reports_the_problems_of_a_zipped_course(tmp_path):
    course = write_course_folder(tmp_path / "course")
    (course / "text" / "intro.md").unlink()
    path = zip_folder(course, tmp_path / "course.zip", "my-course")
    result = validate(path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}: zipped course folder: 1 problem:",
        "course.yaml:16: sections[0].pages[0].blocks[0].file: file text/intro.md not found"]


def test_validate_refuses_a_hostile_zipped_course_before_unpacking(tmp_path):
    path = zip_folder(write_course_folder(tmp_path / "course"), tmp_path / "course.zip",
                      extra=[("../../evil.sh", b"#!/bin/sh\n")])
    before = listing(tmp_path)
    result = validate(path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"{path}: zipped course folder: 1 problem:",
                                          f"../../evil.sh: {UNSAFE_PATH}"]
    assert listing(tmp_path) == before


def test_validate_says_a_package_is_a_package(built_packages):
    result = validate(built_packages["web"])
    assert result.exit_code == 0 and result.stdout == f"OK: {built_packages['web']}: package has no problems\n"


def test_build_from_a_zipped_course_folder(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    path = zip_folder(write_course_folder(tmp_path / "course"), tmp_path / "course.zip", "my-course")
    out = tmp_path / "out.zip"
    result = CliRunner().invoke(cli, ["build", str(path), "--format", "web", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert check_package(out, "web") == []
    assert listing(tmp_path / "tmp") == []  # the unpacked course is gone


def test_build_refuses_a_zip_that_is_not_a_course(tmp_path):
    path = make_zip(tmp_path / "site.zip", [LAUNCH])
    result = CliRunner().invoke(cli, ["build", str(path), "--format", "web", "-o", str(tmp_path / "out.zip")])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}: nothing was built: 1 problem in the zip:",
        "site.zip: not a zipped course folder: no course.yaml at the root of the zip or in its single top folder"]
    assert not (tmp_path / "out.zip").exists()


def test_package_limits_are_the_archive_limits(monkeypatch, tmp_path):
    monkeypatch.setattr(exporters.check, "LIMITS", replace(exporters.check.LIMITS, max_entries=1))
    path = make_zip(tmp_path / "two.zip", [LAUNCH, ("a.txt", b"a")])
    assert check_package(path) == ["two.zip: 2 entries, more than the limit of 1"]
