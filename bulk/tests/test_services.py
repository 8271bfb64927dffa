"""まとめて処理モード services: bulk 回答依頼 (D04) once per applicant per request, bulk 辞退."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from applicants.models import Applicant
from bulk import services
from bulk.models import AnswerRequest
from bulk.services import Selection
from messaging.models import Message
from tests.factories import ApplicantFactory, JobPostingFactory

AWAITING = Applicant.Status.AWAITING
SUBMITTED = Applicant.Status.SUBMITTED


@pytest.fixture
def applicants(job_posting):
    """Four 調整中, two 回答済, one 辞退; iM採用IDs handed out like the registration does."""
    statuses = [AWAITING] * 4 + [SUBMITTED] * 2 + [Applicant.Status.WITHDRAWN]
    rows = [ApplicantFactory(job_posting=job_posting, status=s) for s in statuses]
    job_posting.company.last_im_id = max(a.im_id for a in rows)
    job_posting.company.save(update_fields=["last_im_id"])
    return rows


def d04_count(applicant: Applicant) -> int:
    return Message.objects.filter(applicant=applicant, template_code="D04").count()


def create(company, search, key="k1", im_ids=(), by=None):  # type: ignore[no-untyped-def]
    return services.answer_request_create(
        company=company, selection=Selection.of(search=search, im_ids=im_ids), idempotency_key=key, by=by
    )


def test_counts_say_how_many_will_be_sent_and_skipped(company, job_posting, applicants):
    counts = services.selection_counts(
        company=company, selection=Selection.of(search={"job_posting": job_posting.pk})
    )
    assert (counts.selected, counts.awaiting, counts.skipped) == (7, 4, 3)
    assert counts.withdrawable == 4


def test_it_queues_one_d04_for_each_awaiting_applicant_only(
    company, job_posting, applicants, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer_request, created = create(company, {"job_posting": job_posting.pk}, by=alice)
    answer_request.refresh_from_db()
    assert created
    assert answer_request.state == AnswerRequest.State.DONE
    assert (answer_request.target_count, answer_request.skipped_count, answer_request.queued_count) == (
        4,
        3,
        4,
    )
    assert answer_request.created_by == alice
    assert answer_request.search == {"job_posting": str(job_posting.pk)}
    assert [d04_count(a) for a in applicants] == [1, 1, 1, 1, 0, 0, 0]
    message = Message.objects.get(applicant=applicants[0], template_code="D04")
    assert message.to == applicants[0].email
    assert applicants[0].interview_url in message.body


def test_a_resubmitted_form_sends_nothing_twice(
    company, job_posting, applicants, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first, created_first = create(company, {"job_posting": job_posting.pk}, key="same")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second, created_second = create(company, {"job_posting": job_posting.pk}, key="same")
    assert created_first and not created_second
    assert first.pk == second.pk
    assert callbacks == []
    assert AnswerRequest.objects.count() == 1
    assert Message.objects.filter(template_code="D04").count() == 4


def test_a_retried_job_sends_nothing_twice(
    company, job_posting, applicants, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer_request, _ = create(company, {"job_posting": job_posting.pk})
    # As if the worker died after queueing but before recording its progress.
    AnswerRequest.objects.filter(pk=answer_request.pk).update(
        state=AnswerRequest.State.RUNNING, cursor_im_id=0, processed_count=0, queued_count=0
    )
    services.answer_request_run(answer_request_id=answer_request.pk)
    answer_request.refresh_from_db()
    assert answer_request.state == AnswerRequest.State.DONE
    assert answer_request.queued_count == 0
    assert Message.objects.filter(template_code="D04").count() == 4


def test_a_second_request_sends_again(company, job_posting, applicants, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        create(company, {"job_posting": job_posting.pk}, key="monday")
        create(company, {"job_posting": job_posting.pk}, key="friday")
    assert [d04_count(a) for a in applicants[:4]] == [2, 2, 2, 2]


def test_it_works_in_chunks_and_records_progress(company, job_posting, applicants):
    answer_request, _ = create(company, {"job_posting": job_posting.pk, "status": AWAITING})
    services.answer_request_run(answer_request_id=answer_request.pk, chunk_size=3)
    answer_request.refresh_from_db()
    assert answer_request.processed_count == 4
    assert answer_request.cursor_im_id == applicants[3].im_id
    assert answer_request.percent == 100
    assert answer_request.started_at is not None and answer_request.finished_at is not None


def test_only_what_was_confirmed_is_sent(company, job_posting, applicants):
    answer_request, _ = create(company, {"job_posting": job_posting.pk})
    # After the confirmation: one applicant submits, a new one registers.
    Applicant.objects.filter(pk=applicants[0].pk).update(status=SUBMITTED)
    late = ApplicantFactory(job_posting=job_posting, im_id=applicants[-1].im_id + 100)
    services.answer_request_run(answer_request_id=answer_request.pk)
    assert d04_count(applicants[0]) == 0
    assert d04_count(late) == 0
    assert [d04_count(a) for a in applicants[1:4]] == [1, 1, 1]


def test_ticked_applicants_only(company, job_posting, applicants):
    ticked = [applicants[0].im_id, applicants[4].im_id]
    answer_request, _ = create(company, {"job_posting": job_posting.pk}, im_ids=ticked)
    assert (answer_request.selected_count, answer_request.target_count, answer_request.skipped_count) == (
        2,
        1,
        1,
    )
    services.answer_request_run(answer_request_id=answer_request.pk)
    assert [d04_count(a) for a in applicants] == [1, 0, 0, 0, 0, 0, 0]


def test_ticked_ids_of_another_company_select_nothing(company, other_company, job_posting, applicants):
    outsider = ApplicantFactory(job_posting=JobPostingFactory(company=other_company))
    answer_request, _ = create(company, {}, im_ids=[outsider.im_id])
    services.answer_request_run(answer_request_id=answer_request.pk)
    assert answer_request.selected_count == 0
    assert d04_count(outsider) == 0


def test_the_same_key_in_two_companies_is_two_requests(company, other_company, job_posting, applicants):
    mine, _ = create(company, {}, key="shared")
    theirs, created = create(other_company, {}, key="shared")
    assert created and mine.pk != theirs.pk
    assert theirs.selected_count == 0


def test_withdraw_keeps_submitted_applicants(company, job_posting, applicants):
    changed = services.selection_withdraw(
        company=company, selection=Selection.of(search={"job_posting": job_posting.pk})
    )
    statuses = list(Applicant.objects.order_by("im_id").values_list("status", flat=True))
    assert changed == 4  # the four awaiting; the one already withdrawn is not counted again
    assert statuses == [Applicant.Status.WITHDRAWN] * 4 + [SUBMITTED] * 2 + [Applicant.Status.WITHDRAWN]


def test_a_failed_job_is_marked_with_its_reason(company, job_posting, applicants, monkeypatch):
    answer_request, _ = create(company, {"job_posting": job_posting.pk})

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr("messaging.services.messages_queue", broken)
    from bulk.tasks import answer_request_run_task

    # The last of its retries: the job gives up and says why.
    with pytest.raises(RuntimeError):
        answer_request_run_task.apply(args=[answer_request.pk], retries=5, throw=True)
    answer_request.refresh_from_db()
    assert answer_request.state == AnswerRequest.State.FAILED
    assert "database went away" in answer_request.error
    assert Message.objects.filter(template_code="D04").count() == 0


def test_resume_re_enqueues_only_unfinished_requests_whose_task_was_lost(
    company, alice, job_posting, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone

    from bulk.models import AnswerRequest
    from bulk.services import answer_requests_resume

    old = timezone.now() - dt.timedelta(minutes=10)
    lost = AnswerRequest.objects.create(company=company, job_posting=job_posting, idempotency_key="lost")
    done = AnswerRequest.objects.create(
        company=company, job_posting=job_posting, idempotency_key="done", state=AnswerRequest.State.DONE
    )
    fresh = AnswerRequest.objects.create(company=company, job_posting=job_posting, idempotency_key="fresh")
    AnswerRequest.objects.filter(pk__in=[lost.pk, done.pk]).update(created_at=old)
    with django_capture_on_commit_callbacks(execute=True):
        assert answer_requests_resume() == 1  # the lost one; the fresh one's task may still be on its way
    lost.refresh_from_db()
    assert lost.state == AnswerRequest.State.DONE  # the re-enqueued task ran (eagerly here) and finished
    fresh.refresh_from_db()
    assert fresh.state == AnswerRequest.State.QUEUED


# --- The resend window: a second request soon after the first leaves the reminded out ---------------


def _age_d04(hours: float) -> None:
    Message.objects.filter(template_code="D04").update(created_at=timezone.now() - dt.timedelta(hours=hours))


def test_a_second_request_within_the_window_sends_no_second_d04(
    company, job_posting, applicants, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        create(company, {"job_posting": job_posting.pk}, key="first")
    with django_capture_on_commit_callbacks(execute=True):
        second, created = create(company, {"job_posting": job_posting.pk}, key="second")
    second.refresh_from_db()
    assert created
    assert (second.target_count, second.recent_count, second.queued_count) == (0, 4, 0)
    assert [d04_count(a) for a in applicants] == [1, 1, 1, 1, 0, 0, 0]


def test_send_again_reaches_the_recently_reminded(
    company, job_posting, applicants, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        create(company, {"job_posting": job_posting.pk}, key="first")
    with django_capture_on_commit_callbacks(execute=True):
        again, _ = services.answer_request_create(
            company=company,
            selection=Selection.of(search={"job_posting": job_posting.pk}),
            idempotency_key="again",
            by=None,
            send_again=True,
        )
    again.refresh_from_db()
    assert (again.target_count, again.recent_count, again.queued_count, again.send_again) == (4, 0, 4, True)
    assert [d04_count(a) for a in applicants] == [2, 2, 2, 2, 0, 0, 0]


def test_only_the_reminded_are_left_out_and_an_old_reminder_does_not_count(
    company, job_posting, applicants, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        create(company, {"job_posting": job_posting.pk}, key="old", im_ids=[applicants[0].im_id])
    _age_d04(25)  # outside the 24-hour window
    with django_capture_on_commit_callbacks(execute=True):
        create(company, {"job_posting": job_posting.pk}, key="recent", im_ids=[applicants[1].im_id])
    with django_capture_on_commit_callbacks(execute=True):
        third, _ = create(company, {"job_posting": job_posting.pk}, key="third")
    third.refresh_from_db()
    assert (third.target_count, third.recent_count, third.queued_count) == (3, 1, 3)
    assert [d04_count(a) for a in applicants[:4]] == [2, 1, 1, 1]


def test_a_d04_that_reached_nobody_does_not_count(
    company, job_posting, applicants, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        create(company, {"job_posting": job_posting.pk}, key="first")
    Message.objects.filter(applicant=applicants[0]).update(status=Message.Status.BOUNCED)
    Message.objects.filter(applicant=applicants[1]).update(status=Message.Status.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        second, _ = create(company, {"job_posting": job_posting.pk}, key="second")
    second.refresh_from_db()
    assert (second.target_count, second.recent_count) == (2, 2)
    assert [d04_count(a) for a in applicants[:4]] == [2, 2, 1, 1]


def test_the_window_can_be_switched_off(
    company, job_posting, applicants, settings, django_capture_on_commit_callbacks
):
    settings.ANSWER_REQUEST_RESEND_HOURS = 0
    with django_capture_on_commit_callbacks(execute=True):
        create(company, {"job_posting": job_posting.pk}, key="first")
    with django_capture_on_commit_callbacks(execute=True):
        create(company, {"job_posting": job_posting.pk}, key="second")
    assert [d04_count(a) for a in applicants[:4]] == [2, 2, 2, 2]
