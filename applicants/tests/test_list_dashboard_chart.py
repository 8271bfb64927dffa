"""The dashboard chart: submissions (回答済) over time against the deadline, drawn as inline SVG."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.urls import reverse

from applicants import charts
from applicants.models import Applicant, JobPosting
from tests.factories import ApplicantFactory, JobPostingFactory

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def submit(applicant: Applicant, at: dt.datetime) -> None:
    """An applicant who submitted at `at`."""
    Applicant.objects.filter(pk=applicant.pk).update(status=Applicant.Status.SUBMITTED, submitted_at=at)


def test_submissions_are_counted_per_day_where_the_company_is(company, job_posting):
    first, second, third = ApplicantFactory.create_batch(3, job_posting=job_posting)
    ApplicantFactory(job_posting=job_posting)  # still 調整中
    submit(first, dt.datetime(2026, 12, 1, 23, 30, tzinfo=TOKYO))
    # 00:10 on 2 December in Tokyo is still 1 December in UTC.
    submit(second, dt.datetime(2026, 12, 2, 0, 10, tzinfo=TOKYO))
    submit(third, dt.datetime(2026, 12, 2, 18, 0, tzinfo=TOKYO))
    days = charts.submissions_by_day(company=company)
    assert days[job_posting.pk] == [(dt.date(2026, 12, 1), 1), (dt.date(2026, 12, 2), 2)]


def test_the_chart_rises_to_the_submitted_count_and_marks_the_deadline(company):
    posting = JobPostingFactory(company=company, deadline=dt.datetime(2026, 12, 10, 23, 59, tzinfo=TOKYO))
    JobPosting.objects.filter(pk=posting.pk).update(created_at=dt.datetime(2026, 11, 30, 9, tzinfo=TOKYO))
    posting.refresh_from_db()
    days = [(dt.date(2026, 12, 1), 1), (dt.date(2026, 12, 5), 3)]
    chart = charts.submission_chart(posting=posting, days=days, total=8, today=dt.date(2026, 12, 6), tz=TOKYO)
    assert chart.submitted == 4
    assert (chart.start, chart.deadline) == (dt.date(2026, 11, 30), dt.date(2026, 12, 10))
    assert chart.deadline_x == chart.width - 12  # the deadline is the right edge
    ys = [float(p.split(",")[1]) for p in chart.points.split()]
    assert ys == sorted(ys, reverse=True)  # never goes down
    assert ys[-1] == 10 + (chart.height - 10 - 22) * (1 - 4 / 8)
    assert chart.today_x is not None and chart.today_x < chart.deadline_x


def test_dashboard_draws_a_chart_per_posting_in_constant_queries(
    alice_client, company, job_posting, django_assert_max_num_queries
):
    submit(ApplicantFactory(job_posting=job_posting), dt.datetime.now(tz=TOKYO))
    ApplicantFactory(job_posting=job_posting)
    JobPostingFactory.create_batch(4, company=company)
    with django_assert_max_num_queries(6):
        response = alice_client.get(reverse("applicants:dashboard"))
    html = response.content.decode()
    assert html.count('data-chart="submissions"') == 5
    assert 'data-submitted="1" data-total="2"' in html
    assert "http" not in html.split('data-chart="submissions"')[1].split("</svg>")[0]  # no CDN, inline only


def test_a_submitted_applicant_without_answers_still_counts(company, job_posting):
    applicant = ApplicantFactory(job_posting=job_posting, status=Applicant.Status.SUBMITTED)
    Applicant.objects.filter(pk=applicant.pk).update(updated_at=dt.datetime(2026, 12, 3, 10, tzinfo=TOKYO))
    assert charts.submissions_by_day(company=company)[job_posting.pk] == [(dt.date(2026, 12, 3), 1)]


def test_a_chart_of_few_applicants_marks_each_count_and_each_submission_day(company):
    """Two applicants, one submitted on the first day: a dot, a grid line per count, today marked."""
    posting = JobPostingFactory(company=company, deadline=dt.datetime(2026, 12, 10, 23, 59, tzinfo=TOKYO))
    JobPosting.objects.filter(pk=posting.pk).update(created_at=dt.datetime(2026, 12, 1, 9, tzinfo=TOKYO))
    posting.refresh_from_db()
    chart = charts.submission_chart(
        posting=posting, days=[(dt.date(2026, 12, 1), 1)], total=2, today=dt.date(2026, 12, 3), tz=TOKYO
    )
    assert [n for _y, n in chart.ticks] == [0, 1, 2]
    ((x, y, day, n, cumulative),) = chart.dots
    assert (day, n, cumulative) == (dt.date(2026, 12, 1), 1, 1)
    assert y == dict((n, y) for y, n in chart.ticks)[1]  # on the "1" grid line
    assert chart.today == dt.date(2026, 12, 3) and chart.today_x > x
    # Many applicants: three grid lines, not one per count.
    many = charts.submission_chart(posting=posting, days=[], total=400, today=dt.date(2026, 12, 3), tz=TOKYO)
    assert [n for _y, n in many.ticks] == [0, 200, 400]


def test_the_dashboard_draws_the_dots_and_grid_of_a_small_posting(alice_client, job_posting):
    submit(ApplicantFactory(job_posting=job_posting), dt.datetime.now(tz=TOKYO))
    ApplicantFactory(job_posting=job_posting)
    svg = (
        alice_client.get(reverse("applicants:dashboard"))
        .content.decode()
        .split('data-chart="submissions"')[1]
    )
    svg = svg.split("</svg>")[0]
    assert svg.count('class="dot"') == 1 and svg.count('class="grid"') == 3
