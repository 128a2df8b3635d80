// Spectral contrast, the second half of spectral_kernels_body.inl (same rules: included inside
// namespace kernels::<level>, every function of the level's target or always inlined).

template <bool Smallest, class V>
[[gnu::always_inline]] inline V better(V a, V b) {
    return Smallest ? lanes::min(a, b) : lanes::max(a, b);
}
template <bool Smallest, class V>
[[gnu::always_inline]] inline V worse(V a, V b) {
    return Smallest ? lanes::max(a, b) : lanes::min(a, b);
}

// Sum per lane of the q smallest (Smallest) or largest magnitudes in rows [begin, end) of M, kept
// sorted in `rows` (q x kLanes); a value enters only when it beats the current q-th. Spectra fall
// with frequency, so the smallest are sought from the top bin down and the largest from the bottom
// up: the best values come early and later bins rarely enter. For q > 10 only (long bands).
template <bool Smallest>
[[gnu::always_inline]] inline F8 extreme_sum(const float* M, std::size_t begin, std::size_t end, std::size_t q,
                                             float* rows) {
    const std::size_t n = end - begin;
    auto row_at = [M, begin, end](std::size_t i) __attribute__((always_inline)) {
        return lanes::load<F8>(M + (Smallest ? end - 1 - i : begin + i) * kLanes);
    };
    const float start = Smallest ? std::numeric_limits<float>::infinity() : -std::numeric_limits<float>::infinity();
    for (std::size_t i = 0; i < q; ++i) lanes::store(rows + i * kLanes, lanes::splat<F8>(start));
    F8 last = lanes::splat<F8>(start);  // row q - 1
    for (std::size_t i = 0; i < n; ++i) {
        // Four bins at a time first: testing a mask costs more than comparing.
        if (i + 4 <= n) {
            const F8 best4 = better<Smallest>(better<Smallest>(row_at(i), row_at(i + 1)),
                                              better<Smallest>(row_at(i + 2), row_at(i + 3)));
            if (!lanes::any(Smallest ? best4 < last : best4 > last)) {
                i += 3;
                continue;
            }
        }
        const F8 v = row_at(i);
        if (lanes::any(Smallest ? v < last : v > last)) {
            F8 carry = v;
            for (std::size_t r = 0; r < q; ++r) {
                const F8 row = lanes::load<F8>(rows + r * kLanes);
                lanes::store(rows + r * kLanes, better<Smallest>(row, carry));
                carry = worse<Smallest>(row, carry);
            }
            last = lanes::load<F8>(rows + (q - 1) * kLanes);
        }
    }
    F8 sum = lanes::load<F8>(rows);
    for (std::size_t r = 1; r < q; ++r) sum += lanes::load<F8>(rows + r * kLanes);
    return sum;
}

// extreme_sum for a q known at compile time: the sorted rows stay in registers and every bin runs
// the whole compare-exchange chain without tests (with eight frames per vector a third of the bins
// insert somewhere, so testing first costs more than it saves). With two bins per step the halves
// keep the Q best of the even- and of the odd-offset bins, merged at the end.
template <bool Smallest, std::size_t Q>
[[gnu::always_inline]] inline F8 extreme_sum_fixed(const float* M, std::size_t begin, std::size_t end) {
    const float start = Smallest ? std::numeric_limits<float>::infinity() : -std::numeric_limits<float>::infinity();
    FW wide[Q];  // in registers: every loop over Q is unrolled
#pragma GCC unroll 16
    for (std::size_t r = 0; r < Q; ++r) wide[r] = lanes::splat<FW>(start);
    std::size_t b = begin;
    for (; b + kBinsPerStep <= end; b += kBinsPerStep) {
        FW carry = lanes::load<FW>(M + b * kLanes);
#pragma GCC unroll 16
        for (std::size_t r = 0; r < Q; ++r) {
            const FW row = wide[r];
            wide[r] = better<Smallest>(row, carry);
            carry = worse<Smallest>(row, carry);
        }
    }
    F8 rows[Q];
#pragma GCC unroll 16
    for (std::size_t r = 0; r < Q; ++r) rows[r] = lanes::bin_of(wide[r], 0);
    auto insert = [&rows](F8 carry) __attribute__((always_inline)) {
#pragma GCC unroll 16
        for (std::size_t r = 0; r < Q; ++r) {
            const F8 row = rows[r];
            rows[r] = better<Smallest>(row, carry);
            carry = worse<Smallest>(row, carry);
        }
    };
    for (std::size_t i = 1; i < kBinsPerStep; ++i)
#pragma GCC unroll 16
        for (std::size_t r = 0; r < Q; ++r) insert(lanes::bin_of(wide[r], i));
    for (; b < end; ++b) insert(lanes::load<F8>(M + b * kLanes));
    F8 sum = rows[0];
#pragma GCC unroll 16
    for (std::size_t r = 1; r < Q; ++r) sum += rows[r];
    return sum;
}

// Inserts `carry` into the sorted rows (best first): Q compare-exchanges, the worst value drops out.
template <bool Smallest, std::size_t Q>
[[gnu::always_inline]] inline void insert_sorted(F8 (&rows)[Q], F8 carry) {
#pragma GCC unroll 16
    for (std::size_t r = 0; r < Q; ++r) {
        const F8 row = rows[r];
        rows[r] = better<Smallest>(row, carry);
        carry = worse<Smallest>(row, carry);
    }
}

