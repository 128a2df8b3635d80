// TF-IDF weights learned from the training utterances and stored in the model, as scikit-learn's
// TfidfTransformer (norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=False) computes them:
// idf(t) = ln((1 + n) / (1 + df(t))) + 1 over the n training documents, a document's value tf * idf,
// then the row scaled to unit length. Columns no training document has keep idf = ln(1 + n) + 1.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "vidseg/text/sparse_row.hpp"

namespace vidseg::text {

class TfidfWeights {
public:
    // Document frequencies of the hashed counts of the training documents.
    static TfidfWeights fit(const std::vector<SparseRow>& counts);

    double idf(std::uint32_t column) const;
    // counts * idf, L2-normalised.
    SparseRow apply(const SparseRow& counts) const;

    std::size_t documents() const { return documents_; }
    // {"documents": n, "df": [[column, df], ...]} (columns ascending). from_json throws
    // Error(InvalidData) naming `subject` for a malformed one.
    nlohmann::json to_json() const;
    static TfidfWeights from_json(const nlohmann::json& doc, const std::string& subject);

private:
    std::size_t documents_ = 0;
    std::unordered_map<std::uint32_t, std::uint32_t> df_;
};

}  // namespace vidseg::text
