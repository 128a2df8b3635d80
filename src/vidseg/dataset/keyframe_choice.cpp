#include "vidseg/dataset/keyframe_choice.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/progress.hpp"
#include "vidseg/dataset/build_manifest.hpp"
#include "vidseg/media/frame_reader.hpp"
#include "vidseg/media/image_writer.hpp"

namespace vidseg::dataset {

namespace {

constexpr const char* kChoiceArtifact = "keyframe_choice";

// Everything the choice depends on besides the frames themselves (the video fingerprint covers those).
std::string choice_key(const std::string& fingerprint, const DatasetItem& item, const KeyframeChoiceOptions& o) {
    const auto& s = o.scorer;
    return artifact_key(kChoiceArtifact, 1,
                        {fingerprint, key_number(item.start), key_number(item.end), std::to_string(o.candidates),
                         key_number(s.weights.sharpness), key_number(s.weights.exposure), key_number(s.weights.person),
                         std::to_string(s.analysis_width), s.detect_people ? "people" : "no people",
                         std::to_string(s.detector.analysis_width), s.detector.detect_bodies ? "bodies" : "no bodies"});
}

std::string render_choice(const DatasetItem& item) {
    const auto& sc = *item.keyframe_score;
    const nlohmann::json j = {{"time", item.keyframe_time},
                              {"score",
                               {{"total", sc.total},
                                {"sharpness", sc.sharpness},
                                {"exposure", sc.exposure},
                                {"person", sc.person},
                                {"laplacian_variance", sc.laplacian_variance},
                                {"mean_luma", sc.mean_luma},
                                {"clipped_share", sc.clipped_share},
                                {"faces", sc.faces},
                                {"bodies", sc.bodies},
                                {"person_checked", sc.person_checked}}}};
    return j.dump();
}

void apply_choice(DatasetItem& item, double time, const vision::KeyframeScore& score) {
    item.keyframe_time = time;
    item.keyframe_score = score;
    if (item.track) item.box = item.track->box_at(item.keyframe_time);
}

// False when the recorded value cannot be read (then the choice is made again).
bool apply_recorded_choice(DatasetItem& item, const std::string& value) {
    try {
        const auto j = nlohmann::json::parse(value);
        const auto& s = j.at("score");
        vision::KeyframeScore score;
        score.total = s.at("total");
        score.sharpness = s.at("sharpness");
        score.exposure = s.at("exposure");
        score.person = s.at("person");
        score.laplacian_variance = s.at("laplacian_variance");
        score.mean_luma = s.at("mean_luma");
        score.clipped_share = s.at("clipped_share");
        score.faces = s.at("faces");
        score.bodies = s.at("bodies");
        score.person_checked = s.at("person_checked");
        const double time = j.at("time");
        if (time < item.start - 1e-6 || time > item.end + 1e-6) return false;
        apply_choice(item, time, score);
        return true;
    } catch (const nlohmann::json::exception&) {
        return false;
    }
}

// The candidates of one item as review thumbnails (KeyframeChoiceOptions::candidates_dir).
nlohmann::json write_candidates(const std::filesystem::path& dir, const DatasetItem& item,
                                const std::vector<media::Image>& frames) {
    nlohmann::json list = nlohmann::json::array();
    std::filesystem::create_directories(dir / item.name);
    for (size_t k = 0; k < frames.size(); ++k) {
        const std::string image = item.name + "/" + std::to_string(k) + ".jpg";
        media::write_image(frames[k], (dir / image).string(), {.quality = 80});
        list.push_back({{"time", frames[k].time}, {"image", image}});
    }
    return {{"chosen", item.keyframe_time}, {"candidates", list}};
}

}  // namespace

KeyframeMode parse_keyframe_mode(const std::string& text) {
    if (text == "middle") return KeyframeMode::Middle;
    if (text == "best") return KeyframeMode::Best;
    throw Error(ErrorCode::InvalidArgument,
                "option --keyframe: expected 'middle' or 'best', got '" + text + "'");
}

KeyframeChoiceStats choose_best_keyframes(DatasetPlan& plan, const KeyframeChoiceOptions& options,
                                          ResumableStage* stage) {
    KeyframeChoiceStats stats;
    plan.keyframes_scored = true;
    std::optional<vision::KeyframeScorer> scorer;  // made only when something must be scored (loads cascades)
    nlohmann::json candidates_index = nlohmann::json::object();
    for (size_t v = 0; v < plan.videos.size(); ++v) {
        // Reuse first: a re-run with unchanged inputs opens no decoder at all.
        std::vector<size_t> todo;
        std::map<size_t, std::string> keys;
        const std::string fingerprint = stage ? video_fingerprint(plan.videos[v].path) : std::string();
        for (size_t i = 0; i < plan.items.size(); ++i) {
            auto& item = plan.items[i];
            if (item.video != v) continue;
            if (stage) {
                keys[i] = choice_key(fingerprint, item, options);
                if (const auto value = stage->reuse_value(item.name, kChoiceArtifact, keys[i]))
                    if (apply_recorded_choice(item, *value)) {
                        ++stats.reused;
                        continue;
                    }
            }
            todo.push_back(i);
        }
        if (todo.empty()) continue;
        if (!scorer) scorer.emplace(options.scorer);

        media::FrameReaderOptions reader_options;
        reader_options.max_width = options.scorer.analysis_width;
        // The scorer is not thread-safe; detection dominates decoding anyway.
        reader_options.serialize_sink = true;
        media::FrameReader reader(plan.videos[v].path, reader_options);

        // Per item: its candidate frames, collected until all arrived, then scored and dropped, so
        // that only the items being decoded hold pictures.
        struct Pending {
            std::vector<media::Image> frames;
            size_t missing = 0;
        };
        std::map<size_t, Pending> pending;
        std::vector<std::pair<size_t, size_t>> slot;  // per target: (item, candidate number)
        std::vector<double> times;
        for (size_t i : todo) {
            const auto& item = plan.items[i];
            const auto candidates =
                vision::candidate_times(item.start, item.end, options.candidates, reader.fps());
            pending[i].frames.resize(candidates.size());
            pending[i].missing = candidates.size();
            for (size_t k = 0; k < candidates.size(); ++k) {
                slot.emplace_back(i, k);
                times.push_back(std::min(candidates[k], reader.duration()));
            }
        }
        if (times.empty()) continue;
        reader.read_many(
            times,
            [&](size_t target, const media::Image& image) {
                throw_if_cancelled();
                const auto [i, k] = slot[target];
                Pending& p = pending.at(i);
                p.frames[k] = image;
                ++stats.candidates_decoded;
                if (--p.missing > 0) return;
                std::vector<double> frame_times;
                for (const auto& f : p.frames) frame_times.push_back(f.time);
                auto& item = plan.items[i];
                const auto best = scorer->pick_best(p.frames, frame_times, item.mid);
                apply_choice(item, frame_times[best.index], best.score);
                ++stats.chosen;
                if (stage) stage->record_value(item.name, kChoiceArtifact, keys.at(i), render_choice(item));
                if (!options.candidates_dir.empty())
                    candidates_index[item.name] = write_candidates(options.candidates_dir, item, p.frames);
                pending.erase(i);
            },
            options.progress);
    }
    if (!options.candidates_dir.empty()) {
        std::filesystem::create_directories(options.candidates_dir);
        write_file_atomic(options.candidates_dir / "candidates.json", candidates_index.dump(1) + "\n");
    }
    return stats;
}

}  // namespace vidseg::dataset
