// `vidseg prepare`: slice a lesson video into fixed segments for labeling (SPEC §1 step 1).
// One call produces, atomically in OUT: part_films/ clips, processed_data/ keyframes + features
// (JSONL, CSV), the full audio track as WAV, audio/ with one WAV per segment, Label Studio import
// files and a manifest.
//
// Time base of the Label Studio tasks: each task plays its segment's clip (data.video) and its
// segment's WAV (data.audio), so every result of a task is in SEGMENT time (0 = data.start of the
// lesson). `vidseg dataset build` shifts them back to lesson time when given the lesson video
// (dataset/dataset_plan.hpp).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "vidseg/core/progress.hpp"
#include "vidseg/media/cutter.hpp"
#include "vidseg/media/probe.hpp"

namespace vidseg::pipeline {

struct PrepareConfig {
    std::string video;
    std::string out_dir;                       // default: "<video stem>_prepared" beside the video
    double segment_seconds = 5.0;
    media::CutMode mode = media::CutMode::Exact;
    std::string patterns_path;                 // .txt/.csv/.xlsx; empty = the eight default patterns
    std::string base_url;                      // URL prefix of OUT for Label Studio; empty = local-files URLs
    int keyframe_quality = 90;                 // JPEG quality 1..100
    int keyframe_width = 0;                    // 0 = native width
    bool nearest_keyframe = false;             // the I-frame nearest to each middle (approximate, fast)
    int audio_sample_rate = 16000;
    int audio_channels = 1;
    bool features = true;                      // decode the video once more for brightness/scene cuts
    double silence_threshold_db = -40.0;
    double scene_threshold = 0.35;
    int crf = 18;
    std::string preset = media::kDefaultPreset;
    Progress* progress = nullptr;
};

struct SegmentFeatures {
    double rms_db = 0;         // dBFS of the segment's audio (-120 for digital silence)
    double silence_ratio = 0;  // share of 50 ms windows below the silence threshold
    int scene_cuts = 0;        // shot changes inside the segment
    double brightness = 0;     // mean luma 0..255
    double sharpness = 0;      // variance of the Laplacian of the keyframe
    bool has_audio = false;
};

struct PreparedSegment {
    int index = 0;
    double start = 0, end = 0;                 // requested
    double actual_start = 0, actual_end = 0;   // what the clip holds
    long long frames = 0;
    std::string clip;                          // relative to OUT
    std::string audio;                         // its WAV, relative to OUT; empty without audio
    std::string keyframe;                      // relative to OUT
    double keyframe_time = 0;
    SegmentFeatures features;
};

struct PrepareReport {
    std::string out_dir;
    media::MediaInfo input;
    std::vector<PreparedSegment> segments;
    std::string audio_wav;        // relative to OUT; empty when the video has no audio
    std::vector<std::string> files;  // every top-level output, relative to OUT
    std::vector<std::string> warnings;
    double seconds = 0;
};

// Checks the config (throws InvalidArgument with the option name) and fills defaults.
PrepareConfig validated(PrepareConfig config);

// Runs the whole job. Throws Error; on error or interruption nothing is left at out_dir
// (a previous output there stays intact).
PrepareReport prepare(const PrepareConfig& config);

nlohmann::json to_json(const PrepareReport& report);

}  // namespace vidseg::pipeline
