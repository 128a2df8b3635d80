#!/usr/bin/env bash
# Benchmark of issue 3 §8 (first half): `vidseg dataset build` WITHOUT ASR vs the users' notebook approach
# (moviepy per fragment: subclip + write_videofile, get_frame(mid) -> JPEG, audio -> WAV), 200 labeled
# intervals (5-25 s) of a Label Studio export over the generated 1-hour lesson. Target: >= 20x faster.
#
#   bash bench/dataset/run.sh              moviepy on all 200 intervals (~1 h on 2 cores)
#   bash bench/dataset/run.sh --quick=N    moviepy on the first N intervals only; its total is extrapolated
#                                          per second of video cut (its cost is encoding), the report says so
# Env: VIDSEG=path of the binary (default build/vidseg), COUNT=number of intervals (default 200).
# Needs bench/.venv (made by bench/run.sh) and makes bench/work/media/lesson_1h.mp4 if missing.
# Output: a markdown table on stdout and in bench/work/dataset/results.md, raw figures in results.json.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
quick=0
for a in "$@"; do
  case $a in
    --quick) quick=10 ;;
    --quick=*) quick=${a#--quick=} ;;
    -h|--help) sed -n "2,12p" "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/dataset/run.sh: unknown option '$a'" >&2; exit 2 ;;
  esac
done
vidseg=${VIDSEG:-build/vidseg}
count=${COUNT:-200}
py=bench/.venv/bin/python
[ -x "$vidseg" ] || { echo "run.sh: $vidseg not found (build first or set VIDSEG)" >&2; exit 1; }
"$py" -c 'from moviepy.editor import VideoFileClip' 2>/dev/null ||
  { echo "run.sh: bench/.venv with moviepy missing (bash bench/run.sh --smoke creates it)" >&2; exit 1; }
bash bench/make_media.sh bench/work/media 1h >/dev/null
video=bench/work/media/lesson_1h.mp4
work=bench/work/dataset
rm -rf "$work"; mkdir -p "$work"
python3 "$here/make_export.py" lesson_1h.mp4 3600 "$work/export.json" --count "$count"

say() { echo "[dataset bench $(date +%H:%M:%S)] $*" >&2; }
# GNU time: wall seconds and CPU seconds (user + system, children included: moviepy's ffmpeg processes).
timed() { local out=$1; shift; /usr/bin/time -f "%e %U %S" -o "$out" "$@"; }
say "vidseg dataset build ($count intervals)"
cut -d' ' -f1 /proc/loadavg > "$work/load_start"
timed "$work/vidseg.time" "$vidseg" dataset build --yes --json --video "$video" --annotations "$work/export.json" \
  --out "$work/vidseg_ds" > "$work/vidseg.json" 2> "$work/vidseg.log"
cut -d' ' -f1 /proc/loadavg > "$work/load_vidseg_end"
say "vidseg re-run (nothing changed: everything reused)"
timed "$work/vidseg_rerun.time" "$vidseg" dataset build --yes --json --video "$video" --annotations "$work/export.json" \
  --out "$work/vidseg_ds" > "$work/vidseg_rerun.json" 2>> "$work/vidseg.log"
say "moviepy (${quick/#0/all} intervals)"
timed "$work/moviepy.time" "$py" "$here/moviepy_dataset.py" "$video" "$work/export.json" --out "$work/moviepy_ds" \
  --limit "$quick" > "$work/moviepy.json" 2> "$work/moviepy.log"

python3 - "$work" "bash bench/dataset/run.sh${*:+ $*}" "$vidseg" <<'PY'
import json, sys, os
work, cmd, vidseg = sys.argv[1], sys.argv[2], sys.argv[3]
def timing(name):
    e, u, s = open(f"{work}/{name}.time").read().split()[-3:]
    return float(e), float(u) + float(s)
