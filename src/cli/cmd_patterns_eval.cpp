// `vidseg patterns eval`: scores pattern predictions (`vidseg predict --out P.json`) against labelled
// intervals (a dataset folder or metadata.jsonl) with the metrics of issue 5 §5
// (src/vidseg/eval/pattern_metrics.hpp): row-level multi-label micro / macro F1 and per-pattern
// P/R/F1 on a regular time grid, and segment matching by IoU.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "command.hpp"
#include "table_options.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/eval/pattern_metrics.hpp"
#include "vidseg/models/text_evaluation.hpp"
#include "vidseg/models/training_set.hpp"
#include "vidseg/text/utterance_table.hpp"

namespace vidseg::cli {

namespace {

using eval::LabeledSegment;

// Predicted intervals per source key, from the document `vidseg predict --out` writes.
std::vector<LabeledSegment> read_predicted_segments(const std::string& path, std::set<std::string>& sources) {
    std::ifstream in(path);
    if (!in) throw Error(ErrorCode::InputNotFound, "cannot read predictions", path);
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::InvalidData, std::string("predictions are not JSON (") + e.what() + ")", path);
    }
    std::vector<LabeledSegment> out;
    try {
        if (doc.value("task", "patterns") != "patterns")
            throw Error(ErrorCode::InvalidData, "predictions come from a '" + doc.value("task", "") +
                                                    "' model; patterns eval scores pattern models", path);
        for (const auto& video : doc.at("videos")) {
            const std::string key = models::source_key(video.at("source").get<std::string>());
            sources.insert(key);
            for (const auto& d : video.at("intervals"))
                out.push_back({key, d.at("label").get<std::string>(),
                               {d.at("start").get<double>(), d.at("end").get<double>()}});
        }
    } catch (const nlohmann::json::exception&) {
        throw Error(ErrorCode::InvalidData,
                    "predictions need \"videos\": [{\"source\", \"intervals\": [{\"label\", \"start\", \"end\"}]}] "
                    "(vidseg predict --out FILE)",
                    path);
    }
    return out;
}

// Multi-hot rows (step-second grid, a row carries a label when its middle lies in an interval) of
// the given segments of one source.
void add_rows(const std::vector<LabeledSegment>& segments, const std::string& source, std::size_t rows, double step,
              const std::vector<std::string>& labels, std::vector<std::uint8_t>& table) {
    const std::size_t base = table.size();
    table.resize(base + rows * labels.size(), 0);
    for (const auto& s : segments) {
        if (s.source != source) continue;
        const auto col = std::size_t(std::lower_bound(labels.begin(), labels.end(), s.label) - labels.begin());
        for (std::size_t r = 0; r < rows; ++r) {
            const double mid = (double(r) + 0.5) * step;
            if (mid >= s.span.start && mid < s.span.end) table[base + r * labels.size() + col] = 1;
        }
    }
}

std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
}

void print_scores(const char* title, const std::vector<eval::LabelScores>& per_label, double micro_f1,
                  const eval::BinaryCounts& micro, double macro_f1) {
    std::printf("%s\n%-24s %9s %9s %9s %6s %6s %6s\n", title, "pattern", "precision", "recall", "F1", "TP", "FP",
                "FN");
    for (const auto& l : per_label)
        std::printf("%-24s %9s %9s %9s %6lld %6lld %6lld\n", l.label.c_str(), fmt(l.counts.precision()).c_str(),
                    fmt(l.counts.recall()).c_str(), fmt(l.counts.f1()).c_str(), l.counts.tp, l.counts.fp,
                    l.counts.fn);
    std::printf("%-24s %9s %9s %9s %6lld %6lld %6lld\n", "micro", fmt(micro.precision()).c_str(),
                fmt(micro.recall()).c_str(), fmt(micro_f1).c_str(), micro.tp, micro.fp, micro.fn);
    std::printf("%-24s %29s\n\n", "macro F1", fmt(macro_f1).c_str());
}

