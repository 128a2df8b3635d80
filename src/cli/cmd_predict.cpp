#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "command.hpp"
#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/intro/intro_labels.hpp"
#include "vidseg/models/feature_files.hpp"
#include "vidseg/models/trained_model.hpp"
#include "vidseg/models/training_set.hpp"

namespace vidseg::cli {

namespace {

namespace fs = std::filesystem;

nlohmann::json prediction_json(const models::Prediction& p, bool rows) {
    nlohmann::json detections = nlohmann::json::array();
    for (const auto& d : p.detections)
        detections.push_back({{"label", d.label}, {"start", d.span.start}, {"end", d.span.end}, {"score", d.score}});
    nlohmann::json doc = {{"source", p.source}, {"labels", p.labels}, {"rows", p.times.size()}, {"intervals", detections}};
    if (rows) {
        nlohmann::json table = nlohmann::json::array();
        for (std::size_t r = 0; r < p.times.size(); ++r) {
            std::vector<float> probs(p.probabilities.begin() + long(r * p.labels.size()),
                                     p.probabilities.begin() + long((r + 1) * p.labels.size()));
            table.push_back({{"time", p.times[r]}, {"p", probs}});
        }
        doc["row_probabilities"] = table;
    }
    return doc;
}

int run_predict(const ParsedOptions& options, Context& context) {
    if (!options.given("model")) throw Error(ErrorCode::InvalidArgument, "--model MODEL is required");
    const auto model = models::TrainedModel::load(options.str("model"));
    const auto& info = model.info();
    const auto inputs = models::features_for_inputs(options.positionals(), info.spec, context.progress.get());

    std::vector<models::Prediction> predictions;
    std::vector<double> seconds;
    for (const auto& m : inputs) {
        const auto t0 = std::chrono::steady_clock::now();
        auto p = model.predict(m);
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        p.detections = models::decode_detections(p, info.spec.step, info.task, options.number("merge-gap"),
                                                 options.number("min-length"));
        predictions.push_back(std::move(p));
    }

    if (options.given("predictions")) {
        if (info.task != models::Task::Intro)
            throw Error(ErrorCode::InvalidArgument, "--predictions writes intro predictions; this model finds patterns");
        std::vector<intro::IntroLabel> labels;
        for (const auto& p : predictions) {
            std::optional<timeline::Interval> intro;
            if (!p.detections.empty()) intro = p.detections.front().span;
            labels.push_back({models::source_key(p.source), intro, {}, {}});
        }
        write_file_atomic(options.str("predictions"), intro::to_predictions_json(labels).dump(2) + "\n");
    }
    nlohmann::json doc = {{"model", options.str("model")},
                          {"arch", models::architecture_name(info.arch)},
                          {"task", models::task_name(info.task)},
                          {"videos", nlohmann::json::array()}};
    for (std::size_t i = 0; i < predictions.size(); ++i) {
        doc["videos"].push_back(prediction_json(predictions[i], options.flag("rows")));
        doc["videos"].back()["inference_seconds"] = seconds[i];  // the network only: features excluded
    }
    if (options.given("out")) write_file_atomic(options.str("out"), doc.dump(2) + "\n");
    if (context.json) {
        context.print_json(doc);
        return 0;
    }
    for (const auto& p : predictions) {
        if (info.task == models::Task::Intro) {
            std::optional<timeline::Interval> intro;
            if (!p.detections.empty()) intro = p.detections.front().span;
            std::printf("%s: %s%s\n", p.source.c_str(), intro::intro_found_line(intro).c_str(),
                        intro ? (" (score " + two_decimals(p.detections.front().score) + ")").c_str() : "");
            continue;
        }
        std::printf("%s: %zu intervals\n", p.source.c_str(), p.detections.size());
        for (const auto& d : p.detections)
            std::printf("  %9ss - %9ss  %s  (score %s)\n", two_decimals(d.span.start).c_str(), two_decimals(d.span.end).c_str(),
                        d.label.c_str(), two_decimals(d.score).c_str());
    }
    return 0;
}

}  // namespace

Command predict_command() {
    CommandSpec spec{
        .name = "predict",
        .summary = "Run a trained model on videos or feature files: labelled intervals with scores.",
        .description =
            "Loads a model written by `vidseg train`, checks that the features have its step, window and\n"
            "columns, and prints the intervals where each label holds (runs of rows whose probability reaches\n"
            "the model's threshold; Viterbi paths for transformer-crf) with their mean probability.\n"
            "Intro models give at most one intro per video. A video (any non-feature file) has its features\n"
            "computed first on the model's grid, as `vidseg features` would.",
        .positionals = {{.name = "INPUT", .help = "Videos, feature files (.csv/.jsonl) or folders of feature files.", .min_count = 1,
                         .max_count = -1}},
        .options =
            {
                {.name = "model", .short_name = 'm', .type = OptionType::Path, .help = "Model file (vidseg train).",
                 .metavar = "MODEL"},
                {.name = "merge-gap", .type = OptionType::Double, .default_value = "0",
                 .help = "Join intervals of one label separated by at most this many seconds.", .metavar = "SECONDS",
                 .min = 0},
                {.name = "min-length", .type = OptionType::Double, .default_value = "0",
                 .help = "Drop intervals shorter than this.", .metavar = "SECONDS", .min = 0},
                {.name = "out", .short_name = 'o', .type = OptionType::Path,
                 .help = "Also write the JSON document to FILE.", .metavar = "FILE"},
                {.name = "rows", .type = OptionType::Flag, .help = "Include per-row probabilities in the JSON."},
                {.name = "predictions", .type = OptionType::Path,
                 .help = "Intro models: write test_predictions.json ({\"<video>\": [start, end]}).", .metavar = "FILE"},
            },
        .examples = "  vidseg predict --model patterns.model features/lesson7.features.jsonl\n"
                    "  vidseg predict --model intro.model feats/ --predictions test_predictions.json --json",
    };
    return {spec, run_predict};
}

}  // namespace vidseg::cli
