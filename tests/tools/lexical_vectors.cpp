// Test driver of tests/python/test_text_lexical.py: vidseg's lexical features (text/lexical_vectorizer.hpp)
// of the utterances it is given, to compare with scikit-learn's. Reads one JSON document from stdin:
//   {"fit": [utterances], "transform": [utterances], "word": [min, max], "char": [min, max], "n_features": N}
// and writes {"rows": [{"index": [...], "value": [...]}], "word_ngrams": [[...]], "char_ngrams": [[...]],
// "idf_words": {column: idf}, ...} for the "transform" utterances.
#include <iostream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/text/lexical_vectorizer.hpp"
#include "vidseg/text/ngram_hashing.hpp"

int main() {
    try {
        const auto in = nlohmann::json::parse(std::string(std::istreambuf_iterator<char>(std::cin), {}));
        vidseg::text::LexicalConfig config;
        config.word_min = in.at("word").at(0);
        config.word_max = in.at("word").at(1);
        config.char_min = in.at("char").at(0);
        config.char_max = in.at("char").at(1);
        config.n_features = in.at("n_features");
        const auto fit = in.at("fit").get<std::vector<std::string>>();
        const auto vectorizer = vidseg::text::LexicalVectorizer::fit(fit, config);
        nlohmann::json out = {{"rows", nlohmann::json::array()},
                              {"word_ngrams", nlohmann::json::array()},
                              {"char_ngrams", nlohmann::json::array()},
                              {"model", vectorizer.to_json()}};
        for (const auto& u : in.at("transform").get<std::vector<std::string>>()) {
            const auto row = vectorizer.transform(u);
            out["rows"].push_back({{"index", row.index}, {"value", row.value}});
            out["word_ngrams"].push_back(vidseg::text::word_ngrams(u, config.word_min, config.word_max));
            out["char_ngrams"].push_back(vidseg::text::char_wb_ngrams(u, config.char_min, config.char_max));
        }
        std::cout << out.dump() << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}
