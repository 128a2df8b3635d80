#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "command.hpp"
#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/intro/intro_labels.hpp"
#include "vidseg/models/feature_files.hpp"
#include "vidseg/models/predict_options.hpp"
#include "vidseg/models/text_prediction.hpp"
#include "vidseg/models/trained_model.hpp"
#include "vidseg/models/training_set.hpp"

namespace vidseg::cli {

namespace {


struct FailedItem {
    std::string input;
    Error error;
};

// --transcript is one lesson's: refused with several inputs.
void check_transcript_items(const ParsedOptions& options, std::size_t items) {
    if (options.given("transcript") && items != 1)
        throw Error(ErrorCode::InvalidArgument,
                    "--transcript is the transcript of one lesson: give one input (with several videos, put each "
                    "one's LESSON.srt / .vtt / .transcript.json beside it, or use --whisper-backend)");
}

// A text model (`train --data TABLE`): videos with transcripts, transcripts, tables of utterances.
// Every input is tried as for the networks; intervals carry the n-grams behind them.
int run_predict_text(const ParsedOptions& options, Context& context) {
    const auto model = models::UtteranceModel::load(options.str("model"));
    const auto& items = options.positionals();
    check_transcript_items(options, items.size());
    const auto o = models::predict_config(options).text_options();
    nlohmann::json videos = nlohmann::json::array(), failed = nlohmann::json::array();
    std::vector<Error> errors;
    for (const auto& item : items) {
        try {
            for (const auto& lesson : models::predict_text_item(model, item, o))
                videos.push_back(models::text_prediction_json(model, lesson, options.flag("rows")));
        } catch (const Error& e) {
            if (e.code() == ErrorCode::Interrupted || items.size() == 1) throw;
            if (!context.quiet) std::fprintf(stderr, "error: %s: %s\n", item.c_str(), e.cause().c_str());
            failed.push_back({{"input", item}, {"error", error_code_name(e.code())}, {"message", e.cause()}});
            errors.push_back(e);
        }
    }
    if (videos.empty()) throw errors.front();
    const bool ok = failed.empty() || options.flag("keep-going");
    const nlohmann::json doc = {{"model", options.str("model")}, {"arch", model.arch()}, {"task", "patterns"},
                                {"videos", videos},              {"skipped", nlohmann::json::array()},
                                {"failed", failed}};
    if (options.given("out") && ok) write_file_atomic(options.str("out"), doc.dump(2) + "\n");
    if (context.json) {
        context.print_json(doc);
        return ok ? 0 : 1;
    }
    // The summary in the language of --lang, as the networks' (labels, file names and n-grams are data).
    const Messages& m = context.messages;
    const auto padded = [](double seconds) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "%9s", two_decimals(seconds).c_str());
        return std::string(buf);
    };
    for (const auto& v : videos) {
        std::printf("%s\n", m.count(Msg::PredictIntervals, static_cast<long long>(v["intervals"].size()),
                                    {{"source", v["source"].get<std::string>()}})
                                .c_str());
        for (const auto& d : v["intervals"]) {
            std::string words;
            for (const auto& w : d["top_ngrams"]) words += (words.empty() ? "" : ", ") + w["ngram"].get<std::string>();
            std::printf("%s%s\n",
                        m.text(Msg::PredictIntervalLine, {{"start", padded(d["start"].get<double>())},
                                                          {"end", padded(d["end"].get<double>())},
                                                          {"label", d["label"].get<std::string>()},
                                                          {"score", two_decimals(d["score"].get<double>())}})
                            .c_str(),
                        words.empty() ? "" : m.text(Msg::PredictWords, {{"words", words}}).c_str());
        }
    }
    if (!failed.empty())
        std::printf("%zu of %zu input(s) failed%s\n", failed.size(), items.size(),
                    options.flag("keep-going") ? "" : " (nothing written; --keep-going writes the good ones)");
    return ok ? 0 : 1;
}

