"""「エラー行を除いて取り込む」 (issue 14 §13): an explicit option to import only the rows without errors.

The default stays all or nothing; with the option the error rows of the preview are left out, in the
same transaction and with the same once-only confirm as an ordinary import.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from applicants.models import Applicant
from imports import services, validation
from imports.models import ApplicantImport
from imports.samples import to_csv
from messaging.models import Message
from tests.clients import api_key_for
from tests.factories import ApplicantFactory

HEADER = ["iM採用ID", "姓", "名", "メールアドレス", "フリーエリア1"]
URL = "/api/v1/applicant-imports/"


@pytest.fixture
def kept(job_posting):
    """An applicant the file updates."""
    return ApplicantFactory(job_posting=job_posting, email="kept@example.jp", free_area_1="old")


@pytest.fixture
def known(job_posting):
    """An applicant the file lists again without an ID (skipped as already registered)."""
    return ApplicantFactory(job_posting=job_posting, email="known@example.jp")


@pytest.fixture
def holder(job_posting):
    """An applicant whose address an update of the file would take."""
    return ApplicantFactory(job_posting=job_posting, email="holder@example.jp")


@pytest.fixture
def mixed(kept, known, holder) -> bytes:
    """2 new, 1 update, 1 skipped; 5 error rows: an invalid address, the same email twice (both rows),
    an unknown iM採用ID, an update taking another applicant's address."""
    return to_csv(
        [
            ["", "佐藤", "一郎", "new1@example.jp", "ATS-1"],  # 2 new
            ["", "鈴木", "花子", "bad-address", "ATS-2"],  # 3 error: invalid email
            [str(kept.im_id), "新姓", "", "kept@example.jp", "ATS-3"],  # 4 update
            ["", "既存", "", "known@example.jp", "ATS-4"],  # 5 skipped
            ["", "田中", "", "twice@example.jp", "ATS-5"],  # 6 error: duplicate of row 8
            ["999999", "不明", "", "ghost@example.jp", "ATS-6"],  # 7 error: unknown iM採用ID
            ["", "田中", "", "Twice@example.jp", "ATS-7"],  # 8 error: duplicate of row 6
            [str(known.im_id), "奪", "", "holder@example.jp", "ATS-8"],  # 9 error: holder's address
            ["", "高橋", "", "new2@example.jp", "ATS-9"],  # 10 new
        ],
        header=HEADER,
    )


ERROR_ROWS = [3, 6, 7, 8, 9]


def upload(job_posting, data: bytes, user=None) -> ApplicantImport:
    return services.applicant_import_create(
        job_posting=job_posting, file=ContentFile(data, name="a.csv"), file_name="a.csv", by=user
    )


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}")
    return client


def d03_emails() -> set[str]:
    return set(Message.objects.filter(template_code="D03").values_list("applicant__email", flat=True))


def test_the_file_has_the_errors_this_module_relies_on(job_posting, mixed):
    imp = upload(job_posting, mixed)
    assert imp.status == ApplicantImport.Status.INVALID
    assert imp.counts == {"new": 2, "update": 1, "skipped": 1, "error": 5}
    assert sorted({e["row"] for e in imp.rendered_errors()}) == ERROR_ROWS
    assert imp.can_skip_error_rows and not imp.can_confirm


def test_without_the_option_an_upload_with_errors_is_still_refused(job_posting, alice, mixed):
    imp = upload(job_posting, mixed, alice)
    with pytest.raises(services.ImportNotConfirmable, match="エラー行を除いて取り込む"):
        services.applicant_import_confirm(applicant_import=imp, by=alice)
    imp.refresh_from_db()
    assert imp.status == ApplicantImport.Status.INVALID and not imp.skip_error_rows
    assert Applicant.objects.count() == 3  # kept, known and holder only


