#!/usr/bin/env bash
# Synthetic lessons with known pattern intervals (see make_lessons.py): OUT/lessonK.mp4 and
# OUT/dataset/metadata.jsonl. bench/models/patterns.sh calls this generator itself.
# Usage: bash bench/models/make_lessons.sh [OUT] [LESSONS] [SECONDS] [SEED]
#        (defaults: bench/work/models-patterns, 6, 180, 5)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec python3 "$here/make_lessons.py" "${1:-$here/../work/models-patterns}" "${2:-6}" "${3:-180}" "${4:-5}"
