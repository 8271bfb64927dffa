import csv
import io

import pytest
from django.utils import timezone

from sharing import services
from sharing.models import Evaluation, ShareLink, ShareUrlExport, SharingSettings
from tests.factories import ApplicantFactory


def _csv(response, encoding="cp932"):
    body = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(body.decode(encoding))))


def test_applicant_page_shows_share_url_and_evaluations(alice_client, applicant):
    link = services.share_link_get_or_create(applicant=applicant)
    sheet = services.evaluation_sheet_for(job_posting=applicant.job_posting)
    overall, _comment = sheet.items.all()
    services.evaluation_submit(link=link, sheet=sheet, reviewer_name="部長A", answers={overall.pk: "C"})
    html = alice_client.get(f"/applicants/{applicant.im_id}/").content.decode()
    assert 'id="share-section"' in html
    assert link.url in html
    assert "部長A" in html


def test_applicant_page_has_no_share_section_when_feature_is_off(alice_client, applicant, company):
    company.share_url_enabled = False
    company.save()
    html = alice_client.get(f"/applicants/{applicant.im_id}/").content.decode()
    assert 'id="share-section"' not in html
    assert not ShareLink.objects.exists()


def test_colleague_regenerates_and_old_url_dies(bob_client, client, applicant):
    old = services.share_link_get_or_create(applicant=applicant)
    response = bob_client.post(f"/sharing/applicants/{applicant.im_id}/share-url/regenerate/")
    assert response.status_code == 302
    new = ShareLink.objects.get(applicant=applicant, revoked_at__isnull=True)
    assert new.token != old.token
    assert client.get(f"/s/{old.token}/").status_code == 404
    assert client.get(f"/s/{new.token}/").status_code == 200


def test_outsider_gets_404_for_every_recruiter_url(charlie_client, applicant, job_posting):
    services.share_link_get_or_create(applicant=applicant)
    assert (
        charlie_client.post(f"/sharing/applicants/{applicant.im_id}/share-url/regenerate/").status_code == 404
    )
    assert charlie_client.get(f"/sharing/applicants/{applicant.im_id}/evaluations.csv").status_code == 404
    assert charlie_client.get(f"/sharing/job-postings/{job_posting.pk}/evaluation-sheet/").status_code == 404
    assert ShareLink.objects.filter(revoked_at__isnull=False).count() == 0
    rows = _csv(charlie_client.get("/sharing/share-urls.csv?encoding=utf-8"), "utf-8-sig")
    assert rows == [rows[0]]  # header only: nothing of alice's company


def test_feature_off_gives_403_with_a_message(alice_client, applicant, company):
    company.share_url_enabled = False
    company.save()
    for response in (
        alice_client.get("/sharing/share-urls.csv"),
        alice_client.post(f"/sharing/applicants/{applicant.im_id}/share-url/regenerate/"),
        alice_client.get(f"/sharing/applicants/{applicant.im_id}/evaluations.csv"),
    ):
        assert response.status_code == 403
    assert not ShareUrlExport.objects.exists() and not ShareLink.objects.exists()


def test_share_url_csv_follows_the_search_and_is_audit_logged(alice, alice_client, applicant, job_posting):
    ApplicantFactory(job_posting=job_posting, status="awaiting", last_name="調整")
    other = ApplicantFactory(job_posting=job_posting, status="submitted", last_name="回答")
    applicant.status = "submitted"
    applicant.save()
    response = alice_client.get(f"/sharing/share-urls.csv?job_posting={job_posting.pk}&status=submitted")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv"
    assert "attachment;" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == [
        "iM採用ID",
        "メールアドレス",
        "姓",
        "名",
        "フリーエリア1",
        "フリーエリア2",
        "フリーエリア3",
        "回答状況",
        "共有用URL",
    ]
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == {str(applicant.im_id), str(other.im_id)}
    row = by_id[str(applicant.im_id)]
    link = ShareLink.objects.get(applicant=applicant, revoked_at__isnull=True)
    assert row == [
        str(applicant.im_id),
        applicant.email,
        "髙橋",
        "一郎",
        "ATS-0001",
        "①期生",
        "東京～大阪",
        "回答済",
        link.url,
    ]
    log = ShareUrlExport.objects.get()
    assert (log.user, log.rows, log.encoding, log.via) == (alice, 2, "cp932", "ui")
    assert log.search == {"job_posting": str(job_posting.pk), "status": "submitted"}


