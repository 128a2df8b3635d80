#include "vidseg/text/lexical_vectorizer.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/core/json_numbers.hpp"
#include "vidseg/text/ngram_hashing.hpp"

namespace vidseg::text {

namespace {

void check(const LexicalConfig& c) {
    const bool chars = c.char_max > 0;
    if (c.word_min < 1 || c.word_max < c.word_min || (chars && (c.char_min < 1 || c.char_max < c.char_min)))
        throw Error(ErrorCode::InvalidArgument, "n-gram orders must be >= 1 with min <= max");
    if (c.n_features < (1u << 4) || c.n_features > (1u << 24))
        throw Error(ErrorCode::InvalidArgument, "the hashed space must have 2^4 .. 2^24 columns");
}

SparseRow sublinear(SparseRow counts, bool on) {
    if (on)
        for (auto& v : counts.value) v = v > 0 ? 1.f + std::log(v) : v;
    return counts;
}

SparseRow word_counts(std::string_view u, const LexicalConfig& c) {
    return sublinear(hashed_counts(word_ngrams(u, c.word_min, c.word_max), c.n_features), c.sublinear_tf);
}

SparseRow char_counts(std::string_view u, const LexicalConfig& c) {
    return sublinear(hashed_counts(char_wb_ngrams(u, c.char_min, c.char_max), c.n_features), c.sublinear_tf);
}

}  // namespace

LexicalVectorizer LexicalVectorizer::fit(const std::vector<std::string>& utterances, const LexicalConfig& config) {
    check(config);
    LexicalVectorizer v;
    v.config_ = config;
    std::vector<SparseRow> words, chars;
    words.reserve(utterances.size());
    for (const auto& u : utterances) {
        words.push_back(word_counts(u, config));
        if (config.char_max > 0) chars.push_back(char_counts(u, config));
    }
    v.words_ = TfidfWeights::fit(words);
    v.chars_ = TfidfWeights::fit(chars);
    return v;
}

std::uint32_t LexicalVectorizer::width() const {
    return config_.char_max > 0 ? 2 * config_.n_features : config_.n_features;
}

namespace {

// The counts of the columns some training utterance had (a fixed vocabulary, as scikit-learn's
// TfidfVectorizer): an n-gram never seen in training has no learned weight, and left in the row it
// would only shrink, through the L2 normalisation, the weight of the n-grams the model knows; an
// utterance with many new words (an unseen inflection, a new name) would look less like its pattern.
SparseRow seen_only(const SparseRow& counts, const TfidfWeights& weights) {
    const double unseen_idf = std::log(1.0 + double(weights.documents())) + 1.0;  // idf of df = 0
    SparseRow out;
    for (std::size_t i = 0; i < counts.size(); ++i)
        if (weights.idf(counts.index[i]) < unseen_idf) {
            out.index.push_back(counts.index[i]);
            out.value.push_back(counts.value[i]);
        }
    return out;
}

}  // namespace

SparseRow LexicalVectorizer::transform(std::string_view utterance) const {
    SparseRow row = words_.apply(seen_only(word_counts(utterance, config_), words_));
    if (config_.char_max > 0)
        row = concatenate(row, chars_.apply(seen_only(char_counts(utterance, config_), chars_)), config_.n_features);
    return row;
}

std::vector<ColumnNgram> LexicalVectorizer::ngrams_of(std::string_view utterance) const {
    std::vector<ColumnNgram> out;
    for (auto& g : word_ngrams(utterance, config_.word_min, config_.word_max))
        out.push_back({hashed_column(g, config_.n_features), std::move(g), true});
    if (config_.char_max > 0)
        for (auto& g : char_wb_ngrams(utterance, config_.char_min, config_.char_max))
            out.push_back({config_.n_features + hashed_column(g, config_.n_features), std::move(g), false});
    return out;
}

nlohmann::json LexicalVectorizer::to_json() const {
    return {{"word_ngrams", {config_.word_min, config_.word_max}},
            {"char_wb_ngrams", {config_.char_min, config_.char_max}},
            {"n_features", config_.n_features},
            {"sublinear_tf", config_.sublinear_tf},
            {"hash", "murmurhash3_32"},
            {"idf_words", words_.to_json()},
            {"idf_chars", chars_.to_json()}};
}

LexicalVectorizer LexicalVectorizer::from_json(const nlohmann::json& doc, const std::string& subject) {
    LexicalVectorizer v;
    try {
        v.config_.word_min = json_integer<int>(doc.at("word_ngrams").at(0), "word_ngrams");
        v.config_.word_max = json_integer<int>(doc.at("word_ngrams").at(1), "word_ngrams");
        v.config_.char_min = json_integer<int>(doc.at("char_wb_ngrams").at(0), "char_wb_ngrams");
        v.config_.char_max = json_integer<int>(doc.at("char_wb_ngrams").at(1), "char_wb_ngrams");
        v.config_.n_features = json_integer<std::uint32_t>(doc.at("n_features"), "n_features");
        if (doc.contains("sublinear_tf")) v.config_.sublinear_tf = doc.at("sublinear_tf").get<bool>();  // older: false
        check(v.config_);
        v.words_ = TfidfWeights::from_json(doc.at("idf_words"), subject);
        v.chars_ = TfidfWeights::from_json(doc.at("idf_chars"), subject);
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::InvalidData, std::string("malformed lexical features: ") + e.what(), subject);
    } catch (const Error& e) {
        throw Error(ErrorCode::InvalidData, "malformed lexical features: " + e.cause(), subject);
    }
    return v;
}

std::vector<SparseRow> pool_rows(const std::vector<timeline::TranscriptSegment>& segments,
                                 const std::vector<SparseRow>& utterance_rows, const std::vector<double>& times,
                                 double window) {
    if (segments.size() != utterance_rows.size())
        throw Error(ErrorCode::Internal, "pool_rows: one utterance row per segment expected");
    std::vector<SparseRow> rows(times.size());
    for (std::size_t s = 0; s < segments.size(); ++s) {
        const auto& seg = segments[s];
        // Rows are sorted by start: skip to the first that can overlap.
        auto r = std::size_t(std::lower_bound(times.begin(), times.end(), seg.start - window) - times.begin());
        for (; r < times.size() && times[r] < seg.end; ++r) {
            const double overlap = std::min(seg.end, times[r] + window) - std::max(seg.start, times[r]);
            if (overlap > 0) rows[r] = add_scaled(rows[r], utterance_rows[s], float(overlap / window));
        }
    }
    return rows;
}

}  // namespace vidseg::text
