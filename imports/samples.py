"""Generated upload files in the format of docs/product.md §4, for tests, the benchmark and demos."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from imports.parsing import HEADERS

_LAST = ["髙橋", "佐藤", "鈴木", "田中", "渡邊", "伊藤", "山本", "中村", "小林", "加藤"]
_LAST_KANA = [
    "ﾀｶﾊｼ",
    "サトウ",
    "スズキ",
    "タナカ",
    "ワタナベ",
    "イトウ",
    "ヤマモト",
    "ナカムラ",
    "コバヤシ",
    "カトウ",
]
_FIRST = ["太郎", "花子", "一郎", "美咲", "翔太", "陽菜", "蓮", "結衣", "大翔", "①子"]
_FIRST_KANA = [
    "タロウ",
    "ハナコ",
    "イチロウ",
    "ミサキ",
    "ショウタ",
    "ヒナ",
    "レン",
    "ユイ",
    "ヒロト",
    "イチコ",
]
_SCHOOLS = ["東京大学", "京都大学", "大阪大学", "早稲田大学", "慶應義塾大学", "名古屋大学"]


def applicant_row(n: int, *, domain: str = "example.ac.jp", im_id: str = "") -> list[str]:
    """A realistic row: CP932-only characters (髙, ①, ～), half-width kana, a quoted comma."""
    i = n % 10
    return [
        im_id,
        _LAST[i],
        _FIRST[i],
        _LAST_KANA[i],
        _FIRST_KANA[i],
        f"user{n}@{domain}",
        f"090-{n // 10000 % 10000:04d}-{n % 10000:04d}",
        f"{2000 + n % 6}/{n % 12 + 1}/{n % 28 + 1}",
        _SCHOOLS[n % len(_SCHOOLS)],
        "経済学部",
        "経済学科",
        str(2027 + n % 2),
        f"ATS-{n:07d}",
        "ナビサイトA, 説明会",
        "研究開発職～技術",
    ]


def to_csv(
    rows: Iterable[Sequence[str]],
    *,
    header: Sequence[str] = HEADERS,
    encoding: str = "cp932",
    newline: str = "\r\n",
) -> bytes:
    """Rows as an upload file: cp932 (Excel), utf-8-sig (Excel's CSV UTF-8) or utf-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def applicants_csv(
    count: int, *, start: int = 1, encoding: str = "cp932", domain: str = "example.ac.jp"
) -> bytes:
    return to_csv((applicant_row(n, domain=domain) for n in range(start, start + count)), encoding=encoding)
