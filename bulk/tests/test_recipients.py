"""Each answer request keeps its recipients: sent (with the D04's delivery status) or skipped and why —
on the request's page, as CSV and through the API; another company gets 404 everywhere."""

from __future__ import annotations

import codecs
import csv
import io

import pytest
from django.urls import reverse

from applicants.models import Applicant
from bulk import selectors, services
from bulk.models import AnswerRequest, AnswerRequestRecipient
from bulk.services import Selection
from messaging.models import Message, Suppression
from tests.factories import ApplicantFactory, JobPostingFactory

SENT = AnswerRequestRecipient.Outcome.SENT
SKIPPED = AnswerRequestRecipient.Outcome.SKIPPED
Reason = AnswerRequestRecipient.Reason


def _confirm_ids(company, rows) -> None:  # type: ignore[no-untyped-def]
    company.last_im_id = max(a.im_id for a in rows)
    company.save(update_fields=["last_im_id"])


def _request(company, search, key, im_ids=(), send_again=False):  # type: ignore[no-untyped-def]
    """Confirm a request without running its job (on-commit callbacks do not fire in a test)."""
    answer_request, _created = services.answer_request_create(
        company=company,
        selection=Selection.of(search=search, im_ids=im_ids),
        idempotency_key=key,
        by=None,
        send_again=send_again,
    )
    return answer_request


def _run(answer_request, **kwargs) -> AnswerRequest:  # type: ignore[no-untyped-def]
    services.answer_request_run(answer_request_id=answer_request.pk, **kwargs)
    answer_request.refresh_from_db()
    return answer_request


def _outcomes(answer_request) -> dict[int, tuple[str, str]]:  # type: ignore[no-untyped-def]
    rows = AnswerRequestRecipient.objects.filter(answer_request=answer_request)
    return {r.applicant_id: (r.outcome, r.reason) for r in rows}


@pytest.fixture
def mixed(company, job_posting):
    """調整中 ×3 (one reminded an hour ago by another request, one with a suppressed address), and one
    each of 回答済, 期限切れ and 辞退."""
    statuses = ["awaiting"] * 3 + ["submitted", "expired", "withdrawn"]
    rows = [ApplicantFactory(job_posting=job_posting, status=s) for s in statuses]
    _confirm_ids(company, rows)
    earlier = _request(company, {"job_posting": job_posting.pk}, "earlier", im_ids=[rows[1].im_id])
    _run(earlier)
    Suppression.objects.create(company=company, email=rows[2].email, reason="bounced")
    return rows


@pytest.fixture
def ran(company, job_posting, mixed):
    """The whole posting, confirmed; then someone registers before the job runs."""
    answer_request = _request(company, {"job_posting": job_posting.pk}, "main")
    late = ApplicantFactory(job_posting=job_posting, im_id=mixed[-1].im_id + 10)
    return _run(answer_request), late


def test_every_selected_applicant_is_sent_or_skipped_with_the_reason(mixed, ran):
    answer_request, late = ran
    fresh, recent, suppressed, submitted, expired, withdrawn = mixed
    assert _outcomes(answer_request) == {
        fresh.pk: (SENT, ""),
        recent.pk: (SKIPPED, Reason.REMINDED_RECENTLY),
        suppressed.pk: (SKIPPED, Reason.SUPPRESSED),
        submitted.pk: (SKIPPED, Reason.SUBMITTED),
        expired.pk: (SKIPPED, Reason.EXPIRED),
        withdrawn.pk: (SKIPPED, Reason.WITHDRAWN),
        late.pk: (SKIPPED, Reason.REGISTERED_LATER),
    }


