"""What normalisation does to a take, with ffprobe and ffmpeg: remux what every reviewer's browser plays,
re-encode only the rest.

The rules follow the browser × codec matrix in docs/recording.md ("Playback formats"): H.264 goes into
MP4 with `+faststart`, VP8/VP9 into WebM with its index (Cues) in front, both by stream copy; any other
video is re-encoded to H.264 MP4 of at most 720p. Either way the output has the real duration in its
header and an index for seeking, which MediaRecorder's WebM lacks. Costs measured by bench/normalise.py.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

# What every browser of the matrix plays as is, per output container.
MP4_VIDEO = {"h264"}
WEBM_VIDEO = {"vp8", "vp9"}
MP4_AUDIO = {"aac", "opus"}  # Opus in MP4: Safari/iOS 17 and later, Chrome, Edge, Firefox
WEBM_AUDIO = {"opus", "vorbis"}
PLAYABLE_PIX_FMTS = {"yuv420p", "yuvj420p"}
# H.264 profiles every browser decodes (High 10, 4:2:2 and 4:4:4 are re-encoded).
H264_PROFILES = {"Constrained Baseline", "Baseline", "Main", "High"}

MAX_SHORT_SIDE = 720
# Re-encoding, chosen by measurement (docs/recording.md, "Re-encoding"): up to 480 lines `superfast` has
# veryfast's quality at two thirds of its CPU; above, only `ultrafast` comes near 0.15 CPU-s per
# video-second. CRF 23 with a bitrate cap: (short side up to, preset, maxrate kbit/s), a 2-second buffer.
X264_PRESETS = ((480, "superfast", 1000), (MAX_SHORT_SIDE, "ultrafast", 2000))
POSTER_WIDTH = 640


@dataclass(frozen=True)
class Streams:
    """The first video and audio stream of a file, as ffprobe names them ("" when there is none)."""

    video: str
    profile: str = ""
    pix_fmt: str = ""
    width: int = 0
    height: int = 0
    audio: str = ""


@dataclass(frozen=True)
class Plan:
    """How one take becomes the file reviewers watch: the container and ffmpeg's output arguments."""

    extension: str  # "mp4" or "webm"
    remux: bool  # the video stream is copied, not re-encoded
    args: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    path: Path
    extension: str
    remux: bool
    duration: float


def run(args: list[str], *, timeout: float = 900, niceness: int = 0) -> str:
    """Run ffmpeg or ffprobe; its stdout, or SubprocessError with the tool's own message.

    With `niceness` above 0 the tool runs under nice(1) at that niceness: on a machine that also
    serves requests, the scheduler then gives them the CPU first and videos wait (settings
    VIDEO_NICENESS, docs/recording.md "Processing at scale").
    """
    command = ["nice", "-n", str(niceness), *args] if niceness else args
    result = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    if result.returncode != 0:
        raise subprocess.SubprocessError(
            f"{Path(args[0]).name} exited with {result.returncode}: {result.stderr.decode(errors='replace')}"
        )
    return result.stdout.decode(errors="replace")


def probe(ffprobe: str, path: Path, *, niceness: int = 0) -> Streams:
    """The codecs of a file; ValueError when it holds no video."""
    fields = "stream=codec_type,codec_name,profile,pix_fmt,width,height"
    args = [ffprobe, "-v", "error", "-show_entries", fields, "-of", "json", str(path)]
    out = run(args, timeout=120, niceness=niceness)
    streams = json.loads(out or "{}").get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    audio: dict[str, object] = next((s for s in streams if s.get("codec_type") == "audio"), {})
    if video is None:
        raise ValueError("no video stream in the take")
    return Streams(
        video=str(video.get("codec_name", "")),
        profile=str(video.get("profile", "")),
        pix_fmt=str(video.get("pix_fmt", "")),
        width=int(video.get("width") or 0),
        height=int(video.get("height") or 0),
        audio=str(audio.get("codec_name", "")),
    )


