#!/usr/bin/env python3
"""vidseg benchmark harness (stdlib only). Normally started by bench/run.sh, which prepares the venv,
the build and the media first. Writes a markdown table to stdout and to WORK/results.md, raw figures to
WORK/results.json, one log per command run to WORK/logs/. Exit status: 0 if every benchmark ran, its
outputs were complete and its target was met; 1 otherwise (a failed command is reported with its log).
"""
from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

VIDEO_EXT = {".mp4", ".mkv", ".mov", ".m4v", ".webm", ".ts", ".avi"}
IMAGE_EXT = {".jpg", ".jpeg", ".png", ".webp"}
SLOW_SECONDS = 60.0  # a timed command whose first run takes longer than this is not repeated


class CommandFailed(Exception):
    pass


class CountMismatch(Exception):
    pass


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------- running


class Runner:
    def __init__(self, work: Path):
        self.logs = work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)

    def run(self, name: str, argv: list[str], cwd: Path | None = None) -> tuple[float, int, str]:
        """Runs argv; returns (wall seconds, child's max RSS in KiB, stdout). Raises CommandFailed."""
        logf = self.logs / f"{name}.log"
        with open(logf, "w") as err:
            err.write("$ " + shlex.join(argv) + "\n")
            err.flush()
            t = time.perf_counter()
            p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, text=True)
            out = p.stdout.read()  # type: ignore[union-attr]
            _, status, ru = os.wait4(p.pid, 0)
            wall = time.perf_counter() - t
            p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            lines = [l for l in logf.read_text(errors="replace").splitlines(keepends=True)
                     if not l.startswith("\t") and not l.startswith("Command exited with")]
            tail = "".join(lines[-15:])
            raise CommandFailed(
                f"command failed with exit code {p.returncode}: {shlex.join(argv)}\n"
                f"  log: {logf}\n  last lines:\n" + "".join("    " + l for l in tail.splitlines(keepends=True))
            )
        return wall, int(ru.ru_maxrss), out


def fresh_dir(path: Path, create: bool = True) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    if create:
        path.mkdir(parents=True)
    return path


def count_files(root: Path) -> tuple[int, int]:
    """(video files, image files) anywhere under root."""
    videos = images = 0
    for p in root.rglob("*"):
        if p.is_file() and not p.name.startswith("."):
            ext = p.suffix.lower()
            videos += ext in VIDEO_EXT
            images += ext in IMAGE_EXT
    return videos, images


def check_counts(what: str, root: Path, expect: int, videos: bool, images: bool) -> str:
    v, i = count_files(root)
    problems = []
    if videos and v != expect:
        problems.append(f"{v} clips")
    if images and i != expect:
        problems.append(f"{i} images")
    if problems:
        raise CountMismatch(f"{what}: produced {' and '.join(problems)} in {root}, expected {expect} (one per segment)")
    parts = ([f"{v} clips"] if videos else []) + ([f"{i} images"] if images else [])
    return " + ".join(parts)


def warm_cache(path: Path) -> None:
    t = time.perf_counter()
    with open(path, "rb") as f:
        while f.read(8 << 20):
            pass
    log(f"page cache warmed: {path.name} ({path.stat().st_size / 1e6:.0f} MB, {time.perf_counter() - t:.1f} s)")


def ffprobe_duration(path: Path) -> float:
    """Duration of the first video stream (the segment grid is defined on the video)."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=duration:format=duration",
         "-of", "json", str(path)], check=True, capture_output=True, text=True).stdout
    j = json.loads(out)
    for s in j.get("streams", []):
        if s.get("duration") not in (None, "N/A"):
            return float(s["duration"])
    return float(j["format"]["duration"])


# ---------------------------------------------------------------------------------------------- timing


def timed(runner: Runner, name: str, make_argv, out_dir: Path, repeats: int, check, create_out: bool = True) -> dict:
    """Best-of-`repeats` wall time (a run slower than SLOW_SECONDS is not repeated). `make_argv(out_dir)`
    gives the command; the output dir is emptied before every run (untimed); `check(out_dir)` validates
    the last run's output and returns a short description."""
    walls, rss = [], []
    for k in range(repeats):
        fresh_dir(out_dir, create=create_out)
        wall, maxrss, _ = runner.run(f"{name}.run{k + 1}", make_argv(out_dir))
        walls.append(wall)
        rss.append(maxrss)
        log(f"  {name} run {k + 1}: {wall:.2f} s, max RSS {maxrss / 1024:.0f} MiB")
        if wall > SLOW_SECONDS:
            break
    return {"seconds": min(walls), "runs": walls, "max_rss_kib": max(rss), "outputs": check(out_dir)}


