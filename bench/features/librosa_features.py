"""The audio features of `vidseg features` computed with librosa 0.11 on the same WAV, timed.

Two variants: "per-feature" calls each librosa.feature function on y (how they are usually called,
every call recomputes its STFT) and "shared-STFT" computes one magnitude STFT and one mel
spectrogram and passes them in (the fastest librosa can do the same work). Both include loading
the WAV (no resampling: it is already 22050 Hz mono) and the per-row pooling is not counted
(numpy means are negligible). Prints JSON with wall and CPU seconds (best of N runs) of both.
Usage: librosa_features.py WAV [N]  (in-process timings, best of N, default 2)
       librosa_features.py WAV --once  (the per-feature calls once, no output: for timing the whole process)
"""
import json
import sys
import time

import librosa
import numpy as np

SR = 22050


def per_feature(path):
    y, _ = librosa.load(path, sr=SR)
    librosa.feature.mfcc(y=y, sr=SR, n_mfcc=20)
    librosa.feature.spectral_contrast(y=y, sr=SR)
    librosa.feature.rms(y=y)
    librosa.feature.spectral_centroid(y=y, sr=SR)
    librosa.feature.spectral_bandwidth(y=y, sr=SR)
    librosa.feature.spectral_flatness(y=y)
    librosa.feature.zero_crossing_rate(y)
    librosa.feature.chroma_stft(y=y, sr=SR, tuning=0.0)
    oenv = librosa.onset.onset_strength(y=y, sr=SR)
    tg = librosa.feature.tempogram(onset_envelope=oenv, sr=SR, win_length=344)
    librosa.feature.tempo(tg=tg, sr=SR, aggregate=None)


def shared_stft(path):
    y, _ = librosa.load(path, sr=SR)
    S = np.abs(librosa.stft(y))
    P = S ** 2
    mel_db = librosa.power_to_db(librosa.feature.melspectrogram(S=P, sr=SR))
    librosa.feature.mfcc(S=mel_db, n_mfcc=20)
    librosa.feature.spectral_contrast(S=S, sr=SR)
    librosa.feature.rms(y=y)
    librosa.feature.spectral_centroid(S=S, sr=SR)
    librosa.feature.spectral_bandwidth(S=S, sr=SR)
    librosa.feature.spectral_flatness(S=S)
    librosa.feature.zero_crossing_rate(y)
    librosa.feature.chroma_stft(S=P, sr=SR, tuning=0.0)
    oenv = librosa.onset.onset_strength(S=mel_db, sr=SR)
    tg = librosa.feature.tempogram(onset_envelope=oenv, sr=SR, win_length=344)
    librosa.feature.tempo(tg=tg, sr=SR, aggregate=None)


def best_of(f, path, runs):
    """(best wall seconds, best CPU seconds of this process, all threads)."""
    walls, cpus = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        f(path)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[2] == "--once":
        # Whole-process form (timed from outside by run.sh): interpreter start-up, the imports above,
        # numba's compiled functions (from its on-disk cache once warm) and the per-feature calls, once.
        per_feature(sys.argv[1])
        sys.exit(0)
    path, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2
    # Warm-up on the first 30 s so numba JIT compilation is not timed.
    y, _ = librosa.load(path, sr=SR, duration=30)
    librosa.feature.zero_crossing_rate(y), librosa.feature.tempo(y=y, sr=SR), librosa.feature.spectral_contrast(y=y, sr=SR)
    pw, pc = best_of(per_feature, path, runs)
    sw, sc = best_of(shared_stft, path, runs)
    print(json.dumps({"per_feature_wall_s": pw, "per_feature_cpu_s": pc, "shared_stft_wall_s": sw, "shared_stft_cpu_s": sc}))
