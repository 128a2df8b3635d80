#include "vidseg/audio/spectral_features.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <numbers>
#include <string>
#include <thread>

#include "vidseg/audio/filterbanks.hpp"
#include "vidseg/audio/float8.hpp"
#include "vidseg/audio/real_fft.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/huge_pages.hpp"

#pragma GCC diagnostic ignored "-Wpsabi"

namespace vidseg::audio {

namespace {

using simd::Float8;
using simd::Int8;
using simd::kLanes;

constexpr float kTinyF32 = std::numeric_limits<float>::min();  // numpy.finfo(float32).tiny
constexpr float kAmin = 1e-10f;
constexpr float kDbPerLog = 4.342944819032518f;  // 10 / ln(10): 10 log10(x) = kDbPerLog ln(x)
constexpr std::size_t kBatchFrames = 1024;       // a multiple of kLanes

// Consecutive bins whose non-negligible chroma weights fall on the same `width` pitch classes
// start, start + 1, ... (mod 12); width is kChromaNarrow or 12.
struct ChromaRun {
    std::size_t begin, end, start, width, offset;  // offset: first weight in FrameKernel::chroma_w
};
constexpr std::size_t kChromaNarrow = 6;
constexpr float kChromaNegligible = 1e-8f;  // relative to the largest weight

struct Band {
    std::size_t begin = 0, end = 0;  // bins sorted for peak/valley
    std::size_t take = 1;            // how many smallest / largest to average
};

// Everything the per-block kernel reads: immutable after construction, shared by the threads.
struct FrameKernel {
    std::size_t n_fft, bins, n_mels;
    RealFft fft;
    std::vector<float> window;
    std::vector<float> freqs;     // bin centre frequencies
    Filterbank mel;               // n_mels x bins, with spans
    // Chroma weights by runs of bins (see ChromaRun): most bins reach only 5-6 neighbouring pitch
    // classes with a weight above 1e-8 of the largest (the filter is a Gaussian of one semitone in
    // pitch), so applying 6 instead of 12 halves the work and changes no value by more than ~1e-7.
    std::vector<ChromaRun> chroma_runs;
    std::vector<float> chroma_w;  // per bin of a run: its `width` weights, pitch classes start, start + 1, ...
    std::vector<Band> bands;
    std::size_t max_take = 1;

    FrameKernel(const SpectralConfig& c)
        : n_fft(c.n_fft), bins(c.n_fft / 2 + 1), n_mels(c.n_mels), fft(c.n_fft), window(hann_window(c.n_fft)) {
        for (double f : fft_frequencies(c.sample_rate, c.n_fft)) freqs.push_back(static_cast<float>(f));
        mel = mel_filterbank(c.sample_rate, c.n_fft, c.n_mels);
        const Filterbank chroma = chroma_filterbank(c.sample_rate, c.n_fft, c.tuning, 12);
        make_chroma_runs(chroma);
    }

