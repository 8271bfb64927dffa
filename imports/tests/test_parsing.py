"""Reading uploads: encodings, CSV syntax, header matching and every whole-file error (docs/product.md §4)."""

from __future__ import annotations

import io
import zipfile

import pytest

from imports.errors import FileProblem, render_file_error
from imports.parsing import HEADERS, count_data_rows, decode, match_header, records
from imports.samples import to_csv
from imports.validation import Report, dry_run
from tests.factories import CompanyFactory

ROW = [
    "",
    "髙橋",
    "①子",
    "ﾀｶﾊｼ",
    "ｲﾁｺ",
    "Ichiko@Example.JP",
    "090-1234-5678",
    "2003/1/3",
    "東京大学",
    "",
    "",
    "2027",
    "ATS-1",
    "説明会～選考",
    "",
]


def test_cp932_with_cp932_only_characters_and_half_width_kana_decodes():
    data = to_csv([ROW], encoding="cp932")
    with pytest.raises(UnicodeDecodeError):
        data.decode("shift_jis")  # why cp932: strict shift_jis rejects 髙, ①, ～
    text, encoding = decode(data)
    assert encoding == "cp932"
    assert "髙橋" in text and "①子" in text and "説明会～選考" in text and "ﾀｶﾊｼ" in text


def test_utf8_with_bom_is_utf8_and_the_bom_is_not_part_of_the_first_header():
    text, encoding = decode(to_csv([ROW], encoding="utf-8-sig"))
    assert encoding == "utf-8-sig"
    assert next(records(text))[1][0] == "iM採用ID"


def test_plain_utf8_is_detected_before_cp932():
    assert decode(to_csv([ROW], encoding="utf-8"))[1] == "utf-8"


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_quoted_commas_and_line_breaks_survive_crlf_and_lf(newline):
    row = list(ROW)
    row[12] = "説明会, 一次面接"
    row[13] = "1行目\n2行目"
    text, _ = decode(to_csv([row, [*row[:5], "b@example.jp", *row[6:]]], encoding="cp932", newline=newline))
    rows = list(records(text))
    assert len(rows) == 3
    assert rows[1][1][12] == "説明会, 一次面接"
    assert rows[1][1][13] == "1行目\n2行目"
    assert rows[2][0] == 3  # row numbers count records, not physical lines


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"\xef\xbb\xbf\r\n  \r\n", "empty"),
        (b"\x00\x01\x02\x03binary\xff\xfe", "binary"),
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40, "spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "spreadsheet"),
        ("メールアドレス\r\n".encode() + b"a@example.jp\xff\xfe\r\n", "encoding"),
        (b"\xef\xbb\xbf" + "メールアドレス\r\n".encode("cp932"), "encoding"),
    ],
)
def test_unreadable_files_get_one_clear_problem(data, code):
    with pytest.raises(FileProblem) as exc:
        decode(data)
    assert exc.value.code == code
    assert render_file_error(exc.value.as_json())


def test_encoding_problem_names_the_byte_offset():
    data = "メールアドレス\r\n".encode() + b"abc\xff"
    with pytest.raises(FileProblem) as exc:
        decode(data)
    assert exc.value.params["offset"] == len("メールアドレス\r\n".encode()) + 3
    assert str(exc.value.params["offset"]) in render_file_error(exc.value.as_json())


def test_a_real_xlsx_renamed_to_csv_is_recognised():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(FileProblem) as exc:
        decode(buffer.getvalue())
    assert exc.value.code == "spreadsheet"


def test_unbalanced_quote_names_the_row():
    text = 'メールアドレス,姓\r\na@example.jp,山田\r\n"b@example.jp,鈴木\r\nc@example.jp,佐藤\r\n'
    with pytest.raises(FileProblem) as exc:
        count_data_rows(text, 100)
    assert exc.value.code == "unbalanced_quote"
    assert exc.value.params["row"] == 3


def test_row_limit_is_enforced_by_the_counting_pass():
    text = "メールアドレス\n" + "".join(f"u{i}@example.jp\n" for i in range(11))
    assert count_data_rows(text, 11) == 11
    with pytest.raises(FileProblem) as exc:
        count_data_rows(text, 10)
    assert exc.value.code == "too_many_rows"


@pytest.mark.django_db
def test_header_matching_uses_nfkc_labels_as_aliases_and_lists_unknown_columns():
    company = CompanyFactory(free_area_2_label="ATS応募者ID")
    header = match_header(["ﾒｰﾙｱﾄﾞﾚｽ", " フリーエリア１ ", "ＡＴＳ応募者ＩＤ", "備考", "im採用id"], company)
    assert [(i, name) for i, name, _ in header.columns] == [
        (0, "email"),
        (1, "free_area_1"),
        (2, "free_area_2"),
        (4, "im_id"),
    ]
    assert header.ignored == ["備考"]


@pytest.mark.django_db
def test_missing_email_column_and_duplicate_columns_are_file_problems():
    company = CompanyFactory()
    with pytest.raises(FileProblem) as exc:
        match_header(["姓", "名"], company)
    assert exc.value.code == "no_email_column"
    with pytest.raises(FileProblem) as exc:
        match_header(["メールアドレス", "姓", "姓"], company)
    assert exc.value.code == "duplicate_column"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (to_csv([]), "header_only"),
        ("姓,名\r\n山田,太郎\r\n".encode("cp932"), "no_email_column"),
        (b"", "empty"),
        ('メールアドレス\r\n"a@example.jp\r\n'.encode("cp932"), "unbalanced_quote"),
    ],
)
def test_dry_run_reports_file_problems(job_posting, data, code):
    with pytest.raises(FileProblem) as exc:
        dry_run(data, job_posting=job_posting, max_rows=100)
    assert exc.value.code == code


def test_header_row_is_row_one_and_data_rows_follow(job_posting):
    report = Report()
    report = dry_run(to_csv([ROW]), job_posting=job_posting, max_rows=10)
    assert report.counts == {"new": 1, "update": 0, "skipped": 0, "error": 0}
    assert HEADERS[5] == "メールアドレス"
