// Turns word vectors in the word2vec text format ("N D" header, then "word v1 ... vD" per line: what
// gensim's KeyedVectors.save_word2vec_format and fastText's .vec files hold) into a TorchScript
// sentence encoder for `vidseg features --text-encoder` (features/text_embedder.hpp):
//   vocabulary: Dict[str, int]   (the words as the file spells them)
//   vectors:    Tensor [N, D]    (float32)
//   forward(words: List[str]) -> Tensor [D]: the mean of the vectors of the words in the vocabulary,
//                                            zeros when none is
// The file carries its own vocabulary; vidseg passes the utterance's words (word_tokens). Used by the
// tests with trained vectors that gensim's wheel ships (tests/python/test_text_encoder.py) and with small
// hand-written ones (tests/unit/features_text_encoder_test.cpp). Nothing is downloaded.
// Usage: vidseg_make_text_encoder VECTORS.vec OUT.pt
#include <cstdio>
#include <exception>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <torch/script.h>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s VECTORS.vec OUT.pt\n", argv[0]);
        return 2;
    }
    try {
        std::ifstream in(argv[1], std::ios::binary);
        if (!in) throw std::runtime_error(std::string("cannot read ") + argv[1]);
        std::int64_t n = 0, d = 0;
        std::string line;
        if (!std::getline(in, line) || !(std::istringstream(line) >> n >> d) || n <= 0 || d <= 0)
            throw std::runtime_error("the first line must be \"N D\" (word2vec text format)");
        c10::Dict<std::string, std::int64_t> vocabulary;
        std::vector<float> values;
        values.reserve(std::size_t(n * d));
        std::int64_t row = 0;
        while (row < n && std::getline(in, line)) {
            std::istringstream fields(line);
            std::string word;
            if (!(fields >> word)) continue;
            for (std::int64_t k = 0; k < d; ++k) {
                float v = 0;
                if (!(fields >> v))
                    throw std::runtime_error("line " + std::to_string(row + 2) + ": fewer than D values");
                values.push_back(v);
            }
            if (vocabulary.contains(word)) {  // a repeated word keeps its first vector, as gensim does
                values.resize(values.size() - std::size_t(d));
                --n;
                continue;
            }
            vocabulary.insert(word, row++);
        }
        if (row != n) throw std::runtime_error("fewer words than the header says");
        torch::jit::Module module("WordVectorMean");
        module.register_attribute(
            "vocabulary", c10::DictType::create(c10::StringType::get(), c10::IntType::get()), vocabulary);
        module.register_buffer("vectors", torch::from_blob(values.data(), {n, d}, torch::kFloat).clone());
        module.define(R"(
def forward(self, words: List[str]):
    ids: List[int] = []
    for w in words:
        if w in self.vocabulary:
            ids.append(self.vocabulary[w])
    if len(ids) == 0:
        return torch.zeros_like(self.vectors[0])
    return self.vectors.index_select(0, torch.tensor(ids)).mean(0)
)");
        module.save(argv[2]);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
