#include "vidseg/eval/pattern_metrics.hpp"

#include <algorithm>
#include <set>

#include "vidseg/core/error.hpp"

namespace vidseg::eval {

namespace {

template <typename M>
void summarise(M& m) {
    m.micro = {};
    double p = 0, r = 0, f = 0;
    for (const auto& s : m.per_label) {
        m.micro.tp += s.counts.tp;
        m.micro.fp += s.counts.fp;
        m.micro.fn += s.counts.fn;
        m.micro.tn += s.counts.tn;
        p += s.counts.precision();
        r += s.counts.recall();
        f += s.counts.f1();
    }
    const double n = m.per_label.empty() ? 1.0 : double(m.per_label.size());
    m.micro_f1 = m.micro.f1();
    m.macro_f1 = f / n;
    if constexpr (requires { m.macro_precision; }) {
        m.macro_precision = p / n;
        m.macro_recall = r / n;
    }
}

nlohmann::json counts_json(const std::string& label, const BinaryCounts& c) {
    return {{"label", label},          {"tp", c.tp},         {"fp", c.fp},  {"fn", c.fn},
            {"precision", c.precision()}, {"recall", c.recall()}, {"f1", c.f1()}};
}

}  // namespace

MultiLabelMetrics multilabel_metrics(const std::vector<std::uint8_t>& truth, const std::vector<std::uint8_t>& predicted,
                                     const std::vector<std::string>& labels) {
    if (labels.empty()) throw Error(ErrorCode::InvalidArgument, "multi-label metrics need at least one label");
    if (truth.size() != predicted.size() || truth.size() % labels.size() != 0)
        throw Error(ErrorCode::InvalidArgument, "truth and prediction tables differ in size (" +
                                                    std::to_string(truth.size()) + " vs " +
                                                    std::to_string(predicted.size()) + " cells)");
    MultiLabelMetrics m;
    for (const auto& l : labels) m.per_label.push_back({l, {}});
    for (std::size_t i = 0; i < truth.size(); ++i) {
        auto& c = m.per_label[i % labels.size()].counts;
        const bool t = truth[i] != 0, p = predicted[i] != 0;
        (t && p ? c.tp : !t && p ? c.fp : t ? c.fn : c.tn) += 1;
    }
    summarise(m);
    return m;
}

SegmentMetrics match_segments(const std::vector<LabeledSegment>& truth, const std::vector<LabeledSegment>& predicted,
                              double min_iou, std::vector<std::string> labels) {
    std::set<std::string> all(labels.begin(), labels.end());
    for (const auto& s : truth) all.insert(s.label);
    for (const auto& s : predicted) all.insert(s.label);
    labels.assign(all.begin(), all.end());

    // Every candidate pair, best IoU first; ties by truth then prediction index (deterministic).
    std::vector<SegmentMatch> pairs;
    for (std::size_t t = 0; t < truth.size(); ++t)
        for (std::size_t p = 0; p < predicted.size(); ++p) {
            if (truth[t].label != predicted[p].label || truth[t].source != predicted[p].source) continue;
            const double v = timeline::iou(truth[t].span, predicted[p].span);
            if (v >= min_iou && v > 0) pairs.push_back({t, p, v});
        }
    std::stable_sort(pairs.begin(), pairs.end(), [](const SegmentMatch& a, const SegmentMatch& b) { return a.iou > b.iou; });
    std::vector<bool> t_used(truth.size()), p_used(predicted.size());
    SegmentMetrics m;
    for (const auto& pair : pairs)
        if (!t_used[pair.truth] && !p_used[pair.predicted]) {
            t_used[pair.truth] = p_used[pair.predicted] = true;
            m.matches.push_back(pair);
        }
    for (const auto& l : labels) m.per_label.push_back({l, {}});
    const auto index = [&](const std::string& label) {
        return std::size_t(std::lower_bound(labels.begin(), labels.end(), label) - labels.begin());
    };
    for (std::size_t t = 0; t < truth.size(); ++t) (t_used[t] ? m.per_label[index(truth[t].label)].counts.tp
                                                                : m.per_label[index(truth[t].label)].counts.fn) += 1;
    for (std::size_t p = 0; p < predicted.size(); ++p)
        if (!p_used[p]) m.per_label[index(predicted[p].label)].counts.fp += 1;
    summarise(m);
    return m;
}

nlohmann::json to_json(const MultiLabelMetrics& m) {
    nlohmann::json per = nlohmann::json::array();
    for (const auto& s : m.per_label) per.push_back(counts_json(s.label, s.counts));
    return {{"micro_precision", m.micro.precision()}, {"micro_recall", m.micro.recall()}, {"micro_f1", m.micro_f1},
            {"macro_precision", m.macro_precision},  {"macro_recall", m.macro_recall},  {"macro_f1", m.macro_f1},
            {"per_label", per}};
}

nlohmann::json to_json(const SegmentMetrics& m) {
    nlohmann::json per = nlohmann::json::array();
    for (const auto& s : m.per_label) per.push_back(counts_json(s.label, s.counts));
    return {{"micro_precision", m.micro.precision()}, {"micro_recall", m.micro.recall()}, {"micro_f1", m.micro_f1},
            {"macro_f1", m.macro_f1}, {"matched", m.matches.size()}, {"per_label", per}};
}

}  // namespace vidseg::eval
