"""`vidseg features --text-encoder` with a real, trained text encoder, against gensim as the reference.

gensim's wheel ships small word vectors trained with fastText (gensim/test/test_data, word2vec text format):
  pang_lee_polarity_fasttext.vec   1694 English words x 100, trained on Pang & Lee's movie-review sentences
  crime-and-punishment.vec         291 words x 5 (Russian and English), trained on "Crime and Punishment"
tests/tools/make_text_encoder.cpp turns such a file into a TorchScript sentence encoder (the vocabulary and
the vectors inside; forward(words) = the mean of the vectors of the known words). vidseg embeds each
utterance of a transcript with it (features/text_embedder.hpp: words = lower-case runs of word characters)
and pools the embeddings per timeline row; the same sentences embedded from gensim's KeyedVectors
(get_mean_vector of the same words) must agree within 1e-4 (relative). Then a tiny model is trained on the embedding
columns and predicts."""
import json
import os
import re
import subprocess
import tempfile

import numpy as np
import pytest
from gensim.models import KeyedVectors
from gensim.test.utils import datapath

VIDSEG = os.environ.get("VIDSEG_BINARY", "vidseg")
TOOL = os.environ.get("VIDSEG_TEXT_ENCODER_TOOL", "vidseg_make_text_encoder")
MEDIA = os.environ.get("VIDSEG_TEST_MEDIA_DIR", "")

ENGLISH = [
    "A dull, lifeless movie: the story is a mess.",
    "One of the best films of the year, funny and moving!",
    "IT'S a Comedy about LOVE and the family.",
    "The actors are wonderful; the script is not.",
    "Xyzzy qwertz",  # no word in the vocabulary: zeros
    "What a beautiful, touching and smart film.",
]
RUSSIAN = [
    "Он был молодой человек, и он даже не встречи ждал.",
    "В каждый день он выходил на улицу.",
    "The young man and his landlady.",
    "Совсем не то, — сказал он.",
]


def words(text):
    return re.findall(r"\w+", text.lower())


def reference(kv, text):
    known = [w for w in words(text) if w in kv.key_to_index]
    if not known:
        return np.zeros(kv.vector_size, dtype=np.float32)
    return kv.get_mean_vector(known, pre_normalize=False, post_normalize=False)


def make_encoder(vectors, out):
    subprocess.run([TOOL, vectors, out], check=True, capture_output=True, text=True)


def embed_rows(encoder, sentences, tmp):
    """One sentence per 1-s row of a 30-s lesson: each row is that sentence's embedding."""
    transcript = os.path.join(tmp, "t.json")
    with open(transcript, "w", encoding="utf-8") as f:
        json.dump({"segments": [{"start": i, "end": i + 1, "text": s} for i, s in enumerate(sentences)]}, f,
                  ensure_ascii=False)
    out = os.path.join(tmp, "f.jsonl")
    r = subprocess.run([VIDSEG, "features", os.path.join(MEDIA, "lesson.mp4"), "--out", out, "--no-audio",
                        "--no-visual", "--transcript", transcript, "--text-encoder", encoder, "-q"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with open(out, encoding="utf-8") as f:
        lines = [json.loads(line) for line in f if line.strip()]
    header, rows = lines[0], lines[1:]
    columns = header["columns"]
    embed = [i for i, c in enumerate(columns) if c.startswith("text_embed_")]
    assert [columns[i] for i in embed] == [f"text_embed_{k}" for k in range(len(embed))]
    return np.array([[row["values"][i] for i in embed] for row in rows], dtype=np.float64)


@pytest.mark.parametrize("name,sentences,dim", [("pang_lee_polarity_fasttext.vec", ENGLISH, 100),
                                                ("crime-and-punishment.vec", RUSSIAN, 5)])
def test_embeddings_match_gensim(name, sentences, dim):
    kv = KeyedVectors.load_word2vec_format(datapath(name), binary=False, unicode_errors="ignore")
    assert kv.vector_size == dim
    with tempfile.TemporaryDirectory() as tmp:
        encoder = os.path.join(tmp, "encoder.pt")
        make_encoder(datapath(name), encoder)
        rows = embed_rows(encoder, sentences, tmp)
    assert rows.shape[1] == dim
    known = 0
    for i, s in enumerate(sentences):
        expected = reference(kv, s)
        # The vectors are small (|v| ~ 0.01 in pang_lee): relative 1e-4, not only absolute.
        np.testing.assert_allclose(rows[i], expected, rtol=1e-4, atol=1e-7, err_msg=s)
        known += bool(np.any(expected != 0))
    assert known >= len(sentences) - 1  # the test sentences do hit the vocabulary
    np.testing.assert_array_equal(rows[len(sentences):], 0)  # nobody speaks after them
