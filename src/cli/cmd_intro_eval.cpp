#include <cstdio>
#include <string>

#include "command.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/eval/intro_metrics.hpp"
#include "vidseg/intro/intro_labels.hpp"

namespace vidseg::cli {

namespace {

using timeline::Interval;

// "--baseline 5,15" (seconds or timecodes) or "none".
std::optional<Interval> parse_baseline(const std::string& text) {
    if (text == "none") return std::nullopt;
    const auto comma = text.find(',');
    auto fail = [&](const std::string& why) -> Interval {
        throw Error(ErrorCode::InvalidArgument, "--baseline: " + why + " (expected START,END, e.g. 5,15, or none)");
    };
    if (comma == std::string::npos) return fail("no ',' in '" + text + "'");
    Interval i;
    try {
        i.start = timeline::parse_timecode(text.substr(0, comma));
        i.end = timeline::parse_timecode(text.substr(comma + 1));
    } catch (const Error& e) {
        return fail(e.cause());
    }
    if (i.end <= i.start) return fail("end must be greater than start in '" + text + "'");
    return i;
}

std::string fmt(double v, int decimals = 4) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}
std::string fmt(const std::optional<double>& v, int decimals = 4) { return v ? fmt(*v, decimals) : "n/a"; }
std::string fmt_interval(const std::optional<Interval>& i) {
    return i ? fmt(i->start, 2) + "-" + fmt(i->end, 2) : "none";
}

void print_table(const eval::IntroMetrics& p, const eval::IntroMetrics* b, const std::string& baseline_name) {
    struct Row {
        std::string metric, pred, base;
    };
    auto rows_for = [](const eval::IntroMetrics& m) {
        return std::vector<std::string>{
            fmt(m.mean_iou),
            fmt(m.mean_iou_with_intro),
            fmt(m.start_mae, 3),
            fmt(m.end_mae, 3),
            std::to_string(m.both_with_intro),
            fmt(m.within_0_5s),
            fmt(m.within_1s),
            fmt(m.presence.accuracy()),
            fmt(m.presence.precision()),
            fmt(m.presence.recall()),
            fmt(m.frames.precision()),
            fmt(m.frames.recall()),
            fmt(m.frames.f1()),
        };
    };
    const std::vector<std::string> names = {
        "mean IoU (all episodes)",     "mean IoU (episodes with intro)", "start MAE, s",
        "end MAE, s",                  "episodes with both intros (MAE)", "boundaries within 0.5 s",
        "boundaries within 1 s",       "presence accuracy",              "presence precision",
        "presence recall",             "frame precision (1 FPS)",        "frame recall (1 FPS)",
        "frame F1 (1 FPS)",
    };
    const auto pv = rows_for(p);
    const auto bv = b ? rows_for(*b) : std::vector<std::string>(pv.size());
    std::size_t w0 = 6, w1 = 10, w2 = baseline_name.size();
    for (std::size_t i = 0; i < names.size(); ++i) {
        w0 = std::max(w0, names[i].size());
        w1 = std::max(w1, pv[i].size());
        w2 = std::max(w2, bv[i].size());
    }
    const int a = int(w0), c = int(w1), d = int(w2);
    if (b)
        std::printf("%-*s  %*s  %*s\n", a, "metric", c, "prediction", d, baseline_name.c_str());
    else
        std::printf("%-*s  %*s\n", a, "metric", c, "prediction");
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (b)
            std::printf("%-*s  %*s  %*s\n", a, names[i].c_str(), c, pv[i].c_str(), d, bv[i].c_str());
        else
            std::printf("%-*s  %*s\n", a, names[i].c_str(), c, pv[i].c_str());
    }
}

void print_episodes(const eval::IntroMetrics& m) {
    std::size_t w = 2;
    for (const auto& r : m.rows) w = std::max(w, r.id.size());
    std::printf("\n%-*s  %15s  %15s  %6s  %9s  %9s\n", int(w), "id", "label", "prediction", "IoU", "start err",
                "end err");
    for (const auto& r : m.rows)
        std::printf("%-*s  %15s  %15s  %6s  %9s  %9s\n", int(w), r.id.c_str(), fmt_interval(r.label).c_str(),
                    r.pred_missing ? "missing" : fmt_interval(r.pred).c_str(), fmt(r.iou, 3).c_str(),
                    fmt(r.start_error, 2).c_str(), fmt(r.end_error, 2).c_str());
}

std::string sample_ids(const std::vector<intro::IntroLabel>& labels) {
    std::string out;
    for (std::size_t i = 0; i < labels.size() && i < 3; ++i) out += (i ? ", '" : "'") + labels[i].id + "'";
    return out.empty() ? "none" : out;
}

