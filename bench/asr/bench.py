#!/usr/bin/env python3
"""Warm worker vs a fresh faster-whisper process per fragment (issue 3 §8, second half).

  warm: ONE faster_whisper_worker.py process (what `vidseg dataset build --whisper-backend faster-whisper`
        runs) loads the model once and transcribes N fragments over its JSON-lines protocol;
  cold: N fresh Python processes, each importing faster-whisper, loading the model and transcribing one
        fragment (`faster_whisper_worker.py --once WAV`), as the users' notebooks do per fragment.
Fragments: the first N festvox-ru recordings (real speech, 3-10 s each). Wall-clock seconds, end to end.
"""
import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKER = ROOT / "src/vidseg/asr/faster_whisper_worker.py"
RU = Path("/usr/share/festival/voices/russian/msu_ru_nsh_clunits/wav")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--python", default=str(ROOT / "build/pyenv-asr/bin/python"))
    ap.add_argument("--threads", default="0")
    args = ap.parse_args()
    wavs = sorted(RU.glob("ru_*.wav"))[: args.count]

    t0 = time.monotonic()
    worker = subprocess.Popen([args.python, str(WORKER), "--threads", args.threads], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    ready = json.loads(worker.stdout.readline())
    warm_texts = []
    for i, wav in enumerate(wavs):
        worker.stdin.write(json.dumps({"id": i, "wav": str(wav)}) + "\n")
        worker.stdin.flush()
        warm_texts.append(json.loads(worker.stdout.readline())["text"])
    worker.stdin.close()
    worker.wait()
    warm = time.monotonic() - t0

    t0 = time.monotonic()
    cold_texts = []
    for wav in wavs:
        r = subprocess.run([args.python, str(WORKER), "--threads", args.threads, "--once", str(wav)],
                           capture_output=True, text=True, check=True)
        cold_texts.append(json.loads(r.stdout)["text"])
    cold = time.monotonic() - t0

    same = sum(a == b for a, b in zip(warm_texts, cold_texts))
    print(json.dumps({"fragments": len(wavs), "model_load_seconds": ready.get("load_seconds"),
                      "warm_worker_seconds": round(warm, 2), "process_per_fragment_seconds": round(cold, 2),
                      "speedup": round(cold / warm, 2), "identical_transcripts": same}, indent=1))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
