import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from sharing import services
from sharing.models import Evaluation, ShareLinkView, SharingSettings

PRIVACY_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


@pytest.fixture
def link(applicant):
    return services.share_link_get_or_create(applicant=applicant)


def _form(sheet, name="佐藤 部長", grade="A", comment="論理的で明快。"):
    overall, comment_item = sheet.items.all()
    return {"reviewer_name": name, f"item_{overall.pk}": grade, f"item_{comment_item.pk}": comment}


def test_reviewer_page_needs_no_login_and_shows_details_under_configured_labels(client, link, job_posting):
    response = client.get(f"/s/{link.token}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "髙橋 一郎" in html
    assert "ATS応募者ID" in html and "ATS-0001" in html  # the company's label for free area 1
    assert "フリーエリア2" in html and "①期生" in html
    for question in job_posting.questions.all():
        assert question.text in html
    assert "総合評価" in html and "システム標準" in html
    assert link.applicant.email not in html  # reviewers get no contact details


def test_reviewer_page_sends_privacy_headers(client, link):
    response = client.get(f"/s/{link.token}/")
    for header, value in PRIVACY_HEADERS.items():
        assert response[header] == value


def test_each_view_is_logged(client, link):
    client.get(f"/s/{link.token}/", HTTP_USER_AGENT="TestBrowser/1.0", REMOTE_ADDR="203.0.113.7")
    client.get(f"/s/{link.token}/")
    views = ShareLinkView.objects.filter(link=link)
    assert views.count() == 2
    assert views.filter(user_agent="TestBrowser/1.0", ip_address="203.0.113.7").exists()


def _not_found_body(client, url):
    response = client.get(url)
    assert response.status_code == 404
    for header, value in PRIVACY_HEADERS.items():
        assert response[header] == value
    # The page itself, without the per-request CSRF token and language switch.
    return response.content.decode().split('id="share-not-found"')[1].split("</section>")[0]


def test_unknown_revoked_expired_and_disabled_links_get_the_same_not_found_page(client, applicant, company):
    unknown = _not_found_body(client, "/s/no-such-token-at-all-000000000000/")
    old = services.share_link_get_or_create(applicant=applicant)
    new = services.share_link_regenerate(applicant=applicant)
    revoked = _not_found_body(client, f"/s/{old.token}/")
    SharingSettings.objects.create(company=company, link_expiry_days=0)
    applicant.job_posting.deadline = timezone.now() - dt.timedelta(minutes=1)
    applicant.job_posting.save()
    expired = _not_found_body(client, f"/s/{new.token}/")
    SharingSettings.objects.filter(company=company).update(link_expiry_days=None)
    company.share_url_enabled = False
    company.save()
    disabled = _not_found_body(client, f"/s/{new.token}/")
    assert unknown == revoked == expired == disabled
    assert "共有用URL" in unknown


def test_submitting_an_evaluation_stores_it_and_shows_it(client, link):
    sheet = services.evaluation_sheet_for(job_posting=link.applicant.job_posting)
    response = client.post(f"/s/{link.token}/", _form(sheet), follow=True)
    assert response.status_code == 200
    evaluation = Evaluation.objects.get()
    assert evaluation.reviewer_name == "佐藤 部長"
    assert evaluation.applicant == link.applicant and evaluation.company == link.company
    assert [(v["label"], v["value"]) for v in evaluation.values] == [
        ("総合評価", "A"),
        ("コメント", "論理的で明快。"),
    ]
    html = response.content.decode()
    assert "論理的で明快。" in html and "評価を送信しました" in html
    assert response.redirect_chain[-1][0] == f"/s/{link.token}/"
    assert response["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reviewer_name", "   ", "お名前を入力してください"),
        ("grade", "", "評価を選んでください"),
        ("grade", "Z", ""),
    ],
)
def test_invalid_evaluation_is_rejected_with_a_message_and_nothing_stored(
    client, link, field, value, message
):
    sheet = services.evaluation_sheet_for(job_posting=link.applicant.job_posting)
    data = _form(sheet, **{"name" if field == "reviewer_name" else field: value})
    response = client.post(f"/s/{link.token}/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'class="error"' in response.content.decode()
    assert not Evaluation.objects.exists()


def test_several_reviewers_see_others_only_after_submitting_their_own(link):
    sheet = services.evaluation_sheet_for(job_posting=link.applicant.job_posting)
    first, second = Client(), Client()
    first.post(f"/s/{link.token}/", _form(sheet, name="一人目", comment="一人目の所見"))
    page = second.get(f"/s/{link.token}/").content.decode()
    assert "一人目の所見" not in page
    assert 'id="others-hidden"' in page
    response = second.post(
        f"/s/{link.token}/", _form(sheet, name="二人目", comment="二人目の所見"), follow=True
    )
    html = response.content.decode()
    assert "一人目の所見" in html and "二人目の所見" in html
    assert Evaluation.objects.count() == 2


def test_a_reviewer_corrects_their_own_evaluation_in_place(link):
    sheet = services.evaluation_sheet_for(job_posting=link.applicant.job_posting)
    reviewer = Client()
    reviewer.post(f"/s/{link.token}/", _form(sheet, grade="B", comment="誤って B"))
    evaluation = Evaluation.objects.get()
    page = reviewer.get(f"/s/{link.token}/").content.decode()
    assert f'href="?edit={evaluation.pk}#evaluation-form"' in page

    form = reviewer.get(f"/s/{link.token}/?edit={evaluation.pk}").content.decode()
    assert "評価を編集" in form and "誤って B</textarea>" in form
    assert re.search(r'value="B"[^>]* checked', form) and not re.search(r'value="A"[^>]* checked', form)
    assert f'name="edit" value="{evaluation.pk}"' in form

    data = {**_form(sheet, name="佐藤 部長", grade="A", comment="見直して A"), "edit": evaluation.pk}
    response = reviewer.post(f"/s/{link.token}/", data, follow=True)
    html = response.content.decode()
    assert "評価を更新しました" in html and "見直して A" in html and "誤って B" not in html
    evaluation.refresh_from_db()
    assert Evaluation.objects.count() == 1
    assert [v["value"] for v in evaluation.values] == ["A", "見直して A"]
    assert evaluation.updated_at is not None and evaluation.updated_at >= evaluation.created_at
    assert "編集" in html  # the "(edited …)" note


def test_another_browser_cannot_edit_an_evaluation(link):
    sheet = services.evaluation_sheet_for(job_posting=link.applicant.job_posting)
    Client().post(f"/s/{link.token}/", _form(sheet, comment="原文"))
    evaluation = Evaluation.objects.get()
    other = Client()
    page = other.get(f"/s/{link.token}/?edit={evaluation.pk}").content.decode()
    assert "評価を編集" not in page and 'name="edit"' not in page and "edit-evaluation" not in page
    data = {**_form(sheet, comment="改ざん"), "edit": evaluation.pk}
    response = other.post(f"/s/{link.token}/", data)
    assert response.status_code == 200
    assert "送信したブラウザでのみ編集できます" in response.content.decode()
    evaluation.refresh_from_db()
    assert Evaluation.objects.count() == 1 and evaluation.values[1]["value"] == "原文"
    assert evaluation.updated_at is None


def test_visibility_always_and_never(link, company):
    sheet = services.evaluation_sheet_for(job_posting=link.applicant.job_posting)
    Client().post(f"/s/{link.token}/", _form(sheet, comment="先行評価"))
    settings = SharingSettings.objects.create(company=company, evaluations_visibility="always")
    assert "先行評価" in Client().get(f"/s/{link.token}/").content.decode()
    settings.evaluations_visibility = "never"
    settings.save()
    reviewer = Client()
    html = reviewer.post(
        f"/s/{link.token}/", _form(sheet, comment="自分の評価"), follow=True
    ).content.decode()
    assert "自分の評価" in html and "先行評価" not in html
    assert 'id="others-hidden"' not in html


def test_custom_sheet_items_are_asked_and_validated(client, link):
    from sharing.models import EvaluationItem

    sheet = services.evaluation_sheet_save(
        job_posting=link.applicant.job_posting,
        name="技術職シート",
        items=[
            services.ItemData(label="論理性", kind=EvaluationItem.Kind.SCALE5, required=True),
            services.ItemData(label="印象", kind=EvaluationItem.Kind.GRADE, required=False),
            services.ItemData(label="所見", kind=EvaluationItem.Kind.TEXT, required=True),
        ],
    )
    logic, impression, notes = sheet.items.all()
    html = client.get(f"/s/{link.token}/").content.decode()
    assert "技術職シート" in html and "論理性" in html and "所見" in html
    bad = client.post(f"/s/{link.token}/", {"reviewer_name": "田中", f"item_{logic.pk}": "6"})
    assert bad.status_code == 200 and not Evaluation.objects.exists()
    client.post(
        f"/s/{link.token}/",
        {"reviewer_name": "田中", f"item_{logic.pk}": "4", f"item_{notes.pk}": "よく考えている"},
    )
    values = Evaluation.objects.get().values
    assert [(v["label"], v["value"]) for v in values] == [
        ("論理性", "4"),
        ("印象", ""),
        ("所見", "よく考えている"),
    ]
    assert impression.pk == values[1]["item"]


def test_requests_beyond_the_rate_limit_get_429_with_privacy_headers(client, link, settings):
    settings.SHARING_RATE_LIMIT = "3/m"
    for _ in range(3):
        assert client.get(f"/s/{link.token}/").status_code == 200
    response = client.get(f"/s/{link.token}/")
    assert response.status_code == 429
    assert response["Cache-Control"] == "no-store"
    # Guessing tokens counts too.
    assert client.get("/s/guess/").status_code == 429


def test_evaluation_posts_without_referrer_are_accepted(link):
    """Under Referrer-Policy no-referrer browsers send `Origin: null`; the token is the credential."""
    sheet = services.evaluation_sheet_for(job_posting=link.applicant.job_posting)
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/s/{link.token}/", _form(sheet), HTTP_ORIGIN="null")
    assert response.status_code == 302
    assert Evaluation.objects.count() == 1


def test_reviewer_switches_language_without_a_form_post(client, link):
    response = client.get(f"/s/{link.token}/?lang=en")
    assert response.status_code == 302 and response["Location"] == f"/s/{link.token}/"
    assert response["Referrer-Policy"] == "no-referrer"
    html = client.get(f"/s/{link.token}/").content.decode()
    assert "Submit evaluation" in html and 'lang="en"' in html


# --- Playback URLs live and die with the share link ---------------------------------------------


@pytest.fixture
def answered(applicant, job_posting, settings):
    from pathlib import Path

    from interviews.models import Answer, Take

    name = f"answers/{applicant.pk}/q1.mp4"
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    question = job_posting.questions.first()
    take = Take.objects.create(
        applicant=applicant, question=question, state=Take.State.COMPLETE, container="mp4", file=name
    )
    Answer.objects.create(
        applicant=applicant, question=question, take=take, video=name, processing=Answer.Processing.DONE
    )
    return applicant


def _video_url(client, link) -> str:
    html = client.get(f"/s/{link.token}/").content.decode()
    urls = re.findall(r'<video[^>]*\ssrc="([^"]+)"', html)
    assert urls, "the reviewer page shows no video"
    return urls[0]


def test_the_reviewer_plays_the_answer_with_byte_ranges_under_the_link(client, answered):
    link = services.share_link_get_or_create(applicant=answered)
    url = _video_url(client, link)
    assert url.startswith(f"/s/{link.token}/media/")
    whole = client.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    part = client.get(url, HTTP_RANGE="bytes=0-15")
    assert part.status_code == 206 and b"".join(
        part.streaming_content
    ) == b"\x00\x00\x00\x18ftypmp42" + bytes(range(4))
    assert part["Referrer-Policy"] == "no-referrer"


def test_regenerating_the_link_kills_the_video_urls_taken_from_its_page(client, answered, alice):
    link = services.share_link_get_or_create(applicant=answered)
    url = _video_url(client, link)
    signed = url.rstrip("/").rsplit("/", 1)[-1]
    new = services.share_link_regenerate(applicant=answered, by=alice)
    assert client.get(url).status_code == 404
    # Nor does the old signature work under the new link, nor as a plain media URL.
    assert client.get(f"/s/{new.token}/media/{signed}/").status_code == 404
    assert client.get(f"/m/{signed}/").status_code == 404
    assert client.get(_video_url(client, new)).status_code == 200


def test_withdrawal_kills_the_video_urls_too(client, answered):
    from bulk.services import Selection, selection_withdraw

    link = services.share_link_get_or_create(applicant=answered)
    url = _video_url(client, link)
    selection_withdraw(company=answered.company, selection=Selection.of(search={}, im_ids=[answered.im_id]))
    assert client.get(url).status_code == 404


def test_one_evaluation_per_reviewer_and_link(link):
    """Issue 14 §10: after submitting, the page offers that evaluation's edit form; posting the form
    again (a reload that resubmits, a double click, or simply submitting again) adds nothing."""
    sheet = services.evaluation_sheet_for(job_posting=link.applicant.job_posting)
    reviewer = Client()
    page = reviewer.get(f"/s/{link.token}/").content.decode()
    key = re.search(r'name="submission" value="([0-9a-f-]+)"', page)
    assert key is not None
    data = {**_form(sheet, name="面接官 重複 D"), "submission": key[1]}
    reviewer.post(f"/s/{link.token}/", data)
    twin = Client()  # the same form posted from a second tab that never saw the first answer
    twin.post(f"/s/{link.token}/", data)
    assert Evaluation.objects.count() == 1
    evaluation = Evaluation.objects.get()
    page = reviewer.get(f"/s/{link.token}/").content.decode()
    assert "評価を編集" in page and f'name="edit" value="{evaluation.pk}"' in page
    assert 'name="submission"' not in page
    # A post without the edit field from this browser still changes its one evaluation.
    reviewer.post(f"/s/{link.token}/", _form(sheet, name="面接官 重複 D", grade="C"))
    assert Evaluation.objects.count() == 1
    assert Evaluation.objects.get().values[0]["value"] == "C"


def test_no_form_for_an_applicant_with_no_answers(link):
    """Issue 14 §11: nothing to evaluate before the applicant has answered."""
    from interviews.models import Answer

    Answer.objects.filter(applicant=link.applicant).delete()
    sheet = services.evaluation_sheet_for(job_posting=link.applicant.job_posting)
    page = Client().get(f"/s/{link.token}/").content.decode()
    assert 'id="evaluation-form"' not in page and "評価できる回答はまだありません" in page
    Client().post(f"/s/{link.token}/", _form(sheet))
    assert not Evaluation.objects.exists()


def test_hidden_evaluations_are_not_called_none(link):
    """Issue 14 §11: with the others' evaluations hidden until one's own, none is not claimed."""
    sheet = services.evaluation_sheet_for(job_posting=link.applicant.job_posting)
    Client().post(f"/s/{link.token}/", _form(sheet, name="一人目"))
    page = Client().get(f"/s/{link.token}/").content.decode()
    assert 'id="others-hidden"' in page and "まだ評価はありません" not in page
