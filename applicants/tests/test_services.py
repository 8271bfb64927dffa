import threading

import pytest
from django.db import connection, transaction

from applicants import services
from applicants.models import Applicant, Company
from applicants.services import ApplicantData
from tests.factories import ApplicantFactory, CompanyFactory, JobPostingFactory


def _rows(*emails: str) -> list[ApplicantData]:
    return [ApplicantData(email=e, values={"last_name": "髙橋", "first_name": "①郎"}) for e in emails]


def test_it_allocates_consecutive_im_ids_per_company(job_posting):
    first = services.applicants_register(job_posting=job_posting, rows=_rows("a@x.jp", "b@x.jp"), via="form")
    second = services.applicants_register(job_posting=job_posting, rows=_rows("c@x.jp"), via="api")
    assert [a.im_id for a in first + second] == [1, 2, 3]
    other = services.applicants_register(job_posting=JobPostingFactory(), rows=_rows("a@x.jp"), via="form")
    assert other[0].im_id == 1


def test_im_ids_are_never_reused_after_a_delete(job_posting):
    (applicant,) = services.applicants_register(job_posting=job_posting, rows=_rows("a@x.jp"), via="form")
    applicant.delete()
    (again,) = services.applicants_register(job_posting=job_posting, rows=_rows("a@x.jp"), via="form")
    assert again.im_id == 2


def test_it_gives_each_applicant_an_unguessable_token(job_posting):
    a, b = services.applicants_register(job_posting=job_posting, rows=_rows("a@x.jp", "b@x.jp"), via="form")
    assert a.interview_token != b.interview_token
    assert len(a.interview_token) >= 32  # 24 random bytes, URL-safe base64
    assert a.interview_url.endswith(f"/i/{a.interview_token}/")


def test_a_rolled_back_registration_consumes_no_ids(job_posting):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.applicants_register(job_posting=job_posting, rows=_rows("a@x.jp"), via="form")
        raise RuntimeError
    (applicant,) = services.applicants_register(job_posting=job_posting, rows=_rows("b@x.jp"), via="form")
    assert applicant.im_id == 1


def test_update_changes_fields_and_keeps_the_id(job_posting):
    applicant = ApplicantFactory(job_posting=job_posting)
    services.applicant_update(applicant=applicant, data={"school": "京都大学", "im_id": 999})
    applicant.refresh_from_db()
    assert applicant.school == "京都大学"
    assert applicant.im_id != 999


def test_withdraw_leaves_submitted_applicants_alone(job_posting):
    awaiting = ApplicantFactory(job_posting=job_posting)
    submitted = ApplicantFactory(job_posting=job_posting, status=Applicant.Status.SUBMITTED)
    assert services.applicants_withdraw(applicants=[awaiting, submitted]) == 1
    awaiting.refresh_from_db()
    submitted.refresh_from_db()
    assert awaiting.status == Applicant.Status.WITHDRAWN
    assert submitted.status == Applicant.Status.SUBMITTED


def test_job_posting_save_keeps_questions_in_order(company):
    posting = services.job_posting_save(
        company=company,
        posting=None,
        data={"title": "T", "instructions": "", "deadline": "2030-01-01T00:00+09:00", "is_open": True},
        questions=[
            {"text": t, "preparation_seconds": 5, "answer_seconds": 30, "max_takes": 1}
            for t in ("一", "二", "三")
        ],
    )
    first_id = posting.questions.get(position=0).pk
    services.job_posting_save(
        company=company,
        posting=posting,
        data={"title": "T2"},
        questions=[{"text": "新", "preparation_seconds": 5, "answer_seconds": 30, "max_takes": 3}],
    )
    assert list(posting.questions.values_list("text", flat=True)) == ["新"]
    assert posting.questions.get().pk == first_id


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_in_one_company_get_distinct_ids(transactional_db):
    company = CompanyFactory()
    postings = [JobPostingFactory(company=company) for _ in range(4)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(postings))

    def register(posting):
        try:
            barrier.wait()
            for i in range(5):
                services.applicants_register(
                    job_posting=posting,
                    rows=_rows(*(f"{posting.pk}-{i}-{n}@x.jp" for n in range(20))),
                    via="api",
                )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(p,)) for p in postings]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    ids = list(Applicant.objects.filter(company=company).values_list("im_id", flat=True))
    assert len(ids) == len(set(ids)) == 400
    assert sorted(ids) == list(range(1, 401))
    assert Company.objects.get(pk=company.pk).last_im_id == 400
