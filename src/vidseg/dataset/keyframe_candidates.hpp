// The scored keyframe candidates of each fragment, kept beside the dataset so that review decisions
// can be learned from without decoding the videos again (`vidseg keyframes learn`,
// keyframe_learning.hpp).
//
// `dataset build --keyframe best|model:M` scores every candidate fully (sharpness, exposure, person
// detection: vision/keyframe_scorer.hpp) and writes keyframe_candidates.jsonl at the dataset root
// (beside review.jsonl), one JSON object per fragment, excluded fragments included:
//   {"item": "<fragment name>", "lesson": ..., "start": s, "end": s,
//    "suggested": <time the build chose before any hand pick>, "chooser": "best" | "model",
//    "candidates": [{"time": t, "total": .., "sharpness": .., "exposure": .., "person": ..,
//                    "laplacian_variance": .., "mean_luma": .., "clipped_share": .., "faces": n,
//                    "bodies": n}, ...]}
// Times are the presentation times of the decoded candidate frames: the same numbers as the web
// review's candidates.json, so a picked time names its candidate exactly.
//
// The file is untrusted input when read back (a dataset may come from anywhere): parse_candidate_file
// validates every value (finite, in range, bounded counts) and refuses with Error(InvalidData).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "vidseg/vision/keyframe_scorer.hpp"

namespace vidseg::dataset {

inline constexpr const char* kKeyframeCandidatesFile = "keyframe_candidates.jsonl";
inline constexpr size_t kMaxCandidatesPerFragment = 256;

struct KeyframeCandidate {
    double time = 0;
    vision::KeyframeScore score;  // fully scored (person_checked)
};

struct FragmentCandidates {
    std::string item;
    std::string lesson;
    double start = 0, end = 0;
    double suggested = 0;      // the build's choice (before hand picks)
    std::string chooser;       // "best" (the heuristic score) or "model" (a learned ranker)
    std::vector<KeyframeCandidate> candidates;
};

// The score of one candidate as JSON members (also the build manifest's value artifact) and back.
// score_from_json throws nlohmann::json exceptions on missing / mistyped members (callers translate).
nlohmann::json score_to_json(const vision::KeyframeScore& score);
vision::KeyframeScore score_from_json(const nlohmann::json& j);

// One fragment as a JSON object (a line of the file) and back; fragment_from_json checks every value
// and throws std::invalid_argument (or a nlohmann::json exception) saying what is wrong.
nlohmann::ordered_json fragment_to_json(const FragmentCandidates& fragment);
FragmentCandidates fragment_from_json(const nlohmann::json& j);

std::string render_candidate_file(const std::vector<FragmentCandidates>& fragments);
// Throws Error(InvalidData) naming `subject` and the line for anything malformed or out of range.
std::vector<FragmentCandidates> parse_candidate_file(const std::string& text, const std::string& subject);
// Error(InputNotFound) when the file is missing.
std::vector<FragmentCandidates> read_candidate_file(const std::filesystem::path& path);

// The feature vector a learned ranker sees for candidate `k` of a fragment: the scorer's components
// and raw measurements, the position in the interval, and values relative to the fragment's other
// candidates (a frame darker or blurrier than its neighbours is often mid-transition).
// Names in order: keyframe_feature_names().
const std::vector<std::string>& keyframe_feature_names();
std::vector<double> keyframe_features(const FragmentCandidates& fragment, size_t k);

// Index of the candidate the fixed heuristic picks: highest total, ties to the one closest to the middle.
size_t heuristic_choice(const FragmentCandidates& fragment);

}  // namespace vidseg::dataset
