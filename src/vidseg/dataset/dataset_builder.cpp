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
#include "vidseg/asr/fragment_transcripts.hpp"
#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/progress.hpp"
#include "vidseg/core/safe_path.hpp"
#include "vidseg/core/version.hpp"
#include "vidseg/dataset/build_manifest.hpp"
#include "vidseg/dataset/dataset_card.hpp"
#include "vidseg/dataset/fragment_media.hpp"
#include "vidseg/dataset/keyframe_ranker.hpp"
#include "vidseg/dataset/metadata_views.hpp"
#include "vidseg/dataset/review_plan.hpp"
#include "vidseg/media/cutter.hpp"
#include "vidseg/media/media_file_name.hpp"
#include "vidseg/media/probe.hpp"

namespace fs = std::filesystem;

namespace vidseg::dataset {

namespace {

// Not "metadata.csv": `datasets` scans for metadata.{jsonl,csv,parquet} and raises "Found metadata
// files with different extensions" when a tree holds two kinds (SPEC §3: one metadata file per folder).
constexpr const char* kCsvName = "metadata_table.csv";
constexpr const char* kReviewLogName = "review.jsonl";

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
    cols.push_back("keyframe_time");
    if (plan.keyframes_scored)
        for (const char* c : {"keyframe_score", "keyframe_sharpness", "keyframe_exposure", "keyframe_person", "keyframe_faces"})
            cols.push_back(c);
    for (const auto& c : plan.choice_columns) cols.push_back("choice_" + c);
    for (const auto& c : plan.text_columns) cols.push_back("text_" + c);
    return cols;
}

// A folder stands for the video files in it (by extension, sorted by name; not recursive).
std::vector<std::string> expand_video_folders(const std::vector<std::string>& paths) {
    std::vector<std::string> out;
    for (const auto& path : paths) {
        std::error_code ec;
        if (!fs::is_directory(path, ec)) {
            out.push_back(path);
            continue;
        }
        std::vector<std::string> found;
        for (const auto& entry : fs::directory_iterator(path, ec))
            if (entry.is_regular_file() && media::is_video_file_name(entry.path())) found.push_back(entry.path().string());
        if (found.empty()) throw Error(ErrorCode::InputNotFound, "folder given as --video holds no video file", path);
        std::sort(found.begin(), found.end());
        out.insert(out.end(), found.begin(), found.end());
    }
    return out;
}

// The latest hand-picked keyframe of each item (review.jsonl "keyframe") replaces the middle or best
// frame; the box follows it along the item's track.
void apply_picked_keyframes(DatasetPlan& plan, const std::vector<ReviewDecision>& previous,
                            const std::vector<ReviewDecision>& now) {
    std::vector<ReviewDecision> log = previous;
    log.insert(log.end(), now.begin(), now.end());
    const auto picks = picked_keyframes(log);
    for (auto& item : plan.items) {
        const auto it = picks.find(item.name);
        if (it == picks.end() || it->second < item.start - 1e-6 || it->second > item.end + 1e-6) continue;
        item.keyframe_time = it->second;
        item.keyframe_score.reset();  // not scored: metadata says 0
        if (item.track) item.box = item.track->box_at(item.keyframe_time);
    }
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
    row["lesson"] = item.lesson.empty() ? src.lesson : item.lesson;
    row["task_id"] = item.task_id;
    row["annotation_id"] = item.annotation_id;
    row["keyframe_time"] = item.keyframe_time;
    if (plan.keyframes_scored) {
        const auto score = item.keyframe_score.value_or(vision::KeyframeScore{});
        row["keyframe_score"] = score.total;
        row["keyframe_sharpness"] = score.sharpness;
        row["keyframe_exposure"] = score.exposure;
        row["keyframe_person"] = score.person;
        row["keyframe_faces"] = score.faces;
    }
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
    // The learned keyframe ranker before any work: a bad file is refused at once (exit 3 / 7).
    std::optional<KeyframeRanker> ranker;
    if (config.keyframe == KeyframeMode::Model) {
        if (config.keyframe_model.empty())
            throw Error(ErrorCode::InvalidArgument, "option --keyframe: model:FILE names no file");
        ranker = KeyframeRanker::load(config.keyframe_model);
    }

    // Whole inputs first: videos (exit 3 / 4), export (exit 3 / 7), patterns.
    std::vector<SourceVideo> videos;
    std::map<std::string, long long> names;  // file name -> id of the video that has it
    const auto paths = expand_video_folders(config.videos);
    if (!config.video_ids.empty() && config.video_ids.size() != paths.size())
        throw Error(ErrorCode::InvalidArgument, "video ids: one per video file (" + std::to_string(paths.size()) +
                                                    " files, " + std::to_string(config.video_ids.size()) + " ids)");
    for (size_t index = 0; index < paths.size(); ++index) {
        const std::string& path = paths[index];
        const long long id = config.video_ids.empty() ? 0 : config.video_ids[index];
        if (!fs::exists(path)) throw Error(ErrorCode::InputNotFound, "video not found", path);
        const std::string name = fs::path(path).filename().string();
        // One name twice only for videos with ids (the platform's): tasks name them by id.
        if (const auto [it, fresh] = names.emplace(name, id); !fresh && (id == 0 || it->second == 0))
            throw Error(ErrorCode::InvalidArgument,
                        "two --video files are named '" + name + "'; tasks are matched to videos by file name");
        std::string lesson = fs::path(path).stem().string();
        auto lesson_taken = [&](const std::string& l) {
            return std::any_of(videos.begin(), videos.end(), [&](const SourceVideo& v) { return v.lesson == l; });
        };
        if (lesson_taken(lesson) && id != 0) lesson += "_v" + std::to_string(id);  // the later one: lesson_v18
        if (lesson_taken(lesson))
            throw Error(ErrorCode::InvalidArgument, "two --video files have the lesson name '" + lesson +
                                                        "'; fragment names are built from it");
        const auto info = media::probe(path, media::ProbeOptions{.scan_packets = false});
        const auto* v = info.video();
        if (!v) throw Error(ErrorCode::InvalidMedia, "has no video stream", path);
        SourceVideo src;
        src.path = path;
        src.id = id;
        src.lesson = lesson;
        src.duration = info.duration;
        src.fps = v->nominal_fps > 0 ? v->nominal_fps : v->fps;  // the declared rate: what an editor steps by
        src.width = v->width;
        src.height = v->height;
        src.clip_extension = media::clip_extension(info.container, v->codec, media::CutMode::Exact);
        videos.push_back(std::move(src));
    }
    annotations::ReadOptions read;
    if (!config.label_config.empty()) {
        const auto info = annotations::read_label_config(config.label_config);
        read.controls = info.controls;
        read.fps = info.frame_rate;
    }
    if (config.fps) read.fps = config.fps;
    const auto project = annotations::read_export(config.annotations, read);
    auto patterns = config.patterns_path.empty() ? annotations::default_patterns()
                                                 : annotations::read_patterns(config.patterns_path);
    const annotations::LabelMatcher matcher(patterns);

    DatasetReport report;
    report.out_dir = config.out_dir;
    report.plan = plan_dataset(project, std::move(videos), matcher, config.test_fraction);
    report.plan.warnings.insert(report.plan.warnings.begin(), project.warnings.begin(), project.warnings.end());
    const DatasetPlan& plan = report.plan;
    if ((!plan.errors.empty() && !config.keep_going) || plan.items.empty()) {
        report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return report;
    }
    // Work dir that survives an interruption (build_manifest.hpp); the previous dataset stays as is
    // until the commit at the end.
    ResumableStage stage_dir(config.out_dir, !config.rebuild);
    const fs::path stage = stage_dir.dir();
    std::vector<FragmentCandidates> scored_candidates;  // keyframe_candidates.jsonl
    if (config.keyframe == KeyframeMode::Best || config.keyframe == KeyframeMode::Model) {
        const auto t_choice = std::chrono::steady_clock::now();
        KeyframeChoiceOptions choice_options{.candidates = config.keyframe_candidates,
                                             .progress = config.progress};
        choice_options.candidates_dir = config.keyframe_candidates_dir;
        if (ranker) choice_options.ranker = &*ranker;
        auto choice = choose_best_keyframes(report.plan, choice_options, &stage_dir);
        // In plan order, whatever order the videos were decoded in.
        std::map<std::string, size_t> order;
        for (size_t i = 0; i < plan.items.size(); ++i) order[plan.items[i].name] = i;
        std::stable_sort(choice.fragments.begin(), choice.fragments.end(),
                         [&](const auto& a, const auto& b) { return order[a.item] < order[b.item]; });
        scored_candidates = std::move(choice.fragments);
        report.keyframe_choices_reused = choice.reused;
        report.keyframe_candidates_decoded = choice.candidates_decoded;
        report.keyframe_choice_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t_choice).count();
    }
    const std::vector<std::string> splits =
        plan.test_lessons.empty() ? std::vector<std::string>{""} : std::vector<std::string>{"train/", "test/"};
    for (const auto& s : splits)
        for (const char* d : {"videos", "images", "audio", "transcripts"}) fs::create_directories(stage / (s + d));

