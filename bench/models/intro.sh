#!/usr/bin/env bash
# Supervised intro mode on the intro benchmark (issue 5 §4): audio features (`vidseg features
# --no-visual`, 1 s rows) of the first N seconds of every episode of bench/work/intro/full/<series>/
# (bench/intro/run.sh generates it), leave-series-out folds (series k goes to fold k mod FOLDS: train
# on the other folds, predict the held-out series), `vidseg intro eval` of the pooled held-out
# predictions against the labels clipped to the same window, next to the unsupervised detector's
# predictions (bench/work/intro/full/predictions/, clipped to the window) and the constant (5,15)
# baseline. Results: bench/work/models-intro/results.md. The fused mode (the unsupervised similarity
# profile as a feature) is not here.
#
# Usage: bash bench/models/intro.sh [BUILD_DIR] [SECONDS] [FOLDS] [ARCHS]
#        (defaults: build, 180, 3, "linear bilstm cnn-lstm transformer-crf")
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-$root/build}"
limit="${2:-180}"
folds="${3:-3}"
archs="${4:-linear bilstm cnn-lstm transformer-crf}"
vidseg="$build/vidseg"
[[ -x "$vidseg" ]] || { echo "no vidseg binary in $build (build it first)" >&2; exit 2; }
bench="$root/bench/work/intro/full"
[[ -d "$bench" ]] || { echo "no intro benchmark in $bench (run bench/intro/run.sh first)" >&2; exit 2; }
work="$root/bench/work/models-intro"
mkdir -p "$work/clips" "$work/features"

# 1. The first $limit seconds of every episode as <series>__<episode>.mp4 (stream copy), and its features.
for series_dir in "$bench"/s*/; do
  series="$(basename "$series_dir")"
  for ep in "$series_dir"/ep*.*; do
    [[ "$ep" == *.spec ]] && continue
    file="$(basename "$ep")"
    name="${series%%_*}__${file%.*}"
    clip="$work/clips/$name.${file##*.}"  # same container (s08 has .mkv/.avi/.webm, s13 an .m4a)
    [[ -f "$clip" ]] || ffmpeg -y -loglevel error -i "$ep" -t "$limit" -c copy "$clip"
    f="$work/features/$name.features.csv"
    # Audio features only: decoding the video of 78 episodes takes too long on the shared machine. An
    # episode without an audio stream (s13's video-only ones) gets no features: no prediction, which
    # `intro eval` counts as "no intro".
    [[ -f "$f" ]] || "$vidseg" features "$clip" --out "$f" --no-visual --threads 1 -q \
      || echo "$name: no audio features, not predicted" >&2
  done
done

# Workaround for a `vidseg features` defect: a video whose duration is a few ms past a whole second
# (s08/ep05.mkv: 70.007 s) gets a last row with empty (NaN) audio values, which `vidseg train` rejects.
# Such trailing rows are dropped here.
python3 - "$work/features" <<'PY'
import glob, os, sys
for path in glob.glob(os.path.join(sys.argv[1], "*.features.csv")):
    lines = open(path).read().splitlines()
    keep = len(lines)
    while keep > 2 and ",," in lines[keep - 1] + ",":
        keep -= 1
    if keep < len(lines):
        open(path, "w").write("\n".join(lines[:keep]) + "\n")
        print(f"{os.path.basename(path)}: dropped {len(lines) - keep} trailing row(s) without values")
PY

# 2. Labels of the window (form C, one file per fold side): intros clipped to the feature rows.
python3 - "$bench" "$work" "$folds" "$limit" <<'PY'
import csv, json, os, sys
bench, work, folds, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
def seconds(tc):
    h, m, s = tc.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)
series = sorted(d for d in os.listdir(bench) if d.startswith("s") and os.path.isfile(os.path.join(bench, d, "labels.json")))
labels = {}
for i, s in enumerate(series):
    for ep, v in json.load(open(os.path.join(bench, s, "labels.json"))).items():
        name = s.split("_")[0] + "__" + os.path.splitext(ep)[0]
        path = os.path.join(work, "features", name + ".features.csv")
        rows = sum(1 for _ in open(path)) - 1 if os.path.exists(path) else None  # step 1 s
        start, end = (seconds(v["start"]), seconds(v["end"])) if v else (0, 0)
        end = min(end, rows if rows is not None else limit)
        labels[name + ".mp4"] = {"fold": i % folds, "intro": [start, end] if end - start >= 1 else None,
                                 "features": rows is not None}
for k in range(folds):
    for side, keep in (("train", lambda x: x != k), ("test", lambda x: x == k)):
        json.dump({n: v["intro"] for n, v in labels.items() if keep(v["fold"]) and v["features"]},
                  open(os.path.join(work, f"fold{k}.{side}.json"), "w"), indent=1)
