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
# CPU seconds (user + sys of the process, all threads, from wait4's rusage: microsecond resolution)
# are the fair figure on a shared machine; wall is printed too. Best of 5.
read -r best_cpu best_wall < <("$py" - "$vidseg" features "$wav" --out "$work/features.jsonl" --quiet <<'PY'
import os, subprocess, sys, time
cpus, walls = [], []
for _ in range(5):
    t = time.perf_counter()
    p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    assert status == 0, status
    walls.append(time.perf_counter() - t)
    cpus.append(ru.ru_utime + ru.ru_stime)
print(f"{min(cpus):.3f} {min(walls):.3f}")
PY
)
echo "vidseg features (1 s rows, all audio columns, --threads 2): cpu ${best_cpu} s, wall ${best_wall} s (best of 5)"
# The fixed part of every run: loading the binary (dynamic linking of the ~160 shared libraries that
# Debian's FFmpeg, OpenCV and libcurl pull in).
read -r start_cpu < <("$py" - "$vidseg" --version <<'PY'
import os, subprocess, sys
cpus = []
for _ in range(5):
    p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    cpus.append(ru.ru_utime + ru.ru_stime)
print(f"{min(cpus):.3f}")
PY
)
echo "vidseg --version (process start-up alone): cpu ${start_cpu} s (best of 5)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
lib=$("$py" "$root/bench/features/librosa_features.py" "$wav" 2)
echo "librosa: $lib"
"$py" - "$best_cpu" "$best_wall" "$lib" "$start_cpu" <<'PY'
import json, sys
cpu, wall, lib, start = float(sys.argv[1]), float(sys.argv[2]), json.loads(sys.argv[3]), float(sys.argv[4])
print(f"speed-up (CPU time): {lib['per_feature_cpu_s'] / cpu:.1f}x vs librosa per-feature calls, "
      f"{lib['shared_stft_cpu_s'] / cpu:.1f}x vs librosa with one shared STFT")
# librosa's figures exclude Python's start-up and `import librosa` (seconds); the same view of vidseg:
print(f"speed-up (CPU time, both without process start-up): {lib['per_feature_cpu_s'] / (cpu - start):.1f}x / "
      f"{lib['shared_stft_cpu_s'] / (cpu - start):.1f}x")
print(f"speed-up (wall time): {lib['per_feature_wall_s'] / wall:.1f}x / {lib['shared_stft_wall_s'] / wall:.1f}x")
PY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
