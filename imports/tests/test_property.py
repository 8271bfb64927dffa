"""Property-based: any bytes, any CSV text — never a server error, nothing written unless confirmed valid."""

from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applicants.models import Applicant
from imports import services
from imports.models import ApplicantImport
from imports.parsing import HEADERS
from messaging.models import Message

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", " ", "　", "a@example.jp", "B@Example.JP", "2003/1/3", "2027", "090-1234-5678", '"', "1"]
    ),
    st.from_regex(r"[a-z]{1,6}@[a-z]{1,6}\.jp", fullmatch=True),
)
headers = st.lists(st.sampled_from([*HEADERS, "備考", "フリーエリア１", ""]), min_size=0, max_size=8)


@st.composite
def csv_files(draw) -> bytes:
    header = draw(headers)
    rows = draw(st.lists(st.lists(cells, max_size=9), max_size=8))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=draw(st.sampled_from(["\r\n", "\n"])))
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue()
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]  # truncated mid-cell, mid-quote…
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp932"]))
    return text.encode(encoding, errors="replace")


def _upload_and_maybe_confirm(client, posting, data: bytes, capture) -> None:
    applicants, d03 = Applicant.objects.count(), Message.objects.filter(template_code="D03").count()
    response = client.post(
        reverse("imports:import_create"),
        {"job_posting": posting.pk, "file": SimpleUploadedFile("x.csv", data)},
    )
    assert response.status_code in (200, 302)  # the form again (empty file) or the preview; never 500
    assert Applicant.objects.count() == applicants  # validation writes nothing
    if response.status_code == 200:
        return
    imp = ApplicantImport.objects.latest("pk")
    assert imp.status in ("validated", "invalid")
    assert client.get(response["Location"]).status_code == 200
    with capture(execute=True):
        client.post(reverse("imports:import_confirm", args=[imp.pk]))
    imp.refresh_from_db()
    if imp.status == "done":
        assert Applicant.objects.count() == applicants + imp.n_new
        assert Message.objects.filter(template_code="D03").count() == d03 + imp.n_new
    else:
        assert imp.status == "invalid"
        assert Applicant.objects.count() == applicants
        assert Message.objects.filter(template_code="D03").count() == d03


@PROPERTY
@given(data=st.binary(max_size=600))
def test_random_bytes_never_break_the_upload(
    alice_client, job_posting, django_capture_on_commit_callbacks, data
):
    _upload_and_maybe_confirm(alice_client, job_posting, data, django_capture_on_commit_callbacks)


@PROPERTY
@given(data=csv_files())
def test_random_csv_text_never_breaks_the_upload(
    alice_client, job_posting, django_capture_on_commit_callbacks, data
):
    _upload_and_maybe_confirm(alice_client, job_posting, data, django_capture_on_commit_callbacks)


@PROPERTY
@given(data=csv_files())
def test_validation_service_only_raises_nothing(job_posting, data):
    from django.core.files.base import ContentFile

    imp = services.applicant_import_create(
        job_posting=job_posting, file=ContentFile(data, name="x.csv"), file_name="x.csv", by=None
    )
    assert imp.status in ("validated", "invalid")
    assert imp.can_confirm == (imp.status == "validated" and imp.n_error == 0)
    assert Applicant.objects.count() == 0


@settings(max_examples=300, deadline=None)
@given(email=st.from_regex(r"[A-Za-z0-9_.+\-]{1,8}@[a-z0-9.\-]{1,12}\.[a-z0-9]{1,4}", fullmatch=True))
def test_the_fast_email_check_accepts_only_what_django_accepts(email):
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from applicants.normalize import _PLAIN_EMAIL

    if _PLAIN_EMAIL.fullmatch(email):
        try:
            validate_email(email)
        except ValidationError:
            raise AssertionError(f"{email!r} passes the fast path but not Django's validator") from None
