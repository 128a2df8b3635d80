#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz/ for a set time and prints executions, crashes and leaks
# per target (issue 14 §2). Builds the sanitizer tree first (scripts/build_sanitizers.sh -> build-fuzz/).
#   bash bench/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     default 60 s, every target
# Environment:
#   VIDSEG_FUZZ_BUILD_DIR  sanitizer tree (build-fuzz)     VIDSEG_FUZZ_SKIP_BUILD=1  use it as it is
#   VIDSEG_FUZZ_WORK       corpora grown by the runs, crash/leak reproducers, logs (bench/work/fuzz)
#   VIDSEG_FUZZ_PARALLEL   targets run at the same time (1)
#   VIDSEG_FUZZ_SEEDS_ONLY=1  start from the seed corpus only (CI smoke), not from what earlier runs found
#   VIDSEG_FUZZ_MERGE=0    keep every input a run wrote (default: minimise the grown corpus after each run)
# Exit status 1 when any target crashed, leaked, timed out or ran out of memory (reproducers under
# $VIDSEG_FUZZ_WORK/artifacts/<target>/; replay one with `build-fuzz/fuzz/<target> FILE`).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-60}"
[ $# -gt 0 ] && shift
build="${VIDSEG_FUZZ_BUILD_DIR:-$root/build-fuzz}"
work="${VIDSEG_FUZZ_WORK:-$root/bench/work/fuzz}"
seeds="$root/tests/fuzz/corpus"
if [ "${VIDSEG_FUZZ_SKIP_BUILD:-0}" != 1 ]; then
  VIDSEG_FUZZ_BUILD_DIR="$build" bash "$root/scripts/build_sanitizers.sh" vidseg_fuzzers >&2
fi
if [ $# -gt 0 ]; then targets=("$@"); else
  mapfile -t targets < <(cd "$root/tests/fuzz" && ls fuzz_*.cpp | sed 's/\.cpp$//')
fi
mkdir -p "$work/logs"

run_one() {  # run_one TARGET -> one line "target seconds execs exec/s corpus crashes leaks status"
  local t="$1" corpus="$work/corpus/$1" artifacts="$work/artifacts/$1/" log="$work/logs/$1.log" rc=0
  [ "${VIDSEG_FUZZ_SEEDS_ONLY:-0}" = 1 ] && rm -rf "$corpus"
  mkdir -p "$corpus" "$artifacts"
  local start=$SECONDS
  # Leaks are checked at exit of every input (-detect_leaks=1); -rss_limit_mb also bounds single
  # allocations (malloc limit), so an input that asks for gigabytes is a finding, not an OOM kill.
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}" \
  UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
    "$build/fuzz/$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$artifacts" "$corpus" "$seeds/$t" >"$log" 2>&1 || rc=$?
  # Keep only the inputs that add coverage (libFuzzer never deletes what it wrote): every round starts
  # by replaying its whole corpus, and the thousands of redundant inputs of earlier rounds made that
  # replay most of a round on a loaded machine. -merge=1 replays them once more, here, outside the
  # timed run.
  if [ "$rc" = 0 ] && [ "${VIDSEG_FUZZ_SEEDS_ONLY:-0}" != 1 ] && [ "${VIDSEG_FUZZ_MERGE:-1}" = 1 ]; then
    local merged="$work/corpus/.$t.merged"
    rm -rf "$merged" && mkdir -p "$merged"
    if "$build/fuzz/$t" -merge=1 -timeout=20 -rss_limit_mb=2048 "$merged" "$corpus" >"$work/logs/$t.merge.log" 2>&1
    then rm -rf "$corpus" && mv "$merged" "$corpus"; else rm -rf "$merged"; fi
  fi
  local execs rate size crashes leaks status
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  size=$(ls "$corpus" | wc -l)
  leaks=$(grep -c 'ERROR: LeakSanitizer' "$log" || true)
  crashes=$(grep -cE 'ERROR: (AddressSanitizer|libFuzzer)|runtime error:|SUMMARY: UndefinedBehaviorSanitizer' "$log" || true)
  status=ok
  [ "$rc" = 0 ] || status="FAILED(rc=$rc,see $log)"
  echo "$t $((SECONDS - start)) ${execs:-0} ${rate:-0} $size $crashes $leaks $status"
}
export -f run_one
export seconds build work seeds

printf '%-28s %7s %12s %9s %7s %7s %6s %s\n' target seconds executions exec/s corpus crashes leaks status
results=$(printf '%s\n' "${targets[@]}" | xargs -P "${VIDSEG_FUZZ_PARALLEL:-1}" -I{} bash -c 'run_one {}')
printf '%s\n' "$results" | sort | while read -r t s e r c cr l st; do
  printf '%-28s %7s %12s %9s %7s %7s %6s %s\n' "$t" "$s" "$e" "$r" "$c" "$cr" "$l" "$st"
done
! printf '%s\n' "$results" | grep -q FAILED