# ---------------------------------------------------------------------------------------------- main


def fmt_s(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:.2f} s" if x < 100 else f"{x:.0f} s ({x / 60:.1f} min)"


def machine_info(venv_python: str) -> dict:
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ff = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.splitlines()
    mem = "?"
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    mp = subprocess.run([venv_python, "-c", "import moviepy, imageio_ffmpeg as f; "
                         "print(moviepy.__version__, f.__version__, f.get_ffmpeg_version())"],
                        capture_output=True, text=True).stdout.split()
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": mem,
            "ffmpeg": " ".join(ff[0].split()[:3]) if ff else "?",
            "moviepy": (f"moviepy {mp[0]}, imageio-ffmpeg {mp[1]} (bundled ffmpeg {mp[2]})" if len(mp) == 3 else "?"),
            "kernel": platform.release(), "python": platform.python_version()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--vidseg", required=True)
    ap.add_argument("--python", required=True, help="python of the venv with moviepy")
    ap.add_argument("--media", required=True, type=Path)
    ap.add_argument("--work", required=True, type=Path)
    ap.add_argument("--input", type=Path, help="benchmark input (default MEDIA/lesson_10m.mp4)")
    ap.add_argument("--rss-input", type=Path, help="peak-RSS input (default MEDIA/lesson_1h.mp4)")
    ap.add_argument("--segment", type=float, default=5.0)
    ap.add_argument("--quick", type=int, default=0, metavar="N",
                    help="run moviepy on the first N segments only and extrapolate (0 = all)")
    ap.add_argument("--repeats", type=int, default=3, help="best of R for the fast commands (default 3)")
    ap.add_argument("--only", default="a,b,c,rss", help="comma-separated subset of a,b,c,d,rss")
    ap.add_argument("--command", default="bash bench/run.sh", help="the command line, for the report")
    args = ap.parse_args()

    here = Path(__file__).resolve().parent
    vidseg = str(Path(args.vidseg).resolve())
    media: Path = args.media.resolve()
    work: Path = args.work.resolve()
    video: Path = (args.input or media / "lesson_10m.mp4").resolve()
    rss_video: Path = (args.rss_input or media / "lesson_1h.mp4").resolve()
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    seg = args.segment
    seg_arg = f"{seg:g}"
    out_root = work / "out"
    runner = Runner(work)

    duration = ffprobe_duration(video)
    n_seg = max(1, math.ceil(duration / seg - 1e-3))
    mids = [(i * seg + min((i + 1) * seg, duration)) / 2 for i in range(n_seg)]
    log(f"input {video.name}: {duration:.3f} s -> {n_seg} segments of {seg_arg} s")

    rows: list[dict] = []
    failures: list[str] = []

    def bench(key: str, title: str, target: str, vid, ref=None, compare=None, ref_after_failure=True) -> None:
        """vid(row) runs the vidseg half (first: it fails fast while the commands are missing); ref(row) the
        reference half, also after a vidseg failure when ref_after_failure; compare(row) sets ratio/pass."""
        row = {"key": key, "benchmark": title, "target": target, "pass": False, "notes": []}
        rows.append(row)
        log(f"== ({key}) {title}")

        def attempt(fn) -> bool:
            try:
                fn(row)
                return True
            except (CommandFailed, CountMismatch) as e:
                row.setdefault("error", str(e))
                row["notes"].append("FAILED: " + str(e).splitlines()[0])
                failures.append(f"({key}) {title}: {e}")
                log(f"FAILED ({key}): {e}")
                return False

        ok = attempt(vid)
        if ref is None:
            return
        if not ok and not ref_after_failure:
            row["notes"].append("reference not run because vidseg failed")
            return
        if attempt(ref) and ok and compare:
            compare(row)

    # (a) prepare --mode exact vs moviepy --------------------------------------------------------------
    def time_vidseg(row: dict, key: str, command: list, videos: bool, images: bool) -> None:
        """Times `vidseg COMMAND V --segment S ... --out OUT` and checks one output per segment."""
        row["command"] = "vidseg " + " ".join([command[0], "V", "--segment", seg_arg, *command[1:], "--out", "OUT"])
        r = timed(runner, key, lambda o: [vidseg, command[0], str(video), "--segment", seg_arg, *command[1:],
                                          "--out", str(o)],
                  out_root / key, args.repeats,
                  lambda o: check_counts(f"vidseg {command[0]}", o, n_seg, videos=videos, images=images),
                  create_out=False)
        row.update(vidseg_seconds=r["seconds"], vidseg_runs=r["runs"], vidseg_max_rss_kib=r["max_rss_kib"],
                   outputs=r["outputs"])

    def a_vid(row: dict) -> None:
        time_vidseg(row, "a_vidseg", ["prepare", "--mode", "exact"], videos=True, images=True)

    def a_ref(row: dict) -> None:
        row["reference_command"] = f"moviepy_prepare.py V --segment {seg_arg} --out OUT"
        mp_out = fresh_dir(out_root / "a_moviepy")
        argv = [args.python, str(here / "moviepy_prepare.py"), str(video), "--segment", seg_arg, "--out", str(mp_out)]
        n_mp = n_seg
        if args.quick and args.quick < n_seg:
            argv += ["--limit", str(args.quick)]
            n_mp = args.quick
        log(f"  moviepy on {n_mp} of {n_seg} segments (run once: slow)")
        wall, maxrss, out = runner.run("a_moviepy", argv)
        info = json.loads(out.strip().splitlines()[-1])
        check_counts("moviepy", mp_out, n_mp, videos=True, images=True)
        row["reference_extrapolated"] = n_mp < n_seg
        if n_mp < n_seg:
            per = sum(info["segment_seconds"]) / len(info["segment_seconds"])
            refs = wall + (n_seg - n_mp) * per
            row["notes"].append(f"moviepy extrapolated from {n_mp} of {n_seg} segments: measured {wall:.1f} s "
                                f"+ {n_seg - n_mp} x {per:.2f} s/segment")
        else:
            refs = wall
        row.update(reference_seconds=refs, reference_measured_seconds=wall, reference_segments_run=n_mp,
                   reference_max_rss_kib=maxrss)
        log(f"  moviepy: {wall:.1f} s measured -> {refs:.1f} s for {n_seg} segments")

    def a_cmp(row: dict) -> None:
        row["ratio"] = row["reference_seconds"] / row["vidseg_seconds"]
        row["ratio_text"] = speedup_text(row["ratio"])
        row["pass"] = row["ratio"] >= 10.0

    # (b) cut --mode copy vs ffmpeg -f segment ---------------------------------------------------------
    def b_vid(row: dict) -> None:
        time_vidseg(row, "b_vidseg", ["cut", "--mode", "copy"], videos=True, images=False)

    def b_ref(row: dict) -> None:
        row["reference_command"] = (f"ffmpeg -v error -i V -map 0 -c copy -f segment -segment_time {seg_arg} "
                                    "-reset_timestamps 1 OUT/seg_%05d.mp4")
        ref = timed(runner, "b_ffmpeg_segment",
                    lambda o: ["ffmpeg", "-v", "error", "-i", str(video), "-map", "0", "-c", "copy", "-f", "segment",
                               "-segment_time", seg_arg, "-reset_timestamps", "1", str(o / "seg_%05d.mp4")],
                    out_root / "b_ffmpeg", args.repeats,
                    lambda o: check_counts("ffmpeg -f segment", o, n_seg, videos=True, images=False))
        row.update(reference_seconds=ref["seconds"], reference_runs=ref["runs"])

    def b_cmp(row: dict) -> None:
        row["ratio"] = row["vidseg_seconds"] / row["reference_seconds"]
        row["ratio_text"] = f"{row['ratio']:.2f}x ffmpeg's time"
        row["pass"] = row["ratio"] <= 1.5

    # (c) keyframes vs one ffmpeg per keyframe ---------------------------------------------------------
    def c_vid(row: dict) -> None:
        time_vidseg(row, "c_vidseg", ["keyframes"], videos=False, images=True)

    def c_ref(row: dict) -> None:
        shown = " ".join(fmt_t(t) for t in mids[:2])
        row["reference_command"] = (f"for T in {shown} ...: ffmpeg -v error -ss T -i V -frames:v 1 -q:v 2 OUT/k_i.jpg"
                                    f" ({n_seg} processes, bench/ffmpeg_keyframe_loop.sh)")
        ref = timed(runner, "c_ffmpeg_loop",
                    lambda o: ["bash", str(here / "ffmpeg_keyframe_loop.sh"), str(video), str(o)] + [fmt_t(t) for t in mids],
                    out_root / "c_ffmpeg", args.repeats,
                    lambda o: check_counts("ffmpeg per-keyframe loop", o, n_seg, videos=False, images=True))
        row.update(reference_seconds=ref["seconds"], reference_runs=ref["runs"])

    def c_cmp(row: dict) -> None:
        row["ratio"] = row["reference_seconds"] / row["vidseg_seconds"]
        row["ratio_text"] = speedup_text(row["ratio"])
        row["pass"] = row["ratio"] >= 5.0

    # (d) keyframes --nearest-keyframe vs exact keyframes, on the same pictures with a 10-s GOP ---------
    gop10 = media / "lesson_10m_gop10.mp4"

    def d_run(row: dict, key: str, extra: list) -> dict:
        n = max(1, math.ceil(ffprobe_duration(gop10) / seg - 1e-3))
        warm_cache(gop10)
        return timed(runner, key, lambda o: [vidseg, "keyframes", str(gop10), "--segment", seg_arg, *extra, "--out", str(o)],
                     out_root / key, args.repeats,
                     lambda o: check_counts(f"vidseg keyframes {' '.join(extra)}", o, n, videos=False, images=True),
                     create_out=False)

    def d_vid(row: dict) -> None:
        row["input"] = gop10.name
        row["command"] = f"vidseg keyframes {gop10.name} --segment {seg_arg} --nearest-keyframe --out OUT"
        r = d_run(row, "d_nearest", ["--nearest-keyframe"])
        row.update(vidseg_seconds=r["seconds"], vidseg_runs=r["runs"], outputs=r["outputs"])

    def d_ref(row: dict) -> None:
        row["reference_command"] = f"vidseg keyframes {gop10.name} --segment {seg_arg} --out OUT (exact frames)"
        r = d_run(row, "d_exact", [])
        row.update(reference_seconds=r["seconds"], reference_runs=r["runs"])

    def d_cmp(row: dict) -> None:
        row["ratio"] = row["reference_seconds"] / row["vidseg_seconds"]
        row["ratio_text"] = speedup_text(row["ratio"])
        row["pass"] = row["ratio"] >= 10.0

    # peak RSS on the 1-hour input ---------------------------------------------------------------------
    def rss_vid(row: dict) -> None:
        rdur = ffprobe_duration(rss_video)
        rn = max(1, math.ceil(rdur / seg - 1e-3))
        row["input"] = f"{rss_video.name} ({rdur / 60:.1f} min, {rn} segments)"
        row["command"] = f"/usr/bin/time -v vidseg prepare {rss_video.name} --segment {seg_arg} --mode exact --out OUT"
        tv = "/usr/bin/time"
        if not os.path.exists(tv):
            raise CommandFailed("/usr/bin/time is missing (Debian package 'time'; bench/run.sh installs it)")
        warm_cache(rss_video)
        out = fresh_dir(out_root / "rss_vidseg", create=False)
        wall, _, _ = runner.run("rss_vidseg", [tv, "-v", vidseg, "prepare", str(rss_video), "--segment", seg_arg,
                                               "--mode", "exact", "--out", str(out)])
        text = (runner.logs / "rss_vidseg.log").read_text(errors="replace")
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        e = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
        if not m:
            raise CommandFailed(f"no 'Maximum resident set size' in {runner.logs / 'rss_vidseg.log'}")
        row["max_rss_kib"] = int(m.group(1))
        row["vidseg_seconds"] = wall
        row["time_v_elapsed"] = e.group(1) if e else None
        log(f"  peak RSS {row['max_rss_kib'] / 1024:.0f} MiB, {wall:.1f} s")
        row["outputs"] = check_counts("vidseg prepare (long input)", out, rn, videos=True, images=True)
        row["ratio_text"] = f"{row['max_rss_kib'] / 1024:.0f} MiB peak RSS"
        row["pass"] = row["max_rss_kib"] / 1024 < 300.0

    if only & {"a", "b", "c", "d"}:
        warm_cache(video)
    if "a" in only:
        # moviepy on all segments takes many minutes: after a vidseg failure only in --quick/--smoke runs
        bench("a", "prepare --mode exact vs moviepy subclip+write_videofile+get_frame", ">= 10x faster",
              a_vid, a_ref, a_cmp, ref_after_failure=bool(args.quick))
    if "b" in only:
        bench("b", "cut --mode copy vs ffmpeg -f segment -c copy", "<= 1.5x ffmpeg's time", b_vid, b_ref, b_cmp)
    if "c" in only:
        bench("c", "keyframes vs one ffmpeg -ss process per keyframe", ">= 5x faster", c_vid, c_ref, c_cmp)
    if "d" in only:
        bench("d", "keyframes --nearest-keyframe (approximate) vs exact keyframes", ">= 10x faster", d_vid, d_ref,
              d_cmp)
    if "rss" in only:
        bench("rss", "peak RSS, prepare --mode exact on the long input", "< 300 MiB", rss_vid)

    info = machine_info(args.python)
    md = render(rows, info, video, duration, n_seg, seg_arg, args)
    print(md)
    (work / "results.md").write_text(md)
    (work / "results.json").write_text(json.dumps({
        "date": datetime.datetime.now().isoformat(timespec="seconds"), "command": args.command, "machine": info,
        "input": str(video), "duration": duration, "segments": n_seg, "segment_seconds": seg,
        "quick_segments": args.quick or None, "benchmarks": rows}, indent=2))
    log(f"wrote {work / 'results.md'} and {work / 'results.json'}; logs in {runner.logs}")
    if failures:
        log("FAILED benchmarks:\n" + "\n".join("  " + f.splitlines()[0] for f in failures))
        return 1
    missed = [r["key"] for r in rows if not r["pass"]]
    if missed:
        log("targets missed: " + ", ".join(missed))
        return 1
    return 0