// Held-out transcribed lessons: vidseg's text model and the bag-of-words baseline on the same split.
int run_text_eval(const ParsedOptions& options, Context& context) {
    if (!options.given("train"))
        throw Error(ErrorCode::InvalidArgument,
                    "--table TEST needs --train TABLE: the training lessons of the bag-of-words baseline (and of the "
                    "model, without --model)");
    const auto columns = table_columns(options);
    const auto test = text::read_utterance_table(options.str("table"), columns);
    const auto train = text::read_utterance_table(options.str("train"), columns);
    const auto seed = std::uint64_t(options.integer("seed"));
    const auto model = options.given("model") ? models::UtteranceModel::load(options.str("model")) : [&] {
        models::UtteranceTrainOptions o;
        o.seed = seed;
        o.context = false;  // `train --data TABLE`'s default (--context none, bench/RESULTS.md session 10)
        return models::UtteranceModel::train(train, o);
    }();
    const auto baseline = models::train_bag_of_words_baseline(train, seed);
    const double step = options.number("step");
    const auto ours = models::evaluate_text_model(model, test, step);
    const auto base = models::evaluate_text_model(baseline, test, step);
    std::size_t utterances = 0;
    for (const auto& l : test) utterances += l.utterances.size();
    if (context.json) {
        const auto scores = [](const models::TextScores& t) {
            return nlohmann::json{{"utterances", eval::to_json(t.utterances)}, {"grid", eval::to_json(t.grid)}};
        };
        context.print_json({{"test_lessons", test.size()},
                            {"test_utterances", utterances},
                            {"step", step},
                            {"model", scores(ours)},
                            {"baseline", scores(base)},
                            {"baseline_kind", "bag-of-words (word unigram TF-IDF) logistic regression, threshold 0.5"}});
        return 0;
    }
    std::printf("%zu test lessons, %zu utterances, %zu labels\n\n", test.size(), utterances, model.labels().size());
    print_scores("text model, utterances", ours.utterances.per_label, ours.utterances.micro_f1, ours.utterances.micro,
                 ours.utterances.macro_f1);
    print_scores("text model, grid rows", ours.grid.per_label, ours.grid.micro_f1, ours.grid.micro, ours.grid.macro_f1);
    print_scores("bag-of-words baseline, utterances", base.utterances.per_label, base.utterances.micro_f1,
                 base.utterances.micro, base.utterances.macro_f1);
    print_scores("bag-of-words baseline, grid rows", base.grid.per_label, base.grid.micro_f1, base.grid.micro,
                 base.grid.macro_f1);
    return 0;
}

int run_patterns_eval(const ParsedOptions& options, Context& context) {
    if (options.given("table")) return run_text_eval(options, context);
    for (const char* required : {"pred", "labels"})
        if (!options.given(required))
            throw Error(ErrorCode::InvalidArgument, std::string("--") + required + " is required");
    const double step = options.number("step");
    std::set<std::string> predicted_sources;
    const auto predicted = read_predicted_segments(options.str("pred"), predicted_sources);
    const auto labels_in = models::read_interval_labels(options.str("labels"), models::Task::Patterns);

    // Score only the sources that were predicted: a label file may describe more lessons (the training ones).
    std::vector<LabeledSegment> truth;
    std::set<std::string> labelled;
    std::set<std::string> label_set;
    for (const auto& i : labels_in.intervals) {
        const std::string key = models::source_key(i.source);
        labelled.insert(key);
        for (const auto& l : i.labels) {
            label_set.insert(l);
            if (predicted_sources.count(key)) truth.push_back({key, l, i.span});
        }
    }
    std::vector<std::string> sources;
    for (const auto& s : predicted_sources)
        if (labelled.count(s)) sources.push_back(s);
    if (sources.empty())
        throw Error(ErrorCode::InvalidData,
                    "no predicted source has labels (sources are matched by file name without extension)",
                    options.str("pred") + " / " + options.str("labels"));
    std::vector<LabeledSegment> scored_predictions;
    for (const auto& p : predicted)
        if (labelled.count(p.source)) {
            scored_predictions.push_back(p);
            label_set.insert(p.label);
        }
    const std::vector<std::string> labels(label_set.begin(), label_set.end());

    std::vector<std::uint8_t> truth_rows, predicted_rows;
    for (const auto& source : sources) {
        double end = 0;
        for (const auto* list : {&truth, &scored_predictions})
            for (const auto& s : *list)
                if (s.source == source) end = std::max(end, s.span.end);
        const auto rows = static_cast<std::size_t>(std::ceil(end / step));
        add_rows(truth, source, rows, step, labels, truth_rows);
        add_rows(scored_predictions, source, rows, step, labels, predicted_rows);
    }
    const auto rows = eval::multilabel_metrics(truth_rows, predicted_rows, labels);
    const auto segments = eval::match_segments(truth, scored_predictions, options.number("min-iou"), labels);

    if (context.json) {
        context.print_json({{"sources", sources},
                            {"step", step},
                            {"min_iou", options.number("min-iou")},
                            {"rows", eval::to_json(rows)},
                            {"segments", eval::to_json(segments)}});
        return 0;
    }
    std::printf("%zu lessons, %zu labels, %zu true and %zu predicted intervals\n\n", sources.size(), labels.size(),
                truth.size(), scored_predictions.size());
    print_scores("rows (per time step)", rows.per_label, rows.micro_f1, rows.micro, rows.macro_f1);
    char title[64];
    std::snprintf(title, sizeof title, "segments (IoU >= %.2f)", options.number("min-iou"));
    print_scores(title, segments.per_label, segments.micro_f1, segments.micro, segments.macro_f1);
    return 0;
}

}  // namespace

