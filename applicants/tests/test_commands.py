from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from applicants.models import Applicant, Company, JobPosting


def test_seed_demo_is_idempotent(db, django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=out)
        call_command("seed_demo", stdout=out)
    company = Company.objects.get()
    assert company.csv_upload_enabled and company.share_url_enabled
    posting = JobPosting.objects.get()
    assert posting.questions.count() == 3
    assert Applicant.objects.count() == 3
    assert "demo / demo-pass-2026" in out.getvalue()


def test_create_api_token_prints_the_key(alice):
    out = StringIO()
    call_command("create_api_token", "alice", stdout=out)
    assert out.getvalue().strip() == Token.objects.get(user=alice).key


def test_create_api_token_refuses_unknown_users(db):
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_token", "nobody")
