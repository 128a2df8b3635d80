"""Step-by-step comparison of scikit-learn's word+char pipeline with vidseg's text model (issue 15, session 10):
the scikit-learn reference of bench/text/sklearn_baseline.py, then one difference at a time — the hashed space
with and without the n-grams never seen in training, thresholds tuned on held-out training lessons (as
`vidseg train` did by default before session 10), the optimiser (lbfgs: intercept not penalised), class
weights, sublinear tf, char vs char_wb, min_df, C, the speaker role — each scored by macro-F1 per utterance on
the test table of a `generate_lessons.py` folder. Prints one JSON object.
    build/pyenv-text/bin/python bench/text/pipeline_diff.py --dir bench/work/text-levers/s15-ru [--only NAME,...]"""
import argparse
import csv
import json
import random
import time

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.preprocessing import normalize


def read(path):
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return rows


def targets(rows, labels):
    sets = [set(filter(None, r["labels"].split(";"))) for r in rows]
    return np.array([[l in s for l in labels] for s in sets], dtype=np.uint8)


class Hashed:
    """HashingVectorizer + TfidfTransformer (vidseg's rows); drop_unseen: only the columns a training
    utterance had, before the L2 normalisation (TfidfVectorizer's fixed vocabulary)."""

    def __init__(self, analyzer, ngram_range, drop_unseen):
        self.hv = HashingVectorizer(analyzer=analyzer, ngram_range=ngram_range, n_features=2**18,
                                    alternate_sign=False, norm=None)
        self.drop_unseen = drop_unseen

    def fit_transform(self, texts):
        counts = self.hv.transform(texts)
        self.seen = sp.diags((np.asarray((counts > 0).sum(axis=0)).ravel() > 0).astype(float))
        self.tfidf = TfidfTransformer(norm=None).fit(counts)
        return self.transform(texts)

    def transform(self, texts):
        rows = self.tfidf.transform(self.hv.transform(texts))
        if self.drop_unseen:
            rows = rows @ self.seen
        return normalize(rows)


def vectorizers(name):
    word, char = dict(ngram_range=(1, 2)), dict(analyzer="char_wb", ngram_range=(2, 4))
    if name == "hashed-drop-unseen":
        return [Hashed("word", (1, 2), True), Hashed("char_wb", (2, 4), True)]
    if name == "hashed-keep-unseen":
        return [Hashed("word", (1, 2), False), Hashed("char_wb", (2, 4), False)]
    if name == "sublinear-tf":
        word["sublinear_tf"] = char["sublinear_tf"] = True
    if name == "char-not-wb":
        char["analyzer"] = "char"
    if name == "min-df-2":
        word["min_df"] = char["min_df"] = 2
    if name == "word-unigrams+char":
        word["ngram_range"] = (1, 1)
    if name == "words-only":
        return [TfidfVectorizer(**word)]
    return [TfidfVectorizer(**word), TfidfVectorizer(**char)]


def model(name, c=1.0):
    if name == "lbfgs-balanced":
        return LogisticRegression(solver="lbfgs", class_weight="balanced", C=c, max_iter=1000)
    if name == "no-class-weights":
        return LogisticRegression(solver="liblinear", C=c)
    return LogisticRegression(solver="liblinear", class_weight="balanced", C=c)


def speaker_column(rows):
    return sp.csr_matrix(np.array([[r["speaker"] == "Teacher"] for r in rows], dtype=float))


def run(name, train, test, labels, c=1.0):
    texts = [r["text"] for r in train]
    y = targets(train, labels)
    vs = vectorizers(name)
    x = sp.hstack([v.fit_transform(texts) for v in vs]).tocsr()
    xt = sp.hstack([v.transform([r["text"] for r in test]) for v in vs]).tocsr()
    if name == "speaker":
        x, xt = sp.hstack([x, speaker_column(train)]).tocsr(), sp.hstack([xt, speaker_column(test)]).tocsr()
    truth = targets(test, labels)
    if name == "tuned-thresholds":
        # 20 % of the training lessons held out: Platt + best-F1 threshold per pattern on them, refit on all.
        lessons = sorted({r["lesson"] for r in train})
        random.Random(1).shuffle(lessons)
        held = set(lessons[: max(1, round(0.2 * len(lessons)))])
        fit_rows = np.array([r["lesson"] not in held for r in train])
        pred = np.zeros_like(truth)
        for j in range(len(labels)):
            m = model(name, c).fit(x[fit_rows], y[fit_rows, j])
            zv = m.decision_function(x[~fit_rows])
            platt = LogisticRegression(C=1e6).fit(zv[:, None], y[~fit_rows, j])
            pv = platt.predict_proba(zv[:, None])[:, 1]
            cuts = np.unique(pv)
            best = max(cuts, key=lambda t: f1_score(y[~fit_rows, j], pv >= t, zero_division=0))
            full = model(name, c).fit(x, y[:, j])
            pred[:, j] = platt.predict_proba(full.decision_function(xt)[:, None])[:, 1] >= best
    else:
        pred = np.stack([model(name, c).fit(x, y[:, j]).predict_proba(xt)[:, 1] >= 0.5 for j in range(len(labels))],
                        axis=1)
    f1 = f1_score(truth, pred, average=None, zero_division=0)
    return {"macro_f1": round(float(f1.mean()), 4), "f1": [round(float(v), 3) for v in f1]}


RUNS = ["reference", "hashed-drop-unseen", "hashed-keep-unseen", "tuned-thresholds", "lbfgs-balanced",
        "no-class-weights", "sublinear-tf", "char-not-wb", "min-df-2", "c-0.3", "c-3", "speaker",
        "word-unigrams+char", "words-only"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--only", default=",".join(RUNS))
    a = ap.parse_args()
    train, test = read(f"{a.dir}/train.csv"), read(f"{a.dir}/test.csv")
    labels = sorted(set().union(*[set(filter(None, r["labels"].split(";"))) for r in train]))
    out = {"dir": a.dir, "labels": labels}
    for name in a.only.split(","):
        t0 = time.perf_counter()
        c = float(name[2:]) if name.startswith("c-") else 1.0
        out[name] = run(name, train, test, labels, c)
        out[name]["seconds"] = round(time.perf_counter() - t0, 1)
        print(json.dumps({name: out[name]}), flush=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
