"""The MIME bytes of an outbox mail: byte for byte what Django's mail API gives, built faster.

Django builds every mail as a tree of `email` objects and folds each header with the stdlib's
`Header` class: about 150 µs a mail, more than the rest of the sending pipeline together, and at
thousands of mails a second it is what keeps an SMTP relay waiting. Outbox mails share one shape
(plain text in UTF-8, one recipient, their own Message-ID, nothing else), so for that shape
`mime_bytes` writes the same bytes directly:

- header values go through Django's own `forbid_multi_line_headers` (the same encoded words, the
  same refusal of line breaks), and the stdlib folds any header line too long to stay as it is;
- the subject and sender lines, the same for a whole fan-out, are encoded once per process;
- the body is written as the stdlib generator writes it (CRLF line ends, 7bit or 8bit).

Any other mail (an HTML alternative, attachments, other headers, a line over 998 bytes, another
charset) is built by `message().as_bytes()` as before. `messaging/tests/test_mime.py` compares the
two paths byte for byte, so a Django upgrade that changes its output fails there, not in a mailbox.
"""

from __future__ import annotations

import functools
import re
from email.policy import compat32
from email.utils import formatdate

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.message import RFC5322_EMAIL_LINE_LENGTH_LIMIT, forbid_multi_line_headers

CRLF = "\r\n"
_POLICY = compat32.clone(linesep=CRLF)  # what Django's SafeMIMEText.as_bytes folds with
_MAX_LINE = _POLICY.max_line_length or 78
# A header value the stdlib's folding would write unchanged: printable ASCII whose lines fit.
_PRINTABLE = re.compile(r"[\x20-\x7e\t\n]*")
_NEWLINES = re.compile(rb"\r\n|\r|\n")  # the stdlib generator's own line-end rule
_HEAD = 'Content-Type: text/plain; charset="utf-8"\r\nMIME-Version: 1.0\r\nContent-Transfer-Encoding: '
_CHARSET = "utf-8"


def mime_bytes(email: EmailMessage) -> bytes:
    """The mail as Django's `email.message().as_bytes(linesep="\\r\\n")` would give it."""
    if not _plain_shape(email):
        return _django_bytes(email)
    try:
        body = email.body.encode(_CHARSET)
    except UnicodeError:
        return _django_bytes(email)  # Django raises its own error for it
    # bytes.splitlines() splits on fewer characters than the str.splitlines() Django checks, so a
    # body that passes here has no line Django would call long (it would switch to quoted-printable).
    if len(body) > RFC5322_EMAIL_LINE_LENGTH_LIMIT and any(
        len(line) > RFC5322_EMAIL_LINE_LENGTH_LIMIT for line in body.splitlines()
    ):
        return _django_bytes(email)
    head = [
        _HEAD,
        "7bit" if body.isascii() else "8bit",
        CRLF,
        _subject_line(str(email.subject)),
        _from_line(str(email.from_email)),
        _line("To", ", ".join(str(address) for address in email.to)),
        *(
            [_line("Reply-To", ", ".join(str(address) for address in email.reply_to))]
            if email.reply_to
            else []
        ),
        _line("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)),
        _line("Message-ID", email.extra_headers["Message-ID"]),
        CRLF,
    ]
    return "".join(head).encode("ascii", "surrogateescape") + _NEWLINES.sub(b"\r\n", body)


def _plain_shape(email: EmailMessage) -> bool:
    return (
        type(email) in (EmailMessage, EmailMultiAlternatives)
        and not getattr(email, "alternatives", None)
        and not email.attachments
        and not email.cc
        and bool(email.to)
        and list(email.extra_headers) == ["Message-ID"]
        and email.content_subtype == "plain"
        and (email.encoding or settings.DEFAULT_CHARSET) == _CHARSET
    )


def _django_bytes(email: EmailMessage) -> bytes:
    return email.message().as_bytes(linesep=CRLF)  # type: ignore[call-arg]


@functools.lru_cache(maxsize=256)
def _subject_line(subject: str) -> str:
    return _line("Subject", subject)


@functools.lru_cache(maxsize=64)
def _from_line(sender: str) -> str:
    return _line("From", sender)


def _line(name: str, value: str) -> str:
    """One header line as Django sets it and the stdlib folds it."""
    name, value = forbid_multi_line_headers(name, value, _CHARSET)
    if _PRINTABLE.fullmatch(value):
        lines = value.split("\n")
        if len(name) + 2 + len(lines[0]) <= _MAX_LINE and all(
            1 < len(line) <= _MAX_LINE and line[0] in " \t" for line in lines[1:]
        ):
            return f"{name}: {CRLF.join(lines)}{CRLF}"
    return _POLICY.fold_binary(name, value).decode("ascii", "surrogateescape")
