#include "vidseg/audio/spectral_features.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <numbers>
#include <string>

#include "vidseg/audio/filterbanks.hpp"
#include "vidseg/audio/spectral_kernels.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/huge_pages.hpp"
#include "vidseg/core/worker_pool.hpp"

#pragma GCC diagnostic ignored "-Wpsabi"

namespace vidseg::audio {

using namespace kernels;

namespace {

constexpr std::size_t kBatchFrames = 1024;  // a multiple of kLanes

}  // namespace

struct SpectralAnalyzer::Impl {
    SpectralConfig cfg;
    const BlockKernels& kernels;  // the SIMD level's block kernels
    FrameKernel kernel;
    std::vector<double> dct;  // n_mfcc x n_mels
    std::size_t bins;

    // Zero-padded signal: padded index 0 is n_fft/2 samples before the first real sample.
    std::vector<float> buffer;
    std::size_t buffer_start = 0;  // padded index of buffer[0]

    // The batch of frames being computed by the workers while push() goes on filling `buffer`: it
    // owns the samples it reads (the previous buffer, swapped out), so decoding and analysis overlap.
    struct Batch {
        std::vector<float> samples;
        std::size_t samples_start = 0;  // padded index of samples[0]
        std::size_t first_block = 0, end_block = 0, end_frame = 0, real_end = 0;
        std::atomic<std::size_t> next_block{0};  // blocks are claimed one at a time by the workers
    } batch;
    std::unique_ptr<WorkerPool> pool;  // with threads > 1; otherwise batches run on the caller's thread
    std::vector<std::unique_ptr<BlockScratch>> scratch;  // one per worker
    std::vector<float> maxima;                           // kLanes running log-mel maxima per worker
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

    // A batch may still be running when an exception (e.g. a decoding error) ends the pass: it must
    // finish before the arrays it writes go away.
    ~Impl() {
        if (pool) try {
                pool->wait();
            } catch (...) {
            }
    }

    static SpectralConfig checked(SpectralConfig c) {
        if (c.hop == 0 || c.hop > c.n_fft) throw Error(ErrorCode::InvalidArgument, "hop must be in 1..n_fft");
        if (c.n_fft < 32 || (c.n_fft & (c.n_fft - 1)) != 0)
            throw Error(ErrorCode::InvalidArgument, "n_fft must be a power of two >= 32, got " + std::to_string(c.n_fft));
        if (c.n_mfcc == 0 || c.n_mfcc > c.n_mels) throw Error(ErrorCode::InvalidArgument, "n_mfcc must be in 1..n_mels");
        if (c.threads < 1) c.threads = 1;
        if (c.simd_level && !cpu_supports(*c.simd_level))
            throw Error(ErrorCode::InvalidArgument,
                        "SIMD level " + std::string(simd_level_name(*c.simd_level)) + " cannot run on this CPU");
        return c;
    }

