#include "vidseg/audio/spectral_features.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <numbers>
#include <string>

#include "vidseg/audio/filterbanks.hpp"
#include "vidseg/audio/spectral_kernels.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/huge_pages.hpp"
#include "vidseg/core/spill_file.hpp"
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

    // Per-frame raw values, in chunks of F = chunk_frames frames (a multiple of kLanes), one allocation
    // each (in huge pages): log-mel rows (per block n_mels x kLanes), then peaks and valleys (frames x
    // bands, magnitudes until the chunk is complete, dB after), chroma (frames x 12), rms, centroid,
    // bandwidth, flatness, zcr. MFCC, onset and contrast need maxima over the whole signal: a complete
    // chunk waits in `spill` (a temporary file) until finish(), which post-processes one chunk at a time,
    // so memory stays bounded (~2 chunks) however long the signal is.
    struct Chunk {
        std::unique_ptr<float[]> data;  // null once spilled
        std::uint64_t offset = 0;       // in `spill`
    };
    std::vector<Chunk> chunks;
    std::size_t chunk_frames = 0, chunk_floats = 0;
    std::size_t off_peak = 0, off_valley = 0, off_chroma = 0, off_scalars = 0;  // sections, in floats
    std::size_t completed_chunks = 0;  // chunks [0, completed_chunks) are in dB and spilled
    std::unique_ptr<SpillFile> spill;
    float* mel_block(std::size_t blk) {
        const std::size_t f0 = blk * kLanes;
        return chunks[f0 / chunk_frames].data.get() + (f0 % chunk_frames) * cfg.n_mels;
    }
    float mel_max = -std::numeric_limits<float>::infinity();
    float peak_max = -std::numeric_limits<float>::infinity(), valley_max = peak_max;  // dB
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
        const std::size_t nb = kernel.bands.size();
        chunk_frames = std::max<std::size_t>(kLanes, (cfg.chunk_frames + kLanes - 1) / kLanes * kLanes);
        off_peak = chunk_frames * cfg.n_mels;
        off_valley = off_peak + chunk_frames * nb;
        off_chroma = off_valley + chunk_frames * nb;
        off_scalars = off_chroma + chunk_frames * 12;
        chunk_floats = off_scalars + chunk_frames * 5;
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
        while (chunks.size() * chunk_frames < frames) {
            chunks.push_back({std::make_unique_for_overwrite<float[]>(chunk_floats), 0});
            advise_huge_pages(chunks.back().data.get(), chunk_floats * sizeof(float));
        }
    }

    // Peaks and valleys of the first `frames` frames of chunk c to dB, the maxima updated. In whole
    // chunks of a multiple of kLanes frames, so each value takes the path (vector or scalar tail) it
    // takes when the whole array is converted at once.
    void chunk_to_db(std::size_t c, std::size_t frames) {
        const std::size_t nb = kernel.bands.size();
        float* base = chunks[c].data.get();
        if (frames == 0) return;
        peak_max = std::max(peak_max, kernels.power_to_db(base + off_peak, frames * nb));
        valley_max = std::max(valley_max, kernels.power_to_db(base + off_valley, frames * nb));
    }

    // Chunks whose frames are all computed (below `done`) go to dB and to the spill file.
    void spill_complete(std::size_t done) {
        for (; (completed_chunks + 1) * chunk_frames <= done; ++completed_chunks) {
            Chunk& c = chunks[completed_chunks];
            chunk_to_db(completed_chunks, chunk_frames);
            if (!spill) spill = std::make_unique<SpillFile>();
            c.offset = spill->append(c.data.get(), chunk_floats * sizeof(float));
            c.data.reset();
        }
    }

    // Starts computing frames [next_frame, end_frame) from the buffer, in blocks of kLanes frames
    // claimed by the workers; returns at once when there is a pool. end_frame is a multiple of kLanes
    // except at the end (the buffer then holds zeros past the last frame, and the spare lanes are
    // computed and dropped).
    void run_frames(std::size_t end_frame, std::size_t real_end) {
        if (end_frame <= next_frame) return;
        if (pool) pool->wait();  // the previous batch: its samples and the arrays grown below
        spill_complete(next_frame);
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
            float* base = chunks[f0 / chunk_frames].data.get();
            const std::size_t j0 = f0 % chunk_frames, cf = chunk_frames;
            o.mel_db = base + j0 * cfg.n_mels;
            o.rms = base + off_scalars + j0;
            o.centroid = o.rms + cf;
            o.bandwidth = o.centroid + cf;
            o.flatness = o.bandwidth + cf;
            o.zcr = o.flatness + cf;
            o.chroma = base + off_chroma + j0 * 12;
            o.peak = base + off_peak + j0 * nb;
            o.valley = base + off_valley + j0 * nb;
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

    void finish(const FrameSink& sink) {
        if (finished) throw Error(ErrorCode::InvalidArgument, "SpectralAnalyzer::finish called twice");
        finished = true;
        if (real_samples == 0) return;
        const std::size_t frames = 1 + real_samples / cfg.hop;
        // Trailing zero padding, plus zeros for the spare lanes of the last block.
        buffer.insert(buffer.end(), cfg.n_fft / 2 + kLanes * cfg.hop, 0.0f);
        run_frames(frames, cfg.n_fft / 2 + real_samples);
        if (pool) pool->wait();
        for (float m : maxima) mel_max = std::max(mel_max, m);
        spill_complete(frames / chunk_frames * chunk_frames);
        for (std::size_t c = completed_chunks; c * chunk_frames < frames; ++c)
            chunk_to_db(c, std::min(chunk_frames, frames - c * chunk_frames));
        post_process(frames, sink);
    }

    // MFCC, onset strength and contrast with the global floors, chunk by chunk in time order.
    void post_process(std::size_t n, const FrameSink& sink) {
        const std::size_t nm = cfg.n_mels, nb = kernel.bands.size(), lanes_floats = kLanes * nm;
        const float floor_db = mel_max - static_cast<float>(cfg.top_db);
        const float peak_floor = peak_max - static_cast<float>(cfg.top_db);
        const float valley_floor = valley_max - static_cast<float>(cfg.top_db);
        // Onset strength: frame t = flux of frame t - s, s = n_fft / (2 hop) (librosa's centering
        // compensation); the first s + 1 frames are 0. `recent_flux` holds the last s fluxes before the chunk.
        const std::size_t shift = cfg.n_fft / (2 * cfg.hop);
        std::vector<float> recent_flux, previous_block(lanes_floats), loaded;
        std::vector<float> flux(chunk_frames);
        AudioFrames piece;
        piece.frame_period = out.frame_period;
        piece.n_mfcc = out.n_mfcc;
        piece.n_contrast = out.n_contrast;
        for (std::size_t c = 0; c * chunk_frames < n; ++c) {
            const std::size_t first = c * chunk_frames, count = std::min(chunk_frames, n - first);
            const std::size_t blocks = (count + kLanes - 1) / kLanes;
            const float* base = chunks[c].data.get();
            if (!base) {
                loaded.resize(chunk_floats);
                spill->read(chunks[c].offset, loaded.data(), chunk_floats * sizeof(float));
                base = loaded.data();
            }
            piece.frames = count;
            piece.mfcc.assign(blocks * kLanes * cfg.n_mfcc, 0.0f);
            std::atomic<std::size_t> next_block{0};
            auto cepstra = [&](std::size_t) {
                std::vector<double> clipped;
                for (std::size_t blk = next_block++; blk < blocks; blk = next_block++) {
                    const float* prev = blk ? base + (blk - 1) * lanes_floats : c ? previous_block.data() : nullptr;
                    kernels.cepstrum(base + blk * lanes_floats, prev, nm, floor_db, dct.data(), cfg.n_mfcc,
                                     piece.mfcc.data() + blk * kLanes * cfg.n_mfcc, flux.data() + blk * kLanes,
                                     clipped);
                }
            };
            if (pool) {
                pool->start(cepstra);
                pool->wait();
            } else {
                cepstra(0);
            }
            piece.mfcc.resize(count * cfg.n_mfcc);
            std::copy_n(base + (chunk_frames / kLanes - 1) * lanes_floats, lanes_floats, previous_block.begin());
            piece.onset.assign(count, 0.0f);
            for (std::size_t i = 0; i < count; ++i) {
                const std::size_t t = first + i;
                if (t < shift + 1) continue;
                const std::size_t source = t - shift;  // >= first - shift
                piece.onset[i] = source >= first ? flux[source - first]
                                                 : recent_flux[recent_flux.size() - (first - source)];
            }
            recent_flux.insert(recent_flux.end(), flux.begin(), flux.begin() + static_cast<std::ptrdiff_t>(count));
            if (recent_flux.size() > shift)
                recent_flux.erase(recent_flux.begin(), recent_flux.end() - static_cast<std::ptrdiff_t>(shift));
            // Contrast: peaks and valleys in dB, each floored at its own maximum - top_db.
            piece.contrast.resize(count * nb);
            const float *peak = base + off_peak, *valley = base + off_valley;
            for (std::size_t i = 0; i < count * nb; ++i)
                piece.contrast[i] = std::max(peak[i], peak_floor) - std::max(valley[i], valley_floor);
            piece.chroma.assign(base + off_chroma, base + off_chroma + count * 12);
            const float* scalars = base + off_scalars;
            for (auto* v : {&piece.rms, &piece.centroid, &piece.bandwidth, &piece.flatness, &piece.zcr}) {
                v->assign(scalars, scalars + count);
                scalars += chunk_frames;
            }
            chunks[c].data.reset();
            sink(piece, first);
        }
        chunks.clear();
    }

    AudioFrames finish() {
        finish([this](const AudioFrames& p, std::size_t) { append_frames(out, p); });
        return std::move(out);
    }
};