(vid_t, vid_cpu), (rerun_t, _), (mp_wall, mp_cpu_all) = timing("vidseg"), timing("vidseg_rerun"), timing("moviepy")
load = open("/proc/loadavg").read().split()[0]
load_start = open(f"{work}/load_start").read().strip()
load_vidseg_end = open(f"{work}/load_vidseg_end").read().strip()
v = json.load(open(f"{work}/vidseg.json")); rerun = json.load(open(f"{work}/vidseg_rerun.json"))
m = json.loads(open(f"{work}/moviepy.json").read().strip().splitlines()[-1])
export = json.load(open(f"{work}/export.json"))
all_secs = sum(r["value"]["end"] - r["value"]["start"] for t in export for a in t["annotations"] for r in a["result"])
n, done = m["intervals_total"], m["intervals_done"]
assert v["fragments"] == n and v["written"], v
for d in ("videos", "images", "audio"):
    got = len(os.listdir(f"{work}/vidseg_ds/{d}"))
    assert got == n, (d, got, n)
assert rerun["reused_fragments"] == n and rerun["built_files"] == 0, rerun
done_secs = sum(m["video_seconds"]); per_item = sum(m["interval_seconds"])
scale = all_secs / done_secs  # moviepy's cost is encoding: it scales with the seconds of video cut
if done < n:
    mp_t = m["setup_seconds"] + per_item * scale
    mp_cpu = mp_cpu_all * scale  # (its setup CPU scaled too: slightly in its favour... against it; < 1 %)
    mp_txt = (f"{mp_t:.0f} s wall, {mp_cpu:.0f} s CPU (extrapolated from {done} of {n} intervals = {done_secs:.0f} of "
              f"{all_secs:.0f} s of video: setup {m['setup_seconds']:.1f} s + {per_item:.1f} s x {scale:.1f})")
else:
    mp_t, mp_cpu = m["total_seconds"], mp_cpu_all
    mp_txt = f"{mp_t:.0f} s wall, {mp_cpu:.0f} s CPU"
ratio = mp_t / vid_t
ratio_cpu = mp_cpu / vid_cpu
res = {"command": cmd, "vidseg": vidseg, "intervals": n, "video_seconds_cut": all_secs, "vidseg_seconds": vid_t,
       "vidseg_cpu_seconds": vid_cpu, "moviepy_cpu_seconds": mp_cpu, "ratio_cpu": ratio_cpu, "loadavg_end": load,
       "loadavg_start": load_start, "loadavg_after_vidseg": load_vidseg_end, "vidseg_cores_used": vid_cpu / vid_t,
       "vidseg_task_seconds": v.get("task_seconds"),
       "vidseg_rerun_seconds": rerun_t, "moviepy_seconds": mp_t, "moviepy_done": done, "ratio": ratio,
       "moviepy_per_interval": m["interval_seconds"]}
json.dump(res, open(f"{work}/results.json", "w"), indent=1)
md = (f"| benchmark | vidseg | reference | ratio | target | result |\n|---|---|---|---|---|---|\n"
      f"| `dataset build` (no ASR), {n} intervals / {all_secs/60:.0f} min of video from `lesson_1h.mp4`, vs moviepy per "
      f"fragment | {vid_t:.1f} s wall, {vid_cpu:.0f} s CPU | {mp_txt} | **{ratio:.1f}x faster (wall), {ratio_cpu:.1f}x less CPU** "
      f"| >= 20x | {'PASS' if ratio >= 20 else 'MISSED'} |\n"
      f"| re-run of the same build (all {n} fragments reused) | {rerun_t:.2f} s | — | — | — | — |\n")
open(f"{work}/results.md", "w").write(md)
print(md)
print(f"vidseg: {vid_t:.1f} s wall, {vid_cpu:.1f} s CPU (user+sys) = {vid_cpu / vid_t:.2f} cores used on average; "
      f"task thread-seconds {v.get('task_seconds')}")
print(f"RATIO wall {ratio:.1f}x, CPU {ratio_cpu:.1f}x (target >= 20x wall)")
print(f"load average (1 min): {load_start} before vidseg, {load_vidseg_end} after it, {load} at the end "
      f"({os.cpu_count()} cores; above ~0.5 the wall figures are not idle-machine figures)")
sys.exit(0 if ratio >= 20 else 1)
PY
