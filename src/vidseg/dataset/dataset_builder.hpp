// `vidseg dataset build` (SPEC §1 step 4; transcripts through src/vidseg/asr/ when a backend is chosen): Label Studio export + lesson
// videos + pattern list → a Hugging Face folder dataset (SPEC §3), committed atomically.
//
// Per fragment (see dataset_plan.hpp for which intervals and how tasks find their video):
//   videos/<name>.<ext>      exact cut of [start, end) (ext from media::clip_extension, .mp4 for MP4 input)
//   images/<name>.jpg        the frame shown at the middle of the interval
//   images/<name>_crop.jpg   that frame cropped to the annotation's videorectangle box (when one covers it)
//   audio/<name>.wav         [start, end) as WAV 16 kHz mono
// plus metadata.jsonl (what `datasets` reads) and metadata_table.csv (the same rows for spreadsheets,
// lists joined with "; "; not named metadata.csv, which `datasets` would reject next to the JSONL) per split folder and README.md (dataset_card.hpp) at the root.
// Beside metadata.jsonl, metadata_audio.jsonl and metadata_images.jsonl hold the same rows linked to the WAV / the
// keyframe for the audiofolder / imagefolder loaders (metadata_views.hpp).
// With a split (test_fraction > 0 and >= 2 lessons) the files live under train/ and test/.
//
// With --keyframe best or model:FILE, keyframe_candidates.jsonl at the root holds every fragment's scored
// candidates (keyframe_candidates.hpp): with review.jsonl, what `vidseg keyframes learn` learns from.
//
// Review (review.hpp): before the dataset is committed, the previous build's review.jsonl, then
// `exclude` (--exclude LIST|FILE), then the interactive `review` callback decide which fragments
// are left out; every decision is appended to review.jsonl at the root. Excluded fragments are not
// made unless an interactive review runs (it shows their keyframes); their files are dropped, or
// with skip_deletion kept under excluded/ (outside the configs' data_files). Source media are
// never touched.
//
// Incremental + resumable (build_manifest.hpp): artifacts whose inputs are unchanged are reused
// from the previous dataset or from an interrupted run; the work dir survives Ctrl-C.
//
// Errors: whole-input problems throw vidseg::Error (missing video / export → InputNotFound,
// malformed export or pattern list → InvalidData, unreadable video → InvalidMedia). Item problems
// (interval beyond the video, end <= start, task whose video was not given) are collected in
// the report; then nothing is written unless keep_going, in which case the good items are.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "vidseg/asr/transcriber.hpp"
#include "vidseg/dataset/dataset_plan.hpp"
#include "vidseg/dataset/fragment_media.hpp"
#include "vidseg/dataset/keyframe_choice.hpp"
#include "vidseg/dataset/review.hpp"

namespace vidseg {
class Progress;
}

namespace vidseg::dataset {

struct DatasetConfig {
    std::vector<std::string> videos;
    // The platform's ids of `videos` (one each, or none): tasks are matched to them by
    // data.vidseg_video_id first, and two videos of one file name are allowed (dataset_plan.hpp).
    std::vector<long long> video_ids;
    std::string annotations;    // Label Studio export (full JSON, JSON_MIN or CSV)
    // Frame rate of tasks without data.fps (--fps); else the label config's numeric <Video frameRate>,
    // else each task's probed video (dataset_plan.hpp).
    std::optional<double> fps;
    std::string label_config;  // --label-config: the project's XML (frameRate, control names for JSON_MIN / CSV)
    std::string patterns_path;  // empty = the eight built-in PPI patterns
    std::string out_dir;
    bool keep_going = false;
    double test_fraction = 0;   // 0 = no split
    std::string license = "cc-by-4.0";
    std::string pretty_name;
    int keyframe_quality = 90;
    int crf = 18;
    // Keyframe per fragment: the middle frame, or the best-scoring of keyframe_candidates frames
    // (keyframe_choice.hpp; metadata gets keyframe_score and its components).
    KeyframeMode keyframe = KeyframeMode::Middle;
    std::string keyframe_model;  // KeyframeMode::Model: the ranker file (keyframe_ranker.hpp)
    int keyframe_candidates = 12;
    std::string keyframe_candidates_dir;  // --keyframe best: write the candidates there (keyframe_choice.hpp)
    // Keyframes picked by hand (the web review): item → seconds, recorded in review.jsonl ("keyframe").
    // Later builds keep using the latest pick of review.jsonl.
    std::map<std::string, double> keyframe_picks;
    int workers = 0;  // threads making clips / keyframes / WAVs at once (fragment_media.hpp); 0 = hardware's
    Progress* progress = nullptr;
    // Review (see above). `review` returns false to abort (nothing written, finished work kept for the next run).
    std::string exclude;  // --exclude LIST|FILE; empty = none
    std::function<bool(ReviewSession&)> review;
    std::string reviewer;         // recorded as "who" ($USER)
    bool skip_deletion = false;   // keep excluded fragments' files under excluded/
    bool rebuild = false;         // make everything again (no reuse)
    // Transcription (src/vidseg/asr/): backend None = transcripts skipped. With one, each fragment
    // gets transcripts/<name>.{txt,json} and the metadata columns `transcript`, `language`.
    asr::TranscriberConfig transcriber;
};

struct DatasetReport {
    std::string out_dir;
    bool written = false;  // false when item errors stopped the build (no keep_going) or nothing to write
    DatasetPlan plan;
    size_t crops = 0;
    bool transcripts_skipped = true;
    size_t transcribed = 0;       // transcripts made in this run (the rest were reused)
    std::string transcriber;      // description of the transcriber used ("" when none ran)
    double seconds = 0;
    bool aborted = false;                    // the review was quit
    std::vector<ReviewDecision> excluded;    // fragments left out (plan.items holds the kept ones)
    size_t reused_items = 0;                 // fragments whose every file was reused
    size_t built_artifacts = 0, reused_artifacts = 0;
    FragmentMediaStats media;                // clips / keyframes / WAVs made in this run, task times
    size_t keyframe_choices_reused = 0;      // --keyframe best: choices taken from the manifest
    size_t keyframe_candidates_decoded = 0;  // --keyframe best: candidate frames decoded and scored
    double keyframe_choice_seconds = 0;
};

DatasetReport build_dataset(const DatasetConfig& config);

// Metadata row of one item (paths relative to its split folder), columns in table order.
nlohmann::ordered_json metadata_row(const DatasetPlan& plan, const DatasetItem& item, bool has_crop);

nlohmann::json to_json(const DatasetReport& report);

}  // namespace vidseg::dataset
