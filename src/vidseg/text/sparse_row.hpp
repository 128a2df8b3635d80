// A sparse feature vector (one utterance, one timeline row): indices ascending and unique, with their
// values. The rows of a CSR matrix, kept as separate vectors because the utterance models stream them.
#pragma once

#include <cstdint>
#include <vector>

namespace vidseg::text {

struct SparseRow {
    std::vector<std::uint32_t> index;  // ascending, unique
    std::vector<float> value;

    std::size_t size() const { return index.size(); }
};

// Index -> value pairs (any order, repeats summed) as a SparseRow.
SparseRow sparse_from_pairs(std::vector<std::pair<std::uint32_t, double>> pairs);

// Scales the row to unit Euclidean length (a zero row stays zero).
void l2_normalise(SparseRow& row);

// row + weight * other (both sorted): the sum of two rows.
SparseRow add_scaled(const SparseRow& row, const SparseRow& other, float weight);

// Every index of `b` moved up by `offset`, appended after `a` (whose indices are all below offset).
SparseRow concatenate(const SparseRow& a, const SparseRow& b, std::uint32_t offset);

}  // namespace vidseg::text
