#!/usr/bin/env bash
# Builds the versitygw S3 server (Apache-2.0) used by the storage integration tests as a real S3 peer
# on loopback, once per version, into a cache folder outside the clone; prints the binary's path.
# Needs Go and the Go module proxy; the build takes a few minutes of CPU the first time.
# Usage: tests/peers/versitygw.sh            -> builds if missing, prints the path
#        VIDSEG_PEERS_CACHE=DIR overrides the cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/vidseg/peers).
set -euo pipefail

version=v1.8.0
cache_root=${VIDSEG_PEERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vidseg/peers}
prefix=$cache_root/versitygw-$version
binary=$prefix/bin/versitygw

if [[ -x $binary ]]; then
    echo "$binary"
    exit 0
fi
if ! command -v go >/dev/null 2>&1; then
    echo "versitygw.sh: Go is not installed (needed to build versitygw $version)" >&2
    exit 1
fi
mkdir -p "$prefix"
# A private GOBIN keeps the binary out of the user's Go tree until it is complete; the module cache is shared.
work=$(mktemp -d "$prefix/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
GOBIN=$work/bin GOFLAGS=-mod=mod GOTOOLCHAIN=${GOTOOLCHAIN:-auto} nice -n 10 go install "github.com/versity/versitygw/cmd/versitygw@$version" >&2
mkdir -p "$prefix/bin"
mv "$work/bin/versitygw" "$binary.tmp"
mv "$binary.tmp" "$binary"
echo "$binary"
