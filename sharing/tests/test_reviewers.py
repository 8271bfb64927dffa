"""Reviewers (面接官): their list, assignments and queues, D07 once per assignment request, evaluations
from the queue (one per reviewer and applicant)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from applicants.models import Applicant
from messaging.models import Message
from sharing import selectors, services
from sharing.models import Evaluation, Reviewer, ReviewerAssignment
from tests.factories import ApplicantFactory, JobPostingFactory
from webhooks.models import WebhookDelivery, WebhookEndpoint


def _queue(reviewer):
    return [entry.pk for entry in selectors.review_queue(reviewer=reviewer)]


def _assign(reviewer, applicants, key="k1"):
    return services.reviewers_assign_applicants(
        company=reviewer.company,
        reviewers=[reviewer],
        applicants=Applicant.objects.filter(pk__in=[a.pk for a in applicants]),
        key=key,
    )


# --- The list -------------------------------------------------------------------------------------


def test_a_reviewer_gets_a_long_random_link(reviewer):
    assert len(reviewer.token) >= 32  # 192 bits, URL-safe base64
    assert reviewer.review_url == f"http://testserver/r/{reviewer.token}/"


def test_an_address_is_on_the_list_once_in_any_case(company, reviewer):
    with pytest.raises(ValidationError) as refused:
        services.reviewer_create(company=company, name="別人", email="SATO@example.jp")
    assert "email" in refused.value.message_dict


def test_another_company_may_have_the_same_reviewer(other_company, reviewer):
    assert services.reviewer_create(company=other_company, name="佐藤", email="sato@example.jp").pk


def test_renaming_a_reviewer_renames_their_evaluations(reviewer, job_posting, submit):
    applicant = submit(job_posting)
    _assign(reviewer, [applicant])
    sheet = services.evaluation_sheet_for(job_posting=job_posting)
    services.reviewer_evaluation_save(reviewer=reviewer, applicant=applicant, sheet=sheet, answers={})
    services.reviewer_update(reviewer=reviewer, name="佐藤 本部長", email=reviewer.email)
    assert Evaluation.objects.get().reviewer_name == "佐藤 本部長"


def test_regenerating_kills_the_old_link_and_revoking_leaves_none(reviewer):
    old = reviewer.token
    services.reviewer_link_regenerate(reviewer=reviewer)
    reviewer.refresh_from_db()
    assert reviewer.token and reviewer.token != old
    assert not Reviewer.objects.filter(token=old).exists()
    services.reviewer_link_revoke(reviewer=reviewer)
    reviewer.refresh_from_db()
    assert reviewer.token is None and reviewer.review_url == "" and reviewer.link_revoked_at


# --- Queues ---------------------------------------------------------------------------------------


def test_the_queue_holds_only_assigned_applicants_who_submitted(
    reviewer, other_reviewer, job_posting, submit
):
    mine = submit(job_posting)
    awaiting = ApplicantFactory(job_posting=job_posting)
    someone_elses = submit(job_posting)
    _assign(reviewer, [mine, awaiting])
    _assign(other_reviewer, [someone_elses])
    assert _queue(reviewer) == [mine.pk]
    assert _queue(other_reviewer) == [someone_elses.pk]


def test_a_posting_assignment_covers_applicants_registered_later(reviewer, job_posting, submit, company):
    before = submit(job_posting)
    services.reviewers_assign_posting(job_posting=job_posting, reviewers=[reviewer], key="p1")
    later = submit(job_posting)
    elsewhere = submit(JobPostingFactory(company=company))
    assert _queue(reviewer) == [before.pk, later.pk]
    assert elsewhere.pk not in _queue(reviewer)


def test_the_queue_is_in_submission_order_and_leaves_out_withdrawn(reviewer, job_posting, submit):
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    second = submit(job_posting, at=now)
    first = submit(job_posting, at=now - dt.timedelta(hours=1))
    gone = submit(job_posting, at=now - dt.timedelta(hours=2))
    services.reviewers_assign_posting(job_posting=job_posting, reviewers=[reviewer], key="p1")
    Applicant.objects.filter(pk=gone.pk).update(status=Applicant.Status.WITHDRAWN)
    assert _queue(reviewer) == [first.pk, second.pk]


def test_unassigning_takes_applicants_out_of_the_queue(reviewer, job_posting, submit):
    applicant = submit(job_posting)
    _assign(reviewer, [applicant])
    services.assignment_delete(assignment=ReviewerAssignment.objects.get())
    assert _queue(reviewer) == []


def test_assigning_leaves_out_withdrawn_applicants_and_is_harmless_twice(reviewer, job_posting, submit):
    applicant = submit(job_posting)
    withdrawn = ApplicantFactory(job_posting=job_posting, status=Applicant.Status.WITHDRAWN)
    assert _assign(reviewer, [applicant, withdrawn]).targets == 1
    _assign(reviewer, [applicant], key="k2")
    assert ReviewerAssignment.objects.get().applicant == applicant


def test_a_reviewer_of_another_company_cannot_be_assigned(other_company, job_posting, submit):
    outsider = services.reviewer_create(company=other_company, name="外部", email="x@example.jp")
    with pytest.raises(ValueError):
        services.reviewers_assign_posting(job_posting=job_posting, reviewers=[outsider], key="p1")


def test_assigning_another_companys_applicants_assigns_nothing(other_company, job_posting, submit):
    outsider = services.reviewer_create(company=other_company, name="外部", email="x@example.jp")
    applicant = submit(job_posting)
    result = services.reviewers_assign_applicants(
        company=other_company,
        reviewers=[outsider],
        applicants=Applicant.objects.filter(pk=applicant.pk),
        key="x",
    )
    assert result.targets == 0 and not ReviewerAssignment.objects.exists()


# --- D07 ------------------------------------------------------------------------------------------


def test_d07_goes_once_per_assignment_request_and_reviewer(
    reviewer, other_reviewer, job_posting, submit, django_capture_on_commit_callbacks
):
    applicants = [submit(job_posting), submit(job_posting)]
    for _ in range(2):  # the same request twice (a double click, a retry): nothing new
        services.reviewers_assign_applicants(
            company=reviewer.company,
            reviewers=[reviewer, other_reviewer],
            applicants=Applicant.objects.filter(pk__in=[a.pk for a in applicants]),
            key="list-abc",
        )
    mails = Message.objects.filter(template_code="D07")
    assert sorted(mails.values_list("to", flat=True)) == ["sato@example.jp", "suzuki@example.jp"]
    mail = mails.get(to="sato@example.jp")
    assert mail.applicant_id is None and mail.company_id == reviewer.company_id
    assert mail.idempotency_key == f"D07:list-abc:reviewer:{reviewer.pk}"
    assert mail.subject == "録画面接の評価のお願い"
    assert "佐藤 部長 様" in mail.body and reviewer.review_url in mail.body
    assert reviewer.company.name in mail.body
    _assign(reviewer, applicants[:1], key="list-def")  # a new request: one more D07
    assert Message.objects.filter(template_code="D07", to="sato@example.jp").count() == 2


def test_d07_is_in_english_for_an_english_company(reviewer, company, job_posting, submit):
    company.language = "en"
    company.save(update_fields=["language"])
    _assign(reviewer, [submit(job_posting)])
    mail = Message.objects.get(template_code="D07")
    assert mail.subject == "Please evaluate recorded interviews"
    assert "Dear 佐藤 部長," in mail.body


def test_no_d07_for_a_revoked_link(reviewer, job_posting, submit):
    services.reviewer_link_revoke(reviewer=reviewer)
    assert _assign(reviewer, [submit(job_posting)]).mailed == 0
    assert not Message.objects.filter(template_code="D07").exists()


def test_setting_a_postings_reviewers_mails_only_the_new_ones(reviewer, other_reviewer, job_posting):
    services.posting_reviewers_set(job_posting=job_posting, reviewers=[reviewer], key="a")
    services.posting_reviewers_set(job_posting=job_posting, reviewers=[reviewer, other_reviewer], key="b")
    assert sorted(Message.objects.values_list("to", flat=True)) == ["sato@example.jp", "suzuki@example.jp"]
    services.posting_reviewers_set(job_posting=job_posting, reviewers=[other_reviewer], key="c")
    assert selectors.posting_reviewer_ids(job_posting=job_posting) == {other_reviewer.pk}


def test_regenerating_sends_the_new_link(reviewer):
    services.reviewer_link_regenerate(reviewer=reviewer)
    reviewer.refresh_from_db()
    assert reviewer.review_url in Message.objects.get(template_code="D07").body


def test_d07_to_a_suppressed_address_is_recorded_not_sent(reviewer, job_posting, submit):
    from messaging.models import Suppression

    Suppression.objects.create(company=reviewer.company, email="sato@example.jp", reason="bounced")
    _assign(reviewer, [submit(job_posting)])
    assert Message.objects.get(template_code="D07").status == Message.Status.SUPPRESSED


# --- Evaluations from the queue -------------------------------------------------------------------


def test_one_evaluation_per_reviewer_and_applicant(reviewer, other_reviewer, job_posting, submit):
    applicant = submit(job_posting)
    sheet = services.evaluation_sheet_for(job_posting=job_posting)
    overall = sheet.items.all()[0]
    first, created = services.reviewer_evaluation_save(
        reviewer=reviewer, applicant=applicant, sheet=sheet, answers={overall.pk: "B"}
    )
    again, created_again = services.reviewer_evaluation_save(
        reviewer=reviewer, applicant=applicant, sheet=sheet, answers={overall.pk: "A"}
    )
    assert created and not created_again and again.pk == first.pk
    other, _created = services.reviewer_evaluation_save(
        reviewer=other_reviewer, applicant=applicant, sheet=sheet, answers={overall.pk: "C"}
    )
    assert Evaluation.objects.count() == 2
    first.refresh_from_db()
    assert first.headline == "A" and first.updated_at is not None
    assert (first.reviewer, first.reviewer_name) == (reviewer, "佐藤 部長")
    assert other.reviewer_name == "鈴木 課長"


def test_the_database_refuses_a_second_evaluation_of_a_reviewer(reviewer, job_posting, submit):
    from django.db import IntegrityError, transaction

    applicant = submit(job_posting)
    values = {"company": applicant.company, "applicant": applicant, "reviewer": reviewer, "sheet_name": "s"}
    Evaluation.objects.create(reviewer_name="a", **values)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(reviewer_name="b", **values)


def test_a_queue_evaluation_is_announced_once_by_webhook(company, reviewer, job_posting, submit):
    WebhookEndpoint.objects.create(
        company=company, url="https://ats.example.com/h", events=["evaluation.submitted"]
    )
    applicant = submit(job_posting)
    sheet = services.evaluation_sheet_for(job_posting=job_posting)
    for grade in ("A", "B"):
        services.reviewer_evaluation_save(
            reviewer=reviewer, applicant=applicant, sheet=sheet, answers={sheet.items.all()[0].pk: grade}
        )
    (delivery,) = WebhookDelivery.objects.filter(event_type="evaluation.submitted")
    assert f'"reviewer_id":{reviewer.pk}' in delivery.body.replace(" ", "")


def test_deleting_a_reviewer_keeps_their_evaluations_by_name(reviewer, job_posting, submit):
    applicant = submit(job_posting)
    sheet = services.evaluation_sheet_for(job_posting=job_posting)
    services.reviewer_evaluation_save(reviewer=reviewer, applicant=applicant, sheet=sheet, answers={})
    services.reviewer_delete(reviewer=reviewer)
    evaluation = Evaluation.objects.get()
    assert evaluation.reviewer is None and evaluation.reviewer_name == "佐藤 部長"
    assert not ReviewerAssignment.objects.exists()
