"""CSV writing for every export: encodings, formula neutralisation, CP932 checks, streaming in chunks."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from django.utils.translation import gettext_lazy as _

ENCODINGS = {"cp932": "cp932", "utf-8": "utf-8-sig"}
ENCODING_LABELS = {"cp932": _("Shift_JIS (CP932, for Excel)"), "utf-8": _("UTF-8 with BOM")}
# A spreadsheet reads a cell starting with one of these as a formula (or shifts it, for tab/CR). Japanese
# Excel also takes the full-width forms, which an IME types, as the ASCII ones.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
CHUNK_ROWS = 2000


def neutralise(value: object) -> str:
    """The cell as text, prefixed with ' when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    if text and text[0] in FORMULA_TRIGGERS:
        return "'" + text
    return text


class TextBuffer:
    """csv.writer target that collects text, cheaper than StringIO for many small writes."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


def stream_csv(*, header: Sequence[str], rows: Iterable[Sequence[object]], encoding: str) -> Iterator[bytes]:
    """Encoded CSV in chunks of CHUNK_ROWS rows; the caller checked that `encoding` can hold every cell.

    UTF-8 starts with a BOM so that Excel opens it as UTF-8. Line ends are CRLF (RFC 4180, Excel).
    """
    codec = ENCODINGS[encoding]
    buffer = TextBuffer()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    first = True
    it = iter(rows)
    while chunk := list(islice(it, CHUNK_ROWS)):
        writer.writerows([neutralise(cell) for cell in row] for row in chunk)
        yield _encode(buffer.take(), codec, first)
        first = False
    if first:
        yield _encode(buffer.take(), codec, first)


def _encode(text: str, codec: str, first: bool) -> bytes:
    if codec == "utf-8-sig" and not first:
        return text.encode("utf-8")
    return text.encode(codec)


@dataclass(frozen=True)
class Unencodable:
    """A row whose cell holds characters that the chosen encoding cannot represent."""

    im_id: int
    column: str
    characters: str


def cp932_problems(
    *, rows: Iterable[Sequence[object]], columns: Sequence[str], limit: int = 100
) -> tuple[int, list[Unencodable], int]:
    """Scan rows (first value: iM採用ID) for text CP932 cannot hold.

    Returns (rows scanned, up to `limit` problems, total problem rows). Encodes chunks in one call and
    only looks at single rows in a chunk that failed, so the common all-clean case stays fast.
    """
    count = 0
    problems: list[Unencodable] = []
    bad_rows = 0
    chunk: list[Sequence[object]] = []

    def check(chunk: list[Sequence[object]]) -> None:
        nonlocal bad_rows
        try:
            "\x1f".join("\x1f".join(str(v) for v in row[1:]) for row in chunk).encode("cp932")
            return
        except UnicodeEncodeError:
            pass
        for row in chunk:
            row_bad = False
            for column, value in zip(columns, row[1:], strict=True):
                text = str(value)
                bad = "".join(dict.fromkeys(ch for ch in text if not cp932_ok(ch)))
                if bad:
                    row_bad = True
                    if len(problems) < limit:
                        problems.append(Unencodable(im_id=int(str(row[0])), column=column, characters=bad))
            bad_rows += row_bad

    for row in rows:
        count += 1
        chunk.append(row)
        if len(chunk) == CHUNK_ROWS:
            check(chunk)
            chunk = []
    if chunk:
        check(chunk)
    return count, problems, bad_rows


def cp932_ok(ch: str) -> bool:
    try:
        ch.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True
