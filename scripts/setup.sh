#!/usr/bin/env bash
# Installs what vidseg needs, by Debian package name (idempotent):
#   scripts/setup.sh            everything to build and test (the test peers' Python venvs too)
#   scripts/setup.sh --runtime  only what building and running the product needs (README command 1)
set -euo pipefail
runtime_only=0
[ "${1:-}" = "--runtime" ] && runtime_only=1
packages=(  # build and run
  build-essential cmake ninja-build pkg-config git ccache python3
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev
  ffmpeg espeak-ng
  nlohmann-json3-dev libsqlite3-dev libzip-dev libpugixml-dev libchromaprint-dev
  libcurl4-openssl-dev libopencv-dev opencv-data libtorch-dev libfftw3-dev libsodium-dev
  libcpp-httplib-dev libssl-dev libpqxx-dev
  curl  # tests/python/test_server_s3.py creates its bucket with curl --aws-sigv4
)
if [ "$runtime_only" = 0 ]; then
  packages+=(  # tests, test peers and benchmarks
    libgtest-dev libgmock-dev libchromaprint-tools clang-format python3-venv
    festvox-ru pocketsphinx-en-us asterisk-core-sounds-en hyperfine
    postgresql  # the PostgreSQL catalog and worker tests start their own server (initdb + pg_ctl)
    chromium  # the web UI's browser test (playwright-core drives it; nothing downloads a browser)
    clang-14 libclang-rt-14-dev llvm-14  # the sanitizer + libFuzzer tree (scripts/build_sanitizers.sh)
    wrk  # bench/server_load.py: API latency of `vidseg serve` at 200 connections
  )
fi
# Node.js and npm build the web UI (web/); a Node from elsewhere (e.g. NodeSource's nodejs, which
# bundles npm) is kept as it is.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ "$runtime_only" = 1 ] && exit 0

# Python environments, one per requirements file, each made once per content of its file and kept
# outside the checkout (a fresh clone, e.g. CI's, reuses them), linked from build/:
#   tests/python/requirements.txt         -> build/pyenv        (real Hugging Face `datasets`, no PyTorch)
#   tests/python/requirements-NAME.txt    -> build/pyenv-NAME   (peers that must not share a venv)
# in ${VIDSEG_CACHE_DIR:-~/.cache/vidseg}/venvs/<name>-<hash of the file>. Deleting them is always safe.
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${VIDSEG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vidseg}"
mkdir -p "$root/build" "$cache/venvs"
make_venv() {  # make_venv LINK REQUIREMENTS_FILE
  local link="$1" req="$2" venv
  venv="$cache/venvs/$(basename "$link")-$(sha256sum "$req" | cut -c1-16)"
  if ! cmp -s "$req" "$venv/requirements.txt" 2>/dev/null; then  # the copy is written last: complete
    echo "setup: installing Python packages of ${req#$root/} into $venv"
    rm -rf "$venv" && python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
    cp "$req" "$venv/requirements.txt"
  fi
  if [ "$(readlink "$link" 2>/dev/null)" != "$venv" ]; then
    rm -rf "$link" && ln -s "$venv" "$link"
  fi
}
make_venv "$root/build/pyenv" "$root/tests/python/requirements.txt"
for req in "$root"/tests/python/requirements-*.txt; do
  [ -e "$req" ] || continue
  name=$(basename "$req" .txt); name=${name#requirements-}
  make_venv "$root/build/pyenv-$name" "$req"
done

# The real S3 server of the storage tests (versitygw, Apache-2.0), built once per version with Go into
# $cache/peers/ (outside the clone). Needs Go >= 1.21 (it fetches the toolchain versitygw asks for).
if command -v go >/dev/null 2>&1; then
  echo "setup: versitygw at $(VIDSEG_CACHE_DIR="$cache" "$root/tests/peers/versitygw.sh")"
else
  echo "setup: WARNING: Go is not installed; the S3 storage tests need it to build versitygw (tests/peers/versitygw.sh)" >&2
fi