def test_sent_and_suppressed_rows_link_their_d04(mixed, ran):
    answer_request, _late = ran
    fresh, _recent, suppressed = mixed[:3]
    rows = {r.applicant_id: r for r in AnswerRequestRecipient.objects.filter(answer_request=answer_request)}
    d04 = Message.objects.get(idempotency_key=f"D04:{answer_request.pk}:{fresh.pk}")
    assert rows[fresh.pk].message == d04 and d04.status == Message.Status.QUEUED
    assert rows[suppressed.pk].message.status == Message.Status.SUPPRESSED
    assert all(r.message is None for pk, r in rows.items() if pk not in (fresh.pk, suppressed.pk))


def test_counts_per_reason(mixed, ran):
    answer_request, _late = ran
    counts = selectors.recipient_counts(answer_request=answer_request)
    assert (counts.sent, counts.skipped, counts.total) == (1, 6, 7)
    assert [(r["value"], r["count"]) for r in counts.reasons()] == [
        ("submitted", 1),
        ("expired", 1),
        ("withdrawn", 1),
        ("recent", 1),
        ("suppressed", 1),
        ("later", 1),
    ]


def test_small_chunks_record_the_same_list(company, job_posting, mixed):
    answer_request = _run(_request(company, {"job_posting": job_posting.pk}, "chunks"), chunk_size=2)
    assert answer_request.state == AnswerRequest.State.DONE
    outcomes = _outcomes(answer_request)
    assert len(outcomes) == 6
    assert outcomes[mixed[0].pk] == (SENT, "")
    assert outcomes[mixed[1].pk] == (SKIPPED, Reason.REMINDED_RECENTLY)


def test_a_retried_job_records_nobody_twice(company, job_posting, mixed, ran):
    answer_request, _late = ran
    before = _outcomes(answer_request)
    AnswerRequest.objects.filter(pk=answer_request.pk).update(
        state=AnswerRequest.State.RUNNING, cursor_im_id=0, processed_count=0, queued_count=0
    )
    again = _run(answer_request)
    assert _outcomes(again) == before
    assert AnswerRequestRecipient.objects.filter(answer_request=answer_request).count() == 7
    assert again.queued_count == 0


def test_send_again_reaches_the_recently_reminded(company, job_posting, mixed):
    answer_request = _run(_request(company, {"job_posting": job_posting.pk}, "again", send_again=True))
    assert _outcomes(answer_request)[mixed[1].pk] == (SENT, "")


def test_without_a_resend_window_nobody_is_skipped_as_recent(settings, company, job_posting, mixed):
    settings.ANSWER_REQUEST_RESEND_HOURS = 0
    answer_request = _run(_request(company, {"job_posting": job_posting.pk}, "no-window"))
    assert _outcomes(answer_request)[mixed[1].pk] == (SENT, "")


def test_who_submitted_after_the_confirmation_is_skipped_as_submitted(company, job_posting, mixed):
    answer_request = _request(company, {"job_posting": job_posting.pk}, "later-submit")
    Applicant.objects.filter(pk=mixed[0].pk).update(status=Applicant.Status.SUBMITTED)
    answer_request = _run(answer_request)
    assert _outcomes(answer_request)[mixed[0].pk] == (SKIPPED, Reason.SUBMITTED)
    assert not Message.objects.filter(idempotency_key=f"D04:{answer_request.pk}:{mixed[0].pk}").exists()


def test_ticked_applicants_only_are_listed(company, job_posting, mixed):
    ticked = [mixed[0].im_id, mixed[3].im_id]
    answer_request = _run(_request(company, {"job_posting": job_posting.pk}, "ticked", im_ids=ticked))
    assert _outcomes(answer_request) == {mixed[0].pk: (SENT, ""), mixed[3].pk: (SKIPPED, Reason.SUBMITTED)}


# --- The request's page --------------------------------------------------------------------------


def _detail(client, answer_request, **params):  # type: ignore[no-untyped-def]
    return client.get(reverse("bulk:answer_request_detail", args=[answer_request.pk]), params)


