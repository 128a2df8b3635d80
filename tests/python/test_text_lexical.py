"""vidseg's lexical text features (src/vidseg/text/) against scikit-learn as the reference.

The driver tests/tools/lexical_vectors.cpp fits vidseg's LexicalVectorizer on Russian and English
utterances and prints the rows of others; the same rows come from a scikit-learn FeatureUnion-like
stack of two HashingVectorizer(alternate_sign=False, norm=None) + TfidfTransformer() pipelines (word
n-grams with the default token pattern, char_wb n-grams). Columns, n-grams and TF-IDF values must agree.
The CLI's text model (`vidseg train --data TABLE`) stores the same document frequencies."""
import csv
import json
import os
import subprocess
import tempfile

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize

TOOL = os.environ.get("VIDSEG_LEXICAL_TOOL", "vidseg_lexical_vectors")
VIDSEG = os.environ.get("VIDSEG_BINARY", "vidseg")

FIT = [
    "Молодец, Маша! Отличная работа.",
    "Почему ты так думаешь? Объясни, пожалуйста.",
    "Откройте учебники на странице 42.",
    "Great job, everyone — well done!",
    "Why do you think the leaves change colour?",
    "Ёжик в тумане: ЁЛКА и ёлка, ЙОД и йод.",
    "Let's link this to your own experience at home.",
    "Кто может сказать,  почему\tвода   кипит при 100 °C?",
    "OK. So… what do you think? Does it make sense?",
    "а я думаю что нет",
    "I think — yes; it's the sun's light.",
    "Правильно! Так держать, ребята.",
]
TRANSFORM = FIT[:4] + [
    "Почему листья желтеют осенью? Молодец!",
    "why — great job, Маша",
    "x y z",  # no token of two word characters: an empty word block
    "Ünïcödé café naïve résumé",
]
N_FEATURES = 2**18


def vidseg_rows(word=(1, 2), char=(2, 4), sublinear_tf=False):
    request = {"fit": FIT, "transform": TRANSFORM, "word": list(word), "char": list(char), "n_features": N_FEATURES,
               "sublinear_tf": sublinear_tf}
    out = subprocess.run([TOOL], input=json.dumps(request), capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def sklearn_block(analyzer, ngram_range, sublinear_tf=False):
    hv = HashingVectorizer(analyzer=analyzer, ngram_range=ngram_range, n_features=N_FEATURES, alternate_sign=False,
                           norm=None)
    tfidf = TfidfTransformer(sublinear_tf=sublinear_tf).fit(hv.transform(FIT))
    return hv, tfidf


def seen_block(analyzer, ngram_range, texts, sublinear_tf=False):
    """HashingVectorizer + TfidfTransformer rows of `texts` with only the columns FIT had (TfidfVectorizer's fixed
    vocabulary: vidseg drops n-grams never seen in training before the L2 normalisation)."""
    hv, _ = sklearn_block(analyzer, ngram_range, sublinear_tf)
    fit_counts = hv.transform(FIT)
    seen = np.asarray((fit_counts > 0).sum(axis=0)).ravel() > 0
    tfidf = TfidfTransformer(sublinear_tf=sublinear_tf, norm=None).fit(fit_counts)
    rows = tfidf.transform(hv.transform(texts)) @ sp.diags(seen.astype(float))
    rows.eliminate_zeros()
    return normalize(rows)


def test_ngrams_match_sklearn_analyzers():
    doc = vidseg_rows()
    word = HashingVectorizer(analyzer="word", ngram_range=(1, 2)).build_analyzer()
    char = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 4)).build_analyzer()
    for text, ours_w, ours_c in zip(TRANSFORM, doc["word_ngrams"], doc["char_ngrams"]):
        assert sorted(ours_w) == sorted(word(text)), text
        assert sorted(ours_c) == sorted(char(text)), text


def test_tfidf_rows_match_hashing_vectorizer_and_tfidf_transformer():
    doc = vidseg_rows()
    reference = sp.hstack([seen_block("word", (1, 2), TRANSFORM), seen_block("char_wb", (2, 4), TRANSFORM)]).tocsr()
    assert len(doc["rows"]) == reference.shape[0]
    for i, row in enumerate(doc["rows"]):
        expected = reference.getrow(i)
        expected.sort_indices()
        assert row["index"] == expected.indices.tolist(), TRANSFORM[i]
        np.testing.assert_allclose(row["value"], expected.data, rtol=1e-5, atol=1e-7, err_msg=TRANSFORM[i])
    # Not trivially equal: the rows have many columns and the idf varies.
    assert sum(len(r["index"]) for r in doc["rows"]) > 300
    assert len(set(np.round(reference.data, 6))) > 20
    # "x y z": no word n-gram; of its 9 character n-grams only the 2 that FIT also has stay, so the unseen
    # ones do not dilute them.
    assert len(doc["rows"][6]["index"]) == 2 and all(i >= N_FEATURES for i in doc["rows"][6]["index"])
    assert len(set(doc["char_ngrams"][6])) == 9


