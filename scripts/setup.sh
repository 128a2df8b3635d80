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

# Python test environment for tests/python (the real Hugging Face `datasets`, no PyTorch), rebuilt
# only when tests/python/requirements.txt changes.
root="$(cd "$(dirname "$0")/.." && pwd)"; venv="$root/build/pyenv"; req="$root/tests/python/requirements.txt"
if ! cmp -s "$req" "$venv/requirements.txt" 2>/dev/null; then
  echo "setup: installing Python test packages into $venv"
  rm -rf "$venv" && python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
  cp "$req" "$venv/requirements.txt"
fi