int run_intro_eval(const ParsedOptions& options, Context& context) {
    for (const char* required : {"pred", "labels"})
        if (!options.given(required))
            throw Error(ErrorCode::InvalidArgument, std::string("--") + required + " is required");
    const std::string pred_path = options.str("pred"), labels_path = options.str("labels");
    const auto baseline = parse_baseline(options.str("baseline"));

    const auto labels = intro::read_intro_labels(labels_path);
    const auto preds = intro::read_intro_labels(pred_path);
    const auto metrics = eval::evaluate_intro(labels.labels, preds.labels);
    if (metrics.matched == 0)
        throw Error(ErrorCode::InvalidData,
                    "no common video ids between predictions '" + pred_path + "' (" +
                        std::to_string(preds.labels.size()) + " entries, e.g. " + sample_ids(preds.labels) +
                        ") and labels '" + labels_path + "' (" + std::to_string(labels.labels.size()) +
                        " entries, e.g. " + sample_ids(labels.labels) + ")");
    std::optional<eval::IntroMetrics> base;
    if (baseline) base = eval::evaluate_intro(labels.labels, eval::constant_predictions(labels.labels, *baseline));
    const std::string baseline_name =
        baseline ? "constant " + fmt(baseline->start, 0) + "-" + fmt(baseline->end, 0) + " s" : "";

    if (!metrics.missing_ids.empty())
        context.info("warning: " + std::to_string(metrics.missing_ids.size()) +
                     " labeled episodes have no prediction (counted as \"no intro\"), e.g. '" +
                     metrics.missing_ids.front() + "'");
    if (!metrics.extra_ids.empty())
        context.info("warning: " + std::to_string(metrics.extra_ids.size()) +
                     " predictions have no label and are ignored, e.g. '" + metrics.extra_ids.front() + "'");

    if (context.json) {
        nlohmann::json doc = {
            {"predictions", {{"path", pred_path},
                             {"form", intro::label_form_name(preds.form)},
                             {"entries", preds.labels.size()}}},
            {"labels", {{"path", labels_path},
                        {"form", intro::label_form_name(labels.form)},
                        {"entries", labels.labels.size()}}},
            {"metrics", eval::to_json(metrics, true)},
        };
        if (base) {
            doc["baseline"] = {{"interval", {baseline->start, baseline->end}},
                               {"metrics", eval::to_json(*base, options.flag("per-episode"))}};
        } else {
            doc["baseline"] = nullptr;
        }
        context.print_json(doc);
        return 0;
    }

    std::printf("labels:      %s (%s, %zu episodes: %zu with intro, %zu without)\n", labels_path.c_str(),
                intro::label_form_name(labels.form), metrics.episodes, metrics.with_intro,
                metrics.episodes - metrics.with_intro);
    std::printf("predictions: %s (%s, %zu entries; %zu matched, %zu labels without prediction, "
                "%zu predictions without label)\n\n",
                pred_path.c_str(), intro::label_form_name(preds.form), preds.labels.size(), metrics.matched,
                metrics.missing_ids.size(), metrics.extra_ids.size());
    print_table(metrics, base ? &*base : nullptr, baseline_name);
    if (options.flag("per-episode")) print_episodes(metrics);
    return 0;
}

}  // namespace

Command intro_eval_command() {
    CommandSpec spec{
        .name = "intro eval",
        .summary = "Score intro predictions against labels, beside the constant (5 s, 15 s) baseline.",
        .description =
            "Reads both files in any label form: {\"id\": {\"start\": \"0:00:05\", \"end\": \"0:00:15\"}} (with or\n"
            "without \"url\"/\"name\") or test_predictions.json {\"id\": [start_sec, end_sec]} ([] = no intro);\n"
            "end <= start means no intro. Ids match exactly, else without directory and extension.\n"
            "Labeled episodes missing from the predictions count as \"no intro predicted\".\n"
            "Metrics: per-episode IoU (1 when both say \"no intro\"), start/end absolute error (episodes\n"
            "where both have an intro), share of labeled boundaries predicted within 0.5 s and 1 s,\n"
            "presence accuracy/precision/recall (positive = has intro), frame precision/recall/F1 at 1 FPS\n"
            "(second k is an intro frame when start <= k + 0.5 < end).",
        .options =
            {
                {.name = "pred", .type = OptionType::Path, .help = "Predictions file (required).",
                 .metavar = "FILE"},
                {.name = "labels", .type = OptionType::Path, .help = "Ground-truth labels file (required).",
                 .metavar = "FILE"},
                {.name = "baseline", .type = OptionType::String, .default_value = "5,15",
                 .help = "Constant interval scored beside the predictions, or 'none'.", .metavar = "START,END"},
                {.name = "per-episode", .type = OptionType::Flag,
                 .help = "Also print one row per episode (always included in --json)."},
            },
        .examples = "  vidseg intro eval --pred test_predictions.json --labels test_labels.json\n"
                    "  vidseg intro eval --pred p.json --labels l.json --json | jq .metrics.mean_iou",
    };
    return {spec, run_intro_eval};
}

}  // namespace vidseg::cli
