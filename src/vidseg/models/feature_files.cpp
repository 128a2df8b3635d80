#include "vidseg/models/feature_files.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/features/feature_io.hpp"
#include "vidseg/features/text_embedder.hpp"
#include "vidseg/features/text_timeline.hpp"
#include "vidseg/features/timeline_features.hpp"
#include "vidseg/media/audio_reader.hpp"
#include "vidseg/media/media_file_name.hpp"
#include "vidseg/models/lesson_transcript.hpp"

namespace vidseg::models {

namespace {
namespace fs = std::filesystem;

std::string lower_extension(const fs::path& p) {
    std::string ext = p.extension().string();
    for (auto& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

// "; skipped a.json, b.csv (not feature files)" for an error message; empty when nothing was skipped.
std::string skipped_summary(const std::vector<SkippedFile>& skipped) {
    if (skipped.empty()) return "";
    std::string names;
    for (const auto& s : skipped) names += (names.empty() ? "" : ", ") + fs::path(s.path).filename().string();
    return "; skipped " + names + " (not feature files)";
}

}  // namespace

bool is_feature_file(const fs::path& p) {
    const auto ext = lower_extension(p);
    if (ext == ".json" && lower_extension(p.stem()) == ".npy") return false;  // the sidecar of F.npy, read with it
    return ext == ".csv" || ext == ".jsonl" || ext == ".json" || ext == ".npy";
}

bool has_feature_file_content(const fs::path& p, std::string* why_not) {
    const auto no = [&](const std::string& reason) {
        if (why_not) *why_not = reason;
        return false;
    };
    if (!is_feature_file(p)) return no("not a feature file name (.csv, .jsonl, .json, .npy)");
    std::ifstream in(p, std::ios::binary);
    if (!in) return no("cannot be read");
    const auto ext = lower_extension(p);
    if (ext == ".npy") {
        char magic[6] = {};
        in.read(magic, sizeof magic);
        if (in.gcount() != 6 || std::string(magic, 6) != "\x93NUMPY") return no("not a NumPy .npy file");
        return true;
    }
    // The first line: a feature file's header (a CSV header or the JSONL spec line; columns make it a
    // few KB). A longer first line is not one (e.g. a minified JSON document).
    constexpr std::size_t kMaxHeader = std::size_t{4} << 20;
    std::string line;
    for (char c; line.size() <= kMaxHeader && in.get(c) && c != '\n';) line += c;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);  // UTF-8 BOM
    if (ext == ".csv") {
        if (line.substr(0, line.find(',')) != "time")
            return no("not a feature file: the CSV header does not start with 'time' (labels or another table?)");
        return true;
    }
    if (line.size() <= kMaxHeader) {
        try {
            const auto doc = nlohmann::json::parse(line);
            // The header of features/feature_io.hpp's JSON Lines form.
            if (doc.is_object() && doc.value("format", std::string()) == "vidseg.features") return true;
        } catch (const nlohmann::json::exception&) {
        }
    }
    return no("not a feature file: the first line is not a vidseg.features header (labels or other JSON?)");
}

std::vector<features::FeatureMatrix> read_feature_files(const std::vector<std::string>& paths,
                                                        std::vector<SkippedFile>* skipped) {
    std::vector<fs::path> files;
    for (const auto& p : paths) {
        std::error_code ec;
        if (!fs::exists(p, ec)) throw Error(ErrorCode::InputNotFound, "features not found", p);
        if (fs::is_directory(p, ec)) {
            std::vector<fs::path> found;
            std::vector<SkippedFile> left_out;
            for (const auto& e : fs::directory_iterator(p)) {
                if (!e.is_regular_file() || !is_feature_file(e.path())) continue;
                std::string why_not;
                if (has_feature_file_content(e.path(), &why_not)) found.push_back(e.path());
                else left_out.push_back({e.path().string(), why_not});
            }
            std::sort(left_out.begin(), left_out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
            if (skipped) skipped->insert(skipped->end(), left_out.begin(), left_out.end());
            if (found.empty())
                throw Error(ErrorCode::InvalidData,
                            "no feature files (.csv, .jsonl, .npy) in the folder (run 'vidseg features')" +
                                skipped_summary(left_out),
                            p);
            std::sort(found.begin(), found.end());
            files.insert(files.end(), found.begin(), found.end());
        } else {
            files.emplace_back(p);
        }
    }
    std::vector<features::FeatureMatrix> out;
    for (const auto& f : files) {
        auto m = features::read_features(f);
        if (m.source.empty()) m.source = f.string();
        out.push_back(std::move(m));
    }
    return out;
}

PredictionInputs expand_prediction_inputs(const std::vector<std::string>& paths) {
    PredictionInputs out;
    for (const auto& p : paths) {
        std::error_code ec;
        if (!fs::is_directory(p, ec)) {
            out.items.push_back(p);
            continue;
        }
        std::vector<fs::path> feature_files, media_files;
        std::vector<SkippedFile> left_out;
        for (const auto& e : fs::directory_iterator(p)) {
            if (!e.is_regular_file()) continue;
            std::string why_not;
            if (is_feature_file(e.path())) {
                if (has_feature_file_content(e.path(), &why_not)) feature_files.push_back(e.path());
                else left_out.push_back({e.path().string(), why_not});
            } else if (media::is_media_file_name(e.path())) {
                media_files.push_back(e.path());
            }
        }
        std::sort(left_out.begin(), left_out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
        out.skipped.insert(out.skipped.end(), left_out.begin(), left_out.end());
        auto& found = feature_files.empty() ? media_files : feature_files;
        if (found.empty())
            throw Error(ErrorCode::InvalidData,
                        "no feature files (.csv, .jsonl, .npy) and no videos in the folder" + skipped_summary(left_out), p);
        std::sort(found.begin(), found.end());
        for (const auto& f : found) out.items.push_back(f.string());
    }
    return out;
}

bool reads_text(const features::FeatureSpec& spec) {
    return std::any_of(spec.columns.begin(), spec.columns.end(), [](const std::string& c) {
        return features::column_group(c) == features::ColumnGroup::Text;
    });
}

std::vector<timeline::TranscriptSegment> transcript_for_item(const std::string& path, const ItemTranscript& t) {
    if (!t.file.empty()) return read_lesson_transcript(t.file);
    if (t.transcriber.backend != asr::Backend::None) {
        auto transcriber = asr::make_transcriber(t.transcriber);
        auto segments = transcriber->transcribe(media::read_audio(path, media::AudioFormat{})).segments;
        if (t.transcribed) *t.transcribed = segments;
        if (t.transcribed_by) *t.transcribed_by = transcriber->description();
        return segments;
    }
    if (const auto beside = find_transcript_beside(path)) return read_lesson_transcript(*beside);
    throw Error(ErrorCode::InvalidArgument,
                "the model reads text columns (computed from a transcript) and the video has none: give "
                "--transcript FILE (.json segments, .srt, .vtt), or --whisper-backend to transcribe it, or put "
                "LESSON.srt / .vtt / .transcript.json beside the video",
                path);
}

features::FeatureMatrix features_for_item(const std::string& path, const ModelInfo& model, Progress* progress,
                                          const features::IntroSimilarityOptions& season,
                                          const ItemTranscript& transcript) {
    const auto& grid = model.spec;
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error(ErrorCode::InputNotFound, "input not found", path);
    if (is_feature_file(path)) {
        auto m = std::move(read_feature_files({path}).front());
        const bool has_text = std::any_of(m.spec.columns.begin(), m.spec.columns.end(), [](const std::string& c) {
            return features::column_group(c) == features::ColumnGroup::Text;
        });
        // A feature file of sound and pictures only, and the lesson's transcript: add the text columns.
        if (!has_text && reads_text(grid) && !transcript.file.empty())
            features::append_text_columns(read_lesson_transcript(transcript.file), m);
        return m;
    }
    // Sentence embeddings need the encoder the model was trained with, which the model does not name yet:
    // say how to get them rather than fail later on the missing columns.
    for (const auto& c : grid.columns)
        if (c.rfind(features::kTextEmbedPrefix, 0) == 0)
            throw Error(ErrorCode::InvalidArgument,
                        "the model reads sentence embeddings (" + c + " ...): compute them with `vidseg features " +
                            "VIDEO --transcript T --text-encoder ENCODER --out F.jsonl` (the encoder it was trained "
                            "with) and predict on F.jsonl",
                        path);
    const auto is_similarity = [](const std::string& c) {
        return c == features::kIntroSimilarityAudio || c == features::kIntroSimilarityVisual;
    };
    const auto& columns = grid.columns;
    const bool fused = std::any_of(columns.begin(), columns.end(), is_similarity);
    features::IntroSimilarityOptions s = season;  // a fused intro model: the episode against its season
    if (fused && s.series_dir.empty()) s.series_dir = fs::absolute(path, ec).parent_path();
    if (fused && std::all_of(columns.begin(), columns.end(), is_similarity)) {  // the profile alone: no other decoding
        auto m = features::intro_similarity_matrix(path, s, grid.step, grid.window, nullptr, progress);
        m.source = path;
        return m;
    }
    features::TimelineOptions options;
    options.step = grid.step;
    options.window = grid.window;
    // Only the groups the model reads: decoding the other stream would be wasted (an audio-only model
    // on an hour of video: the whole video decode).
    options.audio = options.visual = false;
    for (const auto& c : columns) {
        if (is_similarity(c)) continue;
        switch (features::column_group(c)) {
            case features::ColumnGroup::Audio: options.audio = true; break;
            case features::ColumnGroup::Visual: options.visual = true; break;
            case features::ColumnGroup::Text: break;  // from the transcript below
            case features::ColumnGroup::Other: options.audio = options.visual = true; break;
        }
    }
    if (reads_text(grid)) options.transcript_segments = transcript_for_item(path, transcript);
    options.spectral.tuning = model.chroma.estimated ? 0.0 : model.chroma.fixed;
    options.estimate_tuning = model.chroma.estimated && reads_chroma(grid);  // an extra audio pass: only when read
    auto result = features::compute_timeline_features(path, options, progress);
    result.matrix.source = path;
    if (fused) features::append_intro_similarity_columns(path, s, result.matrix, progress);
    return std::move(result.matrix);
}

}  // namespace vidseg::models
