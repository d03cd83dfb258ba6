"""The delivery benchmark's learner generator (bench.load): its HTTP client reads answers of
every shape a CDN sends (Content-Length, chunked, split anywhere, Connection: close, a closed
kept-alive connection), and a bounded run against a real server connects lazily per page view
from its source address, counts what it offered and achieved, and stops by itself."""

from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from bench.load import Client, ConnectionClosed, IncompleteAnswer, JourneyPlan, LoadConfig, Step, run


class FakeTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written: list[bytes] = []
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written.append(bytes(data))

    def close(self) -> None:
        self.closed = True


def answer_in_pieces(pieces: list[bytes]) -> tuple[Client, asyncio.Future[tuple[int, int]], list[int]]:
    loop = asyncio.new_event_loop()
    counted: list[int] = []
    client = Client(loop, counted.append)
    transport = FakeTransport()
    client.connection_made(transport)
    waiter = client.ask(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert transport.written == [b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"]
    for piece in pieces:
        client.data_received(piece)
    loop.close()
    return client, waiter, counted


def split_everywhere(data: bytes) -> list[list[bytes]]:
    return [[data[:cut], data[cut:]] for cut in range(1, len(data))]


def test_the_client_reads_a_content_length_answer_split_anywhere():
    answer = b"HTTP/1.1 206 Partial Content\r\nContent-Length: 5\r\nContent-Range: bytes 0-4/9\r\n\r\nhello"
    for pieces in [[answer], *split_everywhere(answer)]:
        client, waiter, counted = answer_in_pieces(pieces)
        assert waiter.result() == (206, 5)
        assert sum(counted) == len(answer) and client.open


def test_the_client_reads_a_chunked_answer_split_anywhere_and_closes_on_connection_close():
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    answer = head + b"4\r\nwiki\r\n5;x=1\r\npedia\r\n0\r\n\r\n"
    for pieces in [[answer], *split_everywhere(answer)]:
        client, waiter, _ = answer_in_pieces(pieces)
        assert waiter.result() == (200, 9)
        assert not client.open  # the server said it closes: the next request needs a new connection


def test_a_redirect_without_body_and_a_closed_connection_are_told_apart():
    client, waiter, _ = answer_in_pieces(
        [b"HTTP/1.1 302 Found\r\nLocation: /c/x/v/1/index.html\r\nContent-Length: 0\r\n\r\n"]
    )
    assert waiter.result() == (302, 0)
    # Closed before answering (a kept-alive connection the server had dropped): ask again.
    client, waiter, _ = answer_in_pieces([])
    client.connection_lost(None)
    assert isinstance(waiter.exception(), ConnectionClosed)
    # Closed in the middle of a body: a failure.
    client, waiter, _ = answer_in_pieces([b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"])
    client.connection_lost(None)
    assert isinstance(waiter.exception(), IncompleteAnswer)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    peers: ClassVar[list[str]] = []
    paths: ClassVar[list[str]] = []
    lock = threading.Lock()

    def do_GET(self) -> None:
        with self.lock:
            self.peers.append(self.client_address[0])
            self.paths.append(self.path)
        if self.path.startswith("/c/course/") and "/v/" not in self.path:
            self.send_response(302)
            self.send_header("Location", "/c/course/v/1/index.html")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self.path.encode() * 10
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server():
    Handler.peers, Handler.paths = [], []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_a_bounded_run_connects_per_page_view_from_its_source_address_and_counts_what_it_did(server):
    plan = JourneyPlan(
        launch=[Step(path="/c/course/", expect=(302,)), Step(path="/c/course/v/1/index.html")],
        pages=[
            [Step(path=f"/c/course/v/1/pages/{n}.html"), Step(path=f"/c/course/v/1/media/{n}.webp")] for n in range(3)
        ],
    )
    config = LoadConfig(
        port=server,
        source="127.0.0.3",
        plan=plan,
        learners=4,
        duration=60,
        journeys=4,
        think=0.05,
        idle_close=0.01,  # shorter than the think time: a thinking learner holds no connection
        ramp=0.2,
        loop="asyncio",
    )
    # In a thread of its own, as in a generator process: a browser test of the same worker may
    # have left an event loop running in this one.
    tallies = []
    generator = threading.Thread(target=lambda: tallies.append(run(config)))
    generator.start()
    generator.join(timeout=120)
    [tally] = tallies
    assert tally.errors == {} and tally.learners == 4
    # Learners stop starting journeys once 4 are done; those already begun are finished.
    assert 4 <= tally.journeys <= 4 + 3
    assert tally.requests == tally.offered == len(Handler.paths)
    assert tally.statuses["302"] == tally.journeys and tally.statuses["200"] == tally.requests - tally.journeys
    # One connection per page view (launch + 3 pages, plus an empty video group that asks nothing).
    assert tally.connections == 4 * tally.journeys
    assert set(Handler.peers) == {"127.0.0.3"}
    assert tally.bytes > sum(len(path) * 10 for path in Handler.paths)
    assert tally.ended >= tally.started and sum(tally.latency.values()) == tally.requests
