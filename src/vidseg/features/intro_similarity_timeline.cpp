#include "vidseg/features/intro_similarity_timeline.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <memory>

#include "vidseg/core/error.hpp"
#include "vidseg/features/timeline_features.hpp"
#include "vidseg/intro/fingerprint_cache.hpp"
#include "vidseg/intro/similarity_profile.hpp"
#include "vidseg/media/media_file_name.hpp"
#include "vidseg/media/probe.hpp"

namespace vidseg::features {

namespace {

namespace fs = std::filesystem;

bool same_file(const fs::path& a, const fs::path& b) {
    std::error_code ec;
    const bool same = fs::equivalent(a, b, ec);
    return !ec && same;
}

}  // namespace

std::vector<std::string> season_partners(const fs::path& dir, const std::string& episode) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) throw Error(ErrorCode::InputNotFound, "series directory not found", dir.string());
    if (!fs::is_directory(dir, ec)) throw Error(ErrorCode::InvalidArgument, "--series-dir is not a directory", dir.string());
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.is_regular_file() && media::is_media_file_name(entry.path()) && !same_file(entry.path(), episode))
            files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());
    return files;
}

IntroSimilarityResult append_intro_similarity_columns(const std::string& path, const IntroSimilarityOptions& options,
                                                      FeatureMatrix& m, Progress* progress) {
    IntroSimilarityResult result;
    const auto partners = season_partners(options.series_dir, path);
    if (partners.empty())
        throw Error(ErrorCode::InvalidArgument,
                    "--series-dir holds no other episode to compare with (media files other than the video itself)",
                    options.series_dir.string());
    result.partners = int(partners.size());
    intro::FingerprintOptions fp_options;
    fp_options.seconds = options.seconds;
    if (!options.visual) fp_options.visual.fps = 0;
    std::unique_ptr<intro::FingerprintCache> cache;
    if (!options.cache_dir.empty()) cache = std::make_unique<intro::FingerprintCache>(options.cache_dir);

    const auto episode = intro::fingerprint_episode_cached(path, fp_options, cache.get(), progress);
    std::vector<intro::EpisodeFingerprints> others;
    for (const auto& p : partners) {
        try {
            others.push_back(intro::fingerprint_episode_cached(p, fp_options, cache.get(), progress));
        } catch (const Error& e) {
            result.notes.push_back("season episode skipped (" + std::string(e.what()) + ")");
        }
    }
    std::vector<const intro::EpisodeFingerprints*> refs;
    for (const auto& o : others) refs.push_back(&o);
    const auto profile = intro::similarity_profile(episode, refs);
    result.audio_partners = profile.audio_partners;
    result.visual_partners = profile.visual_partners;
    if (profile.audio_partners == 0) result.notes.push_back("intro_similarity_audio is 0: no audio to compare with the season");
    if (profile.visual_partners == 0 && options.visual)
        result.notes.push_back("intro_similarity_visual is 0: no pictures to compare with the season");
    if (cache)
        for (const auto& w : cache->warnings()) result.notes.push_back("fingerprint cache: " + w);

    // Rebuild the matrix with the two columns appended to every row.
    const std::size_t old_cols = m.cols(), rows = m.rows();
    std::vector<float> values;
    values.reserve(rows * (old_cols + 2));
    for (std::size_t r = 0; r < rows; ++r) {
        values.insert(values.end(), m.values.begin() + long(r * old_cols), m.values.begin() + long((r + 1) * old_cols));
        values.push_back(intro::profile_value(profile.audio, profile.step, m.times[r], m.spec.window));
        values.push_back(intro::profile_value(profile.visual, profile.step, m.times[r], m.spec.window));
    }
    m.values = std::move(values);
    m.spec.columns.push_back(kIntroSimilarityAudio);
    m.spec.columns.push_back(kIntroSimilarityVisual);
    return result;
}

FeatureMatrix intro_similarity_matrix(const std::string& path, const IntroSimilarityOptions& options, double step,
                                      double window, IntroSimilarityResult* result, Progress* progress) {
    validate_grid(step, window);
    const auto info = media::probe(path, media::ProbeOptions{.scan_packets = false});
    FeatureMatrix m;
    m.source = path;
    m.spec.step = step;
    m.spec.window = window;
    constexpr double kMinTrailingRow = 0.05;  // as compute_timeline_features
    auto rows = static_cast<std::size_t>(std::max(1.0, std::ceil(info.duration / step - 1e-9)));
    if (rows > 1 && info.duration - double(rows - 1) * step < kMinTrailingRow) --rows;
    for (std::size_t r = 0; r < rows; ++r) m.times.push_back(double(r) * step);
    auto added = append_intro_similarity_columns(path, options, m, progress);
    if (result) *result = std::move(added);
    return m;
}

}  // namespace vidseg::features