    explicit Impl(SpectralConfig c)
        : cfg(checked(c)),
          kernels(block_kernels(cfg.simd_level.value_or(selected_simd_level()))),
          kernel(cfg),
          bins(cfg.n_fft / 2 + 1) {
        dct = dct_ortho_matrix(cfg.n_mfcc, cfg.n_mels);
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
        for (auto* b : {&buffer, &batch.samples}) {
            b->reserve(push_piece() + (kBatchFrames + kLanes) * cfg.hop + 2 * cfg.n_fft);
            advise_huge_pages(*b);
        }
        const auto workers = static_cast<std::size_t>(cfg.threads);
        for (std::size_t w = 0; w < workers; ++w) scratch.push_back(std::make_unique<BlockScratch>(kernel));
        maxima.assign(workers * kLanes, -std::numeric_limits<float>::infinity());
        if (workers > 1) pool = std::make_unique<WorkerPool>(workers);
        out.frame_period = static_cast<double>(cfg.hop) / cfg.sample_rate;
        out.n_mfcc = cfg.n_mfcc;
        out.n_contrast = cfg.contrast_bands + 1;
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

    // Starts computing frames [next_frame, end_frame) from the buffer, in blocks of kLanes frames
    // claimed by the workers; returns at once when there is a pool. end_frame is a multiple of kLanes
    // except at the end (the buffer then holds zeros past the last frame, and the spare lanes are
    // computed and dropped).
    void run_frames(std::size_t end_frame, std::size_t real_end) {
        if (end_frame <= next_frame) return;
        if (pool) pool->wait();  // the previous batch: its samples and the arrays grown below
        const std::size_t end_block = (end_frame + kLanes - 1) / kLanes;
        grow(end_block * kLanes);
        batch.samples.swap(buffer);
        batch.samples_start = buffer_start;
        batch.first_block = next_frame / kLanes;
        batch.end_block = end_block;
        batch.end_frame = end_frame;
        batch.real_end = real_end;
        batch.next_block = batch.first_block;
        // The new buffer starts with the samples the next frames still need.
        next_frame = end_frame;
        const std::size_t keep_from = std::min(next_frame * cfg.hop, batch.samples_start + batch.samples.size());
        buffer.assign(batch.samples.begin() + static_cast<std::ptrdiff_t>(keep_from - batch.samples_start),
                      batch.samples.end());
        buffer_start = keep_from;
        if (pool)
            pool->start([this](std::size_t worker) { run_blocks(worker); });
        else
            run_blocks(0);
    }

    void run_blocks(std::size_t worker) {
        const std::size_t nb = kernel.bands.size(), n = cfg.n_fft, lo = n / 2;
        BlockScratch& s = *scratch[worker];
        BlockOut o{};
        o.mel_max = maxima.data() + worker * kLanes;
        for (std::size_t blk = batch.next_block++; blk < batch.end_block; blk = batch.next_block++) {
            const std::size_t f0 = blk * kLanes;
            for (std::size_t j = 0; j < kLanes; ++j) {
                const std::size_t start = (f0 + j) * cfg.hop;
                o.frame[j] = batch.samples.data() + (start - batch.samples_start);
                // Crossings between consecutive real samples inside the frame (edge padding
                // never crosses): t in [max(1, lo + 1 - start), min(n, real_end - start)).
                o.zc_begin[j] = std::max<std::size_t>(1, lo + 1 > start ? lo + 1 - start : 0);
                o.zc_end[j] = std::max(o.zc_begin[j], std::min(n, batch.real_end > start ? batch.real_end - start : 0));
            }
            o.valid = std::min(kLanes, batch.end_frame - f0);
            o.mel_db = mel_block(blk);
            o.rms = out.rms.data() + f0;
            o.centroid = out.centroid.data() + f0;
            o.bandwidth = out.bandwidth.data() + f0;
            o.flatness = out.flatness.data() + f0;
            o.zcr = out.zcr.data() + f0;
            o.chroma = out.chroma.data() + f0 * 12;
            o.peak = peak.data() + f0 * nb;
            o.valley = valley.data() + f0 * nb;
            kernels.spectra(kernel, o, s);
            kernels.moments(kernel, o, s);
            kernels.mel(kernel, o, s);
            kernels.chroma(kernel, o, s);
            kernels.contrast(kernel, o, s);
        }
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
        if (pool) pool->wait();
        for (float m : maxima) mel_max = std::max(mel_max, m);
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
        std::atomic<std::size_t> next_block{0};
        auto cepstra = [&](std::size_t) {
            std::vector<double> clipped;
            for (std::size_t blk = next_block++; blk < blocks; blk = next_block++)
                kernels.cepstrum(mel_block(blk), blk ? mel_block(blk - 1) : nullptr, nm, floor_db, dct.data(),
                               cfg.n_mfcc, out.mfcc.data() + blk * kLanes * cfg.n_mfcc, flux.data() + blk * kLanes,
                               clipped);
        };
        if (pool) {
            pool->start(cepstra);
            pool->wait();
        } else {
            cepstra(0);
        }
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
        const float peak_floor = kernels.power_to_db(peak.data(), peak.size()) - static_cast<float>(cfg.top_db);
        const float valley_floor = kernels.power_to_db(valley.data(), valley.size()) - static_cast<float>(cfg.top_db);
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