SpectralAnalyzer::SpectralAnalyzer(SpectralConfig config) : impl_(std::make_unique<Impl>(config)) {}
SpectralAnalyzer::~SpectralAnalyzer() = default;
const SpectralConfig& SpectralAnalyzer::config() const noexcept { return impl_->cfg; }
void SpectralAnalyzer::push(const float* samples, std::size_t count) { impl_->push(samples, count); }
AudioFrames SpectralAnalyzer::finish() { return impl_->finish(); }
void SpectralAnalyzer::finish(const FrameSink& sink) { impl_->finish(sink); }

void append_frames(AudioFrames& all, const AudioFrames& p) {
    all.frames += p.frames;
    for (auto [to, from] : {std::pair{&all.mfcc, &p.mfcc}, {&all.contrast, &p.contrast}, {&all.chroma, &p.chroma},
                            {&all.rms, &p.rms}, {&all.centroid, &p.centroid}, {&all.bandwidth, &p.bandwidth},
                            {&all.flatness, &p.flatness}, {&all.zcr, &p.zcr}, {&all.onset, &p.onset}})
        to->insert(to->end(), from->begin(), from->end());
}

AudioFrames analyze_audio(const std::vector<float>& samples, const SpectralConfig& config) {
    SpectralAnalyzer analyzer(config);
    analyzer.push(samples.data(), samples.size());
    return analyzer.finish();
}

}  // namespace vidseg::audio
