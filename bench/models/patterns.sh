#!/usr/bin/env bash
# Learnable synthetic patterns benchmark (issue 5 §5): lessons made of teacher / student speech,
# music, silence, faces and text cards with known pattern intervals (make_lessons.py), features
# with `vidseg features`, training on 4 lessons and evaluation on 2 with `vidseg patterns eval`
# (row-level micro / macro F1 and per-pattern P/R/F1, segment matching at IoU >= 0.5), for every
# architecture. Results: bench/work/models-patterns/results.md.
#
# Usage: bash bench/models/patterns.sh [BUILD_DIR] [EPOCHS] [WINDOW]    (defaults: build, 40, 1)
#        WINDOW: seconds each 1-s feature row pools (vidseg features --window); a longer window lets a
#        row see the turn-taking that tells a discussion from an explanation.
#        REGENERATE=1 to rebuild lessons and features that already exist.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-$root/build}"
epochs="${2:-40}"
window="${3:-1}"
vidseg="$build/vidseg"
[[ -x "$vidseg" ]] || { echo "no vidseg binary in $build (build it first)" >&2; exit 2; }
work="$root/bench/work/models-patterns"
if [[ "${REGENERATE:-0}" == 1 ]]; then rm -rf "$work"; fi
feats="$work/features-w$window"
mkdir -p "$feats"
[[ -f "$work/dataset/metadata.jsonl" ]] || python3 "$here/make_lessons.py" "$work" 6 180 5
for k in 0 1 2 3 4 5; do
  f="$feats/lesson$k.features.csv"
  [[ -f "$f" ]] || "$vidseg" features "$work/lesson$k.mp4" --out "$f" --window "$window" --visual-fps 2 --threads 1 -q
done
train=()
for k in 0 1 2 3; do train+=(--features "$feats/lesson$k.features.csv"); done
test_features=("$feats/lesson4.features.csv" "$feats/lesson5.features.csv")

results="$work/results-w$window.md"
{
  echo "| arch | train s | epochs | row micro-F1 | row macro-F1 | segment micro-F1 (IoU≥0.5) | segment macro-F1 | per-pattern row F1 (P/R) |"
  echo "|---|---|---|---|---|---|---|---|"
} > "$results"
for arch in linear bilstm cnn-lstm transformer-crf; do
  m="$work/w$window.$arch"
  # Models are kept between runs (REGENERATE=1 retrains).
  [[ -f "$m.model" ]] || "$vidseg" train --task patterns --data "$work/dataset" "${train[@]}" --arch "$arch" --epochs "$epochs" --threads 2 \
    --out "$m.model" --json -q > "$m.train.json"
  "$vidseg" predict --model "$m.model" --min-length 2 --merge-gap 1 --out "$m.pred.json" -q \
    "${test_features[@]}" > /dev/null
  "$vidseg" patterns eval --pred "$m.pred.json" --labels "$work/dataset/metadata.jsonl" > "$m.eval.txt"
  "$vidseg" patterns eval --pred "$m.pred.json" --labels "$work/dataset/metadata.jsonl" --json \
    > "$m.eval.json"
  python3 - "$m.train.json" "$m.eval.json" "$arch" >> "$results" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["training"]
e = json.load(open(sys.argv[2]))
rows, seg = e["rows"], e["segments"]
per = ", ".join(f"{l['label']} {l['f1']:.2f} ({l['precision']:.2f}/{l['recall']:.2f})" for l in rows["per_label"])
print(f"| {sys.argv[3]} | {t['seconds']:.1f} | {t['epochs_run']} | {rows['micro_f1']:.3f} | {rows['macro_f1']:.3f} | "
      f"{seg['micro_f1']:.3f} | {seg['macro_f1']:.3f} | {per} |")
PY
done
# Chance reference: every pattern predicted over the whole of both test lessons.
python3 - "$work" > "$work/all_labels_everywhere.pred.json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1] + "/dataset/metadata.jsonl")]
labels = sorted({p for r in rows for p in r["patterns"]})
videos = []
for s in ("lesson4", "lesson5"):
    end = max(r["end"] for r in rows if r["source_video"] == s + ".mp4")
    videos.append({"source": s + ".features.csv",
                   "intervals": [{"label": l, "start": 0, "end": end, "score": 1} for l in labels]})
print(json.dumps({"task": "patterns", "videos": videos}))
PY
"$vidseg" patterns eval --pred "$work/all_labels_everywhere.pred.json" --labels "$work/dataset/metadata.jsonl" --json \
  | python3 -c "import json,sys; e=json.load(sys.stdin); r,s=e['rows'],e['segments']; print(f\"| every pattern everywhere (chance) | - | - | {r['micro_f1']:.3f} | {r['macro_f1']:.3f} | {s['micro_f1']:.3f} | {s['macro_f1']:.3f} | - |\")" \
  >> "$results"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$results"
cat "$results"
