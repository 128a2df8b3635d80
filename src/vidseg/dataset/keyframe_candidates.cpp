#include "vidseg/dataset/keyframe_candidates.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/core/json_numbers.hpp"
#include "vidseg/core/input_limits.hpp"

namespace vidseg::dataset {

namespace {

constexpr double kMaxSeconds = 1e7;  // ~115 days: far beyond any lesson
constexpr int kMaxDetections = 10000;
constexpr size_t kMaxNameBytes = 1024;

// A finite number in [lo, hi]; throws a message naming the member.
double bounded(const nlohmann::json& j, const char* key, double lo, double hi) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number()) throw std::invalid_argument(std::string("'") + key + "' must be a number");
    const double v = it->get<double>();
    if (!std::isfinite(v) || v < lo || v > hi)
        throw std::invalid_argument(std::string("'") + key + "' is out of range");
    return v;
}

std::string bounded_text(const nlohmann::json& j, const char* key, bool required) {
    const auto it = j.find(key);
    if (it == j.end() && !required) return "";
    if (it == j.end() || !it->is_string()) throw std::invalid_argument(std::string("'") + key + "' must be text");
    auto s = it->get<std::string>();
    if ((required && s.empty()) || s.size() > kMaxNameBytes)
        throw std::invalid_argument(std::string("'") + key + "' is empty or too long");
    return s;
}

KeyframeCandidate parse_candidate(const nlohmann::json& c, double start, double end) {
    if (!c.is_object()) throw std::invalid_argument("a candidate must be an object");
    KeyframeCandidate k;
    k.time = bounded(c, "time", std::max(0.0, start - 1), end + 1);
    auto& s = k.score;
    s.total = bounded(c, "total", 0, 1);
    s.sharpness = bounded(c, "sharpness", 0, 1);
    s.exposure = bounded(c, "exposure", 0, 1);
    s.person = bounded(c, "person", 0, 1);
    s.laplacian_variance = bounded(c, "laplacian_variance", 0, 1e12);
    s.mean_luma = bounded(c, "mean_luma", 0, 255);
    s.clipped_share = bounded(c, "clipped_share", 0, 1);
    s.faces = static_cast<int>(bounded(c, "faces", 0, kMaxDetections));
    s.bodies = static_cast<int>(bounded(c, "bodies", 0, kMaxDetections));
    s.person_checked = true;
    return k;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double log_laplacian(const vision::KeyframeScore& s) { return std::log1p(s.laplacian_variance); }

}  // namespace

nlohmann::json score_to_json(const vision::KeyframeScore& sc) {
    return {{"total", sc.total},
            {"sharpness", sc.sharpness},
            {"exposure", sc.exposure},
            {"person", sc.person},
            {"laplacian_variance", sc.laplacian_variance},
            {"mean_luma", sc.mean_luma},
            {"clipped_share", sc.clipped_share},
            {"faces", sc.faces},
            {"bodies", sc.bodies},
            {"person_checked", sc.person_checked}};
}

vision::KeyframeScore score_from_json(const nlohmann::json& s) {
    vision::KeyframeScore score;
    score.total = s.at("total");
    score.sharpness = s.at("sharpness");
    score.exposure = s.at("exposure");
    score.person = s.at("person");
    score.laplacian_variance = s.at("laplacian_variance");
    score.mean_luma = s.at("mean_luma");
    score.clipped_share = s.at("clipped_share");
    score.faces = json_integer<int>(s.at("faces"), "faces");
    score.bodies = json_integer<int>(s.at("bodies"), "bodies");
    score.person_checked = s.at("person_checked");
    return score;
}

nlohmann::ordered_json fragment_to_json(const FragmentCandidates& f) {
    nlohmann::ordered_json j;
    j["item"] = f.item;
    j["lesson"] = f.lesson;
    j["start"] = f.start;
    j["end"] = f.end;
    j["suggested"] = f.suggested;
    j["chooser"] = f.chooser;
    auto list = nlohmann::ordered_json::array();
    for (const auto& c : f.candidates) {
        nlohmann::ordered_json row;
        row["time"] = c.time;
        const auto score = score_to_json(c.score);  // named: a temporary would die before the loop body
        for (const auto& [key, value] : score.items())
            if (key != "person_checked") row[key] = value;
        list.push_back(std::move(row));
    }
    j["candidates"] = std::move(list);
    return j;
}

