#include "vidseg/eval/intro_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace vidseg::eval {

using timeline::Interval;

namespace {
double ratio(double num, double den) noexcept { return den > 0 ? num / den : 0.0; }

// First and one-past-last second k with start <= k + 0.5 < end.
std::pair<long long, long long> frame_range(const Interval& i) noexcept {
    const auto first = static_cast<long long>(std::ceil(i.start - 0.5));
    const auto last = static_cast<long long>(std::ceil(i.end - 0.5));
    return {std::max(0LL, first), std::max(0LL, last)};
}

long long count(std::pair<long long, long long> r) noexcept { return std::max(0LL, r.second - r.first); }
}  // namespace

double BinaryCounts::precision() const noexcept { return ratio(double(tp), double(tp + fp)); }
double BinaryCounts::recall() const noexcept { return ratio(double(tp), double(tp + fn)); }
double BinaryCounts::f1() const noexcept {
    const double p = precision(), r = recall();
    return ratio(2 * p * r, p + r);
}
double BinaryCounts::accuracy() const noexcept { return ratio(double(tp + tn), double(tp + fp + fn + tn)); }

BinaryCounts frame_counts(const std::optional<Interval>& label, const std::optional<Interval>& pred) noexcept {
    BinaryCounts c;
    const auto l = label ? frame_range(*label) : std::pair<long long, long long>{0, 0};
    const auto p = pred ? frame_range(*pred) : std::pair<long long, long long>{0, 0};
    const long long inter = count({std::max(l.first, p.first), std::min(l.second, p.second)});
    c.tp = inter;
    c.fn = count(l) - inter;
    c.fp = count(p) - inter;
    return c;
}

IntroMetrics evaluate_intro(const std::vector<intro::IntroLabel>& labels,
                            const std::vector<intro::IntroLabel>& predictions) {
    IntroMetrics m;
    // Pass 1: exact ids. Pass 2: labels still unmatched take an unused prediction with the same
    // match_key (directory and extension stripped); the first such prediction in file order wins.
    std::unordered_map<std::string, std::size_t> by_id;
    std::unordered_multimap<std::string, std::size_t> by_key;
    for (std::size_t i = 0; i < predictions.size(); ++i) {
        by_id.emplace(predictions[i].id, i);  // first wins on duplicates
        by_key.emplace(intro::match_key(predictions[i].id), i);
    }
    std::vector<bool> used(predictions.size(), false);
    std::vector<std::optional<std::size_t>> match(labels.size());
    for (std::size_t l = 0; l < labels.size(); ++l)
        if (auto it = by_id.find(labels[l].id); it != by_id.end() && !used[it->second]) {
            match[l] = it->second;
            used[it->second] = true;
        }
    for (std::size_t l = 0; l < labels.size(); ++l) {
        if (match[l]) continue;
        std::optional<std::size_t> best;
        const auto [lo, hi] = by_key.equal_range(intro::match_key(labels[l].id));
        for (auto it = lo; it != hi; ++it)
            if (!used[it->second] && (!best || it->second < *best)) best = it->second;
        if (best) {
            match[l] = best;
            used[*best] = true;
        }
    }

    double iou_sum = 0, iou_with_intro_sum = 0, start_sum = 0, end_sum = 0;
    long long hits_05 = 0, hits_1 = 0;
    const double eps = 1e-9;  // tolerance comparisons on values like 5.5 - 5.0
    for (const auto& label : labels) {
        IntroEpisodeResult row;
        row.id = label.id;
        row.label = label.intro;
        const auto& found = match[static_cast<std::size_t>(&label - labels.data())];
        if (!found) {
            row.pred_missing = true;
            m.missing_ids.push_back(label.id);
        } else {
            const auto& p = predictions[*found];
            used[*found] = true;
            row.pred_id = p.id;
            row.pred = p.intro;
            ++m.matched;
        }

        const bool has_l = row.label.has_value(), has_p = row.pred.has_value();
        if (has_l && has_p) {
            row.iou = timeline::iou(*row.label, *row.pred);
            row.start_error = std::abs(row.pred->start - row.label->start);
            row.end_error = std::abs(row.pred->end - row.label->end);
            start_sum += *row.start_error;
            end_sum += *row.end_error;
            ++m.both_with_intro;
            hits_05 += (*row.start_error <= 0.5 + eps) + (*row.end_error <= 0.5 + eps);
            hits_1 += (*row.start_error <= 1.0 + eps) + (*row.end_error <= 1.0 + eps);
        } else {
            row.iou = (!has_l && !has_p) ? 1.0 : 0.0;
        }
        iou_sum += row.iou;
        if (has_l) {
            ++m.with_intro;
            iou_with_intro_sum += row.iou;
        }
        if (has_l && has_p) ++m.presence.tp;
        else if (!has_l && has_p) ++m.presence.fp;
        else if (has_l && !has_p) ++m.presence.fn;
        else ++m.presence.tn;

        const auto f = frame_counts(row.label, row.pred);
        row.frame_tp = f.tp;
        row.frame_fp = f.fp;
        row.frame_fn = f.fn;
        m.frames.tp += f.tp;
        m.frames.fp += f.fp;
        m.frames.fn += f.fn;
        m.rows.push_back(std::move(row));
    }
    for (std::size_t i = 0; i < predictions.size(); ++i)
        if (!used[i]) m.extra_ids.push_back(predictions[i].id);

    m.episodes = labels.size();
    m.mean_iou = ratio(iou_sum, double(m.episodes));
    m.mean_iou_with_intro = ratio(iou_with_intro_sum, double(m.with_intro));
    if (m.both_with_intro > 0) {
        m.start_mae = start_sum / double(m.both_with_intro);
        m.end_mae = end_sum / double(m.both_with_intro);
        m.boundary_mae = (start_sum + end_sum) / (2.0 * double(m.both_with_intro));
    }
    if (m.with_intro > 0) {
        m.within_0_5s = double(hits_05) / (2.0 * double(m.with_intro));
        m.within_1s = double(hits_1) / (2.0 * double(m.with_intro));
    }
    return m;
}

