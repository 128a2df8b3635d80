#include "vidseg/intro/structural_ends.hpp"

#include <algorithm>

#include "vidseg/intro/intro_consensus.hpp"
#include "vidseg/intro/recurring_audio.hpp"

namespace vidseg::intro {

namespace {

using timeline::Interval;

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// beyond(x): the partner's boundary lies more than kMaxEndExtension beyond this episode's.
template <typename Beyond>
std::optional<double> from_structure(const std::vector<PartnerBoundary>& partners, Beyond beyond) {
    std::vector<double> agreeing;
    std::size_t further = 0;
    for (const auto& p : partners) {
        if (!beyond(p.mapped)) continue;
        ++further;
        if (p.pictures_agree) agreeing.push_back(p.mapped);
    }
    const std::size_t needed = partners.size() == 1 ? 1 : 2;
    if (further * 2 <= partners.size() || further < needed || agreeing.size() != further) return std::nullopt;
    return median(agreeing);
}

}  // namespace

bool pictures_go_on(double gap_share, double inside_share) {
    if (gap_share < 0) return false;
    if (inside_share <= 0) return gap_share >= 0.5;
    return gap_share >= kClearlyDiffer && gap_share >= 0.5 * inside_share;
}

std::optional<double> end_from_structure(double own_end, const std::vector<PartnerBoundary>& partners) {
    return from_structure(partners, [&](double x) { return x > own_end + kMaxEndExtension; });
}

std::optional<double> start_from_structure(double own_start, const std::vector<PartnerBoundary>& partners) {
    return from_structure(partners, [&](double x) { return x < own_start - kMaxEndExtension; });
}

void extend_intros_by_structure(const std::vector<EpisodeFingerprints>& fingerprints,
                                std::vector<IntroDetection>& detections) {
    const std::size_t n = std::min(fingerprints.size(), detections.size());
    std::vector<std::optional<Interval>> before(n);
    for (std::size_t e = 0; e < n; ++e) before[e] = detections[e].intro;
    for (std::size_t e = 0; e < n; ++e) {
        if (!before[e] || !fingerprints[e].has_video) continue;
        const Interval own = *before[e];
        std::vector<PartnerBoundary> ends, starts;
        for (const auto& m : detections[e].matches) {
            if (m.partner >= n || !before[m.partner] || !fingerprints[m.partner].has_video) continue;
            const auto& a = fingerprints[e].visual;
            const auto& b = fingerprints[m.partner].visual;
            const double end = before[m.partner]->end + m.offset, start = before[m.partner]->start + m.offset;
            // Their pictures as they agree inside the intro, at the match's (sampled) offset.
            const double inside = picture_agreement(a, b, own, m.offset, 12, 2);
            auto go_on = [&](const Interval& gap) {
                return gap.length() > 0 &&
                       pictures_go_on(picture_agreement(a, b, gap, m.offset, 12, 2), inside);
            };
            ends.push_back({end, go_on(Interval{own.end, end})});
            starts.push_back({start, go_on(Interval{std::max(0.0, start), own.start})});
        }
        Interval changed = own;
        if (const auto end = end_from_structure(own.end, ends)) changed.end = *end;
        if (const auto start = start_from_structure(own.start, starts)) changed.start = std::max(0.0, *start);
        detections[e].intro = changed;
    }
}

}  // namespace vidseg::intro
