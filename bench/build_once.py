"""One media build in a fresh process, as `courseforge build` would do it: `python -m bench.build_once COURSE`.

The parent sets COURSEFORGE_CACHE_DIR, COURSEFORGE_JOBS and PATH (with the tool-logging shims)
and reads one JSON line back: seconds spent loading the course and in ``prepare_course``. A fresh
process per build means nothing (tool versions, imports, open files) carries over between builds.
"""

from __future__ import annotations

import json
import sys
import time


def main(course_dir: str) -> None:
    from courses.loader import load_course
    from courses.source import FolderSource
    from media.pipeline import prepare_course
    from settings import Settings

    start = time.perf_counter()
    course = load_course(course_dir)
    loaded = time.perf_counter()
    media = prepare_course(course, FolderSource(course_dir), Settings())
    done = time.perf_counter()
    files = {a.source for m in media.values() for a in [*m.sources, m.poster, m.captions] if a is not None}
    print(
        json.dumps(
            {
                "load_s": loaded - start,
                "prepare_s": done - loaded,
                "blocks": len(media),
                "files": len(files),
                "bytes": sum(f.stat().st_size for f in files),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