def test_share_url_csv_keeps_urls_stable_between_exports(alice_client, applicant):
    first = _csv(alice_client.get("/sharing/share-urls.csv"))
    second = _csv(alice_client.get("/sharing/share-urls.csv?encoding=utf-8"), "utf-8-sig")
    assert first[1][-1] == second[1][-1]
    assert ShareLink.objects.count() == 1


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"])
def test_share_url_csv_neutralises_formula_cells(alice_client, job_posting, trigger):
    payload = f"{trigger}cmd|' /C calc'!A0"
    ApplicantFactory(
        job_posting=job_posting, last_name=payload, free_area_1=payload, free_area_3=f"{trigger}1+1"
    )
    rows = _csv(alice_client.get("/sharing/share-urls.csv?encoding=utf-8"), "utf-8-sig")
    assert rows[1][2] == "'" + payload
    assert rows[1][4] == "'" + payload
    assert rows[1][6] == f"'{trigger}1+1"


def test_cp932_round_trip_of_characters_shift_jis_lacks(alice_client, applicant):
    body = b"".join(alice_client.get("/sharing/share-urls.csv?encoding=cp932").streaming_content)
    assert "髙橋".encode("cp932") in body and "①期生".encode("cp932") in body
    row = list(csv.reader(io.StringIO(body.decode("cp932"))))[1]
    assert row[2:7] == ["髙橋", "一郎", "ATS-0001", "①期生", "東京～大阪"]


def test_characters_cp932_cannot_hold_are_reported_not_replaced(alice_client, applicant, job_posting):
    bad = ApplicantFactory(job_posting=job_posting, last_name="𠮷田", free_area_2="全角ダッシュ—")
    response = alice_client.get(f"/sharing/share-urls.csv?job_posting={job_posting.pk}&encoding=cp932")
    assert response.status_code == 409
    html = response.content.decode()
    assert str(bad.im_id) in html and "𠮷" in html and "—" in html
    assert str(applicant.im_id) not in html.split('id="export-problems"')[1].split("</table>")[0]
    assert f"job_posting={job_posting.pk}&amp;encoding=utf-8" in html
    assert not ShareUrlExport.objects.exists()
    rows = _csv(
        alice_client.get(f"/sharing/share-urls.csv?job_posting={job_posting.pk}&encoding=utf-8"), "utf-8-sig"
    )
    row = next(r for r in rows if r[0] == str(bad.im_id))
    assert (row[2], row[5]) == ("𠮷田", "全角ダッシュ—")


def test_evaluations_csv_per_applicant_and_for_the_search(alice_client, applicant):
    link = services.share_link_get_or_create(applicant=applicant)
    sheet = services.evaluation_sheet_for(job_posting=applicant.job_posting)
    overall, comment = sheet.items.all()
    evaluation = services.evaluation_submit(
        link=link, sheet=sheet, reviewer_name="=部長", answers={overall.pk: "A", comment.pk: "①良"}
    )
    for url in (f"/sharing/applicants/{applicant.im_id}/evaluations.csv", "/sharing/evaluations.csv"):
        rows = _csv(alice_client.get(url), "utf-8-sig")
        assert rows[0][3:] == ["評価者", "提出日時", "編集日時", "総合評価", "コメント"]
        assert rows[1][0] == str(applicant.im_id)
        assert rows[1][3] == "'=部長" and rows[1][5:] == ["", "A", "①良"]
    services.evaluation_update(
        evaluation=evaluation,
        sheet=sheet,
        reviewer_name="部長",
        answers={overall.pk: "B", comment.pk: "再考"},
    )
    rows = _csv(alice_client.get("/sharing/evaluations.csv"), "utf-8-sig")
    assert rows[1][5].startswith(timezone.localtime().strftime("%Y-%m-%d")) and rows[1][6:] == ["B", "再考"]


def test_recruiter_edits_the_evaluation_sheet(alice_client, job_posting):
    url = f"/sharing/job-postings/{job_posting.pk}/evaluation-sheet/"
    page = alice_client.get(url).content.decode()
    assert "システム標準" in page and "総合評価" in page
    data = {
        "name": "営業職",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-0-label": "傾聴力",
        "items-0-kind": "scale5",
        "items-0-required": "on",
        "items-1-label": "所見",
        "items-1-kind": "text",
    }
    assert alice_client.post(url, data).status_code == 302
    sheet = services.evaluation_sheet_for(job_posting=job_posting)
    assert sheet.name == "営業職"
    assert [(i.label, i.kind, i.required) for i in sheet.items.all()] == [
        ("傾聴力", "scale5", True),
        ("所見", "text", False),
    ]


