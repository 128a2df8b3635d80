#include "vidseg/models/feature_files.hpp"

#include <algorithm>
#include <filesystem>

#include "vidseg/core/error.hpp"
#include "vidseg/features/feature_io.hpp"
#include "vidseg/features/timeline_features.hpp"

namespace vidseg::models {

namespace {
namespace fs = std::filesystem;

bool is_feature_file(const fs::path& p) {
    const auto ext = p.extension().string();
    return ext == ".csv" || ext == ".jsonl" || ext == ".json";
}
}  // namespace

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
                throw Error(ErrorCode::InvalidData, "no feature files (.csv, .jsonl) in the folder (run 'vidseg features')", p);
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

std::vector<features::FeatureMatrix> features_for_inputs(const std::vector<std::string>& paths,
                                                         const features::FeatureSpec& grid, Progress* progress) {
    std::vector<features::FeatureMatrix> out;
    for (const auto& p : paths) {
        std::error_code ec;
        if (!fs::exists(p, ec)) throw Error(ErrorCode::InputNotFound, "input not found", p);
        if (fs::is_directory(p, ec) || is_feature_file(p)) {
            auto read = read_feature_files({p});
            for (auto& m : read) out.push_back(std::move(m));
            continue;
        }
        features::TimelineOptions options;
        options.step = grid.step;
        options.window = grid.window;
        auto result = features::compute_timeline_features(p, options, progress);
        result.matrix.source = p;
        out.push_back(std::move(result.matrix));
    }
    return out;
}

}  // namespace vidseg::models
