import csv
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sharing import services
from sharing.models import ShareLink, ShareUrlExport
from tests.clients import api_client_for
from tests.factories import ApplicantFactory


def test_applicant_list_has_share_url_with_constant_queries(alice, job_posting):
    api = api_client_for(alice)
    api.get("/api/v1/job-postings/")  # the token's first use writes its last-used time; not measured here
    ApplicantFactory.create_batch(3, job_posting=job_posting)
    with CaptureQueriesContext(connection) as few:
        assert api.get("/api/v1/applicants/").status_code == 200
    ApplicantFactory.create_batch(20, job_posting=job_posting)
    with CaptureQueriesContext(connection) as many:
        response = api.get("/api/v1/applicants/")
    assert len(many) == len(few)
    results = response.json()["results"]
    links = {link.applicant.im_id: link.url for link in ShareLink.objects.select_related("applicant")}
    assert len(results) == 23
    assert all(row["share_url"] == links[row["im_id"]] for row in results)
    detail = api.get(f"/api/v1/applicants/{results[0]['im_id']}/").json()
    assert detail["share_url"] == results[0]["share_url"]


def test_applicant_api_has_no_share_url_when_feature_is_off(alice, applicant, company):
    company.share_url_enabled = False
    company.save()
    row = api_client_for(alice).get("/api/v1/applicants/").json()["results"][0]
    assert "share_url" not in row
    assert not ShareLink.objects.exists()


def test_evaluations_endpoint(alice, charlie, applicant, company):
    link = services.share_link_get_or_create(applicant=applicant)
    sheet = services.evaluation_sheet_for(job_posting=applicant.job_posting)
    overall, comment = sheet.items.all()
    services.evaluation_submit(
        link=link, sheet=sheet, reviewer_name="部長", answers={overall.pk: "B", comment.pk: "可"}
    )
    response = api_client_for(alice).get(f"/api/v1/applicants/{applicant.im_id}/evaluations/")
    assert response.status_code == 200
    (evaluation,) = response.json()["results"]
    assert evaluation["im_id"] == applicant.im_id and evaluation["reviewer_name"] == "部長"
    assert evaluation["values"] == [
        {"label": "総合評価", "kind": "grade", "value": "B"},
        {"label": "コメント", "kind": "text", "value": "可"},
    ]
    assert evaluation["updated_at"] is None  # set once the reviewer corrects it
    assert (
        api_client_for(charlie).get(f"/api/v1/applicants/{applicant.im_id}/evaluations/").status_code == 404
    )
    company.share_url_enabled = False
    company.save()
    off = api_client_for(alice).get(f"/api/v1/applicants/{applicant.im_id}/evaluations/")
    assert off.status_code == 403 and "有効" in off.json()["detail"]


def test_share_url_csv_api(alice, applicant, job_posting):
    api = api_client_for(alice)
    response = api.get(f"/api/v1/share-urls.csv?job_posting={job_posting.pk}&encoding=cp932")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(body.decode("cp932"))))
    assert rows[1][0] == str(applicant.im_id) and rows[1][2] == "髙橋"
    utf8 = b"".join(api.get("/api/v1/share-urls.csv?encoding=utf-8").streaming_content)  # type: ignore[attr-defined]
    assert utf8.startswith(b"\xef\xbb\xbf")
    assert [(e.via, e.encoding, e.rows) for e in ShareUrlExport.objects.order_by("created_at")] == [
        ("api", "cp932", 1),
        ("api", "utf-8", 1),
    ]
    assert api.get("/api/v1/share-urls.csv?encoding=latin1").status_code == 400


def test_the_export_log_keeps_the_whole_search(alice, applicant, job_posting):
    """Posting, status, text, registration dates and sort, as given; page and encoding are not search."""
    query = (
        f"job_posting={job_posting.pk}&status=awaiting&q=髙橋&registered_from=2026-01-01"
        "&registered_to=2026-12-31&sort=kana&page=2&encoding=utf-8"
    )
    response = api_client_for(alice).get(f"/api/v1/share-urls.csv?{query}")
    assert response.status_code == 200
    b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert ShareUrlExport.objects.get().search == {
        "job_posting": str(job_posting.pk),
        "status": "awaiting",
        "q": "髙橋",
        "registered_from": "2026-01-01",
        "registered_to": "2026-12-31",
        "sort": "kana",
    }


def test_share_url_csv_api_reports_rows_cp932_cannot_hold(alice, job_posting):
    bad = ApplicantFactory(job_posting=job_posting, first_name="😀")
    response = api_client_for(alice).get("/api/v1/share-urls.csv")
    assert response.status_code == 409
    assert response.json()["rows"] == [{"im_id": bad.im_id, "column": "名", "characters": "😀"}]
    assert not ShareUrlExport.objects.exists()


def test_share_url_csv_api_is_403_when_feature_is_off(alice, company):
    company.share_url_enabled = False
    company.save()
    assert api_client_for(alice).get("/api/v1/share-urls.csv").status_code == 403


def test_the_share_url_csv_can_name_the_free_areas_by_the_companys_labels(
    alice, alice_client, applicant, company
):
    """Issue 14 §14: an ATS maps columns by name, so the download can use the labels of 応募設定."""
    company.free_area_1_label = "ATS応募者ID"
    company.free_area_2_label = ""
    company.save()
    api = api_client_for(alice)
    standard = b"".join(api.get("/api/v1/share-urls.csv?encoding=utf-8").streaming_content)  # type: ignore[attr-defined]
    labelled = b"".join(
        api.get("/api/v1/share-urls.csv?encoding=utf-8&columns=labels").streaming_content  # type: ignore[attr-defined]
    )
    assert next(csv.reader(io.StringIO(standard.decode("utf-8-sig"))))[4:7] == [
        "フリーエリア1",
        "フリーエリア2",
        "フリーエリア3",
    ]
    assert next(csv.reader(io.StringIO(labelled.decode("utf-8-sig"))))[4:7] == [
        "ATS応募者ID",
        "フリーエリア2",
        "フリーエリア3",
    ]
    assert ShareUrlExport.objects.order_by("created_at").last().search == {"columns": "labels"}
    menu = alice_client.get("/applicants/").content.decode()
    assert 'id="share-csv-labels"' in menu and "columns=labels" in menu
