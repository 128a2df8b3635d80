#!/usr/bin/env bash
# Training and inference time of every `vidseg train --arch` on CPU (issue 5 §6).
# Inputs: synthetic lessons of 2700 one-second rows (a 45-minute lesson) x 47 feature columns
# (make_features.py); training on 3 lessons, inference on a 4th. Features are precomputed, so the
# inference figure is the network alone ("inference_seconds" of `vidseg predict --json`); the wall
# clock of the whole `vidseg predict` process (loading libtorch, reading the CSV) is shown beside it.
# Target: inference on a 45-minute lesson < 2 s on 2 cores for every architecture.
#
# Usage: bash bench/models/run.sh [BUILD_DIR] [EPOCHS]     (defaults: build, 10)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-$root/build}"
epochs="${2:-10}"
vidseg="$build/vidseg"
[[ -x "$vidseg" ]] || { echo "no vidseg binary in $build (build it first)" >&2; exit 2; }
work="$here/work"
rm -rf "$work" && mkdir -p "$work"
python3 "$here/make_features.py" "$work" 4 2700 47

results="$work/results.md"
{
  echo "| arch | train: 3 x 2700 rows, $epochs epochs max (s) | epochs run | val micro-F1 | inference 2700 rows (s) | whole \`vidseg predict\` (s) |"
  echo "|---|---|---|---|---|---|"
} > "$results"
for arch in linear bilstm cnn-lstm transformer-crf; do
  "$vidseg" train --data "$work/dataset" --features "$work/lesson0.features.csv" --features "$work/lesson1.features.csv" \
    --features "$work/lesson2.features.csv" --arch "$arch" --epochs "$epochs" --threads 2 --out "$work/$arch.model" \
    --json > "$work/$arch.train.json"
  best_inf=""; best_wall=""
  for _ in 1 2 3; do
    start=$EPOCHREALTIME
    "$vidseg" predict --model "$work/$arch.model" --json "$work/lesson3.features.csv" > "$work/$arch.predict.json"
    wall=$(python3 -c "import sys; print(float(sys.argv[1]) - float(sys.argv[2]))" "$EPOCHREALTIME" "$start")
    inf=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['videos'][0]['inference_seconds'])" "$work/$arch.predict.json")
    best_inf=$(python3 -c "import sys; a=sys.argv[1]; b=float(sys.argv[2]); print(b if a=='' else min(float(a),b))" "$best_inf" "$inf")
    best_wall=$(python3 -c "import sys; a=sys.argv[1]; b=float(sys.argv[2]); print(b if a=='' else min(float(a),b))" "$best_wall" "$wall")
  done
  python3 - "$work/$arch.train.json" "$arch" "$best_inf" "$best_wall" >> "$results" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["training"]
print(f"| {sys.argv[2]} | {t['seconds']:.1f} | {t['epochs_run']} | {t.get('val_micro_f1', float('nan')):.3f} | "
      f"{float(sys.argv[3]):.3f} | {float(sys.argv[4]):.2f} |")
PY
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$results"
cat "$results"
