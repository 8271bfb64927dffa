"""Fixtures of the sharing tests: an applicant of alice's posting."""

from __future__ import annotations

import pytest

from tests.factories import ApplicantFactory


@pytest.fixture
def applicant(job_posting):
    return ApplicantFactory(
        job_posting=job_posting,
        last_name="髙橋",
        first_name="一郎",
        last_name_kana="タカハシ",
        first_name_kana="イチロウ",
        free_area_1="ATS-0001",
        free_area_2="①期生",
        free_area_3="東京～大阪",
    )
