// The block kernels of SpectralAnalyzer, written once and compiled once per SIMD level: included by
// spectral_kernels.cpp inside namespace kernels::<level> after it has defined
//   Vectors   the level's vector types (lanes::HalvesVectors / Avx2Vectors / Avx512Vectors):
//             F8 / I8 one bin of a block (8 frames, one per lane) and its mask type; FW / IW
//             kBinsPerStep adjacent bins at once (FW = F8 except with AVX-512, where a Float16 holds
//             two bins); D8 8 doubles (the MFCC DCT) in native registers (a GCC vector wider than the
//             target's registers lives in memory between operations);
//   VIDSEG_LEVEL_TARGET  the level's target attribute (empty for the portable build).
// Every function here carries VIDSEG_LEVEL_TARGET or is always inlined into one that does, so no
// code of one level ever runs on another. Nothing here includes a header (the file is included inside a
// namespace); spectral_contrast_body.inl is the second half of it.

using F8 = Vectors::F8;
using I8 = Vectors::I8;
using FW = Vectors::FW;
using IW = Vectors::IW;
using D8 = Vectors::D8;
constexpr std::size_t kBinsPerStep = sizeof(FW) / sizeof(F8);

// librosa's zero_crossing_rate zeroes |x| <= 1e-10 and counts 0 as positive: "negative" = x < -1e-10.
// Pairs (p[t - 1], p[t]) with a sign change, t in [begin, end).
VIDSEG_LEVEL_TARGET
int frame_crossings(const float* p, std::size_t begin, std::size_t end) {
    I8 flips = lanes::splat<I8>(0);
    std::size_t t = begin;
    for (; t + kLanes <= end; t += kLanes) {
        const I8 a = lanes::load<F8>(p + t) < -1e-10f, b = lanes::load<F8>(p + t - 1) < -1e-10f;
        flips -= a ^ b;  // -1 where the sign differs
    }
    int crossings = 0;
    for (std::size_t i = 0; i < kLanes; ++i) crossings += flips[i];
    for (; t < end; ++t) crossings += (p[t] < -1e-10f) != (p[t - 1] < -1e-10f);
    return crossings;
}

// Zero-crossing rates of a block's 8 frames from per-hop counts: the frames overlap (n_fft = 4 hops
// by default), so counting each hop-sized chunk of the block's span once and summing 4 chunks per
// frame does a third of the work of counting every frame. Only for blocks whose frames all lie
// inside the signal (the edge frames count fewer pairs) and hops that divide n_fft; returns false
// (nothing written) otherwise.
VIDSEG_LEVEL_TARGET
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

VIDSEG_LEVEL_TARGET
void block_spectra(const FrameKernel& k, const BlockOut& o, BlockScratch& s) {
    const std::size_t n = k.n_fft;
    const float* win = k.window.data();
    float* x = s.ws.real();
    const float nf = static_cast<float>(n);
    const bool shared_crossings = block_crossings(k, o);
    constexpr std::size_t kStep = lanes::lanes_of<FW>;  // n_fft is a power of two >= 32
    for (std::size_t j = 0; j < kLanes; ++j) {
        const float* p = o.frame[j];
        FW energy = lanes::splat<FW>(0.0f);
        for (std::size_t t = 0; t < n; t += kStep) {
            const FW v = lanes::load<FW>(p + t);
            lanes::store(x + t, v * lanes::load<FW>(win + t));
            energy += v * v;
        }
        o.rms[j] = std::sqrt(lanes::sum(lanes::fold_bins(energy)) / nf);
        if (!shared_crossings) o.zcr[j] = static_cast<float>(frame_crossings(p, o.zc_begin[j], o.zc_end[j])) / nf;
        // |X|^2 of this frame, bin after bin (lane-major scratch row j).
        k.fft.power(s.ws, s.rows.data() + j * s.row_stride);
    }
    // Transpose the 8 rows into s.power ([bin][lane]) in 8 x 8 tiles.
    const float* r = s.rows.data();
    const std::size_t st = s.row_stride;
    float* P = s.power.data();
    std::size_t b = 0;
    for (; b + kLanes <= k.bins; b += kLanes) lanes::transpose8(r + b, st, P + b * kLanes, static_cast<F8*>(nullptr));
    for (; b < k.bins; ++b)
        for (std::size_t j = 0; j < kLanes; ++j) P[b * kLanes + j] = r[j * st + b];
}

