#include "vidseg/intro/boundary_cues.hpp"

#include <algorithm>
#include <cmath>
#include <atomic>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "vidseg/core/error.hpp"
#include "vidseg/intro/visual_fingerprint.hpp"
#include "vidseg/media/audio_reader.hpp"
#include "vidseg/media/frame_reader.hpp"
#include "vidseg/vision/scene_cut_detector.hpp"

namespace vidseg::intro {

using timeline::Interval;

const char* boundary_cue_name(BoundaryCue cue) noexcept {
    switch (cue) {
        case BoundaryCue::ShotCut: return "shot_cut";
        case BoundaryCue::BlackFrame: return "black_frame";
        case BoundaryCue::Silence: return "silence";
        case BoundaryCue::None: break;
    }
    return "none";
}

std::optional<BoundaryCue> parse_boundary_cue(const std::string& name) noexcept {
    for (auto c : {BoundaryCue::None, BoundaryCue::ShotCut, BoundaryCue::BlackFrame, BoundaryCue::Silence})
        if (name == boundary_cue_name(c)) return c;
    return std::nullopt;
}

namespace {

constexpr double kRate = kFingerprintSampleRate;
// Two pictures whose hashes differ in at most this many of 64 bits are the same picture (as in
// boundary_refiner.cpp); a frame is compared with the partner's frames within kMatchSlack seconds of
// where the offset puts it (fingerprint offsets are known to ~0.25 s).
constexpr int kSameHash = 10;
constexpr double kMatchSlack = 0.5;
// Frames tested on each side of a cue.
constexpr std::size_t kSideFrames = 3;
// Seconds of sound on each side of a silence gap that are compared with the partner.
constexpr double kSoundSpan = 0.3;

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

bool black(const CueFrame& f, const CueOptions& o) { return f.luma <= o.black_luma && f.spread <= o.black_spread; }

// A frame whose picture can be compared: not black, not flat (a flat picture hashes to 0).
bool informative(const CueFrame& f, const CueOptions& o) { return f.hash != 0 && !black(f, o); }

// Whether the partner shows frame f's picture where the offset puts it: true / false, nullopt when
// its window does not reach there.
std::optional<bool> shown_by(const CueFrame& f, const CuePartner& p, const CueOptions& o) {
    const double at = f.time - p.offset;
    const auto& w = *p.window;
    if (w.frames.empty() || at - 0.3 < w.frames.front().time || at + 0.3 > w.frames.back().time) return std::nullopt;
    for (const auto& g : w.frames)
        if (std::abs(g.time - at) <= kMatchSlack && informative(g, o) && hash_distance(f.hash, g.hash) <= kSameHash)
            return true;
    return false;
}

// The informative frames nearest a cue on one side: before = the last ones before `at` from
// `reach` - span on, after = the first ones at or after `at` up to `reach` + span (reach: the other
// edge of a black run the cue borders, so the frames compared are the pictures beyond it).
std::vector<const CueFrame*> side_frames(const CueWindow& w, double at, bool before, double reach, double span,
                                         const CueOptions& o) {
    std::vector<const CueFrame*> out;
    if (before) {
        for (auto it = w.frames.rbegin(); it != w.frames.rend() && out.size() < kSideFrames; ++it)
            if (it->time < at - 1e-6 && it->time >= std::min(at, reach) - span && informative(*it, o)) out.push_back(&*it);
    } else {
        for (const auto& f : w.frames) {
            if (out.size() >= kSideFrames) break;
            if (f.time >= at - 1e-6 && f.time <= std::max(at, reach) + span && informative(f, o)) out.push_back(&f);
        }
    }
    return out;
}

// Pictures agree with a boundary at `cue` (is_start: the intro begins there) for one partner:
// +1 agree, -1 disagree, 0 cannot tell. The intro's side must mostly match, the other side not at all.
int pictures_agree(const CueWindow& own, double cue, const Interval& black_run, bool is_start, const CuePartner& p,
                   const CueOptions& o) {
    const auto before = side_frames(own, cue, true, black_run.start, o.match_span, o);
    const auto after = side_frames(own, cue, false, black_run.end, o.match_span, o);
    auto count = [&](const std::vector<const CueFrame*>& frames, int& known, int& matched) {
        known = matched = 0;
        for (const auto* f : frames)
            if (auto m = shown_by(*f, p, o)) ++known, matched += *m;
    };
    int kb, mb, ka, ma;
    count(before, kb, mb);
    count(after, ka, ma);
    const int k_in = is_start ? ka : kb, m_in = is_start ? ma : mb;
    const int k_out = is_start ? kb : ka, m_out = is_start ? mb : ma;
    if (k_in == 0 || k_out == 0) return 0;
    return (2 * m_in > k_in && m_out == 0) ? 1 : -1;
}

// Whether the partner shows a black frame within kMatchSlack of `at` (its time).
bool shows_black(double at, const CuePartner& p, const CueOptions& o) {
    return std::any_of(p.window->frames.begin(), p.window->frames.end(), [&](const CueFrame& g) {
        return std::abs(g.time - at) <= kMatchSlack && black(g, o);
    });
}

// Normalized correlation of a[ia, ia+len) with b around ib (lags +-max_lag, step 2); 0 when silent.
double best_correlation(const std::vector<float>& a, long ia, const std::vector<float>& b, long ib, long len,
                        long max_lag) {
    if (ia < 0 || len <= 0 || ia + len > long(a.size())) return 0;
    double aa = 0;
    for (long k = 0; k < len; k += 2) aa += double(a[std::size_t(ia + k)]) * a[std::size_t(ia + k)];
    if (aa < 1e-6 * double(len / 2)) return 0;
    double best = 0;
    for (long lag = -max_lag; lag <= max_lag; lag += 2) {
        const long j = ib + lag;
        if (j < 0 || j + len > long(b.size())) continue;
        double ab = 0, bb = 0;
        for (long k = 0; k < len; k += 2) {
            const double x = a[std::size_t(ia + k)], y = b[std::size_t(j + k)];
            ab += x * y, bb += y * y;
        }
        if (bb < 1e-6 * double(len / 2)) continue;
        best = std::max(best, ab / std::sqrt(aa * bb));
    }
    return best;
}

// Whether the partner sounds like [t, t + span) of own at the offset; nullopt when either lacks it.
std::optional<bool> sound_shared(const CueWindow& own, double t, const CuePartner& p) {
    const auto& w = *p.window;
    if (own.audio.empty() || w.audio.empty()) return std::nullopt;
    const long len = std::lround(kSoundSpan * kRate), max_lag = std::lround(0.15 * kRate);
    const long ia = std::lround((t - own.from) * kRate), ib = std::lround((t - p.offset - w.from) * kRate);
    if (ia < 0 || ia + len > long(own.audio.size()) || ib - max_lag < 0 || ib + len + max_lag > long(w.audio.size()))
        return std::nullopt;
    return best_correlation(own.audio, ia, w.audio, ib, len, max_lag) >= 0.5;
}

}  // namespace

std::vector<double> find_shot_cuts(const std::vector<media::Image>& frames, double threshold) {
    vision::SceneCutDetector detector({.threshold = threshold, .min_scene_seconds = 0});
    for (const auto& f : frames) detector.process(f);
    detector.flush();
    return detector.cuts();
}

CueFrame cue_frame(const media::Image& image) {
    CueFrame f{image.time, perceptual_hash(image), 0, 0};
    if (image.empty()) return f;
    const int ch = image.channels();
    double sum = 0, sum2 = 0;
    for (int y = 0; y < image.height; ++y) {
        const uint8_t* row = image.row(y);
        for (int x = 0; x < image.width; ++x) {
            const uint8_t* p = row + x * ch;
            const double v = ch == 1 ? p[0] : 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
            sum += v, sum2 += v * v;
        }
    }
    const double n = double(image.width) * image.height;
    f.luma = sum / n;
    f.spread = std::sqrt(std::max(0.0, sum2 / n - f.luma * f.luma));
    return f;
}

std::vector<Interval> find_black_runs(const std::vector<CueFrame>& frames, double max_luma, double max_spread) {
    std::vector<Interval> out;
    std::vector<double> steps;
    for (std::size_t i = 1; i < frames.size(); ++i) steps.push_back(frames[i].time - frames[i - 1].time);
    const double period = steps.empty() ? 0.04 : median(steps);
    double begin = 0;
    bool in_run = false;
    for (const auto& f : frames) {
        const bool dark = f.luma <= max_luma && f.spread <= max_spread;
        if (dark && !in_run) begin = f.time, in_run = true;
        if (!dark && in_run) {
            out.push_back({begin, f.time});
            in_run = false;
        }
    }
    if (in_run) out.push_back({begin, frames.back().time + period});
    return out;
}

std::vector<Interval> find_silences(const std::vector<float>& samples, int rate, double start, double threshold_db,
                                    double min_length) {
    std::vector<Interval> out;
    if (rate <= 0) return out;
    // RMS over 20 ms windows every 5 ms (a gap's edges to 5 ms: the sound's onset, not a 20-ms grid).
    const std::size_t len = std::size_t(std::max(1, rate / 50)), hop = std::size_t(std::max(1, rate / 200));
    const double floor = std::pow(10.0, threshold_db / 20);
    double begin = 0;
    bool in_gap = false;
    auto close = [&](double end) {
        if (in_gap && end - begin >= min_length - 1e-9) out.push_back({begin, end});
        in_gap = false;
    };
    // A window is silent when its RMS is below the floor. A gap starts where its first silent window
    // starts (the window before it still had sound) and ends where the new sound entered the first
    // sounding window (past the previous, silent one): both to within one hop.
    for (std::size_t i = 0; i + len <= samples.size(); i += hop) {
        double e = 0;
        for (std::size_t k = i; k < i + len; ++k) e += double(samples[k]) * samples[k];
        if (std::sqrt(e / double(len)) < floor) {
            if (!in_gap) begin = start + double(i) / rate, in_gap = true;
        } else {
            close(start + double(i + len - hop) / rate);
        }
    }
    close(start + double(samples.size()) / rate);
    return out;
}

CueWindow decode_cue_window(const std::string& path, double from, double to, const CueOptions& options) {
    CueWindow w;
    w.from = std::max(0.0, from);
    w.to = to;
    try {
        media::FrameReader reader(path, {.max_width = 64, .layout = media::PixelLayout::Gray8, .workers = 1});
        if (reader.duration() > 0 && w.to >= reader.duration()) w.to = reader.duration(), w.at_end = true;
        std::vector<media::Image> images = reader.read_span(w.from, w.to);
        images.erase(std::remove_if(images.begin(), images.end(), [](const media::Image& x) { return x.empty(); }),
                     images.end());
        for (const auto& image : images) w.frames.push_back(cue_frame(image));
        w.cuts = find_shot_cuts(images, options.cut_threshold);
        w.black = find_black_runs(w.frames, options.black_luma, options.black_spread);
    } catch (const Error& e) {
        if (e.code() == ErrorCode::Interrupted) throw;
        w.frames.clear(), w.cuts.clear(), w.black.clear();
    }
    try {
        w.audio = media::read_audio(path, {.sample_rate = kFingerprintSampleRate, .channels = 1}, w.from, w.to);
        w.silences = find_silences(w.audio, kFingerprintSampleRate, w.from, options.silence_db, options.min_silence);
    } catch (const Error& e) {
        if (e.code() == ErrorCode::Interrupted) throw;
        w.audio.clear(), w.silences.clear();
    }
    return w;
}

CueSnap snap_boundary(const CueWindow& own, double boundary, bool is_start, const std::vector<CuePartner>& partners,
                      const CueOptions& options) {
    CueSnap result{boundary, BoundaryCue::None};
    std::vector<CuePartner> seeing, hearing;
    for (const auto& p : partners) {
        if (!p.window) continue;
        if (!p.window->frames.empty()) seeing.push_back(p);
        if (!p.window->audio.empty()) hearing.push_back(p);
    }
    // 1. Pictures: cuts and the edges of black runs where the pictures stop (begin) matching.
    if (!own.frames.empty() && !seeing.empty()) {
        struct Candidate {
            double time;
            Interval run;  // the black run the cue borders ([time, time] for a plain cut)
            BoundaryCue cue;
            std::optional<double> black_inside;  // the middle of a black run on the intro's side of the cue
        };
        std::vector<Candidate> candidates;
        const double first = own.frames.front().time, last = own.frames.back().time;
        for (const auto& run : own.black) {
            const double mid = (run.start + run.end) / 2;
            if (run.start > first + 1e-6)
                candidates.push_back({run.start, run, BoundaryCue::BlackFrame,
                                      is_start ? std::optional<double>(mid) : std::nullopt});
            if (run.end <= last + 1e-6)
                candidates.push_back({run.end, run, BoundaryCue::BlackFrame,
                                      is_start ? std::nullopt : std::optional<double>(mid)});
        }
        for (double c : own.cuts) {
            const bool black_edge = std::any_of(candidates.begin(), candidates.end(),
                                                [&](const Candidate& x) { return std::abs(x.time - c) < 1e-6; });
            if (!black_edge) candidates.push_back({c, {c, c}, BoundaryCue::ShotCut, std::nullopt});
        }
        std::sort(candidates.begin(), candidates.end(), [&](const Candidate& x, const Candidate& y) {
            return std::abs(x.time - boundary) < std::abs(y.time - boundary);
        });
        auto agrees = [&](const Candidate& c) {
            int agree = 0, disagree = 0;
            for (const auto& p : seeing) {
                int v = pictures_agree(own, c.time, c.run, is_start, p, options);
                // Black frames counted into the intro (a fade from / to black) are black in the partner too.
                if (v > 0 && c.black_inside && !shows_black(*c.black_inside - p.offset, p, options)) v = -1;
                agree += v > 0, disagree += v < 0;
            }
            return agree > 0 && agree > disagree;
        };
        for (const auto& c : candidates) {
            if (std::abs(c.time - boundary) > options.tolerance + 1e-9) break;
            if (!agrees(c)) continue;
            const Candidate* chosen = &c;
            // Both edges of a black run agree: the black recurs in the partners (checked for the inner
            // edge), so it is part of the intro — a fade from / to black belongs to it.
            if (c.cue == BoundaryCue::BlackFrame && !c.black_inside)
                for (const auto& other : candidates)
                    if (other.black_inside && other.run.start == c.run.start &&
                        std::abs(other.time - boundary) <= options.tolerance + 1e-9 && agrees(other))
                        chosen = &other;
            // The pictures change between the frame before the cue and the cue's frame: an aligned time
            // already in there agrees (a frame-rate conversion can put the label anywhere in it) and
            // stays; otherwise the boundary moves to the cue's frame, where the change shows on screen.
            double previous = chosen->time - 0.04;
            for (const auto& f : own.frames)
                if (f.time < chosen->time - 1e-6) previous = f.time;
            const bool within = boundary > previous + 1e-6 && boundary <= chosen->time + 1e-6;
            result = {within ? boundary : chosen->time, chosen->cue};
            return result;
        }
        return result;  // the pictures had their say: no agreeing cue, the alignment stands
    }
    // 2. Sound only (no pictures to compare): a silence gap bordered by shared sound on the intro's side only.
    if (own.audio.empty() || hearing.empty()) return result;
    std::optional<double> best;
    for (const auto& gap : own.silences) {
        const bool open_before = gap.start <= own.from + 1e-6, open_after = gap.end >= own.to - 0.03;
        if (is_start ? open_after : open_before) continue;  // the edge that matters is outside the window
        const double edge = is_start ? gap.end : gap.start;
        const bool near = std::abs(edge - boundary) <= options.tolerance || (boundary >= gap.start && boundary <= gap.end);
        if (!near) continue;
        int agree = 0, disagree = 0;
        for (const auto& p : hearing) {
            const auto in = sound_shared(own, is_start ? gap.end : gap.start - kSoundSpan, p);
            const double out_at = is_start ? gap.start - kSoundSpan : gap.end;
            const auto out = (is_start ? open_before : open_after) ? std::optional<bool>(false) : sound_shared(own, out_at, p);
            if (!in || !out) continue;
            (*in && !*out) ? ++agree : ++disagree;
        }
        if (agree == 0 || agree <= disagree) continue;
        if (!best || std::abs(edge - boundary) < std::abs(*best - boundary)) best = edge;
    }
    if (best) result = {*best, BoundaryCue::Silence};
    return result;
}

void snap_intro_boundaries(const std::vector<std::string>& paths, std::vector<IntroDetection>& detections,
                           Progress* progress, const CueOptions& options) {
    if (paths.size() != detections.size())
        throw Error(ErrorCode::InvalidArgument, "snap_intro_boundaries: one path per detection");
    const double reach = options.tolerance + options.match_span;  // own frames a decision looks at
    const double half = reach + 0.1;                               // decoded on each side of a boundary
    auto wanted = [](const IntroDetection& d) { return d.intro && d.error.empty(); };
    // Windows of each episode, decoded once and shared by the episode and its partners (a deque
    // keeps references valid while it grows).
    std::vector<std::deque<CueWindow>> windows(detections.size());
    // 1. Each episode's own windows, episodes in parallel: one window over both boundaries of a short intro.
    std::vector<std::pair<std::size_t, Interval>> jobs;
    for (std::size_t e = 0; e < detections.size(); ++e) {
        if (!wanted(detections[e])) continue;
        const Interval in = *detections[e].intro;
        const bool with_start = in.start >= 0.3;
        if (!with_start || in.length() <= 2 * half) {
            jobs.push_back({e, {with_start ? in.start - half : in.end - half, in.end + half}});
        } else {
            jobs.push_back({e, {in.start - half, in.start + half}});
            jobs.push_back({e, {in.end - half, in.end + half}});
        }
    }
    std::vector<CueWindow> decoded(jobs.size());
    {
        std::atomic<std::size_t> next{0};
        std::exception_ptr failure;
        std::mutex mutex;
        auto work = [&] {
            for (std::size_t j; (j = next++) < jobs.size();) {
                try {
                    decoded[j] = decode_cue_window(paths[jobs[j].first], jobs[j].second.start, jobs[j].second.end, options);
                } catch (...) {
                    std::lock_guard lock(mutex);
                    if (!failure) failure = std::current_exception();
                    next = jobs.size();
                }
            }
        };
        const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
        const std::size_t workers = std::min<std::size_t>(jobs.size(), options.threads > 0 ? unsigned(options.threads) : hw);
        std::vector<std::thread> pool;
        for (std::size_t w = 1; w < workers; ++w) pool.emplace_back(work);
        work();
        for (auto& t : pool) t.join();
        if (failure) std::rethrow_exception(failure);
    }
    for (std::size_t j = 0; j < jobs.size(); ++j) windows[jobs[j].first].push_back(std::move(decoded[j]));
    auto window = [&](std::size_t e, double a, double b, double centre) -> const CueWindow& {
        for (const auto& w : windows[e])
            if (w.from <= std::max(0.0, a) + 1e-6 && (w.to >= b - 1e-6 || (w.at_end && w.to >= centre))) return w;
        windows[e].push_back(decode_cue_window(paths[e], centre - half, centre + half, options));
        return windows[e].back();
    };
    // 2. Snapping, with the partners' windows (their own ones where they reach, else decoded here).
    if (progress) progress->begin("Snapping boundaries to cues", double(detections.size()));
    for (std::size_t e = 0; e < detections.size(); ++e) {
        if (progress) progress->update(double(e));
        auto& d = detections[e];
        if (!wanted(d)) continue;
        const Interval aligned = *d.intro;
        d.aligned = aligned;
        for (const bool is_start : {true, false}) {
            const double b = is_start ? aligned.start : aligned.end;
            if (is_start && b < 0.3) continue;  // an intro at the very start of the file has nothing before it
            const CueWindow& own = window(e, b - reach, b + reach, b);
            std::vector<CuePartner> partners;
            for (const auto& m : d.matches) {
                if (partners.size() >= 3) break;
                if (m.partner >= detections.size() || m.partner == e || !detections[m.partner].error.empty()) continue;
                const double at = b - m.offset;
                if (at < 0) continue;
                partners.push_back({&window(m.partner, at - options.tolerance, at + options.tolerance, at), m.offset});
            }
            const auto snap = snap_boundary(own, b, is_start, partners, options);
            (is_start ? d.intro->start : d.intro->end) = snap.time;
            (is_start ? d.start_cue : d.end_cue) = snap.cue;
        }
        if (d.intro->length() <= 0) {
            d.intro = aligned;
            d.start_cue = d.end_cue = BoundaryCue::None;
        }
    }
    if (progress) progress->end();
}

}  // namespace vidseg::intro
