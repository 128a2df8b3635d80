#include "vidseg/intro/picture_references.hpp"

#include <algorithm>
#include <map>

namespace vidseg::intro {

using timeline::Interval;

std::vector<std::size_t> picture_pass_episodes(const std::vector<IntroDetection>& audio_pass,
                                               const std::vector<std::vector<Interval>>& windows) {
    std::vector<std::size_t> all(audio_pass.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    if (windows.size() != audio_pass.size()) return all;
    bool any_doubtful = false;
    for (std::size_t i = 0; i < audio_pass.size(); ++i) {
        if (!audio_pass[i].recurring_audio.empty()) return all;
        if (audio_pass[i].error.empty() && windows[i].empty()) any_doubtful = true;
    }
    if (!any_doubtful) return all;
    std::map<int, std::vector<std::size_t>> confident;  // by variant, in season order
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < audio_pass.size(); ++i)
        (windows[i].empty() ? out : confident[audio_pass[i].variant]).push_back(i);
    for (const auto& [variant, members] : confident) {
        const std::size_t m = members.size();
        if (m <= kPictureReferences) {
            out.insert(out.end(), members.begin(), members.end());
            continue;
        }
        // Evenly spread: the first, the last and the ones between (an intro may drift over a season).
        for (std::size_t j = 0; j < kPictureReferences; ++j)
            out.push_back(members[j * (m - 1) / (kPictureReferences - 1)]);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

SeriesDetection merge_picture_pass(SeriesDetection audio, const std::vector<std::size_t>& members,
                                   SeriesDetection fused, const std::vector<std::vector<Interval>>& windows) {
    auto full_index = [&](std::size_t k) { return k < members.size() ? members[k] : k; };
    for (auto& d : audio.detections)
        if (d.error.empty()) d.no_video = false;  // pictures not looked at, not known to be missing
    for (std::size_t k = 0; k < members.size(); ++k) {
        const std::size_t i = members[k];
        if (i >= audio.detections.size() || k >= fused.detections.size()) continue;
        if (i < windows.size() && !windows[i].empty()) continue;  // confident: the audio pass's detection
        auto d = std::move(fused.detections[k]);
        for (auto& m : d.matches) m.partner = full_index(m.partner);
        for (auto& r : d.recurring_audio)
            for (auto& p : r.partners) p = full_index(p);
        audio.detections[i] = std::move(d);
        audio.reasons[i] = fused.reasons[k];
        if (k < fused.episodes.size()) audio.episodes[i] = std::move(fused.episodes[k]);
        // Its fused series, through a confident reference, in the season's series.
        const int fs = fused.series_of[k];
        if (fs < 0) continue;
        int target = -1;
        for (std::size_t r : fused.series[std::size_t(fs)]) {
            const std::size_t j = full_index(r);
            if (j < windows.size() && !windows[j].empty() && audio.series_of[j] >= 0) {
                target = audio.series_of[j];
                break;
            }
        }
        if (target < 0 || audio.series_of[i] >= 0) continue;  // already in a series: kept there
        auto& to = audio.series[std::size_t(target)];
        to.insert(std::upper_bound(to.begin(), to.end(), i), i);
        audio.series_of[i] = target;
    }
    return audio;
}

}  // namespace vidseg::intro
