#!/usr/bin/env bash
# README command 2: set up a fresh machine, build, generate test media and run every test.
# Pass ctest arguments to narrow it, e.g. scripts/test.sh -L fast
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
cd build
ctest --output-on-failure -j 2 --timeout 900 "$@"
