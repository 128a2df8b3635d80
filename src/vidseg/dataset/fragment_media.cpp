#include "vidseg/dataset/fragment_media.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "vidseg/core/cancel.hpp"
#include "vidseg/core/progress.hpp"
#include "vidseg/core/safe_path.hpp"
#include "vidseg/dataset/build_manifest.hpp"
#include "vidseg/dataset/dataset_card.hpp"
#include "vidseg/media/audio_reader.hpp"
#include "vidseg/media/cutter.hpp"
#include "vidseg/media/frame_reader.hpp"
#include "vidseg/media/image_writer.hpp"

namespace fs = std::filesystem;

namespace vidseg::dataset {

namespace {

// Clips per cutter call: nearby clips share one demux pass and the decoding of shared GOPs, and an
// interrupted build keeps every finished batch. Small, so that the threads finish close together
// (each thread keeps its input open across batches: a batch costs a seek, not an open).
constexpr size_t kClipBatch = 4;

int worker_count(int requested) {
    if (requested > 0) return requested;
    const unsigned hw = std::thread::hardware_concurrency();
    return static_cast<int>(std::clamp(hw, 1u, 8u));
}

// Runs tasks on `workers` threads, in order of the list (each thread takes the next one and passes
// its number, 0..workers-1, to it). The first exception stops the hand-out of further tasks and is
// rethrown once every thread has finished.
void run_tasks(const std::vector<std::function<void(size_t)>>& tasks, size_t workers) {
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto work = [&](size_t worker) {
        for (;;) {
            if (failed) return;
            const size_t t = next++;
            if (t >= tasks.size()) return;
            try {
                tasks[t](worker);
            } catch (...) {
                const std::lock_guard lock(error_mutex);
                if (!error) error = std::current_exception();
                failed = true;
            }
        }
    };
    const size_t n = std::min(tasks.size(), std::max<size_t>(1, workers));
    {
        std::vector<std::jthread> threads;
        for (size_t i = 1; i < n; ++i) threads.emplace_back(work, i);
        work(0);
    }
    if (error) std::rethrow_exception(error);
}

}  // namespace

FragmentMediaStats& FragmentMediaStats::operator+=(const FragmentMediaStats& o) {
    clips += o.clips;
    keyframes += o.keyframes;
    wavs += o.wavs;
    clip_seconds += o.clip_seconds;
    keyframe_seconds += o.keyframe_seconds;
    audio_seconds += o.audio_seconds;
    return *this;
}

FragmentMediaStats make_fragment_media(const DatasetPlan& plan, size_t video, const std::vector<size_t>& items,
                                       ResumableStage& stage, std::vector<bool>& has_crop,
                                       const FragmentMediaOptions& options) {
    FragmentMediaStats stats;
    const SourceVideo& src = plan.videos[video];
    const fs::path dir = stage.dir();
    // Artifact keys (build_manifest.hpp): everything the bytes of each file depend on.
    const std::string fingerprint = video_fingerprint(src.path);
    auto rel = [&](const DatasetItem& item, const std::string& sub, const std::string& suffix) {
        return split_prefix(plan, item) + sub + "/" + item.name + suffix;
    };
    auto clip_key = [&](const DatasetItem& item) {
        return artifact_key("clip", 1, {fingerprint, key_number(item.start), key_number(item.end),
                                        std::to_string(options.crf), src.clip_extension});
    };
    auto keyframe_key = [&](const DatasetItem& item) {
        return artifact_key("keyframe", 1,
                            {fingerprint, key_number(item.keyframe_time), std::to_string(options.keyframe_quality),
                             item.box ? key_number(item.box->x) + "," + key_number(item.box->y) + "," +
                                            key_number(item.box->width) + "," + key_number(item.box->height)
                                      : std::string("no box")});
    };
    auto audio_key = [&](const DatasetItem& item) {
        return artifact_key("audio", 1, {fingerprint, key_number(item.start), key_number(item.end), "16000/1"});
    };

    // What can be reused (decided here, on one thread), what must be made.
    std::vector<size_t> clip_todo, keyframe_todo, audio_todo;
    std::vector<char> crop(plan.items.size(), 0);
    for (size_t i : items) {
        const auto& item = plan.items[i];
        if (!stage.reuse(item.name, "clip", clip_key(item), {rel(item, "videos", src.clip_extension)}))
            clip_todo.push_back(i);
        const auto px = item.box ? box_to_pixels(*item.box, src.width, src.height) : std::nullopt;
        std::vector<std::string> files = {rel(item, "images", ".jpg")};
        if (px) files.push_back(rel(item, "images", "_crop.jpg"));
        if (const auto got = stage.reuse(item.name, "keyframe", keyframe_key(item), files))
            crop[i] = got->size() > 1;
        else
            keyframe_todo.push_back(i);
        if (!stage.reuse(item.name, "audio", audio_key(item), {rel(item, "audio", ".wav")})) audio_todo.push_back(i);
    }

    // Progress: files made so far, from whichever thread made them.
    std::mutex progress_mutex;
    double made = 0;
    const double total = static_cast<double>(clip_todo.size() + keyframe_todo.size() + audio_todo.size());
    Progress* progress = options.progress;
    if (progress && total > 0) progress->begin("making clips, keyframes and audio of " + src.lesson, total);
    auto made_one = [&](double FragmentMediaStats::*seconds, size_t FragmentMediaStats::*count, double busy) {
        const std::lock_guard lock(progress_mutex);
        if (count) ++(stats.*count);
        if (seconds) stats.*seconds += busy;
        if (progress && count) progress->update(++made);
    };
    using clock = std::chrono::steady_clock;
    auto since = [](clock::time_point t) { return std::chrono::duration<double>(clock::now() - t).count(); };

    const size_t workers = static_cast<size_t>(worker_count(options.workers));
    std::vector<std::function<void(size_t)>> tasks;
    if (!keyframe_todo.empty())
        tasks.push_back([&](size_t) {
            const auto t0 = clock::now();
            std::vector<double> times;
            for (size_t i : keyframe_todo) times.push_back(plan.items[i].keyframe_time);
            media::FrameReaderOptions reader_options;
            reader_options.workers = 1;  // the other threads cut clips meanwhile
            media::FrameReader reader(src.path, reader_options);
            reader.read_many(times, [&](size_t k, const media::Image& image) {
                const size_t i = keyframe_todo[k];
                const auto& item = plan.items[i];
                media::ImageWriteOptions write;
                write.quality = options.keyframe_quality;
                media::write_image(image, join_under(dir, rel(item, "images", ".jpg")).string(), write);
                std::vector<std::string> files = {rel(item, "images", ".jpg")};
                if (item.box)
                    if (const auto px = box_to_pixels(*item.box, image.width, image.height)) {
                        write.crop = media::PixelRect{px->x, px->y, px->width, px->height};
                        media::write_image(image, join_under(dir, rel(item, "images", "_crop.jpg")).string(),
                                           write);
                        crop[i] = 1;
                        files.push_back(rel(item, "images", "_crop.jpg"));
                    }
                stage.record(item.name, "keyframe", keyframe_key(item), files);
                made_one(nullptr, &FragmentMediaStats::keyframes, 0);
            });
            made_one(&FragmentMediaStats::keyframe_seconds, nullptr, since(t0));
        });
    if (!audio_todo.empty())
        tasks.push_back([&](size_t) {
            const auto t0 = clock::now();
            std::vector<media::AudioSpan> spans;
            for (size_t i : audio_todo) {
                const auto& item = plan.items[i];
                spans.push_back({item.start, item.end, join_under(dir, rel(item, "audio", ".wav")).string()});
            }
            media::extract_audio_spans(src.path, spans, media::AudioFormat{16000, 1}, [&](size_t k) {
                const auto& item = plan.items[audio_todo[k]];
                stage.record(item.name, "audio", audio_key(item), {rel(item, "audio", ".wav")});
                made_one(nullptr, &FragmentMediaStats::wavs, 0);
            });
            made_one(&FragmentMediaStats::audio_seconds, nullptr, since(t0));
        });
    // Clips in time order, so that a batch holds neighbours (shared demux pass, shared GOP decoding).
    std::stable_sort(clip_todo.begin(), clip_todo.end(),
                     [&](size_t a, size_t b) { return plan.items[a].start < plan.items[b].start; });
    media::CutOptions cut;
    cut.mode = media::CutMode::Exact;
    cut.crf = options.crf;
    std::vector<std::unique_ptr<media::ClipCutter>> cutters(workers);  // one per thread, made on first use
    for (size_t b = 0; b < clip_todo.size(); b += kClipBatch) {
        const size_t e = std::min(clip_todo.size(), b + kClipBatch);
        tasks.push_back([&, b, e](size_t worker) {
            throw_if_cancelled();
            const auto t0 = clock::now();
            std::vector<media::ClipSpec> clips;
            for (size_t k = b; k < e; ++k) {
                const auto& item = plan.items[clip_todo[k]];
                clips.push_back({item.start, item.end,
                                 join_under(dir, rel(item, "videos", src.clip_extension)).string()});
            }
            auto& cutter = cutters[worker];
            if (!cutter) cutter = std::make_unique<media::ClipCutter>(src.path, cut);
            cutter->cut(clips);
            for (size_t k = b; k < e; ++k) {
                const auto& item = plan.items[clip_todo[k]];
                stage.record(item.name, "clip", clip_key(item), {rel(item, "videos", src.clip_extension)});
                made_one(nullptr, &FragmentMediaStats::clips, 0);
            }
            made_one(&FragmentMediaStats::clip_seconds, nullptr, since(t0));
        });
    }
    run_tasks(tasks, workers);
    if (progress && total > 0) progress->end();
    for (size_t i : items)
        if (crop[i]) has_crop[i] = true;
    return stats;
}

}  // namespace vidseg::dataset
