"""Times vidseg's audio features and librosa's on one WAV and prints three comparisons (run by run.sh).

  (a) in-process vs in-process: vidseg_bench_features (the library call of `vidseg features`, timed
      inside one process, best of 10) vs librosa_features.py's per-call timings (best of 2 after a
      numba warm-up). Neither includes process start-up, dynamic loading or `import librosa`.
  (b) whole process vs whole process: the `vidseg features WAV --out F` process vs a Python process
      running `librosa_features.py WAV --once` (interpreter start-up, import of librosa/numpy/scipy/
      numba, numba's compiled functions loaded from its on-disk cache — warmed by one untimed run
      first — and the per-feature calls once). Both timed from outside with wait4's rusage.
  (c) mixed (the conservative figure reported so far): the whole vidseg process vs librosa in-process.
CPU seconds = user + sys of the process, all threads; wall seconds beside them. Stdlib only.
Usage: compare.py VIDSEG BENCH_FEATURES PYTHON LIBROSA_SCRIPT WAV WORK_DIR
"""
import json
import os
import subprocess
import sys
import time

VIDSEG_RUNS, LIBROSA_PROCESS_RUNS = 10, 3  # vidseg runs take ~0.2 s: more of them cost little and cut the noise


def process_times(argv, runs, env=None, must_succeed=True):
    """(best CPU s, best wall s) of `argv` run `runs` times, from wait4's rusage (microseconds);
    None when it fails and must_succeed is False."""
    cpus, walls = [], []
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=None if must_succeed else subprocess.DEVNULL,
                             env=env)
        _, status, ru = os.wait4(p.pid, 0)
        walls.append(time.perf_counter() - t)
        if status != 0:
            if not must_succeed:
                return None
            sys.exit(f"failed ({status}): {' '.join(argv)}")
        cpus.append(ru.ru_utime + ru.ru_stime)
    return min(cpus), min(walls)