FragmentCandidates fragment_from_json(const nlohmann::json& j) {
    if (!j.is_object()) throw std::invalid_argument("not an object");
    FragmentCandidates f;
    f.item = bounded_text(j, "item", true);
    f.lesson = bounded_text(j, "lesson", false);
    f.chooser = bounded_text(j, "chooser", false);
    f.start = bounded(j, "start", 0, kMaxSeconds);
    f.end = bounded(j, "end", 0, kMaxSeconds);
    if (!(f.end > f.start)) throw std::invalid_argument("'end' must be after 'start'");
    f.suggested = bounded(j, "suggested", 0, kMaxSeconds);
    const auto it = j.find("candidates");
    if (it == j.end() || !it->is_array() || it->empty() || it->size() > kMaxCandidatesPerFragment)
        throw std::invalid_argument("'candidates' must be a list of 1 to " +
                                    std::to_string(kMaxCandidatesPerFragment) + " candidates");
    for (const auto& c : *it) f.candidates.push_back(parse_candidate(c, f.start, f.end));
    return f;
}

std::string render_candidate_file(const std::vector<FragmentCandidates>& fragments) {
    std::string out;
    for (const auto& f : fragments)
        out += fragment_to_json(f).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    return out;
}

std::vector<FragmentCandidates> parse_candidate_file(const std::string& text, const std::string& subject) {
    std::vector<FragmentCandidates> out;
    std::istringstream in(text);
    size_t number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        try {
            out.push_back(fragment_from_json(nlohmann::json::parse(line)));
        } catch (const nlohmann::json::exception& e) {
            throw Error(ErrorCode::InvalidData, "line " + std::to_string(number) + " is not JSON: " + e.what(),
                        subject);
        } catch (const std::invalid_argument& e) {
            throw Error(ErrorCode::InvalidData,
                        "line " + std::to_string(number) + " is not a fragment's candidates: " + e.what(), subject);
        }
    }
    return out;
}

std::vector<FragmentCandidates> read_candidate_file(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw Error(ErrorCode::InputNotFound,
                    "no keyframe candidates (build the dataset with --keyframe best or --keyframe model:FILE)",
                    path.string());
    return parse_candidate_file(read_limited_file(path), path.string());
}

const std::vector<std::string>& keyframe_feature_names() {
    static const std::vector<std::string> names = {
        "sharpness",     "exposure",         "person",          "log_laplacian",   "mean_luma",
        "clipped_share", "faces",            "bodies",          "has_face",        "distance_from_middle",
        "sharpness_below_best", "log_laplacian_vs_median", "luma_vs_median", "heuristic_total"};
    return names;
}

std::vector<double> keyframe_features(const FragmentCandidates& f, size_t k) {
    const auto& s = f.candidates.at(k).score;
    std::vector<double> lumas, laplacians;
    double best_sharpness = 0;
    for (const auto& c : f.candidates) {
        lumas.push_back(c.score.mean_luma);
        laplacians.push_back(log_laplacian(c.score));
        best_sharpness = std::max(best_sharpness, c.score.sharpness);
    }
    const double half = (f.end - f.start) / 2;
    const double middle = f.start + half;
    return {s.sharpness,
            s.exposure,
            s.person,
            log_laplacian(s),
            s.mean_luma / 255,
            s.clipped_share,
            std::min(s.faces, 4) * 1.0,
            std::min(s.bodies, 4) * 1.0,
            s.faces > 0 ? 1.0 : 0.0,
            std::min(1.0, std::abs(f.candidates[k].time - middle) / half),
            best_sharpness - s.sharpness,
            log_laplacian(s) - median(laplacians),
            std::abs(s.mean_luma - median(lumas)) / 255,
            s.total};
}

size_t heuristic_choice(const FragmentCandidates& f) {
    std::vector<vision::KeyframeScore> scores;
    std::vector<double> times;
    for (const auto& c : f.candidates) {
        scores.push_back(c.score);
        times.push_back(c.time);
    }
    return vision::best_candidate(scores, times, f.start + (f.end - f.start) / 2);
}

}  // namespace vidseg::dataset
