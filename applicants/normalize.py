"""Normalisation of applicant values, shared by the form, the API and the CSV import (docs/product.md §4)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

# str.strip() already removes U+3000 (ideographic space); named here because recruiters paste it.
_SPACES = SPACES = " \t\r\n\u3000\u00a0\ufeff"
_DATE = re.compile(r"^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})$")
_PHONE = re.compile(r"^\+?[0-9][0-9\-() ]{5,19}$")
# The everyday shape of an address, a strict subset of what Django's EmailValidator accepts: matching
# it skips that (much slower) validator, which matters for 100,000-row CSV uploads.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_+\-]+(?:\.[A-Za-z0-9_+\-]+)*@(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)


def clean_text(value: str | None) -> str:
    """Trim ordinary and ideographic spaces; None becomes ''."""
    return (value or "").strip(_SPACES)


def clean_email(value: str) -> str:
    """NFKC-normalise, trim, lower-case the domain; raise ValidationError if not an address."""
    email = unicodedata.normalize("NFKC", clean_text(value))
    if not email:
        raise ValidationError(_("Enter an email address."), code="required")
    local, sep, domain = email.rpartition("@")
    email = f"{local}{sep}{domain.lower()}" if sep else email
    if len(email) > 254:
        raise ValidationError(_("The email address is longer than 254 characters."), code="max_length")
    if _PLAIN_EMAIL.fullmatch(email) and len(local) <= 64:
        return email
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            _("%(value)s is not a valid email address."), params={"value": email}, code="invalid"
        ) from None
    return email


def clean_phone(value: str) -> str:
    """Keep the digits as written (a leading zero matters); full-width digits become ASCII."""
    phone = unicodedata.normalize("NFKC", clean_text(value))
    if not phone:
        return ""
    if not _PHONE.match(phone):
        raise ValidationError(
            _("%(value)s is not a valid phone number."), params={"value": phone}, code="invalid"
        )
    return phone


def clean_date(value: str) -> dt.date | None:
    """Accept 2003/1/3, 2003-01-03 (and full-width digits)."""
    text = unicodedata.normalize("NFKC", clean_text(value))
    if not text:
        return None
    match = _DATE.match(text)
    try:
        if not match:
            raise ValueError
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValidationError(
            _("%(value)s is not a date (write it as 2003/1/3 or 2003-01-03)."),
            params={"value": text},
            code="invalid",
        ) from None


def clean_year(value: str) -> int | None:
    """A 4-digit year between 1900 and 2100."""
    text = unicodedata.normalize("NFKC", clean_text(value))
    if not text:
        return None
    if not (len(text) == 4 and text.isdigit() and 1900 <= int(text) <= 2100):
        raise ValidationError(_("%(value)s is not a 4-digit year."), params={"value": text}, code="invalid")
    return int(text)


def clean_kana(value: str) -> str:
    """Kana names: trimmed, then NFKC, so half-width kana of older ATS exports (ﾔﾏﾀﾞ) become the usual
    full-width form (ヤマダ)."""
    return unicodedata.normalize("NFKC", clean_text(value))
