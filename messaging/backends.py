"""The outbox SMTP backend: Django's SMTP backend plus a send that marks the row at the right instant."""

from __future__ import annotations

import re
import smtplib
from collections.abc import Callable

from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend
from django.core.mail.message import sanitize_address

from messaging.mime import mime_bytes

_LEADING_DOT = re.compile(rb"(?m)^\.")
# A bare ASCII address needs no encoding; Django's sanitize_address is costly at thousands per second.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-]+@[A-Za-z0-9.\-]+")


class EmailBackend(DjangoSMTPBackend):
    """Use as EMAIL_BACKEND=messaging.backends.EmailBackend; everything else is Django's SMTP backend."""

    def prepare(self, message: EmailMessage) -> None:
        """Serialise the MIME message ahead of time (the sender does it while waiting for a reply)."""
        message._outbox_bytes = mime_bytes(message)  # type: ignore[attr-defined]

    def send_outbox_message(
        self,
        message: EmailMessage,
        *,
        accepted: Callable[[], Callable[[], None]],
        meanwhile: Callable[[], None] | None = None,
    ) -> None:
        """Send one message and call `accepted()` between the end-of-data marker and the reply.

        A sender killed before the marker leaves no mail (the server drops an unterminated DATA); once
        the marker is written, `accepted()` puts the row's `sent` mark on the wire at once and returns
        a callable awaiting it. A refusal in the reply raises as usual, and the caller corrects the
        row. `meanwhile()` runs while the server digests the message (the sender prepares the next).
        """
        if self.connection is None or getattr(self.connection, "sock", None) is None:
            self.open()
        smtp = self.connection
        assert smtp is not None
        smtp.ehlo_or_helo_if_needed()
        encoding = message.encoding or "utf-8"
        sender = self._address(message.from_email, encoding)
        recipients = [self._address(addr, encoding) for addr in message.recipients()]
        data = getattr(message, "_outbox_bytes", None)
        if data is None:
            data = mime_bytes(message)
        options = ["SMTPUTF8"] if smtp.has_extn("smtputf8") and not sender.isascii() else []
        code, resp = smtp.mail(sender, options)
        if code != 250:
            smtp.rset()
            raise smtplib.SMTPSenderRefused(code, resp, sender)
        refused = {}
        for rcpt in recipients:
            code, resp = smtp.rcpt(rcpt)
            if code not in (250, 251):
                refused[rcpt] = (code, resp)
        if len(refused) == len(recipients):
            smtp.rset()
            raise smtplib.SMTPRecipientsRefused(refused)
        code, resp = smtp.docmd("data")
        if code != 354:
            smtp.rset()
            raise smtplib.SMTPDataError(code, resp)
        payload = _LEADING_DOT.sub(b"..", data)
        if not payload.endswith(b"\r\n"):
            payload += b"\r\n"
        smtp.send(payload + b".\r\n")
        finish = accepted()
        try:
            if meanwhile is not None:
                meanwhile()
            code, resp = smtp.getreply()
        finally:
            finish()
        if code != 250:
            raise smtplib.SMTPDataError(code, resp)

    def _address(self, address: str, encoding: str) -> str:
        if _PLAIN_ADDRESS.fullmatch(address):
            return address
        cache = self.__dict__.setdefault("_sanitized", {})
        if address not in cache:
            cache[address] = sanitize_address(address, encoding)
            if len(cache) > 64:  # only the sender repeats; don't keep every recipient
                cache.pop(next(iter(cache)))
        return cache[address]