// Magnitudes, centroid and flatness sums of kBinsPerStep bins (see block_moments).
struct MomentSums {
    FW mag, weighted, pow, log;
    IW exp;
};
[[gnu::always_inline]] inline void add_moment_bins(const float* P, float* M, const float* f2, std::size_t b,
                                                   MomentSums& s, FW& mantissas) {
    const FW pw = lanes::load<FW>(P + b * kLanes);
    const FW mg = lanes::sqrt(pw);
    lanes::store(M + b * kLanes, mg);
    s.mag += mg;
    s.weighted += lanes::load<FW>(f2 + b * kLanes) * mg;
    const FW pt = lanes::max(pw, lanes::splat<FW>(kAmin));
    s.pow += pt;
    const IW bits = lanes::bits_of(pt);
    s.exp += (bits >> 23) - 127;
    mantissas *= lanes::floats_of<FW>((bits & 0x007fffff) | 0x3f800000);
}

// What is computed from the 8 power spectra, one pass per group over contiguous [bin][lane] rows:
// magnitudes (into s.mag), centroid, bandwidth and flatness.
VIDSEG_LEVEL_TARGET
void block_moments(const FrameKernel& k, const BlockOut& o, BlockScratch& s) {
    const std::size_t bins = k.bins;
    const float* P = s.power.data();
    float* M = s.mag.data();
    const float* f = k.freqs.data();
    const float* f2 = k.freqs_by_lane.data();
    // With kBinsPerStep = 2 the halves hold the sums over even- and odd-offset bins.
    MomentSums sums{lanes::splat<FW>(0.0f), lanes::splat<FW>(0.0f), lanes::splat<FW>(0.0f), lanes::splat<FW>(0.0f),
                    lanes::splat<IW>(0)};
    // Flatness needs sum(log p): log(m 2^e) = log(m) + e ln 2, so the exponents are summed as integers
    // and the mantissas (in [1, 2)) multiplied in groups of 16 bins per lane (product < 2^16), one
    // log per group.
    constexpr std::size_t kGroup = 16 * kBinsPerStep;
    std::size_t b = 0;
    for (; b + kGroup <= bins; b += kGroup) {
        FW mantissas = lanes::splat<FW>(1.0f);
        for (std::size_t i = b; i < b + kGroup; i += kBinsPerStep) add_moment_bins(P, M, f2, i, sums, mantissas);
        sums.log += lanes::log(mantissas);
    }
    if (b + kBinsPerStep <= bins) {  // the last < kGroup bins but a possible odd one
        FW mantissas = lanes::splat<FW>(1.0f);
        for (; b + kBinsPerStep <= bins; b += kBinsPerStep) add_moment_bins(P, M, f2, b, sums, mantissas);
        sums.log += lanes::log(mantissas);
    }
    F8 mag8 = lanes::fold_bins(sums.mag), weighted8 = lanes::fold_bins(sums.weighted);
    F8 pow8 = lanes::fold_bins(sums.pow), log8 = lanes::fold_bins(sums.log);
    const I8 exp8 = lanes::fold_bins(sums.exp);
    if (b < bins) {  // an odd last bin alone (two bins per step)
        const F8 pw = lanes::load<F8>(P + b * kLanes);
        const F8 mg = lanes::sqrt(pw);
        lanes::store(M + b * kLanes, mg);
        mag8 += mg;
        weighted8 += f[b] * mg;
        const F8 pt = lanes::max(pw, lanes::splat<F8>(kAmin));
        pow8 += pt;
        log8 += lanes::log(pt);
    }
    // librosa normalises each spectrum by its sum unless that is below float32's tiny.
    const F8 norm = lanes::select(mag8 < kTinyF32, lanes::splat<F8>(1.0f), mag8);
    const F8 centroid = weighted8 / norm;
    const FW centroids = lanes::repeat_bins<FW>(centroid);
    FW spread_w = lanes::splat<FW>(0.0f);
    std::size_t c = 0;
    for (; c + kBinsPerStep <= bins; c += kBinsPerStep) {
        const FW d = lanes::load<FW>(f2 + c * kLanes) - centroids;
        spread_w += d * d * lanes::load<FW>(M + c * kLanes);
    }
    F8 spread = lanes::fold_bins(spread_w);
    if (c < bins) {
        const F8 d = f[c] - centroid;
        spread += d * d * lanes::load<F8>(M + c * kLanes);
    }
    const F8 bandwidth = lanes::sqrt(spread / norm);
    const float inv_bins = 1.0f / static_cast<float>(bins);
    for (std::size_t j = 0; j < kLanes; ++j) {
        o.centroid[j] = centroid[j];
        o.bandwidth[j] = bandwidth[j];
        const double mean_log = (static_cast<double>(log8[j]) + std::numbers::ln2 * exp8[j]) / static_cast<double>(bins);
        o.flatness[j] = static_cast<float>(std::exp(mean_log) / (static_cast<double>(pow8[j]) * inv_bins));
    }
}

