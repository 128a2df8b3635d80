#!/usr/bin/env python3
"""Warm worker vs a fresh faster-whisper process per fragment (issue 3 §8, second half).

  warm: ONE faster_whisper_worker.py process (what `vidseg dataset build --whisper-backend faster-whisper`
        runs) loads the model once and transcribes N fragments over its JSON-lines protocol;
  cold: N fresh Python processes, each importing faster-whisper, loading the model and transcribing one
        fragment (`faster_whisper_worker.py --once WAV`), as the users' notebooks do per fragment.
Fragments (--fragments):
  short (default): the users' typical 3-5 s fragments, real recorded speech in both lesson languages:
        half festvox-ru sentences of 3-5 s (there are 11), half asterisk-core-sounds-en prompts of 3-5 s
        (GSM, converted to 16 kHz WAV);
  long: the first N festvox-ru recordings (read sentences, 4-18 s; the first measurement).
Reports wall seconds end to end and CPU seconds (user + system of the child processes) per way.
"""
import argparse
import gzip
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKER = ROOT / "src/vidseg/asr/faster_whisper_worker.py"
RU = Path("/usr/share/festival/voices/russian/msu_ru_nsh_clunits/wav")
EN = Path("/usr/share/asterisk/sounds/en")
EN_TEXT = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")


def seconds(wav):
    with wave.open(str(wav)) as w:
        return w.getnframes() / w.getframerate()


def short_fragments(count, tmp, lo=3.0, hi=5.0):
    ru = [str(p) for p in sorted(RU.glob("ru_*.wav")) if lo <= seconds(p) <= hi]
    en = []
    for line in gzip.open(EN_TEXT, "rt", encoding="utf-8"):
        m = re.match(r"^([\w-]+): (.+)$", line.strip())
        if not m or not (EN / (m.group(1) + ".gsm")).exists():
            continue
        wav = os.path.join(tmp, m.group(1) + ".wav")
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(EN / (m.group(1) + ".gsm")), "-ar", "16000", "-ac", "1",
                        wav], check=True)
        if lo <= seconds(wav) <= hi:
            en.append(wav)
            if len(en) >= count:
                break
    n_ru = min(len(ru), count // 2)
    picked = ru[:n_ru] + en[: count - n_ru]
    # Alternate the languages, as the fragments of a bilingual lesson come.
    return [w for pair in zip(picked[:n_ru], picked[n_ru:]) for w in pair] + picked[2 * n_ru:] if n_ru else picked


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--fragments", choices=["short", "long"], default="short")
    ap.add_argument("--python", default=str(ROOT / "build/pyenv-asr/bin/python"))
    ap.add_argument("--threads", default="0")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wavs = (short_fragments(args.count, tmp) if args.fragments == "short"
                else [str(p) for p in sorted(RU.glob("ru_*.wav"))[: args.count]])
        lengths = [seconds(w) for w in wavs]
        load_start = os.getloadavg()[0]

        cpu0, t0 = children_cpu(), time.monotonic()
        worker = subprocess.Popen([args.python, str(WORKER), "--threads", args.threads], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        ready = json.loads(worker.stdout.readline())
        warm_texts = []
        for i, wav in enumerate(wavs):
            worker.stdin.write(json.dumps({"id": i, "wav": wav}) + "\n")
            worker.stdin.flush()
            warm_texts.append(json.loads(worker.stdout.readline())["text"])
        worker.stdin.close()
        worker.wait()
        warm, warm_cpu = time.monotonic() - t0, children_cpu() - cpu0

        cpu0, t0 = children_cpu(), time.monotonic()
        cold_texts = []
        for wav in wavs:
            r = subprocess.run([args.python, str(WORKER), "--threads", args.threads, "--once", wav],
                               capture_output=True, text=True, check=True)
            cold_texts.append(json.loads(r.stdout)["text"])
        cold, cold_cpu = time.monotonic() - t0, children_cpu() - cpu0

    same = sum(a == b for a, b in zip(warm_texts, cold_texts))
    print(json.dumps({"fragments": len(wavs), "fragment_kind": args.fragments,
                      "fragment_seconds_min_mean_max": [round(min(lengths), 2), round(sum(lengths) / len(lengths), 2),
                                                        round(max(lengths), 2)],
                      "model_load_seconds": ready.get("load_seconds"),
                      "warm_worker_seconds": round(warm, 2), "warm_worker_cpu_seconds": round(warm_cpu, 2),
                      "process_per_fragment_seconds": round(cold, 2),
                      "process_per_fragment_cpu_seconds": round(cold_cpu, 2),
                      "speedup_wall": round(cold / warm, 2), "speedup_cpu": round(cold_cpu / warm_cpu, 2),
                      "identical_transcripts": same,
                      "loadavg_start_end": [load_start, os.getloadavg()[0]], "cores": os.cpu_count()}, indent=1))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
