#!/usr/bin/env bash
# vidseg features (audio) vs librosa 0.11 on the same 10-minute 22050 Hz mono WAV (speech + tone +
# noise + clicks, made with espeak-ng and ffmpeg lavfi). Usage: bench/features/run.sh [BUILD_DIR] [MINUTES]
# Needs build/pyenv-features (bash scripts/setup.sh) and BUILD_DIR's vidseg and vidseg_bench_features.
# Prints the timings and three speed-ups (in-process, whole process, mixed); all figures also in
# bench/work/features/results.json.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build}"
minutes="${2:-10}"
vidseg="$build/vidseg"
bench="$build/vidseg_bench_features"  # the in-process timer (bench/features/bench_features.cpp)
for exe in "$vidseg" "$bench"; do
  [ -x "$exe" ] || { echo "missing $exe: build it (ninja -C $build vidseg vidseg_bench_features)" >&2; exit 2; }
done
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
# Three comparisons in one run (bench/features/compare.py says what each includes): (a) in-process vs
# in-process, (b) whole process vs whole process, (c) vidseg's whole process vs librosa in-process.
# CPU seconds (user + sys, all threads) are the fair figure on a shared machine; wall is printed too.
"$py" "$root/bench/features/compare.py" "$vidseg" "$bench" "$py" "$root/bench/features/librosa_features.py" "$wav" "$work"