json.dump({n: v["intro"] for n, v in labels.items()}, open(os.path.join(work, "labels.json"), "w"), indent=1)
print(f"{len(labels)} episodes, {sum(v['intro'] is not None for v in labels.values())} with an intro in the window")
PY

# 3. Leave-series-out training and prediction per architecture; pooled held-out predictions.
results="$work/results.md"
{
  echo "Window: first $limit s of each episode; $folds leave-series-out folds. Labels: bench/work/models-intro/labels.json."
  echo
  echo "| mode / arch | mean IoU | start MAE s | end MAE s | within ±0.5 s | presence acc. | frame F1 | train s (all folds) |"
  echo "|---|---|---|---|---|---|---|---|"
} > "$results"
row() {  # row NAME EVAL_JSON [METRICS_KEY] TRAIN_SECONDS
  python3 - "$@" >> "$results" <<'PY'
import json, sys
name, path, key, train = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
d = json.load(open(path))
m = d["metrics"] if key == "metrics" else d["baseline"]["metrics"]
def g(*k):
    v = m
    for x in k:
        v = v.get(x) if isinstance(v, dict) else None
    return "n/a" if v is None else f"{v:.3f}"
print(f"| {name} | {g('mean_iou')} | {g('start_mae')} | {g('end_mae')} | {g('boundaries_within_0_5s')} | "
      f"{g('presence', 'accuracy')} | {g('frames_1fps', 'f1')} | {train} |")
PY
}
for arch in $archs; do
  total=0
  merged="$work/$arch.predictions.json"
  echo "{}" > "$merged"
  for ((k = 0; k < folds; k++)); do
    train=(); test=()
    for n in $(python3 -c "import json,sys; print(' '.join(json.load(open(sys.argv[1]))))" "$work/fold$k.train.json"); do
      train+=(--features "$work/features/${n%.mp4}.features.csv"); done
    for n in $(python3 -c "import json,sys; print(' '.join(json.load(open(sys.argv[1]))))" "$work/fold$k.test.json"); do
      test+=("$work/features/${n%.mp4}.features.csv"); done
    # Models are kept between runs (delete bench/work/models-intro to retrain).
    [[ -f "$work/$arch.fold$k.model" ]] || "$vidseg" train --task intro --data "$work/fold$k.train.json" "${train[@]}" --arch "$arch" --threads 2 \
      --out "$work/$arch.fold$k.model" --json -q > "$work/$arch.fold$k.train.json"
    total=$(python3 -c "import json,sys; print(float(sys.argv[2]) + json.load(open(sys.argv[1]))['training']['seconds'])" \
      "$work/$arch.fold$k.train.json" "$total")
    "$vidseg" predict --model "$work/$arch.fold$k.model" --min-length 1 --merge-gap 2 \
      --predictions "$work/$arch.fold$k.pred.json" -q "${test[@]}" > /dev/null
    python3 - "$merged" "$work/$arch.fold$k.pred.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); m.update(json.load(open(sys.argv[2]))); json.dump(m, open(sys.argv[1], "w"), indent=1)
PY
  done
  "$vidseg" intro eval --pred "$merged" --labels "$work/labels.json" --baseline 5,15 --json > "$work/$arch.eval.json"
  row "supervised $arch" "$work/$arch.eval.json" metrics "$(printf %.1f "$total")"
done
# The unsupervised detector's predictions (bench/intro/run.sh, whole episodes), clipped to the same window.
if compgen -G "$bench/predictions/s*.json" > /dev/null; then
  python3 - "$bench/predictions" "$work/unsupervised.predictions.json" "$limit" <<'PY'
import glob, json, os, sys
out, limit = {}, float(sys.argv[3])
for path in sorted(glob.glob(os.path.join(sys.argv[1], "s*.json"))):
    prefix = os.path.basename(path).split("_")[0]
    for ep, v in json.load(open(path)).items():
        if v:
            v = [v[0], min(v[1], limit)]
        out[f"{prefix}__{os.path.splitext(ep)[0]}"] = v if v and v[1] - v[0] >= 1 else []
json.dump(out, open(sys.argv[2], "w"), indent=1)
PY
  "$vidseg" intro eval --pred "$work/unsupervised.predictions.json" --labels "$work/labels.json" --json \
    > "$work/unsupervised.eval.json"
  row "unsupervised \`intro detect\` (whole episodes, clipped)" "$work/unsupervised.eval.json" metrics "-"
fi
first="$(set -- $archs; echo "$1")"
row "constant (5,15) baseline" "$work/$first.eval.json" baseline "-"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$results"
cat "$results"
