"""Normalisation benchmark: CPU per video-second of each kind of take, through the worker's own service.

Makes 60-second takes with ffmpeg as the browsers record them (cached in var/bench-normalise/): VP8 and
VP9 WebM as MediaRecorder writes them (live-style: no duration, no Cues, a cluster a second), H.264 in
Matroska as Chromium records `video/webm;codecs=h264`, fragmented H.264/AAC MP4 as Safari does, and HEVC
MP4 (what no browser of the matrix plays everywhere, so it is re-encoded); each at 640×480 and 1280×720.
Every take is kept as an answer and normalised by `interviews.services.answer_normalise`, the function
the worker runs; the CPU seconds of ffmpeg/ffprobe come from getrusage(RUSAGE_CHILDREN) deltas.

    DATABASE_URL=postgres://… .venv/bin/python bench/normalise.py [--seconds 60] [--presets]

`--presets` also measures the x264 presets considered for re-encoding (CPU, size, SSIM against the take).
Targets (issue 16): ≤ 0.01 CPU-s per video-second for what browsers record, ≤ 0.15 for what is re-encoded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewmaker.settings")
os.environ["IM_IGNORE_DOTENV"] = "1"
MEDIA = Path(tempfile.mkdtemp(prefix="im-bench-media-"))
os.environ["MEDIA_ROOT"] = str(MEDIA)
CACHE = ROOT / "var" / "bench-normalise"

NATIVE_TARGET, REENCODE_TARGET = 0.01, 0.15
POSTING_VIDEO_SECONDS = 10_000 * 3 * 60  # a 10,000-applicant posting, three 60-second answers each

# A camera-like picture: a moving test pattern with a little sensor noise, and a tone.
PICTURE = "testsrc2=size={w}x{h}:rate=30,noise=alls=6:allf=t"
SOUND = "sine=frequency=440:sample_rate=48000"
LIVE_WEBM = ["-live", "1", "-cluster_time_limit", "1000"]  # what MediaRecorder writes: no Cues, no duration
FRAGMENTED = "frag_keyframe+empty_moov+default_base_moof"  # Safari's MediaRecorder MP4


@dataclass(frozen=True)
class Kind:
    name: str
    container: str  # the take's container as the server stores it
    declared: str
    native: bool  # recorded by a browser of the matrix (target 0.01) or re-encoded (target 0.15)
    encode: tuple[str, ...]  # ffmpeg output arguments, {kbps} filled in


KINDS = [
    Kind("VP8 WebM (Chrome/Firefox)", "webm", "video/webm;codecs=vp8,opus", True,
         ("-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "{kbps}k", "-g", "100",
          "-c:a", "libopus", "-b:a", "96k", "-f", "webm", *LIVE_WEBM)),
    Kind("VP9 WebM (Chrome)", "webm", "video/webm;codecs=vp9,opus", True,
         ("-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1", "-b:v", "{kbps}k",
          "-g", "100", "-c:a", "libopus", "-b:a", "96k", "-f", "webm", *LIVE_WEBM)),
    Kind("H.264 WebM (Chromium)", "webm", "video/webm;codecs=h264,opus", True,
         ("-c:v", "libx264", "-profile:v", "baseline", "-preset", "veryfast", "-b:v", "{kbps}k", "-g", "100",
          "-c:a", "libopus", "-b:a", "96k", "-f", "matroska", *LIVE_WEBM)),
    Kind("H.264 MP4 (Safari)", "mp4", "video/mp4;codecs=avc1.42E01E,mp4a.40.2", True,
         ("-c:v", "libx264", "-profile:v", "main", "-preset", "veryfast", "-b:v", "{kbps}k", "-g", "60",
          "-c:a", "aac", "-b:a", "128k", "-movflags", FRAGMENTED, "-f", "mp4")),
    Kind("HEVC MP4 (re-encoded)", "mp4", "video/mp4", False,
         ("-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-b:v", "{kbps}k",
          "-tag:v", "hvc1", "-c:a", "aac", "-b:a", "128k", "-f", "mp4")),
]  # fmt: skip
SIZES = [(640, 480, 1000), (1280, 720, 2500)]  # what the recorder asks for, and what phones often give


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def make_take(kind: Kind, width: int, height: int, kbps: int, seconds: int) -> Path:
    """The take, generated once and cached (generating the 720p ones takes minutes)."""
    slug = kind.name.split(" (")[0].replace(" ", "-").replace(".", "").lower()
    path = CACHE / f"{slug}-{height}p-{seconds}s.{kind.container}"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        args = [a.format(kbps=kbps) for a in kind.encode]
        partial = path.with_suffix(".part")
        picture = PICTURE.format(w=width, h=height)
        subprocess.run(
            ["ffmpeg", "-nostdin", "-y", "-v", "error", "-f", "lavfi", "-i", picture,
             "-f", "lavfi", "-i", SOUND, "-t", str(seconds), "-pix_fmt", "yuv420p", *args, str(partial)],
            check=True,
        )  # fmt: skip
        partial.rename(path)
    return path


def setup() -> tuple[Any, Any]:
    """Migrate, then one company, posting, question and applicant to hang the answers on."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from applicants.models import Applicant, Company, JobPosting

    company = Company.objects.create(name="bench normalise")
    deadline = timezone.now() + dt.timedelta(days=1)
    posting = JobPosting.objects.create(company=company, title="bench", deadline=deadline)
    applicant = Applicant.objects.create(company=company, job_posting=posting, im_id=1, email="b@example.jp")
    return applicant, posting