    // Review state: the previous decisions, then --exclude. Without an interactive review the
    // excluded fragments are not made at all.
    const auto previous_log = read_review_log(stage_dir.destination() / kReviewLogName);
    ReviewSession session(review_items(plan, stage), previous_log, config.reviewer);
    if (!config.exclude.empty())
        for (const auto& e : read_exclude_argument(config.exclude)) session.exclude(e.selection, e.reason, "exclude-option");
    for (const auto& [item, seconds] : config.keyframe_picks)
        session.pick_keyframe(item, seconds, "keyframe-pick");
    apply_picked_keyframes(report.plan, previous_log, session.decisions());
    auto wanted = [&](size_t i) { return config.review || !session.excluded(i); };
    asr::FragmentTranscripts transcripts(config.transcriber);  // one transcriber (worker) for the whole build
    std::map<std::string, asr::Transcript> transcript_of;      // by fragment name

    std::vector<bool> has_crop(plan.items.size(), false);
    for (size_t v = 0; v < plan.videos.size(); ++v) {
        const SourceVideo& src = plan.videos[v];
        std::vector<size_t> idx;
        for (size_t i = 0; i < plan.items.size(); ++i)
            if (plan.items[i].video == v && wanted(i)) idx.push_back(i);
        if (idx.empty()) continue;
        // Clips, keyframes (+ crops) and WAVs, made in parallel tasks (fragment_media.hpp).
        FragmentMediaOptions media_options;
        media_options.crf = config.crf;
        media_options.keyframe_quality = config.keyframe_quality;
        media_options.workers = config.workers;
        media_options.progress = config.progress;
        report.media += make_fragment_media(plan, v, idx, stage_dir, has_crop, media_options);

        // Transcripts of the WAVs (asr/fragment_transcripts.hpp).
        if (transcripts.enabled()) {
            const std::string fingerprint = video_fingerprint(src.path);
            auto rel = [&](const DatasetItem& item, const std::string& dir, const std::string& suffix) {
                return split_prefix(plan, item) + dir + "/" + item.name + suffix;
            };
            if (config.progress) config.progress->begin("transcribing " + src.lesson, static_cast<double>(idx.size()));
            size_t done = 0;
            for (size_t i : idx) {
                const auto& item = plan.items[i];
                const std::vector<std::string> files = {rel(item, "transcripts", ".txt"), rel(item, "transcripts", ".json")};
                // Version 2: transcripts carry word times and hold only the words inside the fragment.
                const std::string key = artifact_key("transcript", 2, {fingerprint, key_number(item.start),
                                                                       key_number(item.end), transcripts.key()});
                if (stage_dir.reuse(item.name, "transcript", key, files)) {
                    transcript_of[item.name] = asr::read_transcript_file(join_under(stage, files[1]));
                } else {
                    throw_if_cancelled();
                    transcript_of[item.name] = transcripts.transcribe_to(
                        join_under(stage, rel(item, "audio", ".wav")), item.end - item.start,
                        join_under(stage, files[0]), join_under(stage, files[1]));
                    stage_dir.record(item.name, "transcript", key, files);
                }
                if (config.progress) config.progress->update(static_cast<double>(++done));
            }
            if (config.progress) config.progress->end();
        }
    }

