from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from applicants.models import ApiToken, Applicant, Company, JobPosting, api_token_hash


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


def test_create_api_token_prints_the_key_and_stores_only_its_hash(alice):
    out = StringIO()
    call_command("create_api_token", "alice", stdout=out)
    key = out.getvalue().strip()
    token = ApiToken.objects.get(user=alice)
    assert len(key) >= 40 and token.key_hash == api_token_hash(key) and key not in token.key_hash


def test_create_api_token_rotates_only_when_asked(alice):
    first = StringIO()
    call_command("create_api_token", "alice", stdout=first)
    with pytest.raises(CommandError, match="--rotate"):
        call_command("create_api_token", "alice")
    second = StringIO()
    call_command("create_api_token", "alice", "--rotate", stdout=second)
    active = ApiToken.objects.get(user=alice, revoked_at__isnull=True)
    assert active.key_hash == api_token_hash(second.getvalue().strip())
    assert ApiToken.objects.filter(user=alice, key_hash=api_token_hash(first.getvalue().strip()))[
        0
    ].revoked_at


def test_create_api_token_refuses_unknown_users(db):
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_token", "nobody")
