"""The database keeps every applicant in its posting's company, and messages, share links and evaluations
in their applicant's."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from applicants.models import Applicant
from messaging.models import Message
from tests.factories import ApplicantFactory, CompanyFactory, JobPostingFactory


def test_an_applicant_cannot_sit_in_another_company_than_its_posting(transactional_db):
    posting, other = JobPostingFactory(), CompanyFactory()
    with pytest.raises(IntegrityError, match="applicant_posting_company_fk"), transaction.atomic():
        Applicant.objects.create(company=other, job_posting=posting, im_id=1, email="a@example.jp")
    with pytest.raises(IntegrityError, match="applicant_posting_company_fk"), transaction.atomic():
        Applicant.objects.create(company=posting.company, job_posting_id=10**9, im_id=2, email="b@example.jp")
    Applicant.objects.create(company=posting.company, job_posting=posting, im_id=3, email="c@example.jp")


def test_a_message_cannot_sit_in_another_company_than_its_applicant(transactional_db):
    applicant, other = ApplicantFactory(), CompanyFactory()
    fields = {"template_code": "D03", "to": applicant.email, "subject": "s", "body": "b"}
    with pytest.raises(IntegrityError, match="message_applicant_company_fk"), transaction.atomic():
        Message.objects.create(company=other, applicant=applicant, idempotency_key="x:1", **fields)
    with pytest.raises(IntegrityError, match="message_applicant_company_fk"), transaction.atomic():
        Message.objects.create(company=applicant.company, applicant_id=10**9, idempotency_key="x:2", **fields)
    Message.objects.create(company=applicant.company, applicant=applicant, idempotency_key="x:3", **fields)


def test_share_links_and_evaluations_cannot_sit_in_another_company_than_their_applicant(transactional_db):
    from sharing.models import Evaluation, ShareLink

    applicant, other = ApplicantFactory(), CompanyFactory()
    with pytest.raises(IntegrityError, match="sharelink_applicant_company_fk"), transaction.atomic():
        ShareLink.objects.create(company=other, applicant=applicant)
    link = ShareLink.objects.create(company=applicant.company, applicant=applicant)
    with pytest.raises(IntegrityError, match="evaluation_applicant_company_fk"), transaction.atomic():
        Evaluation.objects.create(
            company=other, applicant=applicant, link=link, sheet_name="s", reviewer_name="r"
        )
    Evaluation.objects.create(
        company=applicant.company, applicant=applicant, link=link, sheet_name="s", reviewer_name="r"
    )
