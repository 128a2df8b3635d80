#!/usr/bin/env bash
# Runs the integration tests that feed the real binary hostile or damaged input against the ASan + UBSan
# build of vidseg (build-fuzz/vidseg, scripts/build_sanitizers.sh), issue 14 §3:
#   scripts/sanitizer_integration_tests.sh BUILD_DIR [GTEST_FILTER]
# BUILD_DIR is the normal build tree: its integration test binary runs, pointed at the sanitized vidseg
# (VIDSEG_TEST_BINARY, tests/support/binary_under_test.hpp), in two shards; then the request-parsing tests
# of tests/python/test_server_api.py run against the sanitized `vidseg serve`.
# Every sanitizer report (ASan, UBSan, LeakSanitizer) is written to a log file (log_path): the run fails
# when any exists, whatever exit code the test expected of the binary (ASan exits 1, like "items
# failed"). Under ASan `ulimit -v` cannot apply (terabytes of shadow address space): hard_rss_limit_mb
# caps each run's resident memory instead.
# Environment: VIDSEG_FUZZ_BUILD_DIR (build-fuzz), VIDSEG_SAN_RSS_MB (4096), VIDSEG_SAN_TORCH (1; see below).
set -euo pipefail
cd "$(dirname "$0")/.."
build="$(cd "$1" && pwd)"
filter="${2:-}"
san="$(cd "${VIDSEG_FUZZ_BUILD_DIR:-build-fuzz}" && pwd)"
[ -x "$san/vidseg" ] || { echo "no sanitized vidseg in $san (scripts/build_sanitizers.sh vidseg)" >&2; exit 2; }
[ -x "$build/tests/vidseg_integration_tests" ] || { echo "no $build/tests/vidseg_integration_tests" >&2; exit 2; }

# Path safety, the damaged-media corpus, malformed exports / spreadsheets / transcripts.
if [ -z "$filter" ]; then
  filter='HostileNames.*:DamagedMedia.*:DatasetExpertExport.*'
  filter+=':DatasetBuild.BadItemsAreNamedAndNothingIsWritten:DatasetBuild.WholeInputErrorsUseTheirExitCodes'
  filter+=':DatasetBuild.PatternsFromXlsxAndLicense:DatasetBuild.KeepGoingWritesTheGoodItemsAndStillFails'
  filter+=':TextPatternsCli.FeaturesReadTheSpeakersOfAWebVttTranscript'
  # Not the 3-hour memory bound: the normal build measures it (ASan's shadow memory is not the engine's).
  filter+='-DamagedMedia.AudioFeaturesOfThreeHoursInBoundedMemory'
fi
# The clang tree cannot build the libtorch module (libtorch 1.13's headers vs clang-14). With
# VIDSEG_SAN_TORCH=1 the sanitized vidseg loads the normal tree's GCC-built one instead (same sources,
# same libstdc++ and C++ ABI; VIDSEG_TORCH_MODULE): train and predict run with ASan + UBSan on vidseg's
# own code, libtorch itself uninstrumented, and DamagedMedia.Predict joins the run. The default since a
# run with both trees built from one commit passed (2026-12-08); both trees must come from the same
# commit (the module and the binary must agree on every type they exchange, e.g. ModelInfo):
# VIDSEG_SAN_TORCH=0 leaves Predict out.
if [ "${VIDSEG_SAN_TORCH:-1}" = 1 ] && [ -f "$build/libvidseg_torch.so" ]; then
  export VIDSEG_TORCH_MODULE="$build/libvidseg_torch.so"
else
  filter+=$([[ "$filter" == *-* ]] && echo ':' || echo '-')'DamagedMedia.Predict'
fi
# The request parsing and hostile requests of the server (the rest of that file needs the web UI, jobs
# of every kind and the route-coverage check, which only makes sense for the whole file).
server_tests='openapi_document_validates or login_tokens_and_401s or cookie_session_needs_csrf'
server_tests+=' or injection_and_control_characters or tus_discovery_and_protocol_errors'
server_tests+=' or oversize_upload_refused or non_video_refused'  # (metrics: counts the jobs of earlier tests)

reports="$(mktemp -d "${TMPDIR:-/tmp}/vidseg-sanitizer-reports.XXXXXX")"
trap 'rm -rf "$reports"' EXIT
export ASAN_OPTIONS="detect_leaks=1:log_path=$reports/asan:hard_rss_limit_mb=${VIDSEG_SAN_RSS_MB:-4096}"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$reports/ubsan"
export LSAN_OPTIONS="log_path=$reports/lsan"
export VIDSEG_TEST_BINARY="$san/vidseg" VIDSEG_TEST_SANITIZED=1

status=0
start=$(date +%s)
pids=()
for shard in 0 1; do
  GTEST_TOTAL_SHARDS=2 GTEST_SHARD_INDEX=$shard "$build/tests/vidseg_integration_tests" \
    --gtest_filter="$filter" --gtest_brief=1 >"$reports/shard$shard.out" 2>&1 &
  pids+=($!)
done
for shard in 0 1; do
  wait "${pids[$shard]}" || status=1
  sed -n '/^\[  FAILED  \]\|^\[  PASSED  \]\|Failure\|^\[==========\]/p' "$reports/shard$shard.out"
  [ $status -eq 0 ] || tail -n 200 "$reports/shard$shard.out"
done
echo "integration tests under sanitizers: $(( $(date +%s) - start )) s"

py="$PWD/build/pyenv-server/bin/python"
if [ -x "$py" ]; then
  start=$(date +%s)
  env PYTHONDONTWRITEBYTECODE=1 VIDSEG_BINARY="$san/vidseg" VIDSEG_TEST_MEDIA_DIR="$build/test-media" \
    "$py" -m pytest -q -rxs -p no:cacheprovider -k "$server_tests" tests/python/test_server_api.py || status=1
  echo "server request tests under sanitizers: $(( $(date +%s) - start )) s"
else
  echo "skipped the server tests: no $py (scripts/setup.sh makes it)"
fi

found=$(find "$reports" -name 'asan.*' -o -name 'ubsan.*' -o -name 'lsan.*' | sort)
if [ -n "$found" ]; then
  echo "sanitizer reports:" >&2
  for f in $found; do echo "== $f" >&2; head -n 60 "$f" >&2; done
  status=1
fi
exit $status
