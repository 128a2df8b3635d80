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
#include "vidseg/dataset/keyframe_ranker.hpp"
#include "vidseg/media/frame_reader.hpp"
#include "vidseg/media/image_writer.hpp"

namespace vidseg::dataset {

namespace {

constexpr const char* kChoiceArtifact = "keyframe_choice";

// Everything the candidates depend on besides the frames themselves (the video fingerprint covers
// those). Not the chooser: the stored candidates are ranked again by whichever chooser runs.
// Version 2: every candidate is scored fully and stored with the choice.
std::string choice_key(const std::string& fingerprint, const DatasetItem& item, const KeyframeChoiceOptions& o) {
    const auto& s = o.scorer;
    return artifact_key(kChoiceArtifact, 2,
                        {fingerprint, key_number(item.start), key_number(item.end), std::to_string(o.candidates),
                         key_number(s.weights.sharpness), key_number(s.weights.exposure), key_number(s.weights.person),
                         std::to_string(s.analysis_width), s.detect_people ? "people" : "no people",
                         std::to_string(s.detector.analysis_width), s.detector.detect_bodies ? "bodies" : "no bodies"});
}

std::string render_choice(const DatasetItem& item, const FragmentCandidates& fragment) {
    nlohmann::json j = fragment_to_json(fragment);
    j["time"] = item.keyframe_time;
    j["score"] = score_to_json(*item.keyframe_score);
    return j.dump();
}

void apply_choice(DatasetItem& item, double time, const vision::KeyframeScore& score) {
    item.keyframe_time = time;
    item.keyframe_score = score;
    if (item.track) item.box = item.track->box_at(item.keyframe_time);
}

// Chooses among the scored candidates of `fragment` and applies the choice to `item`.
void choose(DatasetItem& item, FragmentCandidates& fragment, const KeyframeChoiceOptions& options) {
    size_t best = 0;
    if (options.ranker) {
        best = options.ranker->choose(fragment);
    } else {
        best = heuristic_choice(fragment);
    }
    fragment.suggested = fragment.candidates[best].time;
    fragment.chooser = options.ranker ? "model" : "best";
    apply_choice(item, fragment.candidates[best].time, fragment.candidates[best].score);
}

FragmentCandidates empty_fragment(const DatasetItem& item) {
    FragmentCandidates f;
    f.item = item.name;
    f.lesson = item.lesson;
    f.start = item.start;
    f.end = item.end;
    return f;
}

// The recorded candidates of an item (nullopt when the value cannot be read: then they are made again).
std::optional<FragmentCandidates> recorded_candidates(const DatasetItem& item, const std::string& value) {
    try {
        auto f = fragment_from_json(nlohmann::json::parse(value));
        for (const auto& c : f.candidates)
            if (c.time < item.start - 1e-6 || c.time > item.end + 1e-6) return std::nullopt;
        auto named = empty_fragment(item);
        named.candidates = std::move(f.candidates);
        return named;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    } catch (const std::invalid_argument&) {
        return std::nullopt;
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
    if (text.rfind("model:", 0) == 0 && text.size() > 6) return KeyframeMode::Model;
    throw Error(ErrorCode::InvalidArgument,
                "option --keyframe: expected 'middle', 'best' or 'model:FILE', got '" + text + "'");
}

std::string keyframe_model_path(const std::string& text) {
    return parse_keyframe_mode(text) == KeyframeMode::Model ? text.substr(6) : std::string();
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
                    if (auto fragment = recorded_candidates(item, *value)) {
                        choose(item, *fragment, options);
                        // Recorded again when another chooser took another candidate.
                        if (const auto now = render_choice(item, *fragment); now != *value)
                            stage->record_value(item.name, kChoiceArtifact, keys[i], now);
                        stats.fragments.push_back(std::move(*fragment));
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
                auto& item = plan.items[i];
                // Every candidate fully (no early stop as in pick_best): its features are stored.
                auto fragment = empty_fragment(item);
                for (const auto& f : p.frames) fragment.candidates.push_back({f.time, scorer->score(f)});
                choose(item, fragment, options);
                ++stats.chosen;
                if (stage) stage->record_value(item.name, kChoiceArtifact, keys.at(i), render_choice(item, fragment));
                stats.fragments.push_back(std::move(fragment));
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
