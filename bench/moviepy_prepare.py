#!/usr/bin/env python3
"""The users' approach to "prepare", as in their notebook, with moviepy 1.0.3 (reference for bench (a)).

For each SEGMENT-second segment [s, e) of VIDEO:
    clip.subclip(s, e).write_videofile(OUT/clip_00000.mp4, codec="libx264", audio_codec="aac", logger=None)
    clip.get_frame((s + e) / 2)  -> OUT/keyframe_00000.jpg  (PIL, default JPEG settings)
moviepy's defaults otherwise (its write_videofile: preset "medium", fps of the clip, audio written to a
temporary file and muxed; ffmpeg = the binary shipped in the imageio-ffmpeg wheel).

--limit N processes only the first N segments (bench/run.sh --quick extrapolates from them).
Prints one JSON line to stdout: segments total/done, per-segment seconds, setup seconds.
"""
import argparse
import json
import math
import os
import sys
import time

T0 = time.perf_counter()

from moviepy.editor import VideoFileClip  # noqa: E402  (import time is part of the users' cost)
from PIL import Image  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("video")
    ap.add_argument("--segment", type=float, default=5.0, help="segment length in seconds (default 5)")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--limit", type=int, default=0, help="only the first N segments (0 = all)")
    args = ap.parse_args()

    video = os.path.abspath(args.video)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    # moviepy writes its temporary audio file into the current directory.
    os.chdir(out)

    clip = VideoFileClip(video)
    duration = clip.duration
    n_total = max(1, math.ceil(duration / args.segment - 1e-6))
    n = n_total if args.limit <= 0 else min(args.limit, n_total)
    t_setup = time.perf_counter() - T0

    per_segment = []
    for i in range(n):
        t = time.perf_counter()
        s = i * args.segment
        e = min((i + 1) * args.segment, duration)
        clip.subclip(s, e).write_videofile(
            os.path.join(out, f"clip_{i:05d}.mp4"), codec="libx264", audio_codec="aac", logger=None
        )
        frame = clip.get_frame((s + e) / 2)
        Image.fromarray(frame).save(os.path.join(out, f"keyframe_{i:05d}.jpg"))
        per_segment.append(time.perf_counter() - t)
    clip.close()

    print(json.dumps({
        "segments_total": n_total,
        "segments_done": n,
        "duration": duration,
        "setup_seconds": t_setup,
        "segment_seconds": per_segment,
        "total_seconds": time.perf_counter() - T0,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
