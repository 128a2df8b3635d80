#include "vidseg/text/ngram_hashing.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "vidseg/text/utf8_words.hpp"

namespace vidseg::text {

namespace {

std::uint32_t rotl(std::uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

}  // namespace

std::int32_t murmurhash3_32(std::string_view key, std::uint32_t seed) {
    const auto* data = reinterpret_cast<const unsigned char*>(key.data());
    const std::size_t len = key.size(), blocks = len / 4;
    std::uint32_t h = seed;
    constexpr std::uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
    for (std::size_t i = 0; i < blocks; ++i) {
        std::uint32_t k;
        std::memcpy(&k, data + i * 4, 4);  // little-endian, as sklearn's x86 build reads it
        k *= c1;
        k = rotl(k, 15);
        k *= c2;
        h ^= k;
        h = rotl(h, 13);
        h = h * 5 + 0xe6546b64;
    }
    const unsigned char* tail = data + blocks * 4;
    std::uint32_t k = 0;
    switch (len & 3) {
        case 3: k ^= std::uint32_t(tail[2]) << 16; [[fallthrough]];
        case 2: k ^= std::uint32_t(tail[1]) << 8; [[fallthrough]];
        case 1:
            k ^= tail[0];
            k *= c1;
            k = rotl(k, 15);
            k *= c2;
            h ^= k;
    }
    h ^= std::uint32_t(len);
    h ^= h >> 16;
    h *= 0x85ebca6b;
    h ^= h >> 13;
    h *= 0xc2b2ae35;
    h ^= h >> 16;
    return static_cast<std::int32_t>(h);
}

std::uint32_t hashed_column(std::string_view ngram, std::uint32_t n_features) {
    const std::int32_t h = murmurhash3_32(ngram);
    if (h == std::numeric_limits<std::int32_t>::min())  // |-2^31| overflows; sklearn's rule for it
        return (2147483647u - (n_features - 1)) % n_features;
    return std::uint32_t(h < 0 ? -h : h) % n_features;
}

std::vector<std::string> word_ngrams(std::string_view utf8, int min_n, int max_n) {
    const std::u32string text = lower(decode_utf8(utf8));
    std::vector<std::string> tokens;
    for (std::size_t i = 0; i < text.size();) {
        if (!is_word_char(text[i])) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < text.size() && is_word_char(text[j])) ++j;
        if (j - i >= 2) tokens.push_back(encode_utf8(std::u32string_view(text).substr(i, j - i)));
        i = j;
    }
    std::vector<std::string> out;
    for (int n = std::max(1, min_n); n <= max_n; ++n)
        for (std::size_t i = 0; i + std::size_t(n) <= tokens.size(); ++i) {
            std::string gram = tokens[i];
            for (int k = 1; k < n; ++k) gram += " " + tokens[i + std::size_t(k)];
            out.push_back(std::move(gram));
        }
    return out;
}

std::vector<std::string> char_wb_ngrams(std::string_view utf8, int min_n, int max_n) {
    const std::u32string text = lower(decode_utf8(utf8));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < text.size();) {
        if (is_space(text[i])) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < text.size() && !is_space(text[j])) ++j;
        const std::u32string w = U" " + text.substr(i, j - i) + U" ";
        i = j;
        for (int n = std::max(1, min_n); n <= max_n; ++n) {
            const auto len = std::size_t(n);
            std::size_t offset = 0;
            out.push_back(encode_utf8(std::u32string_view(w).substr(offset, len)));
            while (offset + len < w.size()) {
                ++offset;
                out.push_back(encode_utf8(std::u32string_view(w).substr(offset, len)));
            }
            if (offset == 0) break;  // the padded word is not longer than n: counted once, whole
        }
    }
    return out;
}

SparseRow hashed_counts(const std::vector<std::string>& ngrams, std::uint32_t n_features) {
    std::vector<std::pair<std::uint32_t, double>> pairs;
    pairs.reserve(ngrams.size());
    for (const auto& g : ngrams) pairs.emplace_back(hashed_column(g, n_features), 1.0);
    return sparse_from_pairs(std::move(pairs));
}

}  // namespace vidseg::text
