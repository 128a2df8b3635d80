#include "vidseg/intro/offset_candidates.hpp"

#include <algorithm>

namespace vidseg::intro {

namespace {

// (key << 32 | index) of both 16-bit halves of every indexed item, sorted: the halves get distinct
// key spaces (bit 16 set for the high half).
std::vector<uint64_t> half_keys(const uint32_t* items, long n, uint32_t skip) {
    std::vector<uint64_t> keys;
    keys.reserve(std::size_t(2 * n));
    for (long i = 0; i < n; ++i) {
        const uint32_t v = items[i];
        if (v == skip) continue;
        keys.push_back(uint64_t(v & 0xFFFFu) << 32 | uint64_t(i));
        keys.push_back(uint64_t((v >> 16) | 0x10000u) << 32 | uint64_t(i));
    }
    std::sort(keys.begin(), keys.end());
    return keys;
}

}  // namespace

std::vector<std::pair<long, long>> candidate_offset_ranges(const uint32_t* a, long na, const uint32_t* b, long nb,
                                                           uint32_t skip_a, uint32_t skip_b,
                                                           const OffsetCandidateOptions& options) {
    if (na <= 0 || nb <= 0) return {};
    const auto ka = half_keys(a, na, skip_a), kb = half_keys(b, nb, skip_b);
    // votes[offset + nb - 1]: item pairs with an equal half at that offset (merge join of the sorted keys).
    std::vector<uint16_t> votes(std::size_t(na + nb - 1), 0);
    std::size_t x = 0, y = 0;
    while (x < ka.size() && y < kb.size()) {
        const uint64_t key_a = ka[x] >> 32, key_b = kb[y] >> 32;
        if (key_a != key_b) {
            (key_a < key_b ? x : y)++;
            continue;
        }
        std::size_t x_end = x, y_end = y;
        while (x_end < ka.size() && ka[x_end] >> 32 == key_a) ++x_end;
        while (y_end < kb.size() && kb[y_end] >> 32 == key_a) ++y_end;
        if ((x_end - x) * (y_end - y) <= std::size_t(options.max_key_pairs))
            for (std::size_t i = x; i < x_end; ++i)
                for (std::size_t j = y; j < y_end; ++j) {
                    const long offset = long(uint32_t(ka[i])) - long(uint32_t(kb[j]));
                    uint16_t& v = votes[std::size_t(offset + nb - 1)];
                    if (v < 0xFFFF) ++v;
                }
        x = x_end;
        y = y_end;
    }
    return offset_ranges_from_votes(votes, na, nb, options);
}

std::vector<std::pair<long, long>> offset_ranges_from_votes(const std::vector<uint16_t>& votes, long na, long nb,
                                                            const OffsetCandidateOptions& options) {
    std::vector<std::pair<long, long>> ranges;
    if (na <= 0 || nb <= 0 || votes.size() != std::size_t(na + nb - 1)) return ranges;
    // Offsets whose pooled votes reach min_votes, widened by the margin, merged into ranges.
    const long count = na + nb - 1, w = options.window;
    long pooled = 0;
    for (long k = 0; k < std::min(w, count); ++k) pooled += votes[std::size_t(k)];
    for (long k = 0; k < count; ++k) {
        if (k + w < count) pooled += votes[std::size_t(k + w)];
        if (k - w - 1 >= 0) pooled -= votes[std::size_t(k - w - 1)];
        if (pooled < options.min_votes) continue;
        const long first = std::max(0L, k - options.margin) - (nb - 1);
        const long last = std::min(count, k + options.margin + 1) - (nb - 1);
        if (!ranges.empty() && first <= ranges.back().second)
            ranges.back().second = std::max(ranges.back().second, last);
        else
            ranges.emplace_back(first, last);
    }
    return ranges;
}

}  // namespace vidseg::intro
