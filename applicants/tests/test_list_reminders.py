"""The list's 「最終回答依頼」: each applicant's last answer request D04 and how many, and the search
conditions on it (`reminded=never|ever`, `not_reminded_since=<date>`) on the list, the API and in a
bulk selection, through both of the list's search paths."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from applicants import selectors
from applicants.models import Applicant
from bulk import services as bulk_services
from bulk.models import AnswerRequest, AnswerRequestRecipient
from tests.factories import ApplicantFactory

URL = reverse("applicants:applicant_list")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def remind(applicant, *at: dt.datetime, outcome: str = "sent") -> None:  # type: ignore[no-untyped-def]
    """Record one answer request per `at` that reached (or skipped) the applicant then."""
    for when in at:
        request = AnswerRequest.objects.create(
            company=applicant.company,
            job_posting=applicant.job_posting,
            idempotency_key=f"r-{applicant.pk}-{when.isoformat()}-{outcome}",
        )
        AnswerRequestRecipient.objects.create(
            answer_request=request,
            applicant=applicant,
            company_id=applicant.company_id,
            im_id=applicant.im_id,
            outcome=outcome,
            reason="" if outcome == "sent" else "submitted",
            created_at=when,
        )


@pytest.fixture
def people(job_posting):
    """never: no 回答依頼; once: 5/1; twice: 4/20 and 5/10 (late evening in Tokyo); skipped: only a
    request that skipped them (a skip is no reminder); a 回答済 one reminded on 5/2; all named 髙橋 but
    `never` (佐藤)."""
    never = ApplicantFactory(job_posting=job_posting, last_name="佐藤")
    once = ApplicantFactory(job_posting=job_posting, last_name="髙橋")
    twice = ApplicantFactory(job_posting=job_posting, last_name="髙橋")
    skipped = ApplicantFactory(job_posting=job_posting, last_name="髙橋")
    submitted = ApplicantFactory(job_posting=job_posting, last_name="髙橋", status=Applicant.Status.SUBMITTED)
    remind(once, dt.datetime(2026, 5, 1, 10, 0, tzinfo=TOKYO))
    remind(
        twice, dt.datetime(2026, 4, 20, 9, 0, tzinfo=TOKYO), dt.datetime(2026, 5, 10, 23, 30, tzinfo=TOKYO)
    )
    remind(skipped, dt.datetime(2026, 5, 11, 9, 0, tzinfo=TOKYO), outcome="skipped")
    remind(submitted, dt.datetime(2026, 5, 2, 9, 0, tzinfo=TOKYO))
    return {"never": never, "once": once, "twice": twice, "skipped": skipped, "submitted": submitted}


def names(people, queryset) -> set[str]:  # type: ignore[no-untyped-def]
    by_pk = {a.pk: name for name, a in people.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


def listed(alice_client, **params) -> set[int]:  # type: ignore[no-untyped-def]
    response = alice_client.get(URL, params)
    assert response.status_code == 200
    return {a.im_id for a in response.context["page"].object_list}


# --- The column ------------------------------------------------------------------------------------


def test_the_column_shows_the_last_reminder_date_and_how_many(alice_client, job_posting, people):
    response = alice_client.get(URL, {"job_posting": job_posting.pk})
    html = response.content.decode()
    assert '<th class="hide-sm">最終回答依頼</th>' in html
    rows = {row.split('"')[0]: row for row in html.split('<tr data-im-id="')[1:]}
    twice = rows[str(people["twice"].im_id)]
    # 23:30 on 5/10 in Tokyo is 5/10 there (14:30 UTC).
    assert 'data-reminded="2"' in twice and "2026-05-10" in twice and "2回" in twice
    assert (
        'data-reminded="1"' in rows[str(people["once"].im_id)]
        and "2026-05-01" in rows[str(people["once"].im_id)]
    )
    assert 'data-reminded="0"' in rows[str(people["never"].im_id)]
    assert 'data-reminded="0"' in rows[str(people["skipped"].im_id)]  # skipped is not reminded


def test_the_column_costs_no_query_whatever_the_page_size(
    alice_client, job_posting, django_assert_max_num_queries
):
    """The column's values come with the page's rows: a page of 50 reminded applicants costs the queries
    of a page of 3 never reminded ones, and one query (the rows') reads the recipients."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ApplicantFactory.create_batch(3, job_posting=job_posting)
    alice_client.get(URL)  # warm the process-wide caches
    with CaptureQueriesContext(connection) as few:
        alice_client.get(URL, {"job_posting": job_posting.pk})
    for applicant in ApplicantFactory.create_batch(60, job_posting=job_posting):
        remind(applicant, dt.datetime(2026, 5, 1, tzinfo=TOKYO), dt.datetime(2026, 5, 2, tzinfo=TOKYO))
    with django_assert_max_num_queries(len(few)) as many:
        response = alice_client.get(URL, {"job_posting": job_posting.pk})
    assert response.content.decode().count('data-reminded="2"') == 50
    reading = [q["sql"] for q in many.captured_queries if "bulk_answerrequestrecipient" in q["sql"]]
    assert len(reading) == 1 and '"applicants_applicant"."im_id" = ANY' in reading[0]


# --- The search conditions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"reminded": "never"}, {"never", "skipped"}),
        ({"reminded": "ever"}, {"once", "twice", "submitted"}),
        # No answer request on or after 5/10 (Tokyo): twice's last one was 5/10 23:30 there.
        ({"not_reminded_since": "2026-05-10"}, {"never", "skipped", "once", "submitted"}),
        ({"not_reminded_since": "2026-05-11"}, set(["never", "skipped", "once", "twice", "submitted"])),
        ({"not_reminded_since": "2026-05-02"}, {"never", "skipped", "once"}),
        # Reminded, but not since 5/2: "reminded before a date".
        ({"reminded": "ever", "not_reminded_since": "2026-05-02"}, {"once"}),
        ({"reminded": "never", "not_reminded_since": "2026-05-02"}, {"never", "skipped"}),
        ({"reminded": "ever", "status": "awaiting"}, {"once", "twice"}),
        ({"reminded": "never", "status": "submitted"}, set()),
        ({"reminded": "ever", "q": "髙橋"}, {"once", "twice", "submitted"}),
        ({"reminded": "never", "q": "髙橋"}, {"skipped"}),
        ({"not_reminded_since": "2026-05-02", "q": "髙橋", "status": "awaiting"}, {"once", "skipped"}),
    ],
)
def test_search_conditions_alone_and_with_status_and_text(company, job_posting, people, params, expected):
    general = selectors.applicant_search(company=company, params=params)
    assert names(people, general) == expected
    # The list's own path (the search entries, for a text search) finds the same, in the same order,
    # with the same status counts.
    found = selectors.applicant_list_search(company=company, params=params)
    assert list(found.ordered.values_list("im_id", flat=True)) == [a.im_id for a in general]
    everyone = selectors.applicant_search(company=company, params={**params, "status": ""})
    assert selectors.status_counts(queryset=found.counted) == selectors.status_counts(queryset=everyone)


