#include "vidseg/audio/spectral_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

#pragma GCC diagnostic ignored "-Wpsabi"

namespace vidseg::audio::kernels {

using simd::Float8;
using simd::Int8;

FrameKernel::FrameKernel(const SpectralConfig& c)
    : n_fft(c.n_fft), hop(c.hop), bins(c.n_fft / 2 + 1), n_mels(c.n_mels), fft(c.n_fft), window(hann_window(c.n_fft)) {
    for (double f : fft_frequencies(c.sample_rate, c.n_fft)) freqs.push_back(static_cast<float>(f));
    mel = mel_filterbank(c.sample_rate, c.n_fft, c.n_mels);
    const Filterbank chroma = chroma_filterbank(c.sample_rate, c.n_fft, c.tuning, 12);
    make_chroma_runs(chroma);
    for (float f : freqs) freqs_by_lane.insert(freqs_by_lane.end(), kLanes, f);
    for (std::size_t m = 0; m < n_mels; ++m) {
        mel_by_lane_at.push_back(mel_by_lane.size());
        for (std::size_t b = mel.first[m]; b < mel.last[m]; ++b)
            mel_by_lane.insert(mel_by_lane.end(), kLanes, mel.weights[m * bins + b]);
    }
}

void FrameKernel::make_chroma_runs(const Filterbank& chroma) {
    float top = 0;
    for (float w : chroma.weights) top = std::max(top, w);
    const float negligible = kChromaNegligible * top;
    for (std::size_t k = 0; k < bins; ++k) {
        // The shortest cyclic run of pitch classes holding every weight above `negligible`.
        std::size_t start = 0, width = 12;
        for (std::size_t s = 0; s < 12 && width > kChromaNarrow; ++s) {
            std::size_t span = 0;
            for (std::size_t p = 0; p < 12; ++p)
                if (chroma.weights[p * bins + k] > negligible) span = std::max(span, (p + 12 - s) % 12 + 1);
            if (span <= kChromaNarrow) start = s, width = kChromaNarrow;
        }
        if (chroma_runs.empty() || chroma_runs.back().start != start || chroma_runs.back().width != width)
            chroma_runs.push_back(ChromaRun{k, k, start, width, chroma_w.size()});
        chroma_runs.back().end = k + 1;
        for (std::size_t i = 0; i < width; ++i) chroma_w.push_back(chroma.weights[((start + i) % 12) * bins + k]);
    }
}

// librosa's zero_crossing_rate zeroes |x| <= 1e-10 and counts 0 as positive: "negative" = x < -1e-10.
// Pairs (p[t - 1], p[t]) with a sign change, t in [begin, end).
VIDSEG_SIMD_CLONES
int frame_crossings(const float* p, std::size_t begin, std::size_t end) {
    Int8 flips = Int8{} + 0;
    std::size_t t = begin;
    for (; t + kLanes <= end; t += kLanes) {
        const Int8 a = simd::load(p + t) < -1e-10f, b = simd::load(p + t - 1) < -1e-10f;
        flips -= a ^ b;  // -1 where the sign differs
    }
    int crossings = 0;
    for (int i = 0; i < 8; ++i) crossings += flips[i];
    for (; t < end; ++t) crossings += (p[t] < -1e-10f) != (p[t - 1] < -1e-10f);
    return crossings;
}

// Zero-crossing rates of a block's 8 frames from per-hop counts: the frames overlap (n_fft = 4 hops
// by default), so counting each hop-sized chunk of the block's span once and summing 4 chunks per
// frame does a third of the work of counting every frame. Only for blocks whose frames all lie
// inside the signal (the edge frames count fewer pairs) and hops that divide n_fft; returns false
// (nothing written) otherwise.
VIDSEG_SIMD_CLONES
bool block_crossings(const FrameKernel& k, const BlockOut& o) {
    const std::size_t n = k.n_fft, hop = k.hop, per_frame = hop ? n / hop : 0;
    constexpr std::size_t kMaxChunks = 64;
    if (hop == 0 || n % hop != 0 || hop < kLanes || kLanes - 1 + per_frame > kMaxChunks) return false;
    for (std::size_t j = 0; j < kLanes; ++j) {
        if (o.zc_begin[j] != 1 || o.zc_end[j] != n) return false;
        if (o.frame[j] != o.frame[0] + j * hop) return false;
    }
    // chunk[c] = crossings of the pairs whose right sample t is in (c hop, (c + 1) hop], t relative to
    // frame 0; the last chunk stops one short (its pair would reach past the block's samples).
    const float* p = o.frame[0];
    const std::size_t chunks = kLanes - 1 + per_frame;
    int chunk[kMaxChunks];
    for (std::size_t c = 0; c < chunks; ++c) {
        const std::size_t begin = c * hop + 1, end = c + 1 < chunks ? (c + 1) * hop + 1 : (c + 1) * hop;
        chunk[c] = frame_crossings(p, begin, end);
    }
    // Frame j: pairs t in [j hop + 1, j hop + n): its chunks minus the pair at t = j hop + n (counted
    // by chunk j + per_frame - 1 unless that is the last one, which stops short of it).
    for (std::size_t j = 0; j < kLanes; ++j) {
        int count = 0;
        for (std::size_t c = j; c < j + per_frame; ++c) count += chunk[c];
        if (j + per_frame < chunks) {
            const std::size_t t = j * hop + n;
            count -= (p[t] < -1e-10f) != (p[t - 1] < -1e-10f);
        }
        o.zcr[j] = static_cast<float>(count) / static_cast<float>(n);
    }
    return true;
}

// Windowed FFT of each lane's frame into s.power ([bin][lane]); RMS and zero crossings on the way.
VIDSEG_SIMD_CLONES
void block_spectra(const FrameKernel& k, const BlockOut& o, BlockScratch& s) {
    const std::size_t n = k.n_fft;
    const float* win = k.window.data();
    float* x = s.ws.real();
    const float nf = static_cast<float>(n);
    const bool shared_crossings = block_crossings(k, o);
    for (std::size_t j = 0; j < kLanes; ++j) {
        const float* p = o.frame[j];
        // 16 samples per step (n_fft is a power of two >= 32).
        simd::Float16 energy2 = simd::splat16(0.0f);
        for (std::size_t t = 0; t < n; t += 16) {
            const simd::Float16 v = simd::load16(p + t);
            simd::store(x + t, v * simd::load16(win + t));
            energy2 += v * v;
        }
        o.rms[j] = std::sqrt(simd::sum(simd::halves_sum(energy2)) / static_cast<float>(n));
        if (!shared_crossings) o.zcr[j] = static_cast<float>(frame_crossings(p, o.zc_begin[j], o.zc_end[j])) / nf;
        // |X|^2 of this frame, bin after bin (lane-major scratch row j).
        k.fft.power(s.ws, s.rows.data() + j * s.row_stride);
    }
    // Transpose the 8 rows into s.power ([bin][lane]) in 8 x 8 tiles.
    const float* r = s.rows.data();
    const std::size_t st = s.row_stride;
    float* P = s.power.data();
    std::size_t b = 0;
    for (; b + kLanes <= k.bins; b += kLanes) {
        const Float8 r0 = simd::load(r + b), r1 = simd::load(r + st + b), r2 = simd::load(r + 2 * st + b);
        const Float8 r3 = simd::load(r + 3 * st + b), r4 = simd::load(r + 4 * st + b), r5 = simd::load(r + 5 * st + b);
        const Float8 r6 = simd::load(r + 6 * st + b), r7 = simd::load(r + 7 * st + b);
        const Int8 unpack_lo{0, 8, 1, 9, 4, 12, 5, 13}, unpack_hi{2, 10, 3, 11, 6, 14, 7, 15};
        const Float8 t0 = __builtin_shuffle(r0, r1, unpack_lo), t1 = __builtin_shuffle(r0, r1, unpack_hi);
        const Float8 t2 = __builtin_shuffle(r2, r3, unpack_lo), t3 = __builtin_shuffle(r2, r3, unpack_hi);
        const Float8 t4 = __builtin_shuffle(r4, r5, unpack_lo), t5 = __builtin_shuffle(r4, r5, unpack_hi);
        const Float8 t6 = __builtin_shuffle(r6, r7, unpack_lo), t7 = __builtin_shuffle(r6, r7, unpack_hi);
        const Int8 pair_lo{0, 1, 8, 9, 4, 5, 12, 13}, pair_hi{2, 3, 10, 11, 6, 7, 14, 15};
        const Float8 u0 = __builtin_shuffle(t0, t2, pair_lo), u1 = __builtin_shuffle(t0, t2, pair_hi);
        const Float8 u2 = __builtin_shuffle(t1, t3, pair_lo), u3 = __builtin_shuffle(t1, t3, pair_hi);
        const Float8 u4 = __builtin_shuffle(t4, t6, pair_lo), u5 = __builtin_shuffle(t4, t6, pair_hi);
        const Float8 u6 = __builtin_shuffle(t5, t7, pair_lo), u7 = __builtin_shuffle(t5, t7, pair_hi);
        const Int8 half_lo{0, 1, 2, 3, 8, 9, 10, 11}, half_hi{4, 5, 6, 7, 12, 13, 14, 15};
        float* out = P + b * kLanes;
        simd::store(out, __builtin_shuffle(u0, u4, half_lo));
        simd::store(out + 1 * kLanes, __builtin_shuffle(u1, u5, half_lo));
        simd::store(out + 2 * kLanes, __builtin_shuffle(u2, u6, half_lo));
        simd::store(out + 3 * kLanes, __builtin_shuffle(u3, u7, half_lo));
        simd::store(out + 4 * kLanes, __builtin_shuffle(u0, u4, half_hi));
        simd::store(out + 5 * kLanes, __builtin_shuffle(u1, u5, half_hi));
        simd::store(out + 6 * kLanes, __builtin_shuffle(u2, u6, half_hi));
        simd::store(out + 7 * kLanes, __builtin_shuffle(u3, u7, half_hi));
    }
    for (; b < k.bins; ++b)
        for (std::size_t j = 0; j < kLanes; ++j) P[b * kLanes + j] = r[j * st + b];
}

// What is computed from the 8 power spectra, one pass per group over contiguous [bin][lane] rows:
// magnitudes (into s.mag), centroid, bandwidth and flatness.
VIDSEG_SIMD_CLONES
void block_moments(const FrameKernel& k, const BlockOut& o, BlockScratch& s) {
    using simd::Float16;
    using simd::Int16;
    const std::size_t bins = k.bins;
    const float* P = s.power.data();
    float* M = s.mag.data();
    const float* f = k.freqs.data();
    const float* f2 = k.freqs_by_lane.data();
    // Two bins per step (see simd::Float16): the halves hold the sums over even- and odd-offset bins.
    Float16 mag_sum = simd::splat16(0.0f), weighted = mag_sum, log_sum = mag_sum, pow_sum = mag_sum;
    // Flatness needs sum(log p): log(m 2^e) = log(m) + e ln 2, so the exponents are summed as integers
    // and the mantissas (in [1, 2)) multiplied in groups of 32 bins (16 per half: product < 2^16), one
    // log per group.
    Int16 exp_sum = Int16{} + 0;
    auto add_bins = [&](std::size_t b, Float16 pw, Float16& mantissas) {
        const Float16 mg = simd::sqrt(pw);
        simd::store(M + b * kLanes, mg);
        mag_sum += mg;
        weighted += simd::load16(f2 + b * kLanes) * mg;
        const Float16 pt = simd::max(pw, simd::splat16(kAmin));
        pow_sum += pt;
        Int16 bits;
        std::memcpy(&bits, &pt, sizeof bits);
        exp_sum += (bits >> 23) - 127;
        const Int16 mbits = (bits & 0x007fffff) | 0x3f800000;
        Float16 m;
        std::memcpy(&m, &mbits, sizeof m);
        mantissas *= m;
    };
    std::size_t b = 0;
    for (; b + 32 <= bins; b += 32) {
        Float16 mantissas = simd::splat16(1.0f);
        for (std::size_t i = b; i < b + 32; i += 2) add_bins(i, simd::load16(P + i * kLanes), mantissas);
        log_sum += simd::log(mantissas);
    }
    if (b < bins) {  // the last < 32 bins; an odd last one is paired with a neutral bin
        Float16 mantissas = simd::splat16(1.0f);
        for (; b + 2 <= bins; b += 2) add_bins(b, simd::load16(P + b * kLanes), mantissas);
        log_sum += simd::log(mantissas);
    }
    Float8 mag8 = simd::halves_sum(mag_sum), weighted8 = simd::halves_sum(weighted);
    Float8 pow8 = simd::halves_sum(pow_sum), log8 = simd::halves_sum(log_sum);
    Int8 exp8 = __builtin_shufflevector(exp_sum, exp_sum, 0, 1, 2, 3, 4, 5, 6, 7) +
                __builtin_shufflevector(exp_sum, exp_sum, 8, 9, 10, 11, 12, 13, 14, 15);
    if (b < bins) {  // odd bin count: the last bin alone
        const Float8 pw = simd::load(P + b * kLanes);
        const Float8 mg = simd::sqrt(pw);
        simd::store(M + b * kLanes, mg);
        mag8 += mg;
        weighted8 += f[b] * mg;
        const Float8 pt = simd::max(pw, simd::splat(kAmin));
        pow8 += pt;
        log8 += simd::log(pt);
    }
    // librosa normalises each spectrum by its sum unless that is below float32's tiny.
    const Float8 norm = mag8 < kTinyF32 ? simd::splat(1.0f) : mag8;
    const Float8 centroid = weighted8 / norm;
    const Float16 centroid2 = simd::twice(centroid);
    Float16 spread2 = simd::splat16(0.0f);
    std::size_t c = 0;
    for (; c + 2 <= bins; c += 2) {
        const Float16 d = simd::load16(f2 + c * kLanes) - centroid2;
        spread2 += d * d * simd::load16(M + c * kLanes);
    }
    Float8 spread = simd::halves_sum(spread2);
    if (c < bins) {
        const Float8 d = f[c] - centroid;
        spread += d * d * simd::load(M + c * kLanes);
    }
    const Float8 bandwidth = simd::sqrt(spread / norm);
    const float inv_bins = 1.0f / static_cast<float>(bins);
    for (std::size_t j = 0; j < kLanes; ++j) {
        o.centroid[j] = centroid[j];
        o.bandwidth[j] = bandwidth[j];
        const double mean_log = (static_cast<double>(log8[j]) + std::numbers::ln2 * exp8[j]) / static_cast<double>(bins);
        o.flatness[j] = static_cast<float>(std::exp(mean_log) / (static_cast<double>(pow8[j]) * inv_bins));
    }
}

// Log-mel (librosa.power_to_db before the top_db floor, which needs the global maximum).
VIDSEG_SIMD_CLONES
void block_mel(const FrameKernel& k, const BlockOut& o, const BlockScratch& s) {
    const float* P = s.power.data();
    Int8 lane_ok;
    for (std::size_t j = 0; j < kLanes; ++j) lane_ok[j] = j < o.valid ? -1 : 0;
    Float8 mel_max = simd::load(o.mel_max);
    for (std::size_t m = 0; m < k.n_mels; ++m) {
        const std::size_t first = k.mel.first[m], last = k.mel.last[m];
        const float* w = k.mel_by_lane.data() + k.mel_by_lane_at[m];  // bin first + i at w + i kLanes
        simd::Float16 acc2 = simd::splat16(0.0f);  // two bins per step, halves summed at the end
        std::size_t b = first;
        for (; b + 2 <= last; b += 2) acc2 += simd::load16(w + (b - first) * kLanes) * simd::load16(P + b * kLanes);
        Float8 acc = simd::halves_sum(acc2);
        if (b < last) acc += simd::load(w + (b - first) * kLanes) * simd::load(P + b * kLanes);
        const Float8 db = kDbPerLog * simd::log(simd::max(acc, simd::splat(kAmin)));
        simd::store(o.mel_db + m * kLanes, db);
        mel_max = lane_ok ? simd::max(mel_max, db) : mel_max;
    }
    simd::store(o.mel_max, mel_max);
}

// One run of chroma bins: `W` dot products in registers, added to the 12 sums at the end.
template <std::size_t W>
[[gnu::always_inline]] inline void chroma_run(const ChromaRun& run, const float* weights, const float* P,
                                              Float8* chroma) {
    Float8 acc[W];  // in registers: every loop over W is unrolled
#pragma GCC unroll 12
    for (auto& a : acc) a = simd::splat(0.0f);
    const float* w = weights + run.offset;
    for (std::size_t b = run.begin; b < run.end; ++b, w += W) {
        const Float8 pw = simd::load(P + b * kLanes);
#pragma GCC unroll 12
        for (std::size_t i = 0; i < W; ++i) acc[i] += w[i] * pw;
    }
#pragma GCC unroll 12
    for (std::size_t i = 0; i < W; ++i) chroma[(run.start + i) % 12] += acc[i];
}

// Chroma: 12 weighted sums over the bins (run by run, see ChromaRun), then max-normalised per frame.
VIDSEG_SIMD_CLONES
void block_chroma(const FrameKernel& k, const BlockOut& o, const BlockScratch& s) {
    const float* P = s.power.data();
    Float8 chroma[12];
    for (auto& c : chroma) c = simd::splat(0.0f);
    for (const ChromaRun& run : k.chroma_runs) {
        if (run.width == kChromaNarrow)
            chroma_run<kChromaNarrow>(run, k.chroma_w.data(), P, chroma);
        else
            chroma_run<12>(run, k.chroma_w.data(), P, chroma);
    }
    Float8 cmax = chroma[0];
    for (std::size_t c = 1; c < 12; ++c) cmax = simd::max(cmax, chroma[c]);
    const Int8 normalise = cmax >= kTinyF32;
    for (std::size_t c = 0; c < 12; ++c) {
        const Float8 v = normalise ? chroma[c] / cmax : chroma[c];
        for (std::size_t j = 0; j < kLanes; ++j) o.chroma[j * 12 + c] = v[j];
    }
}

// Sum per lane of the q smallest (Smallest) or largest magnitudes in rows [begin, end) of M, kept
// sorted in `rows` (q x kLanes); a value enters only when it beats the current q-th. Spectra fall
// with frequency, so the smallest are sought from the top bin down and the largest from the bottom
// up: the best values come early and later bins rarely enter (with 8 frames per test, the other
// order would insert at almost every bin).
template <bool Smallest>
[[gnu::always_inline]] inline Float8 extreme_sum(const float* M, std::size_t begin, std::size_t end, std::size_t q,
                                                 float* rows) {
    auto better = [](Float8 a, Float8 b) { return Smallest ? simd::min(a, b) : simd::max(a, b); };
    auto worse = [](Float8 a, Float8 b) { return Smallest ? simd::max(a, b) : simd::min(a, b); };
    auto beats = [](Float8 a, Float8 b) { return Smallest ? a < b : a > b; };
    const std::size_t n = end - begin;
    auto row_at = [&](std::size_t i) { return simd::load(M + (Smallest ? end - 1 - i : begin + i) * kLanes); };
    if (q == 1) {
        Float8 best = row_at(0);
        for (std::size_t i = 1; i < n; ++i) best = better(best, row_at(i));
        return best;
    }
    const float start = Smallest ? std::numeric_limits<float>::infinity() : -std::numeric_limits<float>::infinity();
    for (std::size_t i = 0; i < q; ++i) simd::store(rows + i * kLanes, simd::splat(start));
    Float8 last = simd::splat(start);  // row q - 1
    for (std::size_t i = 0; i < n; ++i) {
        // Four bins at a time first: testing a mask costs more than comparing.
        if (i + 4 <= n) {
            const Float8 best4 = better(better(row_at(i), row_at(i + 1)), better(row_at(i + 2), row_at(i + 3)));
            if (!simd::any(beats(best4, last))) {
                i += 3;
                continue;
            }
        }
        const Float8 v = row_at(i);
        if (simd::any(beats(v, last))) {
            Float8 carry = v;
            for (std::size_t r = 0; r < q; ++r) {
                const Float8 row = simd::load(rows + r * kLanes);
                simd::store(rows + r * kLanes, better(row, carry));
                carry = worse(row, carry);
            }
            last = simd::load(rows + (q - 1) * kLanes);
        }
    }
    Float8 sum = simd::load(rows);
    for (std::size_t r = 1; r < q; ++r) sum += simd::load(rows + r * kLanes);
    return sum;
}

// extreme_sum for a q known at compile time: the sorted rows stay in registers and every bin runs
// the whole compare-exchange chain without tests (with eight frames per vector a third of the bins
// insert somewhere, so testing first costs more than it saves).
template <bool Smallest, std::size_t Q>
[[gnu::always_inline]] inline Float8 extreme_sum_fixed(const float* M, std::size_t begin, std::size_t end) {
    const float start = Smallest ? std::numeric_limits<float>::infinity() : -std::numeric_limits<float>::infinity();
    auto better = [](auto a, auto b) { return Smallest ? simd::min(a, b) : simd::max(a, b); };
    auto worse = [](auto a, auto b) { return Smallest ? simd::max(a, b) : simd::min(a, b); };
    // Two bins per step: the halves of `pairs` keep the Q best of the even-offset and of the
    // odd-offset bins; the odd half is merged into the even one at the end (Q x Q steps).
    simd::Float16 pairs[Q];
    for (std::size_t r = 0; r < Q; ++r) pairs[r] = simd::splat16(start);
    std::size_t b = begin;
    for (; b + 2 <= end; b += 2) {
        simd::Float16 carry = simd::load16(M + b * kLanes);
        for (std::size_t r = 0; r < Q; ++r) {
            const simd::Float16 row = pairs[r];
            pairs[r] = better(row, carry);
            carry = worse(row, carry);
        }
    }
    Float8 rows[Q];
    for (std::size_t r = 0; r < Q; ++r) rows[r] = simd::low_half(pairs[r]);
    auto insert = [&](Float8 carry) {
        for (std::size_t r = 0; r < Q; ++r) {
            const Float8 row = rows[r];
            rows[r] = better(row, carry);
            carry = worse(row, carry);
        }
    };
    for (std::size_t r = 0; r < Q; ++r) insert(simd::high_half(pairs[r]));
    if (b < end) insert(simd::load(M + b * kLanes));
    Float8 sum = rows[0];
    for (std::size_t r = 1; r < Q; ++r) sum += rows[r];
    return sum;
}

template <bool Smallest>
[[gnu::always_inline]] inline Float8 band_extreme_sum(const float* M, std::size_t begin, std::size_t end, std::size_t q,
                                                      float* rows) {
    switch (q) {
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
VIDSEG_SIMD_CLONES
void block_contrast(const FrameKernel& k, const BlockOut& o, BlockScratch& s) {
    const float* M = s.mag.data();
    const std::size_t nb = k.bands.size();
    for (std::size_t bi = 0; bi < nb; ++bi) {
        const Band& band = k.bands[bi];
        const std::size_t q = std::min(band.take, band.end - band.begin);
        const Float8 lsum = band_extreme_sum<true>(M, band.begin, band.end, q, s.low.data());
        const Float8 hsum = band_extreme_sum<false>(M, band.begin, band.end, q, s.high.data());
        const float inv_q = 1.0f / static_cast<float>(q);
        for (std::size_t j = 0; j < kLanes; ++j) {
            o.valley[j * nb + bi] = lsum[j] * inv_q;
            o.peak[j * nb + bi] = hsum[j] * inv_q;
        }
    }
}

// MFCC (DCT-II of the floored log-mel) and the raw onset flux of one block (frame f's flux =
// mean over bands of max(0, logmel[f] - logmel[f-1])); prev_block is the block before (or null).
VIDSEG_SIMD_CLONES
void block_cepstrum(const float* mel_db, const float* prev_block, std::size_t n_mels, float floor_db,
                    const double* dct, std::size_t n_mfcc, float* mfcc, float* flux, std::vector<double>& clipped) {
    typedef double Double8 __attribute__((vector_size(64), aligned(8)));
    const Float8 floor = simd::splat(floor_db);
    clipped.resize(n_mels * kLanes);
    Float8 rise = simd::splat(0.0f);
    for (std::size_t m = 0; m < n_mels; ++m) {
        const Float8 cur = simd::max(simd::load(mel_db + m * kLanes), floor);
        const Double8 wide = __builtin_convertvector(cur, Double8);
        std::memcpy(clipped.data() + m * kLanes, &wide, sizeof wide);
        const Float8 before = prev_block ? simd::max(simd::load(prev_block + m * kLanes), floor) : cur;
        // Lane j's previous frame: lane j - 1, or the previous block's last lane for lane 0.
        const Float8 prev = __builtin_shuffle(before, cur, Int8{7, 8, 9, 10, 11, 12, 13, 14});
        rise += simd::max(cur - prev, simd::splat(0.0f));
    }
    const float inv = 1.0f / static_cast<float>(n_mels);
    for (std::size_t j = 0; j < kLanes; ++j) flux[j] = rise[j] * inv;
    // The DCT sums in double: partial sums of ~1000 would lose 1e-4 in float32 (the test's floor is
    // 1e-6 of the MFCC range, ~3e-4). Four coefficients at a time share each loaded row.
    auto row = [&](std::size_t m) {
        Double8 v;
        std::memcpy(&v, clipped.data() + m * kLanes, sizeof v);
        return v;
    };
    auto store = [&](std::size_t c, Double8 v) {
        for (std::size_t j = 0; j < kLanes; ++j) mfcc[j * n_mfcc + c] = static_cast<float>(v[j]);
    };
    std::size_t c = 0;
    for (; c + 4 <= n_mfcc; c += 4) {
        const double *d0 = dct + c * n_mels, *d1 = d0 + n_mels, *d2 = d1 + n_mels, *d3 = d2 + n_mels;
        Double8 a0 = Double8{} + 0.0, a1 = a0, a2 = a0, a3 = a0;
        for (std::size_t m = 0; m < n_mels; ++m) {
            const Double8 v = row(m);
            a0 += d0[m] * v;
            a1 += d1[m] * v;
            a2 += d2[m] * v;
            a3 += d3[m] * v;
        }
        store(c, a0);
        store(c + 1, a1);
        store(c + 2, a2);
        store(c + 3, a3);
    }
    for (; c < n_mfcc; ++c) {
        const double* d = dct + c * n_mels;
        Double8 a = Double8{} + 0.0;
        for (std::size_t m = 0; m < n_mels; ++m) a += d[m] * row(m);
        store(c, a);
    }
}

// 10 log10(max(amin, v)) in place; returns the maximum.
VIDSEG_SIMD_CLONES
float power_to_db(float* v, std::size_t n) {
    Float8 top = simd::splat(-std::numeric_limits<float>::infinity());
    std::size_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        const Float8 db = kDbPerLog * simd::log(simd::max(simd::load(v + i), simd::splat(kAmin)));
        simd::store(v + i, db);
        top = simd::max(top, db);
    }
    float best = top[0];
    for (std::size_t j = 1; j < kLanes; ++j) best = std::max(best, top[j]);
    for (; i < n; ++i) {
        v[i] = 10.0f * std::log10(std::max(kAmin, v[i]));
        best = std::max(best, v[i]);
    }
    return best;
}


}  // namespace vidseg::audio::kernels
