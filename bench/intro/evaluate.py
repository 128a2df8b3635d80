#!/usr/bin/env python3
"""Runs `vidseg intro detect` and `vidseg intro eval` on every generated series and writes the results table.

  evaluate.py --data DIR --vidseg BIN [--results results.md] [--assert-min mean_iou=0.6,presence_accuracy=0.9]
  evaluate.py --speed DIR --vidseg BIN [--results-speed speed.md]

Per series and overall: mean IoU, median start/end error (episodes where label and prediction both have an
intro), share of labeled boundaries within ±0.5 s, presence accuracy, the constant (5 s, 15 s) baseline's mean
IoU and presence accuracy, and the detect wall time. The overall row is `vidseg intro eval` on all series'
predictions and labels merged (ids prefixed with the series name). Failures (IoU < 0.9 or wrong presence) are
listed per episode. Exit status 1 when an --assert-min bound is missed.
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time


def run(cmd, **kw):
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if res.returncode != 0:
        raise RuntimeError("command failed (%d): %s\n%s" % (res.returncode, " ".join(cmd), res.stderr[-2000:]))
    return res


def children_cpu():
    """User + system CPU seconds of the finished child processes (the detector's own work, whatever the load)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def eval_json(vidseg, pred, labels):
    return json.loads(run([vidseg, "intro", "eval", "--pred", pred, "--labels", labels, "--json"]).stdout)


def summarize(doc):
    m, b = doc["metrics"], doc["baseline"]["metrics"]
    rows = m["per_episode"]
    starts = [r["start_error"] for r in rows if r.get("start_error") is not None]
    ends = [r["end_error"] for r in rows if r.get("end_error") is not None]
    return {
        "episodes": m["episodes"], "with_intro": m["with_intro"],
        "mean_iou": m["mean_iou"],
        "median_start_error": statistics.median(starts) if starts else None,
        "median_end_error": statistics.median(ends) if ends else None,
        "within_0_5s": m["boundaries_within_0_5s"], "within_1s": m["boundaries_within_1s"],
        "presence_accuracy": m["presence"]["accuracy"],
        "false_intros": m["presence"]["fp"], "missed_intros": m["presence"]["fn"],
        "frame_f1": m["frames_1fps"]["f1"],
        "baseline_mean_iou": b["mean_iou"], "baseline_presence_accuracy": b["presence"]["accuracy"],
        "baseline_within_0_5s": b["boundaries_within_0_5s"],
    }


def fmt(v, digits=3):
    if v is None:
        return "–"
    return ("%." + str(digits) + "f") % v


def failures(series, doc):
    out = []
    for r in doc["metrics"]["per_episode"]:
        label, pred = r["label"], r["pred"]
        bad_presence = bool(label) != bool(pred)
        if bad_presence or r["iou"] < 0.9:
            if not label and pred:
                why = "intro reported where there is none"
            elif label and not pred:
                why = "intro missed"
            else:
                why = "IoU %.2f (start %+.2f s, end %+.2f s)" % (r["iou"], pred[0] - label[0], pred[1] - label[1])
            out.append("%s/%s: label %s, predicted %s — %s" % (
                series, r["id"], "[%.2f, %.2f]" % tuple(label) if label else "none",
                "[%.2f, %.2f]" % tuple(pred) if pred else "none", why))
    return out


def accuracy(args):
    data = os.path.abspath(args.data)
    bench = json.load(open(os.path.join(data, "benchmark.json")))
    pred_dir = os.path.join(data, "predictions")
    if os.path.isdir(pred_dir):
        shutil.rmtree(pred_dir)
    os.makedirs(pred_dir)
    merged_pred, merged_labels, rows, fails, cases = {}, {}, [], [], {}
    total_time = total_cpu = 0.0
    # Accuracy runs time a cold detection: no fingerprint cache (the detector's default cache would make a
    # second run of the benchmark measure cache hits).
    help_text = run([args.vidseg, "intro", "detect", "--help"]).stdout
    no_cache = ["--no-cache"] if "--no-cache" in help_text else []
    for name in bench["series"]:
        folder = os.path.join(data, name)
        pred = os.path.join(pred_dir, name + ".json")
        t0, cpu0 = time.monotonic(), children_cpu()
        res = run([args.vidseg, "intro", "detect", "--dir", folder, "--predictions", pred, "-q"] + no_cache + args.detect_arg)
        dt, cpu = time.monotonic() - t0, children_cpu() - cpu0
        total_time += dt
        total_cpu += cpu
        labels = os.path.join(folder, "labels.json")
        doc = eval_json(args.vidseg, pred, labels)
        row = summarize(doc)
        row.update(series=name, detect_seconds=dt, detect_cpu_seconds=cpu)
        rows.append(row)
        fails += failures(name, doc)
        desc = json.load(open(os.path.join(folder, "series.json")))
        cases[name] = desc["cases"]
        for k, v in json.load(open(pred)).items():
            merged_pred[name + "__" + k] = v
        for k, v in json.load(open(labels)).items():
            merged_labels[name + "__" + k] = v
        print("%-32s mean IoU %s  presence %s  (%.1f s)%s" % (name, fmt(row["mean_iou"]),
                                                            fmt(row["presence_accuracy"]), dt,
                                                            "" if not res.stderr.strip() else "  [stderr]"),
              flush=True)
    for path, doc in ((os.path.join(pred_dir, "all_predictions.json"), merged_pred),
                      (os.path.join(pred_dir, "all_labels.json"), merged_labels)):
        with open(path, "w") as f:
            json.dump(doc, f, indent=1)
    overall_doc = eval_json(args.vidseg, os.path.join(pred_dir, "all_predictions.json"),
                            os.path.join(pred_dir, "all_labels.json"))
    overall = summarize(overall_doc)
    overall.update(series="**overall**", detect_seconds=total_time, detect_cpu_seconds=total_cpu)

    head = ("| series | eps (with intro) | mean IoU | median start err s | median end err s | within ±0.5 s | "
            "presence acc. | false / missed | baseline (5,15) IoU | baseline presence | detect wall s | detect CPU s |")
    lines = [head, "|" + "---|" * 12]
    for r in rows + [overall]:
        lines.append("| %s | %d (%d) | %s | %s | %s | %s | %s | %d / %d | %s | %s | %.1f | %.1f |" % (
            r["series"], r["episodes"], r["with_intro"], fmt(r["mean_iou"]), fmt(r["median_start_error"], 2),
            fmt(r["median_end_error"], 2), fmt(r["within_0_5s"], 2), fmt(r["presence_accuracy"], 2),
            r["false_intros"], r["missed_intros"], fmt(r["baseline_mean_iou"]),
            fmt(r["baseline_presence_accuracy"], 2), r["detect_seconds"], r["detect_cpu_seconds"]))
    targets = [("mean IoU ≥ 0.95", overall["mean_iou"] >= 0.95),
               ("median start and end error ≤ 0.2 s",
                overall["median_start_error"] is not None and overall["median_start_error"] <= 0.2
                and overall["median_end_error"] <= 0.2),
               ("≥ 95 % of boundaries within ±0.5 s", overall["within_0_5s"] >= 0.95),
               ("presence accuracy ≥ 0.97", overall["presence_accuracy"] >= 0.97),
               ("no intro reported on episodes without one", overall["false_intros"] == 0)]
    text = ["# Intro detection benchmark (%s)" % ("small" if bench.get("small") else "full"), "",
            "Generated %s; vidseg: `%s`; data: `%s`." % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                                                        args.vidseg, data), "",
            "\n".join(lines), "",
            "Targets (issue 4 §7) on the overall row: " + "; ".join(
                "%s: **%s**" % (t, "met" if ok else "missed") for t, ok in targets), "",
            "## Cases", ""]
    text += ["- `%s`: %s" % (n, "; ".join(c)) for n, c in cases.items()]
    text += ["", "## Episodes that fail (IoU < 0.9 or wrong presence)", ""]
    text += ["- " + f for f in fails] or ["- none"]
    text += ["", "Media used: `%s`" % json.dumps(bench.get("media", {}))]
    md = "\n".join(text) + "\n"
    if args.results:
        tmp = args.results + ".part"
        with open(tmp, "w") as f:
            f.write(md)
        os.replace(tmp, args.results)
        with open(os.path.splitext(args.results)[0] + ".json", "w") as f:
            json.dump({"series": rows, "overall": overall, "failures": fails}, f, indent=1)
    print()
    print(md)
    status = 0
    if args.assert_min:
        for item in args.assert_min.split(","):
            key, bound = item.split("=")
            value = overall[key]
            ok = value is not None and value >= float(bound)
            print("assert %s = %s >= %s: %s" % (key, fmt(value), bound, "ok" if ok else "FAILED"))
            status |= 0 if ok else 1
    if args.assert_max:
        for item in args.assert_max.split(","):
            key, bound = item.split("=")
            value = overall[key]
            ok = value is not None and value <= float(bound)
            print("assert %s = %s <= %s: %s" % (key, fmt(value), bound, "ok" if ok else "FAILED"))
            status |= 0 if ok else 1
    return status


