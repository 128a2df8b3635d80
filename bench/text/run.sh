#!/usr/bin/env bash
# Text patterns benchmark (issue 15): vidseg's utterance text model vs scikit-learn on generated lessons.
#   bash bench/text/run.sh [TRAIN_UTTERANCES=100000] [SEEDS="15 16 17"] [LANGUAGES="both"]
# For every generator seed and language (both = Russian and English mixed; ru; en):
# Quality: `vidseg patterns eval --table test.csv --train train.csv` (vidseg's model and its bag-of-words
# baseline, per utterance and on the 1 s grid), vidseg's model trained with the old plain-SGD solver
# (--solver sgd) for comparison, and bench/text/sklearn_baseline.py (TfidfVectorizer word+char +
# LogisticRegression(liblinear, balanced), and a plain bag of words) on the same split.
# Speed (first seed and language only): `vidseg train --data train.csv` + `vidseg predict` of a 45-minute
# lesson transcript, end to end, best of 3, wall clock and CPU time, vs the scikit-learn pipeline's
# timed fit + predict of the same lesson.
# Needs build/pyenv-text (scripts/setup.sh) and a built `vidseg`. Figures: bench/RESULTS.md, "Text patterns".
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
n="${1:-100000}"
seeds="${2:-15 16 17}"
languages="${3:-both}"
vidseg="${VIDSEG:-$root/build/vidseg}"
py="$root/build/pyenv-text/bin/python"
macro() {  # macro-F1 of `patterns eval --json` for "model" / "baseline" at "utterances" / "grid"
  "$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.3f" % d[sys.argv[2]][sys.argv[3]]["macro_f1"])' "$@"
}
first=1
for seed in $seeds; do
  for lang in $languages; do
    work="$root/bench/work/text/s$seed-$lang"
    mkdir -p "$work"
    "$py" "$root/bench/text/generate_lessons.py" --out "$work" --train-utterances "$n" --seed "$seed" --language "$lang"
    if [ "$first" = 1 ]; then
      first=0
      best=""
      for i in 1 2 3; do
        /usr/bin/time -f "%e %U %S" -o "$work/time.$i" bash -c \
          "'$vidseg' train --data '$work/train.csv' --out '$work/text.model' --quiet &&
           '$vidseg' predict --model '$work/text.model' '$work/lesson45.csv' --json > '$work/lesson45.pred.json'"
        read -r wall user sys < "$work/time.$i"
        if [ -z "$best" ] || [ "$(echo "$wall < $best" | bc)" = 1 ]; then best=$wall; cpu=$(echo "$user + $sys" | bc); fi
      done
      echo "seed $seed $lang: vidseg end to end (train $n utterances + predict a 45-min lesson): best of 3 = $best s wall, $cpu s CPU"
    fi
    "$vidseg" patterns eval --table "$work/test.csv" --train "$work/train.csv" --seed 1 --json > "$work/eval.json"
    "$vidseg" train --data "$work/train.csv" --out "$work/sgd.model" --solver sgd --quiet
    "$vidseg" patterns eval --table "$work/test.csv" --train "$work/train.csv" --model "$work/sgd.model" --json \
      > "$work/eval.sgd.json"
    echo "seed $seed $lang: vidseg model macro-F1 utterances $(macro "$work/eval.json" model utterances)" \
      "grid $(macro "$work/eval.json" model grid); vidseg BoW baseline $(macro "$work/eval.json" baseline utterances);" \
      "vidseg model with the old SGD solver $(macro "$work/eval.sgd.json" model utterances)"
    "$py" "$root/bench/text/sklearn_baseline.py" --dir "$work" | tee "$work/sklearn.json"
  done
done
