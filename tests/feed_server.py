"""A fixture HTTP server on 127.0.0.1 for feed and page tests: canned routes, request counts, bounded sleeps."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_REQUESTS = 200  # a runaway retry loop fails the test instead of hammering the server
MAX_SLEEP = 3.0


@dataclass
class Route:
    """What one path answers."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    location: str | None = None  # for redirects
    sleep: float = 0.0  # before answering: simulates a hanging server


@dataclass
class FixtureServer:
    """Routes by path, and how often each was asked for."""

    routes: dict[str, Route] = field(default_factory=dict)
    hits: Counter = field(default_factory=Counter)
    base: str = ""

    def url(self, path: str) -> str:
        """Absolute URL of path on this server."""
        return self.base + path


def _handler(server: FixtureServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            server.hits[self.path] += 1
            if sum(server.hits.values()) > MAX_REQUESTS:
                self.send_error(429)
                return
            route = server.routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            time.sleep(min(route.sleep, MAX_SLEEP))
            try:
                self.send_response(route.status)
                if route.location:
                    self.send_header("Location", route.location)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def log_message(self, *_: object) -> None:
            pass

    return Handler


@contextmanager
def serve_fixtures(routes: dict[str, Route]) -> Iterator[FixtureServer]:
    """Serve routes on 127.0.0.1 (a free port) in a thread for the duration of the block."""
    state = FixtureServer(routes=routes)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
