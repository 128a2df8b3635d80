#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "command.hpp"
#include "table_options.hpp"
#include "vidseg/asr/whisper_options.hpp"
#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/intro/fingerprint_cache.hpp"
#include "vidseg/intro/intro_labels.hpp"
#include "vidseg/models/feature_files.hpp"
#include "vidseg/models/text_prediction.hpp"
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
    if (!p.intro_heads.empty()) {  // the BiLSTM's chunk heads: presence gates the intro, start/end for callers
        nlohmann::json heads = nlohmann::json::array();
        for (const auto& h : p.intro_heads)
            heads.push_back({{"chunk_start", h.chunk.start},
                             {"chunk_end", h.chunk.end},
                             {"presence", h.presence},
                             {"start", h.intro.start},
                             {"end", h.intro.end}});
        doc["intro_heads"] = heads;
    }
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

struct FailedItem {
    std::string input;
    Error error;
};

models::ItemTranscript item_transcript(const ParsedOptions& options, std::size_t items) {
    models::ItemTranscript transcript;  // the text columns of a model that reads them
    if (options.given("transcript")) {
        if (items != 1)
            throw Error(ErrorCode::InvalidArgument,
                        "--transcript is the transcript of one lesson: give one input (with several videos, put each "
                        "one's LESSON.srt / .vtt / .transcript.json beside it, or use --whisper-backend)");
        transcript.file = options.str("transcript");
    }
    transcript.transcriber = asr::whisper_config(options);
    return transcript;
}

std::optional<double> threshold_option(const ParsedOptions& options) {
    return options.given("threshold") ? std::optional<double>(options.number("threshold")) : std::nullopt;
}

