#!/usr/bin/env bash
# Configures and builds the sanitizer + fuzzing tree build-fuzz/ (clang-14, ASan + UBSan on everything,
# the libFuzzer targets of tests/fuzz/; CMake option VIDSEG_FUZZ). Separate from build/; ccache applies.
#   scripts/build_sanitizers.sh [TARGET...]   default: the fuzz targets, the unit tests and vidseg
# Environment: VIDSEG_JOBS (2), VIDSEG_FUZZ_BUILD_DIR (build-fuzz), VIDSEG_FUZZ_CC / _CXX (clang-14).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${VIDSEG_FUZZ_BUILD_DIR:-build-fuzz}"
if [ ! -f "$dir/build.ninja" ]; then
  # -O1 and line tables only: the usual sanitizer trade-off (fast compile, exact stack traces).
  CC="${VIDSEG_FUZZ_CC:-clang-14}" CXX="${VIDSEG_FUZZ_CXX:-clang++-14}" \
    cmake -S . -B "$dir" -G Ninja -DVIDSEG_FUZZ=ON -DVIDSEG_BUILD_TESTS=ON \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
      -DVIDSEG_PY="$PWD/build/pyenv/bin/python" >/dev/null
fi
[ $# -gt 0 ] || set -- vidseg_fuzzers vidseg_unit_tests vidseg
cmake --build "$dir" -j "${VIDSEG_JOBS:-2}" --target "$@"
