#include "vidseg/intro/recurring_audio.hpp"

#include <algorithm>
#include <cmath>

#include "vidseg/core/json_numbers.hpp"

namespace vidseg::intro {

double picture_agreement(const VisualFingerprint& a, const VisualFingerprint& b, const timeline::Interval& in_a,
                         double offset, int max_distance, int min_slots) {
    if (a.hashes.empty() || b.hashes.empty() || !(a.period > 0) || !(b.period > 0)) return -1;
    const double p = a.period;
    const long first = std::max(0L, long(std::ceil(in_a.start / p)));
    const long last = std::min(long(a.hashes.size()), long(std::ceil(in_a.end / p))) - 1;  // [start, end)
    const long shift = std::lround(offset / p);
    double best = -1;
    for (long d = shift - 1; d <= shift + 1; ++d) {
        int agree = 0, total = 0;
        for (long i = first; i <= last; ++i) {
            const long j = i - d;
            if (j < 0 || j >= long(b.hashes.size())) continue;
            const uint64_t ha = a.hashes[std::size_t(i)], hb = b.hashes[std::size_t(j)];
            if (ha == 0 || hb == 0) continue;  // flat (black, fades, plain colour): tells nothing
            ++total;
            agree += hash_distance(ha, hb) <= max_distance;
        }
        if (total >= min_slots) best = std::max(best, double(agree) / total);
    }
    return best;
}

bool pictures_clearly_differ(const VisualFingerprint& a, const VisualFingerprint& b, const timeline::Interval& in_a,
                             double offset) {
    const double agree = picture_agreement(a, b, in_a, offset);
    return agree >= 0 && agree < 0.2;
}

void add_recurring_audio(std::vector<RecurringAudio>& list, const timeline::Interval& interval, std::size_t partner,
                         bool pictures_differ) {
    for (auto& r : list) {
        if (r.pictures_differ != pictures_differ) continue;
        if (std::min(r.interval.end, interval.end) <= std::max(r.interval.start, interval.start)) continue;
        r.interval = {std::min(r.interval.start, interval.start), std::max(r.interval.end, interval.end)};
        if (std::find(r.partners.begin(), r.partners.end(), partner) == r.partners.end()) {
            r.partners.push_back(partner);
            std::sort(r.partners.begin(), r.partners.end());
        }
        return;
    }
    list.push_back({interval, {partner}, pictures_differ});
    std::sort(list.begin(), list.end(),
              [](const RecurringAudio& x, const RecurringAudio& y) { return x.interval.start < y.interval.start; });
}

std::vector<RecurringAudio> outside_intro(const std::vector<RecurringAudio>& list, const timeline::Interval* intro) {
    std::vector<RecurringAudio> out;
    for (const auto& r : list)
        if (!intro || std::min(r.interval.end, intro->end) <= std::max(r.interval.start, intro->start))
            out.push_back(r);
    return out;
}

nlohmann::json recurring_audio_json(const std::vector<RecurringAudio>& list) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : list)
        out.push_back(nlohmann::json::array({r.interval.start, r.interval.end, r.pictures_differ, r.partners}));
    return out;
}

std::vector<RecurringAudio> recurring_audio_from(const nlohmann::json& doc) {
    std::vector<RecurringAudio> out;
    for (const auto& j : doc.get_ref<const nlohmann::json::array_t&>()) {
        RecurringAudio r;
        r.interval = {j.at(0).get<double>(), j.at(1).get<double>()};
        r.pictures_differ = j.at(2).get<bool>();
        for (const auto& partner : j.at(3).get_ref<const nlohmann::json::array_t&>())
            r.partners.push_back(json_integer<std::size_t>(partner, "a recurring audio partner"));  // no float cast
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace vidseg::intro
