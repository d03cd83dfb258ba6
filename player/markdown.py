"""Author Markdown -> safe HTML for the player.

Course text comes from authors, but packages are opened inside an LMS's page, so nothing an
author writes may run script there: Markdown is rendered by markdown-it-py (CommonMark + tables)
and the result always goes through nh3's allow-list sanitiser. Links open in a new tab because a
link followed inside the course frame would unload the page that holds the tracking session.
Headings are shifted so that a block's highest heading is an ``h2``: the page title is the only
``h1`` of a page, and levels are never skipped below it (screen-reader users navigate by them).
"""

from __future__ import annotations

import html
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

_TAGS = nh3.ALLOWED_TAGS - {"center", "acronym", "tt", "strike", "map", "area", "header", "footer", "nav"}
_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "a": {"href", "hreflang", "title"},
    "img": {"src", "alt", "width", "height", "title"},
    "th": nh3.ALLOWED_ATTRIBUTES["th"] | {"style"},
    "td": nh3.ALLOWED_ATTRIBUTES["td"] | {"style"},
    "code": {"class"},
    "abbr": {"title"},
}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "typographer": False}).enable("table")
    md.add_render_rule("heading_open", _shifted_heading)
    md.add_render_rule("heading_close", _shifted_heading)
    return md


def _shifted_heading(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    level = max(2, min(int(token.tag[1]) + env.get("heading_shift", 1), 6))
    return f"<h{level}>" if token.nesting == 1 else f"</h{level}>\n"


def _clean(raw: str) -> str:
    return nh3.clean(
        raw,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"a": {"target": "_blank"}},
        filter_style_properties={"text-align"},
        url_schemes={"http", "https", "mailto", "tel"},
    )


def render_markdown(text: str) -> str:
    """Block Markdown (paragraphs, lists, tables...) as sanitised HTML."""
    md = _parser()
    tokens = md.parse(text)
    levels = [int(token.tag[1]) for token in tokens if token.type == "heading_open"]
    env = {"heading_shift": 2 - min(levels) if levels else 1}
    return _clean(md.renderer.render(tokens, md.options, env))


def render_inline(text: str) -> str:
    """One line of Markdown (emphasis, code, links) as sanitised phrasing HTML, for legends and labels."""
    return _clean(_parser().renderInline(text))


def plain_text(text: str) -> str:
    """Markdown reduced to its words, e.g. a question prompt as an LMS interaction description."""
    stripped = nh3.clean(
        _parser().renderInline(" ".join(text.split())), tags=set(), clean_content_tags={"script", "style"}
    )
    return html.unescape(stripped).strip()
