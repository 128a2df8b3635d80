#include "vidseg/dataset/keyframe_choice.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/progress.hpp"
#include "vidseg/media/frame_reader.hpp"

namespace vidseg::dataset {

KeyframeMode parse_keyframe_mode(const std::string& text) {
    if (text == "middle") return KeyframeMode::Middle;
    if (text == "best") return KeyframeMode::Best;
    throw Error(ErrorCode::InvalidArgument,
                "option --keyframe: expected 'middle' or 'best', got '" + text + "'");
}

void choose_best_keyframes(DatasetPlan& plan, const KeyframeChoiceOptions& options) {
    vision::KeyframeScorer scorer(options.scorer);
    for (size_t v = 0; v < plan.videos.size(); ++v) {
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
        for (size_t i = 0; i < plan.items.size(); ++i) {
            const auto& item = plan.items[i];
            if (item.video != v) continue;
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
                if (--p.missing > 0) return;
                std::vector<double> frame_times;
                for (const auto& f : p.frames) frame_times.push_back(f.time);
                auto& item = plan.items[i];
                const auto best = scorer.pick_best(p.frames, frame_times, item.mid);
                item.keyframe_time = frame_times[best.index];
                item.keyframe_score = best.score;
                if (item.track) item.box = item.track->box_at(item.keyframe_time);
                pending.erase(i);
            },
            options.progress);
    }
    plan.keyframes_scored = true;
}

}  // namespace vidseg::dataset