def normalise_once(applicant, posting, kind: Kind, path: Path, position: int):  # type: ignore[no-untyped-def]
    """Keep the take as an answer and normalise it as the worker does; (answer, CPU s, wall s)."""
    from applicants.models import Question
    from interviews import services
    from interviews.models import Answer, Take

    question = Question.objects.create(job_posting=posting, text=kind.name, position=position)
    take = Take(applicant=applicant, question=question, container=kind.container, declared_type=kind.declared)
    take.file.name = f"takes/bench/{take.key}.{kind.container}"
    (MEDIA / "takes" / "bench").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, MEDIA / take.file.name)
    take.state, take.size = Take.State.COMPLETE, path.stat().st_size
    take.save()
    answer = Answer.objects.create(applicant=applicant, question=question, take=take)
    cpu, wall = children_cpu(), time.perf_counter()
    services.answer_normalise(answer=answer)
    return answer, children_cpu() - cpu, time.perf_counter() - wall


def describe(path: str) -> str:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", path],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    return " ".join(line.rstrip(",") for line in out)


def presets(takes: list[tuple[Kind, int, Path]], seconds: int) -> None:
    """The x264 presets considered for re-encoding, on the takes that are re-encoded."""
    from interviews import media

    print("\nx264 presets on re-encoded takes (CRF 23, bitrate capped as in interviews/media.py):")
    print(f"  {'take':28} {'preset':10} {'CPU-s/s':>8} {'MB':>6} {'SSIM':>7}")
    for kind, height, path in takes:
        streams = media.probe("ffprobe", path)
        base = list(media.plan(streams).args)
        for preset in ("veryfast", "superfast", "ultrafast"):
            args = base.copy()
            args[args.index("-preset") + 1] = preset
            out = CACHE / "preset.mp4"
            cpu = children_cpu()
            subprocess.run(["ffmpeg", "-nostdin", "-y", "-v", "error", "-i", str(path), "-map", "0:v:0",
                            "-map", "0:a:0?", *args, str(out)], check=True)  # fmt: skip
            used = children_cpu() - cpu
            ssim = subprocess.run(
                ["ffmpeg", "-nostdin", "-i", str(out), "-i", str(path), "-lavfi", "[0:v][1:v]ssim",
                 "-f", "null", "-"],
                capture_output=True, text=True, check=True,
            ).stderr.rsplit("All:", 1)[1].split()[0]  # fmt: skip
            label = f"{kind.name.split(' (')[0]} {height}p"
            size = out.stat().st_size / 1e6
            print(f"  {label:28} {preset:10} {used / seconds:8.4f} {size:6.1f} {float(ssim):7.4f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--presets", action="store_true", help="also compare x264 presets for re-encoding")
    args = parser.parse_args()
    if not (shutil.which("ffmpeg") and shutil.which("ffprobe")):
        print("needs ffmpeg and ffprobe")
        return 1
    takes = [(kind, h, make_take(kind, w, h, kbps, args.seconds)) for kind in KINDS for w, h, kbps in SIZES]
    applicant, posting = setup()
    cores = os.cpu_count()
    print(f"normalise: {args.seconds}-second takes, {cores} cores; CPU = ffmpeg + ffprobe (their processes)")
    print(f"{'take':26} {'size':>6} {'MB':>5}  {'output':34} {'CPU s':>6} {'wall s':>6} {'CPU-s/s':>8} "
          f"{'target':>6}")  # fmt: skip
    failed = False
    try:
        rows = []
        for position, (kind, height, path) in enumerate(takes):
            answer, cpu, wall = normalise_once(applicant, posting, kind, path, position)
            if answer.processing != "done":
                print(f"{kind.name}: {answer.processing} {answer.processing_error[-300:]}")
                failed = True
                continue
            per_second = cpu / args.seconds
            target = NATIVE_TARGET if kind.native else REENCODE_TARGET
            output = f"{Path(answer.video.name).suffix[1:]}: {describe(answer.video.path)}"
            mb = path.stat().st_size / 1e6
            ok = "ok" if per_second <= target else "OVER"
            print(f"{kind.name:26} {height:>5}p {mb:5.1f}  {output:34} {cpu:6.2f} {wall:6.2f} "
                  f"{per_second:8.4f} {target:6.2f} {ok}", flush=True)  # fmt: skip
            rows.append((f"{kind.name} {height}p", per_second))
        print(f"\nA 10,000-applicant posting, 3 × {60} s answers = {POSTING_VIDEO_SECONDS:,} video-seconds:")
        for label, per_second in rows:
            print(f"  {label:34} {per_second * POSTING_VIDEO_SECONDS / 3600:8.1f} core-hours")
        if args.presets:
            presets([(k, h, p) for k, h, p in takes if not k.native], args.seconds)
    finally:
        from applicants.models import Company
        from interviews.models import Answer, Take

        Answer.objects.filter(applicant=applicant).delete()
        Take.objects.filter(applicant=applicant).delete()
        Company.objects.filter(name="bench normalise").delete()
        shutil.rmtree(MEDIA, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
