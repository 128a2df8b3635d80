#include "vidseg/eval/agreement.hpp"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <numeric>
#include <set>

#include "vidseg/core/error.hpp"
#include "vidseg/timeline/interval.hpp"

namespace vidseg::eval {

using annotations::Segment;
using nlohmann::json;

std::vector<std::pair<size_t, size_t>> match_segments(const std::vector<LabeledInterval>& a,
                                                      const std::vector<LabeledInterval>& b, double iou_threshold) {
    struct Cand {
        double iou;
        size_t i, j;
    };
    std::vector<Cand> cands;
    for (size_t i = 0; i < a.size(); ++i)
        for (size_t j = 0; j < b.size(); ++j) {
            if (a[i].label != b[j].label) continue;
            const double v = timeline::iou({a[i].start, a[i].end}, {b[j].start, b[j].end});
            if (v >= iou_threshold && v > 0) cands.push_back({v, i, j});
        }
    std::stable_sort(cands.begin(), cands.end(), [](const Cand& x, const Cand& y) { return x.iou > y.iou; });
    std::vector<bool> used_a(a.size()), used_b(b.size());
    std::vector<std::pair<size_t, size_t>> out;
    for (const auto& c : cands) {
        if (used_a[c.i] || used_b[c.j]) continue;
        used_a[c.i] = used_b[c.j] = true;
        out.emplace_back(c.i, c.j);
    }
    std::sort(out.begin(), out.end());
    return out;
}

double cohen_kappa(const std::vector<std::vector<double>>& m) {
    const size_t k = m.size();
    double total = 0;
    for (const auto& row : m) {
        if (row.size() != k) throw Error(ErrorCode::InvalidArgument, "confusion matrix must be square");
        for (double v : row) {
            if (v < 0) throw Error(ErrorCode::InvalidArgument, "confusion matrix has a negative count");
            total += v;
        }
    }
    if (total <= 0) return NAN;
    double po = 0, pe = 0;
    for (size_t i = 0; i < k; ++i) {
        po += m[i][i] / total;
        double row = 0, col = 0;
        for (size_t j = 0; j < k; ++j) {
            row += m[i][j];
            col += m[j][i];
        }
        pe += (row / total) * (col / total);
    }
    if (pe >= 1.0 - 1e-12) return 1.0;  // degenerate: one category for everyone
    return (po - pe) / (1.0 - pe);
}

double fleiss_kappa(const std::vector<std::vector<double>>& counts) {
    if (counts.empty()) return NAN;
    const size_t k = counts.front().size();
    double n = -1;
    std::vector<double> col(k, 0.0);
    double pbar = 0;
    for (size_t i = 0; i < counts.size(); ++i) {
        if (counts[i].size() != k) throw Error(ErrorCode::InvalidArgument, "fleiss_kappa: rows differ in length");
        double sum = 0, sq = 0;
        for (size_t j = 0; j < k; ++j) {
            if (counts[i][j] < 0) throw Error(ErrorCode::InvalidArgument, "fleiss_kappa: negative count");
            sum += counts[i][j];
            sq += counts[i][j] * counts[i][j];
            col[j] += counts[i][j];
        }
        if (n < 0) n = sum;
        if (sum != n || n < 2)
            throw Error(ErrorCode::InvalidArgument,
                        "fleiss_kappa: every subject needs the same number (>= 2) of ratings; subject " +
                            std::to_string(i + 1) + " has " + std::to_string(sum));
        pbar += (sq - n) / (n * (n - 1));
    }
    const double N = static_cast<double>(counts.size());
    pbar /= N;
    double pe = 0;
    for (double c : col) pe += (c / (N * n)) * (c / (N * n));
    if (pe >= 1.0 - 1e-12) return 1.0;
    return (pbar - pe) / (1.0 - pe);
}

std::string kappa_band(double kappa) {
    if (std::isnan(kappa)) return "not enough data";
    if (kappa >= 0.80) return "excellent";
    if (kappa >= 0.60) return "good";
    if (kappa >= 0.40) return "moderate";
    return "poor";
}

namespace {

double unit_duration(const Unit& u) {
    double d = u.duration;
    for (const auto& r : u.raters)
        if (r)
            for (const auto& s : *r) d = std::max(d, s.end);
    return d;
}

// present[bin] for one rater and one label.
std::vector<char> presence(const std::vector<LabeledInterval>& segs, const std::string& label, size_t bins, double bin) {
    std::vector<char> out(bins, 0);
    for (const auto& s : segs) {
        if (s.label != label) continue;
        // Bins whose centre (k + 0.5)·bin lies in [start, end).
        const double first = std::ceil(s.start / bin - 0.5 - 1e-9);
        for (long long k = std::max(0LL, static_cast<long long>(first)); k < static_cast<long long>(bins); ++k) {
            const double c = (k + 0.5) * bin;
            if (c >= s.end) break;
            if (c >= s.start) out[static_cast<size_t>(k)] = 1;
        }
    }
    return out;
}

struct PairCounts {
    long long matched = 0, total = 0;  // total = n_a + n_b
};

PairCounts pair_counts(const std::vector<LabeledInterval>& a, const std::vector<LabeledInterval>& b,
                       const std::string* label, double iou) {
    std::vector<LabeledInterval> fa, fb;
    for (const auto& s : a)
        if (!label || s.label == *label) fa.push_back(s);
    for (const auto& s : b)
        if (!label || s.label == *label) fb.push_back(s);
    return {static_cast<long long>(match_segments(fa, fb, iou).size()), static_cast<long long>(fa.size() + fb.size())};
}

// Accumulates the statistic for a set of labels (one label or all) over all units.
struct KappaResult {
    double kappa = NAN, observed = NAN;
    long long bins = 0;
    long long present = 0;  // subjects (bins) where someone marked the label present
};

KappaResult kappa_for(const AgreementInput& in, const std::vector<std::string>& labels, double bin,
                      std::optional<std::pair<size_t, size_t>> pair) {
    const size_t n = in.annotators.size();
    std::vector<std::vector<double>> confusion(2, std::vector<double>(2, 0.0));
    std::vector<std::vector<double>> subjects;
    KappaResult res;
    for (const auto& u : in.units) {
        const size_t bins = static_cast<size_t>(std::ceil(unit_duration(u) / bin - 1e-9));
        if (bins == 0) continue;
        if (pair) {
            const auto& ra = u.raters[pair->first];
            const auto& rb = u.raters[pair->second];
            if (!ra || !rb) continue;
            for (const auto& l : labels) {
                auto pa = presence(*ra, l, bins, bin), pb = presence(*rb, l, bins, bin);
                for (size_t k = 0; k < bins; ++k) {
                    confusion[pa[k]][pb[k]] += 1;
                    res.present += pa[k] || pb[k];
                }
                res.bins += static_cast<long long>(bins);
            }
        } else {
            bool all = std::all_of(u.raters.begin(), u.raters.end(), [](const auto& r) { return r.has_value(); });
            if (!all) continue;
            for (const auto& l : labels) {
                std::vector<std::vector<double>> rows(bins, std::vector<double>(2, 0.0));
                for (size_t r = 0; r < n; ++r) {
                    auto p = presence(*u.raters[r], l, bins, bin);
                    for (size_t k = 0; k < bins; ++k) rows[k][p[k] ? 1 : 0] += 1;
                }
                for (const auto& row : rows) res.present += row[1] > 0;
                subjects.insert(subjects.end(), rows.begin(), rows.end());
                res.bins += static_cast<long long>(bins);
            }
        }
    }
    if (pair) {
        const double total = confusion[0][0] + confusion[0][1] + confusion[1][0] + confusion[1][1];
        if (total > 0) res.observed = (confusion[0][0] + confusion[1][1]) / total;
        res.kappa = cohen_kappa(confusion);
    } else if (!subjects.empty()) {
        double pbar = 0;
        const double nn = static_cast<double>(n);
        for (const auto& s : subjects) pbar += (s[0] * s[0] + s[1] * s[1] - nn) / (nn * (nn - 1));
        res.observed = pbar / static_cast<double>(subjects.size());
        res.kappa = fleiss_kappa(subjects);
    }
    if (res.present == 0) res.kappa = NAN;  // nothing to agree on: not enough data, never "perfect"
    return res;
}

}  // namespace

AgreementReport compute_agreement(const AgreementInput& in, const AgreementOptions& opt) {
    const size_t n = in.annotators.size();
    if (n < 2)
        throw Error(ErrorCode::InvalidArgument,
                    "agreement needs at least two annotators, found " + std::to_string(n) +
                        (n == 1 ? " ('" + in.annotators[0] + "')" : std::string()));
    if (!(opt.bin_seconds > 0)) throw Error(ErrorCode::InvalidArgument, "bin must be > 0 seconds");
    if (!(opt.iou_threshold > 0 && opt.iou_threshold <= 1))
        throw Error(ErrorCode::InvalidArgument, "IoU threshold must be in (0, 1]");
    for (const auto& u : in.units)
        if (u.raters.size() != n)
            throw Error(ErrorCode::InvalidArgument, "unit '" + u.key + "' does not list every annotator");

    AgreementReport rep;
    rep.annotators = in.annotators;
    rep.method = n == 2 ? "cohen" : "fleiss";
    rep.iou_threshold = opt.iou_threshold;
    rep.bin_seconds = opt.bin_seconds;
    rep.min_kappa = opt.min_kappa;

    std::set<std::string> label_set;
    for (const auto& u : in.units)
        for (const auto& r : u.raters)
            if (r)
                for (const auto& s : *r) label_set.insert(s.label);
    const std::vector<std::string> labels(label_set.begin(), label_set.end());
    std::optional<std::pair<size_t, size_t>> cohen_pair;
    if (n == 2) cohen_pair = std::make_pair<size_t, size_t>(0, 1);

    auto shared = [&](const Unit& u) {
        return std::count_if(u.raters.begin(), u.raters.end(), [](const auto& r) { return r.has_value(); }) >= 2;
    };
    rep.units = in.units.size();
    rep.shared_units = static_cast<size_t>(std::count_if(in.units.begin(), in.units.end(), shared));
    for (const auto& l : labels) {
        PatternAgreement p;
        p.label = l;
        for (const auto& u : in.units)
            p.shared_units += shared(u) && std::any_of(u.raters.begin(), u.raters.end(), [&](const auto& r) {
                                  return r && std::any_of(r->begin(), r->end(),
                                                          [&](const LabeledInterval& s) { return s.label == l; });
                              });
        auto k = kappa_for(in, {l}, opt.bin_seconds, cohen_pair);
        p.kappa = k.kappa;
        p.observed = k.observed;
        p.band = kappa_band(p.kappa);
        p.consensus = !std::isnan(p.kappa) && p.kappa >= opt.min_kappa;
        double pct_sum = 0;
        int pct_pairs = 0;
        for (const auto& u : in.units)
            for (const auto& r : u.raters)
                if (r)
                    for (const auto& s : *r) p.segments += s.label == l;
        for (size_t a = 0; a < n; ++a)
            for (size_t b = a + 1; b < n; ++b) {
                PairCounts c;
                for (const auto& u : in.units) {
                    if (!u.raters[a] || !u.raters[b]) continue;
                    auto pc = pair_counts(*u.raters[a], *u.raters[b], &l, opt.iou_threshold);
                    c.matched += pc.matched;
                    c.total += pc.total;
                }
                p.matched += c.matched;
                if (c.total > 0) {
                    pct_sum += 2.0 * static_cast<double>(c.matched) / static_cast<double>(c.total);
                    ++pct_pairs;
                }
            }
        p.percent_agreement = pct_pairs ? pct_sum / pct_pairs : NAN;
        rep.patterns.push_back(p);
    }
    auto overall = kappa_for(in, labels, opt.bin_seconds, cohen_pair);
    rep.overall_kappa = labels.empty() ? NAN : overall.kappa;
    rep.overall_band = kappa_band(rep.overall_kappa);
    rep.bins = labels.empty() ? 0 : overall.bins / static_cast<long long>(labels.size());

    double pct_sum = 0;
    int pct_pairs = 0;
    for (size_t a = 0; a < n; ++a)
        for (size_t b = a + 1; b < n; ++b) {
            PairAgreement pa;
            pa.a = a;
            pa.b = b;
            pa.kappa = labels.empty() ? NAN : kappa_for(in, labels, opt.bin_seconds, std::make_pair(a, b)).kappa;
            PairCounts c;
            for (const auto& u : in.units) {
                if (!u.raters[a] || !u.raters[b]) continue;
                auto pc = pair_counts(*u.raters[a], *u.raters[b], nullptr, opt.iou_threshold);
                c.matched += pc.matched;
                c.total += pc.total;
            }
            pa.percent_agreement = c.total ? 2.0 * static_cast<double>(c.matched) / static_cast<double>(c.total) : NAN;
            if (c.total) {
                pct_sum += pa.percent_agreement;
                ++pct_pairs;
            }
            rep.pairs.push_back(pa);
        }
    rep.overall_percent = pct_pairs ? pct_sum / pct_pairs : NAN;
    return rep;
}

std::vector<ConsensusSegment> consensus_segments(const AgreementInput& in, const AgreementReport& report,
                                                 const AgreementOptions& opt) {
    std::vector<ConsensusSegment> out;
    const size_t n = in.annotators.size();
    for (size_t ui = 0; ui < in.units.size(); ++ui) {
        const Unit& u = in.units[ui];
        size_t present = 0;
        for (const auto& r : u.raters) present += r.has_value();
        const size_t need = std::max<size_t>(2, present / 2 + 1);
        if (present < 2) continue;
        for (const auto& p : report.patterns) {
            if (!p.consensus) continue;
            // Nodes: (annotator, index in their list) of this label.
            std::vector<std::pair<size_t, size_t>> nodes;
            std::map<std::pair<size_t, size_t>, size_t> node_of;
            std::vector<std::vector<LabeledInterval>> filtered(n);
            std::vector<std::vector<size_t>> orig(n);
            for (size_t r = 0; r < n; ++r) {
                if (!u.raters[r]) continue;
                for (size_t i = 0; i < u.raters[r]->size(); ++i)
                    if ((*u.raters[r])[i].label == p.label) {
                        node_of[{r, i}] = nodes.size();
                        nodes.emplace_back(r, i);
                        filtered[r].push_back((*u.raters[r])[i]);
                        orig[r].push_back(i);
                    }
            }
            std::vector<size_t> parent(nodes.size());
            std::iota(parent.begin(), parent.end(), 0);
            std::function<size_t(size_t)> find = [&](size_t x) { return parent[x] == x ? x : parent[x] = find(parent[x]); };
            for (size_t a = 0; a < n; ++a)
                for (size_t b = a + 1; b < n; ++b)
                    for (auto [i, j] : match_segments(filtered[a], filtered[b], opt.iou_threshold))
                        parent[find(node_of[{a, orig[a][i]}])] = find(node_of[{b, orig[b][j]}]);
            std::map<size_t, std::vector<size_t>> groups;
            for (size_t x = 0; x < nodes.size(); ++x) groups[find(x)].push_back(x);
            for (const auto& [root, members] : groups) {
                std::set<size_t> raters;
                for (size_t x : members) raters.insert(nodes[x].first);
                if (raters.size() < need) continue;
                ConsensusSegment c;
                c.unit = ui;
                c.label = p.label;
                for (size_t x : members) {
                    const auto& s = (*u.raters[nodes[x].first])[nodes[x].second];
                    c.start += s.start;
                    c.end += s.end;
                    c.members.push_back(nodes[x]);
                }
                c.start /= static_cast<double>(members.size());
                c.end /= static_cast<double>(members.size());
                out.push_back(std::move(c));
            }
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const ConsensusSegment& a, const ConsensusSegment& b) {
        return a.unit != b.unit ? a.unit < b.unit : a.start < b.start;
    });
    return out;
}

namespace {
json num(double v) { return std::isnan(v) ? json(nullptr) : json(std::round(v * 10000) / 10000); }
}  // namespace

json to_json(const AgreementReport& r) {
    json patterns = json::array();
    for (const auto& p : r.patterns)
        patterns.push_back({{"label", p.label}, {"kappa", num(p.kappa)}, {"band", p.band},
                            {"percent_agreement", num(p.percent_agreement)}, {"observed", num(p.observed)},
                            {"segments", p.segments}, {"matched", p.matched}, {"shared_units", p.shared_units},
                            {"consensus", p.consensus}});
    json pairs = json::array();
    for (const auto& p : r.pairs)
        pairs.push_back({{"a", r.annotators[p.a]}, {"b", r.annotators[p.b]}, {"kappa", num(p.kappa)},
                         {"percent_agreement", num(p.percent_agreement)}});
    return {{"annotators", r.annotators},     {"method", r.method},
            {"iou_threshold", r.iou_threshold}, {"bin_seconds", r.bin_seconds},
            {"min_kappa", r.min_kappa},       {"bins", r.bins},
            {"units", r.units},               {"shared_units", r.shared_units},
            {"patterns", patterns},           {"overall", {{"kappa", num(r.overall_kappa)}, {"band", r.overall_band},
                                                           {"percent_agreement", num(r.overall_percent)}}},
            {"pairs", pairs}};
}

// ---- Label Studio glue ----

namespace {
std::string media_key(const annotations::Task& t) {
    std::string url = !t.audio.empty() ? t.audio : t.video;
    if (url.empty()) return "task " + (t.id.empty() ? std::to_string(t.index + 1) : t.id);
    if (url.find("/data/local-files/") == std::string::npos) {
        if (auto q = url.find('?'); q != std::string::npos) url.resize(q);  // presigned URLs differ per request
    }
    return url;
}
}  // namespace

Corpus corpus_from_exports(const std::vector<NamedExport>& exports, const annotations::LabelMatcher* matcher) {
    Corpus c;
    // Annotator names, disambiguated across exports.
    std::map<std::string, std::set<size_t>> files_of;
    for (size_t e = 0; e < exports.size(); ++e)
        for (const auto& a : exports[e].project.annotators()) files_of[a].insert(e);
    auto name_of = [&](size_t e, const annotations::Annotation& a) {
        std::string k = a.annotator();
        if (files_of[k].size() > 1) k += " (" + std::filesystem::path(exports[e].name).filename().string() + ")";
        return k;
    };
    for (size_t e = 0; e < exports.size(); ++e)
        for (const auto& t : exports[e].project.tasks)
            for (const auto& a : t.annotations) {
                const std::string k = name_of(e, a);
                if (std::find(c.input.annotators.begin(), c.input.annotators.end(), k) == c.input.annotators.end())
                    c.input.annotators.push_back(k);
            }
    const bool single_tasks = exports.size() > 1 && std::all_of(exports.begin(), exports.end(), [](const NamedExport& x) {
                                  return x.project.tasks.size() == 1;
                              });
    if (single_tasks) c.notes.push_back("every export holds one task: comparing them as one video");
    std::map<std::string, size_t> unit_of;
    std::vector<std::string> all_labels;
    const size_t n = c.input.annotators.size();
    for (size_t e = 0; e < exports.size(); ++e)
        for (const auto& t : exports[e].project.tasks) {
            const std::string key = single_tasks ? media_key(exports[0].project.tasks[0]) : media_key(t);
            size_t ui;
            if (auto it = unit_of.find(key); it != unit_of.end()) {
                ui = it->second;
            } else {
                ui = c.input.units.size();
                unit_of[key] = ui;
                Unit u;
                u.key = key;
                u.raters.resize(n);
                c.input.units.push_back(std::move(u));
                c.sources.emplace_back(n);
                annotations::Task copy = t;
                copy.annotations.clear();
                c.unit_tasks.push_back(std::move(copy));
            }
            Unit& u = c.input.units[ui];
            u.duration = std::max(u.duration, t.duration);
            for (const auto& a : t.annotations) {
                const size_t r = static_cast<size_t>(
                    std::find(c.input.annotators.begin(), c.input.annotators.end(), name_of(e, a)) - c.input.annotators.begin());
                if (!u.raters[r]) u.raters[r].emplace();
                for (const auto& s : annotations::segments(a)) {
                    const size_t src = c.sources[ui][r].size();
                    c.sources[ui][r].push_back(s);
                    for (const auto& l : s.labels) {
                        all_labels.push_back(l);
                        std::string label = l;
                        if (matcher) {
                            auto m = matcher->match(l);
                            if (m.matched()) label = m.pattern_name;
                        }
                        u.raters[r]->push_back({s.start, s.end, label, src, l});
                    }
                }
            }
        }
    if (matcher) c.labels = matcher->match_all(all_labels);
    return c;
}

annotations::Project consensus_project(const Corpus& corpus, const std::vector<ConsensusSegment>& segs) {
    annotations::Project p;
    for (size_t ui = 0; ui < corpus.unit_tasks.size(); ++ui) {
        annotations::Task t = corpus.unit_tasks[ui];
        t.index = ui;
        annotations::Annotation a;
        a.id = std::to_string(ui + 1);
        // No completed_by: Label Studio refuses an unknown annotator email on import and gives an annotation
        // without one to the importing user.
        int region = 0;
        for (const auto& c : segs) {
            if (c.unit != ui || c.members.empty()) continue;
            const auto& first_iv = (*corpus.input.units[ui].raters[c.members[0].first])[c.members[0].second];
            const Segment& src = corpus.sources[ui][c.members[0].first][first_iv.source];
            annotations::ResultItem item;
            item.id = "consensus-" + std::to_string(ui + 1) + "-" + std::to_string(++region);
            item.from_name = src.from_name;
            item.to_name = src.to_name;
            item.type = src.type;
            // The experts' own label string, so that the region imports back into their project.
            const std::string label = first_iv.original.empty() ? c.label : first_iv.original;
            item.labels = {label};
            item.spans = {{c.start, c.end}};
            json span_value;
            if (src.type == "timelinelabels") {
                if (!t.fps)
                    throw Error(ErrorCode::InvalidArgument, "consensus: " + t.describe() +
                                                                " has video timeline labels but no fps; pass --fps");
                const double fps = *t.fps;
                item.value = {{"ranges", json::array({{{"start", static_cast<long long>(std::llround(c.start * fps)) + 1},
                                                       {"end", static_cast<long long>(std::llround(c.end * fps))}}})},
                              {"timelinelabels", json::array({label})}};
                span_value = json::object();
            } else {
                item.value = {{"start", c.start}, {"end", c.end}, {"channel", 0}, {src.type, json::array({label})}};
                span_value = {{"start", c.start}, {"end", c.end}, {"channel", 0}};
            }
            a.results.push_back(item);
            // Per-region choices that every member has, identically.
            std::map<std::string, std::vector<std::string>> agreed;
            bool first = true;
            for (auto [r, i] : c.members) {
                const auto& iv = (*corpus.input.units[ui].raters[r])[i];
                const auto& choices = corpus.sources[ui][r][iv.source].choices;
                if (first) {
                    agreed = choices;
                    first = false;
                    continue;
                }
                for (auto it = agreed.begin(); it != agreed.end();) {
                    auto o = choices.find(it->first);
                    if (o == choices.end()) {
                        it = agreed.erase(it);
                        continue;
                    }
                    std::vector<std::string> keep;
                    for (const auto& v : it->second)
                        if (std::find(o->second.begin(), o->second.end(), v) != o->second.end()) keep.push_back(v);
                    if (keep.empty()) it = agreed.erase(it);
                    else (it++)->second = keep;
                }
            }
            for (const auto& [from, values] : agreed) {
                annotations::ResultItem ch;
                ch.id = item.id;
                ch.from_name = from;
                ch.to_name = src.to_name;
                ch.type = "choices";
                ch.choices = values;
                ch.value = span_value;
                ch.value["choices"] = values;
                a.results.push_back(std::move(ch));
            }
        }
        t.annotations.push_back(std::move(a));
        p.tasks.push_back(std::move(t));
    }
    return p;
}

}  // namespace vidseg::eval
