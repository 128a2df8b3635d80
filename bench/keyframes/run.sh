#!/usr/bin/env bash
# Keyframe choice learned from reviewers vs the fixed heuristic score, on held-out simulated review
# decisions (issue 13 §3). One command: bench/keyframes/run.sh [VIDSEG] [WORK_DIR]
# For each rule set and seed: 10 simulated lessons x 40 fragments (simulate_reviews.py), learn on
# lessons 0-5, evaluate on lessons 6-9 (`vidseg keyframes learn --evaluate`), print a Markdown table.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
vidseg=${1:-$here/../../build/vidseg}
work=${2:-$(mktemp -d)}
echo "| rules | seed | held-out decisions | model agrees | heuristic agrees | picks: model | picks: heuristic | ceiling |"
echo "|---|---|---|---|---|---|---|---|"
for rules in face sharp centre; do
  for seed in 1 2 3; do
    dir=$work/$rules-$seed
    rm -rf "$dir"
    python3 "$here/simulate_reviews.py" "$dir" --lessons 10 --fragments 40 --seed "$seed" --rules "$rules"
    "$vidseg" keyframes learn --reviews "$dir"/lesson0[0-5] --evaluate "$dir"/lesson0[6-9] \
      --out "$dir/keyframes.model" --json > "$dir/learn.json"
    python3 - "$dir" "$rules" "$seed" <<'PY'
import glob, json, sys
j = json.load(open(sys.argv[1] + "/learn.json"))["held_out_agreement"]
sims = [json.load(open(f)) for f in sorted(glob.glob(sys.argv[1] + "/lesson0[6-9]/simulation.json"))]
ceiling = sum(s["noiseless_preference_is_pick"] for s in sims) / max(1, sum(s["reviewed"] for s in sims))
pct = lambda x: f"{100 * x:.1f} %"
print(f"| {sys.argv[2]} | {sys.argv[3]} | {j['decisions']} | {pct(j['model_ratio'])} | {pct(j['heuristic_ratio'])} "
      f"| {j['model_picks']}/{j['picks']} | {j['heuristic_picks']}/{j['picks']} | {pct(ceiling)} |")
PY
  done
done
