#!/usr/bin/env bash
# The installed layout (issue 12 §1): `cmake --install BUILD --prefix TMP`, then TMP/bin/vidseg serve
# without --web finds the UI in TMP/share/vidseg/web and serves it (the app's page at /, its hashed
# assets, the SPA fallback), and the API beside it.
set -euo pipefail
build=${1:?usage: web_install_test.sh BUILD_DIR}
tmp=$(mktemp -d)
server=
cleanup() { [[ -n $server ]] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [[ -f $tmp/serve.err ]] && tail -5 "$tmp/serve.err" >&2; exit 1; }

cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" || fail "cmake --install: $(tail -3 "$tmp/install.log")"
[[ -x $tmp/prefix/bin/vidseg ]] || fail "no bin/vidseg"
[[ -f $tmp/prefix/share/vidseg/web/index.html ]] || fail "no share/vidseg/web/index.html"
ls "$tmp/prefix/lib/vidseg/libvidseg_vision.so" >/dev/null || fail "no lib/vidseg/libvidseg_vision.so"

"$tmp/prefix/bin/vidseg" serve --data "$tmp/data" --listen 127.0.0.1:0 >"$tmp/serve.out" 2>"$tmp/serve.err" &
server=$!
url=
for _ in $(seq 1 300); do
  url=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$tmp/serve.out" | head -1 | sed 's/listening on //') || true
  [[ -n $url ]] && break
  kill -0 "$server" 2>/dev/null || fail "vidseg serve exited"
  sleep 0.1
done
[[ -n $url ]] || fail "vidseg serve did not start"
grep -q "\"web\":\"$tmp/prefix/share/vidseg/web\"" "$tmp/serve.err" || fail "the log does not name the installed UI"
index=$(curl -sf "$url/")
[[ $index == *'<div id="app"'* ]] || fail "/ is not the app's index.html: ${index:0:200}"
asset=$(grep -o '/assets/[^"]*\.js' <<<"$index" | head -1)
[[ -n $asset ]] || fail "index.html names no script"
cmp -s <(curl -sf "$url$asset") "$tmp/prefix/share/vidseg/web$asset" || fail "$asset differs from the installed file"
# Each page carries its own style nonce (CSP): compare the pages without it.
without_nonce() { sed -E 's/(name="vidseg-csp-nonce" content=")[^"]*/\1/'; }
[[ $(curl -sf "$url/datasets/3/review" | without_nonce) == "$(without_nonce <<<"$index")" ]] ||
  fail "an app path does not answer index.html"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$url/api/me") == 401 ]] || fail "/api/me without a session is not 401"
echo "ok: $url serves $tmp/prefix/share/vidseg/web"
