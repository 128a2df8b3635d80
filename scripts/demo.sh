#!/usr/bin/env bash
# README command 1: set up a fresh machine (only what the product needs: no test peers), build
# `vidseg` and its modules (not the tests), generate a sample lesson (speech by espeak-ng, three
# visual scenes) and run `vidseg prepare` on it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --runtime
bash scripts/build.sh --product
mkdir -p sample
bash tests/media/generate.sh sample/media >/dev/null
./build/vidseg prepare sample/media/lesson.mp4 --segment 5 --mode exact --out sample/lesson_prepared "$@"
