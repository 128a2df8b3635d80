#!/usr/bin/env bash
# Text patterns, quality only (issue 15, session 9): vidseg's utterance model with and without the
# principled levers — sublinear tf, C / calibration / thresholds chosen by k-fold cross-validation over
# the training lessons — against scikit-learn (bench/text/sklearn_baseline.py) on the same split, per
# generator seed and per language.
#   bash bench/text/levers.sh [TRAIN_UTTERANCES=30000] [SEEDS="15 16 17"] [LANGUAGES="ru en"] [FOLDS=3] [C_GRID=0.1,0.3,1,3]
#                             [RUNS="default levers levers-speaker crf"]
# Runs: default = `vidseg train` defaults; speaker = --context speaker; levers = --sublinear-tf --folds FOLDS
# --c C_GRID; levers-speaker = the same with --context speaker; crf = --arch crf (the chain CRF over the
# utterances, fitted on the held-out lessons); crf-levers = crf with the levers. SKIP_SKLEARN=1: no scikit-learn.
# Output: one line per seed / language and run, and bench/work/text-levers/s$seed-$lang/*.json.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
n="${1:-30000}"
seeds="${2:-15 16 17}"
languages="${3:-ru en}"
folds="${4:-3}"
grid="${5:-0.1,0.3,1,3}"
runs="${6:-default levers levers-speaker crf}"
vidseg="${VIDSEG:-$root/build/vidseg}"
py="$root/build/pyenv-text/bin/python"
macro() {  # macro-F1 of `patterns eval --json` for "model" / "baseline" at "utterances"
  "$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.3f" % d[sys.argv[2]]["utterances"]["macro_f1"])' "$@"
}
for seed in $seeds; do
  for lang in $languages; do
    work="$root/bench/work/text-levers/s$seed-$lang"
    mkdir -p "$work"
    "$py" "$root/bench/text/generate_lessons.py" --out "$work" --train-utterances "$n" --seed "$seed" --language "$lang"
    line="seed $seed $lang:"
    for name in $runs; do
      case "$name" in
        default|dropped-unseen) flags="" ;;  # dropped-unseen: the name of the default run of a binary that drops unseen n-grams
        speaker) flags="--context speaker" ;;
        levers) flags="--sublinear-tf --folds $folds --c $grid" ;;
        levers-speaker) flags="--context speaker --sublinear-tf --folds $folds --c $grid" ;;
        crf) flags="--arch crf" ;;
        crf-levers) flags="--arch crf --sublinear-tf --folds $folds --c $grid" ;;
        *) echo "unknown run $name" >&2; exit 2 ;;
      esac
      # shellcheck disable=SC2086
      "$vidseg" train --data "$work/train.csv" --out "$work/$name.model" $flags --json > "$work/$name.train.json"
      "$vidseg" patterns eval --table "$work/test.csv" --train "$work/train.csv" --model "$work/$name.model" --json \
        > "$work/$name.eval.json"
      line="$line $name $(macro "$work/$name.eval.json" model)"
    done
    [ -f "$work/default.eval.json" ] && line="$line vidseg-BoW $(macro "$work/default.eval.json" baseline)"
    if [ "${SKIP_SKLEARN:-0}" = 1 ]; then echo "$line"; continue; fi
    "$py" "$root/bench/text/sklearn_baseline.py" --dir "$work" > "$work/sklearn.json"
    line="$line $("$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); print("sklearn-word+char %.3f sklearn-BoW %.3f" % (d["macro_f1_tfidf_word_char_lr"], d["macro_f1_bag_of_words_lr"]))' "$work/sklearn.json")"
    echo "$line"
  done
done
