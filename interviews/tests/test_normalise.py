"""Normalisation (interviews.media through services.answer_normalise): what the browsers record is only
remuxed, what no browser plays everywhere is re-encoded to H.264 of at most 720p; every result has a
real duration in its header, its index in front and a poster, and a failure keeps the original."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from interviews import media, services, storage
from interviews.models import Answer, Take
from interviews.tests.kinds import KINDS, SECONDS, keep, make_takes
from tests.factories import ApplicantFactory

pytestmark = pytest.mark.django_db

# What the browser × codec matrix (docs/recording.md) makes of each: container, video, audio.
REMUXED = {
    "vp8-webm": ("webm", "vp8", "opus"),
    "vp9-webm": ("webm", "vp9", "opus"),
    "h264-webm": ("mp4", "h264", "opus"),
    "h264-mp4": ("mp4", "h264", "aac"),
}


@pytest.fixture(scope="session")
def takes(tmp_path_factory) -> dict[str, bytes]:
    return make_takes(Path(tmp_path_factory.mktemp("kinds")))


def normalised(applicant, takes, kind: str, monkeypatch) -> tuple[Answer, list[list[str]]]:
    """Keep a take of `kind`, normalise it as the worker does; the answer and every ffmpeg/ffprobe call."""
    calls: list[list[str]] = []
    real_run = media.run

    def spy(args: list[str], **kwargs) -> str:
        calls.append(args)
        return real_run(args, **kwargs)

    monkeypatch.setattr(media, "run", spy)
    container, declared, _size, _args = KINDS[kind]
    answer = keep(applicant, takes[kind], container, declared)
    services.answer_normalise(answer=answer)
    answer.refresh_from_db()
    return answer, calls


def ffprobe(path: str) -> dict:
    fields = "stream=codec_type,codec_name,width,height:format=format_name,duration"
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", fields, "-of", "json", path],
        capture_output=True, check=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(out)


def codecs(probe: dict) -> dict[str, str]:
    return {s["codec_type"]: s["codec_name"] for s in probe["streams"]}


def index_in_front(path: str, container: str) -> bool:
    """MP4: the moov box before the media data (+faststart); WebM: the Cues before the first Cluster."""
    data = Path(path).read_bytes()
    if container == "mp4":
        return 0 < data.find(b"moov") < data.find(b"mdat")
    cues, cluster = data.find(b"\x1c\x53\xbb\x6b"), data.find(b"\x1f\x43\xb6\x75")
    return 0 < cues < cluster


def conversion(calls: list[list[str]]) -> list[str]:
    """The ffmpeg call that wrote the playback file (the other ffmpeg call makes the poster)."""
    return next(c for c in calls if Path(c[0]).name == "ffmpeg" and "-frames:v" not in c)


def test_the_made_takes_lack_what_mediarecorder_leaves_out(takes, tmp_path):
    """The live-style WebM takes have no duration and no Cues, as a browser's recording."""
    path = tmp_path / "take.webm"
    path.write_bytes(takes["vp8-webm"])
    assert "duration" not in ffprobe(str(path))["format"]
    assert b"\x1c\x53\xbb\x6b" not in takes["vp8-webm"]


@pytest.mark.parametrize("kind", sorted(REMUXED))
def test_what_browsers_record_is_remuxed_with_a_duration_an_index_in_front_and_a_poster(
    applicant, takes, kind, monkeypatch
):
    answer, calls = normalised(applicant, takes, kind, monkeypatch)
    assert answer.processing == Answer.Processing.DONE, answer.processing_error
    container, video, audio = REMUXED[kind]
    assert answer.video.name.endswith(f".{container}")
    probe = ffprobe(answer.video.path)
    assert codecs(probe) == {"video": video, "audio": audio}
    header = float(probe["format"]["duration"])
    assert header == pytest.approx(SECONDS, abs=0.3), "a real duration in the header"
    assert answer.duration == pytest.approx(SECONDS, abs=0.3)
    assert index_in_front(answer.video.path, container)
    # A stream copy: the codecs of the take are kept and no encoder ran on the video.
    original = ffprobe(answer.take.file.path)
    assert codecs(original)["video"] == video
    command = conversion(calls)
    assert command[command.index("-c:v") + 1] == "copy", command
    assert "libx264" not in command
    with open(answer.poster.path, "rb") as poster:
        assert poster.read(3) == b"\xff\xd8\xff"
    assert answer.playback_name == answer.video.name
    assert answer.take.file.read() == takes[kind], "the original take is kept as it was"