std::vector<intro::IntroLabel> constant_predictions(const std::vector<intro::IntroLabel>& labels,
                                                    Interval interval) {
    std::vector<intro::IntroLabel> out;
    out.reserve(labels.size());
    for (const auto& l : labels) {
        intro::IntroLabel p;
        p.id = l.id;
        if (interval.end > interval.start) p.intro = interval;
        out.push_back(std::move(p));
    }
    return out;
}

namespace {
nlohmann::json opt(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }
nlohmann::json interval_json(const std::optional<Interval>& i) {
    return i ? nlohmann::json::array({i->start, i->end}) : nlohmann::json::array();
}
nlohmann::json counts_json(const BinaryCounts& c, bool with_tn) {
    nlohmann::json j = {{"tp", c.tp}, {"fp", c.fp}, {"fn", c.fn}};
    if (with_tn) {
        j["tn"] = c.tn;
        j["accuracy"] = c.accuracy();
    }
    j["precision"] = c.precision();
    j["recall"] = c.recall();
    j["f1"] = c.f1();
    return j;
}
}  // namespace

nlohmann::json to_json(const IntroMetrics& m, bool per_episode) {
    nlohmann::json j = {
        {"episodes", m.episodes},
        {"with_intro", m.with_intro},
        {"without_intro", m.episodes - m.with_intro},
        {"matched", m.matched},
        {"both_with_intro", m.both_with_intro},
        {"mean_iou", m.mean_iou},
        {"mean_iou_with_intro", m.mean_iou_with_intro},
        {"start_mae", opt(m.start_mae)},
        {"end_mae", opt(m.end_mae)},
        {"boundary_mae", opt(m.boundary_mae)},
        {"boundaries_within_0_5s", opt(m.within_0_5s)},
        {"boundaries_within_1s", opt(m.within_1s)},
        {"presence", counts_json(m.presence, true)},
        {"frames_1fps", counts_json(m.frames, false)},
        {"missing_ids", m.missing_ids},
        {"extra_ids", m.extra_ids},
    };
    if (per_episode) {
        auto rows = nlohmann::json::array();
        for (const auto& r : m.rows) {
            rows.push_back({{"id", r.id},
                            {"pred_id", r.pred_id},
                            {"label", interval_json(r.label)},
                            {"pred", interval_json(r.pred)},
                            {"pred_missing", r.pred_missing},
                            {"iou", r.iou},
                            {"start_error", opt(r.start_error)},
                            {"end_error", opt(r.end_error)},
                            {"frame_tp", r.frame_tp},
                            {"frame_fp", r.frame_fp},
                            {"frame_fn", r.frame_fn}});
        }
        j["per_episode"] = rows;
    }
    return j;
}

}  // namespace vidseg::eval