Command patterns_eval_command() {
    CommandSpec spec{
        .name = "patterns eval",
        .summary = "Score pattern predictions against labelled intervals (micro/macro F1, per pattern, IoU).",
        .description =
            "Reads the JSON of `vidseg predict --out P.json` and the labelled intervals of a dataset folder or\n"
            "metadata.jsonl, matches lessons by file name, and reports (a) row-level multi-label scores on a\n"
            "--step grid (a row carries a pattern when its middle lies in an interval): per-pattern\n"
            "precision / recall / F1, micro and macro F1; (b) segment-level scores: predicted and true\n"
            "intervals of one pattern matched one-to-one by IoU >= --min-iou. Only predicted lessons are scored.\n"
            "--table TEST --train TRAIN (tables of utterances, `vidseg train --data TABLE`'s format, the\n"
            "columns named by the --*-column options) scores a text model (--model, else one trained on TRAIN) per utterance and on the\n"
            "--step grid, next to a bag-of-words logistic-regression baseline trained on TRAIN in the same run.",
        .options =
            {
                {.name = "pred", .type = OptionType::Path, .help = "Predictions (vidseg predict --out).",
                 .metavar = "P.json"},
                {.name = "labels", .type = OptionType::Path, .help = "Dataset folder or metadata.jsonl.",
                 .metavar = "LABELS"},
                {.name = "step", .type = OptionType::Double, .default_value = "1",
                 .help = "Row grid of the row-level scores.", .metavar = "SECONDS", .min = 0.01},
                {.name = "min-iou", .type = OptionType::Double, .default_value = "0.5",
                 .help = "Least IoU for a segment match.", .metavar = "X", .min = 0.01, .max = 1},
                {.name = "table", .type = OptionType::Path,
                 .help = "Held-out table of utterances (.csv/.tsv/.xlsx): score a text model on it instead.",
                 .metavar = "TEST"},
                {.name = "train", .type = OptionType::Path,
                 .help = "With --table: the training table of the bag-of-words baseline (and of the model\n"
                         "when --model is not given).",
                 .metavar = "TABLE"},
                {.name = "model", .type = OptionType::Path, .help = "With --table: the text model to score.",
                 .metavar = "MODEL"},
                {.name = "seed", .type = OptionType::Int, .default_value = "1", .help = "With --table: training seed.",
                 .min = 0},
            },
        .examples = "  vidseg predict --model m.model feats/test/ --out pred.json\n"
                    "  vidseg patterns eval --pred pred.json --labels dataset/metadata.jsonl --json\n"
                    "  vidseg patterns eval --table test.csv --train train.csv --model text.model",
    };
    const auto columns = table_column_options();  // of --table and --train
    spec.options.insert(spec.options.end(), columns.begin(), columns.end());
    return {spec, run_patterns_eval};
}

}  // namespace vidseg::cli