def test_sublinear_tf_rows_match_tfidf_transformer_sublinear_tf():
    """`train --sublinear-tf`: counts become 1 + ln(count) before the IDF, as TfidfTransformer(sublinear_tf=True)."""
    doc = vidseg_rows(sublinear_tf=True)
    plain = vidseg_rows()
    reference = sp.hstack([seen_block("word", (1, 2), TRANSFORM, True),
                           seen_block("char_wb", (2, 4), TRANSFORM, True)]).tocsr()
    differ = 0
    for i, row in enumerate(doc["rows"]):
        expected = reference.getrow(i)
        expected.sort_indices()
        assert row["index"] == expected.indices.tolist(), TRANSFORM[i]
        np.testing.assert_allclose(row["value"], expected.data, rtol=1e-5, atol=1e-7, err_msg=TRANSFORM[i])
        differ += not np.allclose(row["value"], plain["rows"][i]["value"], rtol=1e-4)
    assert differ >= 3  # repeated character n-grams ("ёлка", "йод", ...): the option changes rows
    assert doc["model"]["sublinear_tf"] is True and plain["model"]["sublinear_tf"] is False


def test_stored_document_frequencies_give_sklearn_idf():
    doc = vidseg_rows(word=(1, 1), char=(3, 3))
    hv = HashingVectorizer(analyzer="word", ngram_range=(1, 1), n_features=N_FEATURES, alternate_sign=False, norm=None)
    tfidf = TfidfTransformer().fit(hv.transform(FIT))
    stored = doc["model"]["idf_words"]
    assert stored["documents"] == len(FIT)
    n = len(FIT)
    for column, df in stored["df"]:
        assert np.log((1 + n) / (1 + df)) + 1 == pytest.approx(tfidf.idf_[column], rel=1e-12)
    assert len(stored["df"]) == np.count_nonzero(tfidf.idf_ < np.log(1 + n) + 1)


def test_cli_text_model_stores_the_same_document_frequencies():
    with tempfile.TemporaryDirectory() as d:
        table = os.path.join(d, "utterances.csv")
        with open(table, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["lesson", "start", "end", "speaker", "text", "labels"])
            for i, text in enumerate(FIT):
                w.writerow([f"l{i % 3}", i * 3, i * 3 + 2, "T", text, "praise" if i % 2 == 0 else "question"])
        model = os.path.join(d, "text.model")
        subprocess.run([VIDSEG, "train", "--data", table, "--val-fraction", "0", "--out", model, "--quiet"],
                       check=True, capture_output=True)
        with open(model, encoding="utf-8") as f:
            assert json.loads(f.readline())["format"] == "vidseg.text-model"
            body = json.loads(f.readline())
    # The CLI fits on the table's lessons in lesson order (l0, l1, l2: rows sorted by time within each).
    texts = [t for lesson in range(3) for i, t in enumerate(FIT) if i % 3 == lesson]
    hv = HashingVectorizer(analyzer="word", ngram_range=(1, 2), n_features=N_FEATURES, alternate_sign=False, norm=None)
    counts = hv.transform(texts)
    df = np.bincount(counts.indices, minlength=N_FEATURES)
    stored = dict((c, n) for c, n in body["lexical"]["idf_words"]["df"])
    assert stored == {int(c): int(df[c]) for c in np.nonzero(df)[0]}


def test_patterns_find_with_a_text_model_names_the_words_behind_each_segment():
    """`patterns find` with a text model on a one-lesson table: the JSON's top segments carry the n-grams that
    drove them, the report shows them; a table of several lessons is refused (exit 2)."""
    praise = ["Молодец, отлично!", "Great job, well done", "Молодец, так держать"]
    neutral = ["Откройте тетради", "Open your books", "Запишите число", "Let us read the text"]
    with tempfile.TemporaryDirectory() as d:
        table = os.path.join(d, "train.csv")
        with open(table, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["lesson", "start", "end", "speaker", "text", "labels"])
            for lesson in range(6):
                for i in range(30):
                    text = praise[(i + lesson) % 3] if i % 5 == 0 else neutral[(i + lesson) % 4]
                    w.writerow([f"l{lesson}", i * 4, i * 4 + 3, "T", text, "praise" if i % 5 == 0 else ""])
        model = os.path.join(d, "text.model")
        subprocess.run([VIDSEG, "train", "--data", table, "--out", model, "--quiet"], check=True, capture_output=True)
        one = os.path.join(d, "one.csv")
        with open(one, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["Урок", "start", "end", "speaker", "Реплика"])  # renamed columns: the --*-column flags
            w.writerow(["x", 0, 5, "T", "Откройте тетради"])
            w.writerow(["x", 6, 11, "T", "Молодец, отлично!"])
            w.writerow(["x", 12, 17, "T", "Запишите число"])
        report = os.path.join(d, "r.html")
        out = subprocess.run([VIDSEG, "patterns", "find", "--model", model, one, "--lesson-column", "Урок",
                              "--text-column", "Реплика", "--min-length", "1", "--report", report, "--json"],
                             check=True, capture_output=True, text=True)
        doc = json.loads(out.stdout)
        assert doc["model"]["arch"] == "utterance-lr"
        top = doc["top_segments"]
        assert [s["label"] for s in top] == ["praise"]
        assert top[0]["start"] == 6 and top[0]["end"] == 11
        words = [g["ngram"] for g in top[0]["top_ngrams"]]
        assert "молодец" in words and all(g["weight"] > 0 for g in top[0]["top_ngrams"])
        with open(report, encoding="utf-8") as f:
            assert "<q>молодец</q>" in f.read()
        several = subprocess.run([VIDSEG, "patterns", "find", "--model", model, table], capture_output=True, text=True)
        assert several.returncode == 2 and "one lesson per report" in several.stderr