// Log-mel (librosa.power_to_db before the top_db floor, which needs the global maximum).
VIDSEG_LEVEL_TARGET
void block_mel(const FrameKernel& k, const BlockOut& o, const BlockScratch& s) {
    const float* P = s.power.data();
    std::int32_t ok[kLanes];
    for (std::size_t j = 0; j < kLanes; ++j) ok[j] = j < o.valid ? -1 : 0;
    const I8 lane_ok = lanes::load<I8>(ok);
    F8 mel_max = lanes::load<F8>(o.mel_max);
    for (std::size_t m = 0; m < k.n_mels; ++m) {
        const std::size_t first = k.mel.first[m], last = k.mel.last[m];
        const float* w = k.mel_by_lane.data() + k.mel_by_lane_at[m];  // bin first + i at w + i kLanes
        FW acc_w = lanes::splat<FW>(0.0f);
        std::size_t b = first;
        for (; b + kBinsPerStep <= last; b += kBinsPerStep)
            acc_w += lanes::load<FW>(w + (b - first) * kLanes) * lanes::load<FW>(P + b * kLanes);
        F8 acc = lanes::fold_bins(acc_w);
        if (b < last) acc += lanes::load<F8>(w + (b - first) * kLanes) * lanes::load<F8>(P + b * kLanes);
        const F8 db = kDbPerLog * lanes::log(lanes::max(acc, lanes::splat<F8>(kAmin)));
        lanes::store(o.mel_db + m * kLanes, db);
        mel_max = lanes::select(lane_ok, lanes::max(mel_max, db), mel_max);
    }
    lanes::store(o.mel_max, mel_max);
}

// One run of chroma bins: `W` dot products in registers, added to the 12 sums at the end.
template <std::size_t W>
[[gnu::always_inline]] inline void chroma_run(const ChromaRun& run, const float* weights, const float* P, F8* chroma) {
    F8 acc[W];  // in registers: every loop over W is unrolled
#pragma GCC unroll 12
    for (auto& a : acc) a = lanes::splat<F8>(0.0f);
    const float* w = weights + run.offset;
    for (std::size_t b = run.begin; b < run.end; ++b, w += W) {
        const F8 pw = lanes::load<F8>(P + b * kLanes);
#pragma GCC unroll 12
        for (std::size_t i = 0; i < W; ++i) acc[i] += w[i] * pw;
    }
#pragma GCC unroll 12
    for (std::size_t i = 0; i < W; ++i) chroma[(run.start + i) % 12] += acc[i];
}

// Chroma: 12 weighted sums over the bins (run by run, see ChromaRun), then max-normalised per frame.
VIDSEG_LEVEL_TARGET
void block_chroma(const FrameKernel& k, const BlockOut& o, const BlockScratch& s) {
    const float* P = s.power.data();
    F8 chroma[12];
    for (auto& c : chroma) c = lanes::splat<F8>(0.0f);
    for (const ChromaRun& run : k.chroma_runs) {
        if (run.width == kChromaNarrow)
            chroma_run<kChromaNarrow>(run, k.chroma_w.data(), P, chroma);
        else
            chroma_run<12>(run, k.chroma_w.data(), P, chroma);
    }
    F8 cmax = chroma[0];
    for (std::size_t c = 1; c < 12; ++c) cmax = lanes::max(cmax, chroma[c]);
    const I8 normalise = cmax >= kTinyF32;
    for (std::size_t c = 0; c < 12; ++c) {
        const F8 v = lanes::select(normalise, chroma[c] / cmax, chroma[c]);
        for (std::size_t j = 0; j < kLanes; ++j) o.chroma[j * 12 + c] = v[j];
    }
}

