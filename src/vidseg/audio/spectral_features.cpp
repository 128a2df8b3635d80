#include "vidseg/audio/spectral_features.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

#include "vidseg/audio/filterbanks.hpp"
#include "vidseg/audio/real_fft.hpp"
#include "vidseg/core/error.hpp"

namespace vidseg::audio {

namespace {

constexpr float kTinyF32 = std::numeric_limits<float>::min();  // numpy.finfo(float32).tiny
constexpr double kAmin = 1e-10;
constexpr std::size_t kBatchFrames = 1024;

struct Band {
    std::size_t begin = 0, end = 0;  // bins sorted for peak/valley
    std::size_t take = 1;            // how many smallest / largest to average
};

// Sum of w[k] * x[k] over [a, b) in 8 independent float lanes (vectorisable without -ffast-math).
float dot(const float* w, const float* x, std::size_t a, std::size_t b) {
    float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    std::size_t k = a;
    for (; k + 8 <= b; k += 8)
        for (int i = 0; i < 8; ++i) lane[i] += w[k + static_cast<std::size_t>(i)] * x[k + static_cast<std::size_t>(i)];
    float tail = 0;
    for (; k < b; ++k) tail += w[k] * x[k];
    return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7])) + tail;
}

struct Scratch {
    std::vector<float> windowed, re, im, power, mag, fft, low, high;
};

// The q smallest (ascending in low) and q largest (descending in high) of x[0..n), one pass with
// small insertion-sorted buffers: q is at most a few percent of n, so insertions are rare.
void extremes(const float* x, std::size_t n, std::size_t q, std::vector<float>& low, std::vector<float>& high) {
    low.assign(x, x + q);
    std::sort(low.begin(), low.end());
    high.assign(low.rbegin(), low.rend());
    for (std::size_t i = q; i < n; ++i) {
        const float v = x[i];
        if (v < low[q - 1]) {
            std::size_t j = q - 1;
            while (j > 0 && low[j - 1] > v) {
                low[j] = low[j - 1];
                --j;
            }
            low[j] = v;
        }
        if (v > high[q - 1]) {
            std::size_t j = q - 1;
            while (j > 0 && high[j - 1] < v) {
                high[j] = high[j - 1];
                --j;
            }
            high[j] = v;
        }
    }
}

}  // namespace

struct SpectralAnalyzer::Impl {
    SpectralConfig cfg;
    RealFft fft;
    std::vector<float> window;
    Filterbank mel, chroma;
    std::vector<double> dct;
    std::vector<double> freqs, freqs2;  // bin frequencies and their squares
    std::vector<Band> bands;
    std::size_t bins;

    // Zero-padded signal: padded index 0 is n_fft/2 samples before the first real sample.
    std::vector<float> buffer;
    std::size_t buffer_start = 0;  // padded index of buffer[0]
    std::size_t real_samples = 0;
    std::size_t next_frame = 0;
    bool finished = false;

    // Per-frame raw values, post-processed in finish().
    std::vector<float> mel_power;      // frames x n_mels
    std::vector<float> peak, valley;   // frames x (bands + 1), magnitudes
    AudioFrames out;

    explicit Impl(SpectralConfig c)
        : cfg(c), fft(c.n_fft), window(hann_window(c.n_fft)), bins(c.n_fft / 2 + 1) {
        if (cfg.hop == 0 || cfg.hop > cfg.n_fft) throw Error(ErrorCode::InvalidArgument, "hop must be in 1..n_fft");
        if (cfg.n_mfcc == 0 || cfg.n_mfcc > cfg.n_mels)
            throw Error(ErrorCode::InvalidArgument, "n_mfcc must be in 1..n_mels");
        if (cfg.threads < 1) cfg.threads = 1;
        mel = mel_filterbank(cfg.sample_rate, cfg.n_fft, cfg.n_mels);
        chroma = chroma_filterbank(cfg.sample_rate, cfg.n_fft, cfg.tuning, 12);
        dct = dct_ortho_matrix(cfg.n_mfcc, cfg.n_mels);
        freqs = fft_frequencies(cfg.sample_rate, cfg.n_fft);
        for (double fr : freqs) freqs2.push_back(fr * fr);
        make_bands();
        buffer.assign(cfg.n_fft / 2, 0.0f);
        out.frame_period = static_cast<double>(cfg.hop) / cfg.sample_rate;
        out.n_mfcc = cfg.n_mfcc;
        out.n_contrast = cfg.contrast_bands + 1;
    }

