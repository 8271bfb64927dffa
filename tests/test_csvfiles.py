import csv
import io

import pytest

from interviewmaker.csvfiles import FORMULA_TRIGGERS, cp932_problems, neutralise, stream_csv


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_every_formula_trigger_is_neutralised(trigger):
    value = f'{trigger}HYPERLINK("http://evil.example")'
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("trigger", ["＝", "＋", "－", "＠"])
def test_full_width_formula_triggers_are_neutralised_like_ascii_ones(trigger):
    assert neutralise(f"{trigger}SUM(A1:A9)") == f"'{trigger}SUM(A1:A9)"


@pytest.mark.parametrize("value", ["ATS-1", "a=b", "太郎", "", "123", "x-@"])
def test_harmless_cells_are_left_alone(value):
    assert neutralise(value) == value


def test_cp932_stream_round_trips_characters_shift_jis_cannot_hold():
    data = b"".join(stream_csv(header=["姓", "備考"], rows=[["髙橋", "①～"]], encoding="cp932"))
    assert list(csv.reader(io.StringIO(data.decode("cp932")))) == [["姓", "備考"], ["髙橋", "①～"]]


def test_utf8_stream_starts_with_one_bom_even_across_chunks(monkeypatch):
    monkeypatch.setattr("interviewmaker.csvfiles.CHUNK_ROWS", 2)
    chunks = list(stream_csv(header=["a"], rows=[[str(n)] for n in range(5)], encoding="utf-8"))
    data = b"".join(chunks)
    assert len(chunks) > 2
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    assert data.decode("utf-8-sig").split("\r\n")[:3] == ["a", "0", "1"]


def test_cp932_problems_names_rows_and_characters():
    rows = [(1, "ok@example.jp", "髙橋"), (2, "x@example.jp", "山田𠮷😀"), (3, "y@example.jp", "①")]
    count, problems, bad_rows = cp932_problems(rows=rows, columns=["メールアドレス", "姓"])
    assert count == 3
    assert bad_rows == 1
    assert [(p.im_id, p.column, p.characters) for p in problems] == [(2, "姓", "𠮷😀")]