@pytest.mark.parametrize(("kind", "size"), [("hevc-1080p", (1280, 720)), ("hevc-portrait", (720, 1280))])
def test_a_codec_not_every_browser_plays_is_re_encoded_to_h264_at_most_720p(
    applicant, takes, kind, size, monkeypatch
):
    answer, calls = normalised(applicant, takes, kind, monkeypatch)
    assert answer.processing == Answer.Processing.DONE, answer.processing_error
    assert answer.video.name.endswith(".mp4")
    probe = ffprobe(answer.video.path)
    video = next(s for s in probe["streams"] if s["codec_type"] == "video")
    assert video["codec_name"] == "h264"
    assert (video["width"], video["height"]) == size
    assert float(probe["format"]["duration"]) == pytest.approx(SECONDS, abs=0.3)
    assert index_in_front(answer.video.path, "mp4")
    command = conversion(calls)
    assert command[command.index("-c:v") + 1] == "libx264"
    preset = command[command.index("-preset") + 1]
    assert preset == "ultrafast", "720p: the preset measured to fit 0.15 CPU-s per video-second"


def test_a_corrupt_take_keeps_the_original_and_records_the_error(applicant):
    broken = b"\x1a\x45\xdf\xa3" + b"\x00garbage" * 100
    answer = keep(applicant, broken, "webm", "video/webm")
    services.answer_normalise(answer=answer)
    answer.refresh_from_db()
    assert answer.processing == Answer.Processing.FAILED
    assert "exited with" in answer.processing_error
    assert not answer.video and not answer.poster
    assert answer.playback_name == answer.take.file.name
    assert answer.take.file.read() == broken
    assert answer.display_duration == SECONDS, "the browser's measured length stands in"


def test_a_webm_answer_is_served_as_video_webm_with_byte_ranges(applicant, takes, monkeypatch):
    answer, _calls = normalised(applicant, takes, "vp8-webm", monkeypatch)
    response = Client().get(storage.playback_url(answer.video.name), HTTP_RANGE="bytes=0-99")
    assert response.status_code == 206
    assert response["Content-Type"] == "video/webm"
    assert len(b"".join(response.streaming_content)) == 100


@pytest.mark.parametrize(
    ("streams", "extension", "remux"),
    [
        (media.Streams("h264", "High", "yuv420p", 1280, 720, "pcm_s16le"), "mp4", True),
        (media.Streams("h264", "High 10", "yuv420p10le", 1280, 720, "aac"), "mp4", False),
        (media.Streams("h264", "High 4:4:4 Predictive", "yuv444p", 640, 480, "opus"), "mp4", False),
        (media.Streams("vp9", "Profile 0", "yuv420p", 640, 480, "aac"), "webm", True),
        (media.Streams("vp9", "Profile 1", "yuv444p", 640, 480, "opus"), "mp4", False),
        (media.Streams("av1", "Main", "yuv420p", 640, 480, "opus"), "mp4", False),
    ],
)
def test_the_plan_follows_the_matrix(streams, extension, remux):
    plan = media.plan(streams)
    assert (plan.extension, plan.remux) == (extension, remux)
    # An audio codec the container cannot carry is converted; the video stays as it was.
    if streams.audio == "pcm_s16le":
        assert plan.args[plan.args.index("-c:a") + 1] == "aac"
    if streams.audio == "aac" and extension == "webm":
        assert plan.args[plan.args.index("-c:a") + 1] == "libopus"