def probe_duration(ffprobe: str, path: Path, *, niceness: int = 0) -> float:
    """The duration written in the file's header (format=duration); ValueError when there is none."""
    args = [ffprobe, "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)]
    out = run(args, niceness=niceness)
    duration = float(out.strip())  # "N/A" (no duration in the header) raises ValueError
    if not 0 < duration < 24 * 3600:
        raise ValueError(f"implausible duration {duration}")
    return duration


def plan(streams: Streams) -> Plan:
    """Remux when the codecs play everywhere as they are; otherwise re-encode to H.264 MP4, ≤ 720p."""
    playable_picture = streams.pix_fmt in PLAYABLE_PIX_FMTS
    if streams.video in MP4_VIDEO and playable_picture and streams.profile in H264_PROFILES:
        return Plan("mp4", True, ("-c:v", "copy", *_audio(streams.audio, MP4_AUDIO, "aac"), *MP4_FLAGS))
    if streams.video in WEBM_VIDEO and playable_picture:
        audio = _audio(streams.audio, WEBM_AUDIO, "libopus")
        return Plan("webm", True, ("-c:v", "copy", *audio, *WEBM_FLAGS))
    return Plan("mp4", False, (*_x264(streams), *_audio(streams.audio, MP4_AUDIO, "aac"), *MP4_FLAGS))


# The index in front (moov for MP4, Cues for WebM): a player seeks without reading the end of the file first.
MP4_FLAGS = ("-movflags", "+faststart", "-f", "mp4")
WEBM_FLAGS = ("-cues_to_front", "1", "-f", "webm")


def _audio(codec: str, playable: set[str], encoder: str) -> tuple[str, ...]:
    if not codec:
        return ()
    if codec in playable:
        return ("-c:a", "copy")
    # Measured: re-encoding 60 s of speech to AAC alone costs 0.016 CPU-s per second, so only an audio
    # codec the container cannot carry is converted.
    return ("-c:a", encoder, "-b:a", "128k", "-ac", "2")


def scaled_size(width: int, height: int) -> tuple[int, int]:
    """Even dimensions with the short side at most 720 (portrait phones too), the aspect kept."""
    short = min(width, height)
    factor = min(1.0, MAX_SHORT_SIDE / short) if short else 1.0
    return max(2, round(width * factor) // 2 * 2), max(2, round(height * factor) // 2 * 2)


def _x264(streams: Streams) -> tuple[str, ...]:
    width, height = scaled_size(streams.width, streams.height)
    preset, kbps = next((p, r) for lines, p, r in X264_PRESETS if min(width, height) <= lines)
    rate = ("-maxrate", f"{kbps}k", "-bufsize", f"{2 * kbps}k")
    return (
        "-c:v", "libx264", "-preset", preset, "-crf", "23", *rate,
        "-pix_fmt", "yuv420p", "-vf", f"scale={width}:{height}",
    )  # fmt: skip


def normalise(*, ffmpeg: str, ffprobe: str, source: Path, work: Path, niceness: int = 0) -> Result:
    """Make the playback file for `source` in `work` (video.mp4 or video.webm) and read its duration."""
    chosen = plan(probe(ffprobe, source, niceness=niceness))
    target = work / f"video.{chosen.extension}"
    run([ffmpeg, "-nostdin", "-y", "-v", "error", "-i", str(source), "-map", "0:v:0", "-map", "0:a:0?",
         *chosen.args, str(target)], niceness=niceness)  # fmt: skip
    duration = probe_duration(ffprobe, target, niceness=niceness)
    return Result(target, chosen.extension, chosen.remux, duration)


def poster(*, ffmpeg: str, video: Path, duration: float, target: Path, niceness: int = 0) -> None:
    """A JPEG of one frame at min(1 s, half the duration), at most 640 px wide."""
    at = f"{min(1.0, duration / 2):.2f}"
    args = [ffmpeg, "-nostdin", "-y", "-v", "error", "-ss", at, "-i", str(video), "-frames:v", "1",
            "-vf", f"scale='min({POSTER_WIDTH},iw)':-2", "-q:v", "4", str(target)]  # fmt: skip
    run(args, niceness=niceness)
