"""A real HTTP receiver on loopback that records what it gets, verifies it as an ATS would, and
deduplicates on `webhook-id`."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError


@dataclass
class Receiver:
    url: str = ""
    secret: str = ""
    # Answer this status to the first `failures` requests, after processing them (a lost ack).
    failures: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    processed: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            self.requests.append({"headers": headers, "body": body})
            try:
                payload = Webhook(self.secret).verify(body, headers)
            except WebhookVerificationError as error:
                self.rejected.append(str(error))
                return 401
            if headers["webhook-id"] not in self.seen:  # deduplicate as a careful receiver does
                self.seen.add(headers["webhook-id"])
                self.processed.append(payload)
            if self.failures > 0:
                self.failures -= 1
                return 500
            return 204

    def types(self) -> list[str]:
        return [p["type"] for p in self.processed]


@contextmanager
def receiving(path: str = "/hooks/ats") -> Iterator[Receiver]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            code = receiver.handle({k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def drain(deliver: Callable[[], Any], done: Callable[[], bool], rounds: int = 200) -> None:
    """Run the sender as the beat sweep would until `done()`."""
    import time

    for _ in range(rounds):
        if done():
            return
        deliver()
        time.sleep(0.03)
    raise AssertionError("deliveries did not finish")


def body_of(request: dict[str, Any]) -> dict[str, Any]:
    return json.loads(request["body"])