def test_the_page_lists_sent_and_skipped_with_reasons(alice_client, mixed, ran):
    answer_request, _late = ran
    response = _detail(alice_client, answer_request)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-outcome="sent"' in html and 'data-reason="suppressed"' in html
    # The reasons, in Japanese, with how many each.
    assert "送信停止アドレス" in html and "調整中ではない（回答済）" in html and "確認後に登録" in html
    assert "24時間以内に他の回答依頼で送信済み" in html
    assert [r.applicant_id for r in response.context["page"]] == sorted(_outcomes(answer_request))
    assert {tab["value"]: tab["count"] for tab in response.context["tabs"]} == {
        "": 7,
        "sent": 1,
        "skipped": 6,
    }


def test_the_page_filters_by_outcome_and_reason(alice_client, mixed, ran):
    answer_request, _late = ran
    skipped = _detail(alice_client, answer_request, outcome="skipped").context["page"]
    assert {r.outcome for r in skipped} == {SKIPPED} and len(skipped) == 6
    sent = _detail(alice_client, answer_request, outcome="sent").context["page"]
    assert [r.applicant_id for r in sent] == [mixed[0].pk]
    suppressed = _detail(alice_client, answer_request, reason="suppressed").context["page"]
    assert [r.applicant_id for r in suppressed] == [mixed[2].pk]
    odd = _detail(alice_client, answer_request, outcome="nope", reason="x" * 500)
    assert odd.status_code == 200 and len(odd.context["page"]) == 7


def test_the_page_is_paginated_by_50(alice_client, company, job_posting):
    rows = ApplicantFactory.create_batch(55, job_posting=job_posting)
    _confirm_ids(company, rows)
    answer_request = _run(_request(company, {"job_posting": job_posting.pk}, "many"))
    first = _detail(alice_client, answer_request)
    second = _detail(alice_client, answer_request, page=2)
    assert len(first.context["page"]) == 50 and len(second.context["page"]) == 5
    assert first.context["page"].paginator.count == 55


def test_the_page_of_a_request_without_a_list_says_so(alice_client, company, job_posting):
    old = AnswerRequest.objects.create(
        company=company, job_posting=job_posting, idempotency_key="old", state=AnswerRequest.State.DONE
    )
    response = _detail(alice_client, old)
    assert response.status_code == 200
    assert 'id="recipients-empty"' in response.content.decode()


# --- CSV -------------------------------------------------------------------------------------------


def _csv(client, answer_request, **params):  # type: ignore[no-untyped-def]
    url = reverse("bulk:answer_request_recipients_csv", args=[answer_request.pk])
    return client.get(url, params)


def _rows(response, encoding: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    body = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(body.decode(encoding), newline="")))


def test_csv_in_cp932_lists_every_recipient_with_reason_and_status(alice_client, mixed, ran):
    answer_request, late = ran
    response = _csv(alice_client, answer_request, encoding="cp932")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=Shift_JIS"
    assert "attachment" in response["Content-Disposition"]
    rows = _rows(response, "cp932")
    assert rows[0] == ["iM採用ID", "氏名", "メールアドレス", "結果", "理由", "D04の状態", "日時"]
    by_id = {int(row[0]): row for row in rows[1:]}
    assert set(by_id) == {a.im_id for a in [*mixed, late]}
    fresh, _recent, suppressed = mixed[:3]
    assert by_id[fresh.im_id][1:6] == [fresh.full_name, fresh.email, "送信", "", "送信待ち"]
    assert by_id[suppressed.im_id][3:6] == ["スキップ", "送信停止アドレス", "送信停止"]


def test_csv_in_utf8_has_a_bom_and_keeps_the_filter(alice_client, mixed, ran):
    answer_request, _late = ran
    response = _csv(alice_client, answer_request, encoding="utf-8", outcome="sent")
    body = b"".join(response.streaming_content)
    assert body.startswith(codecs.BOM_UTF8)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert [int(r[0]) for r in rows[1:]] == [mixed[0].im_id]
    assert body.count(b"\r\n") == 2  # CRLF line ends