// A text model (`train --data TABLE`): videos with transcripts, transcripts, tables of utterances.
// Every input is tried as for the networks; intervals carry the n-grams behind them.
int run_predict_text(const ParsedOptions& options, Context& context) {
    const auto model = models::UtteranceModel::load(options.str("model"));
    const auto& items = options.positionals();
    models::TextPredictOptions o;
    o.transcript = item_transcript(options, items.size());
    o.columns = table_columns(options);
    o.threshold = threshold_option(options);
    o.merge_gap = options.number("merge-gap");
    o.min_length = options.number("min-length");
    nlohmann::json videos = nlohmann::json::array(), failed = nlohmann::json::array();
    std::vector<Error> errors;
    for (const auto& item : items) {
        try {
            for (const auto& lesson : models::predict_text_item(model, item, o)) {
                auto doc = prediction_json(lesson.prediction, options.flag("rows"));
                doc["intervals"] = models::explained_intervals(model, lesson, 5);
                doc["utterances"] = lesson.segments.size();
                videos.push_back(std::move(doc));
            }
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
    features::IntroSimilarityOptions season;  // fused intro models; empty series_dir = each video's folder
    if (options.given("series-dir")) season.series_dir = options.str("series-dir");
    season.visual = !options.flag("series-audio-only");
    if (!options.flag("no-intro-cache"))
        season.cache_dir = options.given("intro-cache") ? fs::path(options.str("intro-cache"))
                                                        : intro::FingerprintCache::default_dir();

    const auto transcript = item_transcript(options, items.size());
    const auto threshold = threshold_option(options);

    // Every item is tried; a bad one (missing, not media, features that do not fit the model) is
    // reported by name and the others still run. Cancellation is not an item's failure.
    std::vector<models::Prediction> predictions;
    std::vector<double> seconds;
    std::vector<FailedItem> failed;
    for (const auto& item : items) {
        try {
            const auto m = models::features_for_item(item, info, context.progress.get(), season, transcript);
            const auto t0 = std::chrono::steady_clock::now();
            // A feature file that does not fit the model is named as given (its matrix names the video).
            auto p = [&] {
                try {
                    return model.predict(m, threshold);
                } catch (const Error& e) {
                    // Features computed here from a video that do not fit (no rows, a NaN where the picture
                    // or the sound has no data, audio columns of a video without sound) are the media's fault
                    // — unless the video gives none of the model's columns (a model of other features).
                    const auto& want = info.spec.columns;
                    const bool some_columns =
                        std::any_of(want.begin(), want.end(), [&](const std::string& c) {
                            return std::find(m.spec.columns.begin(), m.spec.columns.end(), c) !=
                                   m.spec.columns.end();
                        });
                    if (e.code() == ErrorCode::InvalidData && !models::is_feature_file(item) && some_columns)
                        throw Error(ErrorCode::InvalidMedia,
                                    e.cause() +
                                        " (features computed from this video: a stream the model reads is "
                                        "missing or has no data there)",
                                    item);
                    if (e.code() != ErrorCode::InvalidData || !models::is_feature_file(item) || m.source == item) throw;
                    throw Error(e.code(), e.cause() + " (features of " + m.source + ")", item);
                }
            }();
            seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
            p.detections = models::decode_detections(p, info.spec.step, info.task, options.number("merge-gap"),
                                                     options.number("min-length"));
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
        doc["videos"].push_back(prediction_json(predictions[i], options.flag("rows")));
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
    CommandSpec spec{
        .name = "predict",
        .summary = "Run a trained model on videos or feature files: labelled intervals with scores.",
        .description =
            "Loads a model written by `vidseg train`, checks that the features have its step, window and\n"
            "columns, and prints the intervals where each label holds (runs of rows whose probability reaches\n"
            "the model's threshold; Viterbi paths for transformer-crf) with their mean probability.\n"
            "Intro models give at most one intro per video. A video (any non-feature file) has its features\n"
            "computed first on the model's grid, as `vidseg features` would, with the model's chroma tuning\n"
            "(auto or fixed, as its training features were) and only the column groups it reads (an audio-only\n"
            "model decodes no video). A feature file computed with another chroma tuning is refused (exit 7).\n"
            "A folder gives its feature files,\n"
            "or, when it has none, its videos; a file there with a feature file's name but other content (intro\n"
            "labels .json, labeled.csv, metadata.jsonl) is skipped and listed (\"skipped\" in --json).\n"
            "Every input is tried: one that fails (missing, not media, features that do not fit the model) is\n"
            "reported by name and the others still run; then --out and --predictions are not written and the\n"
            "exit code is 1. With --keep-going the good inputs are written and the exit code is 0. When no\n"
            "input could be predicted, the first failure's exit code is returned.\n"
            "A model that reads text columns (trained on transcripts) gets them from --transcript FILE, else\n"
            "from --whisper-backend transcribing the video, else from a transcript beside the video.\n"
            "A text model (`vidseg train --data TABLE`) predicts per utterance and projects onto 1 s rows; its\n"
            "inputs are videos (with a transcript as above), transcripts (.srt, .vtt, .json) and tables of\n"
            "utterances (each lesson in them); every interval lists the n-grams that drove it (top_ngrams).",
        .positionals = {{.name = "INPUT", .help = "Videos, feature files (.csv/.jsonl) or folders of either.", .min_count = 1,
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
                {.name = "transcript", .type = OptionType::Path,
                 .help = "Models that read text columns: the lesson's transcript (.json segments, .srt, .vtt;\n"
                         "one input). Without it: --whisper-backend, else LESSON.srt/.vtt/.transcript.json beside it.",
                 .metavar = "FILE"},
                {.name = "threshold", .type = OptionType::Double,
                 .help = "Probability a row needs to carry a label, for every label (default: the model's\n"
                         "per-pattern thresholds tuned at training).",
                 .metavar = "P", .min = 0.001, .max = 0.999},
                {.name = "keep-going", .type = OptionType::Flag,
                 .help = "When some inputs fail, still write the others' results and exit 0."},
                {.name = "series-dir", .type = OptionType::Path,
                 .help = "Fused intro models (trained with `vidseg features --series-dir`): the season the videos\n"
                         "are compared with (default: each video's own folder).",
                 .metavar = "DIR"},
                {.name = "series-audio-only", .type = OptionType::Flag,
                 .help = "Fused intro models: compare sound only (no video decoding for the season)."},
                {.name = "intro-cache", .type = OptionType::Path,
                 .help = "Fingerprint cache of the season (default: that of `vidseg intro detect`).", .metavar = "DIR"},
                {.name = "no-intro-cache", .type = OptionType::Flag, .help = "Fused intro models: no fingerprint cache."},
            },
        .examples = "  vidseg predict --model patterns.model features/lesson7.features.jsonl\n"
                    "  vidseg predict --model intro.model feats/ --predictions test_predictions.json --json\n"
                    "  vidseg predict --model patterns.model lessons/ --keep-going --out predictions.json\n"
                    "  vidseg predict --model intro-fused.model season2/   (each episode compared with its season)",
    };
    const auto whisper = asr::whisper_option_specs();
    spec.options.insert(spec.options.end(), whisper.begin(), whisper.end());
    const auto columns = table_column_options();  // tables of utterances, for a text model
    spec.options.insert(spec.options.end(), columns.begin(), columns.end());
    spec.options.push_back(language_option());
    return {spec, run_predict};
}

}  // namespace vidseg::cli
