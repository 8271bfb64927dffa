"""The evaluations column of the applicant list (sharing.pages, gathered by the list's view)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from applicants import pages
from applicants.models import Applicant
from sharing import services
from tests.factories import ApplicantFactory


def _cells(company, applicants) -> str:
    return "".join("".join(c["cells"]) for c in pages.list_columns(company=company, applicants=applicants))


def _evaluate(applicant, grade, name="部長"):
    link = services.share_link_get_or_create(applicant=applicant)
    sheet = services.evaluation_sheet_for(job_posting=applicant.job_posting)
    overall = sheet.items.all()[0]
    services.evaluation_submit(link=link, sheet=sheet, reviewer_name=name, answers={overall.pk: grade})


def test_summary_column_shows_grades_with_two_queries_per_page(job_posting, applicant):
    other = ApplicantFactory(job_posting=job_posting)
    _evaluate(applicant, "A", "一人目")
    _evaluate(applicant, "C", "二人目")
    applicants = list(Applicant.objects.filter(pk__in=[applicant.pk, other.pk]).select_related("company"))
    with CaptureQueriesContext(connection) as queries:
        html = _cells(applicant.company, applicants)
    assert len(queries) == 2  # the evaluations, the reviewers' assignments
    assert "A C" in html and 'title="評価 2 件"' in html
    assert html.count("—") == 1  # the applicant without evaluations


def test_summary_column_is_empty_when_feature_is_off(applicant, company):
    _evaluate(applicant, "B")
    company.share_url_enabled = False
    company.save()
    applicants = list(Applicant.objects.select_related("company"))
    assert _cells(company, applicants) == ""


def test_applicant_list_has_an_evaluation_column_at_constant_queries(alice_client, job_posting, applicant):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext as Capture

    _evaluate(applicant, "A")
    url = f"/applicants/?job_posting={job_posting.pk}"
    with Capture(db) as few:
        html = alice_client.get(url).content.decode()
    assert '<th class="hide-sm">評価</th>' in html
    row = html.split(f'data-im-id="{applicant.im_id}"')[1].split("</tr>")[0]
    assert 'class="hide-sm evaluation-summary" title="評価 1 件">A</td>' in row
    for other in ApplicantFactory.create_batch(5, job_posting=job_posting):
        _evaluate(other, "B")
    with Capture(db) as many:
        html = alice_client.get(url).content.decode()
    assert html.count('title="評価 1 件">B</td>') == 5
    assert len(many) == len(few)


def test_applicant_list_has_no_evaluation_column_when_feature_is_off(alice_client, applicant, company):
    company.share_url_enabled = False
    company.save()
    assert "evaluation-summary" not in alice_client.get("/applicants/").content.decode()
