#include "vidseg/models/text_prediction.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "vidseg/core/error.hpp"
#include "vidseg/media/probe.hpp"
#include "vidseg/models/lesson_transcript.hpp"

namespace vidseg::models {

namespace {

namespace fs = std::filesystem;

double end_of(const std::vector<timeline::TranscriptSegment>& segments) {
    double end = 0;
    for (const auto& s : segments) end = std::max(end, s.end);
    return end;
}

}  // namespace

bool is_transcript_file(const std::string& path) {
    std::string ext = fs::path(path).extension().string();
    for (auto& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    return ext == ".srt" || ext == ".vtt" || ext == ".json";
}

std::vector<TextLessonPrediction> predict_text_item(const UtteranceModel& model, const std::string& item,
                                                    const TextPredictOptions& o) {
    std::error_code ec;
    if (!fs::exists(item, ec)) throw Error(ErrorCode::InputNotFound, "input not found", item);
    std::vector<TextLessonPrediction> out;
    const auto predict = [&](const std::string& source, std::vector<timeline::TranscriptSegment> segments,
                             double duration) {
        auto p = model.predict(source, segments, duration, 1.0, o.threshold, o.merge_gap, o.min_length);
        out.push_back({std::move(p), std::move(segments)});
    };
    if (text::is_utterance_table(item)) {
        for (const auto& lesson : text::read_utterance_table(item, o.columns)) {
            auto segments = text::segments_of(lesson);
            const double end = end_of(segments);
            predict(lesson.lesson, std::move(segments), end);
        }
    } else if (is_transcript_file(item)) {
        auto segments = read_lesson_transcript(item);
        const double end = end_of(segments);
        predict(item, std::move(segments), end);
    } else {
        const auto info = media::probe(item, media::ProbeOptions{.scan_packets = false});
        predict(item, transcript_for_item(item, o.transcript), info.duration);
    }
    return out;
}

nlohmann::json explained_intervals(const UtteranceModel& model, const TextLessonPrediction& lesson, std::size_t top) {
    nlohmann::json intervals = nlohmann::json::array();
    for (const auto& d : lesson.prediction.detections) {
        nlohmann::json words = nlohmann::json::array();
        for (const auto& w : model.explain(lesson.segments, d.span, d.label, top))
            words.push_back({{"ngram", w.ngram}, {"weight", w.weight}});
        intervals.push_back(
            {{"label", d.label}, {"start", d.span.start}, {"end", d.span.end}, {"score", d.score}, {"top_ngrams", words}});
    }
    return intervals;
}

}  // namespace vidseg::models
