// N-grams of an utterance and their hashed counts, as scikit-learn's HashingVectorizer computes them
// (the reference of tests/python/test_text_lexical.py):
//   - lower case first (utf8_words.hpp),
//   - word n-grams: tokens are the runs of two or more word characters (token_pattern
//     r"(?u)\b\w\w+\b"), n-grams join n consecutive tokens with one space;
//   - character n-grams inside word boundaries (analyzer "char_wb"): each white-space separated word
//     padded with one space on each side, its n-grams of code points; a padded word shorter than n
//     counts once, as a whole;
//   - an n-gram's column is |MurmurHash3_x86_32(its UTF-8 bytes, seed 0)| mod n_features (signed hash;
//     -2^31 as sklearn maps it), the value the number of times it occurs (alternate_sign=False).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vidseg/text/sparse_row.hpp"

namespace vidseg::text {

// MurmurHash3_x86_32 of the bytes, as a signed 32-bit value (sklearn.utils.murmurhash3_32).
std::int32_t murmurhash3_32(std::string_view bytes, std::uint32_t seed = 0);

// The column of an n-gram in a space of n_features.
std::uint32_t hashed_column(std::string_view ngram, std::uint32_t n_features);

std::vector<std::string> word_ngrams(std::string_view utf8, int min_n, int max_n);
std::vector<std::string> char_wb_ngrams(std::string_view utf8, int min_n, int max_n);

// Counts of the n-grams per hashed column.
SparseRow hashed_counts(const std::vector<std::string>& ngrams, std::uint32_t n_features);

}  // namespace vidseg::text
