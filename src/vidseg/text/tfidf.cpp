#include "vidseg/text/tfidf.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/core/json_numbers.hpp"

namespace vidseg::text {

TfidfWeights TfidfWeights::fit(const std::vector<SparseRow>& counts) {
    TfidfWeights w;
    w.documents_ = counts.size();
    for (const auto& row : counts)
        for (std::size_t i = 0; i < row.size(); ++i)
            if (row.value[i] != 0) ++w.df_[row.index[i]];
    return w;
}

double TfidfWeights::idf(std::uint32_t column) const {
    const auto it = df_.find(column);
    const double df = it == df_.end() ? 0.0 : double(it->second);
    return std::log((1.0 + double(documents_)) / (1.0 + df)) + 1.0;
}

SparseRow TfidfWeights::apply(const SparseRow& counts) const {
    SparseRow out = counts;
    for (std::size_t i = 0; i < out.size(); ++i) out.value[i] = float(double(counts.value[i]) * idf(out.index[i]));
    l2_normalise(out);
    return out;
}

nlohmann::json TfidfWeights::to_json() const {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs(df_.begin(), df_.end());
    std::sort(pairs.begin(), pairs.end());
    nlohmann::json df = nlohmann::json::array();
    for (const auto& [column, count] : pairs) df.push_back({column, count});
    return {{"documents", documents_}, {"df", df}};
}

TfidfWeights TfidfWeights::from_json(const nlohmann::json& doc, const std::string& subject) {
    TfidfWeights w;
    try {
        w.documents_ = json_integer<std::size_t>(doc.at("documents"), "documents");
        for (const auto& pair : doc.at("df")) {
            const auto count = json_integer<std::uint32_t>(pair.at(1), "a document frequency");
            if (count == 0 || count > w.documents_)
                throw Error(ErrorCode::InvalidData, "malformed TF-IDF weights: a document frequency out of range",
                            subject);
            w.df_[json_integer<std::uint32_t>(pair.at(0), "a column")] = count;
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::InvalidData, std::string("malformed TF-IDF weights: ") + e.what(), subject);
    }
    return w;
}

}  // namespace vidseg::text
