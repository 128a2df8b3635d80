#include "vidseg/models/feature_files.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "vidseg/core/error.hpp"
#include "vidseg/features/feature_io.hpp"
#include "vidseg/features/timeline_features.hpp"
#include "vidseg/media/media_file_name.hpp"

namespace vidseg::models {

namespace {
namespace fs = std::filesystem;

std::string lower_extension(const fs::path& p) {
    std::string ext = p.extension().string();
    for (auto& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

}  // namespace

bool is_feature_file(const fs::path& p) {
    const auto ext = lower_extension(p);
    if (ext == ".json" && lower_extension(p.stem()) == ".npy") return false;  // the sidecar of F.npy, read with it
    return ext == ".csv" || ext == ".jsonl" || ext == ".json" || ext == ".npy";
}

std::vector<features::FeatureMatrix> read_feature_files(const std::vector<std::string>& paths) {
    std::vector<fs::path> files;
    for (const auto& p : paths) {
        std::error_code ec;
        if (!fs::exists(p, ec)) throw Error(ErrorCode::InputNotFound, "features not found", p);
        if (fs::is_directory(p, ec)) {
            std::vector<fs::path> found;
            for (const auto& e : fs::directory_iterator(p))
                if (e.is_regular_file() && is_feature_file(e.path())) found.push_back(e.path());
            if (found.empty())
                throw Error(ErrorCode::InvalidData, "no feature files (.csv, .jsonl, .npy) in the folder (run 'vidseg features')", p);
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

std::vector<std::string> expand_prediction_inputs(const std::vector<std::string>& paths) {
    std::vector<std::string> out;
    for (const auto& p : paths) {
        std::error_code ec;
        if (!fs::is_directory(p, ec)) {
            out.push_back(p);
            continue;
        }
        std::vector<fs::path> feature_files, media_files;
        for (const auto& e : fs::directory_iterator(p)) {
            if (!e.is_regular_file()) continue;
            if (is_feature_file(e.path())) feature_files.push_back(e.path());
            else if (media::is_media_file_name(e.path())) media_files.push_back(e.path());
        }
        auto& found = feature_files.empty() ? media_files : feature_files;
        if (found.empty())
            throw Error(ErrorCode::InvalidData, "no feature files (.csv, .jsonl) and no videos in the folder", p);
        std::sort(found.begin(), found.end());
        for (const auto& f : found) out.push_back(f.string());
    }
    return out;
}

features::FeatureMatrix features_for_item(const std::string& path, const features::FeatureSpec& grid, Progress* progress,
                                          const features::IntroSimilarityOptions& season) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error(ErrorCode::InputNotFound, "input not found", path);
    if (is_feature_file(path)) return std::move(read_feature_files({path}).front());
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
    auto result = features::compute_timeline_features(path, options, progress);
    result.matrix.source = path;
    if (fused) features::append_intro_similarity_columns(path, s, result.matrix, progress);
    return std::move(result.matrix);
}

}  // namespace vidseg::models
