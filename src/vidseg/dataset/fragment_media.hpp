// The media files of one lesson's fragments for `vidseg dataset build` (see dataset_builder.hpp):
//   videos/<name>.<ext>   exact clip of [start, end)        (artifact "clip")
//   images/<name>.jpg     keyframe, + <name>_crop.jpg        (artifact "keyframe")
//   audio/<name>.wav      [start, end) as 16 kHz mono WAV    (artifact "audio")
// Artifacts whose key is unchanged are reused through the ResumableStage; the others are made here,
// each recorded in the stage's journal as soon as its files are complete (an interrupted build
// keeps them).
//
// Speed (issue 3 §8): the work is split into tasks that run on `workers` threads at once —
// clip batches (nearby clips sorted by time, one demux/decode pass each, see media/cutter.hpp),
// one keyframe pass (media::FrameReader) and one audio pass that writes every WAV of the lesson
// while decoding its audio once (media::extract_audio_spans). The longest tasks start first.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "vidseg/dataset/dataset_plan.hpp"

namespace vidseg {
class Progress;
}

namespace vidseg::dataset {

class ResumableStage;

struct FragmentMediaOptions {
    int crf = 18;               // x264 CRF of the re-encoded parts of clips
    int keyframe_quality = 90;  // JPEG quality
    int workers = 0;            // threads; 0 = the hardware's (at most 8)
    Progress* progress = nullptr;
};

// What one call made (reused files are not counted) and how long its tasks ran.
struct FragmentMediaStats {
    size_t clips = 0, keyframes = 0, wavs = 0;
    // Thread-seconds spent per kind of task (they overlap in wall time when workers > 1).
    double clip_seconds = 0, keyframe_seconds = 0, audio_seconds = 0;
    FragmentMediaStats& operator+=(const FragmentMediaStats& o);
};

// Makes or reuses the files of plan.items[i] for every i in `items` (all of video `video`) in
// `stage`'s work dir. has_crop[i] is set for items whose keyframe has a crop. Throws what the
// cutter, FrameReader and extract_audio_spans throw (the first error of any task; the others stop
// taking new tasks), Error(Interrupted) on cancellation.
FragmentMediaStats make_fragment_media(const DatasetPlan& plan, size_t video, const std::vector<size_t>& items,
                                       ResumableStage& stage, std::vector<bool>& has_crop,
                                       const FragmentMediaOptions& options);

}  // namespace vidseg::dataset
