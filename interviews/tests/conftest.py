"""Fixtures of the interviews tests: an applicant with a token, and real little videos made by ffmpeg."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.factories import ApplicantFactory


@pytest.fixture
def applicant(job_posting):
    return ApplicantFactory(job_posting=job_posting, email="hanako@example.jp")


@pytest.fixture(scope="session")
def sample_webm(tmp_path_factory) -> bytes:
    """Two seconds of real VP8/Opus WebM, as a browser's MediaRecorder makes it."""
    if not shutil.which("ffmpeg"):
        pytest.skip("needs ffmpeg")
    path = Path(tmp_path_factory.mktemp("video")) / "sample.webm"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=15",
         "-f", "lavfi", "-i", "sine=frequency=440", "-t", "2", "-c:v", "libvpx", "-b:v", "200k",
         "-c:a", "libopus", str(path)],
        check=True,
    )  # fmt: skip
    return path.read_bytes()
