"""Typed shortcuts for the messaging tests."""

from __future__ import annotations

from typing import Any, cast

from applicants.models import Applicant
from tests.factories import ApplicantFactory


def make_applicant(**kwargs: Any) -> Applicant:
    """ApplicantFactory, typed as the model it creates."""
    return cast(Applicant, ApplicantFactory(**kwargs))
