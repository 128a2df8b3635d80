"""Synthetic lesson features for the model benchmark (stdlib only, deterministic).

Writes N lessons of ROWS one-second rows x COLS columns (named like the audio features: mfcc_*,
contrast_*, ...) as vidseg feature CSVs, plus a dataset metadata.jsonl with eight patterns whose rows
have shifted means, so the models learn something while they are timed.
"""
import json
import os
import random
import sys

out, lessons, rows, cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
names = [f"mfcc_{i}" for i in range(min(cols, 40))] + [f"contrast_{i}" for i in range(max(0, cols - 40))]
patterns = [f"P{i}" for i in range(8)]
os.makedirs(os.path.join(out, "dataset"), exist_ok=True)
rng = random.Random(42)
meta = []
for lesson in range(lessons):
    intervals = []
    for p in range(len(patterns)):
        for _ in range(4):
            start = rng.randrange(0, rows - 90)
            intervals.append((start, start + rng.randrange(15, 90), p))
    on = [[False] * len(patterns) for _ in range(rows)]
    for s, e, p in intervals:
        for r in range(s, e):
            on[r][p] = True
        meta.append({"file_name": "videos/x.mp4", "patterns": [patterns[p]], "start": s, "end": e,
                     "source_video": f"lesson{lesson}.mp4"})
    with open(os.path.join(out, f"lesson{lesson}.features.csv"), "w") as f:
        f.write("time," + ",".join(names) + "\n")
        for r in range(rows):
            vals = [rng.gauss(0, 1) + (2.0 if on[r][c % len(patterns)] else 0.0) for c in range(len(names))]
            f.write(str(r) + "," + ",".join(f"{v:.4f}" for v in vals) + "\n")
with open(os.path.join(out, "dataset", "metadata.jsonl"), "w") as f:
    f.write("\n".join(json.dumps(m) for m in meta) + "\n")
