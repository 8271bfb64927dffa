"""Import problems as codes with parameters, rendered in the reader's language when shown.

Stored as codes (not sentences) so the same import reads in Japanese to one recruiter and in English to
another, in the page, the API and the error CSV.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

FILE_ERRORS = {
    "too_large": _(
        "The file is %(size_mb)s MB; files of at most %(max_mb)s MB can be uploaded. "
        "Split it into smaller files."
    ),
    "too_many_rows": _(
        "The file has more than %(max)s data rows; at most %(max)s rows can be uploaded at once. "
        "Split it into smaller files."
    ),
    "empty": _("The file is empty."),
    "header_only": _("The file has a header row but no applicant rows."),
    "no_email_column": _(
        "The header row has no “メールアドレス” column; it is required. Row 1 must be the header row."
    ),
    "duplicate_column": _("The column “%(column)s” appears more than once in the header row."),
    "unbalanced_quote": _(
        'A double quote (") opened in row %(row)s is never closed; check the quotes in that row.'
    ),
    "malformed": _('Row %(row)s is not valid CSV: a double quote (") is misplaced.'),
    "field_too_long": _("Row %(row)s has a cell that is far too long to be an applicant value."),
    "spreadsheet": _(
        "This is an Excel workbook, not a CSV file. In Excel, choose “Save as” and the type "
        "“CSV (comma delimited)” or “CSV UTF-8”, then upload that file."
    ),
    "binary": _("This is not a text file. Upload a CSV file saved as UTF-8 or Shift_JIS (CP932)."),
    "encoding": _(
        "The file is neither UTF-8 nor Shift_JIS (CP932): the byte at offset %(offset)s cannot be read. "
        "Save it again as “CSV UTF-8” or “CSV (comma delimited)”."
    ),
    "file_missing": _("The uploaded file is no longer stored; upload it again."),
    "posting_closed": _("The job posting no longer exists."),
    "conflict": _(
        "Another registration changed the applicants of this job posting during the import; "
        "nothing was imported. Upload the file again."
    ),
    "internal": _("The import failed unexpectedly; nothing was imported. Try again or contact support."),
}

ROW_ERRORS = {
    "required": _("An email address is required."),
    "invalid_email": _("“%(value)s” is not a valid email address."),
    "invalid_phone": _("“%(value)s” is not a valid phone number."),
    "invalid_date": _("“%(value)s” is not a date; write it as 2003/1/3 or 2003-01-03."),
    "invalid_year": _("“%(value)s” is not a 4-digit year."),
    "too_long": _("The value has %(length)s characters; at most %(max)s are allowed."),
    "duplicate_email": _("The email address also appears in row %(other)s of this file."),
    "duplicate_id": _("The iM採用ID also appears in row %(other)s of this file."),
    "invalid_id": _("“%(value)s” is not an iM採用ID (it must be a number)."),
    "unknown_id": _("There is no applicant with iM採用ID %(value)s in your company."),
    "other_posting_id": _("The applicant with iM採用ID %(value)s belongs to another job posting."),
    "email_taken": _("The email address is already registered for this job posting (iM採用ID %(im_id)s)."),
}


class FileProblem(Exception):
    """The file as a whole cannot be imported; nothing is read further."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params}


def render_error(code: str, params: dict[str, Any]) -> str:
    template = ROW_ERRORS.get(code)
    return str(template) % params if template is not None else code


def render_file_error(problem: dict[str, Any]) -> str:
    template = FILE_ERRORS.get(problem.get("code", ""), FILE_ERRORS["internal"])
    return str(template) % problem.get("params", {})


def ignored_columns_message(columns: list[str]) -> str:
    return ngettext(
        "This column is not part of the upload format and was ignored: %(columns)s",
        "These columns are not part of the upload format and were ignored: %(columns)s",
        len(columns),
    ) % {"columns": "、".join(columns)}