def test_csv_neutralises_formula_cells(alice_client, company, job_posting):
    applicant = ApplicantFactory(job_posting=job_posting, last_name='=HYPERLINK("x")', first_name="")
    _confirm_ids(company, [applicant])
    answer_request = _run(_request(company, {"job_posting": job_posting.pk}, "formula"))
    rows = _rows(_csv(alice_client, answer_request, encoding="utf-8"), "utf-8-sig")
    assert rows[1][1] == '\'=HYPERLINK("x")'


def test_csv_that_cp932_cannot_hold_says_which_applicants(alice_client, company, job_posting):
    applicant = ApplicantFactory(job_posting=job_posting, first_name="花子😀")
    _confirm_ids(company, [applicant])
    answer_request = _run(_request(company, {"job_posting": job_posting.pk}, "emoji"))
    response = _csv(alice_client, answer_request, encoding="cp932")
    assert response.status_code == 302
    page = alice_client.get(response["Location"])
    assert str(applicant.im_id) in page.content.decode() and "UTF-8" in page.content.decode()
    assert _csv(alice_client, answer_request, encoding="utf-8").status_code == 200


# --- API -------------------------------------------------------------------------------------------


def _api_url(answer_request) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/answer-requests/{answer_request.pk}/recipients/"


def test_api_lists_recipients_paginated_with_reason_and_message_status(alice_api, mixed, ran):
    answer_request, late = ran
    body = alice_api.get(_api_url(answer_request)).json()
    assert body["count"] == 7
    rows = {row["im_id"]: row for row in body["results"]}
    fresh, recent, suppressed = mixed[:3]
    assert rows[fresh.im_id]["outcome"] == "sent" and rows[fresh.im_id]["message_status"] == "queued"
    assert rows[fresh.im_id]["message_id"] == Message.objects.get(applicant=fresh, template_code="D04").pk
    assert (rows[recent.im_id]["outcome"], rows[recent.im_id]["reason"]) == ("skipped", "recent")
    assert rows[suppressed.im_id]["message_status"] == "suppressed"
    assert (rows[late.im_id]["reason"], rows[late.im_id]["message_id"]) == ("later", None)
    skipped = alice_api.get(_api_url(answer_request), {"outcome": "skipped"}).json()
    assert skipped["count"] == 6
    assert alice_api.get(_api_url(answer_request), {"reason": "expired"}).json()["count"] == 1


def test_api_pages_hold_50(alice_api, company, job_posting):
    rows = ApplicantFactory.create_batch(52, job_posting=job_posting)
    _confirm_ids(company, rows)
    answer_request = _run(_request(company, {"job_posting": job_posting.pk}, "api-many"))
    first = alice_api.get(_api_url(answer_request)).json()
    assert (first["count"], len(first["results"])) == (52, 50) and first["next"]
    assert len(alice_api.get(first["next"]).json()["results"]) == 2


@pytest.mark.parametrize("params", [{"outcome": "maybe"}, {"reason": "x" * 300}])
def test_api_refuses_unknown_filters_with_400(alice_api, mixed, ran, params):
    answer_request, _late = ran
    response = alice_api.get(_api_url(answer_request), params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


# --- Another company ------------------------------------------------------------------------------


def test_outsider_gets_404_for_the_list_its_csv_and_its_api(charlie_client, charlie_api, mixed, ran):
    answer_request, _late = ran
    assert _detail(charlie_client, answer_request).status_code == 404
    assert _csv(charlie_client, answer_request, encoding="utf-8").status_code == 404
    assert charlie_api.get(_api_url(answer_request)).status_code == 404


def test_a_request_of_another_company_lists_only_its_own(company, other_company, job_posting, mixed):
    theirs = ApplicantFactory(job_posting=JobPostingFactory(company=other_company))
    answer_request = _run(_request(company, {}, "tenancy", im_ids=[theirs.im_id, mixed[0].im_id]))
    assert set(_outcomes(answer_request)) == {mixed[0].pk}
