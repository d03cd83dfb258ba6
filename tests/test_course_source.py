"""One course, two doors: a course whose files are blobs in storage (as the editor keeps them)
builds byte for byte the same packages as the same course in a folder, and both sources refuse
what a course file may not be."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from courses.errors import CourseLoadError
from courses.loader import load_course, load_source
from courses.source import BlobSource, FileMissing, FileTooLarge, FolderSource, SourceError
from exporters.build import build_course, build_package
from exporters.formats import FORMATS
from storage import BlobStore, CorruptBlob, LocalStorage

SAMPLE = Path(__file__).resolve().parents[1] / "courses" / "samples" / "security-basics"


def stored(folder: Path, tmp_path: Path) -> BlobSource:
    """Every file of the course folder put into a blob store on disk, as the editor's import does."""
    blobs = BlobStore(LocalStorage(tmp_path / "storage"))
    files = {p.relative_to(folder).as_posix(): blobs.put_blob(p.read_bytes())
             for p in sorted(folder.rglob("*")) if p.is_file()}
    return BlobSource(files, blobs, scratch=tmp_path / "scratch")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_course_from_stored_blobs_builds_byte_identical_packages(fmt, package_course_dir, tmp_path):
    source = stored(package_course_dir, tmp_path)
    course = load_source(source)
    assert course == load_course(package_course_dir)
    from_blobs = build_course(course, source, fmt, tmp_path / "blobs.zip")
    from_folder = build_package(package_course_dir, fmt, tmp_path / "folder.zip")
    assert from_blobs.path.read_bytes() == from_folder.path.read_bytes()


@pytest.mark.slow
def test_the_sample_course_with_video_and_narration_builds_the_same_from_blobs(tmp_path):
    source = stored(SAMPLE, tmp_path)
    from_blobs = build_course(load_source(source), source, "scorm2004", tmp_path / "blobs.zip")
    from_folder = build_package(SAMPLE, "scorm2004", tmp_path / "folder.zip")
    assert from_blobs.path.read_bytes() == from_folder.path.read_bytes()


def test_a_stored_course_reports_missing_and_damaged_files_by_their_course_path(package_course_dir, tmp_path):
    source = stored(package_course_dir, tmp_path)
    del source.files["text/intro.md"]
    with pytest.raises(CourseLoadError) as caught:
        load_source(source)
    assert [str(p) for p in caught.value.problems] == [
        "course.yaml:16: sections[0].pages[0].blocks[0].file: file text/intro.md not found"]

    source = stored(package_course_dir, tmp_path)
    sha = source.files["media/Café plan.png"]
    (tmp_path / "storage" / "blobs" / sha[:2] / sha).write_bytes(b"not the picture")
    with pytest.raises(CorruptBlob, match=sha):
        source.local_path("media/Café plan.png")
    with pytest.raises(FileMissing, match="file media/none.png not found"):
        source.size("media/none.png")
    with pytest.raises(SourceError, match="points outside the course folder"):
        source.read("../course.yaml", 100)
    with pytest.raises(FileTooLarge):
        source.read("course.yaml", 10)


def test_a_folder_never_reads_through_a_link_that_leaves_it(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("password: hunter2\n")
    folder = tmp_path / "course"
    (folder / "media").mkdir(parents=True)
    os.symlink(secret, folder / "media" / "notes.md")
    source = FolderSource(folder)
    for call in (lambda: source.read("media/notes.md", 1000), lambda: source.local_path("media/notes.md")):
        with pytest.raises(SourceError) as caught:
            call()
        assert "outside the course folder" in str(caught.value) and "hunter2" not in str(caught.value)
    assert source.siblings("media/other.md") == ["media/notes.md"]
