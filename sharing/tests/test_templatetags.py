from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from applicants.models import Applicant
from sharing import services
from tests.factories import ApplicantFactory

LIST = Template(
    "{% load sharing_tags %}{% evaluation_summaries applicants as summaries %}"
    "{% for a in applicants %}[{% evaluation_summary summaries a %}]{% endfor %}"
)


def _evaluate(applicant, grade, name="部長"):
    link = services.share_link_get_or_create(applicant=applicant)
    sheet = services.evaluation_sheet_for(job_posting=applicant.job_posting)
    overall = sheet.items.all()[0]
    services.evaluation_submit(link=link, sheet=sheet, reviewer_name=name, answers={overall.pk: grade})


def test_summary_column_shows_grades_with_one_query_per_page(job_posting, applicant):
    other = ApplicantFactory(job_posting=job_posting)
    _evaluate(applicant, "A", "一人目")
    _evaluate(applicant, "C", "二人目")
    applicants = list(Applicant.objects.filter(pk__in=[applicant.pk, other.pk]).select_related("company"))
    with CaptureQueriesContext(connection) as queries:
        html = LIST.render(Context({"applicants": applicants}))
    assert len(queries) == 1
    assert "A C" in html and 'title="評価 2 件"' in html
    assert html.count("—") == 1  # the applicant without evaluations


def test_summary_column_is_empty_when_feature_is_off(applicant, company):
    _evaluate(applicant, "B")
    company.share_url_enabled = False
    company.save()
    applicants = list(Applicant.objects.select_related("company"))
    assert "B" not in LIST.render(Context({"applicants": applicants}))
