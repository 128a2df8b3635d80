#include "vidseg/models/transcript_features.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "vidseg/asr/fragment_transcripts.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/input_limits.hpp"
#include "vidseg/core/safe_path.hpp"
#include "vidseg/features/text_timeline.hpp"
#include "vidseg/features/timeline_features.hpp"

namespace vidseg::models {

namespace {

namespace fs = std::filesystem;

struct Lesson {
    double end = 0;
    std::vector<features::TranscriptSegment> segments;
};

std::vector<fs::path> metadata_files(const fs::path& dataset) {
    std::error_code ec;
    if (!fs::exists(dataset, ec))
        throw Error(ErrorCode::InputNotFound, "dataset not found", dataset.string());
    if (!fs::is_directory(dataset, ec)) return {dataset};
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(dataset))
        if (e.is_regular_file() && e.path().filename() == "metadata.jsonl") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    if (files.empty())
        throw Error(ErrorCode::InvalidData, "no metadata.jsonl in the dataset folder", dataset.string());
    return files;
}

// The fragment's own transcript file (segments relative to the fragment), if the builder wrote one.
fs::path fragment_transcript(const fs::path& metadata_dir, const nlohmann::json& row) {
    for (const char* key : {"file_name", "audio_path"})
        if (row.contains(key) && row[key].is_string()) {
            // The builder names transcripts after the fragment (a safe name); anything else in the
            // metadata is not looked up (a row is data: "../../x" must not read elsewhere).
            const std::string stem = fs::path(row[key].get<std::string>()).stem().string();
            if (!is_safe_file_name(stem)) continue;
            const fs::path candidate = metadata_dir / "transcripts" / (stem + ".json");
            std::error_code ec;
            if (fs::is_regular_file(candidate, ec) && lies_under(metadata_dir, candidate)) return candidate;
        }
    return {};
}

}  // namespace

TranscriptFeatures transcript_features_from_dataset(const fs::path& dataset, double step) {
    TranscriptFeatures out;
    std::map<std::string, Lesson> lessons;
    std::vector<std::string> order;
    for (const auto& file : metadata_files(dataset)) {
        std::istringstream in(read_limited_file(file));
        std::string line;
        for (int number = 1; std::getline(in, line); ++number) {
            if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
            const std::string where = "line " + std::to_string(number) + ": ";
            nlohmann::json row;
            double start = 0, end = 0;
            std::string source;
            try {
                row = nlohmann::json::parse(line);
                source = row.at("source_video").get<std::string>();
                start = row.at("start").get<double>();
                end = row.at("end").get<double>();
            } catch (const nlohmann::json::exception&) {
                throw Error(ErrorCode::InvalidData, where + "needs \"source_video\", \"start\" and \"end\"",
                            file.string());
            }
            if (!(end > start) || start < 0)
                throw Error(ErrorCode::InvalidData, where + "empty or negative interval", file.string());
            ++out.fragments;
            if (!lessons.count(source)) order.push_back(source);
            auto& lesson = lessons[source];
            lesson.end = std::max(lesson.end, end);
            if (const auto json = fragment_transcript(file.parent_path(), row); !json.empty()) {
                // Only the words said inside the fragment (Whisper pads; asr::keep_words_inside, as the
                // builder applies to new transcripts), then fragment time -> lesson time with the segment
                // bounds clipped to the fragment.
                auto transcript = asr::read_transcript_file(json);
                asr::keep_words_inside(transcript, end - start);
                for (auto& s : transcript.segments) {
                    s = timeline::shifted(std::move(s), start);
                    s.start = std::clamp(s.start, start, end);
                    s.end = std::clamp(s.end, start, end);
                    lesson.segments.push_back(std::move(s));
                }
                ++out.with_transcript;
            } else if (row.contains("transcript") && row["transcript"].is_string() &&
                       row["transcript"].get<std::string>().find_first_not_of(" \t\r\n") !=
                           std::string::npos) {
                lesson.segments.push_back({start, end, row["transcript"].get<std::string>(), {}});
                ++out.with_transcript;
            }
        }
    }
    if (out.fragments == 0)
        throw Error(ErrorCode::InvalidData, "empty dataset: no fragment rows", dataset.string());
    if (out.with_transcript == 0)
        throw Error(
            ErrorCode::InvalidData,
            "no fragment has a transcript: text-only training needs transcripts (build the dataset with "
            "--whisper-backend) or give --features",
            dataset.string());
    for (const auto& source : order) {
        const auto& lesson = lessons[source];
        features::FeatureMatrix m;
        m.source = source;
        m.spec.step = step;
        m.spec.window = step;
        const std::size_t rows = features::grid_rows(lesson.end, step);  // the rule of `vidseg features`
        for (std::size_t r = 0; r < rows; ++r) m.times.push_back(double(r) * step);
        features::append_text_columns(lesson.segments, m);
        out.matrices.push_back(std::move(m));
    }
    return out;
}

}  // namespace vidseg::models