def speedup_text(r: float) -> str:
    return f"{r:.1f}x faster" if r >= 1 else f"{r:.2f}x (slower)"


def fmt_t(t: float) -> str:
    return f"{t:.3f}".rstrip("0").rstrip(".")


def render(rows: list[dict], info: dict, video: Path, duration: float, n_seg: int, seg_arg: str, args) -> str:
    L = []
    L.append(f"## vidseg benchmarks — {datetime.date.today().isoformat()}")
    L.append("")
    L.append(f"Command: `{args.command}`  ")
    L.append(f"Machine: {info['nproc']} cores, {info['cpu']}, {info['memory']}; {info['ffmpeg']}  ")
    L.append(f"Reference stack: {info['moviepy']}  ")
    L.append(f"Input: `{video.name}`, {duration:.1f} s ({duration / 60:.1f} min), {n_seg} segments of {seg_arg} s; "
             f"wall-clock, page cache warm, best of {args.repeats} (once if a run > {SLOW_SECONDS:.0f} s; moviepy once)")
    L.append("")
    L.append("| benchmark | vidseg | reference | ratio | target | result |")
    L.append("|---|---|---|---|---|---|")
    for r in rows:
        status = "PASS" if r["pass"] else ("FAIL (error)" if "error" in r else "FAIL")
        if r["key"] == "rss":
            vid = (f"{r['max_rss_kib'] / 1024:.0f} MiB, {fmt_s(r.get('vidseg_seconds'))}"
                   if "max_rss_kib" in r else "—")
            L.append(f"| ({r['key']}) {r['benchmark']}: {r.get('input', '')} | {vid} | — | — | {r['target']} | {status} |")
            continue
        ref = fmt_s(r.get("reference_seconds"))
        if r.get("reference_extrapolated"):
            ref += f" (extrapolated from {r['reference_segments_run']} of {n_seg} segments)"
        ratio = r.get("ratio_text", "—")
        L.append(f"| ({r['key']}) {r['benchmark']} | {fmt_s(r.get('vidseg_seconds'))} | {ref} | {ratio} | "
                 f"{r['target']} | {status} |")
    L.append("")
    notes = []
    for r in rows:
        for n in r["notes"]:
            notes.append(f"- ({r['key']}) {n}")
        if "outputs" in r:
            notes.append(f"- ({r['key']}) vidseg outputs checked: {r['outputs']}"
                         + (f"; vidseg max RSS {r['vidseg_max_rss_kib'] / 1024:.0f} MiB" if "vidseg_max_rss_kib" in r else ""))
    if notes:
        L.append("Notes:")
        L.extend(notes)
        L.append("")
    L.append("Commands (V = input, OUT = fresh output dir):")
    for r in rows:
        if "command" in r:
            L.append(f"- ({r['key']}) `{r['command']}`" + (f" vs `{r['reference_command']}`" if "reference_command" in r else ""))
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    sys.exit(main())