    // librosa.feature.spectral_contrast's band layout (see its source): octave bands
    // [fmin 2^(k-1), fmin 2^k] plus the bin just below each (k > 0), minus the top bin (k < n),
    // the last band running to Nyquist.
    void make_bands() {
        const std::size_t n = cfg.contrast_bands;
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
            bands.push_back(band);
        }
    }

    // Frame f: padded samples [f*hop, f*hop + n_fft) at `p`.
    void compute_frame(std::size_t f, const float* p, std::size_t real_end, Scratch& s) {
        const std::size_t n = cfg.n_fft;
        s.windowed.resize(n);
        s.re.resize(bins);
        s.im.resize(bins);
        s.power.resize(bins);
        s.mag.resize(bins);
        double energy = 0;
        for (std::size_t t = 0; t < n; ++t) {
            s.windowed[t] = p[t] * window[t];
            energy += static_cast<double>(p[t]) * p[t];
        }
        fft.forward(s.windowed.data(), s.re.data(), s.im.data(), s.fft);
        double mag_sum = 0, weighted = 0, weighted2 = 0, log_sum = 0, pow_sum = 0, product = 1.0;
        for (std::size_t k = 0; k < bins; ++k) {
            const float pw = s.re[k] * s.re[k] + s.im[k] * s.im[k];
            s.power[k] = pw;
            const float mag = std::sqrt(pw);
            s.mag[k] = mag;
            mag_sum += mag;
            weighted += freqs[k] * mag;
            weighted2 += freqs2[k] * mag;
            const double pt = std::max(kAmin, static_cast<double>(pw));
            pow_sum += pt;
            // log of products of 8 thresholded powers (1e-10 .. ~1e7 each: no under/overflow in
            // double), 8x fewer log calls than summing logs.
            product *= pt;
            if ((k & 7) == 7) {
                log_sum += std::log(product);
                product = 1.0;
            }
        }
        log_sum += std::log(product);
        out.rms[f] = static_cast<float>(std::sqrt(energy / static_cast<double>(n)));
        const double norm = mag_sum < kTinyF32 ? 1.0 : mag_sum;
        const double centroid = weighted / norm;
        // sum p_k (f_k - c)^2 = E[f^2] - c^2 with p = mag / norm (double: the cancellation costs
        // ~3 of 16 digits).
        const double spread = std::max(0.0, weighted2 / norm - 2 * centroid * centroid + centroid * centroid * (mag_sum / norm));
        out.centroid[f] = static_cast<float>(centroid);
        out.bandwidth[f] = static_cast<float>(std::sqrt(spread));
        out.flatness[f] = static_cast<float>(std::exp(log_sum / static_cast<double>(bins)) / (pow_sum / static_cast<double>(bins)));

        // Zero crossings between consecutive real samples inside the frame (edge padding never
        // crosses). librosa zeroes |x| <= 1e-10 and counts 0 as positive: negative = x < -1e-10.
        const std::size_t start = f * cfg.hop, lo = n / 2;
        const std::size_t t_lo = std::max<std::size_t>(1, lo + 1 > start ? lo + 1 - start : 0);
        const std::size_t t_hi = std::min(n, real_end > start ? real_end - start : 0);
        int crossings = 0;
        if (t_lo < t_hi) {
            int prev = p[t_lo - 1] < -1e-10f;
            for (std::size_t t = t_lo; t < t_hi; ++t) {
                const int cur = p[t] < -1e-10f;
                crossings += cur ^ prev;
                prev = cur;
            }
        }
        out.zcr[f] = static_cast<float>(crossings) / static_cast<float>(n);

        float* melrow = mel_power.data() + f * cfg.n_mels;
        for (std::size_t m = 0; m < cfg.n_mels; ++m) {
            const float* w = mel.weights.data() + m * bins;
            melrow[m] = dot(w, s.power.data(), mel.first[m], mel.last[m]);
        }
        float* chromarow = out.chroma.data() + f * 12;
        float cmax = 0;
        for (std::size_t c = 0; c < 12; ++c) {
            const float* w = chroma.weights.data() + c * bins;
            chromarow[c] = dot(w, s.power.data(), chroma.first[c], chroma.last[c]);
            cmax = std::max(cmax, std::abs(chromarow[c]));
        }
        if (cmax >= kTinyF32)
            for (std::size_t c = 0; c < 12; ++c) chromarow[c] /= cmax;

        const std::size_t nb = bands.size();
        for (std::size_t b = 0; b < nb; ++b) {
            const Band& band = bands[b];
            const std::size_t q = std::min(band.take, band.end - band.begin);
            extremes(s.mag.data() + band.begin, band.end - band.begin, q, s.low, s.high);
            double low = 0, high = 0;
            for (std::size_t i = 0; i < q; ++i) {
                low += s.low[i];
                high += s.high[i];
            }
            valley[f * nb + b] = static_cast<float>(low / static_cast<double>(q));
            peak[f * nb + b] = static_cast<float>(high / static_cast<double>(q));
        }
    }

    void grow(std::size_t frames) {
        mel_power.resize(frames * cfg.n_mels);
        peak.resize(frames * bands.size());
        valley.resize(frames * bands.size());
        out.chroma.resize(frames * 12);
        for (auto* v : {&out.rms, &out.centroid, &out.bandwidth, &out.flatness, &out.zcr}) v->resize(frames);
    }

    // Computes frames [next_frame, end_frame) from the buffer, split over threads.
    void run_frames(std::size_t end_frame, std::size_t real_end) {
        if (end_frame <= next_frame) return;
        grow(end_frame);
        const std::size_t count = end_frame - next_frame;
        const std::size_t threads = std::min<std::size_t>(static_cast<std::size_t>(cfg.threads), (count + 63) / 64);
        auto work = [&](std::size_t a, std::size_t b) {
            Scratch s;
            for (std::size_t f = a; f < b; ++f)
                compute_frame(f, buffer.data() + (f * cfg.hop - buffer_start), real_end, s);
        };
        if (threads <= 1) {
            work(next_frame, end_frame);
        } else {
            std::vector<std::thread> pool;
            const std::size_t per = (count + threads - 1) / threads;
            for (std::size_t t = 1; t < threads; ++t) {
                const std::size_t a = next_frame + t * per, b = std::min(end_frame, a + per);
                if (a < b) pool.emplace_back(work, a, b);
            }
            work(next_frame, std::min(end_frame, next_frame + per));
            for (auto& th : pool) th.join();
        }
        next_frame = end_frame;
        const std::size_t drop = next_frame * cfg.hop - buffer_start;
        buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(drop));
        buffer_start += drop;
    }

    void push(const float* samples, std::size_t count) {
        if (finished) throw Error(ErrorCode::InvalidArgument, "SpectralAnalyzer::push after finish");
        buffer.insert(buffer.end(), samples, samples + count);
        real_samples += count;
        const std::size_t available = buffer_start + buffer.size();
        if (available < cfg.n_fft) return;
        const std::size_t ready = (available - cfg.n_fft) / cfg.hop + 1;  // frames whose end fits
        if (ready >= next_frame + kBatchFrames) run_frames(ready, std::numeric_limits<std::size_t>::max());
    }

    AudioFrames finish() {
        if (finished) throw Error(ErrorCode::InvalidArgument, "SpectralAnalyzer::finish called twice");
        finished = true;
        if (real_samples == 0) return std::move(out);
        buffer.insert(buffer.end(), cfg.n_fft / 2, 0.0f);
        const std::size_t frames = 1 + real_samples / cfg.hop;
        run_frames(frames, cfg.n_fft / 2 + real_samples);
        out.frames = frames;
        post_process();
        return std::move(out);
    }

    static void to_db(std::vector<float>& values, double top_db) {
        double max_db = -std::numeric_limits<double>::infinity();
        for (float& v : values) {
            v = static_cast<float>(10.0 * std::log10(std::max(kAmin, static_cast<double>(v))));
            max_db = std::max(max_db, static_cast<double>(v));
        }
        const float floor_db = static_cast<float>(max_db - top_db);
        for (float& v : values) v = std::max(v, floor_db);
    }

    void post_process() {
        const std::size_t n = out.frames, nm = cfg.n_mels;
        to_db(mel_power, cfg.top_db);  // now log-mel, as librosa.power_to_db(melspectrogram)
        out.mfcc.assign(n * cfg.n_mfcc, 0.0f);
        for (std::size_t f = 0; f < n; ++f) {
            const float* row = mel_power.data() + f * nm;
            for (std::size_t k = 0; k < cfg.n_mfcc; ++k) {
                const double* d = dct.data() + k * nm;
                double acc = 0;
                for (std::size_t m = 0; m < nm; ++m) acc += d[m] * row[m];
                out.mfcc[f * cfg.n_mfcc + k] = static_cast<float>(acc);
            }
        }
        // Onset strength: frame t = mean over bands of max(0, logmel[t-s] - logmel[t-s-1]),
        // s = n_fft / (2 hop) (centering compensation); the first s + 1 frames are 0.
        const std::size_t shift = cfg.n_fft / (2 * cfg.hop);
        out.onset.assign(n, 0.0f);
        for (std::size_t t = shift + 1; t < n; ++t) {
            const float* cur = mel_power.data() + (t - shift) * nm;
            const float* prev = cur - nm;
            double acc = 0;
            for (std::size_t m = 0; m < nm; ++m) acc += std::max(0.0f, cur[m] - prev[m]);
            out.onset[t] = static_cast<float>(acc / static_cast<double>(nm));
        }
        to_db(peak, cfg.top_db);
        to_db(valley, cfg.top_db);
        out.contrast.resize(peak.size());
        for (std::size_t i = 0; i < peak.size(); ++i) out.contrast[i] = peak[i] - valley[i];
        std::vector<float>().swap(mel_power);
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
