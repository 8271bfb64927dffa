"""The dashboard's chart per job posting: submissions (回答済) over time against the deadline, as SVG."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, F
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from applicants.models import Applicant, Company, JobPosting

WIDTH, HEIGHT = 320, 110
LEFT, RIGHT, TOP, BOTTOM = 34, 12, 10, 22


@dataclass(frozen=True)
class SubmissionChart:
    """Ready-to-draw geometry (SVG user units) of one posting's cumulative submissions."""

    points: str
    area: str
    deadline_x: float
    today_x: float | None
    total: int
    submitted: int
    start: dt.date
    deadline: dt.date
    # One marker per day with submissions, so that two submissions on one day are as visible as
    # two hundred: (x, y, day, that day's count, cumulative count).
    dots: tuple[tuple[float, float, dt.date, int, int], ...] = ()
    # Horizontal grid lines with their labels: every count while there are few applicants, else
    # 0, the middle and the total.
    ticks: tuple[tuple[float, int], ...] = ()
    today: dt.date | None = None
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: float = HEIGHT - BOTTOM


def submissions_by_day(*, company: Company) -> dict[int, list[tuple[dt.date, int]]]:
    """Per posting: (day, submissions that day) in the company's time zone, in one query."""
    rows = (
        Applicant.objects.filter(company=company, status=Applicant.Status.SUBMITTED)
        # An applicant marked 回答済 without a submission time (by an operator) counts on the day the
        # row last changed, so the chart always ends at the 回答済 count.
        .annotate(day=TruncDate(Coalesce(F("submitted_at"), F("updated_at")), tzinfo=company.tzinfo))
        .filter(day__isnull=False)
        .order_by()
        .values_list("job_posting_id", "day")
        .annotate(n=Count("id"))
    )
    days: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for posting_id, day, n in rows:
        days[posting_id].append((day, n))
    return days


def submission_chart(
    *, posting: JobPosting, days: Sequence[tuple[dt.date, int]], total: int, today: dt.date, tz: dt.tzinfo
) -> SubmissionChart:
    """Cumulative submissions from the posting's creation to its deadline, scaled to all applicants."""
    start = min([timezone.localtime(posting.created_at, tz).date(), *(d for d, _ in days)])
    deadline = timezone.localtime(posting.deadline, tz).date()
    end = max(deadline, start + dt.timedelta(days=1))
    span = (end - start).days
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: dt.date) -> float:
        return round(LEFT + plot_w * (day - start).days / span, 1)

    def y(n: int) -> float:
        return round(TOP + plot_h * (1 - n / max(total, 1)), 1)

    cumulative, points, dots = 0, [(x(start), y(0))], []
    for day, n in sorted(days):
        points.append((x(day), y(cumulative)))
        cumulative += n
        points.append((x(day), y(cumulative)))
        dots.append((x(day), y(cumulative), day, n, cumulative))
    last = min(today, end)
    if last >= start:
        points.append((x(last), y(cumulative)))
    base = HEIGHT - BOTTOM
    line = " ".join(f"{px},{py}" for px, py in points)
    area = f"{points[0][0]},{base} {line} {points[-1][0]},{base}"
    return SubmissionChart(
        points=line,
        area=area,
        deadline_x=x(deadline),
        today_x=x(today) if start <= today <= end else None,
        total=total,
        submitted=cumulative,
        start=start,
        deadline=deadline,
        dots=tuple(dots),
        ticks=tuple((y(n), n) for n in _tick_counts(total)),
        today=today if start <= today <= end else None,
    )


FEW = 5


def _tick_counts(total: int) -> list[int]:
    """Counts that get a grid line: each one up to FEW applicants, else 0, about half and the total."""
    if total <= 0:
        return [0]
    if total <= FEW:
        return list(range(total + 1))
    return [0, (total + 1) // 2, total]


def attach_submission_charts(*, company: Company, postings: Sequence[JobPosting]) -> None:
    """Give each posting (annotated with n_total) its `.submission_chart`; one query for all."""
    days = submissions_by_day(company=company)
    today = timezone.localdate(timezone=company.tzinfo)
    for posting in postings:
        posting.submission_chart = submission_chart(  # type: ignore[attr-defined]
            posting=posting,
            days=days.get(posting.pk, []),
            total=getattr(posting, "n_total", 0),
            today=today,
            tz=company.tzinfo,
        )