def test_the_option_registers_only_the_valid_rows_with_d03_for_the_new_ones(
    job_posting, alice, kept, known, mixed, django_capture_on_commit_callbacks
):
    imp = upload(job_posting, mixed, alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.applicant_import_confirm(applicant_import=imp, by=alice, skip_error_rows=True)
    imp.refresh_from_db()
    assert imp.status == ApplicantImport.Status.DONE and imp.skip_error_rows
    assert imp.counts == {"new": 2, "update": 1, "skipped": 1, "error": 5}
    assert imp.status_label == "エラー行を除いて取り込み済み"
    emails = set(Applicant.objects.filter(job_posting=job_posting).values_list("email", flat=True))
    assert emails == {
        "kept@example.jp",
        "known@example.jp",
        "holder@example.jp",
        "new1@example.jp",
        "new2@example.jp",
    }
    assert d03_emails() == {"new1@example.jp", "new2@example.jp"}  # one each, none for the others
    assert Message.objects.filter(template_code="D03").count() == 2
    kept.refresh_from_db()
    known.refresh_from_db()
    assert (kept.last_name, kept.free_area_1) == ("新姓", "ATS-3")  # the valid update is written
    assert (known.last_name, known.free_area_1) == ("山田", "")  # row 9 left out, not half-applied
    # The errors stay listed: the error CSV names the rows left out.
    assert sorted({e["row"] for e in imp.rendered_errors()}) == ERROR_ROWS


def test_valid_updates_are_written_and_never_send_d03(
    job_posting, alice, kept, django_capture_on_commit_callbacks
):
    data = to_csv(
        [[str(kept.im_id), "新姓", "", "kept@example.jp", "ATS-9"], ["", "x", "", "broken", ""]],
        header=HEADER,
    )
    imp = upload(job_posting, data, alice)
    assert imp.counts == {"new": 0, "update": 1, "skipped": 0, "error": 1} and imp.can_skip_error_rows
    with django_capture_on_commit_callbacks(execute=True):
        services.applicant_import_confirm(applicant_import=imp, by=alice, skip_error_rows=True)
    kept.refresh_from_db()
    assert (kept.last_name, kept.free_area_1) == ("新姓", "ATS-9")
    assert Message.objects.count() == 0


def test_a_second_confirm_is_refused_and_a_redelivered_task_adds_nothing(
    job_posting, alice, mixed, django_capture_on_commit_callbacks
):
    imp = upload(job_posting, mixed, alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.applicant_import_confirm(applicant_import=imp, by=alice, skip_error_rows=True)
    for skip in (True, False):
        with pytest.raises(services.ImportNotConfirmable, match="すでに取り込まれて"):
            services.applicant_import_confirm(applicant_import=imp, by=alice, skip_error_rows=skip)
    services.applicant_import_execute(import_id=imp.pk)  # a redelivered task
    assert Applicant.objects.filter(job_posting=job_posting).count() == 5
    assert Message.objects.filter(template_code="D03").count() == 2


def test_an_error_row_set_that_changed_since_the_preview_rolls_everything_back(
    job_posting, alice, kept, mixed, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "CHUNK_ROWS", 1)  # rows are written before the change is found
    imp = upload(job_posting, mixed, alice)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.applicant_import_confirm(applicant_import=imp, by=alice, skip_error_rows=True)
    ApplicantFactory(job_posting=job_posting, email="new2@example.jp", im_id=777)  # registered meanwhile
    kept.delete()  # row 4 now updates an unknown applicant: an error the preview did not show
    Applicant.objects.filter(email="known@example.jp").update(email="moved@example.jp")  # row 5 turns new
    callbacks[0]()
    imp.refresh_from_db()
    assert Applicant.objects.filter(email="new1@example.jp").count() == 0  # nothing written
    assert Message.objects.count() == 0
    # A fresh preview to decide on again: row 5 is new now, row 10 skipped.
    assert imp.status == ApplicantImport.Status.INVALID and not imp.skip_error_rows
    assert imp.counts == {"new": 2, "update": 0, "skipped": 1, "error": 6}
    kinds = {r["row"]: r["kind"] for r in imp.preview_rows}
    assert (kinds[5], kinds[10]) == ("new", "skipped")


def test_a_row_left_out_that_turned_valid_rolls_back_too(
    job_posting, alice, django_capture_on_commit_callbacks
):
    holder = ApplicantFactory(job_posting=job_posting, email="taken@example.jp")
    other = ApplicantFactory(job_posting=job_posting, email="other@example.jp")
    data = to_csv(
        [[str(other.im_id), "x", "", "taken@example.jp", ""], ["", "y", "", "new@example.jp", ""]],
        header=HEADER,
    )
    imp = upload(job_posting, data, alice)
    assert [e[2] for e in imp.errors] == ["email_taken"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.applicant_import_confirm(applicant_import=imp, by=alice, skip_error_rows=True)
    holder.delete()  # row 2 would be a valid update now, which the recruiter did not see
    callbacks[0]()
    imp.refresh_from_db()
    assert imp.status == ApplicantImport.Status.VALIDATED and imp.can_confirm
    assert imp.counts == {"new": 1, "update": 1, "skipped": 0, "error": 0}
    assert not Applicant.objects.filter(email="new@example.jp").exists()


def test_not_offered_when_the_error_list_was_cut(job_posting, alice, monkeypatch):
    monkeypatch.setattr(validation, "MAX_LISTED_ERRORS", 2)
    rows = [["", "a", "", f"bad{i}", ""] for i in range(3)] + [["", "b", "", "ok@example.jp", ""]]
    imp = upload(job_posting, to_csv(rows, header=HEADER), alice)
    assert imp.errors_truncated and imp.n_new == 1
    assert not imp.can_skip_error_rows
    with pytest.raises(services.ImportNotConfirmable, match="エラーが多すぎる"):
        services.applicant_import_confirm(applicant_import=imp, by=alice, skip_error_rows=True)


def test_not_offered_when_no_row_could_be_registered(job_posting, alice, known):
    data = to_csv([["", "a", "", "bad", ""], ["", "b", "", "known@example.jp", ""]], header=HEADER)
    imp = upload(job_posting, data, alice)
    assert imp.counts == {"new": 0, "update": 0, "skipped": 1, "error": 1} and not imp.can_skip_error_rows
    with pytest.raises(services.ImportNotConfirmable, match="登録できる行がありません"):
        services.applicant_import_confirm(applicant_import=imp, by=alice, skip_error_rows=True)


def test_the_option_on_an_upload_without_errors_is_an_ordinary_import(
    job_posting, alice, django_capture_on_commit_callbacks
):
    imp = upload(job_posting, to_csv([["", "a", "", "a@example.jp", ""]], header=HEADER), alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.applicant_import_confirm(applicant_import=imp, by=alice, skip_error_rows=True)
    imp.refresh_from_db()
    assert imp.status == ApplicantImport.Status.DONE and not imp.skip_error_rows
    assert imp.status_label == "取り込み完了"


# The pages


def post_upload(client, posting, data: bytes):
    return client.post(
        reverse("imports:import_create"),
        {"job_posting": posting.pk, "file": SimpleUploadedFile("応募者.csv", data, content_type="text/csv")},
    )


def test_the_page_offers_the_option_with_exact_counts_and_the_error_csv(alice_client, job_posting, mixed):
    response = post_upload(alice_client, job_posting, mixed)
    imp = ApplicantImport.objects.get()
    html = alice_client.get(response["Location"]).content.decode()
    assert 'id="import-confirm"' not in html  # the default stays all or nothing
    assert 'id="import-confirm-skip-errors"' in html and "エラー行を除いて取り込む" in html
    summary = html[html.index('id="skip-errors-summary"') :]
    summary = summary[: summary.index("</p>")]
    assert "2 名を新規登録" in summary and "1 名を更新" in summary and "登録済みの 1 名" in summary
    assert "エラーのある 5 行は除外され、登録されません" in summary
    assert reverse("imports:import_errors_csv", args=[imp.pk]) + "?encoding=cp932" in html
    assert 'name="skip_error_rows"' in html
    assert "new1@example.jp" in html[html.index('id="skip-errors"') :]  # D03 of the first new row


def test_confirming_with_the_option_on_the_page(
    alice_client, job_posting, mixed, django_capture_on_commit_callbacks
):
    response = post_upload(alice_client, job_posting, mixed)
    imp = ApplicantImport.objects.get()
    confirm_url = reverse("imports:import_confirm", args=[imp.pk])
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(confirm_url, {"skip_error_rows": "on"})
    with django_capture_on_commit_callbacks(execute=True):
        again = alice_client.post(confirm_url, {"skip_error_rows": "on"}, follow=True)  # a double click
    assert "すでに取り込まれています" in again.content.decode()
    imp.refresh_from_db()
    assert imp.status == ApplicantImport.Status.DONE and imp.skip_error_rows
    assert d03_emails() == {"new1@example.jp", "new2@example.jp"}
    assert Message.objects.filter(template_code="D03").count() == 2
    html = alice_client.get(response["Location"]).content.decode()
    assert "エラー行を除いて取り込み済み" in html and 'id="imported-without-errors"' in html
    assert "エラーのある 5 行は除外し、登録していません" in html
    history = alice_client.get(reverse("imports:import_list")).content.decode()
    assert "エラー行を除いて取り込み済み" in history
    # The error CSV names exactly the rows left out.
    errors = alice_client.get(reverse("imports:import_errors_csv", args=[imp.pk]), {"encoding": "utf-8"})
    rows = list(csv.reader(io.StringIO(b"".join(errors.streaming_content).decode("utf-8-sig"))))
    assert sorted({int(row[0]) for row in rows[1:]}) == ERROR_ROWS


def test_the_plain_confirm_button_still_refuses_an_upload_with_errors(alice_client, job_posting, mixed):
    post_upload(alice_client, job_posting, mixed)
    imp = ApplicantImport.objects.get()
    page = alice_client.post(reverse("imports:import_confirm", args=[imp.pk]), follow=True)
    assert "エラー行を除いて取り込む" in page.content.decode()  # the refusal names the option
    imp.refresh_from_db()
    assert imp.status == ApplicantImport.Status.INVALID
    assert Message.objects.count() == 0


def test_outsider_gets_404_confirming_with_the_option(charlie_client, charlie, alice, job_posting, mixed):
    imp = upload(job_posting, mixed, alice)
    url = reverse("imports:import_confirm", args=[imp.pk])
    assert charlie_client.post(url, {"skip_error_rows": "on"}).status_code == 404
    response = api(charlie).post(f"{URL}{imp.pk}/confirm/", {"skip_error_rows": True}, format="json")
    assert response.status_code == 404
    imp.refresh_from_db()
    assert imp.status == ApplicantImport.Status.INVALID and Message.objects.count() == 0


# The API


def test_the_api_confirms_with_skip_error_rows(alice, job_posting, mixed, django_capture_on_commit_callbacks):
    client = api(alice)
    imp = upload(job_posting, mixed, alice)
    refused = client.post(f"{URL}{imp.pk}/confirm/")
    assert refused.status_code == 409 and refused.json()["detail"]
    assert (
        client.post(f"{URL}{imp.pk}/confirm/", {"skip_error_rows": "maybe"}, format="json").status_code == 400
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{URL}{imp.pk}/confirm/", {"skip_error_rows": True}, format="json")
    assert response.status_code == 202
    assert response.json()["status"] == "importing" and response.json()["skip_error_rows"] is True
    done = client.get(f"{URL}{imp.pk}/").json()
    assert done["status"] == "done" and done["skip_error_rows"] is True
    assert done["counts"] == {"new": 2, "update": 1, "skipped": 1, "error": 5}
    assert sorted({e["row"] for e in done["errors"]}) == ERROR_ROWS
    assert d03_emails() == {"new1@example.jp", "new2@example.jp"}
    again = client.post(f"{URL}{imp.pk}/confirm/", {"skip_error_rows": True}, format="json")
    assert again.status_code == 409
    assert Message.objects.filter(template_code="D03").count() == 2


def test_the_api_takes_the_option_as_a_form_field_too(
    alice, job_posting, mixed, django_capture_on_commit_callbacks
):
    imp = upload(job_posting, mixed, alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(alice).post(f"{URL}{imp.pk}/confirm/", {"skip_error_rows": "true"})
    assert response.status_code == 202
    imp.refresh_from_db()
    assert imp.status == ApplicantImport.Status.DONE and imp.n_new == 2


def test_the_option_reads_in_english_too(alice_client, job_posting, mixed, settings):
    response = post_upload(alice_client, job_posting, mixed)
    alice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = alice_client.get(response["Location"]).content.decode()
    assert "Contents after the import (first 20 rows)" in html
    assert "Import without the error rows" in html
    assert "2 applicants will be registered and receive D03 right away, 1 will be updated" in html
    assert "The 5 rows with errors will be left out" in html
    assert "Error (not imported)" in html
