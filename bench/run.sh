#!/usr/bin/env bash
# vidseg benchmarks: one command. See bench/README.md.
#
#   bash bench/run.sh            full run: 10-min 1080p input (moviepy on all segments: ~10-20 min) + 1-hour RSS
#   bash bench/run.sh --quick    moviepy on the first 12 segments only, extrapolated (--quick=N for N segments)
#   bash bench/run.sh --smoke    harness smoke test on a 20-s input (moviepy on 2 of its 4 segments)
# Other options: --only a,b,c,d,rss   --no-rss   --skip-build   --repeats R   (env VIDSEG=path: other binary)
#
# Steps: bench/.venv with the pinned moviepy stack (if missing) -> /usr/bin/time (apt package 'time', if
# missing) -> bash scripts/build.sh -> bench/make_media.sh bench/work/media -> bench/bench.py.
# Output: markdown table on stdout and in bench/work/results.md, raw figures in bench/work/results.json,
# per-command logs in bench/work/logs/. Exit status 0 only if every benchmark ran and met its target.
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$bench/.." && pwd)
cd "$root"

quick=0 smoke=0 build=1 only="a,b,c,d,rss" repeats=3
cmdline="bash bench/run.sh${*:+ $*}"
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=12 ;;
    --quick=*) quick=${1#--quick=} ;;
    --smoke) smoke=1 ;;
    --only) only=$2; shift ;;
    --only=*) only=${1#--only=} ;;
    --no-rss) only=${only//,rss/}; only=${only//rss,/}; [ "$only" = rss ] && only="" ;;
    --skip-build) build=0 ;;
    --repeats) repeats=$2; shift ;;
    --repeats=*) repeats=${1#--repeats=} ;;
    -h|--help) sed -n "2,12p" "$bench/run.sh" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$only" ] || { echo "bench/run.sh: nothing to run" >&2; exit 2; }
say() { echo "[run.sh] $*" >&2; }

# 1. venv with the users' moviepy stack
venv=$bench/.venv
if ! "$venv/bin/python" -c 'from moviepy.editor import VideoFileClip; VideoFileClip.subclip' 2>/dev/null; then
  say "creating $venv (moviepy 1.0.3)"
  py=$(command -v python3.11 || command -v python3)
  rm -rf "$venv"
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$bench/requirements.txt"
  "$venv/bin/python" -c 'from moviepy.editor import VideoFileClip; VideoFileClip.subclip'
fi

# 2. GNU time for the peak-RSS benchmark
if [[ ",$only," == *,rss,* ]] && [ ! -x /usr/bin/time ]; then
  say "installing Debian package 'time' (/usr/bin/time)"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo=sudo; fi
  $sudo apt-get update -qq && $sudo apt-get install -y -qq time >/dev/null
fi

# 3. build
if [ "$build" = 1 ]; then
  say "building vidseg (scripts/build.sh)"
  bash scripts/build.sh >&2 || { echo "bench/run.sh: build failed (bash scripts/build.sh); fix the build or use --skip-build" >&2; exit 1; }
fi
vidseg=${VIDSEG:-build/vidseg}
[ -x "$vidseg" ] || { echo "bench/run.sh: $vidseg not found (build failed?)" >&2; exit 1; }

# 4. media
media=$bench/work/media
args=(--vidseg "$vidseg" --python "$venv/bin/python" --media "$media" --work "$bench/work"
      --only "$only" --repeats "$repeats" --command "$cmdline")
if [ "$smoke" = 1 ]; then
  bash "$bench/make_media.sh" "$media" smoke >/dev/null
  [ "$quick" = 0 ] && quick=2
  args+=(--input "$media/smoke_20s.mp4" --rss-input "$media/smoke_20s.mp4")
else
  want=""
  [[ ",$only," =~ ,(a|b|c|d), ]] && want+=" 10m"
  [[ ",$only," == *,rss,* ]] && want+=" 1h"
  [[ ",$only," == *,d,* ]] && want+=" 10m_gop10"
  say "generating media (kept if present):$want"
  bash "$bench/make_media.sh" "$media" $want >/dev/null
fi
args+=(--quick "$quick")

# 5. benchmarks
say "running benchmarks: $only"
exec "$venv/bin/python" "$bench/bench.py" "${args[@]}"
