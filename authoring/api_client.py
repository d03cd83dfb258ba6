"""A small client of the editor's JSON API for ``courseforge push`` and ``pull``: bearer-token
requests over the standard library, and every way a call can go wrong (an unreachable or wrong
server, a refused token, a missing course, a refused upload) turned into one clear message."""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from authoring.problems import PROBLEM_JSON

TIMEOUT_SECONDS = 120


class RemoteError(Exception):
    """A call that failed; the message says what to fix. ``status`` is the HTTP status, when
    the server answered."""

    def __init__(self, message: str, status: int | None = None, body: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body or {}


@dataclass(frozen=True)
class EditorClient:
    server: str
    token: str

    @classmethod
    def connect(cls, server: str, token: str) -> EditorClient:
        """A client for ``server``, refusing a URL that is not http(s) or an empty token."""
        parsed = urllib.parse.urlsplit(server.strip())
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise RemoteError(f"--server: {server!r} is not an http:// or https:// URL of a courseforge editor")
        if not token.strip():
            raise RemoteError("--token: give the API token of your editor account (courseforge users token EMAIL)")
        return cls(f"{parsed.scheme}://{parsed.netloc}{parsed.path.rstrip('/')}", token.strip())

    def get_json(self, path: str) -> dict[str, Any]:
        return _json(self._send(urllib.request.Request(self.server + path)), self.server)

    def download(self, path: str, out: Path) -> None:
        with self._send(urllib.request.Request(self.server + path)) as answer, out.open("wb") as stream:
            while chunk := answer.read(1 << 20):
                stream.write(chunk)

    def post_file(self, path: str, field: str, file: Path, fields: dict[str, str] | None = None) -> dict[str, Any]:
        """POST ``file`` as the multipart field ``field``, with the plain ``fields``."""
        boundary = f"courseforge-{secrets.token_hex(12)}"
        parts: list[bytes] = []
        for name, value in (fields or {}).items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{file.name}"\r\n'
            "Content-Type: application/zip\r\n\r\n".encode()
        )
        parts.append(file.read_bytes())
        parts.append(f"\r\n--{boundary}--\r\n".encode())
        request = urllib.request.Request(
            self.server + path,
            data=b"".join(parts),
            method="POST",
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        return _json(self._send(request), self.server)

    def _send(self, request: urllib.request.Request) -> Any:
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        try:
            return urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS)
        except urllib.error.HTTPError as error:
            raise _refusal(error, self.server) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise RemoteError(
                f"--server: cannot reach {self.server} ({reason}); is the editor running there?"
            ) from None


def _json(answer: Any, server: str) -> dict[str, Any]:
    with answer:
        kind = answer.headers.get_content_type()
        data = answer.read()
    try:
        body = json.loads(data)
    except ValueError:
        body = None
    if kind != "application/json" or not isinstance(body, dict):
        raise RemoteError(f"--server: {server} did not answer like a courseforge editor (got {kind})")
    return body


def _refusal(error: urllib.error.HTTPError, server: str) -> RemoteError:
    """An HTTP error answer as a message: the editor's problem detail (and each problem line)."""
    kind = error.headers.get_content_type() if error.headers else ""
    try:
        body = json.loads(error.read()) if kind == PROBLEM_JSON else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return RemoteError(
            f"--server: {server} did not answer like a courseforge editor (HTTP {error.code}, {kind or 'no type'})",
            error.code,
        )
    detail = str(body.get("detail", error.reason))
    if error.code == 401:
        return RemoteError(f"--token: {server} refused the token: {detail}", 401, body)
    lines = [detail] + [f"  {problem['text']}" for problem in body.get("problems", [])[1:] if "text" in problem]
    return RemoteError("\n".join(lines), error.code, body)
