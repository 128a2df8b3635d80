"""The scikit-learn pipeline a researcher would write for the same tables (the reference of
bench/text/run.sh): TfidfVectorizer (word 1-2-grams + char_wb 2-4-grams, as vidseg's lexical features)
and one LogisticRegression per pattern (liblinear, class_weight="balanced"), thresholds 0.5. Timed end to
end: read the training table, fit, read the 45-minute lesson, predict it. Then macro-F1 per utterance on
the test table, for this pipeline and for a plain bag of words (TfidfVectorizer() defaults)."""
import argparse
import csv
import json
import time

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score


def read(path):
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [set(filter(None, r["labels"].split(";"))) for r in rows]


def fit(train_texts, y, labels, vectorizers):
    x = sp.hstack([v.fit_transform(train_texts) for v in vectorizers]).tocsr()
    return [LogisticRegression(solver="liblinear", class_weight="balanced").fit(x, y[:, j]) for j in range(len(labels))]


def predict(models, vectorizers, texts):
    xp = sp.hstack([v.transform(texts) for v in vectorizers]).tocsr()
    return np.stack([m.predict_proba(xp)[:, 1] >= 0.5 for m in models], axis=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    a = ap.parse_args()
    t0 = time.perf_counter()
    texts, label_sets = read(f"{a.dir}/train.csv")
    labels = sorted(set().union(*label_sets))
    y = np.array([[l in s for l in labels] for s in label_sets], dtype=np.uint8)
    lesson, _ = read(f"{a.dir}/lesson45.csv")
    full = [TfidfVectorizer(ngram_range=(1, 2)), TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4))]
    models = fit(texts, y, labels, full)
    predict(models, full, lesson)
    seconds = time.perf_counter() - t0
    cpu = time.process_time()
    test_texts, test_sets = read(f"{a.dir}/test.csv")
    truth = np.array([[l in s for l in labels] for s in test_sets], dtype=np.uint8)
    f1_full = f1_score(truth, predict(models, full, test_texts), average=None, zero_division=0)
    bow = [TfidfVectorizer()]
    f1_bow = f1_score(truth, predict(fit(texts, y, labels, bow), bow, test_texts), average=None, zero_division=0)
    print(json.dumps({"train_utterances": len(texts), "seconds_end_to_end": seconds, "cpu_seconds_end_to_end": cpu,
                      "labels": labels, "macro_f1_tfidf_word_char_lr": f1_full.mean(),
                      "macro_f1_bag_of_words_lr": f1_bow.mean(), "f1_tfidf_word_char_lr": f1_full.tolist(),
                      "f1_bag_of_words_lr": f1_bow.tolist()}))


if __name__ == "__main__":
    main()
