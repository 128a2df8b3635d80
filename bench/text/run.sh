#!/usr/bin/env bash
# Text patterns benchmark (issue 15): vidseg's utterance text model vs scikit-learn on generated lessons.
#   bash bench/text/run.sh [TRAIN_UTTERANCES=100000]
# Speed: `vidseg train --data train.csv` + `vidseg predict` of a 45-minute lesson transcript, end to end,
# vs bench/text/sklearn_baseline.py (TfidfVectorizer word+char + LogisticRegression); best of 3 for vidseg.
# Quality: `vidseg patterns eval --table test.csv --train train.csv` (vidseg's model and its bag-of-words
# baseline, per utterance and on the 1 s grid) and sklearn's macro-F1 per utterance on the same split.
# Needs build/pyenv-text (scripts/setup.sh) and a built `vidseg`.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
n="${1:-100000}"
work="$root/bench/work/text"
vidseg="${VIDSEG:-$root/build/vidseg}"
py="$root/build/pyenv-text/bin/python"
mkdir -p "$work"
"$py" "$root/bench/text/generate_lessons.py" --out "$work" --train-utterances "$n"
best=""
for i in 1 2 3; do
  s=$(date +%s.%N)
  "$vidseg" train --data "$work/train.csv" --out "$work/text.model" --quiet
  "$vidseg" predict --model "$work/text.model" "$work/lesson45.csv" --json > "$work/lesson45.pred.json"
  e=$(date +%s.%N)
  t=$(echo "$e - $s" | bc)
  if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
done
echo "vidseg end to end (train $n utterances + predict a 45-min lesson): best of 3 = $best s"
"$py" "$root/bench/text/sklearn_baseline.py" --dir "$work" | tee "$work/sklearn.json"
"$vidseg" patterns eval --table "$work/test.csv" --train "$work/train.csv" --model "$work/text.model" --json \
  > "$work/eval.json"
"$py" - "$work/eval.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for who in ("model", "baseline"):
    print(who, "utterances macro-F1 %.3f" % d[who]["utterances"]["macro_f1"],
          "grid macro-F1 %.3f" % d[who]["grid"]["macro_f1"])
PY
