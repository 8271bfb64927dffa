import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from applicants.models import Applicant
from sharing import selectors, services
from sharing.models import EvaluationItem, ShareLink, SharingSettings
from tests.factories import ApplicantFactory


def test_ensure_gives_each_applicant_one_link_and_is_idempotent(job_posting, alice):
    ApplicantFactory.create_batch(5, job_posting=job_posting)
    applicants = Applicant.objects.filter(job_posting=job_posting)
    assert services.share_links_ensure(applicants=applicants, by=alice) == 5
    assert services.share_links_ensure(applicants=applicants, by=alice) == 0
    links = ShareLink.objects.filter(revoked_at__isnull=True)
    assert links.count() == 5
    assert len({link.token for link in links}) == 5
    assert {link.created_by for link in links} == {alice}


def test_tokens_carry_at_least_128_random_bits(job_posting):
    ApplicantFactory.create_batch(3, job_posting=job_posting)
    services.share_links_ensure(applicants=Applicant.objects.all())
    for token in ShareLink.objects.values_list("token", flat=True):
        # URL-safe base64: 6 bits per character.
        assert len(token) * 6 >= 128
        assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_regenerate_revokes_the_old_link_at_once(applicant, alice):
    old = services.share_link_get_or_create(applicant=applicant)
    new = services.share_link_regenerate(applicant=applicant, by=alice)
    assert new.token != old.token
    old.refresh_from_db()
    assert old.revoked_at is not None and old.revoked_by == alice
    with pytest.raises(Http404):
        selectors.share_link_for_reviewer(token=old.token)
    assert selectors.share_link_for_reviewer(token=new.token) == new


def test_link_expires_the_configured_days_after_the_deadline(applicant, company):
    link = services.share_link_get_or_create(applicant=applicant)
    SharingSettings.objects.create(company=company, link_expiry_days=3)
    job_posting = applicant.job_posting
    job_posting.deadline = timezone.now() - dt.timedelta(days=2)
    job_posting.save()
    assert selectors.share_link_for_reviewer(token=link.token) == link
    job_posting.deadline = timezone.now() - dt.timedelta(days=4)
    job_posting.save()
    with pytest.raises(Http404):
        selectors.share_link_for_reviewer(token=link.token)


def test_default_sheet_is_system_standard_with_overall_grade_and_comment(job_posting):
    sheet = services.evaluation_sheet_for(job_posting=job_posting)
    assert sheet.name == "システム標準"
    assert [(i.label, i.kind, i.required) for i in sheet.items.all()] == [
        ("総合評価", EvaluationItem.Kind.GRADE, True),
        ("コメント", EvaluationItem.Kind.TEXT, False),
    ]
    assert services.evaluation_sheet_for(job_posting=job_posting).pk == sheet.pk


def test_editing_the_sheet_keeps_earlier_evaluations_unchanged(applicant):
    link = services.share_link_get_or_create(applicant=applicant)
    sheet = services.evaluation_sheet_for(job_posting=applicant.job_posting)
    overall, comment = sheet.items.all()
    evaluation = services.evaluation_submit(
        link=link, sheet=sheet, reviewer_name="佐藤", answers={overall.pk: "B", comment.pk: "良い"}
    )
    services.evaluation_sheet_save(
        job_posting=applicant.job_posting,
        name="技術職",
        items=[services.ItemData(label="論理性", kind=EvaluationItem.Kind.SCALE5, required=True)],
    )
    evaluation.refresh_from_db()
    assert [(v["label"], v["value"]) for v in evaluation.values] == [("総合評価", "B"), ("コメント", "良い")]
    assert evaluation.headline == "B"
    stored = selectors.evaluation_sheet_get(job_posting=applicant.job_posting)
    assert stored is not None
    assert [i.label for i in stored.items.all()] == ["論理性"]


def test_the_default_sheet_is_written_in_the_companys_language(company):
    from tests.factories import JobPostingFactory

    company.language = "en"
    company.save(update_fields=["language"])
    sheet = services.evaluation_sheet_for(job_posting=JobPostingFactory(company=company))
    assert sheet.name == "System standard"
    assert [item.label for item in sheet.items.order_by("position")] == ["Overall rating", "Comment"]
