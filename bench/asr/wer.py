#!/usr/bin/env python3
"""Word error rate of the faster-whisper worker on real recorded speech from Debian packages.

  festvox-ru              /usr/share/festival/voices/russian/msu_ru_nsh_clunits/{wav/*.wav, etc/txt.done.data}
  asterisk-core-sounds-en /usr/share/asterisk/sounds/en/*.gsm + /usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz

Usage: bench/asr/wer.py [--count N] [--python build/pyenv-asr/bin/python]
Prints per-utterance hypotheses and the WER per language (the bounds of tests/integration/asr_transcription_test.cpp
come from these figures). Speaks the worker's own protocol, so it measures what vidseg runs.
"""
import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RU = Path("/usr/share/festival/voices/russian/msu_ru_nsh_clunits")
EN = Path("/usr/share/asterisk/sounds/en")
EN_TEXT = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")


def words(text):
    text = unicodedata.normalize("NFC", text.lower().replace("+", "").replace("ё", "е"))
    return re.findall(r"[\w']+", text)


def wer(ref, hyp):
    r, h = words(ref), words(hyp)
    d = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(h) + 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (r[i - 1] != h[j - 1]))
            prev, d[j] = d[j], cur
    return d[len(h)], len(r)


def russian(count):
    texts = dict(re.findall(r'\( (ru_\d+) "(.*)" \)', (RU / "etc/txt.done.data").read_text(encoding="utf-8")))
    names = sorted(n for n in texts if (RU / "wav" / (n + ".wav")).exists())
    return [(str(RU / "wav" / (n + ".wav")), texts[n]) for n in names[:count]]


def english(count, tmp):
    out = []
    for line in gzip.open(EN_TEXT, "rt", encoding="utf-8"):
        m = re.match(r"^([\w-]+): (.+)$", line.strip())
        if not m or "[" in m.group(2) or not (EN / (m.group(1) + ".gsm")).exists():
            continue
        if len(words(m.group(2))) < 4:  # one-word prompts say little about WER
            continue
        wav = os.path.join(tmp, m.group(1) + ".wav")
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(EN / (m.group(1) + ".gsm")), "-ar", "16000", "-ac", "1", wav],
                       check=True)
        out.append((wav, m.group(2)))
        if len(out) == count:
            break
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--python", default=str(ROOT / "build/pyenv-asr/bin/python"))
    args = ap.parse_args()
    worker = subprocess.Popen([args.python, str(ROOT / "src/vidseg/asr/faster_whisper_worker.py")], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    print(worker.stdout.readline().strip())
    with tempfile.TemporaryDirectory() as tmp:
        for lang, items in (("ru", russian(args.count)), ("en", english(args.count, tmp))):
            errors = total = wrong_lang = 0
            for i, (wav, ref) in enumerate(items):
                worker.stdin.write(json.dumps({"id": i, "wav": wav}) + "\n")
                worker.stdin.flush()
                res = json.loads(worker.stdout.readline())
                e, n = wer(ref, res["text"])
                errors, total = errors + e, total + n
                wrong_lang += res["language"] != lang
                print("%s %-28s %.2f %s | %s" % (res["language"], os.path.basename(wav), e / n, ref, res["text"]))
            if total == 0:
                print("WER %s: no utterances (--count 0)" % lang)
            else:
                print("WER %s: %.3f over %d utterances (%d words), language wrong in %d" %
                      (lang, errors / total, len(items), total, wrong_lang))
            sys.stdout.flush()
    worker.stdin.close()
    worker.wait()


if __name__ == "__main__":
    main()