def test_a_text_search_with_a_reminder_condition_stays_on_the_entries(company, job_posting, people):
    found = selectors.applicant_list_search(company=company, params={"q": "髙橋", "reminded": "never"})
    assert found.ordered.model.__name__ == "ApplicantSearch"


def test_the_list_page_filters_and_keeps_the_conditions_in_the_form(alice_client, job_posting, people):
    assert listed(alice_client, reminded="never") == {people["never"].im_id, people["skipped"].im_id}
    response = alice_client.get(URL, {"reminded": "ever", "not_reminded_since": "2026-05-02"})
    assert {a.im_id for a in response.context["page"].object_list} == {people["once"].im_id}
    html = response.content.decode()
    assert '<option value="ever" selected>' in html
    assert 'name="not_reminded_since" value="2026-05-02"' in html
    # The status tabs and the bulk form keep them.
    tabs = {tab["value"]: tab for tab in response.context["status_tabs"]}
    assert (
        "reminded=ever" in tabs["awaiting"]["url"]
        and "not_reminded_since=2026-05-02" in tabs["awaiting"]["url"]
    )
    assert '<input type="hidden" name="reminded" value="ever">' in html


@pytest.mark.parametrize(
    "params",
    [
        {"reminded": "sometimes"},
        {"reminded": "１"},
        {"not_reminded_since": "2026-13-45"},
        {"not_reminded_since": "yesterday"},
        {"not_reminded_since": "9" * 400},
    ],
)
def test_a_bad_value_is_named_and_left_out(alice_client, alice_api, job_posting, people, params):
    response = alice_client.get(URL, params)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 5  # the condition is left out
    assert [str(m) for m in response.context["messages"]]
    api = alice_api.get("/api/v1/applicants/", params)
    assert api.status_code == 400
    assert api.json()["detail"]


def test_the_api_takes_the_conditions(alice_api, job_posting, people):
    body = alice_api.get("/api/v1/applicants/", {"reminded": "never"}).json()
    assert {row["im_id"] for row in body["results"]} == {people["never"].im_id, people["skipped"].im_id}
    body = alice_api.get(
        "/api/v1/applicants/", {"reminded": "ever", "not_reminded_since": "2026-05-02", "status": "awaiting"}
    ).json()
    assert [row["im_id"] for row in body["results"]] == [people["once"].im_id]


# --- The bulk selection -----------------------------------------------------------------------------


def test_all_matching_in_bulk_mode_honours_the_conditions(alice_client, company, job_posting, people):
    selection = bulk_services.Selection.of(search={"job_posting": job_posting.pk, "reminded": "never"})
    assert selection.search["reminded"] == "never"
    counts = bulk_services.selection_counts(company=company, selection=selection)
    assert counts.selected == 2
    response = alice_client.get(
        reverse("bulk:bulk_confirm"),
        {"action": "answer_request", "scope": "all", "job_posting": job_posting.pk, "reminded": "never"},
    )
    assert response.status_code == 200
    assert response.context["counts"].selected == 2
    html = response.content.decode()
    assert '<input type="hidden" name="reminded" value="never">' in html


def test_an_answer_request_remembers_the_conditions_in_words(company, job_posting, people):
    company.last_im_id = max(a.im_id for a in people.values())
    company.save(update_fields=["last_im_id"])
    answer_request, _ = bulk_services.answer_request_create(
        company=company,
        selection=bulk_services.Selection.of(
            search={"job_posting": job_posting.pk, "reminded": "ever", "not_reminded_since": "2026-05-02"}
        ),
        idempotency_key="words",
        by=None,
    )
    assert answer_request.selected_count == 1
    assert [str(part) for part in answer_request.search_display()] == [
        "回答依頼: 送信したことがある",
        "2026-05-02 以降の回答依頼なし",
    ]
