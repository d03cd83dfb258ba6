"""``/review/<token>``: the page a reviewer without an account opens from a review link. The
course as a learner sees it (the web player of the link's revision, served file by file below
``/review/<token>/player/`` by ``authoring.revision_player``) beside a panel to pin comments to a
block, a question or a second of a video and to reply (``static/review.js``, through the
``/api/review/<token>`` calls of ``authoring.views.review_api``).

An unknown link is a 404 page and one that expired or was revoked a 410 page saying so, for the
page and for every file of the player alike: nothing of the course is shown through it.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from authoring.context import db
from authoring.problems import ApiProblem
from authoring.review import BODY_MAX_CHARS, NAME_MAX_CHARS, open_link
from authoring.revision_player import launch_answer, package_file_answer, page_answer
from authoring.revisions import revision_snapshot

blueprint = Blueprint("review_pages", __name__)
PLAYER = "/review/<token>/player"
PRIVATE = "private, no-store"  # the page names its token: kept by no cache


@blueprint.get("/review/<token>")
def review_page(token: str) -> BaseResponse:
    try:
        link, record = open_link(db(), token)
    except ApiProblem as problem:
        return _gone(problem)
    data = {
        "api": url_for("review_api.review", token=token),
        "comments": url_for("review_api.reviewer_comments", token=token),
        "player": url_for("review_pages.launch", token=token),
        "revision": link.revision,
    }
    title = revision_snapshot(db(), record, link.revision).document.get("title") or record.title
    html = render_template(
        "review.html", link=link, title=title, data=data, body_max=BODY_MAX_CHARS, name_max=NAME_MAX_CHARS
    )
    return _private(Response(html, mimetype="text/html"))


def _gone(problem: ApiProblem) -> BaseResponse:
    html = render_template("review-gone.html", status=problem.status, detail=problem.detail)
    return _private(Response(html, status=problem.status, mimetype="text/html"))


def _private(response: BaseResponse) -> BaseResponse:
    response.headers["Cache-Control"] = PRIVATE
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@blueprint.get(f"{PLAYER}/index.html")
def launch(token: str) -> BaseResponse:
    """The web player's launch page at the link's revision: progress kept in this browser."""
    link, record = open_link(db(), token)
    return launch_answer(record, link.revision, "web")


@blueprint.get(f"{PLAYER}/pages/<page>.html")
def page_fragment(token: str, page: str) -> BaseResponse:
    link, record = open_link(db(), token)
    return page_answer(record, link.revision, page)


@blueprint.get(f"{PLAYER}/<path:name>")
def package_file(token: str, name: str) -> BaseResponse:
    """The player's scripts and styles, and the course's media as stored at the link's revision."""
    link, record = open_link(db(), token)
    return package_file_answer(record, link.revision, name)