def test_sheet_with_duplicate_or_no_items_is_rejected(alice_client, job_posting):
    url = f"/sharing/job-postings/{job_posting.pk}/evaluation-sheet/"
    base = {"name": "x", "items-INITIAL_FORMS": "0"}
    dup = {
        **base,
        "items-TOTAL_FORMS": "2",
        "items-0-label": "同じ",
        "items-0-kind": "grade",
        "items-1-label": "同じ",
        "items-1-kind": "text",
    }
    response = alice_client.post(url, dup)
    assert response.status_code == 200 and "別の名前" in response.content.decode()
    empty = {
        **base,
        "items-TOTAL_FORMS": "1",
        "items-0-label": "消す",
        "items-0-kind": "grade",
        "items-0-DELETE": "on",
    }
    response = alice_client.post(url, empty)
    assert response.status_code == 200 and "少なくとも1つ" in response.content.decode()
    assert services.evaluation_sheet_for(job_posting=job_posting).name == "システム標準"


def test_only_admins_change_sharing_settings(alice_client, bob_client, company):
    data = {"link_expiry_days": "30", "evaluations_visibility": "always"}
    bob_client.post("/sharing/settings/", data)
    assert not SharingSettings.objects.exists()
    assert alice_client.post("/sharing/settings/", data).status_code == 302
    settings = SharingSettings.objects.get(company=company)
    assert (settings.link_expiry_days, settings.evaluations_visibility) == (30, "always")
    response = alice_client.post(
        "/sharing/settings/", {"link_expiry_days": "-1", "evaluations_visibility": "x"}
    )
    assert response.status_code == 200 and 'class="error"' in response.content.decode()


def test_settings_page_lists_the_export_audit_log(alice_client, applicant):
    alice_client.get("/sharing/share-urls.csv?status=awaiting")
    html = alice_client.get("/sharing/settings/").content.decode()
    assert "status=awaiting" in html and "alice" in html


def test_evaluations_are_not_visible_across_companies(charlie, applicant):
    link = services.share_link_get_or_create(applicant=applicant)
    sheet = services.evaluation_sheet_for(job_posting=applicant.job_posting)
    services.evaluation_submit(link=link, sheet=sheet, reviewer_name="部長", answers={})
    assert Evaluation.objects.filter(company=charlie.membership.company).count() == 0


def test_share_url_csv_quotes_commas_quotes_and_line_breaks(alice_client, job_posting):
    tricky = 'A社, "営業"\n2行目'
    ApplicantFactory(job_posting=job_posting, free_area_2=tricky, free_area_3="")
    body = b"".join(alice_client.get("/sharing/share-urls.csv?encoding=utf-8").streaming_content)
    assert body.count(b"\r\n") >= 2 and body.endswith(b"\r\n")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[1][5] == tricky and rows[1][6] == ""
    assert len(rows) == 2


def test_withdrawing_revokes_the_share_link_for_good(alice_client, alice_api, client, applicant):
    from bulk.services import Selection, selection_withdraw

    link = services.share_link_get_or_create(applicant=applicant)
    assert client.get(f"/s/{link.token}/").status_code == 200
    selection_withdraw(company=applicant.company, selection=Selection.of(search={}, im_ids=[applicant.im_id]))

    assert client.get(f"/s/{link.token}/").status_code == 404
    # Nothing hands out a new link: the sweep, an export, the applicant page, the API, regeneration.
    services.share_links_for_posting(job_posting_id=applicant.job_posting_id)
    rows = _csv(alice_client.get("/sharing/share-urls.csv?encoding=utf-8"), "utf-8-sig")
    assert rows[1][0] == str(applicant.im_id) and rows[1][-1] == ""
    html = alice_client.get(f"/applicants/{applicant.im_id}/").content.decode()
    assert 'id="share-url-withdrawn"' in html and link.token not in html
    assert alice_api.get(f"/api/v1/applicants/{applicant.im_id}/").json()["share_url"] is None
    response = alice_client.post(f"/sharing/applicants/{applicant.im_id}/share-url/regenerate/", follow=True)
    assert "辞退した応募者には共有用URLがありません。" in response.content.decode()
    assert not ShareLink.objects.filter(applicant=applicant, revoked_at__isnull=True).exists()


def test_submitted_applicants_keep_their_link_when_the_selection_is_withdrawn(client, applicant):
    from bulk.services import Selection, selection_withdraw

    applicant.status = applicant.Status.SUBMITTED
    applicant.save(update_fields=["status"])
    link = services.share_link_get_or_create(applicant=applicant)
    selection_withdraw(company=applicant.company, selection=Selection.of(search={}, im_ids=[applicant.im_id]))
    assert client.get(f"/s/{link.token}/").status_code == 200
