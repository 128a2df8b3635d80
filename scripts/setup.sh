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
  clang-format python3
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
