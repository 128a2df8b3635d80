#include "vidseg/intro/similarity_profile.hpp"

#include <algorithm>
#include <cmath>

#include "vidseg/core/error.hpp"

namespace vidseg::intro {

namespace {

// Coverage of one partner: per step, the share of it inside any of the runs (runs do not overlap
// in the episode's own timeline, but clipping keeps a share <= 1 anyway).
class Coverage {
public:
    Coverage(std::size_t steps, double step) : share_(steps, 0.f), step_(step) {}

    void add(const timeline::Interval& run) {
        if (share_.empty() || !(run.end > run.start)) return;
        const auto first = std::size_t(std::max(0.0, std::floor(run.start / step_)));
        for (std::size_t k = first; k < share_.size() && double(k) * step_ < run.end; ++k) {
            const double lo = std::max(run.start, double(k) * step_);
            const double hi = std::min(run.end, double(k + 1) * step_);
            if (hi > lo) share_[k] = std::min(1.f, share_[k] + float((hi - lo) / step_));
        }
    }
    void add_to(std::vector<float>& sum) const {
        for (std::size_t k = 0; k < share_.size(); ++k) sum[k] += share_[k];
    }

private:
    std::vector<float> share_;
    double step_;
};

std::size_t steps_of(double duration, double step) {
    return duration > 0 ? std::size_t(std::ceil(duration / step - 1e-9)) : 0;
}

double analysed_span(const EpisodeFingerprints& e) {
    return std::max(e.has_audio ? e.audio.duration : 0.0, e.has_video ? e.visual.duration : 0.0);
}

// Whether a run between a and b covers (nearly) all of either file: not intro evidence.
bool whole_file(const AlignedRun& run, const EpisodeFingerprints& a, const EpisodeFingerprints& b, double share) {
    return run.a.length() >= share * analysed_span(a) || run.b.length() >= share * analysed_span(b);
}

void check(const SimilarityProfileOptions& options) {
    if (!(options.step > 0) || !std::isfinite(options.step))
        throw Error(ErrorCode::InvalidArgument, "similarity profile step must be > 0 seconds");
}

SimilarityProfile empty_profile(const EpisodeFingerprints& e, double step) {
    SimilarityProfile p;
    p.step = step;
    if (e.has_audio) p.audio.assign(steps_of(e.audio.duration, step), 0.f);
    if (e.has_video) p.visual.assign(steps_of(e.visual.duration, step), 0.f);
    return p;
}

void normalise(std::vector<float>& values, int partners) {
    if (partners > 0)
        for (auto& v : values) v /= float(partners);
}

// One aligned pair (a, b) of one modality: its runs, whole-file ones dropped, added to a's sum and,
// when given, to b's (the season form aligns each pair once for both episodes).
template <class Runs>
void add_pair(const Runs& runs, const EpisodeFingerprints& a, const EpisodeFingerprints& b,
              const SimilarityProfileOptions& options, std::vector<float>& sum_a, int& partners_a,
              std::vector<float>* sum_b = nullptr, int* partners_b = nullptr) {
    Coverage ca(sum_a.size(), options.step), cb(sum_b ? sum_b->size() : 0, options.step);
    for (const auto& run : runs) {
        if (whole_file(run, a, b, options.max_share)) continue;
        ca.add(run.a);
        cb.add(run.b);
    }
    ca.add_to(sum_a);
    ++partners_a;
    if (sum_b) {
        cb.add_to(*sum_b);
        ++*partners_b;
    }
}

}  // namespace

SimilarityProfile similarity_profile(const EpisodeFingerprints& episode,
                                     const std::vector<const EpisodeFingerprints*>& others,
                                     const SimilarityProfileOptions& options) {
    check(options);
    auto profile = empty_profile(episode, options.step);
    for (const auto* other : others) {
        if (!other) continue;
        if (episode.has_audio && other->has_audio)
            add_pair(align_episodes(episode.audio, other->audio, options.audio), episode, *other, options, profile.audio,
                     profile.audio_partners);
        if (episode.has_video && other->has_video)
            add_pair(align_visual(episode.visual, other->visual, options.visual), episode, *other, options,
                     profile.visual, profile.visual_partners);
    }
    normalise(profile.audio, profile.audio_partners);
    normalise(profile.visual, profile.visual_partners);
    return profile;
}

std::vector<SimilarityProfile> similarity_profiles(const std::vector<EpisodeFingerprints>& season,
                                                   const SimilarityProfileOptions& options, Progress* progress) {
    check(options);
    std::vector<SimilarityProfile> profiles;
    for (const auto& e : season) profiles.push_back(empty_profile(e, options.step));
    const std::size_t n = season.size();
    if (progress) progress->begin("Similarity profiles", double(n * (n - (n > 0 ? 1 : 0)) / 2));
    double done = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            const auto &a = season[i], &b = season[j];
            if (a.has_audio && b.has_audio)
                add_pair(align_episodes(a.audio, b.audio, options.audio), a, b, options, profiles[i].audio,
                         profiles[i].audio_partners, &profiles[j].audio, &profiles[j].audio_partners);
            if (a.has_video && b.has_video)
                add_pair(align_visual(a.visual, b.visual, options.visual), a, b, options, profiles[i].visual,
                         profiles[i].visual_partners, &profiles[j].visual, &profiles[j].visual_partners);
            if (progress) progress->update(++done);
        }
    if (progress) progress->end();
    for (auto& p : profiles) {
        normalise(p.audio, p.audio_partners);
        normalise(p.visual, p.visual_partners);
    }
    return profiles;
}

float profile_value(const std::vector<float>& values, double step, double start, double length) {
    if (values.empty() || !(length > 0) || !(step > 0)) return 0.f;
    double sum = 0;
    const auto first = std::size_t(std::max(0.0, std::floor(start / step)));
    for (std::size_t k = first; k < values.size() && double(k) * step < start + length; ++k) {
        const double lo = std::max(start, double(k) * step);
        const double hi = std::min(start + length, double(k + 1) * step);
        if (hi > lo) sum += double(values[k]) * (hi - lo);
    }
    return float(sum / length);
}

}  // namespace vidseg::intro
