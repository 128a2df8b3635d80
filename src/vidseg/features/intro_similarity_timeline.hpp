// Fused intro features: the unsupervised detector's cross-episode similarity profile
// (intro/similarity_profile.hpp) as two timeline columns, so that a learned intro model can use
// what repeats across a season besides what an intro sounds / looks like:
//   intro_similarity_audio   share of the season's other episodes whose audio aligns with the row
//   intro_similarity_visual  the same for the pictures
// Both columns are always written (0 where the episode or its partners lack the modality, and past
// the fingerprinted span), so every episode of every season has the same feature spec.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "vidseg/core/progress.hpp"
#include "vidseg/features/feature_matrix.hpp"

namespace vidseg::features {

inline constexpr const char* kIntroSimilarityAudio = "intro_similarity_audio";
inline constexpr const char* kIntroSimilarityVisual = "intro_similarity_visual";

struct IntroSimilarityOptions {
    std::filesystem::path series_dir;  // the episode's season: every media file in it except the episode
    std::filesystem::path cache_dir;   // intro fingerprint cache (intro/fingerprint_cache.hpp); empty = none
    double seconds = 1020;             // fingerprinted span from the start (the detector's default)
    bool visual = true;                // also compare pictures (decodes the video at 4 fps, 64 px)
};

struct IntroSimilarityResult {
    int partners = 0;  // other episodes found in series_dir
    int audio_partners = 0, visual_partners = 0;
    std::vector<std::string> notes;  // e.g. "no other episode in DIR has audio"
};

// The media files of dir except `episode` (same file, also through links), sorted. InputNotFound /
// InvalidArgument when dir is missing or not a directory.
std::vector<std::string> season_partners(const std::filesystem::path& dir, const std::string& episode);

// Fingerprints the episode (path) and its partners, and appends the two columns to m (rows on m's
// grid). InvalidArgument when series_dir holds no other episode; media errors of the episode itself
// propagate; an unreadable partner is skipped with a note.
IntroSimilarityResult append_intro_similarity_columns(const std::string& path, const IntroSimilarityOptions& options,
                                                      FeatureMatrix& m, Progress* progress = nullptr);

// The two columns alone, on the grid `vidseg features` uses (features/timeline_features.hpp: rows
// while r * step < duration; a trailing row needs >= 50 ms of media): `vidseg features --no-audio
// --no-visual --series-dir`, e.g. to join to feature files computed before.
FeatureMatrix intro_similarity_matrix(const std::string& path, const IntroSimilarityOptions& options, double step,
                                      double window, IntroSimilarityResult* result = nullptr,
                                      Progress* progress = nullptr);

}  // namespace vidseg::features
