"""Short takes of every kind the browsers record (and one they should not), made by ffmpeg as the browsers
write them, and the upload of one through the services: shared by test_normalise.py and the browser
playback tests."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from interviews import services
from interviews.models import Answer, Take

LIVE_WEBM = ["-live", "1", "-cluster_time_limit", "1000"]  # as MediaRecorder writes: no duration, no Cues
SAFARI_MP4 = ["-movflags", "frag_keyframe+empty_moov+default_base_moof"]
# kind: (container, declared type, picture size, ffmpeg output arguments)
KINDS = {
    "vp8-webm": ("webm", "video/webm;codecs=vp8,opus", "160x120",
                 ["-c:v", "libvpx", "-deadline", "realtime", "-b:v", "200k", "-c:a", "libopus",
                  "-f", "webm", *LIVE_WEBM]),
    "vp9-webm": ("webm", "video/webm;codecs=vp9,opus", "160x120",
                 ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "200k",
                  "-c:a", "libopus", "-f", "webm", *LIVE_WEBM]),
    "h264-webm": ("webm", "video/webm;codecs=avc1,opus", "160x120",
                  ["-c:v", "libx264", "-profile:v", "baseline", "-preset", "ultrafast", "-c:a", "libopus",
                   "-f", "matroska", *LIVE_WEBM]),
    "h264-mp4": ("mp4", "video/mp4;codecs=avc1.42E01E,mp4a.40.2", "160x120",
                 ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", *SAFARI_MP4, "-f", "mp4"]),
    "hevc-1080p": ("mp4", "video/mp4", "1920x1080",
                   ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error",
                    "-tag:v", "hvc1", "-c:a", "aac", "-f", "mp4"]),
    "hevc-portrait": ("mp4", "video/mp4", "1080x1920",
                      ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error",
                       "-tag:v", "hvc1", "-an", "-f", "mp4"]),
}  # fmt: skip
SECONDS = 2.5


def make_takes(folder: Path) -> dict[str, bytes]:
    """A short take of every kind, made by ffmpeg as the browsers write them (skips without ffmpeg)."""
    if not shutil.which("ffmpeg"):
        pytest.skip("needs ffmpeg")
    made = {}
    for kind, (container, _declared, size, args) in KINDS.items():
        path = folder / f"{kind}.{container}"
        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=15",
             "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", str(SECONDS),
             "-pix_fmt", "yuv420p", *args, str(path)],
            check=True,
        )  # fmt: skip
        made[kind] = path.read_bytes()
    return made


def keep(applicant, data: bytes, container: str, declared: str) -> Answer:
    """Upload a take through the services, as the browser does, and keep it (normalisation not yet run)."""
    question = applicant.job_posting.questions.first()
    take = services.take_start(applicant=applicant, question=question, declared_type=declared)
    assert take.container == container
    chunk = settings.RECORDING_CHUNK_BYTES
    for index, offset in enumerate(range(0, len(data), chunk)):
        piece = data[offset : offset + chunk]
        take = Take.objects.select_related("applicant__job_posting").get(pk=take.pk)
        services.take_chunk_write(take=take, index=index, stream=io.BytesIO(piece), length=len(piece))
    take = services.take_complete(take=take, size=len(data), duration=SECONDS)
    return services.take_keep(take=take)