def cpu_description():
    """The CPU model and its x86-64 SIMD level flags (what every figure of bench/RESULTS.md names)."""
    model, flags = "unknown", set()
    try:
        for line in open("/proc/cpuinfo"):
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
                break
    except OSError:
        pass
    simd = [f for f in ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq") if f in flags]
    level = "x86-64-v4" if {"avx512f", "avx512bw", "avx512vl", "avx512dq"} <= flags else (
        "x86-64-v3" if {"avx2", "fma"} <= flags else "x86-64-v2" if "sse4_2" in flags else "baseline")
    return f"{model}, {level} ({' '.join(simd)}), {os.cpu_count()} CPUs"


SIMD_LEVELS = ("portable", "v2", "v3", "v4")  # VIDSEG_SIMD_LEVEL values (src/vidseg/audio/simd_level.hpp)


def json_of(argv):
    out = subprocess.run(argv, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def load():
    return " ".join(open("/proc/loadavg").read().split()[:3])


def ratio(ref, ours):
    return f"{ref / ours:.1f}x" if ours > 0 else "n/a"


def main():
    vidseg, bench, python, script, wav, work = sys.argv[1:7]
    out = os.path.join(work, "features.jsonl")
    r = {"input": wav, "load_before": load(), "cpu": cpu_description(),
         "simd_level": os.environ.get("VIDSEG_SIMD_LEVEL") or "best the CPU runs (VIDSEG_SIMD_LEVEL unset)"}

    r["vidseg_process"] = process_times([vidseg, "features", wav, "--out", out, "--quiet"], VIDSEG_RUNS)
    r["vidseg_startup"] = process_times([vidseg, "--version"], VIDSEG_RUNS)
    r["vidseg_in_process"] = json_of([bench, wav, "--runs", str(VIDSEG_RUNS), "--out", out])
    r["librosa_in_process"] = json_of([python, script, wav, "2"])
    once = [python, script, wav, "--once"]
    subprocess.run(once, check=True)  # untimed: fills numba's on-disk cache if it is empty
    r["librosa_process"] = process_times(once, LIBROSA_PROCESS_RUNS)
    # The whole vidseg process at every SIMD level of its audio kernels, forced by VIDSEG_SIMD_LEVEL
    # (a level the CPU cannot run fails at once and is reported as such).
    r["vidseg_process_by_level"] = {}
    for level in SIMD_LEVELS:
        env = dict(os.environ, VIDSEG_SIMD_LEVEL=level)
        r["vidseg_process_by_level"][level] = process_times([vidseg, "features", wav, "--out", out, "--quiet"],
                                                            VIDSEG_RUNS, env=env, must_succeed=False)
    r["load_after"] = load()

    vp_cpu, vp_wall = r["vidseg_process"]
    vi_cpu, vi_wall = r["vidseg_in_process"]["cpu_s"], r["vidseg_in_process"]["wall_s"]
    lib = r["librosa_in_process"]
    lp_cpu, lp_wall = r["librosa_process"]
    print(f"CPU: {r['cpu']}; vidseg SIMD level: {r['simd_level']}")
    print(f"vidseg whole process (`vidseg features WAV --out F`, 1 s rows, all audio columns, --threads 2): "
          f"cpu {vp_cpu:.3f} s, wall {vp_wall:.3f} s (best of {VIDSEG_RUNS})")
    print(f"  of which process start-up (`vidseg --version`): cpu {r['vidseg_startup'][0]:.3f} s")
    print(f"vidseg in-process (vidseg_bench_features: probe, decode, analysis, pooling, JSONL written; no start-up): "
          f"cpu {vi_cpu:.3f} s, wall {vi_wall:.3f} s (best of {VIDSEG_RUNS})")
    print(f"librosa in-process, per-feature calls: cpu {lib['per_feature_cpu_s']:.3f} s, wall "
          f"{lib['per_feature_wall_s']:.3f} s; one shared STFT: cpu {lib['shared_stft_cpu_s']:.3f} s, wall "
          f"{lib['shared_stft_wall_s']:.3f} s (best of 2, numba warmed up, no start-up or import)")
    print(f"librosa whole process (`python librosa_features.py WAV --once`: interpreter start-up, import librosa/"
          f"numpy/scipy/numba, numba cache warm, per-feature calls once): cpu {lp_cpu:.3f} s, wall {lp_wall:.3f} s "
          f"(best of {LIBROSA_PROCESS_RUNS} after one untimed run)")
    print("speed-up of vidseg over librosa (per-feature calls, the issue's reference; shared-STFT librosa in brackets):")
    print(f"  (a) in-process vs in-process (neither counts process start-up / imports): "
          f"CPU {ratio(lib['per_feature_cpu_s'], vi_cpu)} ({ratio(lib['shared_stft_cpu_s'], vi_cpu)}), "
          f"wall {ratio(lib['per_feature_wall_s'], vi_wall)} ({ratio(lib['shared_stft_wall_s'], vi_wall)})")
    print(f"  (b) whole process vs whole process (both count start-up, loading/imports, reading the WAV): "
          f"CPU {ratio(lp_cpu, vp_cpu)}, wall {ratio(lp_wall, vp_wall)}")
    print(f"  (c) mixed, conservative (vidseg whole process vs librosa in-process): "
          f"CPU {ratio(lib['per_feature_cpu_s'], vp_cpu)} ({ratio(lib['shared_stft_cpu_s'], vp_cpu)}), "
          f"wall {ratio(lib['per_feature_wall_s'], vp_wall)} ({ratio(lib['shared_stft_wall_s'], vp_wall)})")
    print("vidseg whole process per SIMD level (VIDSEG_SIMD_LEVEL=..., best of "
          f"{VIDSEG_RUNS}) vs librosa whole process:")
    previous = None
    for level in SIMD_LEVELS:
        t = r["vidseg_process_by_level"][level]
        if t is None:
            print(f"  {level:8s} cannot run on this CPU")
            continue
        step = f", {t[0] / previous[1][0]:.2f}x the CPU of {previous[0]}" if previous else ""
        print(f"  {level:8s} cpu {t[0]:.3f} s, wall {t[1]:.3f} s: CPU {ratio(lp_cpu, t[0])}, wall {ratio(lp_wall, t[1])}"
              f" faster than librosa{step}")
        previous = (level, t)
    print(f"load average: {r['load_before']} before, {r['load_after']} after")
    r["speedup"] = {
        "in_process_cpu": lib["per_feature_cpu_s"] / vi_cpu, "in_process_wall": lib["per_feature_wall_s"] / vi_wall,
        "whole_process_cpu": lp_cpu / vp_cpu, "whole_process_wall": lp_wall / vp_wall,
        "mixed_cpu": lib["per_feature_cpu_s"] / vp_cpu, "mixed_wall": lib["per_feature_wall_s"] / vp_wall,
    }
    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump(r, f, indent=1)
    print(f"all figures: {os.path.join(work, 'results.json')}")


if __name__ == "__main__":
    main()
