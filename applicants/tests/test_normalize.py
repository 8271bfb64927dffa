import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from applicants import normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Taro@EXAMPLE.JP\u3000", "Taro@example.jp"),
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "taro@example.jp"),
    ],
)
def test_clean_email_normalises(raw, expected):
    assert normalize.clean_email(raw) == expected


@pytest.mark.parametrize("raw", ["", "not-an-email", "a@", "@b.jp", "a b@c.jp"])
def test_clean_email_rejects(raw):
    with pytest.raises(ValidationError):
        normalize.clean_email(raw)


def test_phone_keeps_leading_zero_and_converts_full_width():
    assert normalize.clean_phone("０９０-１２３４-５６７８") == "090-1234-5678"
    assert normalize.clean_phone("09012345678") == "09012345678"
    with pytest.raises(ValidationError):
        normalize.clean_phone("abc")


@pytest.mark.parametrize(
    ("raw", "expected"), [("2003/1/3", dt.date(2003, 1, 3)), ("2003-01-03", dt.date(2003, 1, 3)), ("", None)]
)
def test_dates(raw, expected):
    assert normalize.clean_date(raw) == expected


@pytest.mark.parametrize("raw", ["2003/13/1", "3 Jan 2003", "2003/2/30"])
def test_bad_dates(raw):
    with pytest.raises(ValidationError):
        normalize.clean_date(raw)


def test_year_is_four_digits():
    assert normalize.clean_year("２０２７") == 2027
    for bad in ("27", "20277", "abcd", "1800"):
        with pytest.raises(ValidationError):
            normalize.clean_year(bad)


def test_text_trims_ideographic_space():
    assert normalize.clean_text("\u3000山田\u3000 ") == "山田"
