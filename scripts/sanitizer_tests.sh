#!/usr/bin/env bash
# Runs the unit tests (label `fast`) of the sanitizer tree build-fuzz/ (ASan + UBSan, built by
# scripts/build_sanitizers.sh) on the test media of the normal build:
#   scripts/sanitizer_tests.sh TEST_MEDIA_DIR [CTEST_ARGS...]
# A sanitizer finding aborts the test that made it (-fno-sanitize-recover), so it fails by name.
set -euo pipefail
cd "$(dirname "$0")/.."
media="$(cd "$1" && pwd)"
shift
dir="${VIDSEG_FUZZ_BUILD_DIR:-build-fuzz}"
[ -e "$dir/test-media" ] || ln -s "$media" "$dir/test-media"  # generate_test_media then keeps it
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
# The suites that load the libtorch module, which the clang tree does not build (CMakeLists.txt says why).
torch_suites='IntroSimilarity.PredictWithAFusedModel|FeaturesTorchScript|FeaturesTextEncoder|ModelFeatureRecipe|ModelsIntroHeads|ModelsTraining|ModelsLearn|ModelsLabels|ModelsBadInput|ModuleLoader'
ctest --test-dir "$dir" -L fast -E "$torch_suites" -j "${VIDSEG_JOBS:-2}" --timeout 600 --output-on-failure "$@"