    // Review: the interactive loop (when asked for) sees every fragment with its keyframe.
    if (config.review) {
        if (!config.review(session)) {
            report.aborted = true;
            report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            return report;  // the work dir stays: the next run reuses what was made
        }
        session.confirm_rest();
    }
    throw_if_cancelled();
    // Left-out fragments leave the plan; their files are dropped, or kept under excluded/ with skip_deletion.
    if (config.skip_deletion) carry_previous_excluded(stage_dir.destination(), stage);
    {
        std::vector<DatasetItem> kept;
        std::vector<bool> kept_crop;
        for (size_t i = 0; i < plan.items.size(); ++i) {
            const auto& item = plan.items[i];
            if (!session.excluded(i)) {
                kept.push_back(item);
                kept_crop.push_back(has_crop[i]);
                continue;
            }
            ReviewDecision d;
            d.item = item.name;
            d.excluded = true;
            d.reason = session.reason(i);
            d.lesson = item.lesson;
            d.start = item.start;
            d.end = item.end;
            d.patterns = item.patterns;
            d.annotator = item.annotator;
            report.excluded.push_back(std::move(d));
            if (config.skip_deletion) {  // made this run (for the review) or by an earlier build
                const auto it = stage_dir.items().find(item.name);
                if (it != stage_dir.items().end())
                    for (const auto& [art, entry] : it->second) keep_excluded_files(stage, entry.files);
                keep_previous_files(stage_dir.destination(), stage, stage_dir.previous_files(item.name));
            }
            stage_dir.drop(item.name);
        }
        report.plan.items = std::move(kept);
        has_crop = std::move(kept_crop);
    }
    std::vector<ReviewDecision> log = previous_log;
    log.insert(log.end(), session.decisions().begin(), session.decisions().end());
    if (!log.empty()) write_file_atomic(stage / kReviewLogName, render_review_log(log));
    if (!scored_candidates.empty())
        write_file_atomic(stage / kKeyframeCandidatesFile, render_candidate_file(scored_candidates));

