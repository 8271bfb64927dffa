"""The applicant's fields, defined once: what the registration form, the API serializer, the CSV import
(its header matching and row cleaning), the upload-format downloads and the import's set-based update
all read.

Adding a column touches the model (and its migration) and one line here. Label (ja/en) and maximum
length come from the model field; the rest is below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models

from applicants import normalize
from applicants.models import Applicant


@dataclass(frozen=True)
class ApplicantField:
    name: str  # the Applicant model field
    header: str  # its column in the CSV upload format and in every upload-format download
    # Text → value, raising ValidationError (code "required", "max_length" or "invalid"); None for
    # plain text, which is only trimmed and held to the model's max_length.
    clean: Callable[[str], Any] | None = None
    error: str = ""  # the CSV import's error code when `clean` refuses a cell (imports/errors.py)
    aliases: tuple[str, ...] = ()  # other headers accepted for the column
    input_max_length: int | None = None  # longest text the form and the API accept before cleaning
    # The form and the API parse it as their own type (a date from a date input or ISO 8601) instead of
    # cleaning text; `clean` then serves the CSV import only.
    typed: bool = False
    sql_type: str = "text"  # its PostgreSQL type in the import's UPDATE … FROM unnest(…)

    @property
    def model_field(self) -> models.Field[Any, Any]:
        field = Applicant._meta.get_field(self.name)
        assert isinstance(field, models.Field)
        return field

    @property
    def label(self) -> Any:
        return self.model_field.verbose_name

    @property
    def max_length(self) -> int:
        """The model's limit for text (0 when the column is not text)."""
        return self.model_field.max_length or 0

    @property
    def cleans_text(self) -> bool:
        """The form and the API take this as text and clean it (rather than a typed or plain field)."""
        return self.clean is not None and not self.typed


# In the order of the upload format (after its iM採用ID column).
FIELDS: tuple[ApplicantField, ...] = (
    ApplicantField("last_name", "姓"),
    ApplicantField("first_name", "名"),
    ApplicantField("last_name_kana", "セイ", clean=normalize.clean_kana),
    ApplicantField("first_name_kana", "メイ", clean=normalize.clean_kana),
    ApplicantField(
        "email",
        "メールアドレス",
        clean=normalize.clean_email,
        error="invalid_email",
        input_max_length=254,
    ),
    ApplicantField(
        "phone",
        "電話番号",
        clean=normalize.clean_phone,
        error="invalid_phone",
        input_max_length=30,
    ),
    ApplicantField(
        "birth_date",
        "生年月日",
        clean=normalize.clean_date,
        error="invalid_date",
        typed=True,
        sql_type="date",
    ),
    ApplicantField("school", "学校名"),
    ApplicantField("faculty", "学部名"),
    ApplicantField("department", "学科名"),
    ApplicantField(
        "graduation_year",
        "卒業年度",
        clean=normalize.clean_year,
        error="invalid_year",
        input_max_length=10,
        sql_type="smallint",
    ),
    ApplicantField("free_area_1", "フリーエリア1"),
    ApplicantField("free_area_2", "フリーエリア2"),
    ApplicantField("free_area_3", "フリーエリア3"),
)
NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
BY_NAME: dict[str, ApplicantField] = {f.name: f for f in FIELDS}


def clean_input(name: str, value: Any) -> Any:
    """A value of the form or the API, cleaned by its field's rule (text is always trimmed)."""
    spec = BY_NAME.get(name)
    if spec is None or not isinstance(value, str):
        return value
    if spec.cleans_text:
        assert spec.clean is not None
        return spec.clean(value)
    return normalize.clean_text(value)