@pytest.mark.parametrize(
    ("size", "scaled"),
    [
        ((640, 480), (640, 480)),
        ((1920, 1080), (1280, 720)),
        ((1080, 1920), (720, 1280)),
        ((641, 361), (640, 360)),
    ],
)
def test_re_encoding_keeps_the_short_side_at_most_720_and_the_sizes_even(size, scaled):
    assert media.scaled_size(*size) == scaled


def test_the_normalise_task_goes_to_the_video_queue_and_mail_does_not():
    from interviewmaker.celery import app

    router = app.amqp.router
    assert router.route({}, "interviews.tasks.answer_normalise_task")["queue"].name == settings.VIDEO_QUEUE
    for other in ("messaging.tasks.messages_sweep", "interviews.tasks.answers_normalise_sweep_task"):
        assert router.route({}, other)["queue"].name == settings.CELERY_TASK_DEFAULT_QUEUE


def test_the_recruiter_sees_how_far_the_postings_videos_are(alice_client, job_posting):
    question = job_posting.questions.first()
    done, pending, failed = Answer.Processing.DONE, Answer.Processing.PENDING, Answer.Processing.FAILED
    states = [done, done, pending, failed]
    applicants = [ApplicantFactory(job_posting=job_posting) for _state in states]
    for applicant, state in zip(applicants, states, strict=True):
        take = Take.objects.create(
            applicant=applicant, question=question, state=Take.State.COMPLETE, container="webm", file="x.webm"
        )
        Answer.objects.create(applicant=applicant, question=question, take=take, processing=state)
    body = alice_client.get(f"/applicants/{applicants[0].im_id}/").content.decode()
    assert "この募集要項の回答動画: 4 件中 2 件が再生準備済み、1 件が処理中、" in body
    assert "1 件は元の形式のまま再生されます。" in body
    assert "data-settle-duration" in body and "interviews/duration.js" in body


def niceness_logging_tool(directory: Path, real: str, log: Path) -> str:
    """A stand-in for ffmpeg or ffprobe that appends its own niceness to `log`, then runs the real tool."""
    script = directory / Path(real).name
    # Field 19 of /proc/<pid>/stat is the niceness; the shell's own pid is the tool's, as it execs it.
    script.write_text(f"#!/bin/sh\nawk '{{print $19}}' /proc/$$/stat >> {log}\nexec {real} \"$@\"\n")
    script.chmod(0o755)
    return str(script)


@pytest.mark.parametrize("niceness", [7, 0])
def test_every_video_tool_runs_at_the_configured_niceness(
    applicant, takes, niceness, settings, tmp_path, monkeypatch
):
    """Probing, remuxing, reading the duration and the poster all yield the CPU to requests."""
    log = tmp_path / "niceness.log"
    tools = tmp_path / "bin"
    tools.mkdir()
    settings.FFMPEG_BINARY = niceness_logging_tool(tools, "/usr/bin/ffmpeg", log)
    settings.FFPROBE_BINARY = niceness_logging_tool(tools, "/usr/bin/ffprobe", log)
    settings.VIDEO_NICENESS = niceness
    answer, calls = normalised(applicant, takes, "vp8-webm", monkeypatch)
    assert answer.processing == Answer.Processing.DONE, answer.processing_error
    assert len(calls) == 4, "ffprobe, ffmpeg, ffprobe for the duration, ffmpeg for the poster"
    expected = str(niceness + os.nice(0))  # nice(1) adds to the worker's own niceness
    assert log.read_text().split() == [expected] * 4


def test_a_failing_tool_under_nice_is_reported_by_its_own_name():
    with pytest.raises(subprocess.SubprocessError, match=r"^false exited with 1"):
        media.run(["false"], niceness=5)
