#!/usr/bin/env python3
"""The users' notebook approach to the dataset build, with moviepy 1.0.3 (reference for bench/dataset/run.sh).

For each labeled interval [s, e) of the Label Studio export (the same intervals `vidseg dataset build` makes):
    sub = clip.subclip(s, e)
    sub.write_videofile(OUT/videos/<name>.mp4, codec="libx264", audio_codec="aac", logger=None)
    clip.get_frame(s + (e - s) / 2)       -> OUT/images/<name>.jpg (PIL, default JPEG settings)
    sub.audio.write_audiofile(OUT/audio/<name>.wav, fps=16000, nbytes=2, ffmpeg_params=["-ac", "1"], logger=None)
then metadata.jsonl. The video is opened ONCE (the notebook reopened it per fragment; opening once favours moviepy).
No transcription (the benchmark compares the build without ASR).

--limit N processes only the first N intervals (run.sh --quick=N extrapolates from them).
Prints one JSON line: intervals total/done, per-interval seconds, setup seconds.
"""
import argparse
import json
import os
import sys
import time

T0 = time.perf_counter()

from moviepy.editor import VideoFileClip  # noqa: E402  (import time is part of the users' cost)
from PIL import Image  # noqa: E402


def intervals(export_path):
    with open(export_path, encoding="utf-8") as f:
        tasks = json.load(f)
    out = []
    for task in tasks:
        for ann in task["annotations"]:
            segs = sorted((r for r in ann["result"] if r["type"] == "labels"), key=lambda r: r["value"]["start"])
            for i, r in enumerate(segs):
                v = r["value"]
                out.append((f"lesson_{task['id']}_{ann['id']}_{i}", v["start"], v["end"], v["labels"]))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("video")
    ap.add_argument("export")
    ap.add_argument("--out", required=True)
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    video, out = os.path.abspath(args.video), os.path.abspath(args.out)
    for d in ("videos", "images", "audio"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    items = intervals(args.export)
    n = len(items) if args.limit <= 0 else min(args.limit, len(items))
    os.chdir(out)  # moviepy writes its temporary audio file into the current directory
    clip = VideoFileClip(video)
    t_setup = time.perf_counter() - T0
    per_item = []
    rows = []
    for name, s, e, labels in items[:n]:
        t = time.perf_counter()
        sub = clip.subclip(s, e)
        sub.write_videofile(os.path.join(out, "videos", name + ".mp4"), codec="libx264", audio_codec="aac", logger=None)
        Image.fromarray(clip.get_frame(s + (e - s) / 2)).save(os.path.join(out, "images", name + ".jpg"))
        sub.audio.write_audiofile(os.path.join(out, "audio", name + ".wav"), fps=16000, nbytes=2,
                                  ffmpeg_params=["-ac", "1"], logger=None)
        rows.append({"file_name": f"videos/{name}.mp4", "image": f"images/{name}.jpg", "audio": f"audio/{name}.wav",
                     "labels": labels, "start": s, "end": e})
        per_item.append(time.perf_counter() - t)
    clip.close()
    with open(os.path.join(out, "metadata.jsonl"), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(json.dumps({"intervals_total": len(items), "intervals_done": n, "setup_seconds": t_setup,
                      "interval_seconds": per_item, "video_seconds": [e - s for _, s, e, _ in items[:n]],
                      "total_seconds": time.perf_counter() - T0}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
