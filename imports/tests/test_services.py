"""The import itself: all or nothing, set-based, D03 for new applicants only, re-validated on confirm."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from applicants.models import Applicant
from imports import services
from imports.models import ApplicantImport
from imports.samples import applicants_csv, to_csv
from messaging.models import Message
from tests.factories import ApplicantFactory

HEADER = ["iM採用ID", "姓", "名", "メールアドレス", "フリーエリア1"]


def upload(job_posting, data: bytes, user=None, name="applicants.csv") -> ApplicantImport:
    return services.applicant_import_create(
        job_posting=job_posting, file=ContentFile(data, name=name), file_name=name, by=user
    )


def confirm(imp, user, capture) -> ApplicantImport:
    with capture(execute=True):
        services.applicant_import_confirm(applicant_import=imp, by=user)
    imp.refresh_from_db()
    return imp


def d03_count(applicant) -> int:
    return Message.objects.filter(applicant=applicant, template_code="D03").count()


def test_upload_is_stored_under_imports_and_validated(job_posting, alice):
    imp = upload(job_posting, applicants_csv(5), alice)
    assert imp.status == ApplicantImport.Status.VALIDATED
    assert imp.counts == {"new": 5, "update": 0, "skipped": 0, "error": 0}
    assert str(imp.file.name).startswith("imports/")
    assert default_storage.exists(str(imp.file.name))
    assert imp.created_by == alice and imp.encoding == "cp932"
    assert Applicant.objects.count() == 0


def test_confirm_registers_every_new_applicant_with_one_d03(
    job_posting, alice, django_capture_on_commit_callbacks
):
    imp = confirm(upload(job_posting, applicants_csv(250), alice), alice, django_capture_on_commit_callbacks)
    assert imp.status == ApplicantImport.Status.DONE and imp.progress == 100
    applicants = list(Applicant.objects.filter(job_posting=job_posting))
    assert len(applicants) == 250
    assert {a.status for a in applicants} == {Applicant.Status.AWAITING}
    assert {a.created_via for a in applicants} == {Applicant.CreatedVia.CSV}
    assert sorted(a.im_id for a in applicants) == list(range(1, 251))
    assert Message.objects.filter(template_code="D03").count() == 250
    assert all(d03_count(a) == 1 for a in applicants[:20])
    first = Applicant.objects.get(email="user1@example.ac.jp")
    assert first.free_area_2 == "ナビサイトA, 説明会" and first.last_name_kana == "サトウ"
    assert first.interview_token and len({a.interview_token for a in applicants}) == 250


def test_small_registrations_take_the_same_path(job_posting, alice, django_capture_on_commit_callbacks):
    imp = confirm(upload(job_posting, applicants_csv(3), alice), alice, django_capture_on_commit_callbacks)
    assert imp.status == ApplicantImport.Status.DONE
    assert Message.objects.filter(template_code="D03").count() == 3


def test_reuploading_an_imported_file_creates_and_sends_nothing(
    job_posting, alice, django_capture_on_commit_callbacks
):
    confirm(upload(job_posting, applicants_csv(20), alice), alice, django_capture_on_commit_callbacks)
    again = upload(job_posting, applicants_csv(20), alice)
    assert again.counts == {"new": 0, "update": 0, "skipped": 20, "error": 0}
    # Nothing to register: the upload cannot be confirmed (issue 14 §13), and nothing happens.
    with pytest.raises(services.ImportNotConfirmable):
        confirm(again, alice, django_capture_on_commit_callbacks)
    again.refresh_from_db()
    assert again.status == ApplicantImport.Status.VALIDATED and again.nothing_to_import
    assert Applicant.objects.count() == 20
    assert Message.objects.filter(template_code="D03").count() == 20


def test_confirm_twice_imports_once(job_posting, alice, django_capture_on_commit_callbacks):
    imp = confirm(upload(job_posting, applicants_csv(5), alice), alice, django_capture_on_commit_callbacks)
    with pytest.raises(services.ImportNotConfirmable):
        services.applicant_import_confirm(applicant_import=imp, by=alice)
    services.applicant_import_execute(import_id=imp.pk)  # a redelivered task
    assert Applicant.objects.count() == 5


def test_an_upload_with_errors_cannot_be_confirmed(job_posting, alice):
    imp = upload(job_posting, to_csv([["", "山田", "太郎", "bad", ""]], header=HEADER), alice)
    assert imp.status == ApplicantImport.Status.INVALID and imp.n_error == 1
    with pytest.raises(services.ImportNotConfirmable):
        services.applicant_import_confirm(applicant_import=imp, by=alice)
    assert Applicant.objects.count() == 0


def test_updates_are_written_without_d03(job_posting, alice, django_capture_on_commit_callbacks):
    kept = ApplicantFactory(
        job_posting=job_posting, email="kept@example.jp", first_name="花子", free_area_1="old"
    )
    data = to_csv(
        [
            [str(kept.im_id), "新姓", "", "Kept@Example.JP".replace("Example.JP", "example.jp"), "ATS-9"],
            ["", "佐藤", "一郎", "new@example.jp", "ATS-10"],
        ],
        header=HEADER,
    )
    imp = upload(job_posting, data, alice)
    assert imp.counts == {"new": 1, "update": 1, "skipped": 0, "error": 0}
    confirm(imp, alice, django_capture_on_commit_callbacks)
    kept.refresh_from_db()
    assert (kept.last_name, kept.first_name, kept.free_area_1) == ("新姓", "", "ATS-9")
    assert kept.email == "Kept@example.jp"
    assert kept.school == "東京大学"  # a column absent from the file is left alone
    assert d03_count(kept) == 0
    assert d03_count(Applicant.objects.get(email="new@example.jp")) == 1


def test_confirm_revalidates_and_skips_an_email_registered_since_the_preview(
    job_posting, alice, django_capture_on_commit_callbacks
):
    imp = upload(job_posting, applicants_csv(3), alice)
    ApplicantFactory(job_posting=job_posting, email="user2@example.ac.jp")
    imp = confirm(imp, alice, django_capture_on_commit_callbacks)
    assert imp.status == ApplicantImport.Status.DONE
    assert imp.counts == {"new": 2, "update": 0, "skipped": 1, "error": 0}
    assert Message.objects.filter(template_code="D03").count() == 2


def test_an_error_found_on_confirm_rolls_everything_back(
    job_posting, alice, django_capture_on_commit_callbacks
):
    target = ApplicantFactory(job_posting=job_posting, email="t@example.jp")
    data = to_csv(
        [["", "a", "b", f"n{i}@example.jp", ""] for i in range(10)]
        + [[str(target.im_id), "x", "y", "t@example.jp", ""]],
        header=HEADER,
    )
    imp = upload(job_posting, data, alice)
    assert imp.can_confirm
    target.delete()  # the applicant to update disappears meanwhile
    imp = confirm(imp, alice, django_capture_on_commit_callbacks)
    assert imp.status == ApplicantImport.Status.INVALID
    assert [e["row"] for e in imp.rendered_errors()] == [12]
    assert Applicant.objects.count() == 0
    assert Message.objects.count() == 0


def test_oversized_file_is_refused_before_it_is_stored(job_posting, alice, settings):
    settings.IMPORT_MAX_BYTES = 2000
    imp = upload(job_posting, applicants_csv(50), alice)
    assert imp.status == ApplicantImport.Status.INVALID
    assert (imp.file_error or {})["code"] == "too_large"
    assert not imp.file


def test_too_many_rows_is_refused(job_posting, alice, settings):
    settings.IMPORT_MAX_ROWS = 10
    imp = upload(job_posting, applicants_csv(11), alice)
    assert (imp.file_error or {})["code"] == "too_many_rows"
    assert imp.n_new == 0


def test_large_files_are_validated_by_the_worker_task(
    job_posting, alice, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_MAX_BYTES = 10
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        imp = upload(job_posting, applicants_csv(5), alice)
    assert imp.status == ApplicantImport.Status.VALIDATING and len(callbacks) == 1
    callbacks[0]()  # the task runs eagerly in tests
    imp.refresh_from_db()
    assert imp.status == ApplicantImport.Status.VALIDATED and imp.n_new == 5 and imp.progress == 100


def test_stored_files_are_purged_after_the_retention_period(job_posting, alice, settings):
    settings.IMPORT_FILE_RETENTION_DAYS = 30
    old = upload(job_posting, applicants_csv(2), alice)
    fresh = upload(job_posting, applicants_csv(2, start=10), alice)
    ApplicantImport.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    path = str(old.file.name)
    from imports.tasks import applicant_import_files_purge_task

    assert applicant_import_files_purge_task.apply().get() == 1
    old.refresh_from_db()
    assert not default_storage.exists(path) and old.file_deleted_at is not None and not old.file
    assert default_storage.exists(str(fresh.file.name))


def test_confirming_after_the_file_was_purged_says_so(job_posting, alice, django_capture_on_commit_callbacks):
    imp = upload(job_posting, applicants_csv(2), alice)
    imp.file.delete(save=False)
    imp = confirm(imp, alice, django_capture_on_commit_callbacks)
    assert imp.status == ApplicantImport.Status.INVALID and (imp.file_error or {})["code"] == "file_missing"
    assert Applicant.objects.count() == 0


def test_an_import_whose_task_was_lost_is_resumed_by_the_sweep(
    job_posting, alice, django_capture_on_commit_callbacks
):
    imp = upload(job_posting, applicants_csv(3), alice)
    with django_capture_on_commit_callbacks(execute=False):  # the broker loses the task
        services.applicant_import_confirm(applicant_import=imp, by=alice)
    assert services.applicant_imports_resume() == 0  # not stuck yet
    ApplicantImport.objects.filter(pk=imp.pk).update(confirmed_at=timezone.now() - dt.timedelta(minutes=11))
    from imports.tasks import applicant_imports_resume_task

    assert applicant_imports_resume_task.apply().get() == 1  # tasks run eagerly in tests
    imp.refresh_from_db()
    assert imp.status == ApplicantImport.Status.DONE
    assert Message.objects.filter(template_code="D03").count() == 3


def test_an_unexpected_validation_failure_marks_the_upload_failed(job_posting, alice, monkeypatch):
    from imports import services as import_services

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(import_services, "dry_run", broken)
    imp = upload(job_posting, applicants_csv(2), alice)
    assert imp.status == ApplicantImport.Status.FAILED
    assert (imp.file_error or {})["code"] == "internal" and not imp.can_confirm


def test_the_shared_cp932_sample_imports_thirty_applicants_with_d03(
    job_posting, alice, django_capture_on_commit_callbacks
):
    from pathlib import Path

    data = Path("/work/shared/samples/applicants_upload_sample_cp932.csv").read_bytes()
    imp = confirm(
        upload(job_posting, data, alice, name="sample.csv"), alice, django_capture_on_commit_callbacks
    )
    assert imp.status == ApplicantImport.Status.DONE and imp.n_new == 30
    sasaki = Applicant.objects.get(email="taro.sasaki.500001@example.ac.jp")
    assert (sasaki.last_name, sasaki.first_name_kana, sasaki.free_area_1) == (
        "佐々木",
        "タロウ",
        "ATS-2027-500001",
    )
    assert sasaki.phone == "090-3929-4772" and sasaki.birth_date == dt.date(2003, 3, 25)
    assert Message.objects.filter(template_code="D03", applicant__job_posting=job_posting).count() == 30