    void make_chroma_runs(const Filterbank& chroma) {
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
};

// One thread's buffers: the FFT workspace and the power / magnitude spectra of 8 frames,
// bin-major ([bin][lane]).
struct BlockScratch {
    explicit BlockScratch(const FrameKernel& k)
        : ws(k.fft),
          row_stride(k.bins),
          rows(k.bins * kLanes),
          power(k.bins * kLanes),
          mag(k.bins * kLanes),
          low(k.max_take * kLanes),
          high(k.max_take * kLanes) {}
    RealFft::Workspace ws;
    std::size_t row_stride;  // rows: the 8 power spectra frame after frame, before transposing
    std::vector<float> rows;
    // Float8 values are kept in float arrays (a std::vector<Float8> would drop the type's attributes).
    std::vector<float> power, mag, low, high;
};

// Where one block's results go: frame-major arrays at the block's first frame, and the block's
// log-mel rows ([mel][lane]).
struct BlockOut {
    const float* frame[kLanes];                 // padded samples of each lane's frame (n_fft each)
    std::size_t zc_begin[kLanes], zc_end[kLanes];  // sample range whose crossings count (see below)
    std::size_t valid;                          // lanes that are real frames
    float* mel_db;
    float *rms, *centroid, *bandwidth, *flatness, *zcr, *chroma, *peak, *valley;
    float* mel_max;  // kLanes running maxima of the valid lanes' log-mel values
};

// Windowed FFT of each lane's frame into s.power ([bin][lane]); RMS and zero crossings on the way.
VIDSEG_SIMD_CLONES
void block_spectra(const FrameKernel& k, const BlockOut& o, BlockScratch& s) {
    const std::size_t n = k.n_fft;
    const float* win = k.window.data();
    float* x = s.ws.real();
    for (std::size_t j = 0; j < kLanes; ++j) {
        const float* p = o.frame[j];
        Float8 energy = simd::splat(0.0f);
        for (std::size_t t = 0; t < n; t += kLanes) {
            const Float8 v = simd::load(p + t);
            simd::store(x + t, v * simd::load(win + t));
            energy += v * v;
        }
        o.rms[j] = std::sqrt(simd::sum(energy) / static_cast<float>(n));
        // librosa zeroes |x| <= 1e-10 and counts 0 as positive: "negative" = x < -1e-10.
        Int8 flips = Int8{} + 0;
        std::size_t t = o.zc_begin[j];
        const std::size_t end = o.zc_end[j];
        for (; t + kLanes <= end; t += kLanes) {
            const Int8 a = simd::load(p + t) < -1e-10f, b = simd::load(p + t - 1) < -1e-10f;
            flips -= a ^ b;  // -1 where the sign differs
        }
        int crossings = 0;
        for (int i = 0; i < 8; ++i) crossings += flips[i];
        for (; t < end; ++t) crossings += (p[t] < -1e-10f) != (p[t - 1] < -1e-10f);
        o.zcr[j] = static_cast<float>(crossings) / static_cast<float>(n);

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
    const std::size_t bins = k.bins;
    const float* P = s.power.data();
    float* M = s.mag.data();
    Float8 mag_sum = simd::splat(0.0f), weighted = mag_sum, log_sum = mag_sum, pow_sum = mag_sum;
    // Flatness needs sum(log p): log(m 2^e) = log(m) + e ln 2, so the exponents are summed as integers
    // and the mantissas (in [1, 2)) multiplied in groups of 32 (product < 2^32), one log per group.
    Int8 exp_sum = Int8{} + 0;
    for (std::size_t g = 0; g < bins; g += 32) {
        const std::size_t g_end = std::min(bins, g + 32);
        Float8 mantissas = simd::splat(1.0f);
        for (std::size_t b = g; b < g_end; ++b) {
            const Float8 pw = simd::load(P + b * kLanes);
            const Float8 mg = simd::sqrt(pw);
            simd::store(M + b * kLanes, mg);
            mag_sum += mg;
            weighted += k.freqs[b] * mg;
            const Float8 pt = simd::max(pw, simd::splat(kAmin));
            pow_sum += pt;
            Int8 bits;
            std::memcpy(&bits, &pt, sizeof bits);
            exp_sum += (bits >> 23) - 127;
            const Int8 mbits = (bits & 0x007fffff) | 0x3f800000;
            Float8 m;
            std::memcpy(&m, &mbits, sizeof m);
            mantissas *= m;
        }
        log_sum += simd::log(mantissas);
    }
    // librosa normalises each spectrum by its sum unless that is below float32's tiny.
    const Float8 norm = mag_sum < kTinyF32 ? simd::splat(1.0f) : mag_sum;
    const Float8 centroid = weighted / norm;
    Float8 spread = simd::splat(0.0f);
    for (std::size_t b = 0; b < bins; ++b) {
        const Float8 d = k.freqs[b] - centroid;
        spread += d * d * simd::load(M + b * kLanes);
    }
    const Float8 bandwidth = simd::sqrt(spread / norm);
    const float inv_bins = 1.0f / static_cast<float>(bins);
    for (std::size_t j = 0; j < kLanes; ++j) {
        o.centroid[j] = centroid[j];
        o.bandwidth[j] = bandwidth[j];
        const double mean_log = (static_cast<double>(log_sum[j]) + std::numbers::ln2 * exp_sum[j]) / static_cast<double>(bins);
        o.flatness[j] = static_cast<float>(std::exp(mean_log) / (static_cast<double>(pow_sum[j]) * inv_bins));
    }

}

// Log-mel (librosa.power_to_db before the top_db floor, which needs the global maximum).
VIDSEG_SIMD_CLONES
void block_mel(const FrameKernel& k, const BlockOut& o, const BlockScratch& s) {
    const std::size_t bins = k.bins;
    const float* P = s.power.data();
    Int8 lane_ok;
    for (std::size_t j = 0; j < kLanes; ++j) lane_ok[j] = j < o.valid ? -1 : 0;
    Float8 mel_max = simd::load(o.mel_max);
    for (std::size_t m = 0; m < k.n_mels; ++m) {
        const float* w = k.mel.weights.data() + m * bins;
        Float8 acc = simd::splat(0.0f);
        for (std::size_t b = k.mel.first[m]; b < k.mel.last[m]; ++b) acc += w[b] * simd::load(P + b * kLanes);
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
    Float8 rows[Q];
    for (std::size_t r = 0; r < Q; ++r) rows[r] = simd::splat(start);
    for (std::size_t b = begin; b < end; ++b) {
        Float8 carry = simd::load(M + b * kLanes);
        for (std::size_t r = 0; r < Q; ++r) {
            const Float8 row = rows[r];
            rows[r] = Smallest ? simd::min(row, carry) : simd::max(row, carry);
            carry = Smallest ? simd::max(row, carry) : simd::min(row, carry);
        }
    }
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
                    const double* dct, std::size_t n_mfcc, float* mfcc, float* flux, std::vector<float>& clipped) {
    const Float8 floor = simd::splat(floor_db);
    clipped.resize(n_mels * kLanes);
    Float8 rise = simd::splat(0.0f);
    for (std::size_t m = 0; m < n_mels; ++m) {
        const Float8 cur = simd::max(simd::load(mel_db + m * kLanes), floor);
        simd::store(clipped.data() + m * kLanes, cur);
        const Float8 before = prev_block ? simd::max(simd::load(prev_block + m * kLanes), floor) : cur;
        // Lane j's previous frame: lane j - 1, or the previous block's last lane for lane 0.
        const Float8 prev = __builtin_shuffle(before, cur, Int8{7, 8, 9, 10, 11, 12, 13, 14});
        rise += simd::max(cur - prev, simd::splat(0.0f));
    }
    const float inv = 1.0f / static_cast<float>(n_mels);
    for (std::size_t j = 0; j < kLanes; ++j) flux[j] = rise[j] * inv;
    // The DCT sums in double: partial sums of ~1000 would lose 1e-4 in float32 (the test's floor is
    // 1e-6 of the MFCC range, ~3e-4).
    typedef double Double4 __attribute__((vector_size(32), aligned(8)));
    typedef float Float4 __attribute__((vector_size(16), aligned(4)));
    for (std::size_t c = 0; c < n_mfcc; ++c) {
        const double* d = dct + c * n_mels;
        Double4 lo = Double4{} + 0.0, hi = lo;
        for (std::size_t m = 0; m < n_mels; ++m) {
            Float4 a, b;
            std::memcpy(&a, clipped.data() + m * kLanes, sizeof a);
            std::memcpy(&b, clipped.data() + m * kLanes + 4, sizeof b);
            lo += d[m] * __builtin_convertvector(a, Double4);
            hi += d[m] * __builtin_convertvector(b, Double4);
        }
        for (std::size_t j = 0; j < 4; ++j) {
            mfcc[j * n_mfcc + c] = static_cast<float>(lo[j]);
            mfcc[(j + 4) * n_mfcc + c] = static_cast<float>(hi[j]);
        }
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

// Runs fn(part, begin, end) over [0, count) in up to `threads` contiguous parts (part < threads;
// the caller's thread takes part 0).
template <class Fn>
void parallel_ranges(std::size_t count, std::size_t threads, Fn fn) {
    threads = std::max<std::size_t>(1, std::min(threads, count));
    if (threads <= 1) {
        if (count) fn(std::size_t{0}, std::size_t{0}, count);
        return;
    }
    const std::size_t per = (count + threads - 1) / threads;
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < threads; ++t) {
        const std::size_t a = t * per, b = std::min(count, a + per);
        if (a < b) pool.emplace_back(fn, t, a, b);
    }
    fn(std::size_t{0}, std::size_t{0}, std::min(count, per));
    for (auto& th : pool) th.join();
}

}  // namespace

struct SpectralAnalyzer::Impl {
    SpectralConfig cfg;
    FrameKernel kernel;
    std::vector<double> dct;  // n_mfcc x n_mels
    std::size_t bins;

    // Zero-padded signal: padded index 0 is n_fft/2 samples before the first real sample.
    std::vector<float> buffer;
    std::size_t buffer_start = 0;  // padded index of buffer[0]
    std::size_t real_samples = 0;
    std::size_t next_frame = 0;    // a multiple of kLanes until finish()
    bool finished = false;

    // Per-frame raw values, post-processed in finish(); sized to whole blocks of kLanes frames.
    // Log-mel rows, per block n_mels x kLanes, in chunks of kChunkBlocks blocks (8 MB with 128 mels,
    // in huge pages; the untouched end of the last chunk costs nothing): growing one 13 MB
    // vector (10 minutes) would copy and zero it again at every doubling.
    std::vector<std::unique_ptr<float[]>> mel_chunks;
    static constexpr std::size_t kChunkBlocks = 2048;
    float* mel_block(std::size_t blk) {
        return mel_chunks[blk / kChunkBlocks].get() + (blk % kChunkBlocks) * kLanes * cfg.n_mels;
    }
    std::vector<float> peak, valley;   // frames x bands, magnitudes
    float mel_max = -std::numeric_limits<float>::infinity();
    AudioFrames out;

    static SpectralConfig checked(SpectralConfig c) {
        if (c.hop == 0 || c.hop > c.n_fft) throw Error(ErrorCode::InvalidArgument, "hop must be in 1..n_fft");
        if (c.n_fft < 32 || (c.n_fft & (c.n_fft - 1)) != 0)
            throw Error(ErrorCode::InvalidArgument, "n_fft must be a power of two >= 32, got " + std::to_string(c.n_fft));
        if (c.n_mfcc == 0 || c.n_mfcc > c.n_mels) throw Error(ErrorCode::InvalidArgument, "n_mfcc must be in 1..n_mels");
        if (c.threads < 1) c.threads = 1;
        return c;
    }

    explicit Impl(SpectralConfig c) : cfg(checked(c)), kernel(cfg), bins(cfg.n_fft / 2 + 1) {
        dct = dct_ortho_matrix(cfg.n_mfcc, cfg.n_mels);
        make_bands();
        buffer.assign(cfg.n_fft / 2, 0.0f);
        if (cfg.expected_seconds > 0 && std::isfinite(cfg.expected_seconds)) {
            // A little over the expected length: containers' durations are approximate.
            const double frames = cfg.expected_seconds * 1.01 * cfg.sample_rate / static_cast<double>(cfg.hop) + 2 * kLanes;
            const std::size_t n = static_cast<std::size_t>(std::min(frames, 1e9));
            const std::size_t nb = kernel.bands.size();
            peak.reserve(n * nb);
            valley.reserve(n * nb);
            out.chroma.reserve(n * 12);
            for (auto* v : {&out.rms, &out.centroid, &out.bandwidth, &out.flatness, &out.zcr}) v->reserve(n);
            mel_chunks.reserve(n / (kChunkBlocks * kLanes) + 1);
            for (auto* v : {&peak, &valley, &out.chroma}) advise_huge_pages(*v);
        }
        // The sample buffer never holds more than one batch of frames plus one push piece (see
        // push()), so it is allocated once.
        buffer.reserve(push_piece() + (kBatchFrames + kLanes) * cfg.hop + 2 * cfg.n_fft);
        advise_huge_pages(buffer);
        out.frame_period = static_cast<double>(cfg.hop) / cfg.sample_rate;
        out.n_mfcc = cfg.n_mfcc;
        out.n_contrast = cfg.contrast_bands + 1;
    }

    // librosa.feature.spectral_contrast's band layout (see its source): octave bands
    // [fmin 2^(k-1), fmin 2^k] plus the bin just below each (k > 0), minus the top bin (k < n),
    // the last band running to Nyquist.
    void make_bands() {
        const std::size_t n = cfg.contrast_bands;
        const auto freqs = fft_frequencies(cfg.sample_rate, cfg.n_fft);
        std::vector<double> octa(n + 2, 0.0);
        for (std::size_t i = 1; i < n + 2; ++i) octa[i] = cfg.contrast_fmin * std::pow(2.0, static_cast<double>(i - 1));
        for (std::size_t k = 0; k + 1 < n + 2; ++k)
            if (octa[k] >= 0.5 * cfg.sample_rate)
                throw Error(ErrorCode::InvalidArgument, "spectral contrast band exceeds Nyquist");
        for (std::size_t k = 0; k <= n; ++k) {
            std::size_t first = bins, last = 0;
            for (std::size_t b = 0; b < bins; ++b)
                if (freqs[b] >= octa[k] && freqs[b] <= octa[k + 1]) {
                    first = std::min(first, b);
                    last = b;
                }
            if (first == bins) throw Error(ErrorCode::InvalidArgument, "empty spectral contrast band");
            std::size_t begin = first, end = last + 1;
            if (k > 0) begin = first - 1;
            if (k == n) end = bins;
            const std::size_t count = end - begin;
            if (k < n) end -= 1;
            Band band{begin, end, static_cast<std::size_t>(std::max(1.0, std::nearbyint(cfg.contrast_quantile * count)))};
            kernel.bands.push_back(band);
            kernel.max_take = std::max(kernel.max_take, band.take);
        }
    }

    void grow(std::size_t frames) {
        const std::size_t nb = kernel.bands.size();
        const std::size_t blocks = (frames + kLanes - 1) / kLanes;
        while (mel_chunks.size() * kChunkBlocks < blocks) {
            const std::size_t count = kChunkBlocks * kLanes * cfg.n_mels;
            mel_chunks.push_back(std::make_unique_for_overwrite<float[]>(count));
            advise_huge_pages(mel_chunks.back().get(), count * sizeof(float));
        }
        peak.resize(frames * nb);
        valley.resize(frames * nb);
        out.chroma.resize(frames * 12);
        for (auto* v : {&out.rms, &out.centroid, &out.bandwidth, &out.flatness, &out.zcr}) v->resize(frames);
    }

    // Computes frames [next_frame, end_frame) from the buffer, in blocks of kLanes frames split over
    // threads. end_frame is a multiple of kLanes except at the end (the buffer then holds zeros past
    // the last frame, and the spare lanes are computed and dropped).
    void run_frames(std::size_t end_frame, std::size_t real_end) {
        if (end_frame <= next_frame) return;
        const std::size_t first_block = next_frame / kLanes;
        const std::size_t end_block = (end_frame + kLanes - 1) / kLanes;
        grow(end_block * kLanes);
        const std::size_t nb = kernel.bands.size(), n = cfg.n_fft, lo = n / 2;
        std::vector<float> maxima(static_cast<std::size_t>(cfg.threads) * kLanes, mel_max);
        auto work = [&](std::size_t part, std::size_t a, std::size_t b) {
            float* local_max = maxima.data() + part * kLanes;
            BlockScratch s(kernel);
            BlockOut o{};
            for (std::size_t blk = first_block + a; blk < first_block + b; ++blk) {
                const std::size_t f0 = blk * kLanes;
                for (std::size_t j = 0; j < kLanes; ++j) {
                    const std::size_t start = (f0 + j) * cfg.hop;
                    o.frame[j] = buffer.data() + (start - buffer_start);
                    // Crossings between consecutive real samples inside the frame (edge padding
                    // never crosses): t in [max(1, lo + 1 - start), min(n, real_end - start)).
                    o.zc_begin[j] = std::max<std::size_t>(1, lo + 1 > start ? lo + 1 - start : 0);
                    o.zc_end[j] = std::max(o.zc_begin[j], std::min(n, real_end > start ? real_end - start : 0));
                }
                o.valid = std::min(kLanes, end_frame - f0);
                o.mel_db = mel_block(blk);
                o.rms = out.rms.data() + f0;
                o.centroid = out.centroid.data() + f0;
                o.bandwidth = out.bandwidth.data() + f0;
                o.flatness = out.flatness.data() + f0;
                o.zcr = out.zcr.data() + f0;
                o.chroma = out.chroma.data() + f0 * 12;
                o.peak = peak.data() + f0 * nb;
                o.valley = valley.data() + f0 * nb;
                o.mel_max = local_max;
                block_spectra(kernel, o, s);
                block_moments(kernel, o, s);
                block_mel(kernel, o, s);
                block_chroma(kernel, o, s);
                block_contrast(kernel, o, s);
            }
        };
        parallel_ranges(end_block - first_block, static_cast<std::size_t>(cfg.threads), work);
        for (float m : maxima) mel_max = std::max(mel_max, m);
        next_frame = end_frame;
        const std::size_t keep_from = std::min(next_frame * cfg.hop, buffer_start + buffer.size());
        const std::size_t drop = keep_from - buffer_start;
        buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(drop));
        buffer_start += drop;
    }

    // Samples are taken in pieces of at most this many, so the buffer stays within its first allocation.
    std::size_t push_piece() const { return kBatchFrames / 2 * cfg.hop; }

    void push(const float* samples, std::size_t count) {
        if (finished) throw Error(ErrorCode::InvalidArgument, "SpectralAnalyzer::push after finish");
        while (count > 0) {
            const std::size_t piece = std::min(count, push_piece());
            buffer.insert(buffer.end(), samples, samples + piece);
            samples += piece;
            count -= piece;
            real_samples += piece;
            const std::size_t available = buffer_start + buffer.size();
            if (available < cfg.n_fft) continue;
            const std::size_t ready = (available - cfg.n_fft) / cfg.hop + 1;  // frames whose end fits
            if (ready >= next_frame + kBatchFrames)
                run_frames(ready / kLanes * kLanes, std::numeric_limits<std::size_t>::max());
        }
    }

    AudioFrames finish() {
        if (finished) throw Error(ErrorCode::InvalidArgument, "SpectralAnalyzer::finish called twice");
        finished = true;
        if (real_samples == 0) return std::move(out);
        const std::size_t frames = 1 + real_samples / cfg.hop;
        // Trailing zero padding, plus zeros for the spare lanes of the last block.
        buffer.insert(buffer.end(), cfg.n_fft / 2 + kLanes * cfg.hop, 0.0f);
        run_frames(frames, cfg.n_fft / 2 + real_samples);
        out.frames = frames;
        post_process();
        return std::move(out);
    }

    void post_process() {
        const std::size_t n = out.frames, nm = cfg.n_mels, blocks = (n + kLanes - 1) / kLanes;
        const float floor_db = mel_max - static_cast<float>(cfg.top_db);
        out.mfcc.reserve(blocks * kLanes * cfg.n_mfcc);
        advise_huge_pages(out.mfcc);
        out.mfcc.assign(blocks * kLanes * cfg.n_mfcc, 0.0f);
        std::vector<float> flux(blocks * kLanes, 0.0f);
        parallel_ranges(blocks, static_cast<std::size_t>(cfg.threads), [&](std::size_t, std::size_t a, std::size_t b) {
            std::vector<float> clipped;
            for (std::size_t blk = a; blk < b; ++blk)
                block_cepstrum(mel_block(blk), blk ? mel_block(blk - 1) : nullptr, nm,
                               floor_db, dct.data(), cfg.n_mfcc, out.mfcc.data() + blk * kLanes * cfg.n_mfcc,
                               flux.data() + blk * kLanes, clipped);
        });
        out.mfcc.resize(n * cfg.n_mfcc);
        // Onset strength: frame t = flux of frame t - s, s = n_fft / (2 hop) (librosa's centering
        // compensation); the first s + 1 frames are 0.
        const std::size_t shift = cfg.n_fft / (2 * cfg.hop);
        out.onset.assign(n, 0.0f);
        for (std::size_t t = shift + 1; t < n; ++t) out.onset[t] = flux[t - shift];
        // Contrast: peaks and valleys in dB, each floored at its own maximum - top_db.
        const std::size_t nb = kernel.bands.size();
        peak.resize(n * nb);
        valley.resize(n * nb);
        const float peak_floor = power_to_db(peak.data(), peak.size()) - static_cast<float>(cfg.top_db);
        const float valley_floor = power_to_db(valley.data(), valley.size()) - static_cast<float>(cfg.top_db);
        out.contrast.resize(peak.size());
        for (std::size_t i = 0; i < peak.size(); ++i)
            out.contrast[i] = std::max(peak[i], peak_floor) - std::max(valley[i], valley_floor);
        out.chroma.resize(n * 12);
        for (auto* v : {&out.rms, &out.centroid, &out.bandwidth, &out.flatness, &out.zcr}) v->resize(n);
        mel_chunks.clear();
    }
};

SpectralAnalyzer::SpectralAnalyzer(SpectralConfig config) : impl_(std::make_unique<Impl>(config)) {}
SpectralAnalyzer::~SpectralAnalyzer() = default;
const SpectralConfig& SpectralAnalyzer::config() const noexcept { return impl_->cfg; }
void SpectralAnalyzer::push(const float* samples, std::size_t count) { impl_->push(samples, count); }
AudioFrames SpectralAnalyzer::finish() { return impl_->finish(); }

AudioFrames analyze_audio(const std::vector<float>& samples, const SpectralConfig& config) {
    SpectralAnalyzer analyzer(config);
    analyzer.push(samples.data(), samples.size());
    return analyzer.finish();
}

}  // namespace vidseg::audio
