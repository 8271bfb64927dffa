"""A reviewer's queue behind their review link (/r/<token>/): what it holds, moving through it,
evaluating as themselves, and every bad link answering the same not-found page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from applicants.models import Applicant
from sharing import services
from sharing.models import Evaluation, SharingSettings

PRIVACY_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


@pytest.fixture
def queue(reviewer, job_posting, submit):
    """Three submitted applicants of an assigned posting, in submission order."""
    now = timezone.now()
    applicants = [
        submit(job_posting, at=now - dt.timedelta(minutes=30 - 10 * n), last_name=name, first_name="さん")
        for n, name in enumerate(["一番", "二番", "三番"])
    ]
    services.reviewers_assign_posting(job_posting=job_posting, reviewers=[reviewer], key="p")
    return applicants


def _url(reviewer, applicant=None):
    return f"/r/{reviewer.token}/" + (f"?applicant={applicant.im_id}" if applicant else "")


def _form(job_posting, grade="A", comment="明快。"):
    overall, comment_item = services.evaluation_sheet_for(job_posting=job_posting).items.all()
    return {f"item_{overall.pk}": grade, f"item_{comment_item.pk}": comment}


def test_the_link_opens_the_first_applicant_not_yet_evaluated(client, reviewer, queue, job_posting):
    response = client.get(_url(reviewer))
    assert response.status_code == 200
    for header, value in PRIVACY_HEADERS.items():
        assert response[header] == value
    html = response.content.decode()
    assert "一番 さん" in html and 'id="queue-position">1 / 3' in html
    assert "評価済み 0 / 3" in html
    assert queue[0].email not in html  # reviewers get no contact details
    assert 'name="reviewer_name"' not in html  # they evaluate as themselves, no name to type
    assert 'id="queue-previous"' not in html and _url(reviewer, queue[1]) in html  # next


def test_next_and_previous_move_through_the_queue(client, reviewer, queue):
    html = client.get(_url(reviewer, queue[1])).content.decode()
    assert 'id="queue-position">2 / 3' in html
    previous = re.search(r'id="queue-previous" rel="prev" href="([^"]+)"', html).group(1)
    following = re.search(r'id="queue-next" rel="next" href="([^"]+)"', html).group(1)
    assert previous.replace("&amp;", "&") == _url(reviewer, queue[0])
    assert following.replace("&amp;", "&") == _url(reviewer, queue[2])
    last = client.get(_url(reviewer, queue[2])).content.decode()
    assert 'id="queue-next"' not in last


def test_evaluating_stores_one_evaluation_in_the_reviewers_name(client, reviewer, queue, job_posting):
    data = {"applicant": queue[1].im_id, **_form(job_posting, "B"), "reviewer_name": "なりすまし"}
    response = client.post(_url(reviewer, queue[1]), data)
    assert response.status_code == 302 and response["Location"] == _url(reviewer, queue[1])
    client.post(_url(reviewer, queue[1]), {**data, **_form(job_posting, "A", "やはり良い。")})  # changes it
    evaluation = Evaluation.objects.get()
    assert (evaluation.reviewer, evaluation.reviewer_name, evaluation.applicant) == (
        reviewer,
        "佐藤 部長",
        queue[1],
    )
    assert evaluation.headline == "A" and evaluation.link is None
    html = client.get(_url(reviewer, queue[1])).content.decode()
    assert 'id="evaluated-mark" data-evaluated="1"' in html and "評価済み 1 / 3" in html
    assert "やはり良い。" in html  # the form opens with their evaluation
    # Without an applicant named, the link now opens the first one still to evaluate.
    assert "一番 さん" in client.get(_url(reviewer)).content.decode()


def test_a_form_with_errors_stores_nothing(client, reviewer, queue):
    response = client.post(_url(reviewer, queue[0]), {"applicant": queue[0].im_id})
    assert response.status_code == 200 and not Evaluation.objects.exists()
    assert "評価を選んでください。" in response.content.decode()


def test_the_queue_shows_others_evaluations_after_ones_own(
    client, reviewer, other_reviewer, queue, job_posting
):
    sheet = services.evaluation_sheet_for(job_posting=job_posting)
    services.reviewer_evaluation_save(reviewer=other_reviewer, applicant=queue[0], sheet=sheet, answers={})
    assert "鈴木 課長" not in client.get(_url(reviewer, queue[0])).content.decode()
    client.post(_url(reviewer, queue[0]), {"applicant": queue[0].im_id, **_form(job_posting)})
    assert "鈴木 課長" in client.get(_url(reviewer, queue[0])).content.decode()


def test_an_empty_queue_says_so(client, reviewer, job_posting):
    services.reviewers_assign_posting(job_posting=job_posting, reviewers=[reviewer], key="p")
    html = client.get(_url(reviewer)).content.decode()
    assert 'id="queue-empty"' in html


def _not_found(client, url, method="get", **data):
    response = getattr(client, method)(url, data)
    assert response.status_code == 404
    for header, value in PRIVACY_HEADERS.items():
        assert response[header] == value
    assert 'id="share-not-found"' in response.content.decode()


def test_unknown_revoked_regenerated_and_switched_off_links_are_not_found(client, reviewer, queue, company):
    _not_found(client, "/r/not-a-real-token/")
    old = reviewer.token
    services.reviewer_link_regenerate(reviewer=reviewer)
    _not_found(client, f"/r/{old}/")
    reviewer.refresh_from_db()
    assert client.get(_url(reviewer)).status_code == 200
    services.reviewer_link_revoke(reviewer=reviewer)
    _not_found(client, f"/r/{old}/")
    services.reviewer_link_regenerate(reviewer=reviewer)
    reviewer.refresh_from_db()
    company.share_url_enabled = False
    company.save(update_fields=["share_url_enabled"])
    _not_found(client, _url(reviewer))


def test_an_applicant_outside_the_queue_is_not_found(
    client, reviewer, other_reviewer, queue, job_posting, submit, other_company
):
    from tests.factories import ApplicantFactory, JobPostingFactory

    awaiting = ApplicantFactory(job_posting=job_posting)  # assigned through the posting, not submitted
    _not_found(client, _url(reviewer, awaiting))
    elsewhere = submit(JobPostingFactory(company=reviewer.company))  # not assigned
    _not_found(client, _url(reviewer, elsewhere))
    outsider = submit(JobPostingFactory(company=other_company))  # another company's
    _not_found(client, _url(reviewer, outsider))
    _not_found(client, _url(reviewer, queue[0]), "post", applicant=outsider.im_id)
    Applicant.objects.filter(pk=queue[0].pk).update(status=Applicant.Status.WITHDRAWN)
    _not_found(client, _url(reviewer, queue[0]))
    # Another reviewer's link does not open this reviewer's applicants either.
    _not_found(client, _url(other_reviewer, queue[1]))


def test_another_companys_reviewer_link_never_shows_our_applicants(client, other_company, queue):
    outsider = services.reviewer_create(company=other_company, name="外部", email="x@example.jp")
    _not_found(client, _url(outsider, queue[0]))


def test_video_urls_are_bound_to_the_link_and_the_queue(client, reviewer, queue, job_posting, settings):
    from interviews.models import Answer

    answer = Answer.objects.get(applicant=queue[0])
    answer.video = "answers/q.mp4"
    answer.save(update_fields=["video"])
    path = settings.MEDIA_ROOT / "answers" / "q.mp4"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    html = client.get(_url(reviewer, queue[0])).content.decode()
    (video,) = re.findall(r'<video[^>]* src="([^"]+)"', html)
    assert video.startswith(f"/r/{reviewer.token}/media/")
    assert client.get(video).status_code == 200
    # Unassigned: the URL taken from the page stops working at once.
    services.assignment_delete(assignment=reviewer.assignments.get())
    assert client.get(video).status_code == 404
    services.reviewers_assign_posting(job_posting=job_posting, reviewers=[reviewer], key="again")
    assert client.get(video).status_code == 200
    old = reviewer.token
    services.reviewer_link_regenerate(reviewer=reviewer)
    assert client.get(video).status_code == 404
    reviewer.refresh_from_db()
    assert client.get(video.replace(old, reviewer.token)).status_code == 200
    assert client.get(video.replace("/media/", "/media/x")).status_code == 404


def test_the_queue_follows_the_companys_language_switch(reviewer, queue):
    client = Client()
    response = client.get(_url(reviewer) + "?lang=en", follow=True)
    assert "1 of 3" in response.content.decode()


def test_visibility_never_shows_only_ones_own(client, reviewer, other_reviewer, queue, job_posting, company):
    SharingSettings.objects.create(company=company, evaluations_visibility=SharingSettings.Visibility.NEVER)
    sheet = services.evaluation_sheet_for(job_posting=job_posting)
    services.reviewer_evaluation_save(reviewer=other_reviewer, applicant=queue[0], sheet=sheet, answers={})
    client.post(_url(reviewer, queue[0]), {"applicant": queue[0].im_id, **_form(job_posting)})
    assert "鈴木 課長" not in client.get(_url(reviewer, queue[0])).content.decode()