int run_predict(const ParsedOptions& options, Context& context) {
    if (!options.given("model")) throw Error(ErrorCode::InvalidArgument, "--model MODEL is required");
    if (models::UtteranceModel::is_text_model_file(options.str("model"))) return run_predict_text(options, context);
    const auto model = models::TrainedModel::load(options.str("model"));
    const auto& info = model.info();
    const auto inputs = models::expand_prediction_inputs(options.positionals());
    const auto& items = inputs.items;
    const auto config = models::predict_config(options);
    check_transcript_items(options, items.size());

    // Every item is tried; a bad one (missing, not media, features that do not fit the model) is
    // reported by name and the others still run. Cancellation is not an item's failure.
    std::vector<models::Prediction> predictions;
    std::vector<double> seconds;
    std::vector<FailedItem> failed;
    for (const auto& item : items) {
        try {
            auto [p, inference_seconds] = models::predict_item(model, item, config, context.progress.get());
            seconds.push_back(inference_seconds);
            predictions.push_back(std::move(p));
        } catch (const Error& e) {
            if (e.code() == ErrorCode::Interrupted) throw;
            if (items.size() == 1) throw;  // a single input keeps its own exit code
            if (!context.quiet) std::fprintf(stderr, "error: %s: %s\n", item.c_str(), e.cause().c_str());
            failed.push_back({item, e});
        }
    }
    if (predictions.empty()) throw failed.front().error;  // nothing predicted: the first failure's exit code
    const bool write_outputs = failed.empty() || options.flag("keep-going");

    if (options.given("predictions") && write_outputs) {
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
        doc["videos"].push_back(models::prediction_json(predictions[i], options.flag("rows")));
        doc["videos"].back()["inference_seconds"] = seconds[i];  // the network only: features excluded
    }
    doc["skipped"] = nlohmann::json::array();  // files of the folders that only look like feature files
    for (const auto& s : inputs.skipped) doc["skipped"].push_back({{"input", s.path}, {"reason", s.reason}});
    doc["failed"] = nlohmann::json::array();
    for (const auto& f : failed)
        doc["failed"].push_back({{"input", f.input}, {"error", error_code_name(f.error.code())}, {"message", f.error.cause()}});
    const int exit_code = failed.empty() || options.flag("keep-going") ? 0 : 1;
    if (options.given("out") && write_outputs) write_file_atomic(options.str("out"), doc.dump(2) + "\n");
    if (context.json) {
        context.print_json(doc);
        return exit_code;
    }
    // The summary in the language of --lang; labels and file names are data.
    const Messages& m = context.messages;
    const auto line = [](const std::string& text) { std::printf("%s\n", text.c_str()); };
    const auto padded = [](double seconds) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "%9s", two_decimals(seconds).c_str());
        return std::string(buf);
    };
    for (const auto& p : predictions) {
        if (info.task == models::Task::Intro) {
            std::optional<timeline::Interval> intro;
            if (!p.detections.empty()) intro = p.detections.front().span;
            line(p.source + ": " + m.from_english(intro::intro_found_line(intro)) +
                 (intro ? m.text(Msg::PredictScore, {{"score", two_decimals(p.detections.front().score)}})
                        : ""));
            continue;
        }
        line(m.count(Msg::PredictIntervals, static_cast<long long>(p.detections.size()),
                     {{"source", p.source}}));
        for (const auto& d : p.detections)
            line(m.text(Msg::PredictIntervalLine, {{"start", padded(d.span.start)},
                                                   {"end", padded(d.span.end)},
                                                   {"label", d.label},
                                                   {"score", two_decimals(d.score)}}));
    }
    for (const auto& s : inputs.skipped)
        line(m.text(Msg::PredictSkipped, {{"input", s.path}, {"reason", m.from_english(s.reason)}}));
    if (!failed.empty())
        line(m.count(Msg::PredictFailed, static_cast<long long>(items.size()),
                     {{"failed", std::to_string(failed.size())},
                      {"rest", options.flag("keep-going") ? "" : m.text(Msg::PredictNothingWritten)}}));
    return exit_code;
}

}  // namespace

Command predict_command() {
    auto spec = models::predict_command_spec();
    spec.options.push_back(language_option());
    return {spec, run_predict};
}

}  // namespace vidseg::cli
