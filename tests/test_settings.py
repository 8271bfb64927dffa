"""Settings come from the environment; a bad value stops the start with a clear message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    base.update({"IM_IGNORE_DOTENV": "1", "VAR_DIR": str(ROOT / "var" / "settings-test"), **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "mysql-ish://nowhere", "DATABASE_URL"),
        ("DATABASE_URL", "not a url", "DATABASE_URL"),
        ("DATABASE_URL", "sqlite:///var/db.sqlite3", "DATABASE_URL must be a PostgreSQL URL"),
        ("REDIS_URL", "http://127.0.0.1:6379", "REDIS_URL"),
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT"),
        ("DEBUG", "maybe", "DEBUG"),
        ("SITE_URL", "example.com", "SITE_URL"),
        ("VIDEO_WORKER_CONCURRENCY", "0", "VIDEO_WORKER_CONCURRENCY must be at least 1"),
        ("VIDEO_WORKER_CONCURRENCY", "two", "VIDEO_WORKER_CONCURRENCY must be an integer"),
        ("VIDEO_NICENESS", "-1", "VIDEO_NICENESS must be at least 0"),
        ("VIDEO_NICENESS", "20", "VIDEO_NICENESS must be at most 19"),
        ("VIDEO_NICENESS", "low", "VIDEO_NICENESS must be an integer"),
    ],
)
def test_a_bad_value_stops_the_start(name, value, message):
    result = _manage("check", **{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
    assert "Traceback" in result.stderr  # the exception names the variable; no half-started server


def test_production_requires_a_secret_key():
    result = _manage("check", PRODUCTION="true")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        PRODUCTION="true",
        SECRET_KEY="k" * 60 + "-production-secret-Key-0123456789",
        ALLOWED_HOSTS="interviews.example.com",
        SITE_URL="https://interviews.example.com",
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_check_deploy_fails_for_an_esp_without_a_webhook_secret():
    production = {
        "PRODUCTION": "true",
        "SECRET_KEY": "k" * 60 + "-production-secret-Key-0123456789",
        "ALLOWED_HOSTS": "interviews.example.com",
        "SITE_URL": "https://interviews.example.com",
        "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
        "ANYMAIL_POSTMARK_SERVER_TOKEN": "server-token",
    }
    without = _manage("check", "--deploy", **production)
    assert without.returncode != 0
    assert "messaging.E001" in without.stderr and "ANYMAIL_WEBHOOK_SECRET" in without.stderr

    with_secret = _manage("check", "--deploy", **production, ANYMAIL_WEBHOOK_SECRET="hook:" + "p" * 32)
    assert with_secret.returncode == 0, with_secret.stderr + with_secret.stdout
