#include "vidseg/intro/boundary_refiner.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "vidseg/core/error.hpp"
#include "vidseg/intro/boundary_cues.hpp"
#include "vidseg/intro/episode_fingerprints.hpp"
#include "vidseg/intro/intro_consensus.hpp"
#include "vidseg/intro/lag_search.hpp"
#include "vidseg/intro/refinement_audio.hpp"
#include "vidseg/media/audio_reader.hpp"
#include "vidseg/media/frame_reader.hpp"

namespace vidseg::intro {

namespace {

using timeline::Interval;

constexpr double kRate = kFingerprintSampleRate;

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::vector<float> decimate4(const std::vector<float>& x) {
    std::vector<float> out(x.size() / 4);
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = (x[4 * i] + x[4 * i + 1] + x[4 * i + 2] + x[4 * i + 3]) * 0.25f;
    return out;
}

}  // namespace

std::vector<FrameHash> frame_hashes(const std::string& path, double from, double to) {
    media::FrameReader reader(path, {.max_width = 64, .layout = media::PixelLayout::Gray8, .workers = 1});
    std::vector<FrameHash> out;
    for (const auto& image : reader.read_span(std::max(0.0, from), std::min(to, reader.duration())))
        out.push_back({image.time, perceptual_hash(image)});
    return out;
}

namespace {

// Whether frame f of a shows a picture that b shows near (f.time - offset).
bool matches_near(const FrameHash& f, const std::vector<FrameHash>& b, double offset, double tolerance) {
    if (f.hash == 0) return false;
    for (const auto& g : b)
        if (std::abs(g.time - (f.time - offset)) <= tolerance && g.hash != 0 && hash_distance(f.hash, g.hash) <= 10)
            return true;
    return false;
}

}  // namespace

std::optional<double> refine_visual_boundary(const std::string& a_path, const std::string& b_path, double boundary,
                                             bool is_start, double offset, double search) {
    const auto a = frame_hashes(a_path, boundary - search, boundary + search);
    const auto b = frame_hashes(b_path, boundary - offset - search - 0.5, boundary - offset + search + 0.5);
    return refine_visual_boundary(a, b, boundary, is_start, offset);
}

std::optional<double> refine_visual_boundary(const std::vector<FrameHash>& a, const std::vector<FrameHash>& b,
                                             double boundary, bool is_start, double offset) {
    if (a.size() < 3 || b.empty()) return std::nullopt;
    std::vector<bool> m(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) m[i] = matches_near(a[i], b, offset, 0.5);
    // The boundary is where a lasting match (3 frames) begins (start) or ends (end), nearest to
    // the coarse boundary.
    std::optional<double> best;
    for (std::size_t i = 0; i + 2 < a.size() + (is_start ? 0 : 2); ++i) {
        if (is_start) {
            if (!(m[i] && m[i + 1] && m[i + 2]) || (i > 0 && m[i - 1])) continue;
            if (i == 0) continue;  // the match began before the window: nothing learnt
            const double t = a[i].time;
            if (!best || std::abs(t - boundary) < std::abs(*best - boundary)) best = t;
        } else {
            if (i < 2 || !(m[i] && m[i - 1] && m[i - 2]) || i + 1 >= a.size() || m[i + 1]) continue;
            const double t = a[i + 1].time;  // the first frame no longer shared
            if (!best || std::abs(t - boundary) < std::abs(*best - boundary)) best = t;
        }
    }
    return best;
}

AudioBoundaryEstimate refine_with_samples(const std::vector<float>& a, double a_start, const std::vector<float>& b,
                                          double b_start, const Interval& coarse, double offset,
                                          const RefineOptions& options) {
    AudioBoundaryEstimate est;
    est.offset = offset;
    // 1. The exact offset, from the middle of the intro: decimated by 4 over +-0.4 s, then +-6 samples.
    const double mid = (coarse.start + coarse.end) / 2;
    const double ref_len = std::clamp(coarse.length() * 0.6, 0.3, 3.0);
    const long ia = std::lround((mid - ref_len / 2 - a_start) * kRate);
    const long len = std::lround(ref_len * kRate);
    const long ib0 = std::lround((mid - ref_len / 2 - offset - b_start) * kRate);
    const auto a4 = decimate4(a), b4 = decimate4(b);
    const long max_lag4 = std::lround(0.4 * kRate / 4);
    // By FFT: the same lag as the direct search over every lag (lag_search.hpp), at a fraction of the cost.
    const long coarse_lag = best_lag_fft(a4, ia / 4, b4, ib0 / 4, len / 4, max_lag4).lag * 4;
    // The decimated score is not comparable with full-rate ones.
    const LagScore fine = best_lag_direct(a, ia, b, ib0 + coarse_lag, len, 6);
    const long best_lag = coarse_lag + fine.lag;
    if (fine.score < 0.3) return est;
    est.offset = offset - double(best_lag) / kRate;

    // 2. Similarity per short window along a, at the refined offset (+-2 samples for resampling jitter).
    const long w = std::max(16L, std::lround(options.window * kRate));
    const double t0 = coarse.start - options.search, t1 = coarse.end + options.search;
    std::vector<double> times, sim;
    for (double t = t0; t <= t1; t += options.hop) {
        const long i = std::lround((t - a_start) * kRate), j = std::lround((t - est.offset - b_start) * kRate);
        double s = 0;
        for (long d = -2; d <= 2; ++d) s = std::max(s, correlation(a, i, b, j + d, w));
        times.push_back(t + options.window / 2);  // the window's centre
        sim.push_back(s);
    }
    const std::size_t m = sim.size();
    if (m < 8) return est;
    std::vector<double> smooth(m);
    for (std::size_t k = 0; k < m; ++k) {
        const std::size_t lo = k ? k - 1 : 0, hi = std::min(m - 1, k + 1);
        double s = 0;
        for (std::size_t q = lo; q <= hi; ++q) s += sim[q];
        smooth[k] = s / double(hi - lo + 1);
    }
    std::vector<double> inside;
    for (std::size_t k = 0; k < m; ++k)
        if (times[k] > coarse.start + 0.3 && times[k] < coarse.end - 0.3) inside.push_back(smooth[k]);
    if (inside.size() < 5) return est;
    est.level = median(inside);
    if (est.level < 0.4) return est;
    const double thr = est.level * 0.5;
    const long quiet = std::max(3L, std::lround(0.1 / options.hop));  // disagreement must last 0.1 s
    auto index_at = [&](double t) {
        return std::size_t(std::clamp(std::lround((t - options.window / 2 - t0) / options.hop), 0L, long(m) - 1));
    };
    // Start: walk back from inside the intro to the first lasting disagreement.
    {
        long k = long(index_at(coarse.start + std::min(1.0, coarse.length() / 3)));
        while (k >= 0 && smooth[std::size_t(k)] >= thr) --k;
        // k is the last disagreeing window; require it to last.
        bool lasting = true;
        for (long q = k; q > k - quiet && q >= 0; --q)
            if (smooth[std::size_t(q)] >= thr) lasting = false;
        if (k >= 0 && lasting) {
            // Interpolate the crossing between k and k + 1.
            const double s0 = smooth[std::size_t(k)], s1 = smooth[std::size_t(k + 1)];
            const double f = s1 > s0 ? (thr - s0) / (s1 - s0) : 0.5;
            est.start = times[std::size_t(k)] + f * options.hop;
            est.start_found = true;
        }
    }
    {
        long k = long(index_at(coarse.end - std::min(1.0, coarse.length() / 3)));
        while (k < long(m) && smooth[std::size_t(k)] >= thr) ++k;
        bool lasting = k < long(m);
        for (long q = k; q < k + quiet && q < long(m); ++q)
            if (smooth[std::size_t(q)] >= thr) lasting = false;
        if (lasting && k > 0) {
            const double s0 = smooth[std::size_t(k - 1)], s1 = smooth[std::size_t(k)];
            const double f = s0 > s1 ? (s0 - thr) / (s0 - s1) : 0.5;
            est.end = times[std::size_t(k - 1)] + f * options.hop;
            est.end_found = true;
        }
    }
    return est;
}

void refine_intro_boundaries(const std::vector<std::string>& paths, const std::vector<EpisodeFingerprints>& fingerprints,
                             std::vector<IntroDetection>& detections, const IntroDetectOptions& detect_options,
                             Progress* progress, const RefineOptions& options, std::vector<char>* used_pictures) {
    if (paths.size() != detections.size() || fingerprints.size() != detections.size())
        throw Error(ErrorCode::InvalidArgument, "refine_intro_boundaries: one path and fingerprint per detection");
    if (used_pictures) used_pictures->assign(detections.size(), 0);
    const media::AudioFormat format{.sample_rate = kFingerprintSampleRate, .channels = 1};
    if (progress) progress->begin("Refining boundaries", double(detections.size()));
    // Episodes are refined in parallel (each reads its own and its partners' audio around the
    // boundaries, and writes only its own detection): the same result on any thread count.
    std::atomic<std::size_t> next{0};
    std::mutex mutex;
    std::exception_ptr failure;
    std::size_t done = 0;
    const double margin = options.search + 0.5;
    // The partners whose audio an episode's intro is compared with: the first max_partners with
    // audio, those that confirmed it by sound first.
    auto audio_partners = [&](const IntroDetection& d) {
        std::vector<IntroMatch> partners = d.matches;
        std::stable_sort(partners.begin(), partners.end(),
                         [](const IntroMatch& x, const IntroMatch& y) { return (x.evidence & 1) > (y.evidence & 1); });
        std::vector<IntroMatch> out;
        for (const auto& p : partners) {
            if (int(out.size()) >= options.max_partners) break;
            if (p.partner < paths.size() && fingerprints[p.partner].has_audio) out.push_back(p);
        }
        return out;
    };
    // Each episode's audio around its intro is decoded once, for its own refinement and its partners'
    // (a partner's span lies around the partner's own intro; 1 s more on each side covers the
    // partners' small disagreements about where it is).
    std::vector<std::optional<Interval>> windows(detections.size());
    std::vector<int> users(detections.size(), 0);
    for (std::size_t e = 0; e < detections.size(); ++e) {
        const auto& d = detections[e];
        if (!d.intro || !fingerprints[e].has_audio) continue;
        windows[e] = Interval{std::max(0.0, d.intro->start - margin - 1.0), d.intro->end + margin + 1.0};
        ++users[e];
        for (const auto& p : audio_partners(d)) ++users[p.partner];
    }
    SharedAudioWindows audio(paths, windows, users, format);
    auto refine_one = [&](std::size_t e) {
        auto& d = detections[e];
        if (!d.intro) return;
        const Interval coarse = *d.intro;
        double a_start = std::max(0.0, coarse.start - margin);
        std::vector<float> a;
        if (fingerprints[e].has_audio) try {
                a = audio.read(e, a_start, coarse.end + margin, a_start);
            } catch (const Error&) {
            }
        std::vector<double> starts, ends;
        const auto partners = fingerprints[e].has_audio ? audio_partners(d) : std::vector<IntroMatch>{};
        for (const auto& p : partners) {
            if (a.empty()) break;
            double b_start = std::max(0.0, a_start - p.offset - 0.5);
            std::vector<float> b;
            try {
                b = audio.read(p.partner, b_start, coarse.end + margin - p.offset + 0.5, b_start);
            } catch (const Error&) {
                continue;
            }
            const auto est = refine_with_samples(a, a_start, b, b_start, coarse, p.offset, options);
            if (est.start_found) starts.push_back(est.start);
            if (est.end_found) ends.push_back(est.end);
        }
        if (fingerprints[e].has_audio) audio.release(e);
        for (const auto& p : partners) audio.release(p.partner);
        // Where the sound cannot tell (silence, no audio, speech over the edge), the frames can.
        if (starts.empty() || ends.empty()) {
            // The outcome now depends on which partners show pictures (each episode writes only its flag).
            if (used_pictures) (*used_pictures)[e] = 1;
            int vused = 0;
            for (const auto& p : d.matches) {
                if (vused >= options.max_partners) break;
                if (!(p.evidence & 2) || !fingerprints[e].has_video || !fingerprints[p.partner].has_video) continue;
                ++vused;
                try {
                    if (starts.empty() && coarse.start >= 0.3)
                        if (auto t = refine_visual_boundary(paths[e], paths[p.partner], coarse.start, true, p.offset, 0.6))
                            starts.push_back(*t);
                    if (ends.empty())
                        if (auto t = refine_visual_boundary(paths[e], paths[p.partner], coarse.end, false, p.offset, 0.6))
                            ends.push_back(*t);
                } catch (const Error&) {
                }
            }
        }
        // An intro at the very start of the file has nothing before it to disagree with.
        if (!starts.empty()) d.intro->start = std::max(0.0, median(starts));
        else if (coarse.start < 0.3) d.intro->start = 0;
        if (!ends.empty()) d.intro->end = consensus_end(ends);
        // The sound stopped agreeing before the coarse end while the pictures go on (an end card over a
        // sting of each episode's own): the pictures' end stands, for two partners at least.
        if (d.intro->end < coarse.end - 0.5 && fingerprints[e].has_video) {
            int continuing = 0;
            for (const auto& p : d.matches)
                if ((p.evidence & 2) && fingerprints[p.partner].has_video &&
                    pictures_continue(fingerprints[e].visual, fingerprints[p.partner].visual,
                                      Interval{d.intro->end, coarse.end}, p.offset))
                    ++continuing;
            if (continuing >= 2) d.intro->end = coarse.end;
        }
        if (d.intro->length() <= 0) d.intro = coarse;
    };
    auto worker = [&] {
        for (;;) {
            const std::size_t e = next++;
            if (e >= detections.size()) return;
            try {
                refine_one(e);
            } catch (...) {
                std::lock_guard lock(mutex);
                if (!failure) failure = std::current_exception();
                next = detections.size();
                return;
            }
            std::lock_guard lock(mutex);
            if (progress) progress->update(double(++done));
        }
    };
    const std::size_t workers = std::min(detections.size(), std::size_t(resolve_threads(detect_options.threads)));
    std::vector<std::thread> pool;
    for (std::size_t w = 1; w < workers; ++w) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    if (progress) progress->end();
    if (failure) std::rethrow_exception(failure);
    // Then the editing marks (shot cuts, black frames, silence) where they agree with the alignment.
    if (detect_options.cues) {
        CueOptions cue_options;
        cue_options.threads = detect_options.threads;
        snap_intro_boundaries(paths, detections, progress, cue_options);
    }
}

}  // namespace vidseg::intro
