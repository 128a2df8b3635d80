#!/usr/bin/env bash
# Reference for bench (c): one ffmpeg process per keyframe (input seek to T, decode one frame, JPEG q2).
# Usage: ffmpeg_keyframe_loop.sh VIDEO OUTDIR T1 T2 ...   -> OUTDIR/k_1.jpg, k_2.jpg, ...
set -euo pipefail
v=$1 out=$2; shift 2
i=0
for t in "$@"; do
  i=$((i + 1))
  ffmpeg -v error -nostdin -ss "$t" -i "$v" -frames:v 1 -q:v 2 "$out/k_$i.jpg"
done
