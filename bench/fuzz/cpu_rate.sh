#!/usr/bin/env bash
# Executions per CPU-second of libFuzzer targets, for comparing builds on a loaded machine (wall-clock
# exec/s there mostly measures the share of a core a process got). Each target runs a fixed number of
# inputs from its seed corpus with a fixed seed (-seed=1 -runs=N, the flags of bench/fuzz/run.sh);
# user + sys CPU of the process, its startup included.
#   bash bench/fuzz/cpu_rate.sh [RUNS] [TARGET...]     default 4000 runs, every target
# Environment: VIDSEG_FUZZ_BUILD_DIR (build-fuzz).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${1:-4000}"
[ $# -gt 0 ] && shift
build="${VIDSEG_FUZZ_BUILD_DIR:-$root/build-fuzz}"
if [ $# -gt 0 ]; then targets=("$@"); else
  mapfile -t targets < <(cd "$root/tests/fuzz" && ls fuzz_*.cpp | sed 's/\.cpp$//')
fi
printf '%-28s %8s %8s %8s %14s\n' target execs user_s sys_s exec/CPU-s
for t in "${targets[@]}"; do
  scratch="$(mktemp -d "${TMPDIR:-/tmp}/vidseg-cpu-rate.XXXXXX")" && mkdir "$scratch/new"
  /usr/bin/time -f '%U %S' -o "$scratch/time" "$build/fuzz/$t" -seed=1 -runs="$runs" -timeout=20 \
    -rss_limit_mb=2048 -print_final_stats=1 "$scratch/new" "$root/tests/fuzz/corpus/$t" \
    >"$scratch/log" 2>&1 || true
  read -r user sys <"$scratch/time"
  execs=$(grep -o 'number_of_executed_units: *[0-9]*' "$scratch/log" | grep -o '[0-9]*$' || echo 0)
  printf '%-28s %8s %8s %8s %14s\n' "$t" "$execs" "$user" "$sys" \
    "$(awk -v e="$execs" -v u="$user" -v s="$sys" 'BEGIN { printf "%d", (u + s > 0) ? e / (u + s) : 0 }')"
  rm -rf "$scratch"
done
