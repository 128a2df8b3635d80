#!/usr/bin/env bash
# Supervised intro mode on the intro benchmark (issue 5 §4): audio features (`vidseg features
# --no-visual`, 1 s rows) of the first N seconds of every episode of bench/work/intro/full/<series>/
# (bench/intro/run.sh generates it), leave-series-out folds (series k goes to fold k mod FOLDS: train
# on the other folds, predict the held-out series), `vidseg intro eval` of the pooled held-out
# predictions against the labels clipped to the same window, next to the unsupervised detector's
# predictions (bench/work/intro/full/predictions/, clipped to the window) and the constant (5,15)
# baseline. Results: bench/work/models-intro/results.md.
# MODE fused (issue 5 §4): the same plus the unsupervised detector's cross-episode similarity profile
# as two feature columns (`vidseg features --series-dir`: intro_similarity_audio / _visual, each clip
# against the other clips of its series, bench/work/models-intro/series/<sNN>/ links to the clips);
# features in features-fused/, models and rows named "fused ARCH"; results in results-fused.md.
# MODE profile: the two similarity columns alone (features-profile/, results-profile.md), for comparison.
#
# Usage: bash bench/models/intro.sh [BUILD_DIR] [SECONDS] [FOLDS] [ARCHS] [MODE]
#        (defaults: build, 180, 3, "linear bilstm cnn-lstm transformer-crf", supervised;
#         MODE = supervised | fused | profile)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-$root/build}"
limit="${2:-180}"
folds="${3:-3}"
archs="${4:-linear bilstm cnn-lstm transformer-crf}"
mode="${5:-supervised}"
case "$mode" in supervised) feat_dir=features; prefix="" ;; fused) feat_dir=features-fused; prefix="fused-" ;;
  profile) feat_dir=features-profile; prefix="profile-" ;;
  *) echo "MODE must be supervised, fused or profile" >&2; exit 2 ;; esac
vidseg="$build/vidseg"
[[ -x "$vidseg" ]] || { echo "no vidseg binary in $build (build it first)" >&2; exit 2; }
bench="$root/bench/work/intro/full"
[[ -d "$bench" ]] || { echo "no intro benchmark in $bench (run bench/intro/run.sh first)" >&2; exit 2; }
work="$root/bench/work/models-intro"
mkdir -p "$work/clips" "$work/features" "$work/$feat_dir"

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
if [[ "$mode" != supervised ]]; then
  # The two similarity columns alone (`--no-audio --no-visual --series-dir`, same 1-s grid), joined to
  # the audio features of step 1: the same file `vidseg features CLIP --no-visual --series-dir DIR`
  # writes, without computing the audio features twice.
  mkdir -p "$work/features-profile"
  for clip in "$work"/clips/s[0-9]*__*.*; do
    name="$(basename "${clip%.*}")"
    # The clip's season: links to the clips of its series (the profile compares the clip with the others).
    mkdir -p "$work/series/${name%%__*}"
    link="$work/series/${name%%__*}/${name#*__}.${clip##*.}"
    ln -sf "../../clips/$(basename "$clip")" "$link"
    p="$work/features-profile/$name.features.csv"
    [[ -f "$p" ]] || "$vidseg" features "$link" --out "$p" --no-audio --no-visual --threads 1 -q \
      --series-dir "$work/series/${name%%__*}" --intro-cache "$work/fingerprint-cache" \
      || echo "$name: no similarity profile" >&2
  done
  python3 - "$work" <<'PY'
import glob, os, sys
work = sys.argv[1]
for audio in sorted(glob.glob(os.path.join(work, "features", "*.features.csv"))):
    name = os.path.basename(audio)
    prof = os.path.join(work, "features-profile", name)
    out = os.path.join(work, "features-fused", name)
    if not os.path.exists(prof) or os.path.exists(out):
        continue
    a = open(audio).read().splitlines()
    p = open(prof).read().splitlines()
    # Audio features made before the trailing-row fix may have one row more (a clip a few ms past 180 s):
    # that row gets profile 0 (the profile's value past what it covers).
    p += ["," + ",".join(["0"] * (p[0].count(",")))] * max(0, len(a) - len(p))
    rows = [x + "," + y.split(",", 1)[1] for x, y in zip(a, p)]
    open(out, "w").write("\n".join(rows) + "\n")
PY
fi

# Workaround for a `vidseg features` defect: a video whose duration is a few ms past a whole second
# (s08/ep05.mkv: 70.007 s) gets a last row with empty (NaN) audio values, which `vidseg train` rejects.
# Such trailing rows are dropped here.
python3 - "$work/$feat_dir" <<'PY'
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

# 2. Labels of the window (form C, one file per fold side): intros clipped to the feature rows. Kept
# between runs like the clips (delete bench/work/models-intro/labels.json to recompute them).
[[ -f "$work/labels.json" && -f "$work/fold0.train.json" ]] || python3 - "$bench" "$work" "$folds" "$limit" <<'PY'
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
results="$work/results${prefix:+-${prefix%-}}.md"
{
  echo "Window: first $limit s of each episode; $folds leave-series-out folds ($mode). Labels: bench/work/models-intro/labels.json."
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
  merged="$work/$prefix$arch.predictions.json"
  echo "{}" > "$merged"
  for ((k = 0; k < folds; k++)); do
    train=(); test=()
    for n in $(python3 -c "import json,sys; print(' '.join(json.load(open(sys.argv[1]))))" "$work/fold$k.train.json"); do
      train+=(--features "$work/$feat_dir/${n%.mp4}.features.csv"); done
    for n in $(python3 -c "import json,sys; print(' '.join(json.load(open(sys.argv[1]))))" "$work/fold$k.test.json"); do
      test+=("$work/$feat_dir/${n%.mp4}.features.csv"); done
    # Models are kept between runs (delete bench/work/models-intro to retrain).
    m="$work/$prefix$arch.fold$k"
    [[ -f "$m.model" ]] || "$vidseg" train --task intro --data "$work/fold$k.train.json" "${train[@]}" --arch "$arch" --threads 2 \
      --out "$m.model" --json -q > "$m.train.json"
    total=$(python3 -c "import json,sys; print(float(sys.argv[2]) + json.load(open(sys.argv[1]))['training']['seconds'])" \
      "$m.train.json" "$total")
    "$vidseg" predict --model "$m.model" --min-length 1 --merge-gap 2 \
      --predictions "$m.pred.json" -q "${test[@]}" > /dev/null
    python3 - "$merged" "$m.pred.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); m.update(json.load(open(sys.argv[2]))); json.dump(m, open(sys.argv[1], "w"), indent=1)
PY
  done
  "$vidseg" intro eval --pred "$merged" --labels "$work/labels.json" --baseline 5,15 --json > "$work/$prefix$arch.eval.json"
  row "$mode $arch" "$work/$prefix$arch.eval.json" metrics "$(printf %.1f "$total")"
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
row "constant (5,15) baseline" "$work/$prefix$first.eval.json" baseline "-"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$results"
cat "$results"
