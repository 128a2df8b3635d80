#include "vidseg/intro/refinement_memo.hpp"

#include <sstream>

#include "vidseg/intro/structural_ends.hpp"

namespace vidseg::intro {

std::optional<RefinedIntro> RefinementMemo::find(const std::string& key) const {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    ++reused_;
    return it->second;
}

void RefinementMemo::store(const std::string& key, const RefinedIntro& refined) {
    std::lock_guard lock(mutex_);
    entries_[key] = refined;
}

std::size_t RefinementMemo::reused() const {
    std::lock_guard lock(mutex_);
    return reused_;
}

namespace {

// The inputs of detection e's refinement (see the header); with_pictures adds what the frame
// comparison reads.
std::string refinement_key(const std::vector<std::string>& paths, const std::vector<EpisodeFingerprints>& fps,
                           const std::vector<IntroDetection>& detections, std::size_t e, bool with_pictures) {
    const auto& d = detections[e];
    std::ostringstream s;
    s.precision(17);
    s << (with_pictures ? "pictures|" : "sound|") << paths[e] << '|' << d.intro->start << ',' << d.intro->end << '|'
      << fps[e].has_audio;
    if (with_pictures) s << fps[e].has_video;
    for (const auto& m : d.matches) {
        s << '|';
        if (m.partner >= paths.size()) {
            s << '?';
            continue;
        }
        s << paths[m.partner] << ',' << m.offset << ',' << (m.evidence & 1) << ',' << fps[m.partner].has_audio << ','
          << detections[m.partner].error.empty();
        if (with_pictures) s << ',' << (m.evidence & 2) << ',' << fps[m.partner].has_video;
    }
    return s.str();
}

}  // namespace

void refine_intro_boundaries_memo(const std::vector<std::string>& paths,
                                  const std::vector<EpisodeFingerprints>& fingerprints,
                                  std::vector<IntroDetection>& detections, const IntroDetectOptions& options,
                                  Progress* progress, RefinementMemo* memo) {
    if (!memo || paths.size() != detections.size() || fingerprints.size() != detections.size()) {
        refine_intro_boundaries(paths, fingerprints, detections, options, progress);
        extend_intros_by_structure(fingerprints, detections);
        return;
    }
    const std::size_t n = detections.size();
    std::vector<std::string> sound_key(n), picture_key(n);
    std::vector<std::optional<RefinedIntro>> known(n);
    for (std::size_t e = 0; e < n; ++e) {
        if (!detections[e].intro) continue;
        sound_key[e] = refinement_key(paths, fingerprints, detections, e, false);
        picture_key[e] = refinement_key(paths, fingerprints, detections, e, true);
        known[e] = memo->find(sound_key[e]);
        if (!known[e]) known[e] = memo->find(picture_key[e]);
    }
    // The known ones are left out of this refinement (an episode without an intro is skipped by it;
    // the others still read their partners' files, never their detections' intros).
    std::vector<std::optional<timeline::Interval>> coarse(n);
    for (std::size_t e = 0; e < n; ++e) {
        coarse[e] = detections[e].intro;
        if (known[e]) detections[e].intro.reset();
    }
    std::vector<char> used_pictures;
    refine_intro_boundaries(paths, fingerprints, detections, options, progress, {}, &used_pictures);
    for (std::size_t e = 0; e < n; ++e) {
        auto& d = detections[e];
        if (known[e]) {
            d.intro = known[e]->intro;
            d.aligned = known[e]->aligned;
            d.start_cue = known[e]->start_cue;
            d.end_cue = known[e]->end_cue;
        } else if (d.intro) {
            const RefinedIntro refined{d.intro, d.aligned, d.start_cue, d.end_cue};
            // An end the sound placed before the coarse end may be extended by pictures that go on
            // (boundary_refiner: the intro's last second of each episode's own): what a pass without
            // this episode's pictures made of it holds only for a pass without them.
            const bool pictures_could_extend = coarse[e] && d.intro->end < coarse[e]->end - 0.5;
            const bool by_pictures = (e < used_pictures.size() && used_pictures[e]) || pictures_could_extend;
            memo->store(by_pictures ? picture_key[e] : sound_key[e], refined);
        }
    }
    // After every episode is refined (or restored): the structure reads the partners' final intros.
    extend_intros_by_structure(fingerprints, detections);
}

}  // namespace vidseg::intro
