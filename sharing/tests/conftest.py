"""Fixtures of the sharing tests: an applicant of alice's posting who has answered its last question."""

from __future__ import annotations

import pytest

from tests.factories import ApplicantFactory, QuestionFactory


@pytest.fixture
def applicant(job_posting):
    from interviews.models import Answer, Take

    applicant = ApplicantFactory(
        job_posting=job_posting,
        last_name="髙橋",
        first_name="一郎",
        last_name_kana="タカハシ",
        first_name_kana="イチロウ",
        free_area_1="ATS-0001",
        free_area_2="①期生",
        free_area_3="東京～大阪",
    )
    # Reviewers evaluate answers: the page offers its form once there is one.
    question = job_posting.questions.last()  # tests that play a video answer the first themselves
    take = Take.objects.create(
        applicant=applicant, question=question, container="webm", state=Take.State.COMPLETE, size=100
    )
    Answer.objects.create(applicant=applicant, question=question, take=take)
    return applicant


@pytest.fixture
def submit():
    """Make an applicant of a posting who has submitted (at `at`, default now), with one answer."""
    from django.utils import timezone

    from applicants.models import Applicant
    from interviews.models import Answer, Take

    def make(job_posting, at=None, **fields):
        applicant = ApplicantFactory(
            job_posting=job_posting,
            status=Applicant.Status.SUBMITTED,
            submitted_at=at or timezone.now(),
            **fields,
        )
        question = job_posting.questions.first() or QuestionFactory(job_posting=job_posting)
        take = Take.objects.create(
            applicant=applicant, question=question, container="webm", state=Take.State.COMPLETE, size=100
        )
        Answer.objects.create(applicant=applicant, question=question, take=take)
        return applicant

    return make


@pytest.fixture
def reviewer(company, alice):
    from sharing import services

    return services.reviewer_create(company=company, name="佐藤 部長", email="sato@example.jp", by=alice)


@pytest.fixture
def other_reviewer(company, alice):
    from sharing import services

    return services.reviewer_create(company=company, name="鈴木 課長", email="suzuki@example.jp", by=alice)
