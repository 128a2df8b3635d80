#!/usr/bin/env bash
# Transcription benchmark: one warm faster-whisper worker vs a fresh process per fragment, then the WER
# of the packaged Whisper base on real recorded speech (festvox-ru, asterisk-core-sounds-en).
# Needs build/pyenv-asr (bash scripts/setup.sh). Usage: bench/asr/run.sh [N_FRAGMENTS] [N_WER_UTTERANCES]
# Fragments: the users' typical 3-5 s (ru + en); ASR_FRAGMENTS=long for the first measurement's 4-18 s Russian sentences.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
py="$root/build/pyenv-asr/bin/python"
[ -x "$py" ] || { echo "missing $py: run bash scripts/setup.sh" >&2; exit 1; }
"$py" "$root/bench/asr/bench.py" --count "${1:-20}" ${ASR_FRAGMENTS:+--fragments "$ASR_FRAGMENTS"}
"$py" "$root/bench/asr/wer.py" --count "${2:-20}" | grep '^WER\|^{'