// extreme_sum_fixed with bins taken in pairs (8-lane levels): the better of a pair goes into the Q
// best, the worse into the Q / 2 best of the pairs' worse ones, merged at the end. Exact: a pair's
// worse value among the Q best overall brings its pair's better one along, so at most Q / 2 of them
// are there, and they are the best of the worse ones. 2 + 2 Q + 2 (Q / 2) vector operations per pair
// instead of 4 Q (q = 9: 14 per bin instead of 18).
template <bool Smallest, std::size_t Q>
[[gnu::always_inline]] inline F8 extreme_sum_pairs(const float* M, std::size_t begin, std::size_t end) {
    constexpr std::size_t kLow = Q / 2 > 0 ? Q / 2 : 1;
    const F8 start = lanes::splat<F8>(Smallest ? std::numeric_limits<float>::infinity()
                                               : -std::numeric_limits<float>::infinity());
    F8 top[Q], low[kLow];  // in registers: every loop over them is unrolled
#pragma GCC unroll 16
    for (auto& r : top) r = start;
#pragma GCC unroll 16
    for (auto& r : low) r = start;
    std::size_t b = begin;
    for (; b + 2 <= end; b += 2) {
        const F8 x = lanes::load<F8>(M + b * kLanes), y = lanes::load<F8>(M + (b + 1) * kLanes);
        insert_sorted<Smallest>(top, better<Smallest>(x, y));
        if constexpr (Q > 1) insert_sorted<Smallest>(low, worse<Smallest>(x, y));
    }
    if (b < end) insert_sorted<Smallest>(top, lanes::load<F8>(M + b * kLanes));
    if constexpr (Q > 1)
#pragma GCC unroll 16
        for (const F8 r : low) insert_sorted<Smallest>(top, r);
    F8 sum = top[0];
#pragma GCC unroll 16
    for (std::size_t r = 1; r < Q; ++r) sum += top[r];
    return sum;
}

template <bool Smallest>
[[gnu::always_inline]] inline F8 band_extreme_sum(const float* M, std::size_t begin, std::size_t end, std::size_t q,
                                                  float* rows) {
    if constexpr (kBinsPerStep == 1) {
        switch (q) {
            case 1: return extreme_sum_pairs<Smallest, 1>(M, begin, end);
            case 2: return extreme_sum_pairs<Smallest, 2>(M, begin, end);
            case 3: return extreme_sum_pairs<Smallest, 3>(M, begin, end);
            case 4: return extreme_sum_pairs<Smallest, 4>(M, begin, end);
            case 5: return extreme_sum_pairs<Smallest, 5>(M, begin, end);
            case 6: return extreme_sum_pairs<Smallest, 6>(M, begin, end);
            case 7: return extreme_sum_pairs<Smallest, 7>(M, begin, end);
            case 8: return extreme_sum_pairs<Smallest, 8>(M, begin, end);
            case 9: return extreme_sum_pairs<Smallest, 9>(M, begin, end);
            case 10: return extreme_sum_pairs<Smallest, 10>(M, begin, end);
            default: return extreme_sum<Smallest>(M, begin, end, q, rows);
        }
    }
    switch (q) {
        case 1: return extreme_sum_fixed<Smallest, 1>(M, begin, end);
        case 2: return extreme_sum_fixed<Smallest, 2>(M, begin, end);
        case 3: return extreme_sum_fixed<Smallest, 3>(M, begin, end);
        case 4: return extreme_sum_fixed<Smallest, 4>(M, begin, end);
        case 5: return extreme_sum_fixed<Smallest, 5>(M, begin, end);
        case 6: return extreme_sum_fixed<Smallest, 6>(M, begin, end);
        case 7: return extreme_sum_fixed<Smallest, 7>(M, begin, end);
        case 8: return extreme_sum_fixed<Smallest, 8>(M, begin, end);
        case 9: return extreme_sum_fixed<Smallest, 9>(M, begin, end);
        case 10: return extreme_sum_fixed<Smallest, 10>(M, begin, end);
        default: return extreme_sum<Smallest>(M, begin, end, q, rows);
    }
}

// Contrast: the mean of the q smallest (valley) and q largest (peak) magnitudes of each band.
VIDSEG_LEVEL_TARGET
void block_contrast(const FrameKernel& k, const BlockOut& o, BlockScratch& s) {
    const float* M = s.mag.data();
    const std::size_t nb = k.bands.size();
    for (std::size_t bi = 0; bi < nb; ++bi) {
        const Band& band = k.bands[bi];
        const std::size_t q = std::min(band.take, band.end - band.begin);
        const F8 lsum = band_extreme_sum<true>(M, band.begin, band.end, q, s.low.data());
        const F8 hsum = band_extreme_sum<false>(M, band.begin, band.end, q, s.high.data());
        const float inv_q = 1.0f / static_cast<float>(q);
        for (std::size_t j = 0; j < kLanes; ++j) {
            o.valley[j * nb + bi] = lsum[j] * inv_q;
            o.peak[j * nb + bi] = hsum[j] * inv_q;
        }
    }
}
