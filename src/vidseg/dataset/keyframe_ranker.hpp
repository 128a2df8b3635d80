// A learned re-ranking of keyframe candidates (`vidseg keyframes learn`, `dataset build --keyframe
// model:FILE`): a linear score w · z over the candidate's features (keyframe_candidates.hpp,
// keyframe_features), z standardised by the training set's mean and standard deviation, trained as a
// conditional logit — the reviewer's pick among a fragment's candidates has probability
// exp(s_pick) / sum_k exp(s_k) — by Newton's method with an L2 penalty. The candidate with the highest
// score is chosen (ties: the one closest to the middle, as the heuristic).
//
// File format (a JSON object, small, documented in README "Keyframe choice that learns from reviewers"):
//   {"format": "vidseg-keyframe-ranker", "version": 1,
//    "features": ["sharpness", ...],          // exactly keyframe_feature_names(), in order
//    "mean": [..], "scale": [..], "weights": [..],   // one finite number per feature
//    "training": {"decisions": n, "picks": n, "accepted": n, "datasets": n, "l2": x, "when": "..."}}
// A model file is untrusted input: parse() checks every member (format, version, feature list, finite
// values within bounds, scale > 0) and refuses with Error(InvalidData) naming the file.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/dataset/keyframe_candidates.hpp"

namespace vidseg::dataset {

inline constexpr const char* kKeyframeRankerFormat = "vidseg-keyframe-ranker";
inline constexpr int kKeyframeRankerVersion = 1;

// One training decision: the candidates' feature vectors and the one the reviewer chose.
struct ChoiceExample {
    std::vector<std::vector<double>> features;  // per candidate, keyframe_features()
    size_t target = 0;
    double weight = 1;
};

struct RankerTrainingOptions {
    double l2 = 0.01;          // penalty on the standardised weights (per unit of example weight)
    int max_iterations = 100;  // Newton steps
};

class KeyframeRanker {
  public:
    // Throws Error(InvalidData) when there is no example with at least two candidates.
    static KeyframeRanker train(const std::vector<ChoiceExample>& examples, const RankerTrainingOptions& options);
    // Throws Error(InvalidData) naming `subject` for anything malformed, out of range or of another version.
    static KeyframeRanker parse(const std::string& text, const std::string& subject);
    // Error(InputNotFound) for a missing file, then as parse.
    static KeyframeRanker load(const std::filesystem::path& path);

    // The file's text; `training` is stored as the "training" member (a summary, not read back).
    std::string render(const nlohmann::json& training = nlohmann::json::object()) const;
    double score(const std::vector<double>& features) const;
    // Index of the highest-scoring candidate (ties: closest to the middle).
    size_t choose(const FragmentCandidates& fragment) const;
    size_t choose(const std::vector<std::vector<double>>& features, const std::vector<double>& times,
                  double middle) const;
    // Identifies the parameters (for the build manifest's reuse key).
    std::string digest() const;

    const std::vector<double>& weights() const { return weights_; }
    const std::vector<double>& mean() const { return mean_; }
    const std::vector<double>& scale() const { return scale_; }

  private:
    std::vector<double> mean_, scale_, weights_;
};

}  // namespace vidseg::dataset
