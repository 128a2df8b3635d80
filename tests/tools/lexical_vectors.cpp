// Test driver of tests/python/test_text_lexical.py: vidseg's lexical features (text/lexical_vectorizer.hpp)
// of the utterances it is given, to compare with scikit-learn's. Reads one JSON document from stdin:
//   {"fit": [utterances], "transform": [utterances], "word": [min, max], "char": [min, max], "n_features": N,
//    "sublinear_tf"?: bool}
// and writes {"rows": [{"index": [...], "value": [...]}], "word_ngrams": [[...]], "char_ngrams": [[...]],
// "idf_words": {column: idf}, ...} for the "transform" utterances.
// With "mode": "logistic" it fits text/sparse_logistic.hpp instead:
//   {"rows": [{"index": [...], "value": [...]}], "targets": [rows x labels 0/1], "labels": L, "width": W,
//    "c": C, "balanced": bool, "solver": "dual-cd" | "sgd", "tolerance": eps}
// -> {"weights": [[W weights] per label], "bias": [...], "epochs": n, "converged": bool, "class_weights": [...]};
// with "mode": "platt" it fits text/platt_scaling.hpp: {"margins": [...], "positive": [...]} -> {"a", "b"}.
#include <iostream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/text/lexical_vectorizer.hpp"
#include "vidseg/text/ngram_hashing.hpp"
#include "vidseg/text/platt_scaling.hpp"
#include "vidseg/text/sparse_logistic.hpp"

namespace {

nlohmann::json fit_logistic(const nlohmann::json& in) {
    std::vector<vidseg::text::SparseRow> rows;
    for (const auto& r : in.at("rows"))
        rows.push_back({r.at("index").get<std::vector<std::uint32_t>>(), r.at("value").get<std::vector<float>>()});
    const auto targets = in.at("targets").get<std::vector<std::uint8_t>>();
    const auto labels = in.at("labels").get<std::size_t>();
    const auto width = in.at("width").get<std::uint32_t>();
    vidseg::text::LogisticOptions o;
    o.c = in.value("c", 1.0);
    o.balanced = in.value("balanced", true);
    o.dual.tolerance = in.value("tolerance", 0.01);
    o.dual.max_epochs = in.value("max_epochs", 1000);
    if (in.value("solver", "dual-cd") == "sgd") o.solver = vidseg::text::LogisticSolver::Sgd;
    const auto m = vidseg::text::SparseLogistic::train(rows, targets, labels, width, o);
    nlohmann::json weights = nlohmann::json::array(), bias = nlohmann::json::array();
    for (std::size_t l = 0; l < labels; ++l) {
        std::vector<float> w(width);
        for (std::uint32_t c = 0; c < width; ++c) w[c] = m.weight(l, c);
        weights.push_back(w);
        bias.push_back(m.bias(l));
    }
    return {{"weights", weights}, {"bias", bias}, {"epochs", m.epochs()}, {"converged", m.converged()},
            {"class_weights", m.class_weights()}};
}

}  // namespace

int main() {
    try {
        const auto in = nlohmann::json::parse(std::string(std::istreambuf_iterator<char>(std::cin), {}));
        if (in.value("mode", "") == "logistic") {
            std::cout << fit_logistic(in).dump() << "\n";
            return 0;
        }
        if (in.value("mode", "") == "platt") {
            const auto s = vidseg::text::PlattScaling::fit(in.at("margins").get<std::vector<double>>(),
                                                           in.at("positive").get<std::vector<bool>>());
            std::cout << nlohmann::json{{"a", s.a}, {"b", s.b}}.dump() << "\n";
            return 0;
        }
        vidseg::text::LexicalConfig config;
        config.word_min = in.at("word").at(0);
        config.word_max = in.at("word").at(1);
        config.char_min = in.at("char").at(0);
        config.char_max = in.at("char").at(1);
        config.n_features = in.at("n_features");
        config.sublinear_tf = in.value("sublinear_tf", false);
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
