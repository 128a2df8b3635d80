#include "vidseg/text/sparse_row.hpp"

#include <algorithm>
#include <cmath>

namespace vidseg::text {

SparseRow sparse_from_pairs(std::vector<std::pair<std::uint32_t, double>> pairs) {
    std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    SparseRow row;
    for (std::size_t i = 0; i < pairs.size();) {
        double sum = 0;
        const auto index = pairs[i].first;
        for (; i < pairs.size() && pairs[i].first == index; ++i) sum += pairs[i].second;
        row.index.push_back(index);
        row.value.push_back(float(sum));
    }
    return row;
}

void l2_normalise(SparseRow& row) {
    double sq = 0;
    for (const float v : row.value) sq += double(v) * v;
    if (sq <= 0) return;
    const double scale = 1.0 / std::sqrt(sq);
    for (auto& v : row.value) v = float(v * scale);
}

SparseRow add_scaled(const SparseRow& a, const SparseRow& b, float weight) {
    SparseRow out;
    out.index.reserve(a.size() + b.size());
    out.value.reserve(a.size() + b.size());
    std::size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
        if (j == b.size() || (i < a.size() && a.index[i] < b.index[j])) {
            out.index.push_back(a.index[i]);
            out.value.push_back(a.value[i++]);
        } else if (i == a.size() || b.index[j] < a.index[i]) {
            out.index.push_back(b.index[j]);
            out.value.push_back(weight * b.value[j++]);
        } else {
            out.index.push_back(a.index[i]);
            out.value.push_back(a.value[i++] + weight * b.value[j++]);
        }
    }
    return out;
}

SparseRow concatenate(const SparseRow& a, const SparseRow& b, std::uint32_t offset) {
    SparseRow out = a;
    for (std::size_t j = 0; j < b.size(); ++j) {
        out.index.push_back(b.index[j] + offset);
        out.value.push_back(b.value[j]);
    }
    return out;
}

}  // namespace vidseg::text