#include "vidseg/audio/spectral_contrast_body.inl"

// MFCC (DCT-II of the floored log-mel) and the raw onset flux of one block (frame f's flux =
// mean over bands of max(0, logmel[f] - logmel[f-1])); prev_block is the block before (or null).
VIDSEG_LEVEL_TARGET
void block_cepstrum(const float* mel_db, const float* prev_block, std::size_t n_mels, float floor_db,
                    const double* dct, std::size_t n_mfcc, float* mfcc, float* flux, std::vector<double>& clipped) {
    const F8 floor = lanes::splat<F8>(floor_db);
    if (clipped.size() < n_mels * kLanes) clipped.resize(n_mels * kLanes);
    F8 rise = lanes::splat<F8>(0.0f);
    for (std::size_t m = 0; m < n_mels; ++m) {
        const F8 cur = lanes::max(lanes::load<F8>(mel_db + m * kLanes), floor);
        lanes::store_doubles(clipped.data() + m * kLanes, cur);
        const F8 before = prev_block ? lanes::max(lanes::load<F8>(prev_block + m * kLanes), floor) : cur;
        // Lane j's previous frame: lane j - 1, or the previous block's last lane for lane 0.
        rise += lanes::max(cur - lanes::previous_lanes(before, cur), lanes::splat<F8>(0.0f));
    }
    const float inv = 1.0f / static_cast<float>(n_mels);
    for (std::size_t j = 0; j < kLanes; ++j) flux[j] = rise[j] * inv;
    // The DCT sums in double: partial sums of ~1000 would lose 1e-4 in float32 (the test's floor is
    // 1e-6 of the MFCC range, ~3e-4). Four coefficients at a time share each loaded row.
    const double* rows = clipped.data();
    std::size_t c = 0;
    for (; c + 4 <= n_mfcc; c += 4) {
        const double *d0 = dct + c * n_mels, *d1 = d0 + n_mels, *d2 = d1 + n_mels, *d3 = d2 + n_mels;
        D8 a0 = lanes::splat<D8>(0.0), a1 = a0, a2 = a0, a3 = a0;
        for (std::size_t m = 0; m < n_mels; ++m) {
            const D8 v = lanes::load<D8>(rows + m * kLanes);
            a0 += d0[m] * v;
            a1 += d1[m] * v;
            a2 += d2[m] * v;
            a3 += d3[m] * v;
        }
        const D8 acc[4] = {a0, a1, a2, a3};
        for (std::size_t i = 0; i < 4; ++i)
            for (std::size_t j = 0; j < kLanes; ++j) mfcc[j * n_mfcc + c + i] = static_cast<float>(acc[i][j]);
    }
    for (; c < n_mfcc; ++c) {
        const double* d = dct + c * n_mels;
        D8 a = lanes::splat<D8>(0.0);
        for (std::size_t m = 0; m < n_mels; ++m) a += d[m] * lanes::load<D8>(rows + m * kLanes);
        for (std::size_t j = 0; j < kLanes; ++j) mfcc[j * n_mfcc + c] = static_cast<float>(a[j]);
    }
}

// 10 log10(max(amin, v)) in place; returns the maximum.
VIDSEG_LEVEL_TARGET
float power_to_db(float* v, std::size_t n) {
    F8 top = lanes::splat<F8>(-std::numeric_limits<float>::infinity());
    std::size_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        const F8 db = kDbPerLog * lanes::log(lanes::max(lanes::load<F8>(v + i), lanes::splat<F8>(kAmin)));
        lanes::store(v + i, db);
        top = lanes::max(top, db);
    }
    float best = top[0];
    for (std::size_t j = 1; j < kLanes; ++j) best = std::max(best, top[j]);
    for (; i < n; ++i) {
        v[i] = 10.0f * std::log10(std::max(kAmin, v[i]));
        best = std::max(best, v[i]);
    }
    return best;
}
