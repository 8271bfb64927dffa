"""The applicant list: search conditions in the URL, status counts, sorting, pages, query count."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from applicants import selectors
from applicants.models import Applicant
from tests.factories import ApplicantFactory, JobPostingFactory

URL = reverse("applicants:applicant_list")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def im_ids(response) -> list[int]:  # type: ignore[no-untyped-def]
    return [a.im_id for a in response.context["page"].object_list]


def test_it_filters_by_posting_status_and_text_kept_in_the_url(alice_client, job_posting):
    other = JobPostingFactory(company=job_posting.company)
    hit = ApplicantFactory(job_posting=job_posting, last_name="髙橋", status=Applicant.Status.AWAITING)
    ApplicantFactory(job_posting=job_posting, last_name="髙橋", status=Applicant.Status.SUBMITTED)
    ApplicantFactory(job_posting=other, last_name="髙橋")
    ApplicantFactory(job_posting=job_posting, last_name="佐藤")
    response = alice_client.get(URL, {"job_posting": job_posting.pk, "status": "awaiting", "q": "髙橋"})
    assert im_ids(response) == [hit.im_id]
    tabs = {tab["value"]: tab for tab in response.context["status_tabs"]}
    # Tabs keep the rest of the search and count within it.
    assert tabs["submitted"]["count"] == 1 and tabs["awaiting"]["count"] == 1
    assert f"job_posting={job_posting.pk}" in tabs["submitted"]["url"]
    assert "q=%E9%AB%99%E6%A9%8B" in tabs["submitted"]["url"]
    html = response.content.decode()
    assert 'name="q" value="髙橋"' in html


def test_counts_per_status_for_the_current_posting(alice_client, job_posting):
    for status, n in [("awaiting", 3), ("submitted", 2), ("expired", 1)]:
        for _ in range(n):
            ApplicantFactory(job_posting=job_posting, status=status)
    ApplicantFactory(job_posting=JobPostingFactory(company=job_posting.company))
    response = alice_client.get(URL, {"job_posting": job_posting.pk})
    assert response.context["counts"] == {"awaiting": 3, "submitted": 2, "expired": 1, "withdrawn": 0}
    assert response.context["total"] == 6


def test_registration_date_range_in_the_company_time_zone(company, job_posting):
    # 14:30 and 15:30 UTC on 1 April: the same UTC day, but 1 and 2 April where the company is.
    first = ApplicantFactory(job_posting=job_posting)
    second = ApplicantFactory(job_posting=job_posting)
    Applicant.objects.filter(pk=first.pk).update(created_at=dt.datetime(2026, 4, 1, 23, 30, tzinfo=TOKYO))
    Applicant.objects.filter(pk=second.pk).update(created_at=dt.datetime(2026, 4, 2, 0, 30, tzinfo=TOKYO))
    found = selectors.applicant_search(
        company=company, params={"registered_from": "2026-04-01", "registered_to": "2026-04-01"}
    )
    assert list(found) == [first]
    found = selectors.applicant_search(company=company, params={"registered_from": "2026-04-02"})
    assert list(found) == [second]


def test_a_malformed_date_says_so_and_is_ignored(alice_client, job_posting):
    ApplicantFactory(job_posting=job_posting)
    response = alice_client.get(URL, {"registered_from": "2026-13-45"})
    assert response.status_code == 200
    assert len(im_ids(response)) == 1
    messages = [str(m) for m in response.context["messages"]]
    assert any("YYYY-MM-DD" in m for m in messages)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("kana", ["アオキ", "イトウ", "ウエダ"]), ("-kana", ["ウエダ", "イトウ", "アオキ"]), ("nonsense", None)],
)
def test_sortable_by_kana_and_unknown_sorts_fall_back(alice_client, job_posting, sort, expected):
    for kana in ["イトウ", "ウエダ", "アオキ"]:
        ApplicantFactory(job_posting=job_posting, last_name_kana=kana)
    response = alice_client.get(URL, {"sort": sort})
    names = [a.last_name_kana for a in response.context["page"].object_list]
    if expected is None:  # newest first
        assert names == ["アオキ", "ウエダ", "イトウ"]
    else:
        assert names == expected


def test_sort_links_keep_the_search_and_toggle_direction(alice_client, job_posting):
    response = alice_client.get(URL, {"job_posting": job_posting.pk, "sort": "kana"})
    links = response.context["sort_links"]
    assert links["kana"]["url"] == f"?job_posting={job_posting.pk}&sort=-kana"
    assert links["kana"]["arrow"] == "▲"
    assert links["status"]["url"] == f"?job_posting={job_posting.pk}&sort=status"


def test_pages_of_50(alice_client, job_posting):
    created = sorted(a.im_id for a in ApplicantFactory.create_batch(51, job_posting=job_posting))
    first = alice_client.get(URL)
    second = alice_client.get(URL, {"page": 2})
    assert im_ids(first) == created[::-1][:50]
    assert im_ids(second) == created[:1]
    posting_second = alice_client.get(URL, {"page": 2, "sort": "-im_id", "job_posting": job_posting.pk})
    assert im_ids(posting_second) == created[:1]
    assert first.context["page"].paginator.num_pages == 2


@pytest.mark.parametrize("n", [3, 120])
def test_constant_query_count_whatever_the_page_size(alice_client, job_posting, django_assert_num_queries, n):
    """session, user, membership+company, postings, status counts, the page's rows, their evaluations,
    the reviewers with their assignments (sharing's column and search form)."""
    ApplicantFactory.create_batch(n, job_posting=job_posting)
    JobPostingFactory.create_batch(3, company=job_posting.company)
    alice_client.get(URL)  # process-wide caches (translations, templates) warm up once, not per page
    with django_assert_num_queries(8):
        response = alice_client.get(URL, {"job_posting": job_posting.pk, "status": "awaiting", "page": 2})
    assert response.status_code == 200


def test_a_page_reads_its_keys_once_whatever_the_planner_believes(alice_client, job_posting):
    """The page's `LIMIT … OFFSET` key query runs once (an InitPlan), even when the planner, before the
    table's first ANALYZE, takes it for tiny and joins by nested loop: with `IN (subquery)` it reran
    the key query for every applicant of the company (250–670 ms for 2,000 under load)."""
    import json

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ApplicantFactory.create_batch(60, job_posting=job_posting)
    with CaptureQueriesContext(connection) as queries:
        assert alice_client.get(URL, {"page": 2}).status_code == 200
    (page_sql,) = [q["sql"] for q in queries.captured_queries if "OFFSET" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_hashjoin = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + page_sql)
        (plan,) = cursor.fetchone()
    plan = plan if isinstance(plan, list) else json.loads(plan)

    def limits(node):
        if node["Node Type"] == "Limit" and node.get("Parent Relationship") in (
            "InitPlan",
            "SubPlan",
            "Inner",
        ):
            yield node
        for child in node.get("Plans", []):
            yield from limits(child)

    (key_query,) = list(limits(plan[0]["Plan"]))
    assert key_query["Actual Loops"] == 1


def test_outsider_gets_404_for_a_posting_of_another_company(charlie_client, job_posting):
    ApplicantFactory(job_posting=job_posting)
    assert charlie_client.get(URL, {"job_posting": job_posting.pk}).status_code == 404
    assert charlie_client.get(URL, {"job_posting": "abc"}).status_code == 404


def test_outsider_sees_none_of_our_applicants(charlie_client, job_posting):
    mine = ApplicantFactory(job_posting=job_posting, email="secret@example.jp")
    response = charlie_client.get(URL, {"q": str(mine.im_id)})
    assert im_ids(response) == []
    assert "secret@example.jp" not in response.content.decode()


def test_page_is_japanese_with_the_bulk_actions(alice_client, job_posting):
    ApplicantFactory(job_posting=job_posting)
    html = alice_client.get(URL).content.decode()
    assert "まとめて処理モード" in html
    assert "回答依頼を送信" in html


def test_rows_escape_what_applicants_typed(alice_client, job_posting):
    ApplicantFactory(job_posting=job_posting, last_name="<script>alert(1)</script>", school='"><b>x')
    html = alice_client.get(URL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;b&gt;x" in html
