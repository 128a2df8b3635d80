#include "vidseg/intro/intro_detector.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "vidseg/core/error.hpp"

namespace vidseg::intro {

namespace {

using timeline::Interval;

struct Candidate {
    Interval interval;
    std::size_t partner = 0;
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double overlap(const Interval& x, const Interval& y) {
    return std::max(0.0, std::min(x.end, y.end) - std::max(x.start, y.start));
}

void validate(const IntroDetectOptions& o) {
    if (!(o.max_start > 0)) throw Error(ErrorCode::InvalidArgument, "max_start must be > 0");
    if (!(o.min_length > 0)) throw Error(ErrorCode::InvalidArgument, "min_length must be > 0");
    if (!(o.max_length >= o.min_length))
        throw Error(ErrorCode::InvalidArgument, "max_length must be >= min_length");
}

}  // namespace

std::vector<IntroDetection> detect_intros_from_fingerprints(const std::vector<std::string>& ids,
                                                            const std::vector<AudioFingerprint>& fps,
                                                            const IntroDetectOptions& options,
                                                            Progress* progress) {
    validate(options);
    if (ids.size() != fps.size()) throw Error(ErrorCode::InvalidArgument, "one fingerprint per episode is required");
    const std::size_t n = fps.size();
    std::vector<IntroDetection> result(n);
    for (std::size_t i = 0; i < n; ++i) result[i].episode = ids[i];
    if (n < 2) return result;

    AlignmentOptions align = options.alignment;
    align.min_length = options.min_length;
    std::vector<std::vector<Candidate>> candidates(n);
    const double pairs = double(n * (n - 1) / 2);
    if (progress) progress->begin("Comparing episodes", pairs);
    double done = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            for (const auto& run : align_episodes(fps[i], fps[j], align)) {
                auto keep = [&](const Interval& x) {
                    return x.length() >= options.min_length && x.length() <= options.max_length &&
                           x.start <= options.max_start;
                };
                if (!keep(run.a) || !keep(run.b)) continue;
                candidates[i].push_back({run.a, j});
                candidates[j].push_back({run.b, i});
            }
            if (progress) progress->update(++done);
        }
    if (progress) progress->end();

    for (std::size_t e = 0; e < n; ++e) {
        auto& cands = candidates[e];
        if (cands.empty()) continue;
        std::sort(cands.begin(), cands.end(),
                  [](const Candidate& x, const Candidate& y) { return x.interval.start < y.interval.start; });
        // Group: a candidate joins every group seeded by a candidate it overlaps by >= half the shorter.
        struct Group {
            Interval seed;
            std::map<std::size_t, Interval> best;  // partner -> its longest run in the group
        };
        std::vector<Group> groups;
        for (const auto& seed : cands) {
            Group g{seed.interval, {}};
            for (const auto& c : cands) {
                const double shorter = std::min(seed.interval.length(), c.interval.length());
                if (overlap(seed.interval, c.interval) < shorter / 2) continue;
                auto [it, inserted] = g.best.emplace(c.partner, c.interval);
                if (!inserted && c.interval.length() > it->second.length()) it->second = c.interval;
            }
            groups.push_back(std::move(g));
        }
        const Group* winner = nullptr;
        for (const auto& g : groups)  // candidates are sorted by start: the first of equal support is the earliest
            if (!winner || g.best.size() > winner->best.size()) winner = &g;
        std::vector<double> starts, ends;
        for (const auto& [partner, interval] : winner->best) {
            starts.push_back(interval.start);
            ends.push_back(interval.end);
        }
        Interval intro{std::max(0.0, median(starts)), median(ends)};
        if (intro.length() < options.min_length) continue;
        result[e].intro = intro;
        result[e].confirmations = int(winner->best.size());
        result[e].confidence = double(winner->best.size()) / double(n - 1);
    }
    return result;
}

std::vector<IntroDetection> detect_intros(const std::vector<std::string>& episodes, const IntroDetectOptions& options,
                                          Progress* progress) {
    validate(options);
    if (episodes.size() < 2)
        throw Error(ErrorCode::InvalidArgument,
                    "intro detection needs at least two episodes of a series (got " +
                        std::to_string(episodes.size()) + ")");
    std::vector<IntroDetection> result(episodes.size());
    std::vector<std::string> ids;
    std::vector<AudioFingerprint> fps;
    std::vector<std::size_t> where;
    const double window = options.max_start + options.max_length;
    if (progress) progress->begin("Fingerprinting episodes", double(episodes.size()));
    for (std::size_t i = 0; i < episodes.size(); ++i) {
        result[i].episode = episodes[i];
        try {
            fps.push_back(fingerprint_audio(episodes[i], window));
            ids.push_back(episodes[i]);
            where.push_back(i);
        } catch (const Error& e) {
            if (e.code() == ErrorCode::Interrupted || e.code() == ErrorCode::Internal) throw;
            result[i].error = e.cause().empty() ? e.what() : e.cause();
            result[i].no_audio = e.code() == ErrorCode::InvalidMedia &&
                                 result[i].error.find("no audio stream") != std::string::npos;
        }
        if (progress) progress->update(double(i + 1));
    }
    if (progress) progress->end();
    if (fps.size() < 2) return result;
    auto found = detect_intros_from_fingerprints(ids, fps, options, progress);
    for (std::size_t k = 0; k < found.size(); ++k) {
        found[k].episode = episodes[where[k]];
        result[where[k]] = std::move(found[k]);
    }
    return result;
}

}  // namespace vidseg::intro
