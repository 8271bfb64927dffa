"""A local SMTP sink (aiosmtpd) that records every delivery, and can refuse on purpose.

`smtp_sink` fixture: started on a free 127.0.0.1 port in a thread of the test process.
`SmtpSink(refuse_first=N)` answers the first N DATA with a 4xx; `refuse_always=True` answers 5xx.
`python -m tests.plugins.smtp --port P` runs one as a process (used by bench/fanout.py) and prints the
number of deliveries when it gets SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import re
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

# aiosmtpd logs every command at INFO; thousands of deliveries would drown the test output.
logging.getLogger("mail.log").setLevel(logging.WARNING)

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.I | re.M)
_SUBJECT = re.compile(rb"^Subject:\s*(.*)$", re.I | re.M)


@dataclass
class Delivery:
    mail_from: str
    rcpt_tos: list[str]
    message_id: str
    data: bytes

    def message(self):  # type: ignore[no-untyped-def]
        """The parsed email.message.EmailMessage (for content assertions)."""
        from email import policy
        from email.parser import BytesParser

        return BytesParser(policy=policy.default).parsebytes(self.data)


class SinkHandler:
    def __init__(self, refuse_first: int = 0, refuse_always: bool = False, record_data: bool = True):
        self.refuse_first = refuse_first
        self.refuse_always = refuse_always
        self.record_data = record_data
        self.deliveries: list[Delivery] = []
        self.refused = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        with self.lock:
            if self.refuse_always:
                self.refused += 1
                return "550 5.7.1 Delivery not authorized, message refused"
            if self.refused < self.refuse_first:
                self.refused += 1
                return "451 4.3.0 Temporary local problem, try again later"
            data: bytes = envelope.content
            header = data.split(b"\r\n\r\n", 1)[0]
            found = _MESSAGE_ID.search(header)
            self.deliveries.append(
                Delivery(
                    mail_from=envelope.mail_from,
                    rcpt_tos=list(envelope.rcpt_tos),
                    message_id=found.group(1).decode() if found else "",
                    data=data if self.record_data else header,
                )
            )
        return "250 2.0.0 OK queued"


class SmtpSink:
    """aiosmtpd in a background thread on 127.0.0.1; `deliveries` lists what it accepted."""

    def __init__(
        self, refuse_first: int = 0, refuse_always: bool = False, port: int = 0, record_data: bool = True
    ):
        from aiosmtpd.controller import Controller

        self.handler = SinkHandler(refuse_first, refuse_always, record_data)
        self.port = port or free_port()
        self.controller = Controller(
            self.handler,
            hostname="127.0.0.1",
            port=self.port,
            data_size_limit=10_000_000,
            enable_SMTPUTF8=True,
        )

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def deliveries(self) -> list[Delivery]:
        with self.handler.lock:
            return list(self.handler.deliveries)

    def count(self) -> int:
        with self.handler.lock:
            return len(self.handler.deliveries)

    def per_message_id(self) -> Counter[str]:
        return Counter(d.message_id for d in self.deliveries)

    def configure(self, *, refuse_first: int | None = None, refuse_always: bool | None = None) -> None:
        with self.handler.lock:
            if refuse_first is not None:
                self.handler.refuse_first = refuse_first
                self.handler.refused = 0
            if refuse_always is not None:
                self.handler.refuse_always = refuse_always


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    try:
        yield sink
    finally:
        sink.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="Run a counting SMTP sink until SIGTERM.")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    sink = SmtpSink(port=args.port, record_data=False).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print("ready", flush=True)
    while not stop.wait(0.2):
        pass
    time.sleep(0.1)
    print(sink.count(), flush=True)
    sink.stop()


if __name__ == "__main__":
    main()
