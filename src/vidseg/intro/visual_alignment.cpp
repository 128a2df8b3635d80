#include "vidseg/intro/visual_alignment.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace vidseg::intro {

namespace {

struct SlotRun {
    long first = 0, last = 0;  // slots in a (inclusive)
    long offset = 0;           // slot in a - slot in b
    int matched = 0;
    long errors = 0;
};

int distinct_pictures(const VisualFingerprint& a, const SlotRun& r) {
    std::vector<uint64_t> seen;
    for (long i = r.first; i <= r.last; ++i) {
        const uint64_t h = a.hashes[std::size_t(i)];
        if (h == 0) continue;
        if (std::none_of(seen.begin(), seen.end(), [&](uint64_t s) { return hash_distance(s, h) <= 8; })) {
            seen.push_back(h);
            if (seen.size() >= 8) break;
        }
    }
    return int(seen.size());
}

}  // namespace

std::vector<AlignedRun> align_visual(const VisualFingerprint& a, const VisualFingerprint& b,
                                     const VisualAlignmentOptions& options) {
    std::vector<AlignedRun> result;
    if (a.hashes.empty() || b.hashes.empty()) return result;
    const double period = a.period;
    const long na = long(a.hashes.size()), nb = long(b.hashes.size());
    const uint64_t* pa = a.hashes.data();
    const uint64_t* pb = b.hashes.data();
    const int max_d = options.max_hash_distance;
    auto agree = [&](long i, long j) {
        return pa[i] != 0 && pb[j] != 0 && __builtin_popcountll(pa[i] ^ pb[j]) <= max_d;
    };
    // Score every offset by its agreeing slots (|a| * |b| popcounts: ~17 M for two 17-minute windows).
    std::vector<int> votes(std::size_t(na + nb - 1), 0);
    for (long offset = -(nb - 1); offset < na; ++offset) {
        const long begin = std::max(0L, offset), end = std::min(na, nb + offset);
        int n = 0;
        for (long i = begin; i < end; ++i) n += agree(i, i - offset);
        votes[std::size_t(offset + nb - 1)] = n;
    }
    const int min_votes = std::max(3, int(std::ceil(options.min_length / period / 2)));
    std::vector<std::pair<int, long>> ranked;
    for (long k = 0; k < long(votes.size()); ++k) {
        int total = votes[std::size_t(k)];
        if (k > 0) total += votes[std::size_t(k - 1)];
        if (k + 1 < long(votes.size())) total += votes[std::size_t(k + 1)];
        if (votes[std::size_t(k)] > 0 && total >= min_votes) ranked.emplace_back(total, k - (nb - 1));
    }
    std::sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) {
        return x.first != y.first ? x.first > y.first : x.second < y.second;
    });
    const long max_gap = std::max(1L, long(std::floor(options.max_gap / period)));
    std::unordered_set<long> scanned;
    std::vector<SlotRun> runs;
    int examined = 0;
    for (const auto& [score, offset] : ranked) {
        if (examined >= options.max_offsets) break;
        if (scanned.count(offset)) continue;
        ++examined;
        for (long d : {offset - 1, offset, offset + 1}) {
            if (!scanned.insert(d).second) continue;
            const long begin = std::max(0L, d), end = std::min(na, nb + d);
            SlotRun run;
            bool open = false;
            for (long i = begin; i < end; ++i) {
                const long j = i - d;
                if (pa[i] == 0 || pb[j] == 0) continue;  // flat: neutral
                if (!agree(i, j)) {
                    if (open && i - run.last > max_gap) {
                        runs.push_back(run);
                        open = false;
                    }
                    continue;
                }
                if (!open) {
                    run = SlotRun{i, i, d, 0, 0};
                    open = true;
                }
                run.last = i;
                ++run.matched;
                run.errors += __builtin_popcountll(pa[i] ^ pb[j]);
            }
            if (open) runs.push_back(run);
        }
    }
    std::sort(runs.begin(), runs.end(), [](const SlotRun& x, const SlotRun& y) {
        return x.matched != y.matched ? x.matched > y.matched : x.first < y.first;
    });
    for (const auto& r : runs) {
        AlignedRun out;
        const double half = period / 2;
        out.a = {std::max(0.0, double(r.first) * period - half), double(r.last) * period + half};
        out.b = {std::max(0.0, double(r.first - r.offset) * period - half), double(r.last - r.offset) * period + half};
        if (out.a.length() < options.min_length || out.b.length() < options.min_length) continue;
        // Most slots of the run must agree (a chance alignment of similar shots agrees sparsely).
        if (r.matched * 2 < (r.last - r.first + 1)) continue;
        const bool overlaps = std::any_of(result.begin(), result.end(), [&](const AlignedRun& k) {
            return (out.a.start < k.a.end && k.a.start < out.a.end) || (out.b.start < k.b.end && k.b.start < out.b.end);
        });
        if (overlaps || distinct_pictures(a, r) < options.min_distinct) continue;
        out.offset = double(r.offset) * period;
        out.matched_items = r.matched;
        out.items = int(r.last - r.first + 1);
        out.mean_bit_errors = double(r.errors) / r.matched;
        result.push_back(out);
    }
    return result;
}

}  // namespace vidseg::intro
