#!/usr/bin/env bash
# Configures and builds vidseg into ./build (Release with debug info, Ninja, 2 jobs).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "${VIDSEG_JOBS:-2}"
