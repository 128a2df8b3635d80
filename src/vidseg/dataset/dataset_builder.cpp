#include "vidseg/dataset/dataset_builder.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "vidseg/annotations/label_matcher.hpp"
#include "vidseg/annotations/label_studio_export.hpp"
#include "vidseg/annotations/pattern_list.hpp"
#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/version.hpp"
#include "vidseg/dataset/dataset_card.hpp"
#include "vidseg/media/audio_reader.hpp"
#include "vidseg/media/cutter.hpp"
#include "vidseg/media/frame_reader.hpp"
#include "vidseg/media/image_writer.hpp"
#include "vidseg/media/probe.hpp"

namespace fs = std::filesystem;

namespace vidseg::dataset {

namespace {

// Not "metadata.csv": `datasets` scans for metadata.{jsonl,csv,parquet} and raises "Found metadata
// files with different extensions" when a tree holds two kinds (SPEC §3: one metadata file per folder).
constexpr const char* kCsvName = "metadata_table.csv";

std::string join(const std::vector<std::string>& values) {
    std::string out;
    for (const auto& v : values) out += (out.empty() ? "" : "; ") + v;
    return out;
}

std::string csv_escape(const std::string& v) {
    if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
    std::string out = "\"";
    for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string csv_value(const nlohmann::ordered_json& v) {
    if (v.is_null()) return "";
    if (v.is_string()) return v.get<std::string>();
    if (v.is_array()) {
        std::vector<std::string> parts;
        for (const auto& e : v) parts.push_back(e.is_string() ? e.get<std::string>() : e.dump());
        return join(parts);
    }
    return v.dump();
}

std::vector<std::string> columns(const DatasetPlan& plan) {
    std::vector<std::string> cols = {"file_name", "image_path", "crop_path", "audio_path",
                                     "patterns",  "labels",          "descriptions",   "annotator",
                                     "start",     "end",             "source_video",   "lesson",
                                     "task_id",   "annotation_id"};
    for (const auto& c : plan.choice_columns) cols.push_back("choice_" + c);
    for (const auto& c : plan.text_columns) cols.push_back("text_" + c);
    return cols;
}

}  // namespace

nlohmann::ordered_json metadata_row(const DatasetPlan& plan, const DatasetItem& item, bool has_crop) {
    const SourceVideo& src = plan.videos[item.video];
    nlohmann::ordered_json row = nlohmann::ordered_json::object();
    row["file_name"] = "videos/" + item.name + src.clip_extension;
    row["image_path"] = "images/" + item.name + ".jpg";
    row["crop_path"] = has_crop ? nlohmann::ordered_json("images/" + item.name + "_crop.jpg") : nlohmann::ordered_json();
    row["audio_path"] = "audio/" + item.name + ".wav";
    row["patterns"] = item.patterns;
    row["labels"] = item.labels;
    row["descriptions"] = item.descriptions;
    row["annotator"] = item.annotator;
    row["start"] = item.start;
    row["end"] = item.end;
    row["source_video"] = fs::path(src.path).filename().string();
    row["lesson"] = src.lesson;
    row["task_id"] = item.task_id;
    row["annotation_id"] = item.annotation_id;
    for (const auto& c : plan.choice_columns) {
        const auto it = item.choices.find(c);
        row["choice_" + c] = it == item.choices.end() ? std::vector<std::string>{} : it->second;
    }
    for (const auto& c : plan.text_columns) {
        const auto it = item.texts.find(c);
        row["text_" + c] = it == item.texts.end() ? std::vector<std::string>{} : it->second;
    }
    return row;
}

DatasetReport build_dataset(const DatasetConfig& config) {
    const auto t0 = std::chrono::steady_clock::now();
    if (config.videos.empty()) throw Error(ErrorCode::InvalidArgument, "option --video: at least one video is required");
    if (config.annotations.empty()) throw Error(ErrorCode::InvalidArgument, "option --annotations is required");
    if (config.out_dir.empty()) throw Error(ErrorCode::InvalidArgument, "option --out is required");
    if (config.test_fraction < 0 || config.test_fraction >= 1)
        throw Error(ErrorCode::InvalidArgument, "option --test-fraction: must be in [0, 1)");

    // Whole inputs first: videos (exit 3 / 4), export (exit 3 / 7), patterns.
    std::vector<SourceVideo> videos;
    std::set<std::string> names;
    for (const auto& path : config.videos) {
        if (!fs::exists(path)) throw Error(ErrorCode::InputNotFound, "video not found", path);
        const std::string name = fs::path(path).filename().string();
        if (!names.insert(name).second)
            throw Error(ErrorCode::InvalidArgument,
                        "two --video files are named '" + name + "'; tasks are matched to videos by file name");
        if (std::any_of(videos.begin(), videos.end(),
                        [&](const SourceVideo& v) { return v.lesson == fs::path(path).stem().string(); }))
            throw Error(ErrorCode::InvalidArgument, "two --video files have the lesson name '" +
                                                        fs::path(path).stem().string() +
                                                        "'; fragment names are built from it");
        const auto info = media::probe(path, media::ProbeOptions{.scan_packets = false});
        const auto* v = info.video();
        if (!v) throw Error(ErrorCode::InvalidMedia, "has no video stream", path);
        SourceVideo src;
        src.path = path;
        src.lesson = fs::path(path).stem().string();
        src.duration = info.duration;
        src.width = v->width;
        src.height = v->height;
        src.clip_extension = media::clip_extension(info.container, v->codec, media::CutMode::Exact);
        videos.push_back(std::move(src));
    }
    const auto project = annotations::read_export(config.annotations);
    auto patterns = config.patterns_path.empty() ? annotations::default_patterns()
                                                 : annotations::read_patterns(config.patterns_path);
    const annotations::LabelMatcher matcher(patterns);

    DatasetReport report;
    report.out_dir = config.out_dir;
    report.plan = plan_dataset(project, std::move(videos), matcher, config.test_fraction);
    const DatasetPlan& plan = report.plan;
    if ((!plan.errors.empty() && !config.keep_going) || plan.items.empty()) {
        report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return report;
    }

    remove_stale_staging(config.out_dir);
    AtomicOutputDir out(config.out_dir);
    const fs::path stage = out.staging();
    const std::vector<std::string> splits =
        plan.test_lessons.empty() ? std::vector<std::string>{""} : std::vector<std::string>{"train/", "test/"};
    for (const auto& s : splits)
        for (const char* d : {"videos", "images", "audio", "transcripts"}) fs::create_directories(stage / (s + d));

    std::vector<bool> has_crop(plan.items.size(), false);
    for (size_t v = 0; v < plan.videos.size(); ++v) {
        const SourceVideo& src = plan.videos[v];
        std::vector<size_t> idx;
        for (size_t i = 0; i < plan.items.size(); ++i)
            if (plan.items[i].video == v) idx.push_back(i);
        if (idx.empty()) continue;

        // Clips.
        std::vector<media::ClipSpec> clips;
        for (size_t i : idx) {
            const auto& item = plan.items[i];
            clips.push_back({item.start, item.end,
                             (stage / (split_prefix(plan, item) + "videos/" + item.name + src.clip_extension)).string()});
        }
        media::CutOptions cut;
        cut.mode = media::CutMode::Exact;
        cut.crf = config.crf;
        cut.progress = config.progress;
        media::cut_clips(src.path, clips, cut);

        // Keyframes and crops.
        std::vector<double> times;
        for (size_t i : idx) times.push_back(plan.items[i].mid);
        media::FrameReaderOptions reader_options;
        reader_options.serialize_sink = true;
        media::FrameReader reader(src.path, reader_options);
        reader.read_many(times, [&](size_t k, const media::Image& image) {
            const auto& item = plan.items[idx[k]];
            const std::string base = (stage / (split_prefix(plan, item) + "images/" + item.name)).string();
            media::ImageWriteOptions options;
            options.quality = config.keyframe_quality;
            media::write_image(image, base + ".jpg", options);
            if (item.box) {
                if (const auto px = box_to_pixels(*item.box, image.width, image.height)) {
                    options.crop = media::PixelRect{px->x, px->y, px->width, px->height};
                    media::write_image(image, base + "_crop.jpg", options);
                    has_crop[idx[k]] = true;
                }
            }
        });

        // Audio.
        for (size_t i : idx) {
            const auto& item = plan.items[i];
            media::extract_audio(src.path,
                                 (stage / (split_prefix(plan, item) + "audio/" + item.name + ".wav")).string(),
                                 media::AudioFormat{16000, 1}, item.start, item.end);
        }
    }

    // Metadata per split folder.
    const auto cols = columns(plan);
    for (const auto& s : splits) {
        std::string jsonl, csv;
        for (size_t c = 0; c < cols.size(); ++c) csv += (c ? "," : "") + csv_escape(cols[c]);
        csv += "\n";
        for (size_t i = 0; i < plan.items.size(); ++i) {
            const auto& item = plan.items[i];
            if (split_prefix(plan, item) != s) continue;
            const auto row = metadata_row(plan, item, has_crop[i]);
            jsonl += row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
            for (size_t c = 0; c < cols.size(); ++c) csv += (c ? "," : "") + csv_escape(csv_value(row[cols[c]]));
            csv += "\n";
        }
        write_file_atomic(stage / (s + "metadata.jsonl"), jsonl);
        write_file_atomic(stage / (s + kCsvName), csv);
    }
    for (bool c : has_crop) report.crops += c;

    CardOptions card;
    card.pretty_name = config.pretty_name;
    card.license = config.license;
    card.annotations_file = fs::path(config.annotations).filename().string();
    card.patterns_source = config.patterns_path.empty() ? "the built-in list of the eight PPI patterns"
                                                        : fs::path(config.patterns_path).filename().string();
    card.tool_version = version();
    write_file_atomic(stage / "README.md", render_card(plan, patterns, card));

    out.commit();
    report.written = true;
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return report;
}

nlohmann::json to_json(const DatasetReport& report) {
    const auto& plan = report.plan;
    nlohmann::json doc;
    doc["out_dir"] = report.out_dir;
    doc["written"] = report.written;
    doc["fragments"] = plan.items.size();
    size_t test = 0;
    for (const auto& i : plan.items) test += i.split == "test";
    doc["train"] = plan.items.size() - test;
    doc["test"] = test;
    doc["test_lessons"] = plan.test_lessons;
    doc["crops"] = report.crops;
    doc["transcripts"] = report.transcripts_skipped ? "skipped" : "written";
    nlohmann::json errors = nlohmann::json::array();
    for (const auto& e : plan.errors) errors.push_back({{"item", e.item}, {"message", e.message}});
    doc["errors"] = errors;
    nlohmann::json unmatched = nlohmann::json::array();
    for (const auto& m : plan.matches.unmatched)
        unmatched.push_back({{"label", m.label}, {"best_candidate", m.best_candidate}, {"best_score", m.best_score},
                             {"reason", m.reason}});
    doc["unmatched_labels"] = unmatched;
    doc["warnings"] = plan.warnings;
    doc["seconds"] = report.seconds;
    return doc;
}

}  // namespace vidseg::dataset