def best_of(cmd, runs, before=None):
    """Best wall time of `runs` runs and the CPU seconds (user + system, all threads) of the cheapest run."""
    times, cpus = [], []
    for _ in range(runs):
        if before:
            before()
        cpu0 = children_cpu()
        t0 = time.monotonic()
        if callable(cmd):
            cmd()
        else:
            run(cmd)
        times.append(time.monotonic() - t0)
        cpus.append(children_cpu() - cpu0)
    return min(times), min(cpus)


def parallel(cmds):
    """Runs the commands at the same time (one process each) and waits for all."""
    def go():
        procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for c in cmds]
        for p, c in zip(procs, cmds):
            _, err = p.communicate()
            if p.returncode != 0:
                raise RuntimeError("command failed (%d): %s\n%s" % (p.returncode, " ".join(c), err[-2000:]))
    return go


def speed(args):
    """Side by side on the same two 45-min episodes, first 15 minutes each: `vidseg intro detect` on both
    (time / 2 = per episode) against `fpcalc` and `ffmpeg -f chromaprint` fingerprinting the same span of one
    episode alone, each episode in turn (time / 2), and two reference processes at once (both cores, as the
    detector uses them). Wall AND CPU (user + system) per episode, the load average, and the ratios."""
    folder = os.path.abspath(args.speed)
    eps = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".mp4"))[:2]
    if len(eps) < 2:
        raise SystemExit("speed: need two episodes in " + folder)
    for e in eps:  # warm page cache: every command reads the same bytes from memory
        with open(e, "rb") as f:
            while f.read(1 << 22):
                pass
    span = 900
    runs = args.runs
    load_before = os.getloadavg()
    help_text = run([args.vidseg, "intro", "detect", "--help"]).stdout
    has_cache = "--cache" in help_text
    has_threads = "--threads" in help_text
    cache_dir = os.path.join(folder, "fpcache")

    def clear_cache():
        if os.path.isdir(cache_dir):
            shutil.rmtree(cache_dir)

    # --max-start + --max-length = 900 s analysed per episode (the first 15 minutes).
    detect = [args.vidseg, "intro", "detect", "-q", "--max-start", "%d" % (span - 120)] + eps
    cold = detect + (["--cache", cache_dir] if has_cache else [])
    fpcalc = [["fpcalc", "-length", str(span), e] for e in eps] if shutil.which("fpcalc") else None
    ffcp = [["ffmpeg", "-nostdin", "-v", "error", "-t", str(span), "-i", e, "-f", "chromaprint", "-y", "/dev/null"]
            for e in eps]

    def each(cmds):
        return lambda: [run(c) for c in cmds]

    rows = []  # (name, wall per episode, cpu per episode, command, kind: detect / alone / both / cached)
    n = len(eps)

    def add(name, measured, shown, kind):
        wall, cpu = measured
        rows.append((name, wall / n, cpu / n, shown, kind))

    add("`vidseg intro detect` (2 episodes, all cores; / 2)",
        best_of(cold, runs, before=clear_cache if has_cache else None),
        " ".join(os.path.basename(c) if c in eps else c for c in cold), "detect")
    if has_threads:
        add("same with `--threads 1` (/ 2)", best_of(cold + ["--threads", "1"], runs,
                                                    before=clear_cache if has_cache else None), "… --threads 1", "detect1")
    if fpcalc:
        add("`fpcalc -length 900`, one episode after the other (/ 2)", best_of(each(fpcalc), runs),
            "fpcalc -length 900 EP", "alone")
        add("`fpcalc`, both episodes at once (2 processes; / 2)", best_of(parallel(fpcalc), runs),
            "fpcalc -length 900 A & fpcalc -length 900 B", "both")
    add("`ffmpeg -t 900 -i EP -f chromaprint`, one after the other (/ 2)", best_of(each(ffcp), runs),
        "ffmpeg -t 900 -i EP -f chromaprint -y /dev/null", "alone")
    add("`ffmpeg -f chromaprint`, both at once (/ 2)", best_of(parallel(ffcp), runs), "both at once", "both")
    cached = None
    if has_cache:
        run(cold)  # warm
        add("`vidseg intro detect --cache` re-run (/ 2)", best_of(cold, runs), "same, cache warm", "cached")
        cached = rows[-1]
    load_after = os.getloadavg()

    det = rows[0]
    alone = [r for r in rows if r[4] == "alone"]
    fastest_wall = min(alone, key=lambda r: r[1])
    fastest_cpu = min(alone, key=lambda r: r[2])
    lines = ["| command (first 15 min of a 45-min 640x360 episode) | wall s per episode | CPU s per episode "
             "(user + sys) | wall vs fastest alone | CPU vs fastest alone |",
             "|---|---|---|---|---|"]
    for name, wall, cpu, _, _ in rows:
        lines.append("| %s | %.3f | %.3f | %.2fx | %.2fx |" % (name, wall, cpu, wall / fastest_wall[1],
                                                               cpu / fastest_cpu[2]))
    verdict = ["detection wall %.3f s vs %.3f s (%s): target (≤) **%s**" % (
        det[1], fastest_wall[1], fastest_wall[0].split("`")[1], "met" if det[1] <= fastest_wall[1] else "missed"),
        "detection CPU %.3f s vs %.3f s (%s): **%s**" % (
        det[2], fastest_cpu[2], fastest_cpu[0].split("`")[1], "less" if det[2] <= fastest_cpu[2] else "more")]
    both = [r for r in rows if r[4] == "both"]
    if both:
        best_both = min(both, key=lambda r: r[1])
        verdict.append("per-episode wall with both cores busy for the reference too (%s): %.3f s vs detection %.3f s" % (
            best_both[0].split("`")[1], best_both[1], det[1]))
    if cached is not None:
        ratio = det[1] / cached[1] if cached[1] > 0 else float("inf")
        cpu_ratio = det[2] / cached[2] if cached[2] > 0 else float("inf")
        verdict.append("cached re-run %.1fx faster in wall time, %.1fx less CPU: target (≥ 20x) **%s**" % (
            ratio, cpu_ratio, "met" if ratio >= 20 else "missed"))
        startup = best_of([args.vidseg, "--version"], runs)
        verdict.append("process start alone (`vidseg --version`) %.3f s wall, %.3f s CPU" % startup)
    md = ("Speed (best of %d runs, warm page cache; CPU = user + sys of the cheapest run, all threads; "
          "load average %.2f before, %.2f after, %d cores): \n\n" % (runs, load_before[0], load_after[0],
                                                                       os.cpu_count() or 0) +
          "\n".join(lines) + "\n\n" + "; ".join(verdict) + ".\n\nCommand: `" + rows[0][3] + "`\n")
    print(md)
    if args.results_speed:
        with open(args.results_speed, "w") as f:
            f.write(md)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vidseg", required=True)
    ap.add_argument("--data", help="generated benchmark dir (with benchmark.json)")
    ap.add_argument("--results", help="write the markdown table here (and .json beside it)")
    ap.add_argument("--assert-min", help="KEY=VALUE,... lower bounds on the overall row (exit 1 if missed)")
    ap.add_argument("--assert-max", help="KEY=VALUE,... upper bounds on the overall row (exit 1 if missed)")
    ap.add_argument("--detect-arg", action="append", default=[], help="extra argument for vidseg intro detect")
    ap.add_argument("--speed", help="dir with the two 45-min speed episodes")
    ap.add_argument("--results-speed", help="write the speed table here")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    status = 0
    if args.data:
        status |= accuracy(args)
    if args.speed:
        status |= speed(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