    // Metadata per split folder: metadata.jsonl (clips), the same rows linked to the WAVs and to the
    // keyframes for audiofolder / imagefolder (metadata_views.hpp), and the spreadsheet copy.
    auto cols = columns(plan);
    if (transcripts.enabled()) cols.insert(cols.end(), {"transcript", "language"});
    const auto dump = [](const nlohmann::ordered_json& row) {
        return row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    };
    for (const auto& s : splits) {
        std::string jsonl, audio_jsonl, images_jsonl, csv;
        for (size_t c = 0; c < cols.size(); ++c) csv += (c ? "," : "") + csv_escape(cols[c]);
        csv += "\n";
        for (size_t i = 0; i < plan.items.size(); ++i) {
            const auto& item = plan.items[i];
            if (split_prefix(plan, item) != s) continue;
            auto row = metadata_row(plan, item, has_crop[i]);
            if (const auto t = transcript_of.find(item.name); t != transcript_of.end()) {
                row["transcript"] = t->second.text;
                row["language"] = t->second.language;
            }
            jsonl += dump(row);
            audio_jsonl += dump(metadata_view_row(row, MetadataView::Audio));
            images_jsonl += dump(metadata_view_row(row, MetadataView::Images));
            for (size_t c = 0; c < cols.size(); ++c) csv += (c ? "," : "") + csv_escape(csv_value(row[cols[c]]));
            csv += "\n";
        }
        write_file_atomic(stage / (s + "metadata.jsonl"), jsonl);
        write_file_atomic(stage / (s + kAudioMetadataName), audio_jsonl);
        write_file_atomic(stage / (s + kImagesMetadataName), images_jsonl);
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
    card.excluded_fragments = report.excluded.size();
    card.review_log = !log.empty();
    card.keyframe_candidates = !scored_candidates.empty();
    card.transcripts_skipped = !transcripts.enabled();
    report.transcripts_skipped = !transcripts.enabled();
    report.transcribed = transcripts.transcribed();
    report.transcriber = transcripts.description();
    write_file_atomic(stage / "README.md", render_card(plan, patterns, card));

    report.reused_items = stage_dir.reused_items();
    report.reused_artifacts = stage_dir.reused_artifacts();
    report.built_artifacts = stage_dir.built_artifacts();
    stage_dir.commit(config.skip_deletion ? std::vector<std::string>{kExcludedDir} : std::vector<std::string>{});
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
    doc["transcribed"] = report.transcribed;
    doc["transcriber"] = report.transcriber;
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
    doc["aborted"] = report.aborted;
    doc["reused_fragments"] = report.reused_items;
    doc["built_files"] = report.built_artifacts;
    doc["reused_files"] = report.reused_artifacts;
    // Work done in this run (what the speed benchmark and the reuse tests look at).
    doc["made"] = {{"clips", report.media.clips}, {"keyframes", report.media.keyframes}, {"wavs", report.media.wavs}};
    doc["task_seconds"] = {{"clips", report.media.clip_seconds},
                           {"keyframes", report.media.keyframe_seconds},
                           {"audio", report.media.audio_seconds},
                           {"keyframe_choice", report.keyframe_choice_seconds}};
    doc["reused_keyframe_choices"] = report.keyframe_choices_reused;
    doc["keyframe_candidates_decoded"] = report.keyframe_candidates_decoded;
    nlohmann::json excluded = nlohmann::json::array();
    for (const auto& d : report.excluded) excluded.push_back({{"item", d.item}, {"reason", d.reason}});
    doc["excluded"] = excluded;
    return doc;
}

}  // namespace vidseg::dataset
