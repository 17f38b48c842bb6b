"""Video companions (R6): duration and a thumbnail frame, with the ffmpeg of imageio-ffmpeg.

Best effort by design: a video ffmpeg cannot read is still a valid upload (it may be a codec
this build lacks), it just gets no generated thumbnail.
"""

from __future__ import annotations

import logging
import re
import subprocess
from dataclasses import dataclass

logger = logging.getLogger(__name__)

_DURATION = re.compile(rb"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
FFMPEG_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class VideoProbe:
    duration_seconds: float | None
    thumbnail_jpeg: bytes | None


def _ffmpeg() -> str | None:
    try:
        import imageio_ffmpeg
    except ImportError:  # the dependency is optional at run time
        return None
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:
        return None


def _run(args: list[str]) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(
            args, capture_output=True, timeout=FFMPEG_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        logger.warning("ffmpeg failed: %s", exc)
        return None


def _duration(stderr: bytes) -> float | None:
    match = _DURATION.search(stderr)
    if not match:
        return None
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def video_probe(path: str) -> VideoProbe:
    """Duration and a JPEG of a frame (one second in, or the first frame of a short clip)."""
    exe = _ffmpeg()
    if exe is None:
        return VideoProbe(None, None)
    info = _run([exe, "-hide_banner", "-i", path])
    duration = _duration(info.stderr) if info else None
    at = "1" if duration is None or duration > 2 else "0"
    frame = _run(
        [exe, "-hide_banner", "-loglevel", "error", "-ss", at, "-i", path,
         "-frames:v", "1", "-f", "image2pipe", "-vcodec", "mjpeg", "-q:v", "3", "pipe:1"]
    )  # fmt: skip
    jpeg = frame.stdout if frame and frame.returncode == 0 and frame.stdout else None
    return VideoProbe(duration, jpeg)
