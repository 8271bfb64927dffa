from applicants import services as applicant_services
from applicants.services import ApplicantData
from sharing.models import ShareLink
from sharing.tasks import share_links_sweep_task
from tests.factories import ApplicantFactory


def _register(job_posting, *emails):
    rows = [ApplicantData(email=email, values={}) for email in emails]
    return applicant_services.applicants_register(job_posting=job_posting, rows=rows, via="form")


def test_registration_gives_new_applicants_their_share_links(job_posting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = _register(job_posting, "a@example.jp", "b@example.jp")
    links = ShareLink.objects.filter(applicant__in=created, revoked_at__isnull=True)
    assert links.count() == 2


def test_no_links_while_the_feature_is_off(job_posting, company, django_capture_on_commit_callbacks):
    company.share_url_enabled = False
    company.save()
    with django_capture_on_commit_callbacks(execute=True):
        _register(job_posting, "a@example.jp")
    assert not ShareLink.objects.exists()


def test_sweep_links_every_applicant_once_the_feature_is_on(job_posting, company, other_company):
    company.share_url_enabled = False
    company.save()
    applicant = ApplicantFactory(job_posting=job_posting)
    assert share_links_sweep_task.apply().get() == 0
    company.share_url_enabled = True
    company.save()
    assert share_links_sweep_task.apply().get() == 1
    assert share_links_sweep_task.apply().get() == 0
    assert ShareLink.objects.get().applicant == applicant
