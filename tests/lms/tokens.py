"""The identifiers the player sends to an LMS for stable ids (player/static/js/tracking/formats.js
lmsToken), written out again here as the tests' independent statement of the documented mapping."""
from __future__ import annotations

import re


def lms_token(stable_id: str) -> str:
    """``c-gift-verify`` -> ``c_gift_verify``; an id holding ``_`` -> ``_`` + ('-' -> '_0', '_' -> '_1')."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*", stable_id):
        return stable_id.replace("-", "_")
    return "_" + "".join("_0" if c == "-" else "_1" if c == "_" else c if c.isascii() and c.isalnum()
                         else f"_2{ord(c):06x}" for c in stable_id)
