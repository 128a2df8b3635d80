#include "vidseg/intro/episode_alignment.hpp"

#include "vidseg/intro/offset_candidates.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

namespace vidseg::intro {

namespace {

// Where a run's boundaries fall inside the windows of its first and last items, as shares of the
// window (item_span): measured on tests/media/make_series.sh (see the header).
constexpr double kStartShare = 0.225;
constexpr double kEndShare = 0.56;

struct RawRun {
    long first = 0, last = 0;  // item indices in a (inclusive)
    long offset = 0;           // index in a - index in b
    int matched = 0;
    long errors = 0;
};

// Runs of agreeing items at one offset (b index = a index - offset).
void scan_offset(const AudioFingerprint& a, const AudioFingerprint& b, long offset, int max_errors, long max_gap,
                 std::vector<RawRun>& out) {
    const long na = long(a.items.size()), nb = long(b.items.size());
    const long begin = std::max(0L, offset), end = std::min(na, nb + offset);
    RawRun run;
    bool open = false;
    for (long i = begin; i < end; ++i) {
        const int e = bit_errors(a.items[std::size_t(i)], b.items[std::size_t(i - offset)]);
        if (e > max_errors) {
            if (open && i - run.last > max_gap) {
                out.push_back(run);
                open = false;
            }
            continue;
        }
        if (!open) {
            run = RawRun{i, i, offset, 0, 0};
            open = true;
        }
        run.last = i;
        ++run.matched;
        run.errors += e;
    }
    if (open) out.push_back(run);
}

// Moves a run's ends inwards to the first / last agreeing item that opens / closes a dense stretch
// (at least 3 of 4 consecutive items agree): lone agreeing items next to the shared audio come from
// windows that only partly cover it, or from chance.
void tighten(const AudioFingerprint& a, const AudioFingerprint& b, int max_errors, RawRun& r) {
    auto ok = [&](long i) {
        const long j = i - r.offset;
        return i >= r.first && i <= r.last &&
               bit_errors(a.items[std::size_t(i)], b.items[std::size_t(j)]) <= max_errors;
    };
    auto dense = [&](long i, long dir) {
        int n = 0;
        for (long k = 0; k < 4; ++k) n += ok(i + dir * k);
        return ok(i) && n >= 3;
    };
    long first = r.first, last = r.last;
    while (first <= last && !dense(first, +1)) ++first;
    while (last >= first && !dense(last, -1)) --last;
    if (first > last) {
        r.matched = 0;
        return;
    }
    int matched = 0;
    long errors = 0;
    for (long i = first; i <= last; ++i) {
        const int e = bit_errors(a.items[std::size_t(i)], b.items[std::size_t(i - r.offset)]);
        if (e <= max_errors) ++matched, errors += e;
    }
    r.first = first, r.last = last, r.matched = matched, r.errors = errors;
}

// Share of distinct item values among a run's items: silence and steady tones repeat one value.
// Also the agreeing items that differ from their predecessor must be enough for a run on their own:
// silence gives one item value for as long as it lasts, and two silences agree at any offset.
bool informative(const AudioFingerprint& a, const AudioFingerprint& b, const RawRun& r, int max_errors, int min_items) {
    std::unordered_set<uint32_t> distinct;
    int changing = 0;
    for (long i = r.first; i <= r.last; ++i) {
        const uint32_t v = a.items[std::size_t(i)];
        distinct.insert(v);
        if (i > 0 && v != a.items[std::size_t(i - 1)] &&
            bit_errors(v, b.items[std::size_t(i - r.offset)]) <= max_errors)
            ++changing;
    }
    const long n = r.last - r.first + 1;
    return long(distinct.size()) * 4 >= n && distinct.size() >= 3 && changing >= min_items;
}

// Quiet items (AudioFingerprint::levels) replaced by values that never agree: 0 in a, ~0 in b.
AudioFingerprint mask_quiet(const AudioFingerprint& fp, uint32_t poison) {
    AudioFingerprint out = fp;
    for (std::size_t i = 0; i < out.items.size(); ++i)
        if (fp.quiet(i)) out.items[i] = poison;
    out.levels.clear();
    return out;
}

// The offset scan, the hot loop of audio-only detection: built for AVX2 too and picked at run
// time (the default build targets baseline x86-64, where popcount is a library call).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
void score_offsets_portable(const uint32_t* pa, long na, const uint32_t* pb, long nb, int max_errors, int* agree,
                            long first_offset, long last_offset) {
    for (long offset = first_offset; offset < last_offset; ++offset) {
        const long begin = std::max(0L, offset), end = std::min(na, nb + offset);
        int n = 0;
        for (long i = begin; i < end; ++i) n += bit_errors(pa[i], pb[i - offset]) <= max_errors;
        agree[offset + nb - 1] = n;
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#define VIDSEG_HAVE_AVX512_POPCOUNT 1
// The same with AVX-512 VPOPCNTD (Ice Lake, Zen 4 and later): 16 item pairs per instruction instead
// of a vectorised bit-twiddling count, ~4x faster (the scan was ~4 % of an audio-first detection per
// pair). Counts are exact, so the result is the same as the portable loop's.
__attribute__((target("avx512f,avx512vpopcntdq"))) void score_offsets_avx512(const uint32_t* pa, long na,
                                                                          const uint32_t* pb, long nb,
                                                                          int max_errors, int* agree,
                                                                          long first_offset, long last_offset) {
    const __m512i limit = _mm512_set1_epi32(max_errors);
    const __m512i one = _mm512_set1_epi32(1);
    for (long offset = first_offset; offset < last_offset; ++offset) {
        const long begin = std::max(0L, offset), end = std::min(na, nb + offset);
        __m512i count = _mm512_setzero_si512();
        long i = begin;
        for (; i + 16 <= end; i += 16) {
            const __m512i x = _mm512_xor_si512(_mm512_loadu_si512(pa + i), _mm512_loadu_si512(pb + (i - offset)));
            const __mmask16 ok = _mm512_cmple_epi32_mask(_mm512_popcnt_epi32(x), limit);
            count = _mm512_mask_add_epi32(count, ok, count, one);
        }
        if (i < end) {
            const __mmask16 tail = __mmask16((1u << (end - i)) - 1);
            const __m512i x = _mm512_xor_si512(_mm512_maskz_loadu_epi32(tail, pa + i),
                                               _mm512_maskz_loadu_epi32(tail, pb + (i - offset)));
            const __mmask16 ok = _mm512_mask_cmple_epi32_mask(tail, _mm512_popcnt_epi32(x), limit);
            count = _mm512_mask_add_epi32(count, ok, count, one);
        }
        agree[offset + nb - 1] = _mm512_reduce_add_epi32(count);
    }
}
#endif

// agree[offset + nb - 1] for the offsets [first_offset, last_offset) (index in a - index in b).
void score_offsets(const uint32_t* pa, long na, const uint32_t* pb, long nb, int max_errors, int* agree,
                   long first_offset, long last_offset) {
#if defined(VIDSEG_HAVE_AVX512_POPCOUNT)
    static const bool avx512_popcount = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq");
    if (avx512_popcount) return score_offsets_avx512(pa, na, pb, nb, max_errors, agree, first_offset, last_offset);
#endif
    score_offsets_portable(pa, na, pb, nb, max_errors, agree, first_offset, last_offset);
}

}  // namespace

std::vector<int> agreement_by_offset(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b,
                                     int max_bit_errors) {
    if (a.empty() || b.empty()) return {};
    std::vector<int> agree(a.size() + b.size() - 1, 0);
    score_offsets(a.data(), long(a.size()), b.data(), long(b.size()), max_bit_errors, agree.data(),
                  -(long(b.size()) - 1), long(a.size()));
    return agree;
}

namespace {

// align_episodes on fingerprints without levels (quiet items already masked); offset_ranges: the
// offsets to score (nullptr = decided by options.indexed_scan_min, see below).
std::vector<AlignedRun> align_masked(const AudioFingerprint& a, const AudioFingerprint& b,
                                     const AlignmentOptions& options,
                                     const std::vector<std::pair<long, long>>* offset_ranges) {
    std::vector<AlignedRun> result;
    if (a.items.empty() || b.items.empty()) return result;
    const double period = a.item_period;

    // Every offset (index in a - index in b) is scored by how many item pairs agree there
    // (popcount of the XOR <= max_bit_errors). Exact-item hash votes are too thin: two episodes'
    // frames rarely fall on the same sample phase, so the same audio gives items that differ in a few
    // bits, and only a handful of the intro's items match exactly. The full scan is
    // |a| * |b| popcounts: ~68 M for two 17-minute windows, tens of milliseconds — times n(n-1)/2 pairs
    // of a season. From options.indexed_scan_min popcounts on, only the offsets the half-key index
    // nominates are scored (offset_candidates.hpp); the others count as no agreement.
    const long na = long(a.items.size()), nb = long(b.items.size());
    std::vector<int> agree(std::size_t(na + nb - 1), 0);  // index offset + nb - 1
    const uint32_t* pa = a.items.data();
    const uint32_t* pb = b.items.data();
    if (offset_ranges) {
        for (const auto& [first, last] : *offset_ranges)
            score_offsets(pa, na, pb, nb, options.max_bit_errors, agree.data(), std::max(first, -(nb - 1)),
                          std::min(last, na));
    } else if (double(na) * double(nb) < options.indexed_scan_min) {
        score_offsets(pa, na, pb, nb, options.max_bit_errors, agree.data(), -(nb - 1), na);
    } else {
        // Quiet items are masked with 0 in a and ~0 in b (see above): they are not indexed.
        for (const auto& [first, last] : candidate_offset_ranges(pa, na, pb, nb, 0u, ~0u))
            score_offsets(pa, na, pb, nb, options.max_bit_errors, agree.data(), first, last);
    }
    // Rank with the neighbours +-1 merged (frame phase halfway between two offsets).
    std::vector<std::pair<int, long>> ranked;
    const int min_votes = std::max(4, int(std::ceil(options.min_length / period / 2)));
    for (long k = 0; k < long(agree.size()); ++k) {
        int total = agree[std::size_t(k)];
        if (k > 0) total += agree[std::size_t(k - 1)];
        if (k + 1 < long(agree.size())) total += agree[std::size_t(k + 1)];
        if (agree[std::size_t(k)] > 0 && total >= min_votes) ranked.emplace_back(total, k - (nb - 1));
    }
    std::sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) {
        return x.first != y.first ? x.first > y.first : x.second < y.second;
    });

    std::unordered_set<long> scanned;
    std::vector<RawRun> runs;
    const long max_gap = std::max(1L, long(std::floor(options.max_gap / period)));
    int examined = 0;
    for (const auto& entry : ranked) {
        if (examined >= options.max_offsets) break;
        const long offset = entry.second;
        if (scanned.count(offset)) continue;  // a neighbour of a peak already scanned
        ++examined;
        for (long d : {offset - 1, offset, offset + 1})
            if (scanned.insert(d).second) scan_offset(a, b, d, options.max_bit_errors, max_gap, runs);
    }

    for (auto& r : runs) tighten(a, b, options.max_bit_errors, r);
    std::erase_if(runs, [](const RawRun& r) { return r.matched == 0; });
    // Longest (most agreeing items) first; drop runs overlapping a kept one in a or in b.
    std::sort(runs.begin(), runs.end(), [](const RawRun& x, const RawRun& y) {
        if (x.matched != y.matched) return x.matched > y.matched;
        return x.first < y.first;
    });
    const double span = a.item_span;
    for (const auto& r : runs) {
        AlignedRun out;
        // A run that begins with the first item of either stream may have begun before it: the
        // shared audio starts with that stream, at item 0's time, not half a window later.
        const bool at_stream_start = r.first == 0 || r.first - r.offset == 0;
        const double start_shift = at_stream_start ? 0.0 : kStartShare * span;
        const double end_shift = kEndShare * span;
        out.a = {double(r.first) * period + start_shift, double(r.last) * period + end_shift};
        out.b = {double(r.first - r.offset) * period + start_shift, double(r.last - r.offset) * period + end_shift};
        if (out.a.length() < options.min_length) continue;
        const bool overlaps = std::any_of(result.begin(), result.end(), [&](const AlignedRun& k) {
            return (out.a.start < k.a.end && k.a.start < out.a.end) || (out.b.start < k.b.end && k.b.start < out.b.end);
        });
        if (overlaps || r.matched < options.min_items || double(r.errors) > options.max_mean_bit_errors * r.matched ||
            !informative(a, b, r, options.max_bit_errors, options.min_items))
            continue;
        out.offset = double(r.offset) * period;
        out.matched_items = r.matched;
        out.items = int(r.last - r.first + 1);
        out.mean_bit_errors = r.matched ? double(r.errors) / r.matched : 0;
        result.push_back(out);
    }
    return result;
}

// Quiet items masked first when the fingerprints carry levels (see mask_quiet).
std::vector<AlignedRun> align_levelled(const AudioFingerprint& a, const AudioFingerprint& b,
                                       const AlignmentOptions& options,
                                       const std::vector<std::pair<long, long>>* offset_ranges) {
    if (!a.levels.empty() || !b.levels.empty())
        return align_masked(mask_quiet(a, 0u), mask_quiet(b, ~0u), options, offset_ranges);
    return align_masked(a, b, options, offset_ranges);
}

}  // namespace

std::vector<AlignedRun> align_episodes(const AudioFingerprint& a, const AudioFingerprint& b,
                                       const AlignmentOptions& options) {
    return align_levelled(a, b, options, nullptr);
}

std::vector<AlignedRun> align_episodes_at(const AudioFingerprint& a, const AudioFingerprint& b,
                                          const AlignmentOptions& options,
                                          const std::vector<std::pair<long, long>>& offset_ranges) {
    return align_levelled(a, b, options, &offset_ranges);
}

}  // namespace vidseg::intro
