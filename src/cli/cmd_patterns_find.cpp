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
#include "vidseg/asr/transcriber.hpp"
#include "vidseg/models/feature_files.hpp"
#include "vidseg/models/lesson_context.hpp"
#include "vidseg/models/pattern_report.hpp"
#include "vidseg/text/utterance_table.hpp"
#include "vidseg/models/text_prediction.hpp"
#include "vidseg/models/trained_model.hpp"
#include "vidseg/models/utterance_model.hpp"

namespace vidseg::cli {

namespace {

namespace fs = std::filesystem;

// The console summary in the language of --lang; pattern names are data and stay as the model has them.
void print_summary(const nlohmann::json& doc, const models::LessonContext& lesson, const Messages& m) {
    const auto line = [](const std::string& text) { std::printf("%s\n", text.c_str()); };
    const auto padded = [](const char* format, double value) {
        char buf[48];
        std::snprintf(buf, sizeof buf, format, value);
        return std::string(buf);
    };
    line(m.text(Msg::PatternsLesson, {{"source", doc["source"].get<std::string>()},
                                      {"minutes", one_decimal(doc["duration"].get<double>() / 60)}}));
    for (const auto& t : doc["totals"]) {
        char name[256];
        std::snprintf(name, sizeof name, "%-40s", t["label"].get<std::string>().c_str());
        line(m.text(Msg::PatternsTotal,
                    {{"pattern", name},
                     {"seconds", padded("%7.1f", t["seconds"].get<double>())},
                     {"share", padded("%5.1f", 100 * t["share"].get<double>())},
                     {"intervals", m.count(Msg::CountIntervals, t["intervals"].get<long long>())}}));
    }
    if (lesson.talk)
        line(m.text(Msg::PatternsTalk,
                    {{"teacher", one_decimal(100 * lesson.talk->teacher_share)},
                     {"students", one_decimal(100 * lesson.talk->student_share)},
                     {"silence", one_decimal(100 * lesson.talk->silence_share)},
                     {"one_voice", lesson.talk->speakers_separated ? "" : m.text(Msg::PatternsOneVoice)}}));
    else
        line(m.text(Msg::PatternsTalkUnavailable, {{"note", m.from_english(lesson.talk_note)}}));
    if (!lesson.snippets)
        line(m.text(Msg::PatternsTranscriptsUnavailable, {{"note", m.from_english(lesson.transcript_note)}}));
}

// The report and the JSON of one lesson (both model kinds).
int write_report(const ParsedOptions& options, Context& context, const models::Prediction& prediction,
                 const models::ModelInfo& info, const models::LessonContext& lesson_context) {
    const std::size_t shown = std::size_t(options.integer("top"));
    const auto doc = models::pattern_report_json(prediction, info, lesson_context, shown);
    if (options.given("report")) {
        const fs::path html = options.str("report");
        fs::path json = html;
        json.replace_extension(".json");
        write_file_atomic(json, doc.dump(2) + "\n");
        write_file_atomic(html, models::pattern_report_html(prediction, info, lesson_context, shown, context.messages));
        context.info(context.messages.text(Msg::PatternsReportWritten, {{"html", html.string()}, {"json", json.string()}}));
    }
    if (context.json) {
        context.print_json(doc);
        return 0;
    }
    print_summary(doc, lesson_context, context.messages);
    return 0;
}

// A text model (vidseg train --data TABLE): the lesson is a video with a transcript, a transcript, or
// a table of one lesson's utterances; the top segments carry the n-grams that drove them.
int run_text_patterns_find(const ParsedOptions& options, Context& context, const std::string& lesson) {
    const auto model = models::UtteranceModel::load(options.str("model"));
    models::TextPredictOptions o;
    o.transcript.file = options.str("transcript");
    o.columns = table_columns(options);
    o.transcript.transcriber = asr::whisper_config(options);
    std::vector<timeline::TranscriptSegment> transcribed;
    std::string transcribed_by;
    o.transcript.transcribed = &transcribed;
    o.transcript.transcribed_by = &transcribed_by;
    if (options.given("threshold")) o.threshold = options.number("threshold");
    o.merge_gap = options.number("merge-gap");
    o.min_length = options.number("min-length");
    auto lessons = models::predict_text_item(model, lesson, o);
    if (lessons.size() != 1)
        throw Error(ErrorCode::InvalidArgument,
                    "one lesson per report: the table holds " + std::to_string(lessons.size()) + " lessons", lesson);
    const auto& predicted = lessons.front();
    const auto top = models::top_segments(predicted.prediction, std::size_t(options.integer("top")));
    const bool video = !text::is_utterance_table(lesson) && !models::is_transcript_file(lesson);
    models::LessonContextOptions sources;
    if (video) sources.video = lesson;
    sources.transcript = options.str("transcript");
    sources.transcriber = o.transcript.transcriber;
    sources.transcribed = video ? &transcribed : &predicted.segments;
    sources.transcribed_by = video ? transcribed_by : lesson;
    sources.progress = context.progress.get();
    auto lesson_context = models::gather_lesson_context(sources, top);
    lesson_context.model_arch = model.arch();
    lesson_context.top_ngrams.emplace();
    for (const auto& d : top) {
        std::vector<std::pair<std::string, double>> words;
        for (const auto& w : model.explain(predicted.segments, d.span, d.label)) words.emplace_back(w.ngram, w.weight);
        lesson_context.top_ngrams->push_back(std::move(words));
    }
    models::ModelInfo info;
    info.task = models::Task::Patterns;
    info.labels = model.labels();
    info.thresholds = model.thresholds();
    info.spec.step = 1.0;
    return write_report(options, context, predicted.prediction, info, lesson_context);
}

int run_patterns_find(const ParsedOptions& options, Context& context) {
    if (!options.given("model")) throw Error(ErrorCode::InvalidArgument, "--model MODEL is required");
    if (models::UtteranceModel::is_text_model_file(options.str("model"))) {
        const std::string lesson = options.positionals().front();
        std::error_code ec;
        if (fs::is_directory(lesson, ec))
            throw Error(ErrorCode::InvalidArgument, "one lesson per report: give a video, its transcript or a table, "
                                                    "not a folder", lesson);
        return run_text_patterns_find(options, context, lesson);
    }
    const auto model = models::TrainedModel::load(options.str("model"));
    if (model.info().task != models::Task::Patterns)
        throw Error(ErrorCode::InvalidArgument, "this is an intro model; use 'vidseg predict' for intros",
                    options.str("model"));
    const std::string lesson = options.positionals().front();
    std::error_code ec;
    if (fs::is_directory(lesson, ec))
        throw Error(ErrorCode::InvalidArgument, "one lesson per report: give a video or its feature file, not a folder",
                    lesson);
    models::ItemTranscript transcript;  // the text columns of a model that reads them
    transcript.file = options.str("transcript");
    transcript.transcriber = asr::whisper_config(options);
    std::vector<timeline::TranscriptSegment> transcribed;
    std::string transcribed_by;
    transcript.transcribed = &transcribed;
    transcript.transcribed_by = &transcribed_by;
    const auto features = models::features_for_item(lesson, model.info(), context.progress.get(), {}, transcript);
    auto prediction = model.predict(features, options.given("threshold")
                                                  ? std::optional<double>(options.number("threshold"))
                                                  : std::nullopt);
    prediction.detections = models::decode_detections(prediction, model.info().spec.step, model.info().task,
                                                      options.number("merge-gap"), options.number("min-length"));
    const auto top = models::top_segments(prediction, std::size_t(options.integer("top")));

    // The lesson's media: the input itself, or the video a feature file names when it is still there.
    models::LessonContextOptions sources;
    if (!models::is_feature_file(lesson)) sources.video = lesson;
    else if (!features.source.empty() && !models::is_feature_file(features.source) && fs::is_regular_file(features.source, ec))
        sources.video = features.source;
    sources.features = &features;
    sources.transcript = options.str("transcript");
    sources.transcriber = transcript.transcriber;
    sources.transcribed = &transcribed;
    sources.transcribed_by = transcribed_by;
    sources.progress = context.progress.get();
    const auto lesson_context = models::gather_lesson_context(sources, top);
    return write_report(options, context, prediction, model.info(), lesson_context);
}

}  // namespace

Command patterns_find_command() {
    CommandSpec spec{
        .name = "patterns find",
        .summary = "Find pedagogical patterns in a lesson with a trained model; HTML report with a timeline.",
        .description =
            "Runs a patterns model (vidseg train --task patterns) on one lesson (a video, whose features are\n"
            "computed on the model's grid, or its feature file) and prints the time each pattern takes.\n"
            "--report writes a self-contained HTML page and the same figures as JSON beside it (FILE.json):\n"
            "  - an SVG timeline of every pattern's probability with the detected intervals, and a talk lane;\n"
            "  - totals per pattern;\n"
            "  - teacher / student talk and silence shares: speech = 1 s rows with voice activity, split into\n"
            "    two voices by k-means over the speech rows' mean MFCCs, the larger group taken as the teacher\n"
            "    (all speech is the teacher's when the groups are not clearly apart); the page says so;\n"
            "  - the top segments with the middle frame of each (JPEG embedded) and its transcript snippet.\n"
            "Transcript: --transcript FILE (transcript JSON of `dataset build` / ASR, .srt or .vtt), else\n"
            "--whisper-backend transcribes the lesson, else LESSON.srt / .vtt / .transcript.json beside the\n"
            "video is used; without any, the report says transcripts were not available.\n"
            "Given a feature file, the video it names (its 'source') supplies audio and frames when it exists.\n"
            "A text model (`vidseg train --data TABLE`) reads the lesson's transcript (a video with --transcript,\n"
            "--whisper-backend or one beside it; a .srt / .vtt / .json transcript; a table of one lesson's\n"
            "utterances); each top segment then lists the n-grams that drove it (\"top_ngrams\" in the JSON,\n"
            "a column of the report), and its scores are calibrated probabilities.",
        .positionals = {{.name = "LESSON", .help = "Lesson video or its feature file.", .min_count = 1, .max_count = 1}},
        .options =
            {
                {.name = "model", .short_name = 'm', .type = OptionType::Path, .help = "Model file (vidseg train).",
                 .metavar = "MODEL"},
                {.name = "report", .type = OptionType::Path, .help = "HTML report to write (JSON beside it).",
                 .metavar = "FILE.html"},
                {.name = "merge-gap", .type = OptionType::Double, .default_value = "2",
                 .help = "Join intervals of one pattern separated by at most this many seconds.", .metavar = "SECONDS",
                 .min = 0},
                {.name = "min-length", .type = OptionType::Double, .default_value = "3",
                 .help = "Drop intervals shorter than this.", .metavar = "SECONDS", .min = 0},
                {.name = "top", .type = OptionType::Int, .default_value = "10",
                 .help = "Top segments shown with keyframe and snippet.", .metavar = "N", .min = 1, .max = 1000},
                {.name = "transcript", .type = OptionType::Path,
                 .help = "The lesson's transcript (.json segments, .srt, .vtt) for the snippets and the text\n"
                         "columns of a model that reads them.",
                 .metavar = "FILE"},
                {.name = "threshold", .type = OptionType::Double,
                 .help = "Probability a row needs to carry a pattern, for every pattern (default: the model's\n"
                         "per-pattern thresholds tuned at training).",
                 .metavar = "P", .min = 0.001, .max = 0.999},
            },
        .examples = "  vidseg patterns find --model patterns.model lesson7.mp4 --report lesson7.html\n"
                    "  vidseg patterns find --model patterns.model lesson7.mp4 --transcript lesson7.srt --report r.html\n"
                    "  vidseg patterns find --model patterns.model lesson7.mp4 --whisper-backend faster-whisper --report r.html",
    };
    const auto whisper = asr::whisper_option_specs();
    spec.options.insert(spec.options.end(), whisper.begin(), whisper.end());
    const auto columns = table_column_options();  // a table of one lesson's utterances, for a text model
    spec.options.insert(spec.options.end(), columns.begin(), columns.end());
    spec.options.push_back(language_option());
    return {spec, run_patterns_find};
}

}  // namespace vidseg::cli
