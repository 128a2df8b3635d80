#!/usr/bin/env bash
# Configures and builds vidseg into ./build (Release with debug info, Ninja, 2 jobs).
#   scripts/build.sh             everything: the product, its modules, the tests and benchmarks
#   scripts/build.sh --product   only `vidseg`, the modules it loads and the web UI (README command 1)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--product" ]; then
  # Tests stay configured if an earlier full build asked for them; only the product is built now.
  tests=$( [ -f build/CMakeCache.txt ] && grep -q '^VIDSEG_BUILD_TESTS:BOOL=ON' build/CMakeCache.txt && echo ON || echo OFF)
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIDSEG_BUILD_TESTS="$tests" >/dev/null
  # The web UI of `vidseg serve` too when npm is installed (CMake defines vidseg_web only then).
  web=$(command -v npm >/dev/null 2>&1 && echo vidseg_web || true)
  cmake --build build -j "${VIDSEG_JOBS:-2}" --target vidseg vidseg_torch vidseg_vision vidseg_http $web
else
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIDSEG_BUILD_TESTS=ON >/dev/null
  cmake --build build -j "${VIDSEG_JOBS:-2}"
fi
