"""One applicant per posting and address in any case, even when requests race (issue: 4 concurrent API
creates with case variants gave 4 applicants and 4 D03; 10 identical ones gave 9 server errors)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from applicants import services
from applicants.models import Applicant
from applicants.services import ApplicantData
from messaging.models import Message
from tests.clients import api_client_for
from tests.factories import ApplicantFactory

URL = "/api/v1/applicants/"


def _race(user, posting, emails: list[str]) -> list[int]:
    """POST one create per address at the same moment, each from its own thread and connection."""
    barrier = threading.Barrier(len(emails))
    codes: list[int] = []

    def create(email: str) -> None:
        try:
            client = api_client_for(user)
            barrier.wait()
            response = client.post(URL, {"job_posting": posting.pk, "email": email}, format="json")
            codes.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(codes)


@pytest.mark.parametrize(
    "emails",
    [
        ["taro@example.jp", "Taro@example.jp", "TARO@EXAMPLE.JP", "taro@Example.jp"],
        ["hanako@example.jp"] * 10,
    ],
    ids=["case variants", "identical"],
)
def test_concurrent_creates_of_one_address_register_one_applicant_and_send_one_d03(
    transactional_db, alice, job_posting, emails
):
    codes = _race(alice, job_posting, emails)
    # 400 when the first had committed before the validation looked, 409 when the database decided.
    assert len(codes) == len(emails), "a request raised instead of answering"
    assert codes.count(201) == 1 and set(codes) <= {201, 400, 409}, codes
    assert Applicant.objects.filter(job_posting=job_posting).count() == 1
    assert Message.objects.filter(template_code="D03").count() == 1


def test_the_database_refuses_a_case_variant_of_a_registered_address(job_posting):
    ApplicantFactory(job_posting=job_posting, email="jiro@example.jp")
    with pytest.raises(services.EmailAlreadyRegistered):
        services.applicant_register_one(
            job_posting=job_posting, data=ApplicantData(email="Jiro@Example.JP", values={}), via="api"
        )
    assert Applicant.objects.filter(job_posting=job_posting).count() == 1
    assert not Message.objects.filter(template_code="D03").exists()


def test_an_edit_to_a_case_variant_of_another_applicant_is_a_conflict_not_a_server_error(
    alice_api, job_posting
):
    ApplicantFactory(job_posting=job_posting, email="saburo@example.jp")
    other = ApplicantFactory(job_posting=job_posting, email="shiro@example.jp")
    with pytest.raises(services.EmailAlreadyRegistered):
        services.applicant_update(applicant=other, data={"email": "Saburo@example.jp"})
    other.refresh_from_db()
    assert other.email == "shiro@example.jp"
    # The API's own check answers 400 first; the 409 is for the race it cannot see.
    response = alice_api.patch(f"{URL}{other.im_id}/", {"email": "SABURO@example.jp"}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()


def test_the_form_says_the_address_is_taken_when_the_database_finds_the_twin(
    alice_client, job_posting, monkeypatch
):
    ApplicantFactory(job_posting=job_posting, email="goro@example.jp")
    # The race: the form's own check saw no twin, the insert meets one.
    monkeypatch.setattr("applicants.forms.email_registered", lambda **kwargs: False)
    response = alice_client.post(
        "/applicants/new/", {"job_posting": job_posting.pk, "email": "Goro@example.jp", "last_name": "山田"}
    )
    assert response.status_code == 200
    assert "このメールアドレスはこの募集要項に既に登録されています。" in response.content.decode()
    assert Applicant.objects.filter(job_posting=job_posting).count() == 1
