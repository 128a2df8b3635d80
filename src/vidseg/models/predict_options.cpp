#include "vidseg/models/predict_options.hpp"

#include <algorithm>
#include <chrono>

#include "vidseg/asr/whisper_options.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/intro/fingerprint_cache.hpp"
#include "vidseg/models/feature_files.hpp"
#include "vidseg/text/table_column_options.hpp"

namespace vidseg::models {

namespace fs = std::filesystem;

CommandSpec predict_command_spec() {
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
    const auto columns = text::table_column_options();  // tables of utterances, for a text model
    spec.options.insert(spec.options.end(), columns.begin(), columns.end());
    return spec;
}

PredictConfig predict_config(const ParsedOptions& options) {
    PredictConfig config;
    if (options.given("model")) config.model = options.str("model");
    config.merge_gap = options.number("merge-gap");
    config.min_length = options.number("min-length");
    if (options.given("threshold")) config.threshold = options.number("threshold");
    config.rows = options.flag("rows");
    config.keep_going = options.flag("keep-going");
    if (options.given("transcript")) config.transcript.file = options.str("transcript");
    config.transcript.transcriber = asr::whisper_config(options);
    config.columns = text::table_columns(options);
    // Fused intro models: an empty series_dir is each video's own folder.
    if (options.given("series-dir")) config.season.series_dir = options.str("series-dir");
    config.season.visual = !options.flag("series-audio-only");
    if (!options.flag("no-intro-cache"))
        config.season.cache_dir = options.given("intro-cache") ? fs::path(options.str("intro-cache"))
                                                               : intro::FingerprintCache::default_dir();
    return config;
}

TextPredictOptions PredictConfig::text_options() const {
    TextPredictOptions o;
    o.transcript = transcript;
    o.columns = columns;
    o.threshold = threshold;
    o.merge_gap = merge_gap;
    o.min_length = min_length;
    return o;
}

ItemPrediction predict_item(const TrainedModel& model, const std::string& item, const PredictConfig& config,
                            Progress* progress) {
    const auto& info = model.info();
    const auto m = features_for_item(item, info, progress, config.season, config.transcript);
    const auto t0 = std::chrono::steady_clock::now();
    // A feature file that does not fit the model is named as given (its matrix names the video).
    auto p = [&] {
        try {
            return model.predict(m, config.threshold);
        } catch (const Error& e) {
            // Features computed here from a video that do not fit (no rows, a NaN where the picture
            // or the sound has no data, audio columns of a video without sound) are the media's fault
            // — unless the video gives none of the model's columns (a model of other features).
            const auto& want = info.spec.columns;
            const bool some_columns = std::any_of(want.begin(), want.end(), [&](const std::string& c) {
                return std::find(m.spec.columns.begin(), m.spec.columns.end(), c) != m.spec.columns.end();
            });
            if (e.code() == ErrorCode::InvalidData && !is_feature_file(item) && some_columns)
                throw Error(ErrorCode::InvalidMedia,
                            e.cause() +
                                " (features computed from this video: a stream the model reads is "
                                "missing or has no data there)",
                            item);
            if (e.code() != ErrorCode::InvalidData || !is_feature_file(item) || m.source == item) throw;
            throw Error(e.code(), e.cause() + " (features of " + m.source + ")", item);
        }
    }();
    ItemPrediction out;
    out.inference_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    p.detections = decode_detections(p, info.spec.step, info.task, config.merge_gap, config.min_length);
    out.prediction = std::move(p);
    return out;
}

nlohmann::json prediction_json(const Prediction& p, bool rows) {
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

nlohmann::json text_prediction_json(const UtteranceModel& model, const TextLessonPrediction& lesson, bool rows) {
    auto doc = prediction_json(lesson.prediction, rows);
    doc["intervals"] = explained_intervals(model, lesson, 5);
    doc["utterances"] = lesson.segments.size();
    return doc;
}

}  // namespace vidseg::models
