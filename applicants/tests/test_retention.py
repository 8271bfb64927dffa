"""Retention (videos and share URLs deleted N days after the deadline) and 個人情報の削除依頼."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from applicants import retention
from applicants.models import Applicant, ApplicantEvent, DataDeletion, JobPosting
from interviews.models import Answer, Take
from messaging.models import Message
from sharing.models import Evaluation, ShareLink, ShareLinkView
from sharing.services import share_link_get_or_create
from tests.factories import ApplicantFactory, JobPostingFactory, QuestionFactory
from webhooks.models import WebhookDelivery, WebhookEndpoint


def answered(applicant: Applicant, media: Path) -> list[Path]:
    """Two answers with an original, a normalised video and a poster each, on disk."""
    paths = []
    while applicant.job_posting.questions.count() < 2:
        QuestionFactory(job_posting=applicant.job_posting, position=applicant.job_posting.questions.count())
    for question in list(applicant.job_posting.questions.all())[:2]:
        names = [
            f"takes/{applicant.pk}/{question.pk}.webm",
            f"answers/{applicant.pk}/{question.pk}.mp4",
            f"answers/{applicant.pk}/{question.pk}.jpg",
        ]
        for name in names:
            (media / name).parent.mkdir(parents=True, exist_ok=True)
            (media / name).write_bytes(b"x")
            paths.append(media / name)
        take = Take.objects.create(
            applicant=applicant, question=question, container="webm", state="complete", file=names[0]
        )
        Answer.objects.create(
            applicant=applicant, question=question, take=take, video=names[1], poster=names[2]
        )
    return paths


@pytest.fixture
def media(settings) -> Path:
    return Path(settings.MEDIA_ROOT)


@pytest.mark.django_db(transaction=True)
def test_the_sweep_deletes_videos_and_share_links_of_postings_past_their_retention(company, media):
    company.video_retention_days = 30
    company.share_url_enabled = True
    company.save()
    old = JobPostingFactory(company=company)
    JobPosting.objects.filter(pk=old.pk).update(deadline=timezone.now() - dt.timedelta(days=31))
    recent = JobPostingFactory(company=company)
    JobPosting.objects.filter(pk=recent.pk).update(deadline=timezone.now() - dt.timedelta(days=29))
    gone, kept = ApplicantFactory(job_posting=old), ApplicantFactory(job_posting=recent)
    gone_files, kept_files = answered(gone, media), answered(kept, media)
    link = share_link_get_or_create(applicant=gone)
    ShareLinkView.objects.create(link=link)
    Evaluation.objects.create(company=company, applicant=gone, link=link, sheet_name="s", reviewer_name="r")

    # What the settings page shows first: the posting due now, and the one due tomorrow.
    due, soon = retention.retention_preview(company=company)
    assert due.posting.pk == old.pk and due.counts["answers"] == 2 and due.counts["share_links"] == 1
    assert soon.posting.pk == recent.pk and soon.delete_on > timezone.now()

    assert retention.retention_sweep() == 1
    assert retention.retention_sweep() == 0  # once
    assert (
        not Answer.objects.filter(applicant=gone).exists()
        and not Take.objects.filter(applicant=gone).exists()
    )
    assert not any(p.exists() for p in gone_files)
    assert not ShareLink.objects.filter(applicant=gone).exists() and not ShareLinkView.objects.exists()
    assert Evaluation.objects.filter(applicant=gone).count() == 1  # evaluations are not videos: kept
    # The other posting is untouched.
    assert Answer.objects.filter(applicant=kept).count() == 2 and all(p.exists() for p in kept_files)
    (entry,) = DataDeletion.objects.all()
    assert entry.kind == "retention" and entry.job_posting_id == old.pk
    assert entry.counts["answers"] == 2 and entry.counts["files"] == 6 and entry.counts["share_links"] == 1


@pytest.mark.django_db(transaction=True)
def test_without_a_retention_period_nothing_is_deleted(company, media):
    posting = JobPostingFactory(company=company)
    JobPosting.objects.filter(pk=posting.pk).update(deadline=timezone.now() - dt.timedelta(days=3650))
    applicant = ApplicantFactory(job_posting=posting)
    answered(applicant, media)
    assert retention.retention_sweep() == 0 and Answer.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_deletion_request_leaves_only_the_tombstone(alice, alice_client, company, job_posting, media):
    company.share_url_enabled = True
    company.save()
    applicant = ApplicantFactory(
        job_posting=job_posting, last_name="山田", first_name="花子", free_area_1="ATS-9"
    )
    other = ApplicantFactory(job_posting=job_posting, last_name="田中")
    files = answered(applicant, media)
    other_files = answered(other, media)
    link = share_link_get_or_create(applicant=applicant)
    Evaluation.objects.create(
        company=company, applicant=applicant, link=link, sheet_name="s", reviewer_name="r"
    )
    Message.objects.create(
        company=company,
        applicant=applicant,
        template_code="D04",
        to=applicant.email,
        subject="s",
        body="b",
        idempotency_key="k",
    )
    ApplicantEvent.objects.create(company=company, applicant=applicant, kind="submitted")
    endpoint = WebhookEndpoint.objects.create(
        company=company, url="https://a.example/h", events=["applicant.registered"]
    )
    WebhookDelivery.objects.create(
        company=company,
        endpoint=endpoint,
        event_id="m1",
        event_type="applicant.registered",
        body="{...}",
        applicant_id=applicant.pk,
    )
    token = applicant.interview_token

    page = alice_client.get(f"/applicants/{applicant.im_id}/").content.decode()
    assert 'id="erase"' in page
    response = alice_client.post(f"/applicants/{applicant.im_id}/erase/", follow=True)
    html = response.content.decode()
    assert 'id="erased"' in html and "山田" not in html and "ATS-9" not in html

    applicant.refresh_from_db()
    assert applicant.erased_at and applicant.last_name == "" and applicant.free_area_1 == ""
    assert applicant.email == f"erased-{applicant.pk}@invalid" and applicant.interview_token != token
    assert applicant.status == Applicant.Status.WITHDRAWN  # no more mail
    for model in (Answer, Take, Message, Evaluation, ShareLink, ApplicantEvent):
        assert not model.objects.filter(applicant=applicant).exists(), model.__name__
    assert not WebhookDelivery.objects.filter(applicant_id=applicant.pk).exists()
    assert not any(p.exists() for p in files)
    # The other applicant keeps everything.
    assert Answer.objects.filter(applicant=other).count() == 2 and all(p.exists() for p in other_files)
    other.refresh_from_db()
    assert other.last_name == "田中"
    # The old interview link opens nothing; the search no longer finds the name.
    assert alice_client.get(f"/i/{token}/").status_code == 404
    assert "山田" not in alice_client.get("/applicants/?q=山田").content.decode().split("<tbody")[-1]
    (entry,) = DataDeletion.objects.filter(kind="erasure")
    assert entry.applicant_im_id == applicant.im_id and entry.by == alice and entry.counts["messages"] == 1


def test_another_company_cannot_erase(charlie_client, job_posting):
    applicant = ApplicantFactory(job_posting=job_posting, last_name="山田")
    assert charlie_client.post(f"/applicants/{applicant.im_id}/erase/").status_code == 404
    applicant.refresh_from_db()
    assert applicant.last_name == "山田" and applicant.erased_at is None


def test_the_settings_page_previews_retention(alice_client, company):
    company.video_retention_days = 10
    company.save()
    posting = JobPostingFactory(company=company, title="締切済み")
    JobPosting.objects.filter(pk=posting.pk).update(deadline=timezone.now() - dt.timedelta(days=5))
    html = alice_client.get("/settings/application/").content.decode()
    assert 'id="retention-due"' in html and "締切済み" in html
