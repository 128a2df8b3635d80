#include "vidseg/dataset/keyframe_learning.hpp"

#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/dataset/review.hpp"

namespace vidseg::dataset {

namespace {

constexpr double kPickTolerance = 1e-3;  // seconds: a pick names the candidate shown at that time
constexpr const char* kReviewLogFile = "review.jsonl";

// Index of the candidate at `time`, or -1.
long candidate_at(const FragmentCandidates& f, double time) {
    long found = -1;
    double distance = kPickTolerance;
    for (size_t k = 0; k < f.candidates.size(); ++k)
        if (const double d = std::abs(f.candidates[k].time - time); d <= distance) {
            distance = d;
            found = static_cast<long>(k);
        }
    return found;
}

double ratio(size_t part, size_t whole) { return whole ? static_cast<double>(part) / static_cast<double>(whole) : 0.0; }

}  // namespace

ReviewExamples read_review_examples(const std::vector<std::filesystem::path>& folders, const ReviewReadOptions& options) {
    ReviewExamples out;
    for (const auto& folder : folders) {
        std::error_code ec;
        if (!std::filesystem::is_directory(folder, ec))
            throw Error(ErrorCode::InputNotFound, "review folder not found (a dataset build's output)", folder.string());
        const auto log_path = folder / kReviewLogFile;
        if (!std::filesystem::is_regular_file(log_path, ec))
            throw Error(ErrorCode::InputNotFound, "no review decisions (review.jsonl) in this dataset", log_path.string());
        const auto log = read_review_log(log_path);
        const auto fragments = read_candidate_file(folder / kKeyframeCandidatesFile);
        const auto latest = latest_decisions(log);
        const auto picks = picked_keyframes(log);
        ++out.folders;
        for (const auto& f : fragments) {
            ++out.fragments;
            const auto decision = latest.find(f.item);
            if (decision == latest.end()) {
                ++out.undecided;
                continue;
            }
            if (decision->second.excluded) {
                ++out.excluded;
                continue;
            }
            if (f.candidates.size() < 2) {
                ++out.single_candidate;
                continue;
            }
            ReviewedChoice choice{.fragment = f};
            if (const auto pick = picks.find(f.item); pick != picks.end()) {
                const long k = candidate_at(f, pick->second);
                if (k < 0) {
                    ++out.picks_off_candidates;
                    continue;
                }
                choice.target = static_cast<size_t>(k);
                choice.picked = true;
                ++out.picks;
            } else {
                const long k = candidate_at(f, f.suggested);
                if (k < 0 || options.accepted_weight <= 0) {
                    ++out.undecided;
                    continue;
                }
                choice.target = static_cast<size_t>(k);
                choice.weight = options.accepted_weight;
                ++out.accepted;
            }
            out.choices.push_back(std::move(choice));
        }
    }
    return out;
}

std::vector<ChoiceExample> choice_examples(const ReviewExamples& examples) {
    std::vector<ChoiceExample> out;
    for (const auto& c : examples.choices) {
        ChoiceExample e;
        for (size_t k = 0; k < c.fragment.candidates.size(); ++k) e.features.push_back(keyframe_features(c.fragment, k));
        e.target = c.target;
        e.weight = c.weight;
        out.push_back(std::move(e));
    }
    return out;
}

Agreement measure_agreement(const KeyframeRanker& ranker, const ReviewExamples& examples) {
    Agreement a;
    for (const auto& c : examples.choices) {
        const bool model = ranker.choose(c.fragment) == c.target;
        const bool heuristic = heuristic_choice(c.fragment) == c.target;
        ++a.decisions;
        a.model += model;
        a.heuristic += heuristic;
        if (!c.picked) continue;
        ++a.picks;
        a.model_picks += model;
        a.heuristic_picks += heuristic;
    }
    return a;
}

nlohmann::json to_json(const ReviewExamples& e) {
    return {{"folders", e.folders},
            {"fragments", e.fragments},
            {"decisions", e.choices.size()},
            {"picks", e.picks},
            {"accepted", e.accepted},
            {"excluded", e.excluded},
            {"undecided", e.undecided},
            {"picks_off_candidates", e.picks_off_candidates},
            {"single_candidate", e.single_candidate}};
}

nlohmann::json to_json(const Agreement& a) {
    return {{"decisions", a.decisions},
            {"model", a.model},
            {"heuristic", a.heuristic},
            {"model_ratio", ratio(a.model, a.decisions)},
            {"heuristic_ratio", ratio(a.heuristic, a.decisions)},
            {"picks", a.picks},
            {"model_picks", a.model_picks},
            {"heuristic_picks", a.heuristic_picks},
            {"model_picks_ratio", ratio(a.model_picks, a.picks)},
            {"heuristic_picks_ratio", ratio(a.heuristic_picks, a.picks)}};
}

KeyframeLearnReport learn_keyframe_ranker(const KeyframeLearnConfig& config) {
    if (config.reviews.empty()) throw Error(ErrorCode::InvalidArgument, "option --reviews: at least one folder is required");
    if (config.out.empty()) throw Error(ErrorCode::InvalidArgument, "option --out is required");
    KeyframeLearnReport report;
    report.training = read_review_examples(config.reviews, config.read);
    if (!config.evaluate.empty()) {
        report.held_out = read_review_examples(config.evaluate, config.read);
        report.evaluated = true;
    }
    if (report.training.choices.empty())
        throw Error(ErrorCode::InvalidData,
                    "no review decision to learn from: no fragment with a picked keyframe or a kept suggestion "
                    "among at least two candidates (" + std::to_string(report.training.fragments) + " fragment(s), " +
                        std::to_string(report.training.excluded) + " excluded, " +
                        std::to_string(report.training.undecided) + " without a decision)");
    report.ranker = KeyframeRanker::train(choice_examples(report.training), config.training);
    report.training_agreement = measure_agreement(report.ranker, report.training);
    if (report.evaluated) report.held_out_agreement = measure_agreement(report.ranker, report.held_out);
    nlohmann::json training = to_json(report.training);
    training["l2"] = config.training.l2;
    training["accepted_weight"] = config.read.accepted_weight;
    training["when"] = utc_now();
    write_file_atomic(config.out, report.ranker.render(training));
    return report;
}

nlohmann::json to_json(const KeyframeLearnReport& r) {
    nlohmann::json j = {{"training", to_json(r.training)},
                        {"training_agreement", to_json(r.training_agreement)},
                        {"weights", nlohmann::json::object()}};
    const auto& names = keyframe_feature_names();
    for (size_t i = 0; i < names.size() && i < r.ranker.weights().size(); ++i) j["weights"][names[i]] = r.ranker.weights()[i];
    if (r.evaluated) {
        j["held_out"] = to_json(r.held_out);
        j["held_out_agreement"] = to_json(r.held_out_agreement);
    }
    return j;
}

}  // namespace vidseg::dataset
