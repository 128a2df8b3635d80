#include "vidseg/intro/season_structure.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace vidseg::intro {

namespace {

using timeline::Interval;

double overlap(const Interval& x, const Interval& y) {
    return std::max(0.0, std::min(x.end, y.end) - std::max(x.start, y.start));
}

bool mostly_overlap(const Interval& x, const Interval& y) {
    return overlap(x, y) >= std::min(x.length(), y.length()) / 2;
}

constexpr int kSoundAndPictures = 3;

}  // namespace

std::vector<std::optional<Interval>> sound_and_picture_intros(const SeasonRuns& season, std::size_t min_support) {
    struct Seen {
        Interval interval;
        std::size_t partner;
    };
    std::vector<std::vector<Seen>> per_episode(season.episodes);
    for (std::size_t k = 0; k < season.pairs.size() && k < season.runs.size(); ++k) {
        const auto [i, j] = season.pairs[k];
        for (const auto& r : season.runs[k]) {
            if (r.evidence != kSoundAndPictures) continue;
            per_episode[i].push_back({r.a, j});
            per_episode[j].push_back({r.b, i});
        }
    }
    std::vector<std::optional<Interval>> out(season.episodes);
    for (std::size_t e = 0; e < season.episodes; ++e) {
        std::size_t best = 0;
        for (const auto& seed : per_episode[e]) {
            std::set<std::size_t> partners;
            Interval span = seed.interval;
            for (const auto& c : per_episode[e]) {
                if (!mostly_overlap(seed.interval, c.interval)) continue;
                partners.insert(c.partner);
                span = {std::min(span.start, c.interval.start), std::max(span.end, c.interval.end)};
            }
            if (partners.size() > best) {
                best = partners.size();
                out[e] = span;
            }
        }
        if (best < std::max<std::size_t>(1, min_support)) out[e].reset();
    }
    return out;
}

bool pictures_are_evidence(const std::vector<std::optional<Interval>>& av_intros) {
    return std::count_if(av_intros.begin(), av_intros.end(), [](const auto& x) { return x.has_value(); }) >= 2;
}

bool demoted_by_pictures(const PairRun& run, std::size_t i, std::size_t j,
                         const std::vector<std::optional<Interval>>& av_intros, bool pictures_count) {
    if (!run.pictures_differ || !pictures_count) return false;
    // Where both episodes' sound-and-pictures intro is, the run is that intro (its pictures differ in
    // this pair only, e.g. one episode's title card): not a competing recurrence.
    const bool at_intro_a = av_intros[i] && overlap(run.a, *av_intros[i]) > 0;
    const bool at_intro_b = av_intros[j] && overlap(run.b, *av_intros[j]) > 0;
    return !(at_intro_a && at_intro_b);
}

std::vector<bool> repeats_within_episode(const std::vector<EpisodeCandidateView>& candidates) {
    std::vector<bool> repeat(candidates.size(), false);
    for (std::size_t x = 0; x < candidates.size(); ++x) {
        const auto& c = candidates[x];
        const Interval in_partner{c.interval.start - c.offset, c.interval.end - c.offset};
        for (std::size_t y = 0; y < candidates.size(); ++y) {
            const auto& longer = candidates[y];
            if (y == x || longer.partner != c.partner) continue;
            if (longer.interval.length() <= c.interval.length()) continue;
            // Another place of this episode (not the same run found twice at neighbouring offsets).
            if (overlap(longer.interval, c.interval) > 0) continue;
            const Interval longer_in_partner{longer.interval.start - longer.offset, longer.interval.end - longer.offset};
            if (overlap(in_partner, longer_in_partner) >= c.interval.length() / 2) repeat[x] = true;
        }
    }
    return repeat;
}

double sound_and_picture_length(const std::vector<std::optional<Interval>>& av_intros) {
    std::vector<double> lengths;
    for (const auto& x : av_intros)
        if (x) lengths.push_back(x->length());
    if (lengths.empty()) return 0;
    std::sort(lengths.begin(), lengths.end());
    const std::size_t n = lengths.size();
    return n % 2 ? lengths[n / 2] : (lengths[n / 2 - 1] + lengths[n / 2]) / 2;
}

bool too_short_for_season(double length, double consensus_length, bool pictures_agree) {
    return !pictures_agree && consensus_length > 0 && length < kMinShareOfConsensus * consensus_length;
}

bool scene_shared_by_intros(const PairRun& run, std::size_t i, std::size_t j,
                            const std::vector<std::optional<Interval>>& av_intros) {
    if (run.evidence == kSoundAndPictures || i >= av_intros.size() || j >= av_intros.size()) return false;
    const auto& x = av_intros[i];
    const auto& y = av_intros[j];
    if (!x || !y) return false;
    constexpr double kTolerance = 0.5;  // seconds: fingerprint resolution at the edges
    auto inside = [&](const Interval& r, const Interval& intro) {
        return r.start >= intro.start - kTolerance && r.end <= intro.end + kTolerance;
    };
    if (!inside(run.a, *x) || !inside(run.b, *y)) return false;
    // The pair's own alignment of the two intros (same offset as their starts): that is the intro itself.
    const double intro_offset = x->start - y->start;
    return std::abs(run.offset - intro_offset) > 1.0;
}

bool position_consistent(const Interval& candidate, const std::vector<std::optional<Interval>>& intros) {
    std::vector<double> starts, lengths;
    for (const auto& x : intros)
        if (x) {
            starts.push_back(x->start);
            lengths.push_back(x->length());
        }
    if (starts.size() < 2) return false;
    std::sort(lengths.begin(), lengths.end());
    const std::size_t n = lengths.size();
    const double typical = n % 2 ? lengths[n / 2] : (lengths[n / 2 - 1] + lengths[n / 2]) / 2;
    const auto [lo, hi] = std::minmax_element(starts.begin(), starts.end());
    return candidate.start >= *lo - typical && candidate.start <= *hi + typical;
}

std::vector<bool> two_episode_variants(const std::vector<std::optional<SinglePartnerCandidate>>& single,
                                       const std::vector<std::optional<Interval>>& intros) {
    const std::size_t n = single.size();
    std::vector<bool> out(n, false);
    if (intros.size() != n) return out;
    auto eligible = [&](std::size_t e) {
        return single[e] && !intros[e] && single[e]->evidence == kSoundAndPictures &&
               single[e]->partner < n && position_consistent(single[e]->interval, intros);
    };
    for (std::size_t e = 0; e < n; ++e) {
        if (!eligible(e)) continue;
        const std::size_t p = single[e]->partner;
        const bool neighbours = p + 1 == e || e + 1 == p;
        if (neighbours && eligible(p) && single[p]->partner == e) out[e] = true;
    }
    return out;
}

}  // namespace vidseg::intro
