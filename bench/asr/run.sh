#!/usr/bin/env bash
# Transcription benchmark: one warm faster-whisper worker vs a fresh process per fragment, then the WER
# of the packaged Whisper base on real recorded speech (festvox-ru, asterisk-core-sounds-en).
# Needs build/pyenv-asr (bash scripts/setup.sh). Usage: bench/asr/run.sh [N_FRAGMENTS] [N_WER_UTTERANCES]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
py="$root/build/pyenv-asr/bin/python"
[ -x "$py" ] || { echo "missing $py: run bash scripts/setup.sh" >&2; exit 1; }
"$py" "$root/bench/asr/bench.py" --count "${1:-20}"
"$py" "$root/bench/asr/wer.py" --count "${2:-20}" | grep '^WER\|^{'
