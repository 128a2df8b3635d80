// Lexical features of utterances, language-independent: hashed word n-grams and character n-grams
// (ngram_hashing.hpp) each weighted by TF-IDF learned on the training utterances (tfidf.hpp) and
// L2-normalised, side by side in one sparse row — word block in [0, n_features), character block in
// [n_features, 2 n_features) — as a scikit-learn FeatureUnion of two
// HashingVectorizer(alternate_sign=False, norm=None) + TfidfTransformer pipelines computes it.
// The weights go into the model (to_json); the hashing needs no vocabulary, so an explanation names
// the n-grams of the utterance itself (ngrams_of) whose columns weighed most.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "vidseg/text/sparse_row.hpp"
#include "vidseg/text/tfidf.hpp"
#include "vidseg/timeline/transcript.hpp"

namespace vidseg::text {

struct LexicalConfig {
    int word_min = 1, word_max = 2;  // word n-gram orders
    int char_min = 2, char_max = 4;  // character n-gram orders (0 = no character block)
    std::uint32_t n_features = 1u << 18;  // per block
    // tf -> 1 + ln(tf) before the IDF (scikit-learn's sublinear_tf): an n-gram said three times in one
    // utterance does not weigh three times as much.
    bool sublinear_tf = false;
    bool operator==(const LexicalConfig&) const = default;
};

// An n-gram of an utterance and its column in the vectoriser's space.
struct ColumnNgram {
    std::uint32_t column = 0;
    std::string ngram;   // as the utterance has it, lower case
    bool word = true;    // word n-gram (else characters)
};

class LexicalVectorizer {
public:
    // Throws Error(InvalidArgument) for orders < 1, min > max, or n_features outside [2^4, 2^24].
    static LexicalVectorizer fit(const std::vector<std::string>& utterances, const LexicalConfig& config = {});

    const LexicalConfig& config() const { return config_; }
    std::uint32_t width() const;  // columns of a row: 2 n_features (n_features without characters)
    SparseRow transform(std::string_view utterance) const;
    std::vector<ColumnNgram> ngrams_of(std::string_view utterance) const;

    nlohmann::json to_json() const;
    static LexicalVectorizer from_json(const nlohmann::json& doc, const std::string& subject);

private:
    LexicalConfig config_;
    TfidfWeights words_, chars_;
};

// Utterance rows pooled onto a timeline: row r = the sum over segments of (share of the row's
// window [times[r], times[r] + window) the segment covers) x its utterance row. An utterance shorter
// than a row then weighs by how much of the row it fills; one that spans rows appears in each.
std::vector<SparseRow> pool_rows(const std::vector<timeline::TranscriptSegment>& segments,
                                 const std::vector<SparseRow>& utterance_rows, const std::vector<double>& times,
                                 double window);

}  // namespace vidseg::text
