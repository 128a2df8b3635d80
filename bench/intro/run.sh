#!/usr/bin/env bash
# Intro-detection benchmark (issue 4 §6-7): generate the series, detect, evaluate, time.
#   bash bench/intro/run.sh [--small] [--skip-generate] [--no-speed] [--work DIR] [--assert-min K=V,...]
# Full form: >= 8 series x 6 episodes of a few minutes + two 45-min episodes for the speed comparison.
# --small: 3 series x 4 episodes of ~45 s (about a minute to generate), no speed comparison.
# Writes WORK/results.md (+ .json; WORK = bench/work/intro/{full,small} unless --work) and, for the full
# form, WORK/speed.md. VIDSEG=path benchmarks another binary (default: build/vidseg).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
small=0 generate=1 speed=1 work="" asserts=()
while (($#)); do
  case $1 in
    --small) small=1; speed=0 ;;
    --skip-generate) generate=0 ;;
    --no-speed) speed=0 ;;
    --speed) speed=1 ;;
    --work) work=$2; shift ;;
    --assert-min|--assert-max) asserts+=("$1" "$2"); shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
vidseg=${VIDSEG:-$root/build/vidseg}
[[ -x $vidseg ]] || { echo "run.sh: no vidseg binary at $vidseg (build it or set VIDSEG)" >&2; exit 2; }
if [[ -z $work ]]; then
  work=$root/bench/work/intro/$([[ $small == 1 ]] && echo small || echo full)
fi
mkdir -p "$work"

if [[ $generate == 1 ]]; then
  gen=(python3 "$here/generate.py" --out "$work")
  [[ $small == 1 ]] && gen+=(--small)
  [[ $speed == 1 ]] && gen+=(--speed-episode)
  nice "${gen[@]}"
fi

python3 "$here/evaluate.py" --vidseg "$vidseg" --data "$work" --results "$work/results.md" "${asserts[@]}"
if [[ $speed == 1 ]]; then
  python3 "$here/evaluate.py" --vidseg "$vidseg" --speed "$work/speed" --results-speed "$work/speed.md"
fi
# The full form's table is also kept at bench/work/intro/results.md (the path RESULTS.md cites).
if [[ $small == 0 && $work == "$root/bench/work/intro/full" ]]; then
  cat "$work/results.md" > "$root/bench/work/intro/results.md"
  [[ -f $work/speed.md ]] && { echo; cat "$work/speed.md"; } >> "$root/bench/work/intro/results.md"
fi
echo "results: $work/results.md"
