#!/usr/bin/env bash
# Installs everything vidseg needs to build and test, by Debian package name (idempotent).
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config git
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev
  ffmpeg espeak-ng
  nlohmann-json3-dev libgtest-dev libgmock-dev libsqlite3-dev
  libzip-dev libpugixml-dev
  libchromaprint-dev libchromaprint-tools
  clang-format python3 python3-venv
  ccache libcurl4-openssl-dev libopencv-dev opencv-data libdlib-dev libtorch-dev
  festvox-ru pocketsphinx-en-us asterisk-core-sounds-en hyperfine libfftw3-dev
  libsodium-dev libcpp-httplib-dev libssl-dev
)
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

# Python environments, one per requirements file, each rebuilt only when its file changes:
#   tests/python/requirements.txt         -> build/pyenv        (real Hugging Face `datasets`, no PyTorch)
#   tests/python/requirements-NAME.txt    -> build/pyenv-NAME   (peers that must not share a venv)
root="$(cd "$(dirname "$0")/.." && pwd)"
make_venv() {  # make_venv VENV_DIR REQUIREMENTS_FILE
  local venv="$1" req="$2"
  if ! cmp -s "$req" "$venv/requirements.txt" 2>/dev/null; then
    echo "setup: installing Python packages of ${req#$root/} into ${venv#$root/}"
    rm -rf "$venv" && python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
    cp "$req" "$venv/requirements.txt"
  fi
}
make_venv "$root/build/pyenv" "$root/tests/python/requirements.txt"
for req in "$root"/tests/python/requirements-*.txt; do
  [ -e "$req" ] || continue
  name=$(basename "$req" .txt); name=${name#requirements-}
  make_venv "$root/build/pyenv-$name" "$req"
done

# The real S3 server of the storage tests (versitygw, Apache-2.0), built once per version with Go into
# ~/.cache/vidseg/peers/ (outside the clone). Needs Go >= 1.21 (it fetches the toolchain versitygw asks for).
if command -v go >/dev/null 2>&1; then
  echo "setup: versitygw at $("$root/tests/peers/versitygw.sh")"
else
  echo "setup: WARNING: Go is not installed; the S3 storage tests need it to build versitygw (tests/peers/versitygw.sh)" >&2
fi
