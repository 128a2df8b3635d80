#!/usr/bin/env bash
# vidseg features (audio) vs librosa 0.11 on the same 10-minute 22050 Hz mono WAV (speech + tone +
# noise + clicks, made with espeak-ng and ffmpeg lavfi). Usage: bench/features/run.sh [BUILD_DIR] [MINUTES]
# Needs build/pyenv-features (bash scripts/setup.sh). Prints the timings and the speed-up.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build}"
minutes="${2:-10}"
vidseg="$build/vidseg"
py="$root/build/pyenv-features/bin/python"
work="$root/bench/work/features"
mkdir -p "$work"
secs=$((minutes * 60))
wav="$work/audio_${minutes}min.wav"
if [ ! -s "$wav" ]; then
  espeak-ng -w "$work/speech.wav" "Good morning class. Today we will learn how plants turn sunlight into food. Please open your books at page twelve and read the first paragraph aloud."
  ffmpeg -hide_banner -loglevel error -nostdin -y -stream_loop -1 -i "$work/speech.wav" \
    -f lavfi -i "sine=frequency=440:sample_rate=22050:duration=$secs" \
    -f lavfi -i "anoisesrc=d=$secs:c=pink:a=0.03:r=22050" \
    -f lavfi -i "aevalsrc=0.4*sin(2*PI*1500*t)*exp(-60*mod(t\\,0.5)):s=22050:d=$secs" \
    -filter_complex "[0:a]aresample=22050,atrim=0:$secs[s];[1:a]volume=0.2[t];[s][t][2:a][3:a]amix=inputs=4:normalize=0,atrim=0:$secs" \
    -ac 1 -ar 22050 -c:a pcm_s16le "$wav"
fi
echo "input: $wav ($minutes min, 22050 Hz mono)"
# CPU seconds (user + sys, all threads) are the fair figure on a shared machine; wall is printed too.
best_cpu=""; best_wall=""
for i in 1 2 3; do
  read -r cpu wall < <(/usr/bin/time -f "%U %S %e" "$vidseg" features "$wav" --out "$work/features.jsonl" --quiet 2>&1 >/dev/null |
                       tail -1 | awk '{print $1 + $2, $3}')
  if [ -z "$best_cpu" ] || [ "$(echo "$cpu < $best_cpu" | bc -l)" = 1 ]; then best_cpu=$cpu; fi
  if [ -z "$best_wall" ] || [ "$(echo "$wall < $best_wall" | bc -l)" = 1 ]; then best_wall=$wall; fi
done
echo "vidseg features (1 s rows, all audio columns, --threads 2): cpu ${best_cpu} s, wall ${best_wall} s (best of 3)"
lib=$("$py" "$root/bench/features/librosa_features.py" "$wav" 2)
echo "librosa: $lib"
"$py" - "$best_cpu" "$best_wall" "$lib" <<'PY'
import json, sys
cpu, wall, lib = float(sys.argv[1]), float(sys.argv[2]), json.loads(sys.argv[3])
print(f"speed-up (CPU time): {lib['per_feature_cpu_s'] / cpu:.1f}x vs librosa per-feature calls, "
      f"{lib['shared_stft_cpu_s'] / cpu:.1f}x vs librosa with one shared STFT")
print(f"speed-up (wall time): {lib['per_feature_wall_s'] / wall:.1f}x / {lib['shared_stft_wall_s'] / wall:.1f}x")
PY
