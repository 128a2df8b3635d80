#!/usr/bin/env python3
"""Speed of intro detection on a whole generated season (issue 16 §1) against fingerprinting its audio alone.

  python3 bench/intro/season_speed.py --vidseg build/vidseg --season bench/work/intro/season100/season_100_eps_20s \
      [--runs 3] [--results speed.md] [--detect-arg=--threads=1 ...]

Side by side in one run, each command `--runs` times (best wall; CPU = user + sys of the cheapest run, all
threads and child processes), the page cache warm:
  - `vidseg intro detect --dir SEASON --no-cache -q --predictions P` (the default: audio first, pictures when
    the sound leaves an episode in doubt), then `vidseg intro eval` of P against the season's labels.json;
  - the same with `--audio-only`;
  - `fpcalc -length 1020 EP` for every episode, one after the other and two at once (`xargs -P 2`, both cores,
    as the detector uses them) — 1020 s = the detector's default window (--max-start 900 + --max-length 120);
  - `ffmpeg -t 1020 -i EP -f chromaprint -y /dev/null` for every episode, one after the other and two at once.
Prints the CPU model, its x86-64 level and SIMD flags, the load average before / after every command and the
ratios to the references measured in the same run.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evaluate import children_cpu, run  # noqa: E402

SPAN = 1020


def cpu_line():
    model, flags = "?", set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and model == "?":
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    level = "x86-64-v4" if "avx512f" in flags else "x86-64-v3" if {"avx2", "fma", "bmi2"} <= flags else \
        "x86-64-v2" if "sse4_2" in flags else "x86-64"
    simd = " ".join(f for f in ("sse4_2", "popcnt", "avx", "avx2", "fma", "avx512f", "avx512vpopcntdq") if f in flags)
    return "%s, %d cores, %s (%s%s)" % (model, os.cpu_count() or 0, level, simd, "" if "avx512f" in flags else ", no avx512")


def timed(fn, runs):
    """[(wall, cpu, load before)] of each run."""
    out = []
    for _ in range(runs):
        load = os.getloadavg()[0]
        cpu0 = children_cpu()
        t0 = time.monotonic()
        fn()
        out.append((time.monotonic() - t0, children_cpu() - cpu0, load))
    return out


def run_reference(cmd):
    """fpcalc 1.5 with FFmpeg 5 exits 3 ("Error decoding audio frame (End of file)") after printing the
    fingerprint: a reference run counts when it printed one (or, for ffmpeg, exited 0)."""
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if res.returncode != 0 and "FINGERPRINT=" not in res.stdout:
        raise RuntimeError("failed (%d): %s\n%s" % (res.returncode, " ".join(cmd), res.stderr[-2000:]))


def sequential(cmds):
    return lambda: [run_reference(c) for c in cmds]


def two_at_once(cmds):
    def go():
        pending, procs = list(cmds), []
        while pending or procs:
            while pending and len(procs) < 2:
                c = pending.pop(0)
                procs.append((subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), c))
            p, c = procs.pop(0)
            out, err = p.communicate()
            if p.returncode != 0 and "FINGERPRINT=" not in out:
                raise RuntimeError("failed: %s\n%s" % (" ".join(c), err[-2000:]))
    return go


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vidseg", required=True)
    ap.add_argument("--season", required=True, help="a season folder (episodes + labels.json)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--results", help="write the markdown table here")
    ap.add_argument("--detect-arg", action="append", default=[], help="extra argument for vidseg intro detect")
    ap.add_argument("--labels", help="labels of the episodes (default SEASON/labels.json)")
    ap.add_argument("--no-reference", action="store_true", help="time vidseg only")
    args = ap.parse_args()
    folder = os.path.abspath(args.season)
    eps = sorted(os.path.join(folder, f) for f in os.listdir(folder)
                 if f.split(".")[-1] in ("mp4", "mkv", "avi", "webm", "m4a") and not f.endswith(".spec"))
    for e in eps:  # warm page cache
        with open(e, "rb") as f:
            while f.read(1 << 22):
                pass
    pred = os.path.abspath(os.path.join(folder, "..", os.path.basename(folder) + "_predictions.json"))
    detect = [args.vidseg, "intro", "detect", "--dir", folder, "--no-cache", "-q", "--predictions", pred] + \
        args.detect_arg
    rows = []  # (name, [(wall, cpu, load)])
    rows.append(("`vidseg intro detect --dir SEASON --no-cache`", timed(lambda: run(detect), args.runs)))
    accuracy = None
    labels = args.labels or os.path.join(folder, "labels.json")
    if os.path.exists(labels):
        doc = json.loads(run([args.vidseg, "intro", "eval", "--pred", pred, "--labels", labels, "--json"]).stdout)
        m = doc["metrics"]
        accuracy = "mean IoU %.3f, boundaries within ±0.5 s %.2f, presence accuracy %.2f (false %d, missed %d)" % (
            m["mean_iou"], m["boundaries_within_0_5s"], m["presence"]["accuracy"], m["presence"]["fp"],
            m["presence"]["fn"])
    rows.append(("same with `--audio-only`", timed(lambda: run(detect + ["--audio-only"]), args.runs)))
    if not args.no_reference:
        if shutil.which("fpcalc"):
            fp = [["fpcalc", "-length", str(SPAN), e] for e in eps]
            rows.append(("`fpcalc -length %d EP`, every episode, one after the other" % SPAN,
                         timed(sequential(fp), args.runs)))
            rows.append(("`fpcalc`, two episodes at once (both cores)", timed(two_at_once(fp), args.runs)))
        ff = [["ffmpeg", "-nostdin", "-v", "error", "-t", str(SPAN), "-i", e, "-f", "chromaprint", "-y", "/dev/null"]
              for e in eps]
        rows.append(("`ffmpeg -t %d -i EP -f chromaprint`, one after the other" % SPAN, timed(sequential(ff), args.runs)))
        rows.append(("`ffmpeg -f chromaprint`, two at once", timed(two_at_once(ff), args.runs)))
    load_after = os.getloadavg()[0]

    def best(r):
        return min(x[0] for x in r[1]), min(x[1] for x in r[1])

    ref = {name: best(r) for name, r in [(r[0], r) for r in rows]}
    fp_alone = next((best(r) for r in rows if r[0].startswith("`fpcalc -length")), None)
    fp_both = next((best(r) for r in rows if r[0].startswith("`fpcalc`, two")), None)
    lines = ["CPU: " + cpu_line(), "",
             "%d episodes, %d runs each (best wall; CPU = user + sys of the cheapest run); load average (1 min) "
             "before each run in brackets, %.1f at the end." % (len(eps), args.runs, load_after), "",
             "| command | wall s (best) | CPU s | wall per run [load] | wall vs fpcalc one after the other | "
             "wall vs fpcalc two at once | CPU vs fpcalc |", "|---|---|---|---|---|---|---|"]
    for name, r in rows:
        wall, cpu = ref[name]
        each = ", ".join("%.2f [%.1f]" % (w, load) for w, _, load in r)
        ratios = ("%.2fx" % (wall / fp_alone[0]), "%.2fx" % (wall / fp_both[0]), "%.2fx" % (cpu / fp_alone[1])) \
            if fp_alone and fp_both else ("–", "–", "–")
        lines.append("| %s | %.2f | %.2f | %s | %s | %s | %s |" % ((name, wall, cpu, each) + ratios))
    if accuracy:
        lines += ["", "Accuracy of the default run against labels.json: " + accuracy + "."]
    lines += ["", "Command: `" + " ".join(detect) + "`"]
    md = "\n".join(lines) + "\n"
    print(md)
    if args.results:
        with open(args.results, "w") as f:
            f.write(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
